/**
 * "Try it": a text field and a button posting `{type:'predict', text}`; the `prediction` answer
 * shows the predicted tokens and every attention map (the same overview and map as the probes),
 * and which typed tokens were read as <unk>. During a live run the engine predicts between two
 * training steps with the weights saved at the latest evaluation, so Try it opens once one is on disk.
 */
import { MAX_TRY_TEXT } from '../src/shared/protocol/webview';
import type { Prediction } from '../src/shared/run/records';
import { el, setText, show } from './dom';
import { list, t } from './i18n';
import { modesOf } from './mapData';
import { MapExplorer } from './mapExplorer';
import { epochsOnDisk, type LabModel } from './model';
import type { Theme } from './theme';
import { post } from './vscodeApi';

type TextField = HTMLElement & { value: string; disabled: boolean; invalid: boolean };
type Button = HTMLElement & { disabled: boolean };

export class TryIt {
  readonly root: HTMLElement;
  readonly explorer = new MapExplorer('try-map');
  private readonly input = el('vscode-textfield', {
    attrs: { id: 'try-input', label: t('tryLabel'), placeholder: t('tryPlaceholder'), maxlength: MAX_TRY_TEXT },
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
  private readonly unknown = el('p', { className: 'try-unknown muted', attrs: { id: 'try-unknown' } });
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
    this.result.append(this.sourceLine, this.predictedLine, this.unknown, this.explorer.root);
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

  /** Open when the run has a saved model: any readable run, a live one once an evaluation is on disk. */
  update(model: LabModel): void {
    const epochs = epochsOnDisk(model);
    let note = '';
    let enabled = false;
    if (!model.run) note = model.view === 'damaged' ? t('tryNoRun') : '';
    else if (model.live && epochs < 1) note = t('tryWaitFirstEpoch');
    else {
      enabled = true;
      const key = model.chapter.trainingUnit === 'evaluation' ? 'tryLiveEvaluation' : 'tryLiveEpoch';
      if (model.live) note = t(key, { epoch: epochs });
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
    this.explorer.setTheme(theme);
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
    const tokens = (items: string[]): HTMLElement =>
      el(
        'span',
        { className: 'token-line' },
        items.flatMap((token, i) => [
          i > 0 && this.separator ? document.createTextNode(this.separator) : null,
          el('span', { className: 'token token-text', text: token }),
        ]),
      );
    this.sourceLine.replaceChildren(
      label(t('tryInput')),
      prediction.source.length ? tokens(prediction.source) : el('span', { className: 'token-text', text }),
    );
    this.predictedLine.replaceChildren(label(t('tryOutput')), tokens(prediction.predicted));
    const unknown = prediction.unknownTokens;
    setText(this.unknown, unknown.length ? t('tryUnknown', { tokens: list(unknown.map((x) => `“${x}”`)) }) : '');
    show(this.unknown, unknown.length > 0);
    // One row per generated token when the engine recorded them; else the forward pass.
    const modes = modesOf(prediction.maps);
    const mode = modes.includes('generated') ? 'generated' : modes[0];
    this.explorer.show(
      prediction.maps.filter((map) => map.mode === mode),
      t('attentionNone'),
    );
    show(this.result, true);
  }

  private submit(): void {
    if (!this.enabled || this.pendingText !== null) return;
    const text = this.input.value.trim();
    if (!text) {
      setText(this.status, t('tryEmpty'));
      return;
    }
    if (text.length > MAX_TRY_TEXT) {
      setText(this.status, t('tryTooLong', { max: MAX_TRY_TEXT }));
      return;
    }
    this.pendingText = text;
    this.button.disabled = true;
    setText(this.status, t('tryPending', { text }));
    post({ type: 'predict', text });
  }
}
