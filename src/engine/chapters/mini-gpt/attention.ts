/**
 * Causal multi-head self-attention of a GPT block, for a whole window (training, probes) and for
 * one new token against cached keys and values (generation):
 *
 *   Q, K, V = x W_qkv + b                       one fused matmul, [batch·len, 3·d_model]
 *   weights = softmax(Q Kᵀ / √d_head + band)     band: 0 on and below the diagonal, −1e9 above
 *   output  = concat_heads(weights V) W_O + b_O
 *
 * Written for the wasm backend (docs/performance-mini-gpt.md has the measurements): every
 * projection is one 2-D matmul (XNNPACK's fast path); the heads are folded into the batch axis of
 * the two attention matmuls (`[batch·heads, len, d_head]`), Q·Kᵀ without transposing K (ops.ts);
 * one transpose splits all heads of Q, K and V; 1/√d_head scales the queries (fewer elements than
 * the scores); the causal mask is a constant additive band (filled once per length) added over 2-D
 * rows `[batch·heads, len·len] + [1, len·len]`, the broadcast wasm does fastest.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MASKED_SCORE } from '../../nn/masks';
import type { SelfAttentionWeights } from '../../nn/multiHeadAttention';
import { linear } from '../../nn/linear';
import { applyRope, type RotaryTables } from '../../nn/rope';
import { batchedMatMul, batchedMatMulT } from './ops';

/** The values of the constant masks, per window length: filled once in plain JS, uploaded per use (µs on wasm). */
const bandValues = new Map<number, { band: Float32Array; keep: Float32Array }>();

function masksOf(length: number): { band: Float32Array; keep: Float32Array } {
  let masks = bandValues.get(length);
  if (!masks) {
    const band = new Float32Array(length * length);
    const keep = new Float32Array(length * length);
    for (let query = 0; query < length; query++) {
      band.fill(MASKED_SCORE, query * length + query + 1, (query + 1) * length);
      keep.fill(1, query * length, query * length + query + 1);
    }
    masks = { band, keep };
    bandValues.set(length, masks);
  }
  return masks;
}

/** The additive causal band `[1, len·len]`: 0 where query i may see key j (j ≤ i), MASKED_SCORE above the diagonal. */
export function causalBand(length: number): tf.Tensor2D {
  return tf.tensor2d(masksOf(length).band, [1, length * length]); // [1, queries·keys]
}

/** The keep mask of the maps (1 = may attend): the lower triangle, `[1, 1, len, len]`. */
export function causalKeep(length: number): tf.Tensor4D {
  return tf.tensor4d(masksOf(length).keep, [1, 1, length, length]); // [1, 1, queries, keys]
}

// A type alias (not an interface) so tf.tidy accepts it as a tensor container.
export type WindowAttention = {
  /** `[batch, len, d_model]`: heads merged and projected by W_O. */
  output: tf.Tensor3D;
  /** `[batch, heads, queries, keys]`: each row sums to 1; keys after the query get exactly 0. */
  weights: tf.Tensor4D;
  queries: tf.Tensor4D; // [batch, heads, len, d_head], already divided by √d_head
  /** `[batch·kv_heads, len, d_head]`: the keys (what the KV cache keeps; rotated under RoPE). */
  keys: tf.Tensor3D;
  /** `[batch·kv_heads, len, d_head]`: the values (what the KV cache keeps). */
  values: tf.Tensor3D;
};

/** Query heads per key/value head: 1 for multi-head attention, `heads` for multi-query attention. */
function groupSize({ heads, kvHeads }: SelfAttentionWeights): number {
  if (heads % kvHeads !== 0) throw new Error(`${heads} query heads cannot share ${kvHeads} key/value heads equally`);
  return heads / kvHeads;
}

/**
 * Causal self-attention over a window `x [batch, len, d_model]`; `band` is `causalBand(len)`.
 *
 * Grouped-query attention (`w.kvHeads < w.heads`, modern-attention) needs no copy of the shared
 * keys and values: query head h reads key/value head ⌊h / group⌋, and since the query heads of one
 * group are neighbours, `[batch·heads, len, d_head]` is `[batch·kv_heads, group·len, d_head]` (a
 * reshape): the group's queries are stacked as more rows against the one K and V they share, and
 * every head is still one batched matmul. `rope` (the tables of positions 0..len−1) rotates Q and
 * K before the scores (nn/rope.ts); the keys kept for the cache are the rotated ones.
 */
export function causalSelfAttention(
  x: tf.Tensor3D,
  w: SelfAttentionWeights,
  band: tf.Tensor2D,
  rope?: RotaryTables,
): WindowAttention {
  return tf.tidy(() => {
    const [batch, length, modelSize] = x.shape;
    const { heads, kvHeads, headSize } = w;
    const group = groupSize(w);
    const qkv = linear(x, w.qkvKernel as tf.Tensor2D, w.qkvBias as tf.Tensor1D); // [batch, len, (heads + 2·kv_heads)·d_head]
    // The kernel's columns are [Q heads | K heads | V heads]: one transpose puts all heads before
    // the positions, then Q, K and V are contiguous blocks of heads.
    const byHead = tf.reshape(qkv, [batch, length, heads + 2 * kvHeads, headSize]); // [batch, len, heads + 2·kv_heads, d_head]
    const headsFirst = tf.transpose(byHead, [0, 2, 1, 3]); // [batch, heads + 2·kv_heads, len, d_head]
    const [q, k, v] = tf
      .split(headsFirst, [heads, kvHeads, kvHeads], 1)
      .map((part) => tf.reshape(part, [batch * part.shape[1]!, length, headSize]) as tf.Tensor3D); // [batch·heads | batch·kv_heads, len, d_head]
    const rotatedQ = rope ? applyRope(q, rope) : q; // [batch·heads, len, d_head]
    const keys = rope ? applyRope(k, rope) : k; // [batch·kv_heads, len, d_head]
    const queries = tf.mul(rotatedQ, 1 / Math.sqrt(headSize)) as tf.Tensor3D; // [batch·heads, len, d_head]: Q / √d_head
    const grouped = tf.reshape(queries, [batch * kvHeads, group * length, headSize]) as tf.Tensor3D; // [batch·kv_heads, group·len, d_head]
    const scores = batchedMatMulT(grouped, keys); // [batch·kv_heads, group·queries, keys]: Q Kᵀ / √d_head
    const masked = tf.add(tf.reshape(scores, [batch * heads, length * length]), band); // [batch·heads, queries·keys]
    const weights = tf.softmax(tf.reshape(masked, [batch * heads, length, length])); // [batch·heads, queries, keys]
    const groupedWeights = tf.reshape(weights, [batch * kvHeads, group * length, length]) as tf.Tensor3D; // [batch·kv_heads, group·queries, keys]
    const context = batchedMatMul(groupedWeights, v); // [batch·kv_heads, group·len, d_head]
    const merged = tf.reshape(tf.transpose(tf.reshape(context, [batch, heads, length, headSize]), [0, 2, 1, 3]), [
      batch,
      length,
      modelSize,
    ]); // [batch, len, heads·d_head]
    const output = linear(merged, w.outputKernel as tf.Tensor2D, w.outputBias as tf.Tensor1D) as tf.Tensor3D; // [batch, len, d_model]
    return {
      output,
      weights: tf.reshape(weights, [batch, heads, length, length]) as tf.Tensor4D,
      queries: tf.reshape(queries, [batch, heads, length, headSize]) as tf.Tensor4D,
      keys,
      values: v,
    };
  });
}

export type StepAttentionResult = {
  /** `[batch, d_model]`. */
  output: tf.Tensor2D;
  /** `[batch, heads, keys]`: the new token's row over every cached key and itself. */
  weights: tf.Tensor3D;
  keys: tf.Tensor3D; // [batch·kv_heads, keys, d_head]: the cache with the new key appended
  values: tf.Tensor3D; // [batch·kv_heads, keys, d_head]
};

/**
 * One new token `x [batch, d_model]` attending to the cached keys and values of the tokens before
 * it (`cachedKeys`, `cachedValues`: `[batch·kv_heads, t, d_head]`) and to itself. No mask:
 * everything in the cache is in the past. O(t) work for the t-th token. With RoPE, `rope` holds
 * the tables of the new token's own position (`[1, d_head]`, position t): rotating it as if it
 * were at position 0 is the classic mistake, and the cached-equals-uncached test catches it.
 */
export function cachedSelfAttention(
  x: tf.Tensor2D,
  w: SelfAttentionWeights,
  cachedKeys: tf.Tensor3D,
  cachedValues: tf.Tensor3D,
  rope?: RotaryTables,
): StepAttentionResult {
  return tf.tidy(() => {
    const [batch, modelSize] = x.shape;
    const { heads, kvHeads, headSize } = w;
    const group = groupSize(w);
    const qkv = linear(x, w.qkvKernel as tf.Tensor2D, w.qkvBias as tf.Tensor1D); // [batch, (heads + 2·kv_heads)·d_head]
    // One position: splitting the heads is a reshape, no transpose.
    const [q, k, v] = tf
      .split(tf.reshape(qkv, [batch, heads + 2 * kvHeads, headSize]), [heads, kvHeads, kvHeads], 1)
      .map((part) => tf.reshape(part, [batch * part.shape[1]!, 1, headSize]) as tf.Tensor3D); // [batch·heads | batch·kv_heads, 1, d_head]
    const rotatedQ = rope ? applyRope(q, rope) : q; // [batch·heads, 1, d_head]
    const newKey = rope ? applyRope(k, rope) : k; // [batch·kv_heads, 1, d_head]
    const query = tf.reshape(tf.mul(rotatedQ, 1 / Math.sqrt(headSize)), [
      batch * kvHeads,
      group,
      headSize,
    ]) as tf.Tensor3D; // [batch·kv_heads, group, d_head]
    const keys = tf.concat([cachedKeys, newKey], 1) as tf.Tensor3D; // [batch·kv_heads, t + 1, d_head]
    const values = tf.concat([cachedValues, v], 1) as tf.Tensor3D; // [batch·kv_heads, t + 1, d_head]
    const weights = tf.softmax(batchedMatMulT(query, keys)) as tf.Tensor3D; // [batch·kv_heads, group, t + 1]
    const context = tf.reshape(batchedMatMul(weights, values), [batch, modelSize]); // [batch, heads·d_head]
    const output = linear(context, w.outputKernel as tf.Tensor2D, w.outputBias as tf.Tensor1D) as tf.Tensor2D; // [batch, d_model]
    return { output, weights: tf.reshape(weights, [batch, heads, keys.shape[1]]) as tf.Tensor3D, keys, values };
  });
}
