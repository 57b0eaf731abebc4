/**
 * The GRU's hand-written backward pass (nn/gruSequence.ts) against autograd through the per-step
 * graph it replaced (the old step, kept in this file, applied position by position, then stacked): the states and every
 * gradient (input projection, initial state, recurrent kernel, both biases) must be bit for bit
 * equal on the cpu and wasm backends, for several batch sizes and lengths, with the states used
 * downstream in more than one way. Finite differences are in gradients.test.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createGru, gruStep, projectGruInputs, runGru, type GruWeights } from '../../src/engine/nn/gru';
import { matMulBias } from '../../src/engine/nn/matmul';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { useBackend } from './helpers';

/** A GRU step as it was before gruSequence.ts, kept here unchanged: autograd differentiated this. */
function autogradStep(
  inputGates: tf.Tensor2D,
  inputCandidate: tf.Tensor2D,
  state: tf.Tensor2D,
  weights: GruWeights,
): tf.Tensor2D {
  return tf.tidy(() => {
    const hidden = weights.hiddenSize;
    const recurrent = matMulBias(state, weights.recurrentKernel as tf.Tensor2D, weights.recurrentBias as tf.Tensor1D); // [batch, 3·hidden]
    const [recurrentGates, recurrentCandidate] = tf.split(recurrent, [2 * hidden, hidden], 1) as tf.Tensor2D[];
    const gates = tf.sigmoid(tf.add(inputGates, recurrentGates)); // [batch, 2·hidden]
    const [reset, update] = tf.split(gates, 2, 1) as tf.Tensor2D[]; // [batch, hidden] each
    const candidate = tf.tanh(tf.add(inputCandidate, tf.mul(reset, recurrentCandidate))); // [batch, hidden]
    return tf.add(candidate, tf.mul(update, tf.sub(state, candidate))) as tf.Tensor2D; // [batch, hidden]
  });
}

/** The GRU as autograd saw it before: one step per position, then a stack. */
function perStepGru(inputs: tf.Tensor3D, initialState: tf.Tensor2D, weights: GruWeights): tf.Tensor3D {
  const { gates, candidates } = projectGruInputs(inputs, weights);
  const [batch, length] = inputs.shape;
  // tf.unstack's gradient fails on an axis of size 1 (tfjs passes it one tensor, not a list).
  const steps = (x: tf.Tensor3D) =>
    (length === 1 ? [tf.reshape(x, [batch, x.shape[2]])] : tf.unstack(x, 1)) as tf.Tensor2D[];
  const gateSteps = steps(gates);
  const candidateSteps = steps(candidates);
  let state = initialState;
  const states: tf.Tensor2D[] = [];
  for (let t = 0; t < gateSteps.length; t++) {
    state = autogradStep(gateSteps[t], candidateSteps[t], state, weights);
    states.push(state);
  }
  return tf.stack(states, 1) as tf.Tensor3D; // [batch, len, hidden]
}

type Gru = typeof runGru;

/** States and gradients of a loss that reads every state and, separately, the last one. */
function statesAndGradients(gru: Gru, batch: number, length: number) {
  const parameters = new Parameters(createRandom(7));
  const weights = createGru(parameters, 'gru', 3, 5);
  // Non-zero biases, so their gradients flow through the same arithmetic as after some training.
  tf.tidy(() => {
    weights.bias.assign(tf.randomNormal([15], 0, 0.5, 'float32', 1));
    weights.recurrentBias.assign(tf.randomNormal([15], 0, 0.5, 'float32', 2));
  });
  const inputs = parameters.normal('inputs', batch * length, 3, 1); // stands for embeddings
  const initial = parameters.normal('initial', batch, 5, 1); // stands for an encoder's final state
  const readout = tf.randomNormal([batch, length, 5], 0, 1, 'float32', 3);
  const lastReadout = tf.randomNormal([batch, 5], 0, 1, 'float32', 4);
  let states: Float32Array = new Float32Array();
  const { value, grads } = tf.variableGrads(() => {
    const outputs = gru(tf.reshape(inputs, [batch, length, 3]) as tf.Tensor3D, initial as tf.Tensor2D, weights);
    states = outputs.dataSync() as Float32Array;
    const last = tf.reshape(tf.slice(outputs, [0, length - 1, 0], [batch, 1, 5]), [batch, 5]);
    return tf.add(tf.sum(tf.mul(tf.tanh(outputs), readout)), tf.sum(tf.mul(last, lastReadout))) as tf.Scalar;
  }, parameters.list());
  const result = {
    states,
    loss: value.dataSync()[0],
    gradients: Object.fromEntries(
      Object.entries(grads).map(([name, g]) => [name.replace(/^model\d+\//, ''), g.dataSync() as Float32Array]),
    ),
  };
  tf.dispose([value, ...Object.values(grads), readout, lastReadout]);
  parameters.dispose();
  return result;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`GRU backward through time (${backend})`, () => {
    before(() => useBackend(backend));

    for (const [batch, length] of [
      [1, 1],
      [3, 7],
      [4, 2],
    ]) {
      it(`equals autograd through the per-step graph bit for bit: batch ${batch}, length ${length}`, () => {
        const ours = statesAndGradients(runGru, batch, length);
        const reference = statesAndGradients(perStepGru, batch, length);
        assert.deepEqual(ours.states, reference.states, 'states');
        assert.equal(ours.loss, reference.loss, 'loss');
        assert.deepEqual(Object.keys(ours.gradients).sort(), [
          'gru/bias',
          'gru/input_kernel',
          'gru/recurrent_bias',
          'gru/recurrent_kernel',
          'initial',
          'inputs',
        ]);
        for (const [name, gradient] of Object.entries(reference.gradients)) {
          assert.ok(
            gradient.some((v) => v !== 0),
            `${name}: the reference gradient is not all zeros`,
          );
          assert.deepEqual(ours.gradients[name], gradient, name);
        }
      });
    }

    it('gruStep, as greedy decoding runs it, gives the states runGru gives, bit for bit', () => {
      const parameters = new Parameters(createRandom(9));
      const weights = createGru(parameters, 'gru', 3, 5);
      const [sequence, stepwise] = tf.tidy(() => {
        const inputs = tf.randomNormal([3, 6, 3], 0, 1, 'float32', 5) as tf.Tensor3D; // [batch, len, input]
        const initial = tf.randomNormal([3, 5], 0, 1, 'float32', 6) as tf.Tensor2D;
        const { gates, candidates } = projectGruInputs(inputs, weights);
        let state = initial;
        const states: tf.Tensor2D[] = [];
        for (let t = 0; t < 6; t++) {
          const at = (x: tf.Tensor3D) => tf.reshape(tf.slice(x, [0, t, 0], [3, 1, x.shape[2]]), [3, x.shape[2]]);
          state = gruStep(at(gates) as tf.Tensor2D, at(candidates) as tf.Tensor2D, state, weights);
          states.push(state);
        }
        return [runGru(inputs, initial, weights), tf.stack(states, 1)];
      });
      assert.deepEqual(stepwise.dataSync(), sequence.dataSync());
      tf.dispose([sequence, stepwise]);
      parameters.dispose();
    });

    it('leaves no tensor behind, forward alone or with gradients', () => {
      const before = tf.memory().numTensors;
      statesAndGradients(runGru, 2, 4);
      const parameters = new Parameters(createRandom(8));
      const weights = createGru(parameters, 'gru', 3, 5);
      const during = tf.memory().numTensors;
      tf.tidy(() => {
        runGru(tf.ones([2, 4, 3]) as tf.Tensor3D, tf.zeros([2, 5]) as tf.Tensor2D, weights);
      });
      assert.equal(tf.memory().numTensors, during, 'forward without a tape');
      parameters.dispose();
      assert.equal(tf.memory().numTensors, before, 'with gradients');
    });
  });
}
