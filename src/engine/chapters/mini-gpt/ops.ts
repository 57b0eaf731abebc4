/**
 * Matrix products with gradients arranged for the wasm backend (measured in
 * docs/performance-mini-gpt.md). Same values and gradients as tf.matMul, other operation orders.
 *
 * - 2-D products run on XNNPACK, which packs its right operand on every call and is fastest
 *   with many rows: the weight gradient `aᵀ·dy` is computed as `(dyᵀ·a)ᵀ` when that packs the
 *   narrower operand (on `[768,128]ᵀ·[768,512]` 5× faster), and no operand is ever transposed
 *   by a flag (5–15× slower on that path).
 * - Batched products (`[batch·heads, …]`, attention) never reach XNNPACK: they run a plain loop
 *   that reads a transposed operand as fast as a plain one. There the flags are free, while an
 *   explicit transpose that moves the last axis is a slow element-by-element copy; so the
 *   gradients use the flags, and `Q·Kᵀ` is one call with no transpose at all.
 */
import * as tf from '@tensorflow/tfjs-core';

/** `a [m, k]` · `b [k, n]` → `[m, n]` (2-D only). */
export const dense = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedA, savedB] = saved as [tf.Tensor2D, tf.Tensor2D];
      const [, k] = savedA.shape;
      const n = savedB.shape[1];
      const dA = tf.matMul(dy as tf.Tensor2D, tf.transpose(savedB)); // [m, n]·[n, k] → [m, k]
      const dB =
        n > k
          ? tf.transpose(tf.matMul(tf.transpose(dy as tf.Tensor2D), savedA)) // ([n, m]·[m, k])ᵀ → [k, n]: packs a
          : tf.matMul(tf.transpose(savedA), dy as tf.Tensor2D); // [k, m]·[m, n] → [k, n]: packs dy
      return [dA, dB];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** `x [..., in]` · `kernel [in, out]` (+ `bias [out]`) → `[..., out]`, all positions in one `dense`. */
export function linearLayer(x: tf.Tensor, kernel: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const inputWidth = x.shape[x.rank - 1];
    const flat = tf.reshape(x, [-1, inputWidth]) as tf.Tensor2D; // [positions, in]
    const product = dense(flat, kernel); // [positions, out]
    const projected = bias ? tf.add(product, bias) : product; // [positions, out]
    return tf.reshape(projected, [...x.shape.slice(0, -1), kernel.shape[1]]); // [..., out]
  });
}

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
