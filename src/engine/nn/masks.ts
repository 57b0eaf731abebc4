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
 * Softmax over the last axis that gives masked keys exactly 0 weight.
 * `scores [..., keys]`, `keep` broadcastable to it (1 = keep, 0 = mask) → weights `[..., keys]`,
 * each row summing to 1 over the kept keys.
 */
export function maskedSoftmax(scores: tf.Tensor, keep?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    if (!keep) return tf.softmax(scores);
    const penalty = tf.mul(tf.sub(1, keep), MASKED_SCORE); // 0 where kept, -1e9 where masked
    return tf.softmax(tf.add(scores, penalty));
  });
}
