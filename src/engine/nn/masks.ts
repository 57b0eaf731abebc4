/**
 * Masks for attention. A mask is a float tensor of 1 (may be attended) and 0 (never attended),
 * broadcastable against the scores `[..., queries, keys]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PAD_ID } from '../tasks/vocab';

/**
 * The large negative number added to masked scores before softmax. exp(-1e9 − max) underflows to
 * exactly 0 in float32, so masked positions get exactly zero weight. (A weak constant such as -1e4
 * would leave a little weight on masked positions: with a causal mask that lets a model peek at
 * the future.)
 */
export const MASKED_SCORE = -1e9;

/** `ids [batch, len]` → `[batch, len]`: 1 for real tokens, 0 for `<pad>`. */
export function paddingMask(ids: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.notEqual(ids, PAD_ID), 'float32') as tf.Tensor2D);
}

/** `[len, len]` lower triangle: position i may look at positions 0..i (itself and earlier ones). */
export function causalMask(length: number): tf.Tensor2D {
  return tf.tidy(() => tf.linalg.bandPart(tf.ones([length, length]), -1, 0) as tf.Tensor2D);
}

/**
 * Transformer keep mask for padding, built from token ids (never from embeddings: an embedding
 * can be anything, only the id says "this is <pad>"). `ids [batch, keys]` → `[batch, 1, 1, keys]`,
 * broadcastable to the scores `[batch, heads, queries, keys]`: no query in any head may attend to
 * a padded key.
 */
export function paddingKeepMask(ids: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, keys] = ids.shape;
    return tf.reshape(paddingMask(ids), [batch, 1, 1, keys]) as tf.Tensor4D; // [batch, 1, 1, keys]
  });
}

/**
 * Transformer causal keep mask `[1, 1, length, length]`: the lower triangle including the diagonal,
 * so query i may attend to keys 0..i and never to a later position. Filled in plain JS and uploaded:
 * on wasm that costs a few µs, where `bandPart(ones)` took about 2 ms at length 64.
 */
export function causalKeepMask(length: number): tf.Tensor4D {
  const keep = new Float32Array(length * length);
  for (let query = 0; query < length; query++) keep.fill(1, query * length, query * length + query + 1);
  return tf.tensor4d(keep, [1, 1, length, length]); // [1, 1, queries, keys]
}

/**
 * Combines keep masks: a key may be attended only if every mask allows it, which for 0/1 masks is
 * their product. E.g. padding `[batch, 1, 1, len]` × causal `[1, 1, len, len]` → `[batch, 1, len, len]`.
 */
export function combineKeepMasks(...masks: tf.Tensor[]): tf.Tensor {
  if (masks.length === 0) throw new Error('combineKeepMasks needs at least one mask');
  // Always a new tensor (a single mask is cloned), so the caller may dispose the result alone.
  return tf.tidy(() => masks.slice(1).reduce((product, mask) => tf.mul(product, mask), tf.clone(masks[0])));
}

/**
 * Softmax over the last axis that gives masked keys exactly 0 weight.
 * `scores [..., keys]`, `keep` broadcastable to it (1 = keep, 0 = mask) → weights `[..., keys]`,
 * each row summing to 1 over the kept keys. `maskValue` is added to masked scores: the default
 * MASKED_SCORE gives them exactly 0; a weak value (e.g. −5) lets some weight leak through.
 */
export function maskedSoftmax(scores: tf.Tensor, keep?: tf.Tensor, maskValue = MASKED_SCORE): tf.Tensor {
  return tf.tidy(() => {
    if (!keep) return tf.softmax(scores);
    const penalty = tf.mul(tf.sub(1, keep), maskValue); // 0 where kept, maskValue where masked
    return tf.softmax(tf.add(scores, penalty));
  });
}
