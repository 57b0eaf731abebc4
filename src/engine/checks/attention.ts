/**
 * Measures of a model's own attention on a batch, computed at full precision for the self-checks
 * and metrics that prove what a chapter claims (e.g. `reverse` attends along the anti-diagonal).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionOutput, Batch, ChapterModel } from '../chapters/contract';
import { tidy } from '../nn/tidy';

/** The weights `[batch, heads, queries, keys]` and keep mask of attention `index` of a forward pass, read back. */
function readWeights(model: ChapterModel, batch: Batch, pick: (attention: AttentionOutput[]) => AttentionOutput) {
  const [weights, keep] = tidy(() => {
    const attention = pick(model.forward(batch, { training: false, seed: 0 }).attention);
    const mask = attention.keep
      ? tf.mul(tf.onesLike(attention.weights), attention.keep)
      : tf.onesLike(attention.weights);
    return [attention.weights, mask] as const;
  });
  const shape = weights.shape as [number, number, number, number];
  const values = { shape, weights: weights.dataSync() as Float32Array, keep: keep.dataSync() as Float32Array };
  tf.dispose([weights, keep]);
  return values;
}

/** Real query rows of example `b`: its non-padding positions, from the batch's `source_mask`. */
function lengthsOf(batch: Batch): number[] {
  const mask = batch.inputs.source_mask;
  if (!mask) throw new Error('the batch has no source_mask');
  const sums = tf.sum(mask, 1); // [batch]
  const lengths = (sums.arraySync() as number[]).map(Math.round);
  sums.dispose();
  return lengths;
}

/**
 * Mean entropy in nats, −Σ p log p, of the rows of an attention (over the real query rows): how
 * spread each query's attention is, from 0 (all on one key) to log(keys) (uniform).
 */
export function meanRowEntropy(
  model: ChapterModel,
  batch: Batch,
  pick: (attention: AttentionOutput[]) => AttentionOutput = (attention) => attention[0],
): number {
  const { shape, weights } = readWeights(model, batch, pick);
  const [examples, heads, queries, keys] = shape;
  const lengths = lengthsOf(batch);
  let total = 0;
  let rows = 0;
  for (let b = 0; b < examples; b++) {
    for (let h = 0; h < heads; h++) {
      for (let q = 0; q < Math.min(queries, lengths[b]); q++) {
        const base = ((b * heads + h) * queries + q) * keys;
        let entropy = 0;
        for (let k = 0; k < keys; k++) {
          const p = weights[base + k];
          if (p > 0) entropy -= p * Math.log(p);
        }
        total += entropy;
        rows++;
      }
    }
  }
  return total / Math.max(rows, 1);
}

/** Where one row's largest weight landed: `key`, for query `query` of an example with these input ids. */
export interface ArgmaxHit {
  query: number;
  key: number;
  length: number;
  ids: number[];
}

/**
 * The share of real query rows whose largest weight lands where `hit` says it should (e.g. the
 * anti-diagonal `key = length − 1 − query`, or a key holding the query's own token), over every
 * head of the attention.
 */
export function argmaxShare(
  model: ChapterModel,
  batch: Batch,
  hit: (where: ArgmaxHit) => boolean,
  pick: (attention: AttentionOutput[]) => AttentionOutput = (attention) => attention[0],
): number {
  const { shape, weights } = readWeights(model, batch, pick);
  const [examples, heads, queries, keys] = shape;
  const lengths = lengthsOf(batch);
  const ids = batch.inputs.source_ids.arraySync() as number[][];
  let hits = 0;
  let rows = 0;
  for (let b = 0; b < examples; b++) {
    for (let h = 0; h < heads; h++) {
      for (let q = 0; q < Math.min(queries, lengths[b]); q++) {
        const base = ((b * heads + h) * queries + q) * keys;
        let best = 0;
        for (let k = 1; k < keys; k++) if (weights[base + k] > weights[base + best]) best = k;
        if (hit({ query: q, key: best, length: lengths[b], ids: ids[b] })) hits++;
        rows++;
      }
    }
  }
  return hits / Math.max(rows, 1);
}
