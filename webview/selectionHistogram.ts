/**
 * The selection histogram of a masked language model (chapter bert-mlm), as measured on the
 * batches actually trained on during the latest evaluation period (the evaluation record's
 * `mlm_tokens`, `mlm_selected`, `mlm_masked`, `mlm_randomised`, `mlm_kept`): a line saying how many
 * tokens were selected against the declared share, and three bars — replaced by `[MASK]`, by a
 * random word, left unchanged — each as a share of the selected, with a tick at the declared
 * 80 / 10 / 10. Plain data from the host; no tensors.
 */
import type { EvaluationRecord } from '../src/shared/run/records';
import { el, setAttrs, setText, show } from './dom';
import type { FillStringKey } from '../src/shared/strings/fill';
import { list, t } from './i18n';
import type { LabModel } from './model';
import { percent } from './fillIn';

/** The declared split among selected tokens (BERT's 80 / 10 / 10). */
const KINDS: { key: string; label: FillStringKey; expected: number }[] = [
  { key: 'mlm_masked', label: 'selectionMasked', expected: 0.8 },
  { key: 'mlm_randomised', label: 'selectionRandomised', expected: 0.1 },
  { key: 'mlm_kept', label: 'selectionKept', expected: 0.1 },
];

const DEFAULT_MASK_PROBABILITY = 0.15;

/** The newest evaluation that carries the selection counts, or null. */
export function latestSelection(evaluations: readonly EvaluationRecord[]): EvaluationRecord | null {
  for (let i = evaluations.length - 1; i >= 0; i--) {
    const values = evaluations[i].values;
    if (Number.isFinite(values.mlm_selected) && Number.isFinite(values.mlm_tokens)) return evaluations[i];
  }
  return null;
}

export class SelectionHistogram {
  readonly root: HTMLElement;
  private readonly summary = el('p', { className: 'selection-summary', attrs: { id: 'selection-summary' } });
  private readonly bars = el('ul', {
    className: 'selection-bars',
    attrs: { id: 'selection-bars', role: 'img' },
  });
  private readonly empty = el('p', { className: 'muted', text: t('selectionEmpty'), attrs: { id: 'selection-empty' } });

  constructor() {
    this.root = el('div', { className: 'selection-histogram' }, [
      el('p', { className: 'selection-intro muted', text: t('selectionIntro') }),
      this.empty,
      this.summary,
      this.bars,
    ]);
  }

  update(model: LabModel): void {
    const record = latestSelection(model.evaluations);
    show(this.empty, record === null);
    show(this.summary, record !== null);
    show(this.bars, record !== null);
    if (!record) return;
    const values = record.values;
    const declaredValue = model.run?.config.hyperparameters.maskProbability;
    const declared = typeof declaredValue === 'number' ? declaredValue : DEFAULT_MASK_PROBABILITY;
    const tokens = values.mlm_tokens;
    const selected = values.mlm_selected;
    setText(
      this.summary,
      t('selectionSummary', {
        evaluation: record.epoch,
        selected,
        tokens,
        share: percent(tokens > 0 ? selected / tokens : 0),
        declared: percent(declared),
      }),
    );
    const described: string[] = [];
    const rows = KINDS.map(({ key, label, expected }) => {
      const count = values[key] ?? 0;
      const share = selected > 0 ? count / selected : 0;
      const text = t('selectionBar', {
        label: t(label),
        count,
        share: percent(share),
        expected: percent(expected),
      });
      described.push(text);
      const fill = el('span', { className: 'selection-bar-fill' });
      fill.style.width = `${Math.max(0, Math.min(1, share)) * 100}%`;
      const tick = el('span', { className: 'selection-expected' });
      tick.style.left = `${expected * 100}%`;
      return el(
        'li',
        {
          className: 'selection-row',
          attrs: { 'data-kind': key, 'data-count': count, 'data-share': share, title: text },
        },
        [
          el('span', { className: 'selection-label', text: t(label) }),
          el('span', { className: 'selection-bar' }, [fill, tick]),
          el('span', { className: 'selection-value', text: `${count} · ${percent(share)}` }),
        ],
      );
    });
    this.bars.replaceChildren(...rows);
    setAttrs(this.bars, { 'aria-label': t('selectionAria', { title: t('selectionTitle'), values: list(described) }) });
  }
}
