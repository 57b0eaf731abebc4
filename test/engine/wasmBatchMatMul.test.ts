/**
 * The wasm backend's BatchMatMul as src/engine/wasmBatchMatMul.ts replaces it: every batched or
 * transposed product bit for bit the value of tfjs-backend-wasm's own kernel, and within float32
 * rounding of a float64 product, broadcasts of one matrix against many included; 4-D operands;
 * empty and k = 0 products; the wasm memory growing between calls; gradients; no tensor or
 * buffer left behind.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { originalWasmKernel } from '../../src/engine/wasmKernels';
import { useBackend } from './helpers';

/** A deterministic tensor of values in [-2, 2) that are not round in float32. */
function values(shape: number[], seed: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  let state = seed * 2654435761;
  const data = Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state / 2 ** 32) * 4 - 2 + 1 / 3;
  });
  return tf.tensor(data, shape);
}

/** tfjs-backend-wasm's own kernel on the same inputs, read back. */
function byTfjsKernel(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): Float32Array {
  const kernel = originalWasmKernel('BatchMatMul');
  assert.ok(kernel, "tfjs's BatchMatMul was not replaced on the wasm backend");
  const info = kernel({ inputs: { a, b }, backend: tf.backend(), attrs: { transposeA, transposeB } }) as TensorInfo;
  const result = tf.engine().makeTensorFromTensorInfo(info);
  const read = result.dataSync() as Float32Array;
  result.dispose();
  return read;
}

/** The product in float64 from the operands' float32 values (broadcasting one matrix against many). */
function inFloat64(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): number[] {
  const matrices = (x: tf.Tensor): number[][][] =>
    x.rank === 2 ? [x.arraySync() as number[][]] : (x.arraySync() as number[][][]);
  const as = matrices(a);
  const bs = matrices(b);
  const batch = Math.max(as.length, bs.length);
  const out: number[] = [];
  for (let p = 0; p < batch; p++) {
    const A = as[as.length === 1 ? 0 : p];
    const B = bs[bs.length === 1 ? 0 : p];
    const at = (i: number, k: number) => (transposeA ? A[k][i] : A[i][k]);
    const bt = (k: number, j: number) => (transposeB ? B[j][k] : B[k][j]);
    const m = transposeA ? A[0].length : A.length;
    const k = transposeA ? A.length : (A[0]?.length ?? 0);
    const n = transposeB ? B.length : B[0].length;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let q = 0; q < k; q++) sum += at(i, q) * bt(q, j);
        out.push(sum);
      }
  }
  return out;
}

interface Case {
  a: number[];
  b: number[];
  transposeA?: boolean;
  transposeB?: boolean;
}

// Attention's shapes (scores, weights·values and their gradients), k below, at and above one
// block of 48, n a multiple of 16, of 4 and neither, and transposed operands.
const CASES: Case[] = [
  { a: [2, 3, 4], b: [2, 4, 5] },
  { a: [64, 11, 27], b: [64, 27, 64] },
  { a: [64, 10, 11], b: [64, 11, 64] },
  { a: [12, 32, 16], b: [12, 16, 32] },
  { a: [12, 32, 16], b: [12, 32, 16], transposeB: true },
  { a: [12, 32, 32], b: [12, 32, 16], transposeA: true },
  { a: [5, 7, 48], b: [5, 48, 33] },
  { a: [5, 7, 49], b: [5, 49, 19] },
  { a: [3, 100, 5], b: [3, 17, 100], transposeA: true, transposeB: true },
  { a: [2, 64, 130], b: [2, 130, 21] },
  { a: [6, 11, 13], b: [6, 13, 3] },
  { a: [1, 1, 1], b: [1, 1, 1], transposeA: true },
  // 2-D products with a transposed operand (tfjs's kernel does not give those to XNNPACK either).
  { a: [9, 70], b: [5, 70], transposeB: true },
  { a: [70, 9], b: [70, 6], transposeA: true },
  // One matrix against a batch of them, either side.
  { a: [1, 4, 6], b: [3, 6, 20] },
  { a: [3, 4, 6], b: [6, 20] },
];

describe('wasm BatchMatMul: SIMD kernel with tfjs-backend-wasm’s arithmetic', () => {
  before(() => useBackend('wasm'));

  it('is registered for the wasm backend in place of tfjs’s kernel', () => {
    const registered = tf.getKernel('BatchMatMul', 'wasm');
    assert.ok(registered && originalWasmKernel('BatchMatMul'));
    assert.notEqual(registered.kernelFunc, originalWasmKernel('BatchMatMul'));
  });

  for (const { a: aShape, b: bShape, transposeA = false, transposeB = false } of CASES) {
    it(`[${aShape}]${transposeA ? 'ᵀ' : ''} × [${bShape}]${transposeB ? 'ᵀ' : ''}: tfjs's values bit for bit, float64 within rounding`, () => {
      const a = values(aShape, aShape.length + aShape[0]);
      const b = values(bShape, 7 + bShape[bShape.length - 1]);
      const product = tf.matMul(a, b, transposeA, transposeB);
      const got = product.dataSync() as Float32Array;
      const exact = inFloat64(a, b, transposeA, transposeB);
      assert.equal(got.length, exact.length);
      const k = transposeA ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
      got.forEach((value, i) =>
        assert.ok(Math.abs(value - exact[i]) <= 1e-6 * k * 4, `[${i}] ${value} vs ${exact[i]}`),
      );
      const reference = byTfjsKernel(a, b, transposeA, transposeB);
      const differing = got.findIndex((value, i) => !Object.is(value, reference[i]));
      assert.equal(differing, -1, `element ${differing}: ${got[differing]} vs tfjs ${reference[differing]}`);
      tf.dispose([a, b, product]);
    });
  }

  it('4-D operands keep their leading axes; empty and k = 0 products', () => {
    const a = values([2, 3, 5, 8], 1);
    const b = values([2, 3, 8, 4], 2);
    const product = tf.matMul(a, b);
    assert.deepEqual(product.shape, [2, 3, 5, 4]);
    const flat = tf.matMul(tf.reshape(a, [6, 5, 8]), tf.reshape(b, [6, 8, 4]));
    assert.deepEqual(Array.from(product.dataSync()), Array.from(flat.dataSync()));
    const noK = tf.matMul(tf.zeros([3, 2, 0]), tf.zeros([3, 0, 5]));
    assert.deepEqual(noK.shape, [3, 2, 5]);
    assert.ok((noK.dataSync() as Float32Array).every((v) => v === 0));
    const empty = tf.matMul(tf.zeros([3, 0, 4]), tf.zeros([3, 4, 5]));
    assert.deepEqual(empty.shape, [3, 0, 5]);
    tf.dispose([a, b, product, flat, noK, empty]);
  });

  it('a hand-computed product', () => {
    // [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]; [[1,0],[0,1]]·[[2,3],[4,5]] = itself
    const a = tf.tensor3d([1, 2, 3, 4, 1, 0, 0, 1], [2, 2, 2]);
    const b = tf.tensor3d([5, 6, 7, 8, 2, 3, 4, 5], [2, 2, 2]);
    assert.deepEqual(tf.matMul(a, b).arraySync(), [
      [
        [19, 22],
        [43, 50],
      ],
      [
        [2, 3],
        [4, 5],
      ],
    ]);
    // Transposed: aᵀ·b for the first pair = [[1,3],[2,4]]·[[5,6],[7,8]] = [[26,30],[38,44]]
    assert.deepEqual((tf.matMul(a, b, true, false).arraySync() as number[][][])[0], [
      [26, 30],
      [38, 44],
    ]);
    tf.dispose([a, b]);
  });

  it('stays right when the wasm memory grows between products', () => {
    const a = values([4, 9, 20], 3);
    const b = values([4, 20, 18], 4);
    const before = Array.from(tf.matMul(a, b).dataSync());
    const memory = (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
    const pages = memory.buffer.byteLength;
    const big = tf.zeros([64 * 1024 * 1024]); // 256 MB: the heap must grow
    assert.ok(memory.buffer.byteLength > pages, 'the heap did not grow');
    const after = tf.matMul(a, b);
    assert.deepEqual(Array.from(after.dataSync()), before);
    tf.dispose([a, b, big, after]);
  });

  it('gradients of a batched product equal the cpu backend’s', async () => {
    const grads = async (backend: 'wasm' | 'cpu') => {
      await useBackend(backend);
      const a = values([3, 5, 7], 5);
      const b = values([3, 7, 6], 6);
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y))))([a, b]);
      const read = [Array.from(da.dataSync()), Array.from(db.dataSync())];
      tf.dispose([a, b, da, db]);
      return read;
    };
    const [onWasm, onCpu] = [await grads('wasm'), await grads('cpu')];
    await useBackend('wasm');
    onWasm.forEach((g, i) =>
      g.forEach((v, j) =>
        assert.ok(Math.abs(v - onCpu[i][j]) <= 1e-4 * Math.max(1, Math.abs(onCpu[i][j])), `${v} vs ${onCpu[i][j]}`),
      ),
    );
  });

  it('leaves no tensor or wasm buffer behind, transposed operands included', () => {
    const a = values([6, 10, 8], 8);
    const b = values([6, 12, 10], 9);
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 5; i++) tf.matMul(a, b, true, true).dispose();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.engine().backend.numDataIds(), buffers);
    tf.dispose([a, b]);
  });
});
