/**
 * Luong et al. (2015)'s multiplicative and concat attention scores, scored with the decoder's
 * current state s (the query) against every encoder output h (the key, and the value):
 *
 *   dot      score(s, h) = s · h                 (query and key sizes must match)
 *   general  score(s, h) = sᵀ W h                (W [query_size, key_size]: a learned bilinear form)
 *   concat   score(s, h) = vᵀ tanh(W [s; h])      (W [query_size + key_size, attention], v [attention, 1])
 *
 * then weights = softmax over the keys (padding gets exactly 0) and context = weights @ values,
 * and the attentional hidden state h̃ = tanh(W_c [c; s]) that predicts the next token.
 * Every query of a batch is scored at once (no loop over target positions).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionResult } from './attention';
import { linear } from './linear';
import { matMul } from './matmul';
import { maskedSoftmax } from './masks';
import type { Parameters } from './parameters';
import { tidy } from './tidy';

export const LUONG_SCORES = ['dot', 'general', 'concat'] as const;
export type LuongScore = (typeof LUONG_SCORES)[number];

export function isLuongScore(value: unknown): value is LuongScore {
  return typeof value === 'string' && (LUONG_SCORES as readonly string[]).includes(value);
}

/** The weights of one score function; `dot` has none. */
export type LuongAttentionWeights =
  | { score: 'dot' }
  | { score: 'general'; kernel: tf.Variable } // W [query_size, key_size]
  | { score: 'concat'; kernel: tf.Variable; scoreVector: tf.Variable }; // W [query_size + key_size, attention], v [attention, 1]

/**
 * The weights of `score`, named `<prefix>/general_kernel`, or `<prefix>/concat_kernel` and
 * `<prefix>/score_vector`. `attentionSize` is concat's hidden width (unused by the others).
 */
export function createLuongAttention(
  parameters: Parameters,
  prefix: string,
  score: LuongScore,
  querySize: number,
  keySize: number,
  attentionSize: number,
): LuongAttentionWeights {
  switch (score) {
    case 'dot':
      if (querySize !== keySize) throw new Error(`the dot score needs equal sizes, got ${querySize} and ${keySize}`);
      return { score };
    case 'general':
      return { score, kernel: parameters.glorot(`${prefix}/general_kernel`, querySize, keySize) };
    case 'concat':
      return {
        score,
        kernel: parameters.glorot(`${prefix}/concat_kernel`, querySize + keySize, attentionSize),
        scoreVector: parameters.glorot(`${prefix}/score_vector`, attentionSize, 1),
      };
  }
}

/** softmax of `scores [batch, queries, keys]` over the keys, padding (`keyMask [batch, keys]` = 0) at exactly 0, and the context. */
function attend(scores: tf.Tensor3D, values: tf.Tensor3D, keyMask: tf.Tensor2D): AttentionResult {
  const weights = maskedSoftmax(scores, tf.expandDims(keyMask, 1)) as tf.Tensor3D; // [batch, queries, keys]
  const context = matMul(weights, values); // [batch, queries, value_size]
  return { scores, weights, context };
}

/** `keys [batch, keys, size]` → `[batch, size, keys]`, so a score is one plain batched matmul. */
function transposeKeys(keys: tf.Tensor3D): tf.Tensor3D {
  return tf.transpose(keys, [0, 2, 1]); // [batch, key_size, keys]
}

/**
 * Dot score, s · h. `queries [batch, queries, size]`, `keys [batch, keys, size]` (also the
 * values), `keyMask [batch, keys]` (1 = real token, 0 = padding) → scores and weights
 * `[batch, queries, keys]`, context `[batch, queries, size]`.
 */
export function dotAttention(queries: tf.Tensor3D, keys: tf.Tensor3D, keyMask: tf.Tensor2D): AttentionResult {
  return tidy(() => {
    if (queries.shape[2] !== keys.shape[2]) {
      throw new Error(`the dot score needs equal sizes, got queries ${queries.shape[2]} and keys ${keys.shape[2]}`);
    }
    const scores = matMul(queries, transposeKeys(keys)); // [batch, queries, keys]
    return attend(scores, keys, keyMask);
  });
}

/**
 * General score, sᵀ W h = (s W) · h. `queries [batch, queries, query_size]`, `keys [batch, keys,
 * key_size]` (also the values), `keyMask [batch, keys]`, `kernel` W `[query_size, key_size]` →
 * scores and weights `[batch, queries, keys]`, context `[batch, queries, key_size]`. The query
 * is projected (one `[query_size, key_size]` matmul per query), so query and key sizes may differ.
 */
export function generalAttention(
  queries: tf.Tensor3D,
  keys: tf.Tensor3D,
  keyMask: tf.Tensor2D,
  kernel: tf.Tensor2D,
): AttentionResult {
  return tidy(() => {
    const projected = linear(queries, kernel) as tf.Tensor3D; // [batch, queries, key_size]: sᵀW
    const scores = matMul(projected, transposeKeys(keys)); // [batch, queries, keys]
    return attend(scores, keys, keyMask);
  });
}

/**
 * Concat score, vᵀ tanh(W [s; h]). `queries [batch, queries, query_size]`, `keys [batch, keys,
 * key_size]` (also the values), `keyMask [batch, keys]`, `kernel` W `[query_size + key_size,
 * attention]` (its first query_size rows multiply s, the others h), `scoreVector` v `[attention, 1]`
 * → scores and weights `[batch, queries, keys]`, context `[batch, queries, key_size]`.
 *
 * W [s; h] = W_s s + W_h h, so s and h are projected once each and added over the
 * `[batch, queries, keys, attention]` grid, never concatenated there. tanh on that grid is slow on
 * wasm, so it is computed as tanh(x) = 2σ(2x) − 1 (exact; float32 agrees to ~2e-7):
 * vᵀ tanh(x) = (2v)ᵀ σ(2x) − Σv, the factors 2 folded into the small weights, not the grid.
 * Measured on wasm, grid [64, 11, 24, 32], forward and gradients, medians in ms on a loaded
 * 2-core machine: W applied to [s; h] built on the grid 380–1050; tanh of the sum 30–44; this
 * form 19–29, as fast as doubling the projections instead of the weights, reducing with mul+sum
 * instead of the matmul with v, or projecting s and h in one matmul (all within the noise).
 */
export function concatAttention(
  queries: tf.Tensor3D,
  keys: tf.Tensor3D,
  keyMask: tf.Tensor2D,
  kernel: tf.Tensor2D,
  scoreVector: tf.Tensor2D,
): AttentionResult {
  return tidy(() => {
    const [batch, queryCount, querySize] = queries.shape;
    const keyCount = keys.shape[1];
    const attentionSize = kernel.shape[1];
    const [queryKernel, keyKernel] = tf.split(tf.mul(kernel, 2), [querySize, keys.shape[2]], 0) as tf.Tensor2D[]; // 2W_s [query_size, attention], 2W_h [key_size, attention]
    const doubledQueries = tf.expandDims(linear(queries, queryKernel), 2); // [batch, queries, 1, attention]: 2 W_s s
    const doubledKeys = tf.expandDims(linear(keys, keyKernel), 1); // [batch, 1, keys, attention]: 2 W_h h
    const gate = tf.sigmoid(tf.add(doubledQueries, doubledKeys)); // [batch, queries, keys, attention]: σ(2 W [s; h])
    const flatGate = tf.reshape(gate, [batch * queryCount * keyCount, attentionSize]) as tf.Tensor2D; // [batch·queries·keys, attention]
    const summed = tf.sub(matMul(flatGate, tf.mul(scoreVector, 2)), tf.sum(scoreVector)); // [batch·queries·keys, 1]: (2v)ᵀσ − Σv
    const scores = tf.reshape(summed, [batch, queryCount, keyCount]) as tf.Tensor3D; // [batch, queries, keys]
    return attend(scores, keys, keyMask);
  });
}

/** The score function `weights.score` (see the functions above for the shapes). */
export function luongAttention(
  queries: tf.Tensor3D,
  keys: tf.Tensor3D,
  keyMask: tf.Tensor2D,
  weights: LuongAttentionWeights,
): AttentionResult {
  switch (weights.score) {
    case 'dot':
      return dotAttention(queries, keys, keyMask);
    case 'general':
      return generalAttention(queries, keys, keyMask, weights.kernel as tf.Tensor2D);
    case 'concat':
      return concatAttention(queries, keys, keyMask, weights.kernel as tf.Tensor2D, weights.scoreVector as tf.Tensor2D);
  }
}

/**
 * The attentional hidden state h̃ = tanh(W_c [c; s]): `context [..., value_size]`, `queries
 * [..., query_size]` (the decoder states), `kernel` W_c `[value_size + query_size, hidden]` →
 * `[..., hidden]`, computed as 2σ(2x) − 1 with the 2 folded into W_c (on wasm, [64, 11, 64]
 * with gradients: 5–6 ms against 9–10 ms for tanh, and 6–7 ms for two matmuls W_c1 c + W_c2 s
 * instead of one on [c; s]). Also returns the concatenation `[..., value_size + query_size]` it reads.
 */
export function attentionalHiddenState(
  context: tf.Tensor,
  queries: tf.Tensor,
  kernel: tf.Tensor2D,
): { combined: tf.Tensor; hidden: tf.Tensor } {
  return tf.tidy(() => {
    const combined = tf.concat([context, queries], -1); // [..., value_size + query_size]: [c; s]
    const gate = tf.sigmoid(linear(combined, tf.mul(kernel, 2) as tf.Tensor2D)); // [..., hidden]: σ(2 W_c [c; s])
    const hidden = tf.sub(tf.mul(gate, 2), 1); // [..., hidden]: tanh(W_c [c; s])
    return { combined, hidden };
  });
}
