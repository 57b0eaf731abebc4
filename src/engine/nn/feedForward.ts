/**
 * The position-wise feed-forward network of a Transformer layer (Vaswani et al. 2017, §3.3):
 *
 *   FFN(x) = W₂ · act(W₁ x + b₁) + b₂
 *
 * applied to every position separately with the same weights (so all positions go through one
 * matmul). The hidden layer is usually 4·d_model wide. `act` is ReLU (the original) or GELU (GPT-2,
 * BERT), in its tanh approximation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { linear } from './linear';
import type { Parameters } from './parameters';

export type FeedForwardActivation = 'relu' | 'gelu';

export interface FeedForwardWeights {
  hiddenKernel: tf.Variable; // [d_model, d_ff]: W₁
  hiddenBias: tf.Variable; // [d_ff]: b₁
  outputKernel: tf.Variable; // [d_ff, d_model]: W₂
  outputBias: tf.Variable; // [d_model]: b₂
}

/**
 * `${prefix}/hidden_kernel` `[modelSize, hiddenSize]`, `${prefix}/hidden_bias`,
 * `${prefix}/output_kernel` `[hiddenSize, modelSize]`, `${prefix}/output_bias`.
 */
export function createFeedForward(
  parameters: Parameters,
  prefix: string,
  modelSize: number,
  hiddenSize: number,
): FeedForwardWeights {
  return {
    hiddenKernel: parameters.glorot(`${prefix}/hidden_kernel`, modelSize, hiddenSize),
    hiddenBias: parameters.zeros(`${prefix}/hidden_bias`, [hiddenSize]),
    outputKernel: parameters.glorot(`${prefix}/output_kernel`, hiddenSize, modelSize),
    outputBias: parameters.zeros(`${prefix}/output_bias`, [modelSize]),
  };
}

/** 2·√(2/π): the tanh-approximation GELU written with a sigmoid, see `gelu`. */
const GELU_SIGMOID_SCALE = 2 * Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (Hendrycks & Gimpel; PyTorch `approximate='tanh'`):
 *
 *   0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))  =  x · σ(2·√(2/π)·(x + 0.044715·x³))
 *
 * since 0.5·(1 + tanh(z)) = σ(2z). Written with the sigmoid because the wasm backend's tanh kernel
 * is about 12× slower than its sigmoid. `x [...]` → `[...]`.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    const cubicTerm = tf.add(1, tf.mul(tf.square(x), 0.044715)); // [...]: 1 + 0.044715·x²
    const gateInput = tf.mul(tf.mul(x, cubicTerm), GELU_SIGMOID_SCALE); // [...]: 2√(2/π)·(x + 0.044715·x³)
    return tf.mul(x, tf.sigmoid(gateInput)) as T; // [...]
  });
}

/** `x [..., d_model]` → `[..., d_model]`; the hidden activations are `[..., d_ff]`. */
export function feedForward<T extends tf.Tensor>(
  x: T,
  weights: FeedForwardWeights,
  options: { activation?: FeedForwardActivation } = {},
): T {
  return tf.tidy(() => {
    const hidden = linear(x, weights.hiddenKernel as tf.Tensor2D, weights.hiddenBias as tf.Tensor1D); // [..., d_ff]
    const activated = (options.activation ?? 'relu') === 'gelu' ? gelu(hidden) : tf.relu(hidden); // [..., d_ff]
    return linear(activated, weights.outputKernel as tf.Tensor2D, weights.outputBias as tf.Tensor1D) as T; // [..., d_model]
  });
}
