/**
 * Measures of what each head does, read from a model's own attention at full precision: how
 * different the heads' maps are (the mean Jensen–Shannon divergence between heads, row by row)
 * and where each head looks (its mean weight on the left and on the right neighbour).
 * Plain arithmetic over the weights read back once, so the tests can check it against hand
 * computations.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, ChapterModel } from '../contract';
import { tidy } from '../../nn/tidy';

/** The weights `[batch, heads, queries, keys]` of one attention, row-major, and each example's real length. */
export interface HeadWeights {
  shape: [number, number, number, number];
  weights: Float32Array;
  lengths: number[];
}

/** Reads back the first attention of a forward pass (no dropout) and the real lengths of the batch. */
export function readHeadWeights(model: ChapterModel, batch: Batch): HeadWeights {
  const [weights, lengths] = tidy(() => {
    const attention = model.forward(batch, { training: false, seed: 0 }).attention[0];
    return [attention.weights, tf.sum(batch.inputs.source_mask, 1)] as const; // [batch, heads, queries, keys], [batch]
  });
  const result: HeadWeights = {
    shape: weights.shape as HeadWeights['shape'],
    weights: weights.dataSync() as Float32Array,
    lengths: Array.from(lengths.dataSync(), Math.round),
  };
  tf.dispose([weights, lengths]);
  return result;
}

/**
 * Jensen–Shannon divergence in nats between two distributions `p` and `q` over the same `count`
 * keys, read from `pAt` and `qAt` onwards: ½ KL(p ‖ m) + ½ KL(q ‖ m) with m = (p + q) / 2.
 * 0 for identical rows, ln 2 ≈ 0.6931 (its largest value) for rows with no key in common.
 */
export function jensenShannon(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  pAt = 0,
  qAt = 0,
  count = Math.min(p.length - pAt, q.length - qAt),
): number {
  let divergence = 0;
  for (let k = 0; k < count; k++) {
    const a = p[pAt + k];
    const b = q[qAt + k];
    const m = (a + b) / 2;
    if (a > 0) divergence += 0.5 * a * Math.log(a / m);
    if (b > 0) divergence += 0.5 * b * Math.log(b / m);
  }
  return divergence;
}

/**
 * The mean Jensen–Shannon divergence between the rows of two different heads: for every example,
 * every real query row (not padding) and every pair of heads j < j′, JS(row of head j, row of
 * head j′) over the example's real keys, averaged. 0 with one head (there is no pair).
 */
export function meanHeadDivergence({ shape, weights, lengths }: HeadWeights): number {
  const [examples, heads, queries, keys] = shape;
  let total = 0;
  let pairs = 0;
  for (let b = 0; b < examples; b++) {
    const length = Math.min(lengths[b], queries, keys);
    for (let q = 0; q < length; q++) {
      for (let h = 0; h < heads; h++) {
        for (let g = h + 1; g < heads; g++) {
          const at = (head: number) => ((b * heads + head) * queries + q) * keys;
          total += jensenShannon(weights, weights, at(h), at(g), length);
          pairs++;
        }
      }
    }
  }
  return pairs === 0 ? 0 : total / pairs;
}

/** Each head's mean weight on the left neighbour i − 1 and on the right neighbour i + 1. */
export interface NeighbourWeights {
  left: number[];
  right: number[];
}

/**
 * For each head, the mean weight that a real query row i puts on its left neighbour (i − 1) mod n
 * and on its right neighbour (i + 1) mod n, n the example's length (the sequence read as a ring;
 * n ≥ 3, so the two are different keys), over the real rows of the batch.
 */
export function neighbourWeights({ shape, weights, lengths }: HeadWeights): NeighbourWeights {
  const [examples, heads, queries, keys] = shape;
  const left = new Array<number>(heads).fill(0);
  const right = new Array<number>(heads).fill(0);
  let rows = 0;
  for (let b = 0; b < examples; b++) {
    const length = Math.min(lengths[b], queries, keys);
    for (let q = 0; q < length; q++) {
      for (let h = 0; h < heads; h++) {
        const at = ((b * heads + h) * queries + q) * keys;
        left[h] += weights[at + ((q - 1 + length) % length)];
        right[h] += weights[at + ((q + 1) % length)];
      }
      rows++;
    }
  }
  const mean = (sums: number[]) => sums.map((sum) => sum / Math.max(rows, 1));
  return { left: mean(left), right: mean(right) };
}

/** The share of all the heads' attention that lands on the two neighbours (mean over heads). */
export function neighbourShare(measured: NeighbourWeights): number {
  const heads = measured.left.length;
  return measured.left.reduce((sum, left, h) => sum + left + measured.right[h], 0) / Math.max(heads, 1);
}
