/**
 * The chapter's own self-checks on the learner's model, at every evaluation:
 *
 * - RoPE is relative: the first block's own queries and keys of the probe text are rotated at
 *   positions 0..len−1, then again with every position shifted by s; every q_m · k_n must stay
 *   the same (the largest change over the largest |q_m · k_n|);
 * - tiled attention equals ordinary attention: the first block's causal attention of the probe
 *   text in 8 × 8 tiles with an online softmax (nn/tiledAttention.ts) against the whole score
 *   matrix at once (the largest difference over the largest output).
 *
 * The KV-cache check is the language-model kit's (`kvCacheDeviation`), as in mini-gpt.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ChapterModel } from '../contract';
import { applyRope, rotaryTables } from '../../nn/rope';
import { fullAttention, tiledAttention } from '../../nn/tiledAttention';
import type { ModernModel } from './model';

/** Position shifts the RoPE check applies to both the query and the key. */
export const ROPE_SHIFTS = [7, 40];
/** The tile of the tiled-attention check (queries × keys). */
export const CHECK_TILE = 8;

export function isModernModel(model: ChapterModel): model is ModernModel {
  return typeof (model as Partial<ModernModel>).rawQueryKeys === 'function';
}

/** `x [kv_heads, len, d_head]` → `[heads, len, d_head]`: each query head's key/value head (a gather; checks only). */
function perQueryHead(x: tf.Tensor3D, kvHeadOf: number[]): tf.Tensor3D {
  return tf.gather(x, tf.tensor1d(kvHeadOf, 'int32'), 0) as tf.Tensor3D; // [heads, len, d_head]
}

/** Largest |a − b| over the largest |b|, read back once. */
function relativeDifference(a: tf.Tensor, b: tf.Tensor): number {
  const both = tf.tidy(() => tf.stack([tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(b))]));
  const [difference, scale] = both.dataSync();
  both.dispose();
  return difference / Math.max(scale, 1e-12);
}

/**
 * How much `q_m · k_n` changes when both positions shift (relative to the largest product): 0 up to
 * rounding for RoPE. `ids` is one text of at most the model's context.
 */
export function ropeRelativeDeviation(model: ModernModel, ids: Int32Array, shifts = ROPE_SHIFTS): number {
  const { queries, keys, values } = model.rawQueryKeys(ids); // [heads, len, d_head], [kv_heads, len, d_head] ×2
  values.dispose();
  try {
    const length = ids.length;
    const headSize = queries.shape[2];
    const base = model.config.ropeBase;
    const scoresAt = (start: number) =>
      tf.tidy(() => {
        const tables = rotaryTables(start, length, headSize, base); // [len, d_head] each
        const q = applyRope(queries, tables); // [heads, len, d_head]
        const k = applyRope(perQueryHead(keys, model.kvHeadOf), tables); // [heads, len, d_head]
        return tf.matMul(q, tf.transpose(k, [0, 2, 1]) as tf.Tensor3D); // [heads, queries, keys]: q_m · k_n
      });
    const reference = scoresAt(0);
    let worst = 0;
    for (const shift of shifts) {
      const shifted = scoresAt(shift);
      worst = Math.max(worst, relativeDifference(shifted, reference));
      shifted.dispose();
    }
    reference.dispose();
    return worst;
  } finally {
    tf.dispose([queries, keys]);
  }
}

/** The first block's causal attention of `ids`, tiled against ordinary: largest difference over largest output. */
export function tiledDeviation(model: ModernModel, ids: Int32Array, tile = CHECK_TILE): number {
  const raw = model.rawQueryKeys(ids);
  try {
    const [q, k, v] = tf.tidy(() => {
      const headSize = raw.queries.shape[2];
      const tables =
        model.config.positions === 'rope' ? rotaryTables(0, ids.length, headSize, model.config.ropeBase) : null;
      const rotate = (x: tf.Tensor3D) => (tables ? applyRope(x, tables) : x);
      return [
        rotate(raw.queries), // [heads, len, d_head]
        rotate(perQueryHead(raw.keys, model.kvHeadOf)), // [heads, len, d_head]
        perQueryHead(raw.values, model.kvHeadOf), // [heads, len, d_head]
      ];
    });
    const tiled = tiledAttention(q, k, v, { queryTile: tile, keyTile: tile, causal: true }); // [heads, len, d_head]
    const full = fullAttention(q, k, v, true); // [heads, len, d_head]
    const deviation = relativeDifference(tiled, full);
    tf.dispose([q, k, v, tiled, full]);
    return deviation;
  } finally {
    tf.dispose([raw.queries, raw.keys, raw.values]);
  }
}
