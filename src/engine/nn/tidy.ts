import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.tidy` for functions returning tensors inside plain objects and arrays with other fields
 * (names, numbers): tidy keeps every tensor it finds in the result and disposes the rest; its
 * TypeScript signature only accepts pure tensor containers.
 */
export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
