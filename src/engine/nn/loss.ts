import * as tf from '@tensorflow/tfjs-core';
import { oneHotFloat } from './embedding';

/**
 * Mean cross-entropy over real (non-padding) target tokens.
 * `logits [batch, target_len, vocab]`, `targets [batch, target_len]` (int32 ids),
 * `mask [batch, target_len]` (1 = real token incl. `<eos>`, 0 = padding) → scalar.
 * Padding contributes neither to the sum nor to the count.
 */
export function maskedCrossEntropy(logits: tf.Tensor3D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const vocab = logits.shape[2];
    const logProbabilities = tf.logSoftmax(logits); // [batch, target_len, vocab]
    const truth = oneHotFloat(targets, vocab); // [batch, target_len, vocab]
    const tokenLoss = tf.neg(tf.sum(tf.mul(truth, logProbabilities), 2)); // [batch, target_len]
    return tf.div(tf.sum(tf.mul(tokenLoss, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/**
 * Scales every gradient by min(1, clipNorm / globalNorm) so their joint L2 norm is at most
 * `clipNorm`, without reading values back from the backend.
 */
export function clipByGlobalNorm(gradients: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const names = Object.keys(gradients);
    const squares = names.map((name) => tf.sum(tf.square(gradients[name])));
    const globalNorm = tf.sqrt(tf.addN(squares));
    const scale = tf.div(clipNorm, tf.maximum(globalNorm, clipNorm)); // 1 when the norm is already small
    const clipped: tf.NamedTensorMap = {};
    for (const name of names) clipped[name] = tf.mul(gradients[name], scale);
    return clipped;
  });
}
