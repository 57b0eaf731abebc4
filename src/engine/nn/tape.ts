/**
 * Names the tensors of a forward pass where they are created, for the lab's shape table:
 * `const encoderOutputs = tape('encoder_outputs', …); // [batch, source_len, hidden]`. The quoted
 * name on the line that creates a tensor is how the shape table finds that line (train/sources.ts).
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface Tape {
  <T extends tf.Tensor>(name: string, tensor: T): T;
  /** Every tensor named so far, in order. */
  readonly named: Record<string, tf.Tensor>;
}

export function createTape(): Tape {
  const named: Record<string, tf.Tensor> = {};
  const tape = (<T extends tf.Tensor>(name: string, tensor: T): T => {
    named[name] = tensor;
    return tensor;
  }) as Tape;
  Object.defineProperty(tape, 'named', { value: named });
  return tape;
}
