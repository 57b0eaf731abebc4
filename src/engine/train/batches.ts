/** Helpers for the trainer's batches, whatever the chapter. */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../chapters/contract';

export function disposeBatch(batch: Batch): void {
  tf.dispose([...Object.values(batch.inputs), batch.targets, batch.lossMask]);
}
