import * as tf from '@tensorflow/tfjs-core';
import { matMul } from './matmul';

/**
 * `ids [...]` (int32) → one-hot `[..., depth]` float32. Built as int32 and cast: the wasm
 * backend's OneHot kernel ignores a float32 dtype and writes int32 bits into a float buffer
 * (1 reads back as 1.4e-45), which silently zeroes every embedding.
 */
export function oneHotFloat(ids: tf.Tensor, depth: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.oneHot(ids as tf.Tensor1D, depth), 'float32'));
}

/**
 * Embedding lookup as a one-hot matmul: `ids [batch, len]` (int32) and `table [vocab, embedding]`
 * give `[batch, len, embedding]`. Not `tf.gather`: its gradient needs `UnsortedSegmentSum`, which
 * the wasm backend lacks; one matmul trains on every backend and is fast for these small vocabularies.
 */
export function embed(ids: tf.Tensor2D, table: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, length] = ids.shape;
    const [vocab, width] = table.shape;
    const oneHot = oneHotFloat(tf.reshape(ids, [batch * length]), vocab) as tf.Tensor2D; // [batch*len, vocab]
    return tf.reshape(matMul(oneHot, table), [batch, length, width]) as tf.Tensor3D; // [batch, len, embedding]
  });
}

/** Embeds one token per example: `ids [batch]` → `[batch, embedding]` (used step by step when decoding). */
export function embedStep(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => matMul(oneHotFloat(ids, table.shape[0]) as tf.Tensor2D, table)); // [batch, embedding]
}

/**
 * `table [vocab, width]` rows at `ids [n]` (int32) → `[n, width]`, with the gradient of the table
 * written as a scatter-add (ScatterNd sums duplicate indices) instead of UnsortedSegmentSum, which
 * the wasm backend lacks. Forward and backward cost O(n · width), where the one-hot matmul of
 * `embed` costs O(n · vocab · width): for vocabularies of thousands of words (bert-mlm), the lookup
 * is what keeps a step fast.
 */
const gatherRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, ids, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([ids]);
  const shape = table.shape;
  return {
    value: tf.gather(table, ids), // [n, width]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedIds] = saved;
      const rows = tf.reshape(savedIds, [savedIds.size, 1]); // [n, 1]
      return [tf.scatterND(rows, dy, shape), tf.zerosLike(savedIds)]; // [vocab, width], none for the ids
    },
  };
}) as (table: tf.Tensor2D, ids: tf.Tensor1D) => tf.Tensor2D;

/**
 * Embedding lookup as a gather with a scatter-add gradient: `ids [batch, len]` (int32) and
 * `table [vocab, embedding]` give `[batch, len, embedding]`, the same values and gradients as
 * `embed`, at a cost independent of the vocabulary size. Trains on cpu and wasm.
 */
export function embedLookup(ids: tf.Tensor2D, table: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, length] = ids.shape;
    const flat = tf.reshape(ids, [batch * length]) as tf.Tensor1D; // [batch·len]
    return tf.reshape(gatherRows(table, flat), [batch, length, table.shape[1]]) as tf.Tensor3D; // [batch, len, embedding]
  });
}
