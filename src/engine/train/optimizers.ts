/**
 * Optimisers as the trainer uses them (`TrainOptimizer`): a learning rate per step and a state
 * saved with the weights. Adam is tfjs-core's own; AdamW (decoupled weight decay, which tfjs-core
 * lacks) lives in nn/adamw.ts for the Transformer chapters.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainOptimizer } from '../chapters/contract';

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
