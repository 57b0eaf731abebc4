/**
 * Operations of the chapter with gradients arranged for the wasm backend (measured in
 * docs/performance-mini-gpt.md); same values and gradients as the plain TensorFlow.js ones.
 *
 * - Batched products (`[batch·heads, …]`, attention) never reach XNNPACK (only 2-D products do):
 *   they run a plain loop that reads a transposed operand as fast as a plain one. So these use the
 *   transpose flags, forward and backward, and `Q·Kᵀ` is one call with no transpose of K. (2-D
 *   products keep nn/matmul's explicit transposes: there a flag is 10–20× slower.)
 * - The embedding is a gather whose gradient is a scatter, not a one-hot matmul.
 */
import * as tf from '@tensorflow/tfjs-core';

/** `a [batch, m, k]` · `b [batch, n, k]`ᵀ → `[batch, m, n]` (Q·Kᵀ). */
export const batchedMatMulT = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b, false, true),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedA, savedB] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [
        tf.matMul(dy as tf.Tensor3D, savedB), // [batch, m, n]·[batch, n, k] → dA [batch, m, k]
        tf.matMul(dy as tf.Tensor3D, savedA, true, false), // [batch, m, n]ᵀ·[batch, m, k] → dB [batch, n, k]
      ];
    },
  };
}) as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;

/** `a [batch, m, k]` · `b [batch, k, n]` → `[batch, m, n]` (weights · V). */
export const batchedMatMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedA, savedB] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [
        tf.matMul(dy as tf.Tensor3D, savedB, false, true), // [batch, m, n]·[batch, k, n]ᵀ → dA [batch, m, k]
        tf.matMul(savedA, dy as tf.Tensor3D, true, false), // [batch, m, k]ᵀ·[batch, m, n] → dB [batch, k, n]
      ];
    },
  };
}) as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;

/**
 * Embedding lookup `ids [...]` (int32) in `table [vocab, width]` → `[..., width]` as a gather, whose
 * gradient scatters each position's gradient back onto its row (rows that occur twice are summed):
 * O(tokens·width), where a one-hot matmul costs O(tokens·vocab·width) — 37× more for the ~3,000
 * characters of the Chinese corpus. (tf.gather's own gradient needs a kernel wasm lacks.)
 */
export const embedRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, ids, save] = args as [tf.Tensor2D, tf.Tensor, tf.GradSaveFunc];
  save([ids]);
  const [vocab, width] = table.shape;
  return {
    value: tf.reshape(tf.gather(table, tf.reshape(ids, [-1])), [...ids.shape, width]), // [..., width]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedIds] = saved;
      const rows = tf.reshape(savedIds, [-1, 1]); // [tokens, 1]
      const dTable = tf.scatterND(rows, tf.reshape(dy, [-1, width]), [vocab, width]); // [vocab, width]
      return [dTable, tf.zerosLike(savedIds)];
    },
  };
}) as (table: tf.Tensor2D, ids: tf.Tensor) => tf.Tensor;
