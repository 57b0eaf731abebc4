/**
 * The wasm backend's Slice, SplitV, Unpack, Concat and Pack as src/engine/wasmSlices.ts replaces them:
 * every block equal to the same op on the cpu backend (ranks 1–4, every axis, float32, int32 and
 * bool, empty parts, short and long contiguous runs), no tensors left behind.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './helpers';

/** Values start, start + 1, … so that every position is distinguishable (bool: every third true). */
function ramp(shape: number[], dtype: 'float32' | 'int32' | 'bool', start = 0): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, j) => {
    const i = j + start;
    return dtype === 'bool' ? i % 3 === 0 : i + 0.5 * (i % 2);
  });
  return dtype === 'bool'
    ? tf.tensor(values as boolean[], shape, 'bool')
    : tf.tensor(values as number[], shape, dtype === 'int32' ? 'int32' : 'float32');
}

interface Case {
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
}

const CASES: Case[] = [
  { shape: [7], dtype: 'float32' },
  { shape: [4, 6], dtype: 'float32' },
  { shape: [3, 5, 4], dtype: 'float32' },
  { shape: [2, 3, 4, 5], dtype: 'float32' },
  { shape: [3, 5, 4], dtype: 'int32' },
  { shape: [4, 6], dtype: 'bool' },
  // Longer runs (40 and 70 elements), and trailing dimensions merged into one run.
  { shape: [3, 40, 5], dtype: 'float32' },
  { shape: [2, 3, 70], dtype: 'int32' },
];

/** Runs `op` on a backend and reads every output back as plain arrays with their shapes. */
async function on(backend: 'wasm' | 'cpu', op: () => tf.Tensor[]): Promise<{ shape: number[]; values: unknown }[]> {
  await useBackend(backend);
  const outs = op();
  const read = outs.map((t) => ({ shape: t.shape, values: t.arraySync() }));
  tf.dispose(outs);
  return read;
}

describe('wasm Slice, SplitV, Unpack, Concat and Pack without whole-input copies', () => {
  before(() => useBackend('wasm'));

  for (const { shape, dtype } of CASES) {
    it(`slice, split, unstack, concatenate and stack a [${shape}] ${dtype} tensor as the cpu backend does`, async () => {
      for (let axis = 0; axis < shape.length; axis++) {
        const ops: [string, () => tf.Tensor[]][] = [
          ['unstack', () => tf.tidy(() => tf.unstack(ramp(shape, dtype), axis))],
          [
            'split',
            () =>
              tf.tidy(() => {
                const first = Math.floor(shape[axis] / 2);
                return tf.split(ramp(shape, dtype), [first, 0, shape[axis] - first], axis); // an empty middle part
              }),
          ],
          [
            'slice',
            () =>
              tf.tidy(() => {
                const begin = shape.map((n, d) => (d === axis ? Math.min(1, n - 1) : 0));
                const size = shape.map((n, d) =>
                  d === axis ? n - begin[d] : d === shape.length - 1 ? Math.max(1, n - 1) : n,
                );
                return [tf.slice(ramp(shape, dtype), begin, size)];
              }),
          ],
          [
            'concat',
            () =>
              tf.tidy(() => {
                const x = ramp(shape, dtype);
                const edge = tf.slice(
                  x,
                  0,
                  shape.map((n, d) => (d === axis ? 1 : n)),
                ); // one row of x along axis
                const empty = tf.slice(
                  x,
                  0,
                  shape.map((n, d) => (d === axis ? 0 : n)),
                );
                return [tf.concat([x, empty, edge, x], axis)];
              }),
          ],
          [
            'stack',
            () => tf.tidy(() => [tf.stack([ramp(shape, dtype), ramp(shape, dtype, 1000), ramp(shape, dtype)], axis)]),
          ],
          ['stack at the end', () => tf.tidy(() => [tf.stack([ramp(shape, dtype), ramp(shape, dtype, 1000)], -1)])],
        ];
        for (const [name, op] of ops) {
          const expected = await on('cpu', op);
          const before = tf.memory().numTensors;
          const actual = await on('wasm', op);
          assert.equal(tf.memory().numTensors, before, `${name} axis ${axis} leaked`);
          assert.deepEqual(actual, expected, `${name} on axis ${axis}`);
        }
      }
    });
  }

  it('slices the middle of a 3-D tensor on every axis at once', async () => {
    const op = () => tf.tidy(() => [tf.slice(ramp([5, 6, 7], 'float32'), [1, 2, 3], [3, 2, 4])]);
    const expected = await on('cpu', op);
    assert.deepEqual(await on('wasm', op), expected);
    // Row 0 of the block starts at x[1][2][3] = 1·42 + 2·7 + 3 = 59 (odd: 59.5).
    assert.equal((expected[0].values as number[][][])[0][0][0], 59.5);
  });
});
