/**
 * Multi-head attention against a plain-JS reference and against single-head scaled dot-product
 * attention; heads, masks (padding, causal, weak), causality and shapes. On cpu and wasm.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { dotProductAttention } from '../../src/engine/nn/attention';
import { causalKeepMask, combineKeepMasks, paddingKeepMask } from '../../src/engine/nn/masks';
import {
  createCrossAttention,
  createSelfAttention,
  crossAttention,
  mergeHeads,
  selfAttention,
  splitHeads,
  type CrossAttentionWeights,
  type MultiHeadAttentionResult,
  type SelfAttentionWeights,
} from '../../src/engine/nn/multiHeadAttention';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { assertAllClose, assertClose, useBackend, values } from './helpers';
import { assertNoLeak, rows, seeded } from './nn-helpers';

type Matrix = number[][];

/** Gives every weight (biases too) seeded non-zero values, so a wrong column or a missing bias shows. */
function randomiseWeights(variables: tf.Variable[], seed: number): void {
  tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(seeded(v.size, seed * 100 + i, 0.6), v.shape))));
}

function dispose(result: MultiHeadAttentionResult): void {
  tf.dispose([result.output, result.weights, result.scores, result.query, result.key, result.value]);
}

const columns = (m: Matrix, from: number, to: number): Matrix => m.map((row) => row.slice(from, to));
const project = (x: Matrix, w: Matrix, b: number[]): Matrix =>
  x.map((row) => b.map((bias, j) => row.reduce((sum, v, i) => sum + v * w[i][j], bias)));

/**
 * Multi-head attention in plain JS (float64), straight from the definition: per example and head,
 * softmax(Q_j K_jᵀ/√d_head + (1 − keep)·maskValue) V_j, heads concatenated, then W_O.
 */
function referenceAttention(
  x: Matrix[], // [batch][queries][d_model]
  memory: Matrix[], // [batch][keys][memory_size]
  w: { Wq: Matrix; bq: number[]; Wk: Matrix; bk: number[]; Wv: Matrix; bv: number[]; Wo: Matrix; bo: number[] },
  heads: number,
  keep: (n: number, q: number, k: number) => number,
  maskValue = -1e9,
): { output: Matrix[]; weights: Matrix[][] } {
  const d = w.Wq[0].length;
  const dh = d / heads;
  const output: Matrix[] = [];
  const weights: Matrix[][] = [];
  x.forEach((xn, n) => {
    const Q = project(xn, w.Wq, w.bq);
    const K = project(memory[n], w.Wk, w.bk);
    const V = project(memory[n], w.Wv, w.bv);
    const concat: Matrix = xn.map(() => []);
    weights.push([]);
    for (let h = 0; h < heads; h++) {
      const [q, k, v] = [Q, K, V].map((m) => columns(m, h * dh, (h + 1) * dh));
      const headWeights = q.map((qi, i) => {
        const logits = k.map(
          (kj, j) => qi.reduce((s, a, c) => s + a * kj[c], 0) / Math.sqrt(dh) + (1 - keep(n, i, j)) * maskValue,
        );
        const max = Math.max(...logits);
        const exps = logits.map((l) => Math.exp(l - max));
        const total = exps.reduce((a, b) => a + b, 0);
        return exps.map((e) => e / total);
      });
      weights[n].push(headWeights);
      headWeights.forEach((row, i) => {
        for (let c = 0; c < dh; c++) concat[i].push(row.reduce((s, a, j) => s + a * v[j][c], 0));
      });
    }
    output.push(project(concat, w.Wo, w.bo));
  });
  return { output, weights };
}

function selfWeightsAsArrays(weights: SelfAttentionWeights) {
  const d = weights.modelSize;
  const kernel = weights.qkvKernel.arraySync() as Matrix;
  const bias = values(weights.qkvBias);
  return {
    Wq: columns(kernel, 0, d),
    Wk: columns(kernel, d, 2 * d),
    Wv: columns(kernel, 2 * d, 3 * d),
    bq: bias.slice(0, d),
    bk: bias.slice(d, 2 * d),
    bv: bias.slice(2 * d),
    Wo: weights.outputKernel.arraySync() as Matrix,
    bo: values(weights.outputBias),
  };
}

function crossWeightsAsArrays(weights: CrossAttentionWeights) {
  const d = weights.modelSize;
  const kv = weights.kvKernel.arraySync() as Matrix;
  const kvBias = values(weights.kvBias);
  return {
    Wq: weights.queryKernel.arraySync() as Matrix,
    bq: values(weights.queryBias),
    Wk: columns(kv, 0, d),
    Wv: columns(kv, d, 2 * d),
    bk: kvBias.slice(0, d),
    bv: kvBias.slice(d),
    Wo: weights.outputKernel.arraySync() as Matrix,
    bo: values(weights.outputBias),
  };
}

const input = (batch: number, length: number, width: number, seed: number): Matrix[] =>
  Array.from({ length: batch }, (_, n) => rows(seeded(length * width, seed + n), width));

// Example 1 of the batch ends in two <pad> tokens.
const IDS = [
  [3, 4, 5, 6, 7],
  [8, 9, 10, 0, 0],
];

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`multi-head attention (${backend})`, () => {
    before(() => useBackend(backend));

    it('self-attention with padding + causal masks equals a plain-JS reference (2 heads, fused QKV)', () => {
      const parameters = new Parameters(createRandom(21));
      const attention = createSelfAttention(parameters, 'decoder/layer1/self_attention', { modelSize: 6, heads: 2 });
      assert.deepEqual(
        parameters.entries().map(([name, v]) => [name, v.shape]),
        [
          ['decoder/layer1/self_attention/qkv_kernel', [6, 18]],
          ['decoder/layer1/self_attention/qkv_bias', [18]],
          ['decoder/layer1/self_attention/output_kernel', [6, 6]],
          ['decoder/layer1/self_attention/output_bias', [6]],
        ],
      );
      randomiseWeights(parameters.list(), 1);
      const x = input(2, 5, 6, 30);
      const causalPadded = (n: number, q: number, k: number) => (k <= q && IDS[n][k] !== 0 ? 1 : 0);
      const expected = referenceAttention(x, x, selfWeightsAsArrays(attention), 2, causalPadded);
      assertNoLeak(() => {
        const ids = tf.tensor2d(IDS, [2, 5], 'int32');
        const keep = tf.tidy(() => combineKeepMasks(paddingKeepMask(ids), causalKeepMask(5)));
        const xs = tf.tensor3d(x);
        const result = selfAttention(xs, attention, { keep });
        assertAllClose(values(result.output), expected.output.flat(2), 1e-5, 'output');
        assertAllClose(values(result.weights), expected.weights.flat(3), 1e-5, 'weights');
        dispose(result);
        tf.dispose([ids, keep, xs]);
      });
      parameters.dispose();
    });

    it('cross-attention (queries from the decoder, fused K,V from a wider memory) equals the reference', () => {
      const parameters = new Parameters(createRandom(22));
      const attention = createCrossAttention(parameters, 'decoder/layer1/cross_attention', {
        modelSize: 4,
        heads: 2,
        memorySize: 3,
      });
      assert.deepEqual(
        parameters.entries().map(([name, v]) => [name.split('/').pop(), v.shape]),
        [
          ['query_kernel', [4, 4]],
          ['query_bias', [4]],
          ['kv_kernel', [3, 8]],
          ['kv_bias', [8]],
          ['output_kernel', [4, 4]],
          ['output_bias', [4]],
        ],
      );
      randomiseWeights(parameters.list(), 2);
      const x = input(2, 3, 4, 40); // 3 decoder positions
      const memory = input(2, 5, 3, 50); // 5 encoder positions, width 3
      const padded = (n: number, _q: number, k: number) => (IDS[n][k] !== 0 ? 1 : 0);
      const expected = referenceAttention(x, memory, crossWeightsAsArrays(attention), 2, padded);
      assertNoLeak(() => {
        const ids = tf.tensor2d(IDS, [2, 5], 'int32');
        const keep = paddingKeepMask(ids);
        const [xs, ms] = [tf.tensor3d(x), tf.tensor3d(memory)];
        const result = crossAttention(xs, ms, attention, { keep });
        assertAllClose(values(result.output), expected.output.flat(2), 1e-5, 'output');
        assertAllClose(values(result.weights), expected.weights.flat(3), 1e-5, 'weights');
        dispose(result);
        tf.dispose([ids, keep, xs, ms]);
      });
      parameters.dispose();
    });

    it('with h = 1 and the same weights it equals single-head scaled dot-product attention', () => {
      const parameters = new Parameters(createRandom(23));
      const attention = createSelfAttention(parameters, 'attention', { modelSize: 4, heads: 1 });
      randomiseWeights(parameters.list(), 3);
      assertNoLeak(() => {
        const x = tf.tensor3d(input(2, 5, 4, 60));
        const keep = causalKeepMask(5);
        const multi = selfAttention(x, attention, { keep });
        const single = tf.tidy(() => {
          const kernel = attention.qkvKernel as tf.Tensor2D;
          const bias = attention.qkvBias as tf.Tensor1D;
          const part = (i: number) =>
            tf.add(
              tf.matMul(tf.reshape(x, [10, 4]), tf.slice(kernel, [0, 4 * i], [4, 4])),
              tf.slice(bias, [4 * i], [4]),
            );
          const [q, k, v] = [0, 1, 2].map((i) => tf.reshape(part(i), [2, 5, 4]) as tf.Tensor3D);
          const { weights, context } = dotProductAttention(q, k, v, { keep: tf.reshape(keep, [1, 5, 5]) });
          const output = tf.add(
            tf.matMul(tf.reshape(context, [10, 4]), attention.outputKernel as tf.Tensor2D),
            attention.outputBias,
          );
          return [weights, output];
        });
        assertAllClose(values(multi.weights), values(single[0]), 1e-6, 'weights');
        assertAllClose(values(multi.output), values(single[1]), 1e-5, 'output');
        dispose(multi);
        tf.dispose([x, keep, ...single]);
      });
      parameters.dispose();
    });

    it('splitting then merging heads is the identity; head j holds columns j·d_head…(j+1)·d_head − 1', () => {
      assertNoLeak(() => {
        const x = tf.tensor3d(seeded(2 * 3 * 8, 7), [2, 3, 8]);
        const split = splitHeads(x, 4);
        assert.deepEqual(split.shape, [2, 4, 3, 2]);
        const merged = mergeHeads(split);
        assert.deepEqual(merged.shape, [2, 3, 8]);
        assert.deepEqual(values(merged), values(x));
        const xs = x.arraySync();
        const heads = split.arraySync();
        for (let n = 0; n < 2; n++)
          for (let h = 0; h < 4; h++)
            for (let t = 0; t < 3; t++) assert.deepEqual(heads[n][h][t], xs[n][t].slice(2 * h, 2 * h + 2));
        tf.dispose([x, split, merged]);
      });
    });

    it('every head’s rows sum to 1; forbidden keys get exactly 0 with −1e9; a weak −5 lets weight leak', () => {
      const parameters = new Parameters(createRandom(24));
      const attention = createSelfAttention(parameters, 'attention', { modelSize: 8, heads: 4 });
      randomiseWeights(parameters.list(), 4);
      assertNoLeak(() => {
        const ids = tf.tensor2d(IDS, [2, 5], 'int32');
        const keep = tf.tidy(() => combineKeepMasks(paddingKeepMask(ids), causalKeepMask(5)));
        const keepValues = keep.arraySync() as number[][][][];
        const x = tf.tensor3d(input(2, 5, 8, 70));
        for (const maskValue of [undefined, -5]) {
          const result = selfAttention(x, attention, { keep, maskValue });
          const weights = result.weights.arraySync();
          let leaked = 0;
          weights.forEach((example, n) =>
            example.forEach((head, h) =>
              head.forEach((row, q) => {
                assertClose(
                  row.reduce((a, b) => a + b, 0),
                  1,
                  1e-5,
                  `example ${n} head ${h} row ${q} sum`,
                );
                row.forEach((w, k) => {
                  if (keepValues[n][0][q][k] === 1) return;
                  if (maskValue === undefined) assert.equal(w, 0, `forbidden key ${k} of row ${q} (head ${h})`);
                  else leaked = Math.max(leaked, w);
                });
              }),
            ),
          );
          if (maskValue !== undefined) assert.ok(leaked > 1e-4, `a −5 mask leaks weight (max ${leaked})`);
          dispose(result);
        }
        tf.dispose([ids, keep, x]);
      });
      parameters.dispose();
    });

    it('under the causal mask, changing a future token never changes an earlier output', () => {
      const parameters = new Parameters(createRandom(25));
      const attention = createSelfAttention(parameters, 'attention', { modelSize: 8, heads: 2 });
      randomiseWeights(parameters.list(), 5);
      assertNoLeak(() => {
        const keep = causalKeepMask(6);
        const original = input(1, 6, 8, 80);
        const changed = original.map((example) => example.map((row, t) => (t >= 3 ? row.map((v) => v * -3 + 1) : row)));
        const [a, b] = [original, changed].map((x) =>
          tf.tidy(() => selfAttention(tf.tensor3d(x), attention, { keep }).output),
        );
        const [va, vb] = [values(a), values(b)];
        assert.deepEqual(vb.slice(0, 3 * 8), va.slice(0, 3 * 8), 'positions 0..2 unchanged');
        assert.notDeepEqual(vb.slice(3 * 8), va.slice(3 * 8), 'positions 3..5 do change');
        tf.dispose([keep, a, b]);
      });
      parameters.dispose();
    });

    it('shapes for two batch sizes and two lengths, self and cross; scale=false multiplies the scores by √d_head', () => {
      const parameters = new Parameters(createRandom(26));
      const self = createSelfAttention(parameters, 'encoder/layer1/self_attention', { modelSize: 12, heads: 3 });
      const cross = createCrossAttention(parameters, 'decoder/layer1/cross_attention', { modelSize: 12, heads: 3 });
      assertNoLeak(() => {
        for (const batch of [1, 3]) {
          for (const [queries, keys] of [
            [4, 7],
            [9, 2],
          ]) {
            const x = tf.randomNormal([batch, queries, 12], 0, 1, 'float32', 1) as tf.Tensor3D;
            const memory = tf.randomNormal([batch, keys, 12], 0, 1, 'float32', 2) as tf.Tensor3D;
            const causal = causalKeepMask(queries);
            const s = selfAttention(x, self, { keep: causal });
            assert.deepEqual(
              [s.output, s.weights, s.scores, s.query, s.key, s.value].map((t) => t.shape),
              [
                [batch, queries, 12],
                [batch, 3, queries, queries],
                [batch, 3, queries, queries],
                [batch, 3, queries, 4],
                [batch, 3, queries, 4],
                [batch, 3, queries, 4],
              ],
            );
            const c = crossAttention(x, memory, cross);
            assert.deepEqual(
              [c.output, c.weights, c.scores, c.query, c.key, c.value].map((t) => t.shape),
              [
                [batch, queries, 12],
                [batch, 3, queries, keys],
                [batch, 3, queries, keys],
                [batch, 3, queries, 4],
                [batch, 3, keys, 4],
                [batch, 3, keys, 4],
              ],
            );
            const unscaled = crossAttention(x, memory, cross, { scale: false });
            assertAllClose(
              values(unscaled.scores),
              values(c.scores).map((v) => v * 2),
              1e-4,
              'unscaled scores = √4 × scaled',
            );
            [s, c, unscaled].forEach(dispose);
            tf.dispose([x, memory, causal]);
          }
        }
      });
      assert.throws(() => createSelfAttention(parameters, 'bad', { modelSize: 10, heads: 4 }), /equal heads/);
      parameters.dispose();
    });
  });
}
