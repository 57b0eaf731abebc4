/**
 * The GRU over a whole sequence as one differentiable op, with its backward pass (backpropagation
 * through time) written by hand.
 *
 * Why: through autograd, every time step recorded 12 small ops, saved a copy of each op's inputs
 * (one Identity kernel per saved tensor) and ran about 40 kernels backward, most of them on
 * [batch, hidden] tensors where each kernel's fixed cost (5–50 µs) outweighs its arithmetic: about
 * 66 kernels a time step. Here a step costs 12 kernels forward and 15 backward, and the per-step
 * factors of the backward pass (σ' and tanh') are computed for all steps at once.
 *
 * The backward pass does the same arithmetic, in the same order, as TensorFlow.js's gradients of
 * the ops in `gruCell` (Sigmoid: dy·(y·(1−y)); Tanh: (1−y²)·dy; Sub: a − b; the per-step bias and
 * kernel gradients summed from the last step to the first, as the tape accumulates them), so on
 * the cpu and wasm backends the gradients are bit for bit those of the per-step graph
 * (test/engine/gruSequence.test.ts), and runs recorded before it reproduce exactly (port.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

/** One GRU step: the new state, and what the backward pass needs of the step. */
export interface GruCell {
  state: tf.Tensor2D; // [batch, hidden]: h' = (1 − z) ⊙ n + z ⊙ h
  gate: tf.Tensor2D; // [batch, 2·hidden]: [reset r, update z]
  candidate: tf.Tensor2D; // [batch, hidden]: n
  recurrentCandidate: tf.Tensor2D; // [batch, hidden]: U_n h + c_n
}

/**
 * The GRU's equations (gru.ts) for one step, from an already projected input: `inputGates
 * [batch, 2·hidden]` (W_rz x + b_rz), `inputCandidate [batch, hidden]` (W_n x + b_n), `state
 * [batch, hidden]`. The sequence's forward pass and `gruStep` (decoding) both run this.
 */
export function gruCell(
  inputGates: tf.Tensor2D,
  inputCandidate: tf.Tensor2D,
  state: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D, // [hidden, 3·hidden]
  recurrentBias: tf.Tensor1D, // [3·hidden]
): GruCell {
  const hidden = state.shape[1];
  const recurrent = tf.add(tf.matMul(state, recurrentKernel), recurrentBias); // [batch, 3·hidden]
  const [recurrentGates, recurrentCandidate] = tf.split(recurrent, [2 * hidden, hidden], 1) as tf.Tensor2D[]; // [batch, 2·hidden], [batch, hidden]
  const gate = tf.sigmoid(tf.add(inputGates, recurrentGates)) as tf.Tensor2D; // [batch, 2·hidden]
  const [reset, update] = tf.split(gate, 2, 1) as tf.Tensor2D[]; // [batch, hidden] each
  const candidate = tf.tanh(tf.add(inputCandidate, tf.mul(reset, recurrentCandidate))) as tf.Tensor2D; // [batch, hidden]
  const next = tf.add(candidate, tf.mul(update, tf.sub(state, candidate))) as tf.Tensor2D; // [batch, hidden]
  return { state: next, gate, candidate, recurrentCandidate };
}

type GruSequence = (
  inputGates: tf.Tensor3D, // [batch, len, 2·hidden]: W_rz x + b_rz for every position
  inputCandidates: tf.Tensor3D, // [batch, len, hidden]: W_n x + b_n
  initialState: tf.Tensor2D, // [batch, hidden]
  recurrentKernel: tf.Tensor2D, // [hidden, 3·hidden]
  recurrentBias: tf.Tensor1D, // [3·hidden]
) => tf.Tensor3D; // [batch, len, hidden]: the state after each position

/** The GRU's states over a sequence, `gruCell` at every position: see the file comment. */
export const gruSequence = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [inputGates, inputCandidates, initialState, recurrentKernel, recurrentBias, save] = args as [
    tf.Tensor3D,
    tf.Tensor3D,
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor1D,
    tf.GradSaveFunc,
  ];
  const gateSteps = tf.unstack(inputGates, 1) as tf.Tensor2D[]; // len × [batch, 2·hidden]
  const candidateSteps = tf.unstack(inputCandidates, 1) as tf.Tensor2D[]; // len × [batch, hidden]
  const previous: tf.Tensor2D[] = []; // len × [batch, hidden]: the state each step starts from
  const gates: tf.Tensor2D[] = []; // len × [batch, 2·hidden]: σ(…) = [reset r, update z]
  const candidates: tf.Tensor2D[] = []; // len × [batch, hidden]: n
  const recurrentCandidates: tf.Tensor2D[] = []; // len × [batch, hidden]: U_n h + c_n
  let state = initialState;
  for (let t = 0; t < gateSteps.length; t++) {
    previous.push(state);
    const step = gruCell(gateSteps[t], candidateSteps[t], state, recurrentKernel, recurrentBias);
    state = step.state; // [batch, hidden]
    gates.push(step.gate);
    candidates.push(step.candidate);
    recurrentCandidates.push(step.recurrentCandidate);
  }
  const outputs = tf.stack([...previous.slice(1), state], 1) as tf.Tensor3D; // [batch, len, hidden]
  // Time-major stacks ([len, batch, …]) so the backward pass takes step t with one contiguous slice.
  save([tf.stack(previous), tf.stack(gates), tf.stack(candidates), tf.stack(recurrentCandidates), recurrentKernel]);
  return {
    value: outputs,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backThroughTime(dy as tf.Tensor3D, saved),
  };
}) as GruSequence;

function backThroughTime(outputGradient: tf.Tensor3D, saved: tf.Tensor[]): tf.Tensor[] {
  const [previousAll, gatesAll, candidatesAll, recurrentCandidatesAll, recurrentKernel] = saved;
  // [len, batch, hidden] (previous, candidates, recurrent candidates), [len, batch, 2·hidden] (gates).
  const [resetAll, updateAll] = tf.split(gatesAll, 2, 2);
  const steps = (x: tf.Tensor) => tf.unstack(x) as tf.Tensor2D[]; // [len, …] → len × […]
  const reset = steps(resetAll);
  const update = steps(updateAll);
  const gateSlope = steps(tf.mul(gatesAll, tf.sub(1, gatesAll))); // σ' = y·(1−y)
  const candidateSlope = steps(tf.sub(1, tf.square(candidatesAll))); // tanh' = 1 − y²
  const previousMinusCandidate = steps(tf.sub(previousAll, candidatesAll)); // h − n
  const recurrentCandidates = steps(recurrentCandidatesAll);
  const previousTransposed = steps(tf.transpose(previousAll, [0, 2, 1])); // len × [hidden, batch]
  const kernelTransposed = tf.transpose(recurrentKernel); // [3·hidden, hidden]
  const stateGradients = tf.unstack(outputGradient, 1) as tf.Tensor2D[]; // len × [batch, hidden]

  const length = stateGradients.length;
  const inputGateGradients: tf.Tensor[] = new Array(length);
  const inputCandidateGradients: tf.Tensor[] = new Array(length);
  const recurrentGradients: tf.Tensor[] = new Array(length); // d(U h + c) at each step, [batch, 3·hidden]
  let kernelGradient: tf.Tensor | null = null;
  // What step t+1 sends back to the state it started from: through h − n, and through U h.
  let viaDifference: tf.Tensor | null = null;
  let viaKernel: tf.Tensor | null = null;
  for (let t = length - 1; t >= 0; t--) {
    let state = stateGradients[t]; // [batch, hidden]
    if (viaDifference && viaKernel) state = tf.add(tf.add(state, viaDifference), viaKernel);
    const updateGradient = tf.mul(state, previousMinusCandidate[t]); // [batch, hidden]
    viaDifference = tf.mul(state, update[t]); // [batch, hidden]
    const candidate = tf.mul(candidateSlope[t], tf.sub(state, viaDifference)); // before tanh, [batch, hidden]
    const resetGradient = tf.mul(candidate, recurrentCandidates[t]); // [batch, hidden]
    const recurrentCandidate = tf.mul(candidate, reset[t]); // [batch, hidden]
    const gate = tf.mul(tf.concat([resetGradient, updateGradient], 1), gateSlope[t]); // before σ, [batch, 2·hidden]
    const recurrent = tf.concat([gate, recurrentCandidate], 1); // [batch, 3·hidden]
    viaKernel = tf.matMul(recurrent, kernelTransposed); // [batch, hidden]
    const kernelStep = tf.matMul(previousTransposed[t], recurrent); // [hidden, 3·hidden]
    kernelGradient = kernelGradient ? tf.add(kernelGradient, kernelStep) : kernelStep;
    inputGateGradients[t] = gate;
    inputCandidateGradients[t] = candidate;
    recurrentGradients[t] = recurrent;
  }
  // Each step's bias gradient is its batch sum; the steps' sums are then added one by one, last
  // step first, in float32 (a single Sum over the steps would round differently: cpu sums in float64).
  const biasSteps = tf.unstack(tf.sum(tf.stack(recurrentGradients), 1)); // len × [3·hidden]
  const biasGradient = biasSteps.reduceRight((total, step) => tf.add(total, step)); // [3·hidden]
  return [
    tf.stack(inputGateGradients, 1), // [batch, len, 2·hidden]
    tf.stack(inputCandidateGradients, 1), // [batch, len, hidden]
    tf.add(viaDifference as tf.Tensor, viaKernel as tf.Tensor), // [batch, hidden]
    kernelGradient as tf.Tensor, // [hidden, 3·hidden]
    biasGradient,
  ];
}
