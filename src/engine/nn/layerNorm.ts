/**
 * Layer normalisation over the last axis (Ba, Kiros & Hinton 2016), as the Transformer uses it:
 *
 *   y = gain ⊙ (x − mean(x)) / √(var(x) + ε) + bias
 *
 * mean and (biased, divide-by-n) variance are taken over each position's d_model features, so
 * every position is normalised on its own: nothing mixes across the batch or across time.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Parameters } from './parameters';

/** ε of PyTorch's `nn.LayerNorm` and of the original Transformer implementations. */
export const LAYER_NORM_EPSILON = 1e-5;

export interface LayerNormWeights {
  gain: tf.Variable; // [width]
  bias: tf.Variable; // [width]
  epsilon: number;
}

/**
 * Creates `${prefix}/gain` (ones) and `${prefix}/bias` (zeros), both `[width]`: at the start the
 * layer only normalises, and training learns how much scale and shift to give back.
 */
export function createLayerNorm(
  parameters: Parameters,
  prefix: string,
  width: number,
  epsilon = LAYER_NORM_EPSILON,
): LayerNormWeights {
  return {
    gain: parameters.ones(`${prefix}/gain`, [width]),
    bias: parameters.zeros(`${prefix}/bias`, [width]),
    epsilon,
  };
}

/** `x [..., width]` → normalised `[..., width]` (same shape). */
export function layerNorm<T extends tf.Tensor>(x: T, weights: LayerNormWeights): T {
  return tf.tidy(() => {
    const width = x.shape[x.rank - 1];
    // 2-D rows: on wasm a broadcasting op over rank 2 is cheaper than the same op over rank 3–4.
    const rows = tf.reshape(x, [-1, width]) as tf.Tensor2D; // [positions, width]
    const mean = tf.mean(rows, 1, true); // [positions, 1]
    const centred = tf.sub(rows, mean); // [positions, width]
    const variance = tf.mean(tf.square(centred), 1, true); // [positions, 1]
    const normalised = tf.mul(centred, tf.rsqrt(tf.add(variance, weights.epsilon))); // [positions, width]
    const scaled = tf.add(tf.mul(normalised, weights.gain), weights.bias); // [positions, width]
    return tf.reshape(scaled, x.shape) as T; // [..., width]
  });
}
