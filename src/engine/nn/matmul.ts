/**
 * Matrix products whose gradients transpose explicitly.
 *
 * The gradient of C = A·B is dA = dC·Bᵀ and dB = Aᵀ·dC. TensorFlow.js computes these with
 * matMul's transpose flags, and the wasm backend's matmul is 5–15× slower with a transposed
 * operand than a plain transpose (a cheap copy) followed by an untransposed matmul: measured
 * on [1664,192]·[192,32]ᵀ, 11 ms against 0.8 ms. Every backward matmul of a training step took
 * that slow path, about half of the step. These wrappers have the same values and gradients.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Swaps the last two axes ([..., m, n] → [..., n, m]). */
function transposeLastTwo(x: tf.Tensor): tf.Tensor {
  const rank = x.rank;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return tf.transpose(x, perm);
}

/**
 * `a [..., m, k]` · `b [..., k, n]` → `[..., m, n]` (2-D, or 3-D batched with equal batch sizes).
 */
export const matMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedA, savedB] = saved;
      return [
        tf.matMul(dy as tf.Tensor3D, transposeLastTwo(savedB) as tf.Tensor3D),
        tf.matMul(transposeLastTwo(savedA) as tf.Tensor3D, dy as tf.Tensor3D),
      ];
    },
  };
}) as <T extends tf.Tensor>(a: T, b: tf.Tensor) => T;

/** `a [m, k]` · `b [k, n]` + `bias [n]` → `[m, n]`. */
export function matMulBias(a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return tf.add(matMul(a, b), bias) as tf.Tensor2D;
}
