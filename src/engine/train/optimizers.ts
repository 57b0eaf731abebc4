/**
 * Optimisers as the trainer uses them (`TrainOptimizer`): a learning rate per step and a state
 * saved with the weights. Adam gives tf.train.adam's values, computed on one flat vector of all
 * parameters (nn/adam.ts); AdamW (decoupled weight decay, which tfjs-core lacks) lives in
 * nn/adamw.ts for the Transformer chapters.
 */
import type { TrainOptimizer } from '../chapters/contract';
import { FlatAdam } from '../nn/adam';
import { AdamW, type AdamWOptions } from '../nn/adamw';
import type { Parameters } from '../nn/parameters';
import type { LearningRateSchedule } from '../nn/schedule';

/**
 * Adam at a constant learning rate, with tf.train.adam's values and saved state (β1 0.9, β2 0.999,
 * ε 1e-7), computed on all parameters at once (nn/adam.ts: about 240 kernels fewer per step).
 */
export function adamOptimizer(learningRate: number): TrainOptimizer {
  const adam = new FlatAdam(learningRate);
  return {
    applyGradients: (gradients) => adam.applyGradients(gradients),
    learningRate: () => learningRate,
    getWeights: () => adam.getWeights(), // all new tensors, the caller disposes them
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
    getWeights: () => adamw.getWeights(), // all new tensors, the caller disposes them
    setWeights: (weights) => adamw.setWeights(weights),
    dispose: () => adamw.dispose(),
  };
}
