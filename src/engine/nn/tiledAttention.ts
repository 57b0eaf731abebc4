/**
 * FlashAttention's idea (Dao et al. 2022) as a teaching block: attention computed tile by tile with
 * an online softmax, never holding the whole `[queries, keys]` score matrix.
 *
 * For one tile of queries, the keys arrive in tiles. Each query row keeps three running things:
 * its largest score so far m, the sum of exp(score − m) so far ℓ, and the weighted sum of values so
 * far acc (unnormalised). When a new tile of scores S arrives:
 *
 *   m'  = max(m, rowmax(S))
 *   ℓ'  = ℓ · e^(m − m') + rowsum(e^(S − m'))            old terms rescaled to the new maximum
 *   acc' = acc · e^(m − m') + e^(S − m') · V_tile
 *
 * and after the last tile, output = acc / ℓ: exactly softmax(S_all) · V, because every term was
 * rescaled to the same final maximum. Only one `[query_tile, key_tile]` block of scores exists at a
 * time; with a causal mask the key tiles entirely after a query tile are skipped.
 *
 * On the GPU the point is memory traffic: the tiles live in fast on-chip memory and the big matrix
 * never goes to slow memory. On this backend (TensorFlow.js on a CPU) it is a lesson in memory,
 * not a speed-up: the loop over tiles adds ops, and ops are what cost here. The chapter's models
 * train with ordinary attention; a self-check shows this block gives the same output.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface TiledAttentionOptions {
  /** Queries per tile. */
  queryTile: number;
  /** Keys per tile. */
  keyTile: number;
  /** Query i sees keys 0..i only (queries and keys are the same positions). */
  causal: boolean;
}

// A type alias so tf.tidy can return it.
export type TiledAttentionResult = {
  /** `[rows, queries, d_v]`: softmax(Q Kᵀ / √d) V. */
  output: tf.Tensor3D;
};

export interface TiledAttentionStats {
  /** Score blocks computed (tiles skipped under the causal mask are not counted). */
  tiles: number;
  /** The most score elements held at once (one tile, per row of `rows`). */
  largestTile: number;
}

/**
 * `q [rows, queries, d]`, `k [rows, keys, d]`, `v [rows, keys, d_v]` → `[rows, queries, d_v]`
 * (rows: batch and heads folded together). Scores are scaled by 1/√d. Not differentiated here
 * (a teaching and checking block); `stats` receives what was held.
 */
export function tiledAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  options: TiledAttentionOptions,
  stats?: TiledAttentionStats,
): tf.Tensor3D {
  const { queryTile, keyTile, causal } = options;
  if (!(queryTile >= 1 && keyTile >= 1)) throw new Error('tiles hold at least one query and one key');
  const [rows, queries, headSize] = q.shape;
  const keys = k.shape[1];
  if (causal && keys !== queries) throw new Error('a causal mask needs as many keys as queries');
  const scale = 1 / Math.sqrt(headSize);
  let tiles = 0;
  let largestTile = 0;
  return tf.tidy(() => {
    const outputs: tf.Tensor3D[] = [];
    for (let q0 = 0; q0 < queries; q0 += queryTile) {
      const qn = Math.min(queryTile, queries - q0);
      const queryBlock = tf.mul(tf.slice(q, [0, q0, 0], [rows, qn, headSize]), scale) as tf.Tensor3D; // [rows, q_tile, d]
      let runningMax: tf.Tensor3D = tf.fill([rows, qn, 1], -Infinity); // [rows, q_tile, 1]: m
      let runningSum: tf.Tensor3D = tf.zeros([rows, qn, 1]); // [rows, q_tile, 1]: ℓ
      let accumulated: tf.Tensor3D = tf.zeros([rows, qn, v.shape[2]]); // [rows, q_tile, d_v]: acc
      const lastKey = causal ? q0 + qn : keys; // keys after the tile's last query are never seen
      for (let k0 = 0; k0 < lastKey; k0 += keyTile) {
        const kn = Math.min(keyTile, lastKey - k0);
        const result = tf.tidy(() => {
          const keyBlock = tf.transpose(tf.slice(k, [0, k0, 0], [rows, kn, headSize]), [0, 2, 1]); // [rows, d, k_tile]
          const valueBlock = tf.slice(v, [0, k0, 0], [rows, kn, v.shape[2]]); // [rows, k_tile, d_v]
          let scores = tf.matMul(queryBlock, keyBlock as tf.Tensor3D); // [rows, q_tile, k_tile]: the only scores held
          if (causal && k0 + kn > q0 + 1) {
            const allowed = new Float32Array(qn * kn);
            for (let i = 0; i < qn; i++)
              for (let j = 0; j < kn; j++) allowed[i * kn + j] = k0 + j <= q0 + i ? 0 : -Infinity;
            scores = tf.add(scores, tf.tensor3d(allowed, [1, qn, kn])); // [rows, q_tile, k_tile]
          }
          const newMax = tf.maximum(runningMax, tf.max(scores, 2, true)) as tf.Tensor3D; // [rows, q_tile, 1]: m'
          const rescale = tf.exp(tf.sub(runningMax, newMax)); // [rows, q_tile, 1]: e^(m − m')
          const exps = tf.exp(tf.sub(scores, newMax)) as tf.Tensor3D; // [rows, q_tile, k_tile]
          const sum = tf.add(tf.mul(runningSum, rescale), tf.sum(exps, 2, true)) as tf.Tensor3D; // [rows, q_tile, 1]: ℓ'
          const acc = tf.add(tf.mul(accumulated, rescale), tf.matMul(exps, valueBlock)) as tf.Tensor3D; // [rows, q_tile, d_v]
          return { newMax, sum, acc };
        });
        tiles++;
        largestTile = Math.max(largestTile, qn * kn);
        tf.dispose([runningMax, runningSum, accumulated]);
        runningMax = result.newMax;
        runningSum = result.sum;
        accumulated = result.acc;
      }
      outputs.push(tf.div(accumulated, runningSum) as tf.Tensor3D); // [rows, q_tile, d_v]
    }
    if (stats) {
      stats.tiles = tiles;
      stats.largestTile = largestTile;
    }
    return tf.concat(outputs, 1) as tf.Tensor3D; // [rows, queries, d_v]
  });
}

/** Ordinary attention for comparison: the whole `[rows, queries, keys]` score matrix, then softmax. */
export function fullAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, causal: boolean): tf.Tensor3D {
  return tf.tidy(() => {
    const [, queries, headSize] = q.shape;
    const keys = k.shape[1];
    let scores = tf.div(tf.matMul(q, tf.transpose(k, [0, 2, 1]) as tf.Tensor3D), Math.sqrt(headSize)); // [rows, queries, keys]
    if (causal) {
      const band = new Float32Array(queries * keys);
      for (let i = 0; i < queries; i++) band.fill(-1e9, i * keys + i + 1, (i + 1) * keys);
      scores = tf.add(scores, tf.tensor3d(band, [1, queries, keys])); // [rows, queries, keys]
    }
    return tf.matMul(tf.softmax(scores) as tf.Tensor3D, v) as tf.Tensor3D; // [rows, queries, d_v]
  });
}

/** Bytes of the full float32 score matrix of one head at `length` positions, and of one `tile × tile` block. */
export function scoreMemory(length: number, tile: number): { full: number; tile: number } {
  return { full: 4 * length * length, tile: 4 * Math.min(tile, length) * Math.min(tile, length) };
}
