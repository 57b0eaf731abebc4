/**
 * Run controls: epochs, batch size, learning rate, hidden size and seed, a Start button posting
 * `{type:'train', overrides}` and a Stop button posting `{type:'stop'}`. Values are checked
 * against the protocol's LIMITS before posting (the host validates again).
 */
import type { TrainOverrides } from '../src/protocol/run';
import { LIMITS } from '../src/protocol/webview';
import { el, setText } from './dom';
import { t } from './i18n';
import type { LabModel } from './model';
import type { WebviewStringKey } from '../src/shared/strings/webview';
import { post } from './vscodeApi';

type Field = 'epochs' | 'batchSize' | 'learningRate' | 'hiddenSize' | 'seed';
interface FieldSpec {
  key: Field;
  label: WebviewStringKey;
  integer: boolean;
  min: number;
  max: number;
  /** Learning rate is a text field: a number field's step would flag 0.003 as invalid. */
  type: 'number' | 'text';
}

const FIELDS: FieldSpec[] = [
  { key: 'epochs', label: 'controlsEpochs', integer: true, min: 1, max: LIMITS.maxEpochs, type: 'number' },
  { key: 'batchSize', label: 'controlsBatchSize', integer: true, min: 1, max: LIMITS.maxBatchSize, type: 'number' },
  {
    key: 'learningRate',
    label: 'controlsLearningRate',
    integer: false,
    min: LIMITS.minLearningRate,
    max: LIMITS.maxLearningRate,
    type: 'text',
  },
  { key: 'hiddenSize', label: 'controlsHiddenSize', integer: true, min: 1, max: LIMITS.maxHiddenSize, type: 'number' },
  { key: 'seed', label: 'controlsSeed', integer: true, min: 0, max: LIMITS.maxSeed, type: 'number' },
];

type TextField = HTMLElement & { value: string; disabled: boolean; invalid: boolean };
type Button = HTMLElement & { disabled: boolean };

export class RunControls {
  readonly root: HTMLElement;
  private readonly inputs = new Map<Field, TextField>();
  private readonly start = el('vscode-button', { text: t('controlsStart'), attrs: { id: 'start-button' } }) as Button;
  private readonly stop = el('vscode-button', {
    text: t('controlsStop'),
    attrs: { id: 'stop-button', secondary: true },
  }) as Button;
  private readonly note = el('p', {
    className: 'controls-note muted',
    attrs: { id: 'controls-note', 'aria-live': 'polite' },
  });
  private filledFor: string | null = null;
  private pending: 'start' | 'stop' | null = null;
  private model: LabModel | null = null;

  constructor(private readonly onInvalid: (message: string) => void) {
    const fields = el('div', { className: 'control-fields' });
    for (const spec of FIELDS) {
      const id = `control-${spec.key}`;
      const input = el('vscode-textfield', {
        attrs:
          spec.type === 'number'
            ? { id, type: 'number', name: spec.key, label: t(spec.label), min: spec.min, max: spec.max }
            : { id, type: 'text', inputmode: 'decimal', name: spec.key, label: t(spec.label) },
      }) as TextField;
      this.inputs.set(spec.key, input);
      fields.appendChild(
        el('div', { className: 'control-field' }, [el('label', { text: t(spec.label), attrs: { for: id } }), input]),
      );
    }
    this.start.addEventListener('click', () => this.onStart());
    this.stop.addEventListener('click', () => this.onStop());
    this.root = el('div', { className: 'run-controls' }, [
      fields,
      el('div', { className: 'control-buttons' }, [this.start, this.stop]),
      this.note,
    ]);
  }

  /** Called on every status change; fills the fields from the run's config once per run. */
  update(model: LabModel): void {
    this.model = model;
    const config = model.run?.config;
    const runKey = model.run?.dir ?? '';
    if (config && this.filledFor !== runKey) {
      this.filledFor = runKey;
      for (const spec of FIELDS) this.inputs.get(spec.key)!.value = String(config[spec.key]);
    }
    this.refresh();
  }

  /** Clears the "starting…" / "stopping…" state (after a status, init or error). */
  settle(): void {
    this.pending = null;
    this.refresh();
  }

  private refresh(): void {
    const model = this.model;
    const running = !!model && model.live && model.status?.state === 'running';
    const canTrain = !!model?.init.canTrain;
    this.start.disabled = !canTrain || !!model?.live || this.pending !== null;
    this.stop.disabled = !running || this.pending === 'stop';
    for (const input of this.inputs.values()) input.disabled = !canTrain;
    let note = '';
    if (!canTrain) note = t('controlsCannotTrain');
    else if (this.pending === 'start') note = t('controlsStarting');
    else if (this.pending === 'stop') note = t('controlsStopping');
    else if (model?.live) note = t('controlsBusy');
    setText(this.note, note);
  }

  private readOverrides(): TrainOverrides | null {
    const overrides: TrainOverrides = {};
    for (const spec of FIELDS) {
      const input = this.inputs.get(spec.key)!;
      const text = input.value.trim();
      input.invalid = false;
      if (text === '') continue;
      const value = Number(text);
      const ok =
        Number.isFinite(value) && value >= spec.min && value <= spec.max && (!spec.integer || Number.isInteger(value));
      if (!ok) {
        input.invalid = true;
        this.onInvalid(
          t(spec.integer ? 'controlsInvalidInteger' : 'controlsInvalidNumber', {
            field: t(spec.label),
            min: spec.min,
            max: spec.max,
          }),
        );
        return null;
      }
      overrides[spec.key] = value;
    }
    return overrides;
  }

  private onStart(): void {
    if (this.start.disabled) return;
    const overrides = this.readOverrides();
    if (!overrides) return;
    this.pending = 'start';
    this.refresh();
    post({ type: 'train', overrides });
  }

  private onStop(): void {
    if (this.stop.disabled) return;
    this.pending = 'stop';
    this.refresh();
    post({ type: 'stop' });
  }
}
