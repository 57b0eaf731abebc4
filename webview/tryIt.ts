/**
 * "Try it": a text field and a button posting `{type:'predict', text}`; the `prediction` answer
 * shows the predicted tokens and their attention map (the same map component as the probes).
 * During a live run the engine predicts between two training steps with the weights saved at the
 * end of the latest epoch, so Try it opens once the first epoch is on disk.
 */
import type { Prediction } from '../src/protocol/run';
import { LIMITS } from '../src/protocol/webview';
import { AttentionMapView } from './attentionMap';
import { IndexSelect } from './select';
import { el, setText, show } from './dom';
import { t } from './i18n';
import { epochsOnDisk, type LabModel } from './model';
import type { Theme } from './theme';
import { post } from './vscodeApi';

type TextField = HTMLElement & { value: string; disabled: boolean; invalid: boolean };
type Button = HTMLElement & { disabled: boolean };

export class TryIt {
  readonly root: HTMLElement;
  private readonly input = el('vscode-textfield', {
    attrs: { id: 'try-input', label: t('tryLabel'), placeholder: t('tryPlaceholder'), maxlength: LIMITS.maxTextLength },
  }) as TextField;
  private readonly button = el('vscode-button', { text: t('tryButton'), attrs: { id: 'try-button' } }) as Button;
  private readonly note = el('p', { className: 'try-note muted', attrs: { id: 'try-note', 'aria-live': 'polite' } });
  private readonly status = el('p', {
    className: 'try-status muted',
    attrs: { id: 'try-status', 'aria-live': 'polite' },
  });
  private readonly result = el('div', { className: 'try-result', attrs: { id: 'try-result' } });
  private readonly sourceLine = el('p', { className: 'try-source' });
  private readonly predictedLine = el('p', { className: 'try-predicted', attrs: { id: 'try-predicted' } });
  private readonly map = new AttentionMapView('try-map');
  private readonly headSelect: IndexSelect;
  private prediction: Prediction | null = null;
  private headIndex = 0;
  private pendingText: string | null = null;
  private enabled = true;

  constructor(private readonly separator: string) {
    this.button.addEventListener('click', () => this.submit());
    this.input.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Enter') {
        event.preventDefault();
        this.submit();
      }
    });
    this.headSelect = new IndexSelect('try-head-select', t('attentionHead'), (index) => {
      this.headIndex = index;
      this.showMap();
    });
    this.result.append(this.sourceLine, this.predictedLine, this.headSelect.root, this.map.root);
    show(this.result, false);
    this.root = el('div', { className: 'try-it' }, [
      this.note,
      el('div', { className: 'try-form' }, [
        el('label', { text: t('tryLabel'), attrs: { for: 'try-input' } }),
        this.input,
        this.button,
      ]),
      this.status,
      this.result,
    ]);
  }

  /** Open when the run has a saved model: any readable run, a live one once an epoch is on disk. */
  update(model: LabModel): void {
    const epochs = epochsOnDisk(model);
    let note = '';
    let enabled = false;
    if (!model.run) note = model.view === 'damaged' ? t('tryNoRun') : '';
    else if (model.live && epochs < 1) note = t('tryWaitFirstEpoch');
    else {
      enabled = true;
      if (model.live) note = t('tryLiveEpoch', { epoch: epochs });
    }
    setText(this.note, note);
    show(this.note, note !== '');
    this.setEnabled(enabled);
  }

  private setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.input.disabled = !enabled;
    this.button.disabled = !enabled || this.pendingText !== null;
  }

  setTheme(theme: Theme): void {
    this.map.setTheme(theme);
  }

  /** An `error` arrived: stop waiting. */
  settle(): void {
    if (this.pendingText === null) return;
    this.pendingText = null;
    setText(this.status, '');
    this.setEnabled(this.enabled);
  }

  showPrediction(text: string, prediction: Prediction): void {
    this.pendingText = null;
    setText(this.status, '');
    this.setEnabled(this.enabled);
    const label = (name: string): HTMLElement => el('span', { className: 'sample-label', text: name });
    const tokens = (list: string[]): HTMLElement =>
      el(
        'span',
        { className: 'token-line' },
        list.flatMap((token, i) => [
          i > 0 && this.separator ? document.createTextNode(this.separator) : null,
          el('span', { className: 'token token-text', text: token }),
        ]),
      );
    this.sourceLine.replaceChildren(
      label(t('tryInput')),
      prediction.source.length ? tokens(prediction.source) : el('span', { className: 'token-text', text }),
    );
    this.predictedLine.replaceChildren(label(t('tryOutput')), tokens(prediction.predicted));
    this.prediction = prediction;
    this.headIndex = 0;
    this.showMap();
    show(this.result, true);
  }

  private showMap(): void {
    const maps = this.prediction?.attention ?? [];
    this.headIndex = Math.min(this.headIndex, Math.max(0, maps.length - 1));
    this.headSelect.update(
      maps.map((m) => t('attentionHeadOption', { layer: m.layer + 1, head: m.head + 1, label: m.label })),
      this.headIndex,
      2,
    );
    this.map.setMap(maps[this.headIndex] ?? null, t('attentionNone'));
  }

  private submit(): void {
    if (!this.enabled || this.pendingText !== null) return;
    const text = this.input.value.trim();
    if (!text) {
      setText(this.status, t('tryEmpty'));
      return;
    }
    if (text.length > LIMITS.maxTextLength) {
      setText(this.status, t('tryTooLong', { max: LIMITS.maxTextLength }));
      return;
    }
    this.pendingText = text;
    this.button.disabled = true;
    setText(this.status, t('tryPending', { text }));
    post({ type: 'predict', text });
  }
}
