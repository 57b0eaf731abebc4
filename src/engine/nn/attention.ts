/**
 * Attention functions. Each returns the output (context) and the weights, so the lab can show
 * where every position looked.
 */
import * as tf from '@tensorflow/tfjs-core';
import { linear } from './linear';
import { matMul } from './matmul';
import { maskedSoftmax } from './masks';
import type { Parameters } from './parameters';

export interface AttentionResult {
  /** Unnormalised scores `[batch, queries, keys]` (masked positions not yet penalised). */
  scores: tf.Tensor3D;
  /** softmax of the scores over keys `[batch, queries, keys]`: every row sums to 1, masked keys get 0. */
  weights: tf.Tensor3D;
  /** weights @ values `[batch, queries, value_size]`: what each query retrieved. */
  context: tf.Tensor3D;
}

export interface AdditiveAttentionWeights {
  queryKernel: tf.Variable; // [query_size, attention]
  keyKernel: tf.Variable; // [key_size, attention]
  bias: tf.Variable; // [attention]
  scoreVector: tf.Variable; // [attention, 1]
}

export function createAdditiveAttention(
  parameters: Parameters,
  prefix: string,
  querySize: number,
  keySize: number,
  attentionSize: number,
): AdditiveAttentionWeights {
  return {
    queryKernel: parameters.glorot(`${prefix}/query_kernel`, querySize, attentionSize),
    keyKernel: parameters.glorot(`${prefix}/key_kernel`, keySize, attentionSize),
    bias: parameters.zeros(`${prefix}/bias`, [attentionSize]),
    scoreVector: parameters.glorot(`${prefix}/score_vector`, attentionSize, 1),
  };
}

/** `keys [batch, keys, key_size]` → `W_k k + b` `[batch, keys, attention]`: computed once per source, reused by every query. */
export function projectKeys(keys: tf.Tensor3D, weights: AdditiveAttentionWeights): tf.Tensor3D {
  return linear(keys, weights.keyKernel as tf.Tensor2D, weights.bias as tf.Tensor1D) as tf.Tensor3D;
}

/**
 * Additive (Bahdanau-style) attention, all queries at once:
 *   score(q, k) = vᵀ tanh(W_q q + W_k k + b),  weights = softmax over keys,  context = weights @ values.
 * `queries [batch, queries, query_size]`, `projectedKeys [batch, keys, attention]` (from projectKeys),
 * `values [batch, keys, value_size]`, `keyMask [batch, keys]` (1 = real token, 0 = padding).
 *
 * tanh over the `[batch, queries, keys, attention]` tensor dominated a training step on wasm
 * (its tanh kernel is ~15× slower than sigmoid), so it is computed as tanh(x) = 2σ(2x) − 1:
 * vᵀ tanh(x) = (2v)ᵀ σ(2x) − Σv. The identity is exact; float32 agrees to ~2e-7.
 */
export function additiveAttention(
  queries: tf.Tensor3D,
  projectedKeys: tf.Tensor3D,
  values: tf.Tensor3D,
  keyMask: tf.Tensor2D,
  weights: AdditiveAttentionWeights,
): AttentionResult {
  return tf.tidy(() => {
    const [batch, queryCount] = queries.shape;
    const keyCount = projectedKeys.shape[1];
    const attentionSize = projectedKeys.shape[2];
    const doubledQueries = tf.expandDims(tf.mul(linear(queries, weights.queryKernel as tf.Tensor2D), 2), 2); // [batch, queries, 1, attention]
    const doubledKeys = tf.expandDims(tf.mul(projectedKeys, 2), 1); // [batch, 1, keys, attention]
    const gate = tf.sigmoid(tf.add(doubledQueries, doubledKeys)); // [batch, queries, keys, attention]
    const v = weights.scoreVector as tf.Tensor2D; // [attention, 1]
    const flatGate = tf.reshape(gate, [batch * queryCount * keyCount, attentionSize]) as tf.Tensor2D; // [batch·queries·keys, attention]
    const scores = tf.reshape(tf.sub(matMul(flatGate, tf.mul(v, 2)), tf.sum(v)), [
      batch,
      queryCount,
      keyCount,
    ]) as tf.Tensor3D; // [batch, queries, keys]
    const attentionWeights = maskedSoftmax(scores, tf.expandDims(keyMask, 1)) as tf.Tensor3D; // [batch, queries, keys]
    const context = matMul(attentionWeights, values); // [batch, queries, value_size]
    return { scores, weights: attentionWeights, context: context as tf.Tensor3D };
  });
}

/**
 * Dot-product attention: softmax(Q Kᵀ / √d_k) V when `scale` is true (the Transformer's form),
 * softmax(Q Kᵀ) V otherwise. `query [batch, queries, d_k]`, `key [batch, keys, d_k]`,
 * `value [batch, keys, d_v]`, optional `keep` broadcastable to `[batch, queries, keys]`.
 */
export function dotProductAttention(
  query: tf.Tensor3D,
  key: tf.Tensor3D,
  value: tf.Tensor3D,
  options: { scale?: boolean; keep?: tf.Tensor } = {},
): AttentionResult {
  return tf.tidy(() => {
    const depth = query.shape[2];
    let scores = matMul(query, tf.transpose(key, [0, 2, 1])) as tf.Tensor3D; // [batch, queries, keys]
    if (options.scale ?? true) scores = tf.div(scores, Math.sqrt(depth)) as tf.Tensor3D;
    const weights = maskedSoftmax(scores, options.keep) as tf.Tensor3D; // [batch, queries, keys]
    return { scores, weights, context: matMul(weights, value) as tf.Tensor3D }; // context [batch, queries, d_v]
  });
}
