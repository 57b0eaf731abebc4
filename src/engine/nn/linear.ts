import * as tf from '@tensorflow/tfjs-core';
import { matMul, matMulBias } from './matmul';

/**
 * A dense layer over the last axis, for any leading shape: `x [..., in]` @ `kernel [in, out]` + `bias [out]`
 * → `[..., out]`. All positions go through one matmul (no loop over time steps).
 */
export function linear(x: tf.Tensor, kernel: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const inputWidth = x.shape[x.shape.length - 1];
    const leading = x.shape.slice(0, -1);
    const flat = tf.reshape(x, [-1, inputWidth]) as tf.Tensor2D; // [positions, in]
    const projected = bias ? matMulBias(flat, kernel, bias) : matMul(flat, kernel); // [positions, out]
    return tf.reshape(projected, [...leading, kernel.shape[1]]); // [..., out]
  });
}
