/**
 * Fill-in for a masked language model (chapter bert-mlm). The learner types a sentence; its words
 * (split as the engine splits them, src/shared/text/words.ts) become buttons, and clicking one
 * (or Enter / Space on it) masks or unmasks it and asks the host `{type:'fill', text}` with the
 * masked words written `[MASK]`; a typed `[MASK]` is a mask too. The `filled` answer shows, for
 * each mask, the top guesses with their probabilities (and "all other words", so what is listed
 * sums to 1), and the masked position's attention row in every layer and head as a small heat
 * table whose rows sum to 1. During a live run the engine answers between two training steps with
 * the weights of the latest evaluation; after a new evaluation the shown question is asked again.
 * Plain data only: no tensors, no files.
 */
import type { FillResult } from '../src/shared/protocol/engine';
import { MAX_FILL_INPUT, MAX_FILL_TEXT } from '../src/shared/protocol/webview';
import { unpackMap } from '../src/shared/run/attention';
import { learnerWords, MASK_MARKER } from '../src/shared/text/words';
import { displayToken, el, setText, show } from './dom';
import css from './fillIn.css';
import { buildRamp, needsLightText, rampIndex } from './heatColor';
import { list, t } from './i18n';
import { epochsOnDisk, type LabModel } from './model';
import { fixed } from './numbers';
import type { Theme } from './theme';
import { post } from './vscodeApi';

type TextField = HTMLElement & { value: string; disabled: boolean };
type Button = HTMLElement & { disabled: boolean };

let styled = false;
/** This view's CSS, adopted once through the CSSOM (as webview/styles.ts does for the panel's). */
function adoptStyles(): void {
  if (styled) return;
  styled = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

/** A probability as a percentage with one decimal ("42.1%"). */
export function percent(probability: number): string {
  return `${fixed(probability * 100, 1)}%`;
}

interface Asked {
  text: string;
  /** Per word of the question: the word the learner masked, or null (not masked, or a typed [MASK]). */
  originals: (string | null)[];
}

export class FillIn {
  readonly root: HTMLElement;
  private readonly input = el('vscode-textfield', {
    attrs: { id: 'fill-input', label: t('fillLabel'), placeholder: t('fillPlaceholder'), maxlength: MAX_FILL_INPUT },
  }) as TextField;
  private readonly button = el('vscode-button', { text: t('fillButton'), attrs: { id: 'fill-button' } }) as Button;
  private readonly words = el('div', {
    className: 'fill-words',
    attrs: { id: 'fill-words', role: 'group', 'aria-label': t('fillWordsLabel') },
  });
  private readonly note = el('p', { className: 'fill-note muted', attrs: { id: 'fill-note', 'aria-live': 'polite' } });
  private readonly status = el('p', {
    className: 'fill-status muted',
    attrs: { id: 'fill-status', 'aria-live': 'polite' },
  });
  private readonly result = el('div', {
    className: 'fill-result',
    attrs: { id: 'fill-result', 'aria-live': 'polite' },
  });
  /** The words of the sentence as typed (learnerWords), and which of them the learner masked. */
  private tokens: string[] = [];
  private readonly masked = new Set<number>();
  private enabled = false;
  private pending: Asked | null = null;
  /** A question changed while another was being answered: ask once the answer is in. */
  private queued = false;
  private answered: { asked: Asked; fill: FillResult } | null = null;
  private evaluations = 0;
  private theme: Theme | null = null;

  constructor() {
    adoptStyles();
    this.input.addEventListener('input', () => this.readInput());
    this.input.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Enter') {
        event.preventDefault();
        this.submit();
      }
    });
    this.button.addEventListener('click', () => this.submit());
    show(this.result, false);
    this.root = el('div', { className: 'fill-in' }, [
      el('p', { className: 'fill-intro', text: t('fillIntro') }),
      this.note,
      el('div', { className: 'fill-form' }, [
        el('label', { text: t('fillLabel'), attrs: { for: 'fill-input' } }),
        this.input,
        this.button,
      ]),
      el('p', { className: 'fill-words-label muted', text: t('fillWordsLabel') }),
      this.words,
      this.status,
      this.result,
    ]);
    this.renderWords();
  }

  /** Open when the run has a saved model: any readable run, a live one once an evaluation is on disk. */
  update(model: LabModel): void {
    const evaluations = epochsOnDisk(model);
    let note = '';
    let enabled = false;
    if (!model.run) note = model.view === 'damaged' ? t('fillNoRun') : '';
    else if (model.live && evaluations < 1) note = t('fillWaitFirstEvaluation');
    else {
      enabled = true;
      if (model.live) note = t('fillLiveEvaluation', { evaluation: evaluations });
    }
    setText(this.note, note);
    show(this.note, note !== '');
    this.setEnabled(enabled);
    // New weights on disk: ask the shown question again, so the guesses follow the training.
    const newer = evaluations > this.evaluations && this.evaluations > 0;
    this.evaluations = evaluations;
    if (newer && enabled && this.answered && !this.pending) this.ask(this.answered.asked);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    if (this.answered) this.renderAnswer(this.answered.asked, this.answered.fill);
  }

  /** An `error` arrived: stop waiting (a queued question is dropped; the learner can click again). */
  settle(): void {
    if (!this.pending) return;
    this.pending = null;
    this.queued = false;
    setText(this.status, '');
    this.setEnabled(this.enabled);
  }

  showFill(text: string, fill: FillResult): void {
    // Which words were masked: the question asked, or the one on screen when it is the same.
    const asked = [this.pending, this.question()].find((candidate) => candidate?.text === text) ?? {
      text,
      originals: [],
    };
    this.pending = null;
    setText(this.status, '');
    this.setEnabled(this.enabled);
    this.answered = { asked, fill };
    this.renderAnswer(asked, fill);
    if (this.queued) {
      this.queued = false;
      if (this.question()?.text !== text) this.submit();
    }
  }

  private setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.input.disabled = !enabled;
    this.button.disabled = !enabled || this.pending !== null;
    for (const word of this.words.querySelectorAll<HTMLButtonElement>('button:not(.typed)')) word.disabled = !enabled;
  }

  /** The sentence changed: its words again; a mask stays on a word that is still the same word at the same place. */
  private readInput(): void {
    const before = this.tokens;
    this.tokens = learnerWords(this.input.value.slice(0, MAX_FILL_INPUT));
    for (const index of [...this.masked]) {
      if (this.tokens[index] !== before[index]) this.masked.delete(index);
    }
    this.renderWords();
  }

  private renderWords(): void {
    const buttons = this.tokens.map((word, index) => {
      const typedMask = word === MASK_MARKER;
      const masked = typedMask || this.masked.has(index);
      const button = el('button', {
        className: `fill-word${masked ? ' masked' : ''}${typedMask ? ' typed' : ''}`,
        text: masked ? MASK_MARKER : displayToken(word),
        attrs: {
          type: 'button',
          'data-index': index,
          'data-word': word,
          'aria-pressed': masked ? 'true' : 'false',
          'aria-label': typedMask
            ? t('fillTypedMask')
            : masked
              ? t('fillWordUnmask', { word })
              : t('fillWordMask', { word }),
          title: typedMask ? t('fillTypedMask') : masked ? t('fillWordUnmask', { word }) : t('fillWordMask', { word }),
          disabled: !this.enabled || typedMask,
        },
      });
      if (!typedMask) button.addEventListener('click', () => this.toggle(index));
      return button;
    });
    this.words.replaceChildren(...buttons);
    show(this.words, buttons.length > 0);
  }

  private toggle(index: number): void {
    if (!this.enabled) return;
    if (this.masked.has(index)) this.masked.delete(index);
    else this.masked.add(index);
    this.renderWords();
    (this.words.querySelector(`button[data-index="${index}"]`) as HTMLButtonElement | null)?.focus();
    if (this.question()) this.submit();
    else {
      this.queued = false;
      setText(this.status, t('fillNoMask'));
    }
  }

  /** The question as the host receives it: the words joined by spaces, each masked one written `[MASK]`. */
  private question(): Asked | null {
    const masks = this.tokens.some((word, index) => word === MASK_MARKER || this.masked.has(index));
    if (!masks) return null;
    const words = this.tokens.map((word, index) => (this.masked.has(index) ? MASK_MARKER : word));
    return {
      text: words.join(' '),
      originals: this.tokens.map((word, index) => (this.masked.has(index) && word !== MASK_MARKER ? word : null)),
    };
  }

  private submit(): void {
    if (!this.enabled) return;
    if (this.tokens.length === 0) {
      setText(this.status, t('fillEmpty'));
      return;
    }
    const asked = this.question();
    if (!asked) {
      setText(this.status, t('fillNoMask'));
      return;
    }
    if (asked.text.length > MAX_FILL_TEXT) {
      setText(this.status, t('fillTooLong', { max: MAX_FILL_INPUT }));
      return;
    }
    if (this.pending) {
      this.queued = true;
      return;
    }
    this.ask(asked);
  }

  private ask(asked: Asked): void {
    this.pending = asked;
    this.button.disabled = true;
    setText(this.status, t('fillPending'));
    post({ type: 'fill', text: asked.text });
  }

  private renderAnswer(asked: Asked, fill: FillResult): void {
    const parts: HTMLElement[] = [el('p', { className: 'fill-asked', text: t('fillAnswerFor', { text: asked.text }) })];
    if (fill.unknownTokens.length) {
      parts.push(
        el('p', {
          className: 'fill-unknown muted',
          attrs: { id: 'fill-unknown' },
          text: t('fillUnknown', { tokens: list(fill.unknownTokens.map((x) => `“${x}”`)) }),
        }),
      );
    }
    fill.masks.forEach((mask, i) => {
      const word = asked.originals[mask.position - 1] ?? null; // position 0 is [CLS]
      const values = { index: i + 1, count: fill.masks.length, position: mask.position };
      const heading = word === null ? t('fillMaskHeading', values) : t('fillMaskWas', { ...values, word });
      parts.push(
        el('div', { className: 'fill-mask', attrs: { 'data-position': mask.position } }, [
          el('h3', { className: 'fill-mask-heading', text: heading }),
          this.predictions(mask),
          this.attention(mask, fill.typedTokens),
        ]),
      );
    });
    this.result.replaceChildren(...parts);
    show(this.result, true);
  }

  private predictions(mask: FillResult['masks'][number]): HTMLElement {
    const row = (token: string, probability: number, className: string): HTMLElement => {
      const bar = el('span', { className: 'fill-bar-fill' });
      bar.style.width = `${Math.max(0, Math.min(1, probability)) * 100}%`;
      return el(
        'li',
        {
          className,
          attrs: {
            'data-token': token,
            'data-probability': probability,
            'aria-label': t('fillProbabilityAria', { token, probability: percent(probability) }),
          },
        },
        [
          el('span', { className: 'fill-token', text: displayToken(token) }),
          el('span', { className: 'fill-bar' }, [bar]),
          el('span', { className: 'fill-percent', text: percent(probability) }),
        ],
      );
    };
    const shown = mask.predictions.reduce((sum, p) => sum + p.probability, 0) + mask.otherProbability;
    return el('div', { className: 'fill-predictions' }, [
      el('h4', { text: t('fillPredictionsTitle') }),
      el('ol', { className: 'fill-prediction-list' }, [
        ...mask.predictions.map((p) => row(p.token, p.probability, 'fill-prediction')),
        row(t('fillOthers'), mask.otherProbability, 'fill-prediction fill-others'),
      ]),
      el('p', { className: 'fill-shown-sum muted', text: t('fillShownSum', { sum: fixed(shown, 3) }) }),
    ]);
  }

  /** One row per layer and head: the masked position's attention over every token, coloured by weight, with its sum. */
  private attention(mask: FillResult['masks'][number], tokens: string[]): HTMLElement {
    const ramp = buildRamp(
      this.theme?.mapBase ?? { r: 26, g: 133, b: 255 },
      this.theme?.kind === 'dark' || this.theme?.kind === 'high-contrast',
    );
    const maps = [...mask.attention].sort((a, b) => a.layer - b.layer || a.head - b.head);
    const header = el('tr', {}, [
      el('th', { attrs: { scope: 'col' } }),
      ...tokens.map((token, column) =>
        el('th', {
          className: column === mask.position ? 'fill-mask-column' : '',
          text: displayToken(token),
          attrs: { scope: 'col', title: column === mask.position ? t('fillMaskColumn') : null },
        }),
      ),
      el('th', { className: 'fill-row-sum', text: t('fillRowSum'), attrs: { scope: 'col' } }),
    ]);
    const rows = maps.map((map) => {
      const data = unpackMap(map);
      const layerHead = t('fillLayerHead', { layer: map.layer + 1, head: map.head + 1 });
      const weights = data ? Array.from(data.weights.subarray(0, data.columns)) : [];
      const sum = weights.reduce((a, b) => a + b, 0);
      const cells = weights.map((weight, column) => {
        const masked = data?.mask ? data.mask[column] === 0 : false;
        const cell = el('td', {
          className: `fill-cell${column === mask.position ? ' fill-mask-column' : ''}${masked ? ' masked' : ''}`,
          text: masked ? '–' : fixed(weight, 2),
          attrs: {
            'data-weight': weight,
            title: t('fillCell', { layerHead, token: tokens[column] ?? '', weight: fixed(weight, 3) }),
          },
        });
        const index = rampIndex(weight);
        cell.style.backgroundColor = `rgb(${ramp[index * 3]}, ${ramp[index * 3 + 1]}, ${ramp[index * 3 + 2]})`;
        cell.style.color = needsLightText(ramp, index) ? '#ffffff' : '#000000';
        return cell;
      });
      return el('tr', { attrs: { 'data-layer': map.layer, 'data-head': map.head } }, [
        el('th', { text: layerHead, attrs: { scope: 'row' } }),
        ...cells,
        el('td', { className: 'fill-row-sum', text: fixed(sum, 3), attrs: { 'data-sum': sum } }),
      ]);
    });
    return el('div', { className: 'fill-attention' }, [
      el('h4', { text: t('fillAttentionTitle') }),
      el('div', { className: 'fill-table-scroll' }, [
        el('table', { className: 'fill-attention-table' }, [el('thead', {}, [header]), el('tbody', {}, rows)]),
      ]),
    ]);
  }
}
