/**
 * Sampling a language model (mini-gpt) in the lab panel: a form (prompt, temperature, top-k, top-p,
 * characters, seed) posting `sample`; the generated characters stream in one by one (`sampleTokens`)
 * and each is a button (click it, or move along them with the arrow keys) that opens how it was
 * chosen: the probability bars of the distribution it was drawn from (the listed tokens plus one bar
 * for all the others, so the bars sum to 1) and the attention row of the last character read, for
 * every layer and head, over the window of keys. A stop button posts `stopSample`. Below, the samples
 * saved at every evaluation, to step through (the text getting better). Only plain data arrives
 * here: the webview never touches tensors or files. Messages: src/shared/protocol/sampling.ts.
 */
import { SAMPLING_LIMITS } from '../src/shared/protocol/engine';
import { MAX_SEED, MAX_TOP_K, type PanelSampleRequest, type SampledToken } from '../src/shared/protocol/sampling';
import type { WebviewMessage } from '../src/shared/protocol/webview';
import { unpackFloat32 } from '../src/shared/run/packed';
import type { SamplesSnapshot } from '../src/shared/run/records';
import { clear, displayToken, el, setText, show } from './dom';
import { list, t } from './i18n';
import { epochsOnDisk, type LabModel } from './model';
import { fixed } from './numbers';
import { renderSamples } from './samples';
import { post } from './vscodeApi';

type TextField = HTMLElement & { value: string; disabled: boolean; invalid: boolean };
type Button = HTMLElement & { disabled: boolean };

interface FieldSpec {
  key: Exclude<keyof PanelSampleRequest, 'type' | 'prompt'>;
  label: Parameters<typeof t>[0];
  hint: Parameters<typeof t>[0];
  initial: string;
  integer: boolean;
  min: number;
  max: number;
  /** The lower bound is excluded (top-p > 0). */
  above?: boolean;
  range: () => string;
}

const FIELDS: FieldSpec[] = [
  {
    key: 'temperature',
    label: 'samplingTemperature',
    hint: 'samplingTemperatureHint',
    initial: '0.8',
    integer: false,
    min: 0,
    max: SAMPLING_LIMITS.maxTemperature,
    range: () => t('samplingRangeTemperature', { max: SAMPLING_LIMITS.maxTemperature }),
  },
  {
    key: 'topK',
    label: 'samplingTopK',
    hint: 'samplingTopKHint',
    initial: '20',
    integer: true,
    min: 0,
    max: MAX_TOP_K,
    range: () => t('samplingRangeTopK', { max: MAX_TOP_K }),
  },
  {
    key: 'topP',
    label: 'samplingTopP',
    hint: 'samplingTopPHint',
    initial: '0.95',
    integer: false,
    min: 0,
    above: true,
    max: 1,
    range: () => t('samplingRangeTopP'),
  },
  {
    key: 'maxTokens',
    label: 'samplingMaxTokens',
    hint: 'samplingMaxTokensHint',
    initial: '200',
    integer: true,
    min: 1,
    max: SAMPLING_LIMITS.maxTokens,
    range: () => t('samplingRangeMaxTokens', { max: SAMPLING_LIMITS.maxTokens }),
  },
  {
    key: 'seed',
    label: 'samplingSeed',
    hint: 'samplingSeedHint',
    initial: '1',
    integer: true,
    min: 0,
    max: MAX_SEED,
    range: () => t('samplingRangeSeed', { max: MAX_SEED }),
  },
];

/** One generation as the panel shows it. */
interface Generation {
  sample: number;
  epoch: number;
  maxTokens: number;
  promptTokens: string[];
  unknownTokens: string[];
  heads: number;
  tokens: SampledToken[];
  ended: WebviewMessage<'sampleEnded'> | null;
}

/** `value` as a percentage with one decimal. */
function percent(value: number): string {
  return `${fixed(100 * value, 1)}%`;
}

export class SamplingPanel {
  readonly root: HTMLElement;
  private readonly note = el('p', { className: 'sampling-note muted', attrs: { id: 'sample-note' } });
  private readonly prompt = el('vscode-textfield', {
    attrs: {
      id: 'sample-prompt',
      label: t('samplingPrompt'),
      placeholder: t('samplingPromptPlaceholder'),
      maxlength: SAMPLING_LIMITS.maxPromptCharacters,
    },
  }) as TextField;
  private readonly fields = new Map<FieldSpec['key'], TextField>();
  private readonly generate = el('vscode-button', {
    text: t('samplingGenerate'),
    attrs: { id: 'sample-button' },
  }) as Button;
  private readonly stop = el('vscode-button', {
    text: t('samplingStop'),
    attrs: { id: 'sample-stop', secondary: true, disabled: true },
  }) as Button;
  private readonly status = el('p', {
    className: 'sampling-status muted',
    attrs: { id: 'sample-status', role: 'status', 'aria-live': 'polite' },
  });
  private readonly unknown = el('p', { className: 'sampling-unknown muted', attrs: { id: 'sample-unknown' } });
  private readonly output = el('div', {
    className: 'sampling-output token-text',
    attrs: { id: 'sample-output', role: 'group', 'aria-label': t('samplingOutputLabel') },
  });
  private readonly detail = el('div', { className: 'sampling-detail', attrs: { id: 'sample-detail' } });
  private readonly historyBody = el('div', { className: 'samples-body', attrs: { id: 'sample-history-body' } });
  private readonly historyPosition = el('span', {
    className: 'muted',
    attrs: { id: 'sample-history-position', 'aria-live': 'polite' },
  });
  private readonly earlier = el('vscode-button', {
    text: t('samplingHistoryEarlier'),
    attrs: { id: 'sample-history-earlier', secondary: true },
  }) as Button;
  private readonly later = el('vscode-button', {
    text: t('samplingHistoryLater'),
    attrs: { id: 'sample-history-later', secondary: true },
  }) as Button;
  private readonly range = el('input', {
    attrs: {
      id: 'sample-history-range',
      type: 'range',
      min: 0,
      max: 0,
      step: 1,
      'aria-label': t('samplingHistoryLabel'),
    },
  });
  private enabled = false;
  /** Waiting for `sampleStarted` of a request just posted. */
  private pending = false;
  private generation: Generation | null = null;
  private selected: number | null = null;
  private history: SamplesSnapshot[] = [];
  /** The evaluation shown in the history; null follows the newest. */
  private historyEpoch: number | null = null;
  private historyAsked = false;

  constructor() {
    const form = el('div', { className: 'sampling-form' });
    form.appendChild(
      el('div', { className: 'control-field sampling-prompt' }, [
        el('label', { text: t('samplingPrompt'), attrs: { for: 'sample-prompt' } }),
        this.prompt,
      ]),
    );
    for (const spec of FIELDS) {
      const id = `sample-${spec.key}`;
      const input = el('vscode-textfield', {
        attrs: spec.integer
          ? { id, type: 'number', name: spec.key, label: t(spec.label), min: spec.min, max: spec.max, step: 1 }
          : { id, type: 'text', inputmode: 'decimal', name: spec.key, label: t(spec.label) },
      }) as TextField;
      input.value = spec.initial;
      this.fields.set(spec.key, input);
      form.appendChild(
        el('div', { className: 'control-field' }, [
          el('label', { text: t(spec.label), attrs: { for: id } }),
          input,
          el('span', { className: 'control-default muted', text: t(spec.hint) }),
        ]),
      );
    }
    for (const input of [this.prompt, ...this.fields.values()]) {
      input.addEventListener('keydown', (event) => {
        if ((event as KeyboardEvent).key === 'Enter') {
          event.preventDefault();
          this.submit();
        }
      });
    }
    this.generate.addEventListener('click', () => this.submit());
    this.stop.addEventListener('click', () => this.requestStop());
    this.output.addEventListener('keydown', (event) => this.onTokenKey(event));
    this.earlier.addEventListener('click', () => this.stepHistory(-1));
    this.later.addEventListener('click', () => this.stepHistory(1));
    this.range.addEventListener('input', () => this.showHistoryIndex(Number((this.range as HTMLInputElement).value)));
    show(this.unknown, false);
    show(this.detail, false);
    this.root = el('div', { className: 'sampling' }, [
      el('p', { className: 'muted', text: t('samplingIntro') }),
      this.note,
      form,
      el('div', { className: 'control-buttons' }, [this.generate, this.stop]),
      this.status,
      this.unknown,
      this.output,
      this.detail,
      el('h3', { text: t('samplingHistoryTitle'), attrs: { id: 'sample-history-heading' } }),
      el('div', { className: 'sampling-history-nav', attrs: { id: 'sample-history-nav' } }, [
        this.earlier,
        this.range,
        this.later,
        this.historyPosition,
      ]),
      this.historyBody,
    ]);
    this.renderHistory();
  }

  /** Open when the run has saved weights: any readable run, a live one once an evaluation is on disk. */
  update(model: LabModel): void {
    const epochs = epochsOnDisk(model);
    let note = '';
    let enabled = false;
    if (!model.run) note = t('samplingNoRun');
    else if (model.live && epochs < 1) note = t('samplingWaitFirstEvaluation');
    else {
      enabled = true;
      if (model.live) note = t('samplingLive', { epoch: epochs });
    }
    setText(this.note, note);
    show(this.note, note !== '');
    this.enabled = enabled;
    this.refreshButtons();
    if (model.run && !this.historyAsked) {
      this.historyAsked = true;
      post({ type: 'requestSampleHistory' });
    }
    if (model.samples) this.addHistory(model.samples);
  }

  /** An `error` arrived: a request just posted was refused. */
  settle(): void {
    if (!this.pending) return;
    this.pending = false;
    setText(this.status, '');
    this.refreshButtons();
  }

  receive(message: WebviewMessage<'sampleStarted' | 'sampleTokens' | 'sampleEnded' | 'sampleHistory'>): void {
    switch (message.type) {
      case 'sampleStarted':
        return this.started(message);
      case 'sampleTokens':
        return this.addTokens(message);
      case 'sampleEnded':
        return this.ended(message);
      case 'sampleHistory':
        for (const snapshot of message.snapshots) this.addHistory(snapshot, false);
        return this.renderHistory();
    }
  }

  private get running(): boolean {
    return this.pending || (this.generation !== null && this.generation.ended === null);
  }

  private refreshButtons(): void {
    this.generate.disabled = !this.enabled || this.running;
    this.stop.disabled = !this.running;
    for (const input of [this.prompt, ...this.fields.values()]) input.disabled = !this.enabled;
  }

  /** Reads the form; null (and a one-line status naming the field) when a value is out of range. */
  private read(): PanelSampleRequest | null {
    const values: Partial<Record<FieldSpec['key'], number>> = {};
    let problem: string | null = null;
    for (const spec of FIELDS) {
      const input = this.fields.get(spec.key)!;
      const text = input.value.trim();
      const value = text === '' ? NaN : Number(text);
      const ok =
        Number.isFinite(value) &&
        (!spec.integer || Number.isSafeInteger(value)) &&
        (spec.above ? value > spec.min : value >= spec.min) &&
        value <= spec.max;
      input.invalid = !ok;
      if (!ok && problem === null) problem = t('samplingInvalid', { field: t(spec.label), range: spec.range() });
      values[spec.key] = value;
    }
    if (problem !== null) {
      setText(this.status, problem);
      return null;
    }
    return {
      type: 'sample',
      prompt: this.prompt.value.slice(0, SAMPLING_LIMITS.maxPromptCharacters),
      temperature: values.temperature!,
      topK: values.topK!,
      topP: values.topP!,
      maxTokens: values.maxTokens!,
      seed: values.seed!,
    };
  }

  private submit(): void {
    if (!this.enabled || this.running) return;
    const request = this.read();
    if (!request) return;
    this.pending = true;
    setText(this.status, t('samplingPending'));
    this.refreshButtons();
    post(request);
  }

  private requestStop(): void {
    if (!this.running) return;
    post({ type: 'stopSample' });
  }

  private started(message: WebviewMessage<'sampleStarted'>): void {
    this.pending = false;
    this.generation = {
      sample: message.sample,
      epoch: message.epoch,
      maxTokens: message.maxTokens,
      promptTokens: message.promptTokens,
      unknownTokens: message.unknownTokens,
      heads: message.heads,
      tokens: [],
      ended: null,
    };
    this.selected = null;
    clear(this.output);
    const prompt = el('span', { className: 'sampling-prompt-text', attrs: { id: 'sample-prompt-text' } }, [
      el('span', { className: 'visually-hidden', text: `${t('samplingPromptPart')}: ` }),
      document.createTextNode(message.promptTokens.join('')),
    ]);
    this.output.appendChild(prompt);
    const unknown = message.unknownTokens;
    setText(this.unknown, unknown.length ? t('samplingUnknown', { tokens: list(unknown.map((x) => `“${x}”`)) }) : '');
    show(this.unknown, unknown.length > 0);
    show(this.detail, false);
    this.showProgress();
    this.refreshButtons();
  }

  private addTokens(message: WebviewMessage<'sampleTokens'>): void {
    const generation = this.generation;
    if (!generation || generation.sample !== message.sample) return; // an earlier generation's
    for (const token of message.tokens) {
      if (token.index !== generation.tokens.length) continue; // out of order or repeated: never shown twice
      generation.tokens.push(token);
      const button = el('button', {
        className: 'sampling-token',
        text: token.text === '\n' ? '⏎' : token.text,
        attrs: {
          type: 'button',
          'data-index': token.index,
          'data-probability': token.probability,
          tabindex: this.selected === null && token.index === 0 ? 0 : -1,
          'aria-pressed': 'false',
          'aria-label': t('samplingTokenName', {
            index: token.index + 1,
            token: displayToken(token.text),
            probability: fixed(token.probability, 3),
          }),
        },
      });
      button.addEventListener('click', () => this.select(token.index, false));
      this.output.appendChild(button);
      if (token.text === '\n') this.output.appendChild(el('br'));
    }
    this.showProgress();
  }

  private ended(message: WebviewMessage<'sampleEnded'>): void {
    const generation = this.generation;
    if (message.error !== undefined) {
      this.pending = false;
      setText(this.status, t('samplingFailed', { reason: message.error.replace(/\s*[\r\n]+\s*/g, ' ') }));
      if (generation && generation.sample === message.sample) generation.ended = message;
      this.refreshButtons();
      return;
    }
    if (!generation || generation.sample !== message.sample) return;
    generation.ended = message;
    setText(
      this.status,
      message.stopped
        ? t('samplingStopped', { count: generation.tokens.length })
        : t('samplingDone', {
            count: generation.tokens.length,
            seconds: fixed(message.seconds, 1),
            rate: fixed(message.tokensPerSecond, 1),
            epoch: generation.epoch,
          }),
    );
    this.refreshButtons();
  }

  private showProgress(): void {
    const generation = this.generation;
    if (!generation || generation.ended) return;
    setText(
      this.status,
      t('samplingRunning', { epoch: generation.epoch, count: generation.tokens.length, max: generation.maxTokens }),
    );
  }

  private tokenButtons(): HTMLElement[] {
    return [...this.output.querySelectorAll<HTMLElement>('.sampling-token')];
  }

  private onTokenKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    if (!target?.classList.contains('sampling-token') || !this.generation) return;
    const count = this.generation.tokens.length;
    const current = Number(target.dataset.index);
    const next =
      event.key === 'ArrowRight' || event.key === 'ArrowDown'
        ? Math.min(count - 1, current + 1)
        : event.key === 'ArrowLeft' || event.key === 'ArrowUp'
          ? Math.max(0, current - 1)
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? count - 1
              : null;
    if (next === null) return;
    event.preventDefault();
    this.select(next, true);
  }

  /** Shows how token `index` was chosen; `focus` moves the keyboard focus to it (roving tab stop). */
  private select(index: number, focus: boolean): void {
    const generation = this.generation;
    const token = generation?.tokens[index];
    if (!generation || !token) return;
    this.selected = index;
    for (const button of this.tokenButtons()) {
      const mine = Number(button.dataset.index) === index;
      button.setAttribute('aria-pressed', String(mine));
      button.tabIndex = mine ? 0 : -1;
      if (mine && focus) button.focus();
    }
    this.renderDetail(generation, token);
  }

  private renderDetail(generation: Generation, token: SampledToken): void {
    clear(this.detail);
    this.detail.dataset.index = String(token.index);
    this.detail.appendChild(
      el('h3', {
        attrs: { id: 'sample-detail-title' },
        text: t('samplingDetailTitle', {
          index: token.index + 1,
          token: displayToken(token.text),
          probability: fixed(token.probability, 3),
        }),
      }),
    );
    // Probability bars: the listed tokens, then one bar for every other token kept (if any).
    const bars = el('ol', {
      className: 'sampling-bars',
      attrs: { id: 'sample-bars', 'aria-label': t('samplingBarsTitle') },
    });
    const listed = token.top.reduce((sum, item) => sum + item.probability, 0);
    const rest = Math.max(0, 1 - listed);
    const bar = (label: string, probability: number, chosen: boolean, other = false): HTMLElement => {
      const fill = el('span', { className: 'sampling-bar-fill' });
      fill.style.width = `${Math.min(100, 100 * probability)}%`;
      return el(
        'li',
        {
          className: `sampling-bar${chosen ? ' chosen' : ''}${other ? ' other' : ''}`,
          attrs: { 'data-probability': probability },
        },
        [
          el('span', { className: 'sampling-bar-label token-text', text: label }),
          el('span', { className: 'sampling-bar-track' }, [fill]),
          el('span', { className: 'sampling-bar-value', text: percent(probability) }),
        ],
      );
    };
    for (const item of token.top)
      bars.appendChild(bar(displayToken(item.token), item.probability, item.token === token.token));
    if (rest > 1e-6) bars.appendChild(bar(t('samplingOthers'), rest, false, true));
    this.detail.append(el('h4', { text: t('samplingBarsTitle') }), bars);

    // Attention: per layer a table, rows = heads, columns = the keys of the window.
    this.detail.appendChild(el('h4', { text: t('samplingAttentionTitle') }));
    const sequence = [...generation.promptTokens, ...generation.tokens.map((x) => x.text)];
    const keys = sequence.slice(token.windowStart, token.windowStart + token.keys);
    if (token.attention.length === 0 || token.keys === 0) {
      this.detail.appendChild(el('p', { className: 'muted', text: t('samplingNoAttention') }));
      return;
    }
    const layers = el('div', { className: 'sampling-layers', attrs: { id: 'sample-attention' } });
    token.attention.forEach((matrix, layer) => {
      const values = unpackFloat32(matrix.data);
      const table = el('table', { className: 'sampling-attention', attrs: { 'data-layer': layer } });
      table.appendChild(el('caption', { text: t('samplingLayer', { layer: layer + 1 }) }));
      const head = el('tr', {}, [el('th', { attrs: { scope: 'col' } })]);
      keys.forEach((key, column) =>
        head.appendChild(
          el('th', {
            className: column === keys.length - 1 ? 'sampling-key query' : 'sampling-key',
            text: displayToken(key),
            attrs: { scope: 'col', title: column === keys.length - 1 ? t('samplingQuery') : null },
          }),
        ),
      );
      table.appendChild(el('thead', {}, [head]));
      const body = el('tbody');
      for (let row = 0; row < matrix.rows; row++) {
        const headName = t('samplingHead', { head: row + 1 });
        const tr = el('tr', { className: 'sampling-head-row', attrs: { 'data-head': row } }, [
          el('th', { text: headName, attrs: { scope: 'row' } }),
        ]);
        for (let column = 0; column < matrix.columns; column++) {
          const weight = values ? values[row * matrix.columns + column] : NaN;
          const cell = el('td', {
            className: 'sampling-weight',
            attrs: {
              'data-weight': weight,
              title: t('samplingWeightCell', {
                head: headName,
                token: displayToken(keys[column] ?? ''),
                weight: fixed(weight, 3),
              }),
            },
          });
          cell.style.setProperty('--weight', String(Number.isFinite(weight) ? Math.max(0, Math.min(1, weight)) : 0));
          tr.appendChild(cell);
        }
        body.appendChild(tr);
      }
      table.appendChild(body);
      layers.appendChild(table);
    });
    this.detail.appendChild(layers);
    show(this.detail, true);
  }

  // ── the samples saved at every evaluation ──────────────────────────────────────────────

  private addHistory(snapshot: SamplesSnapshot, render = true): void {
    const at = this.history.findIndex((x) => x.epoch >= snapshot.epoch);
    if (at < 0) this.history.push(snapshot);
    else if (this.history[at].epoch === snapshot.epoch) this.history[at] = snapshot;
    else this.history.splice(at, 0, snapshot);
    if (render) this.renderHistory();
  }

  private currentHistoryIndex(): number {
    if (this.history.length === 0) return -1;
    if (this.historyEpoch === null) return this.history.length - 1;
    const at = this.history.findIndex((x) => x.epoch === this.historyEpoch);
    return at < 0 ? this.history.length - 1 : at;
  }

  private stepHistory(delta: number): void {
    const index = this.currentHistoryIndex();
    if (index < 0) return;
    this.showHistoryIndex(Math.max(0, Math.min(this.history.length - 1, index + delta)));
  }

  private showHistoryIndex(index: number): void {
    const snapshot = this.history[index];
    if (!snapshot) return;
    // The newest one followed: later evaluations replace it as they arrive.
    this.historyEpoch = index === this.history.length - 1 ? null : snapshot.epoch;
    this.renderHistory();
  }

  private renderHistory(): void {
    const index = this.currentHistoryIndex();
    const range = this.range as HTMLInputElement;
    range.max = String(Math.max(0, this.history.length - 1));
    range.value = String(Math.max(0, index));
    range.disabled = this.history.length < 2;
    this.earlier.disabled = index <= 0;
    this.later.disabled = index < 0 || index >= this.history.length - 1;
    if (index < 0) {
      setText(this.historyPosition, '');
      clear(this.historyBody);
      this.historyBody.appendChild(el('p', { className: 'empty', text: t('samplingHistoryEmpty') }));
      return;
    }
    const snapshot = this.history[index];
    const position = t('samplingHistoryPosition', {
      epoch: snapshot.epoch,
      index: index + 1,
      count: this.history.length,
    });
    setText(this.historyPosition, position);
    range.setAttribute('aria-valuetext', position);
    this.historyBody.dataset.epoch = String(snapshot.epoch);
    renderSamples(this.historyBody, snapshot, 'char', 'evaluation');
  }
}
