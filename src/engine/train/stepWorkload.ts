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
 * `items` is one batch of the run's training examples (e.g. `train.slice(0, batchSize)`). Tensors
 * are created on first use, so whichever backend is current when `step` runs gets them.
 */
export function trainingStepWorkload(
  chapter: TrainableChapter,
  sizes: ModelSizes,
  items: EncodedExample[],
  options: { learningRate: number; clipNorm: number; seed?: number },
): StepWorkload {
  let state: {
    backend: string;
    parameters: Parameters;
    optimizer: tf.Optimizer;
    batch: ReturnType<typeof makeBatch>;
    model: ReturnType<TrainableChapter['createModel']>;
  } | null = null;
  const dispose = () => {
    if (!state) return;
    disposeBatch(state.batch);
    state.parameters.dispose();
    state.optimizer.dispose();
    state = null;
  };
  const step = () => {
    // A new backend: start again on it, so no step pays for moving tensors between backends.
    if (state && state.backend !== tf.getBackend()) dispose();
    if (!state) {
      const parameters = new Parameters(createRandom(options.seed ?? 1));
      const model = chapter.createModel(parameters, sizes);
      const optimizer = tf.train.adam(options.learningRate);
      state = { backend: tf.getBackend(), parameters, model, optimizer, batch: makeBatch(items) };
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
