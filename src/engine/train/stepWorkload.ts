/**
 * One training step of a chapter's model, as a `() => void` for backend calibration
 * (`chooseBackend` in ../backend.ts): a throwaway model and optimiser on one real batch of the
 * run's data, so the timed work is the trainer's own step (forward, gradients, clip, optimiser)
 * at the run's sizes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../shared/course/chapter';
import type { Batch, Chapter, ChapterModel, RunData, TrainOptimizer } from '../chapters/contract';
import { clipByGlobalNorm, maskedCrossEntropy } from '../nn/loss';
import { Parameters } from '../nn/parameters';
import { createRandom } from '../random';
import { disposeBatch } from './batches';

export interface StepWorkload {
  /** One forward + backward + optimiser step. */
  step: () => void;
  dispose(): void;
}

/**
 * One step on a batch of the run's first epoch. Tensors are made on first use of each backend (a
 * model, optimiser and batch per backend), so `step` can alternate between backends without
 * moving tensors.
 */
export function trainingStepWorkload(chapter: Chapter, hyper: Hyperparameters, data: RunData, seed = 1): StepWorkload {
  const batches = data.epochBatches(1, Number(hyper.batchSize));
  const items = batches[Math.floor(batches.length / 2)] ?? batches[0];
  const clipNorm = typeof hyper.clipNorm === 'number' ? hyper.clipNorm : null;
  interface State {
    parameters: Parameters;
    model: ChapterModel;
    optimizer: TrainOptimizer;
    batch: Batch;
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
      const parameters = new Parameters(createRandom(seed));
      const model = chapter.createModel(parameters, hyper, data);
      const optimizer = chapter.createOptimizer(hyper, { parameters, stepsPerEpoch: batches.length });
      state = { parameters, model, optimizer, batch: data.batch(items) };
      states.set(tf.getBackend(), state);
    }
    const { model, batch, optimizer, parameters } = state;
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const output = model.forward(batch, { training: true, seed: 1 });
        const loss = maskedCrossEntropy(output.logits, batch.targets, batch.lossMask);
        return output.auxiliaryLoss ? (tf.add(loss, output.auxiliaryLoss) as tf.Scalar) : loss;
      }, parameters.list());
      optimizer.applyGradients(clipNorm === null ? grads : clipByGlobalNorm(grads, clipNorm), 1);
      value.dataSync(); // wait for the step (no backend here is asynchronous, but be sure)
    });
  };
  return { step, dispose };
}
