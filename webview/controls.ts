/**
 * The start form and run controls. The form offers the chapter's tasks and variants and every
 * hyperparameter the chapter marks `inForm` (numbers with the spec's range, choices as selects,
 * booleans as checkboxes), filled from the shown run's config (or the defaults for a preview).
 * Start posts `{type:'train', task, variant, overrides}` where `overrides` holds only the values
 * that differ from what the chosen task and variant would use anyway; a value outside its range
 * is refused with a message and nothing is posted (the host checks again). Changing the task or
 * variant moves the fields it sets differently (and the learner has not edited) to its values.
 * Stop posts `stop`. A chapter that declares a comparison (`info.comparison`) also offers "Train the
 * comparison": its variants on its task with one seed, one after another (`trainComparison`).
 */
import type { ChapterInfo, HyperparameterSpec, Hyperparameters, HyperValue } from '../src/shared/course/chapter';
import { checkValue, defaultsOf } from '../src/shared/course/hyperparameters';
import { el, setText, show } from './dom';
import { list, pick, t } from './i18n';
import type { LabModel } from './model';
import { IndexSelect } from './select';
import { post } from './vscodeApi';

type TextField = HTMLElement & { value: string; disabled: boolean; invalid: boolean };
type Checkbox = HTMLElement & { checked: boolean; disabled: boolean };
type Button = HTMLElement & { disabled: boolean };

interface Field {
  spec: HyperparameterSpec;
  root: HTMLElement;
  hint: HTMLElement;
  read(): string | boolean;
  write(value: HyperValue): void;
  setDisabled(disabled: boolean): void;
  setInvalid(invalid: boolean): void;
}

function formatDefault(value: HyperValue | undefined): string {
  return value === undefined ? '' : String(value);
}

function textField(spec: Extract<HyperparameterSpec, { type: 'integer' | 'number' }>, id: string): Field {
  const label = pick(spec.label);
  // A number field's step would flag 0.003 as invalid: fractional values get a text field.
  const input = el('vscode-textfield', {
    attrs:
      spec.type === 'integer'
        ? { id, type: 'number', name: spec.key, label, min: spec.min, max: spec.max, step: 1 }
        : { id, type: 'text', inputmode: 'decimal', name: spec.key, label },
  }) as TextField;
  const hint = el('span', { className: 'control-default muted' });
  return {
    spec,
    root: el('div', { className: 'control-field' }, [el('label', { text: label, attrs: { for: id } }), input, hint]),
    hint,
    read: () => input.value.trim(),
    write: (value) => {
      input.value = String(value);
    },
    setDisabled: (disabled) => {
      input.disabled = disabled;
    },
    setInvalid: (invalid) => {
      input.invalid = invalid;
    },
  };
}

function choiceField(spec: Extract<HyperparameterSpec, { type: 'choice' }>, id: string, onEdit: () => void): Field {
  const select = new IndexSelect(id, pick(spec.label), onEdit);
  select.update(spec.choices, Math.max(0, spec.choices.indexOf(spec.default)));
  const hint = el('span', { className: 'control-default muted' });
  select.root.classList.add('control-field');
  select.root.appendChild(hint);
  return {
    spec,
    root: select.root,
    hint,
    read: () => spec.choices[Number(select.select.value)] ?? '',
    write: (value) => select.update(spec.choices, Math.max(0, spec.choices.indexOf(String(value)))),
    setDisabled: (disabled) => {
      select.select.disabled = disabled;
    },
    setInvalid: () => undefined,
  };
}

function booleanField(spec: Extract<HyperparameterSpec, { type: 'boolean' }>, id: string): Field {
  const label = pick(spec.label);
  const box = el('vscode-checkbox', { attrs: { id, name: spec.key, 'aria-label': label } }) as Checkbox;
  const hint = el('span', { className: 'control-default muted' });
  return {
    spec,
    root: el('div', { className: 'control-field control-check' }, [
      el('label', { text: label, attrs: { for: id } }),
      box,
      hint,
    ]),
    hint,
    read: () => box.checked,
    write: (value) => {
      box.checked = value === true;
    },
    setDisabled: (disabled) => {
      box.disabled = disabled;
    },
    setInvalid: () => undefined,
  };
}

export class RunControls {
  readonly root: HTMLElement;
  private readonly fields: Field[] = [];
  private readonly edited = new Set<string>();
  private readonly taskSelect: IndexSelect;
  private readonly variantSelect: IndexSelect;
  private readonly variantNote = el('p', { className: 'variant-note muted', attrs: { id: 'variant-note' } });
  private readonly start = el('vscode-button', { text: t('controlsStart'), attrs: { id: 'start-button' } }) as Button;
  private readonly stop = el('vscode-button', {
    text: t('controlsStop'),
    attrs: { id: 'stop-button', secondary: true },
  }) as Button;
  private readonly note = el('p', {
    className: 'controls-note muted',
    attrs: { id: 'controls-note', 'aria-live': 'polite' },
  });
  private readonly trainComparison = el('vscode-button', {
    text: t('controlsTrainComparison'),
    attrs: { id: 'train-comparison-button', secondary: true },
  }) as Button;
  private readonly comparisonNote = el('p', { className: 'comparison-note muted', attrs: { id: 'comparison-note' } });
  private taskIndex = 0;
  private variantIndex = 0;
  private filledFor: string | null = null;
  private pending: 'start' | 'stop' | null = null;
  private model: LabModel | null = null;

  constructor(
    private readonly chapter: ChapterInfo,
    private readonly onInvalid: (message: string) => void,
  ) {
    this.taskSelect = new IndexSelect('control-task', t('controlsTask'), (index) => {
      const before = this.baseline();
      this.taskIndex = index;
      this.rebase(before);
    });
    this.variantSelect = new IndexSelect('control-variant', t('controlsVariant'), (index) => {
      const before = this.baseline();
      this.variantIndex = index;
      this.rebase(before);
    });
    const fields = el('div', { className: 'control-fields' });
    for (const spec of chapter.hyperparameters.filter((s) => s.inForm)) {
      const id = `control-${spec.key}`;
      const field =
        spec.type === 'choice'
          ? choiceField(spec, id, () => this.edited.add(spec.key))
          : spec.type === 'boolean'
            ? booleanField(spec, id)
            : textField(spec, id);
      field.root.addEventListener('input', () => this.edited.add(spec.key));
      field.root.addEventListener('change', () => this.edited.add(spec.key));
      field.root.dataset.key = spec.key;
      this.fields.push(field);
      fields.appendChild(field.root);
    }
    this.start.addEventListener('click', () => this.onStart());
    this.stop.addEventListener('click', () => this.onStop());
    this.trainComparison.addEventListener('click', () => this.onTrainComparison());
    const comparison = chapter.comparison;
    if (comparison) {
      const task = chapter.tasks.find((x) => x.id === comparison.task);
      const variants = comparison.variants.map((id) => {
        const variant = chapter.variants.find((x) => x.id === id);
        return (variant && pick(variant.title)) || id;
      });
      setText(
        this.comparisonNote,
        t('controlsComparisonNote', { variants: list(variants), task: (task && pick(task.title)) || comparison.task }),
      );
    }
    this.root = el('div', { className: 'run-controls' }, [
      el('div', { className: 'control-choices' }, [this.taskSelect.root, this.variantSelect.root]),
      this.variantNote,
      fields,
      el('div', { className: 'control-buttons' }, [this.start, this.stop, comparison ? this.trainComparison : null]),
      this.note,
      comparison ? this.comparisonNote : null,
    ]);
  }

  /** The values the chosen task and variant use without overrides. */
  private baseline(): Hyperparameters {
    const task = this.chapter.tasks[this.taskIndex];
    const variant = this.chapter.variants[this.variantIndex];
    return { ...defaultsOf(this.chapter, task?.id), ...variant?.overrides };
  }

  /** Called on every status change; fills the form from the run's config once per run. */
  update(model: LabModel): void {
    this.model = model;
    const key = model.run?.dir ?? `preview:${model.chapter.id}`;
    if (this.filledFor !== key) {
      this.filledFor = key;
      const config = model.run?.config;
      const taskIndex = this.chapter.tasks.findIndex((task) => task.id === (config?.task ?? this.chapter.defaultTask));
      const variantIndex = this.chapter.variants.findIndex(
        (variant) => variant.id === (config?.variant ?? this.chapter.defaultVariant),
      );
      this.taskIndex = Math.max(0, taskIndex);
      this.variantIndex = Math.max(0, variantIndex);
      this.edited.clear();
      const baseline = this.baseline();
      for (const field of this.fields) {
        const saved = config?.hyperparameters[field.spec.key];
        const value = saved !== undefined && checkValue(field.spec, saved) === null ? saved : baseline[field.spec.key];
        if (value !== undefined) field.write(value);
        field.setInvalid(false);
      }
      this.showChoices();
    }
    this.refresh();
  }

  /**
   * A new task or variant: a value that it sets differently (e.g. `scaled` for the unscaled
   * variant) takes the new value, unless the learner edited that field.
   */
  private rebase(before: Hyperparameters): void {
    const baseline = this.baseline();
    for (const field of this.fields) {
      const value = baseline[field.spec.key];
      if (!this.edited.has(field.spec.key) && value !== undefined && value !== before[field.spec.key])
        field.write(value);
    }
    this.showChoices();
  }

  private showChoices(): void {
    this.taskSelect.update(
      this.chapter.tasks.map((task) => pick(task.title) || task.id),
      this.taskIndex,
    );
    this.variantSelect.update(
      this.chapter.variants.map((variant) => pick(variant.title) || variant.id),
      this.variantIndex,
    );
    const variant = this.chapter.variants[this.variantIndex];
    setText(this.variantNote, variant ? pick(variant.description) : '');
    show(this.variantNote, !!variant && pick(variant.description) !== '');
    const baseline = this.baseline();
    for (const field of this.fields)
      setText(field.hint, t('controlsDefault', { value: formatDefault(baseline[field.spec.key]) }));
  }

  /** Clears the "starting…" / "stopping…" state (after a status, init or error). */
  settle(): void {
    this.pending = null;
    this.refresh();
  }

  private refresh(): void {
    const model = this.model;
    const running = !!model && model.live && model.status?.state === 'running';
    const canTrain = !!model?.init.canTrain && this.chapter.trainable;
    this.start.disabled = !canTrain || !!model?.live || this.pending !== null;
    this.trainComparison.disabled = this.start.disabled || !this.chapter.comparison;
    this.stop.disabled = !running || this.pending === 'stop';
    show(this.stop, !!model?.run);
    for (const field of this.fields) field.setDisabled(!canTrain);
    this.taskSelect.select.disabled = !canTrain;
    this.variantSelect.select.disabled = !canTrain;
    let note = '';
    if (!canTrain) note = t('controlsCannotTrain');
    else if (this.pending === 'start') note = t('controlsStarting');
    else if (this.pending === 'stop') note = t('controlsStopping');
    else if (model?.live) note = t('controlsBusy');
    setText(this.note, note);
  }

  /** The values that differ from the baseline, or null (and a message) when one is invalid. */
  private readOverrides(): Hyperparameters | null {
    const baseline = this.baseline();
    const overrides: Hyperparameters = {};
    for (const field of this.fields) {
      const { spec } = field;
      field.setInvalid(false);
      const raw = field.read();
      let value: HyperValue;
      if (spec.type === 'integer' || spec.type === 'number') {
        if (raw === '') continue;
        value = Number(raw);
        if (checkValue(spec, value) !== null) {
          field.setInvalid(true);
          this.onInvalid(
            t(spec.type === 'integer' ? 'controlsInvalidInteger' : 'controlsInvalidNumber', {
              field: pick(spec.label),
              min: spec.min,
              max: spec.max,
            }),
          );
          return null;
        }
      } else value = raw;
      if (checkValue(spec, value) !== null) return null;
      if (value !== baseline[spec.key]) overrides[spec.key] = value;
    }
    return overrides;
  }

  private onStart(): void {
    if (this.start.disabled) return;
    const overrides = this.readOverrides();
    if (!overrides) return;
    this.pending = 'start';
    this.refresh();
    const task = this.chapter.tasks[this.taskIndex];
    const variant = this.chapter.variants[this.variantIndex];
    post({ type: 'train', ...(task && { task: task.id }), ...(variant && { variant: variant.id }), overrides });
  }

  /** The comparison opens in its own panel: this one only keeps the button from being pressed twice. */
  private onTrainComparison(): void {
    if (this.trainComparison.disabled) return;
    this.trainComparison.disabled = true;
    setTimeout(() => this.refresh(), 2000);
    post({ type: 'trainComparison' });
  }

  private onStop(): void {
    if (this.stop.disabled) return;
    this.pending = 'stop';
    this.refresh();
    post({ type: 'stop' });
  }
}
