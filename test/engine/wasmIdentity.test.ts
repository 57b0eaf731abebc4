/**
 * The wasm backend's Identity as src/engine/wasmIdentity.ts replaces it: a clone shares its input's
 * buffer (no new wasm buffer, no copy), either can be disposed first and the other stays readable,
 * the buffer is freed with the last of them, strings still copy, and gradients through ops that
 * save their inputs are unchanged.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './helpers';

const buffers = (): number => tf.engine().backend.numDataIds();

describe('wasm Identity without a copy', () => {
  before(() => useBackend('wasm'));

  it('a clone shares the buffer: no new buffer, same values and shape', () => {
    const x = tf.tensor2d([1.5, -2, 3, 4.25, 5, 6], [2, 3]);
    const before = buffers();
    const y = tf.clone(x);
    assert.equal(buffers(), before, 'the clone allocated a buffer');
    assert.equal(y.dataId, x.dataId);
    assert.deepEqual(y.shape, [2, 3]);
    assert.deepEqual(Array.from(y.dataSync()), [1.5, -2, 3, 4.25, 5, 6]);
    tf.dispose([x, y]);
  });

  it('either tensor can be disposed first; the buffer goes with the last', () => {
    const before = buffers();
    const x = tf.tensor1d([7, 8, 9]);
    const y = tf.clone(x);
    x.dispose();
    assert.equal(buffers(), before + 1, 'the shared buffer was freed with the first tensor');
    assert.deepEqual(Array.from(y.dataSync()), [7, 8, 9]);
    const z = tf.clone(y);
    y.dispose();
    assert.deepEqual(Array.from(z.dataSync()), [7, 8, 9]);
    z.dispose();
    assert.equal(buffers(), before);
  });

  it('int32 and bool share too; strings keep their own copy', () => {
    const ints = tf.tensor1d([1, 2, 3], 'int32');
    const bools = tf.tensor1d([true, false], 'bool');
    const words = tf.tensor1d(['a', 'bc']);
    const [intClone, boolClone, wordClone] = [tf.clone(ints), tf.clone(bools), tf.clone(words)];
    assert.equal(intClone.dataId, ints.dataId);
    assert.equal(boolClone.dataId, bools.dataId);
    assert.notEqual(wordClone.dataId, words.dataId);
    assert.deepEqual(wordClone.arraySync(), ['a', 'bc']);
    assert.deepEqual(Array.from(intClone.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(boolClone.dataSync()), [1, 0]);
    tf.dispose([ints, bools, words, intClone, boolClone, wordClone]);
  });

  it('gradients through ops that save their inputs equal the cpu backend’s, with nothing left behind', async () => {
    const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.tanh(tf.matMul(x as tf.Tensor2D, x as tf.Tensor2D)), tf.sigmoid(x)));
    const values = [0.5, -1, 0.25, 2, -0.75, 1.5, 0.1, -0.3, 0.9];
    const gradient = async (backend: 'wasm' | 'cpu') => {
      await useBackend(backend);
      const x = tf.tensor2d(values, [3, 3]);
      const tensors = tf.memory().numTensors;
      const g = tf.grad(f)(x);
      const read = Array.from(g.dataSync());
      g.dispose();
      assert.equal(tf.memory().numTensors, tensors, `${backend}: tensors left behind`);
      x.dispose();
      return read;
    };
    const before = (await useBackend('wasm'), buffers());
    const onWasm = await gradient('wasm');
    assert.equal(buffers(), before, 'wasm buffers left behind');
    const onCpu = await gradient('cpu');
    await useBackend('wasm');
    onWasm.forEach((v, i) =>
      assert.ok(Math.abs(v - onCpu[i]) <= 1e-5 * Math.max(1, Math.abs(onCpu[i])), `[${i}] ${v} vs ${onCpu[i]}`),
    );
  });
});
