/**
 * A GRU with its three gates fused into one matmul, and every input time step projected in one
 * matmul before the loop: on the wasm and cpu backends the number of ops, not their size, sets
 * the speed. Gate order in the fused kernels is [reset r, update z, candidate n]:
 *
 *   r = σ(W_r x + b_r + U_r h + c_r)          z = σ(W_z x + b_z + U_z h + c_z)
 *   n = tanh(W_n x + b_n + r ⊙ (U_n h + c_n))  h' = (1 − z) ⊙ n + z ⊙ h
 *
 * (the "reset after" form used by cuDNN, PyTorch and Keras' default).
 */
import * as tf from '@tensorflow/tfjs-core';
import { gruCell, gruSequence } from './gruSequence';
import { matMulBias } from './matmul';
import type { Parameters } from './parameters';

export interface GruWeights {
  hiddenSize: number;
  inputKernel: tf.Variable; // [input, 3·hidden]
  recurrentKernel: tf.Variable; // [hidden, 3·hidden]
  bias: tf.Variable; // [3·hidden]
  recurrentBias: tf.Variable; // [3·hidden]
}

export function createGru(parameters: Parameters, prefix: string, inputSize: number, hiddenSize: number): GruWeights {
  return {
    hiddenSize,
    inputKernel: parameters.glorot(`${prefix}/input_kernel`, inputSize, 3 * hiddenSize),
    recurrentKernel: parameters.glorot(`${prefix}/recurrent_kernel`, hiddenSize, 3 * hiddenSize),
    bias: parameters.zeros(`${prefix}/bias`, [3 * hiddenSize]),
    recurrentBias: parameters.zeros(`${prefix}/recurrent_bias`, [3 * hiddenSize]),
  };
}

/**
 * One GRU step from an already projected input (greedy decoding; training runs `runGru`).
 * `inputGates [batch, 2·hidden]` (W_rz x + b_rz), `inputCandidate [batch, hidden]` (W_n x + b_n),
 * `state [batch, hidden]` → new state `[batch, hidden]`.
 */
export function gruStep(
  inputGates: tf.Tensor2D,
  inputCandidate: tf.Tensor2D,
  state: tf.Tensor2D,
  weights: GruWeights,
): tf.Tensor2D {
  return tf.tidy(
    () =>
      gruCell(
        inputGates,
        inputCandidate,
        state,
        weights.recurrentKernel as tf.Tensor2D,
        weights.recurrentBias as tf.Tensor1D,
      ).state, // [batch, hidden]
  );
}

/** Projects every time step's input at once: `inputs [batch, len, input]` → gates `[batch, len, 2·hidden]` and candidates `[batch, len, hidden]`. */
export function projectGruInputs(
  inputs: tf.Tensor3D,
  weights: GruWeights,
): { gates: tf.Tensor3D; candidates: tf.Tensor3D } {
  return tf.tidy(() => {
    const [batch, length, width] = inputs.shape;
    const hidden = weights.hiddenSize;
    const projected = matMulBias(
      tf.reshape(inputs, [batch * length, width]) as tf.Tensor2D,
      weights.inputKernel as tf.Tensor2D,
      weights.bias as tf.Tensor1D,
    ); // [batch*len, 3·hidden]
    const [gates, candidates] = tf.split(projected, [2 * hidden, hidden], 1); // [batch*len, 2·hidden], [batch*len, hidden]
    return {
      gates: tf.reshape(gates, [batch, length, 2 * hidden]) as tf.Tensor3D, // [batch, len, 2·hidden]
      candidates: tf.reshape(candidates, [batch, length, hidden]) as tf.Tensor3D, // [batch, len, hidden]
    };
  });
}

/**
 * Runs the GRU over a whole sequence: `inputs [batch, len, input]`, `initialState [batch, hidden]`
 * → `[batch, len, hidden]`, the state after each position: `gruCell` at every position, as one op
 * with a hand-written backward pass (gruSequence.ts) whose gradients are bit for bit those autograd
 * gave the per-step graph.
 * Right padding needs no mask here: a left-to-right RNN's state at a real token never depends on
 * the padding after it. Take an example's final state with `stateAtLastToken`.
 */
export function runGru(inputs: tf.Tensor3D, initialState: tf.Tensor2D, weights: GruWeights): tf.Tensor3D {
  return tf.tidy(() => {
    const { gates, candidates } = projectGruInputs(inputs, weights);
    return gruSequence(
      gates,
      candidates,
      initialState,
      weights.recurrentKernel as tf.Tensor2D,
      weights.recurrentBias as tf.Tensor1D,
    ); // [batch, len, hidden]
  });
}

/**
 * Each example's state after its last real token: `outputs [batch, len, hidden]`, `mask [batch, len]`
 * (1 = token, 0 = padding) → `[batch, hidden]`. The last real token is the last position whose
 * mask is 1, whatever the mask holds before it (gaps included), picked with one one-hot product
 * for the whole batch instead of masking the state at every time step.
 */
export function stateAtLastToken(outputs: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const length = mask.shape[1];
    const positions = tf.range(1, length + 1, 1, 'float32'); // [len]: 1, 2, …, len
    const last = tf.argMax(tf.mul(mask, positions), 1); // [batch]: index of the last 1
    const isLast = tf.expandDims(tf.cast(tf.oneHot(last, length), 'float32'), 2); // [batch, len, 1]
    return tf.sum(tf.mul(outputs, isLast), 1) as tf.Tensor2D; // [batch, hidden]
  });
}
