/**
 * Optimisers as the trainer uses them (`TrainOptimizer`): a learning rate per step and a state
 * saved with the weights. Adam is tfjs-core's own; AdamW (decoupled weight decay, which tfjs-core
 * lacks) lives in nn/adamw.ts for the Transformer chapters.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainOptimizer } from '../chapters/contract';
import { AdamW, type AdamWOptions } from '../nn/adamw';
import type { Parameters } from '../nn/parameters';
import type { LearningRateSchedule } from '../nn/schedule';

/** tfjs-core's Adam at a constant learning rate (β1 0.9, β2 0.999, ε 1e-7, its defaults). */
export function adamOptimizer(learningRate: number): TrainOptimizer {
  const adam = tf.train.adam(learningRate);
  return {
    applyGradients: (gradients) => (adam as tf.Optimizer).applyGradients(gradients),
    learningRate: () => learningRate,
    // [iterations, ...first moments, ...second moments]. The iterations scalar is made anew by
    // getWeights; the moments are the optimiser's own variables: hand out clones the caller disposes.
    getWeights: async () => {
      const weights = await adam.getWeights();
      const clones = weights.map(({ name, tensor }) => ({ name, tensor: tf.clone(tensor) }));
      weights[0]?.tensor.dispose();
      return clones;
    },
    setWeights: (weights) => adam.setWeights(weights),
    dispose: () => adam.dispose(),
  };
}

/**
 * AdamW (decoupled weight decay, nn/adamw.ts) with a learning-rate schedule evaluated at every
 * step (warm-up, cosine decay, the original inverse square root: nn/schedule.ts).
 */
export function adamwOptimizer(
  parameters: Parameters,
  schedule: LearningRateSchedule,
  options: Omit<AdamWOptions, 'learningRate'> = {},
): TrainOptimizer {
  const adamw = new AdamW(parameters, { ...options, learningRate: schedule(1) });
  return {
    applyGradients: (gradients, step) => {
      adamw.learningRate = schedule(step);
      adamw.applyGradients(gradients);
    },
    learningRate: (step) => schedule(step),
    getWeights: async () => {
      // The first is a new scalar; the moments are the optimiser's own variables: clones to dispose.
      const weights = await adamw.getWeights();
      const clones = weights.map(({ name, tensor }) => ({ name, tensor: tf.clone(tensor) }));
      weights[0]?.tensor.dispose();
      return clones;
    },
    setWeights: (weights) => adamw.setWeights(weights),
    dispose: () => adamw.dispose(),
  };
}
