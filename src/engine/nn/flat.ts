/**
 * One vector of many tensors and back: the optimisers (adam.ts, adamw.ts) update every parameter
 * at once on such vectors, since their updates are elementwise and on wasm every kernel costs
 * 5–50 µs however small. The same float32 values either way: only the layout changes.
 */
import * as tf from '@tensorflow/tfjs-core';

/** `[Σ sizes]`: the tensors' values one after another, each read in row-major order (as float32). */
export function flatten(tensors: tf.Tensor[]): tf.Tensor1D {
  // No cast of float32 tensors: tf.cast would copy each one, every step.
  const float = (tensor: tf.Tensor) => (tensor.dtype === 'float32' ? tensor : tf.cast(tensor, 'float32'));
  return tf.concat(tensors.map((tensor) => tf.reshape(float(tensor), [-1]))) as tf.Tensor1D; // [parameters]
}

/** The tensors of `shapes` that `flatten` joined into `flat`. */
export function unflatten(flat: tf.Tensor, shapes: number[][]): tf.Tensor[] {
  const parts = tf.split(
    flat,
    shapes.map((shape) => tf.util.sizeFromShape(shape)),
  );
  return parts.map((part, i) => tf.reshape(part, shapes[i]));
}
