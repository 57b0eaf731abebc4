/**
 * Multi-head attention (Vaswani et al. 2017, §3.2.2):
 *
 *   head_j = softmax(Q_j K_jᵀ / √d_head + mask) V_j        for j = 1..h
 *   output = concat(head_1, …, head_h) W_O + b_O
 *
 * Q_j, K_j, V_j are d_head = d_model / h wide, so h heads cost about what one d_model-wide head
 * would, but each head can attend to different positions.
 *
 * Built for the wasm and cpu backends, where the number of ops sets the speed:
 * - self-attention projects Q, K and V of all heads with ONE matmul (kernel `[d_model, 3·d_model]`,
 *   columns [Q heads | K heads | V heads], each head's d_head columns side by side);
 * - cross-attention projects Q from the decoder, and K, V together from the encoder memory;
 * - the attention of all heads is one batched matmul with the heads folded into the batch axis
 *   (`[batch·heads, queries, d_head]`), never a loop over heads.
 *
 * Where later variants slot in without changing callers: grouped-query attention (GQA/MQA, fewer
 * K/V heads than query heads) is the `kvHeads` field of the weights (the fused kernel is already laid
 * out as `heads + 2·kvHeads` blocks of d_head columns; the decoder that uses it groups the heads
 * in chapters/mini-gpt/attention.ts); rotary positions (RoPE) are nn/rope.ts, applied to the
 * queries and keys before the scores.
 */
import * as tf from '@tensorflow/tfjs-core';
import { linear } from './linear';
import { matMul } from './matmul';
import { maskedSoftmax } from './masks';
import type { Parameters } from './parameters';

/** The head geometry every multi-head weight set carries. */
export interface AttentionHeads {
  modelSize: number; // d_model
  heads: number; // h, query heads
  /** Key/value heads: `heads` for multi-head attention; GQA/MQA use fewer (each shared by heads / kvHeads query heads). */
  kvHeads: number;
  headSize: number; // d_head = d_model / h
}

export interface MultiHeadAttentionConfig {
  modelSize: number;
  heads: number;
  /**
   * Key/value heads (default `heads`). Fewer makes the weights of grouped-query attention: the fused
   * kernel's K and V blocks shrink to kv_heads·d_head columns each. Only self-attention whose caller
   * groups the heads itself uses it (the modern-attention chapter, via mini-gpt's attention.ts);
   * `attendHeads` still refuses it.
   */
  kvHeads?: number;
}

export interface SelfAttentionWeights extends AttentionHeads {
  qkvKernel: tf.Variable; // [d_model, 3·d_model]: [Q heads | K heads | V heads]
  qkvBias: tf.Variable; // [3·d_model]
  outputKernel: tf.Variable; // [d_model, d_model]: W_O
  outputBias: tf.Variable; // [d_model]
}

export interface CrossAttentionWeights extends AttentionHeads {
  queryKernel: tf.Variable; // [d_model, d_model]
  queryBias: tf.Variable; // [d_model]
  kvKernel: tf.Variable; // [memory_size, 2·d_model]: [K heads | V heads]
  kvBias: tf.Variable; // [2·d_model]
  outputKernel: tf.Variable; // [d_model, d_model]: W_O
  outputBias: tf.Variable; // [d_model]
}

export interface MultiHeadAttentionOptions {
  /** Divide the scores by √d_head (default true): keeps their spread, and softmax's gradient, independent of d_head. */
  scale?: boolean;
  /** Keep mask broadcastable to `[batch, heads, queries, keys]`: 1 = may attend, 0 = forbidden (see masks.ts). */
  keep?: tf.Tensor;
  /** Added to forbidden scores (default −1e9: their weight is exactly 0; a weak −5 lets weight leak). */
  maskValue?: number;
}

// A type alias, not an interface: tf.tidy returns it, and only type aliases get the implicit index signature of a TensorContainer.
export type MultiHeadAttentionResult = {
  /** `[batch, queries, d_model]`: the heads merged and projected by W_O. */
  output: tf.Tensor3D;
  /** `[batch, heads, queries, keys]`: softmax over keys, every row sums to 1, forbidden keys get (about) 0. */
  weights: tf.Tensor4D;
  /** `[batch, heads, queries, keys]`: Q Kᵀ, divided by √d_head when scaling; before the mask is applied. */
  scores: tf.Tensor4D;
  query: tf.Tensor4D; // [batch, heads, queries, d_head]
  key: tf.Tensor4D; // [batch, kv_heads, keys, d_head]
  value: tf.Tensor4D; // [batch, kv_heads, keys, d_head]
};

function headGeometry({ modelSize, heads, kvHeads = heads }: MultiHeadAttentionConfig): AttentionHeads {
  if (!Number.isInteger(heads) || heads < 1 || modelSize % heads !== 0) {
    throw new Error(`d_model ${modelSize} must split into ${heads} equal heads`);
  }
  if (!Number.isInteger(kvHeads) || kvHeads < 1 || heads % kvHeads !== 0) {
    throw new Error(`${heads} query heads cannot share ${kvHeads} key/value heads equally`);
  }
  return { modelSize, heads, kvHeads, headSize: modelSize / heads };
}

/** Glorot limit of a [fanIn, fanOut] matrix: each block of a fused kernel gets its own matrix's limit. */
function glorotLimit(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}

/**
 * Self-attention weights: `${prefix}/qkv_kernel` `[d_model, 3·d_model]`, `${prefix}/qkv_bias`,
 * `${prefix}/output_kernel` `[d_model, d_model]`, `${prefix}/output_bias`.
 */
export function createSelfAttention(
  parameters: Parameters,
  prefix: string,
  config: MultiHeadAttentionConfig,
): SelfAttentionWeights {
  const geometry = headGeometry(config);
  const d = geometry.modelSize;
  const projected = (geometry.heads + 2 * geometry.kvHeads) * geometry.headSize;
  return {
    ...geometry,
    // Each of the Q, K and V blocks starts like its own [d_model, d_model] Glorot matrix.
    qkvKernel: parameters.uniform(`${prefix}/qkv_kernel`, d, projected, glorotLimit(d, d)),
    qkvBias: parameters.zeros(`${prefix}/qkv_bias`, [projected]),
    outputKernel: parameters.glorot(`${prefix}/output_kernel`, d, d),
    outputBias: parameters.zeros(`${prefix}/output_bias`, [d]),
  };
}

/**
 * Cross-attention weights: `${prefix}/query_kernel` `[d_model, d_model]`, `${prefix}/query_bias`,
 * `${prefix}/kv_kernel` `[memory_size, 2·d_model]`, `${prefix}/kv_bias`, `${prefix}/output_kernel`,
 * `${prefix}/output_bias`. `memorySize` (the encoder's width) defaults to d_model.
 */
export function createCrossAttention(
  parameters: Parameters,
  prefix: string,
  config: MultiHeadAttentionConfig & { memorySize?: number },
): CrossAttentionWeights {
  const geometry = headGeometry(config);
  const d = geometry.modelSize;
  const memorySize = config.memorySize ?? d;
  const kvWidth = 2 * geometry.kvHeads * geometry.headSize;
  return {
    ...geometry,
    queryKernel: parameters.glorot(`${prefix}/query_kernel`, d, d),
    queryBias: parameters.zeros(`${prefix}/query_bias`, [d]),
    kvKernel: parameters.uniform(`${prefix}/kv_kernel`, memorySize, kvWidth, glorotLimit(memorySize, d)),
    kvBias: parameters.zeros(`${prefix}/kv_bias`, [kvWidth]),
    outputKernel: parameters.glorot(`${prefix}/output_kernel`, d, d),
    outputBias: parameters.zeros(`${prefix}/output_bias`, [d]),
  };
}

/** `x [batch, len, heads·d_head]` → `[batch, heads, len, d_head]`: each head's columns become its own matrix. */
export function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, length, width] = x.shape;
    const byHead = tf.reshape(x, [batch, length, heads, width / heads]); // [batch, len, heads, d_head]
    return tf.transpose(byHead, [0, 2, 1, 3]) as tf.Tensor4D; // [batch, heads, len, d_head]
  });
}

/** `x [batch, heads, len, d_head]` → `[batch, len, heads·d_head]`: the inverse of splitHeads (concat of heads). */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, heads, length, headSize] = x.shape;
    const byPosition = tf.transpose(x, [0, 2, 1, 3]); // [batch, len, heads, d_head]
    return tf.reshape(byPosition, [batch, length, heads * headSize]) as tf.Tensor3D; // [batch, len, heads·d_head]
  });
}

/**
 * Splits a fused projection `[batch, len, Σ headCounts·d_head]` into one `[batch, count, len, d_head]`
 * tensor per entry of `headCounts` (e.g. [h, h, h] for Q, K, V; [h, kv_h, kv_h] with grouped heads).
 * One transpose moves the head axis before the time axis for all of them; they are then cut apart
 * along the head axis. (Cutting the columns first and transposing three times measured the same on
 * wasm: there a slice copies its whole source, so any split costs about the same.)
 */
export function splitFusedHeads(projected: tf.Tensor3D, headCounts: number[], headSize: number): tf.Tensor4D[] {
  const [batch, length] = projected.shape;
  const totalHeads = headCounts.reduce((a, b) => a + b, 0);
  const heads = splitHeads(projected, totalHeads); // [batch, all_heads, len, d_head]
  const flat = tf.reshape(heads, [batch, totalHeads, length * headSize]); // [batch, all_heads, len·d_head]
  return tf
    .split(flat, headCounts, 1) // [batch, count, len·d_head] each
    .map((part, i) => tf.reshape(part, [batch, headCounts[i], length, headSize]) as tf.Tensor4D); // [batch, count, len, d_head]
}

/**
 * Scaled dot-product attention for every head at once.
 * `query [batch, heads, queries, d_head]`, `key` and `value` `[batch, kv_heads, keys, d_head]`
 * → `context [batch, heads, queries, d_head]`, `weights` and `scores` `[batch, heads, queries, keys]`.
 */
export function attendHeads(
  query: tf.Tensor4D,
  key: tf.Tensor4D,
  value: tf.Tensor4D,
  options: MultiHeadAttentionOptions = {},
): { context: tf.Tensor4D; weights: tf.Tensor4D; scores: tf.Tensor4D } {
  return tf.tidy(() => {
    const [batch, heads, queries, headSize] = query.shape;
    const keys = key.shape[2];
    if (key.shape[1] !== heads) throw new Error('grouped K/V heads (kvHeads < heads) are not implemented yet');
    // Heads folded into the batch: one batched matmul for all heads, 3-D as the backends' kernels want.
    const q = tf.reshape(query, [batch * heads, queries, headSize]); // [batch·heads, queries, d_head]
    const k = tf.reshape(key, [batch * heads, keys, headSize]); // [batch·heads, keys, d_head]
    const v = tf.reshape(value, [batch * heads, keys, headSize]); // [batch·heads, keys, d_head]
    // An explicit transpose and the matMul wrapper, as in all trainable code. (For these batched
    // matmuls a transpose flag measured the same on wasm; for 2-D ones it is 5–15× slower.)
    const kT = tf.transpose(k, [0, 2, 1]); // [batch·heads, d_head, keys]
    let scores = matMul(q, kT); // [batch·heads, queries, keys]
    if (options.scale ?? true) scores = tf.div(scores, Math.sqrt(headSize)); // [batch·heads, queries, keys]
    const scores4 = tf.reshape(scores, [batch, heads, queries, keys]) as tf.Tensor4D; // [batch, heads, queries, keys]
    // Unfolded for the mask, which broadcasts over [batch, heads, queries, keys].
    const weights = maskedSoftmax(scores4, options.keep, options.maskValue) as tf.Tensor4D; // [batch, heads, queries, keys]
    const folded = tf.reshape(weights, [batch * heads, queries, keys]); // [batch·heads, queries, keys]
    const context = matMul(folded, v); // [batch·heads, queries, d_head]
    return {
      context: tf.reshape(context, [batch, heads, queries, headSize]) as tf.Tensor4D, // [batch, heads, queries, d_head]
      weights,
      scores: scores4,
    };
  });
}

/** Attention of split heads, then heads merged and projected by W_O. */
function attendAndProject(
  query: tf.Tensor4D,
  key: tf.Tensor4D,
  value: tf.Tensor4D,
  outputKernel: tf.Variable,
  outputBias: tf.Variable,
  options: MultiHeadAttentionOptions,
): MultiHeadAttentionResult {
  return tf.tidy(() => {
    const { context, weights, scores } = attendHeads(query, key, value, options); // context [batch, heads, queries, d_head]
    const merged = mergeHeads(context); // [batch, queries, d_model]
    const output = linear(merged, outputKernel as tf.Tensor2D, outputBias as tf.Tensor1D) as tf.Tensor3D; // [batch, queries, d_model]
    return { output, weights, scores, query, key, value };
  });
}

/**
 * Multi-head self-attention: queries, keys and values all come from `x [batch, len, d_model]`.
 * → output `[batch, len, d_model]`, weights and scores `[batch, heads, len, len]`,
 * query/key/value `[batch, heads, len, d_head]`.
 */
export function selfAttention(
  x: tf.Tensor3D,
  weights: SelfAttentionWeights,
  options: MultiHeadAttentionOptions = {},
): MultiHeadAttentionResult {
  return tf.tidy(() => {
    const { heads, kvHeads, headSize } = weights;
    const projected = linear(x, weights.qkvKernel as tf.Tensor2D, weights.qkvBias as tf.Tensor1D) as tf.Tensor3D; // [batch, len, (h + 2·kv_h)·d_head]
    const [query, key, value] = splitFusedHeads(projected, [heads, kvHeads, kvHeads], headSize); // [batch, h | kv_h, len, d_head]
    return attendAndProject(query, key, value, weights.outputKernel, weights.outputBias, options);
  });
}

/**
 * Multi-head cross-attention: queries from the decoder `x [batch, queries, d_model]`, keys and
 * values from the encoder's `memory [batch, keys, memory_size]`.
 * → output `[batch, queries, d_model]`, weights and scores `[batch, heads, queries, keys]`,
 * query `[batch, heads, queries, d_head]`, key/value `[batch, heads, keys, d_head]`.
 */
export function crossAttention(
  x: tf.Tensor3D,
  memory: tf.Tensor3D,
  weights: CrossAttentionWeights,
  options: MultiHeadAttentionOptions = {},
): MultiHeadAttentionResult {
  return tf.tidy(() => {
    const { heads, kvHeads, headSize } = weights;
    const projectedQuery = linear(x, weights.queryKernel as tf.Tensor2D, weights.queryBias as tf.Tensor1D); // [batch, queries, d_model]
    const query = splitHeads(projectedQuery as tf.Tensor3D, heads); // [batch, heads, queries, d_head]
    const projectedMemory = linear(memory, weights.kvKernel as tf.Tensor2D, weights.kvBias as tf.Tensor1D); // [batch, keys, 2·kv_h·d_head]
    const [key, value] = splitFusedHeads(projectedMemory as tf.Tensor3D, [kvHeads, kvHeads], headSize); // [batch, kv_h, keys, d_head]
    return attendAndProject(query, key, value, weights.outputKernel, weights.outputBias, options);
  });
}
