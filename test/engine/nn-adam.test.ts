/**
 * FlatAdam (nn/adam.ts) against tfjs-core's tf.train.adam: the same weights and moments bit for
 * bit after every step, on wasm and cpu; state saved by either restores into the other and both
 * continue identically; a variable without a gradient keeps its value and moments; no tensor leaks.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { FlatAdam } from '../../src/engine/nn/adam';
import { embed } from '../../src/engine/nn/embedding';
import type { OptimizerWeight } from '../../src/engine/nn/adamw';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { useBackend } from './helpers';

/** A small two-layer model with weights of several shapes (matrix, bias, embedding-like table). */
function model(seed: number) {
  const parameters = new Parameters(createRandom(seed));
  const table = parameters.normal('embed/table', 5, 3, 0.5);
  const kernel = parameters.glorot('layer/kernel', 3, 4);
  const bias = parameters.zeros('layer/bias', [4]);
  const unused = parameters.glorot('unused/kernel', 2, 2);
  const x = [0, 3, 1, 4, 2, 2];
  const loss = (withBias = true) =>
    tf.tidy(() => {
      const rows = tf.reshape(embed(tf.tensor2d([x], [1, 6], 'int32'), table as tf.Tensor2D), [6, 3]); // [6, 3]
      const hidden = tf.matMul(tf.tanh(rows), kernel as tf.Tensor2D); // [6, 4]
      const out = withBias ? tf.add(hidden, bias) : hidden; // [6, 4]
      return tf.mean(tf.square(tf.sub(tf.sigmoid(out), 0.3))) as tf.Scalar;
    });
  return { parameters, table, kernel, bias, unused, loss };
}

type Model = ReturnType<typeof model>;
type Optimizer = Pick<FlatAdam, 'applyGradients'> | tf.Optimizer;

/** One step; `drop` removes a variable's gradient from the map (as if it had none this step). */
function step(m: Model, optimizer: Optimizer, drop?: string): void {
  tf.tidy(() => {
    const vars = [m.table, m.kernel, m.bias];
    const { grads } = tf.variableGrads(() => m.loss(), vars);
    if (drop) delete grads[drop];
    optimizer.applyGradients(grads);
  });
}

/** Every weight's float32 bits. */
function bits(m: Model): number[][] {
  return m.parameters.list().map((v) => Array.from(new Uint32Array((v.dataSync() as Float32Array).slice().buffer)));
}

async function stateBits(weights: OptimizerWeight[]): Promise<number[][]> {
  const out: number[][] = [];
  for (const { tensor } of weights) {
    const data = await tensor.data();
    out.push(tensor.dtype === 'int32' ? Array.from(data) : Array.from(new Uint32Array(Float32Array.from(data).buffer)));
  }
  return out;
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`FlatAdam matches tf.train.adam bit for bit (${backend})`, () => {
    before(() => useBackend(backend));

    it('gives the same weights and moments after every step', async () => {
      const a = model(3);
      const b = model(3);
      const reference = tf.train.adam(0.05);
      const flat = new FlatAdam(0.05);
      for (let t = 0; t < 6; t++) {
        step(a, reference);
        step(b, flat);
        assert.deepEqual(bits(b), bits(a), `weights after step ${t + 1}`);
      }
      const referenceState = await reference.getWeights();
      const flatState = await flat.getWeights();
      assert.deepEqual(await stateBits(flatState), await stateBits(referenceState));
      assert.deepEqual(
        flatState.map((w) => w.tensor.shape),
        referenceState.map((w) => w.tensor.shape),
      );
      // The weights differ from their start: the steps did something.
      assert.notDeepEqual(bits(b), bits(model(3)));
      tf.dispose([referenceState[0].tensor, ...flatState.map((w) => w.tensor)]);
      reference.dispose();
      flat.dispose();
      a.parameters.dispose();
      b.parameters.dispose();
    });

    it('continues exactly from state saved by either optimiser', async () => {
      const a = model(4);
      const b = model(4);
      const reference = tf.train.adam(0.02);
      const flat = new FlatAdam(0.02);
      for (let t = 0; t < 3; t++) {
        step(a, reference);
        step(b, flat);
      }
      // Swap: tf.train.adam's state into a new FlatAdam, FlatAdam's into a new tf.train.adam.
      const savedReference = await reference.getWeights();
      const savedFlat = await flat.getWeights();
      const resumedFlat = new FlatAdam(0.02);
      await resumedFlat.setWeights(savedReference);
      const resumedReference = tf.train.adam(0.02);
      await resumedReference.setWeights(savedFlat.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) })));
      tf.dispose(savedFlat.map((w) => w.tensor));
      for (let t = 0; t < 3; t++) {
        step(a, resumedReference);
        step(b, resumedFlat);
        assert.deepEqual(bits(b), bits(a), `weights after resumed step ${t + 1}`);
      }
      [reference, resumedReference].forEach((o) => o.dispose());
      [flat, resumedFlat].forEach((o) => o.dispose());
      a.parameters.dispose();
      b.parameters.dispose();
    });

    it('leaves a variable without a gradient and its moments as they were', async () => {
      const a = model(5);
      const b = model(5);
      const reference = tf.train.adam(0.05);
      const flat = new FlatAdam(0.05);
      step(a, reference);
      step(b, flat);
      const biasBefore = Array.from(b.bias.dataSync());
      // The bias (last in the gradient order, so tf.train.adam's positional moments stay aligned).
      step(a, reference, a.bias.name);
      step(b, flat, b.bias.name);
      assert.deepEqual(Array.from(b.bias.dataSync()), biasBefore);
      assert.deepEqual(bits(b), bits(a));
      step(a, reference);
      step(b, flat);
      assert.deepEqual(bits(b), bits(a), 'moments of the skipped variable were kept');
      reference.dispose();
      flat.dispose();
      a.parameters.dispose();
      b.parameters.dispose();
    });

    it('leaks no tensors', () => {
      const m = model(6);
      const flat = new FlatAdam(0.01);
      step(m, flat);
      const count = tf.memory().numTensors;
      for (let t = 0; t < 3; t++) step(m, flat);
      step(m, flat, m.kernel.name);
      assert.equal(tf.memory().numTensors, count);
      flat.dispose();
      m.parameters.dispose();
    });
  });
}
