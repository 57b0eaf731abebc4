/**
 * One training step of a chapter's model, as a `() => void` for backend calibration
 * (`chooseBackend` in ../backend.ts): a throwaway model and optimiser on one real batch, so the
 * timed work is the trainer's own step (forward, gradients, clip, Adam) at the run's sizes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelSizes, TrainableChapter } from '../chapters/types';
import { clipByGlobalNorm, maskedCrossEntropy } from '../nn/loss';
import { Parameters } from '../nn/parameters';
import { createRandom } from '../random';
import { disposeBatch, makeBatch, type EncodedExample } from './batches';

export interface StepWorkload {
  /** One forward + backward + optimiser step. */
  step: () => void;
  dispose(): void;
}

/**
 * A batch like the trainer's (which groups examples by source length, see `shuffledBatches`):
 * `batchSize` examples around the median source length.
 */
export function representativeBatch(examples: EncodedExample[], batchSize: number): EncodedExample[] {
  const sorted = [...examples].sort((a, b) => a.sourceIds.length - b.sourceIds.length);
  const start = Math.max(0, Math.min(sorted.length - batchSize, Math.floor((sorted.length - batchSize) / 2)));
  return sorted.slice(start, start + batchSize);
}

/**
 * One step on `representativeBatch(train, batchSize)` of the run's training examples. Tensors are
 * created on first use of each backend (a model, optimiser and batch per backend), so `step` can
 * alternate between backends without moving tensors.
 */
export function trainingStepWorkload(
  chapter: TrainableChapter,
  sizes: ModelSizes,
  train: EncodedExample[],
  options: { batchSize: number; learningRate: number; clipNorm: number; seed?: number },
): StepWorkload {
  const items = representativeBatch(train, options.batchSize);
  interface State {
    parameters: Parameters;
    optimizer: tf.Optimizer;
    batch: ReturnType<typeof makeBatch>;
    model: ReturnType<TrainableChapter['createModel']>;
  }
  // One model, optimiser and batch per backend, so no step pays for moving tensors between them.
  const states = new Map<string, State>();
  const dispose = () => {
    for (const state of states.values()) {
      disposeBatch(state.batch);
      state.parameters.dispose();
      state.optimizer.dispose();
    }
    states.clear();
  };
  const step = () => {
    let state = states.get(tf.getBackend());
    if (!state) {
      const parameters = new Parameters(createRandom(options.seed ?? 1));
      const model = chapter.createModel(parameters, sizes);
      state = { parameters, model, optimizer: tf.train.adam(options.learningRate), batch: makeBatch(items) };
      states.set(tf.getBackend(), state);
    }
    const { model, batch, optimizer, parameters } = state;
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = model.teacherForced(batch);
        return maskedCrossEntropy(logits, batch.targetIds, batch.targetMask);
      }, parameters.list());
      optimizer.applyGradients(clipByGlobalNorm(grads, options.clipNorm));
      value.dataSync(); // wait for the step (no backend here is asynchronous, but be sure)
    });
  };
  return { step, dispose };
}
