/**
 * The chapter's own self-checks, on full-precision values read from the model:
 * - the sinusoidal rows the model adds equal the closed form (largest difference, float64 reference);
 * - reverse: in one layer, some head of (nearly) every row puts its largest weight on the mirrored
 *   position n − 1 − i; sort: on a position holding the token that row must output.
 */
import type { SelfCheckResult } from '../../../shared/run/records';
import { makePositionBatch, type PositionData, type PositionItem } from '../../kits/positions/data';
import { tidy } from '../../nn/tidy';
import { disposeBatch } from '../../train/batches';
import { checkResult } from '../../train/snapshot';
import type { Batch, ChapterModel, CheckContext } from '../contract';
import { ALIGNMENT, POSITION_CLOSED_FORM } from './info';

/** Largest |PE − closed form| allowed: float32 rounding of values in [−1, 1] is below 6e-8. */
export const POSITION_TOLERANCE = 1e-6;
/** Share of rows the alignment check asks for. */
export const ALIGNMENT_THRESHOLD = 0.9;
/** Validation examples the alignment check reads. */
const CHECKED_EXAMPLES = 256;

/** The closed form, in float64: PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)). */
export function closedFormPosition(pos: number, feature: number, modelSize: number): number {
  const i = Math.floor(feature / 2);
  const angle = pos / Math.pow(10000, (2 * i) / modelSize);
  return feature % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
}

/**
 * The largest difference between the position rows the model adds in a forward pass over a
 * sequence of `maxLength` tokens (`position_encoding`, every position the model has) and the
 * closed form.
 */
export function positionEncodingError(model: ChapterModel, tokenId: number, maxLength: number): number {
  const ids = Array.from({ length: maxLength }, () => tokenId);
  const item: PositionItem = { example: { source: [], target: [] }, ids, targetIds: ids };
  const batch = makePositionBatch([item]);
  try {
    const rows = tidy(() => model.forward(batch, { training: false, seed: 0 }).named.position_encoding);
    if (!rows) return Number.NaN;
    const [length, width] = rows.shape;
    const values = rows.dataSync();
    rows.dispose();
    let largest = 0;
    for (let pos = 0; pos < length; pos++)
      for (let f = 0; f < width; f++)
        largest = Math.max(largest, Math.abs(values[pos * width + f] - closedFormPosition(pos, f, width)));
    return largest;
  } finally {
    disposeBatch(batch);
  }
}

export function positionEncodingCheck({ model, data, hyperparameters }: CheckContext): SelfCheckResult[] {
  if (hyperparameters.positions !== 'sinusoidal') return [];
  const tokenId = data.sourceVocab.tokens.length - 1;
  const error = positionEncodingError(model, tokenId, Number(hyperparameters.maxLength));
  return [checkResult(POSITION_CLOSED_FORM, error, 'at-most', POSITION_TOLERANCE)];
}

/** Where row `query` of an example should look: the keys that hold what it must output. */
type Wanted = (query: number, length: number, ids: number[], targets: number[]) => (key: number) => boolean;

const WANTED: Record<string, Wanted> = {
  reverse: (query, length) => (key) => key === length - 1 - query,
  sort: (query, _length, ids, targets) => (key) => ids[key] === targets[query],
};

/**
 * For each attention of a forward pass (one per layer), the share of real query rows for which at
 * least one of its heads puts its largest weight on a key `wanted` accepts.
 */
export function anyHeadShares(model: ChapterModel, batch: Batch, wanted: Wanted): number[] {
  const maps = tidy(() => model.forward(batch, { training: false, seed: 0 }).attention.map((a) => a.weights));
  const ids = batch.inputs.source_ids.arraySync() as number[][];
  const targets = batch.targets.arraySync() as number[][];
  const lengths = (batch.inputs.source_mask.arraySync() as number[][]).map((row) => row.filter((x) => x > 0).length);
  return maps.map((weights) => {
    const [examples, heads, queries, keys] = weights.shape;
    const values = weights.dataSync();
    weights.dispose();
    let hits = 0;
    let rows = 0;
    for (let b = 0; b < examples; b++) {
      for (let q = 0; q < Math.min(queries, lengths[b]); q++) {
        const accepts = wanted(q, lengths[b], ids[b], targets[b]);
        let hit = false;
        for (let h = 0; h < heads && !hit; h++) {
          const base = ((b * heads + h) * queries + q) * keys;
          let best = 0;
          for (let k = 1; k < keys; k++) if (values[base + k] > values[base + best]) best = k;
          hit = accepts(best);
        }
        if (hit) hits++;
        rows++;
      }
    }
    return hits / Math.max(rows, 1);
  });
}

/**
 * reverse, sort: the layer whose heads look where each row's answer is most often, and how often.
 * Some layer must fetch the token a row outputs; which one is the model's choice (with two layers
 * it can only be the second: the first does not know the length n yet).
 */
export function alignmentCheck({ model, data, task }: CheckContext): SelfCheckResult[] {
  const wanted = WANTED[task];
  if (!wanted) return [];
  const batch = makePositionBatch((data as PositionData).validation.slice(0, CHECKED_EXAMPLES));
  try {
    const shares = anyHeadShares(model, batch, wanted);
    const best = shares.indexOf(Math.max(...shares));
    const detail = {
      en: `layer ${best + 1}; by layer: ${shares.map((share) => share.toFixed(3)).join(', ')}`,
      'zh-cn': `第 ${best + 1} 层；各层：${shares.map((share) => share.toFixed(3)).join('，')}`,
    };
    return [checkResult(ALIGNMENT, shares[best], 'at-least', ALIGNMENT_THRESHOLD, { detail })];
  } finally {
    disposeBatch(batch);
  }
}
