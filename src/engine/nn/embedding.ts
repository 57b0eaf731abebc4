import * as tf from '@tensorflow/tfjs-core';

/**
 * Embedding lookup as a one-hot matmul: `ids [batch, len]` (int32) and `table [vocab, embedding]`
 * give `[batch, len, embedding]`. Not `tf.gather`: its gradient needs `UnsortedSegmentSum`, which
 * the wasm backend lacks; one matmul trains on every backend and is fast for these small vocabularies.
 */
export function embed(ids: tf.Tensor2D, table: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, length] = ids.shape;
    const [vocab, width] = table.shape;
    const oneHot = tf.oneHot(tf.reshape(ids, [batch * length]) as tf.Tensor1D, vocab, 1, 0, 'float32'); // [batch*len, vocab]
    return tf.reshape(tf.matMul(oneHot, table), [batch, length, width]) as tf.Tensor3D; // [batch, len, embedding]
  });
}

/** Embeds one token per example: `ids [batch]` → `[batch, embedding]` (used step by step when decoding). */
export function embedStep(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(tf.oneHot(ids, table.shape[0], 1, 0, 'float32'), table)); // [batch, embedding]
}
