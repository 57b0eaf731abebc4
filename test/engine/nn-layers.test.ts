/**
 * Transformer building blocks against values computed by hand in plain JS: layer norm, positions,
 * feed-forward (ReLU and GELU), dropout, Transformer masks and both sub-layer orders. Every forward
 * check runs on cpu and wasm, and checks that no tensor leaks.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { dropout, dropoutMask, dropoutSeed } from '../../src/engine/nn/dropout';
import { createFeedForward, feedForward, gelu } from '../../src/engine/nn/feedForward';
import { createLayerNorm, layerNorm, type LayerNormWeights } from '../../src/engine/nn/layerNorm';
import { causalKeepMask, combineKeepMasks, paddingKeepMask } from '../../src/engine/nn/masks';
import { Parameters } from '../../src/engine/nn/parameters';
import {
  addPositions,
  createLearnedPositions,
  sinusoidalPositions,
  sinusoidalTable,
} from '../../src/engine/nn/positions';
import { residual, sublayerConnection } from '../../src/engine/nn/sublayer';
import { createRandom } from '../../src/engine/random';
import { assertAllClose, useBackend, values } from './helpers';
import { assertNoLeak } from './nn-helpers';

/** Plain-JS layer norm of one row (biased variance, ε = 1e-5). */
function layerNormRow(row: number[], gain: number[], bias: number[]): number[] {
  const mean = row.reduce((a, b) => a + b, 0) / row.length;
  const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
  return row.map((x, i) => ((x - mean) / Math.sqrt(variance + 1e-5)) * gain[i] + bias[i]);
}

function setLayerNorm(norm: LayerNormWeights, gain: number[], bias: number[]): void {
  tf.tidy(() => {
    norm.gain.assign(tf.tensor1d(gain));
    norm.bias.assign(tf.tensor1d(bias));
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`Transformer blocks (${backend})`, () => {
    before(() => useBackend(backend));

    it('layer norm over the last axis matches the closed form; gain starts at 1, bias at 0', () => {
      const parameters = new Parameters(createRandom(1));
      const norm = createLayerNorm(parameters, 'encoder/layer1/norm1', 4);
      assert.deepEqual(values(norm.gain), [1, 1, 1, 1]);
      assert.deepEqual(values(norm.bias), [0, 0, 0, 0]);
      const gain = [1, 2, 0.5, -1];
      const bias = [0, 0.1, -0.2, 0.3];
      setLayerNorm(norm, gain, bias);
      const x = [
        [
          [1, 2, 3, 4],
          [-1, 0.5, 2, 10],
        ],
        [
          [0.3, 0.3, 0.3, 0.3], // constant row: ε keeps it finite, output = bias
          [100, -50, 25, 0],
        ],
      ];
      assertNoLeak(() => {
        const input = tf.tensor3d(x);
        const y = layerNorm(input, norm);
        assert.deepEqual(y.shape, [2, 2, 4]);
        const expected = x.flat().flatMap((row) => layerNormRow(row, gain, bias));
        assertAllClose(values(y), expected, 2e-5, 'layer norm');
        tf.dispose([input, y]);
      });
      parameters.dispose();
    });

    it('sinusoidal positions: PE[pos, 2i] = sin(pos/10000^(2i/d)), PE[pos, 2i+1] = cos(…), PE[0] = [0,1,0,1,…]', () => {
      for (const d of [8, 5]) {
        const table = sinusoidalTable(6, d);
        for (let pos = 0; pos < 6; pos++) {
          for (let i = 0; 2 * i < d; i++) {
            const angle = pos / 10000 ** ((2 * i) / d);
            assert.equal(table[pos * d + 2 * i], Math.sin(angle));
            if (2 * i + 1 < d) assert.equal(table[pos * d + 2 * i + 1], Math.cos(angle));
          }
        }
        assert.deepEqual(
          Array.from(table.slice(0, d)),
          Array.from({ length: d }, (_, j) => (j % 2 === 0 ? 0 : 1)),
        );
      }
      // Hand values for d = 4: frequencies 1 and 1/100.
      const t = sinusoidalTable(3, 4);
      assertAllClose(
        Array.from(t.slice(4, 8)),
        [0.8414709848078965, 0.5403023058681398, 0.009999833334166664, 0.9999500004166653],
        1e-12,
      );
      assertAllClose(
        Array.from(t.slice(8, 12)),
        [0.9092974268256817, -0.4161468365471424, 0.01999866669333308, 0.9998000066665778],
        1e-12,
      );
      assertNoLeak(() => {
        const pe = sinusoidalPositions(6, 8);
        assert.deepEqual(pe.shape, [6, 8]);
        assertAllClose(values(pe), Array.from(sinusoidalTable(6, 8)), 1e-7, 'float32 table');
        assert.deepEqual(values(pe).slice(0, 8), [0, 1, 0, 1, 0, 1, 0, 1]);
        pe.dispose();
      });
    });

    it('positions are added to token embeddings for the given length (sinusoidal and learned)', () => {
      const parameters = new Parameters(createRandom(2));
      const learned = createLearnedPositions(parameters, 'decoder', 5, 4);
      assert.deepEqual(learned.shape, [5, 4]);
      assertNoLeak(() => {
        const embeddings = tf.tensor3d(
          [...Array(2 * 3 * 4).keys()].map((i) => i / 10),
          [2, 3, 4],
        );
        const table = values(learned);
        const sum = addPositions(embeddings, learned as tf.Tensor2D);
        assert.deepEqual(sum.shape, [2, 3, 4]);
        const expected = values(embeddings).map((e, i) => e + table[i % 12]); // rows 0..2 of the table, every example
        assertAllClose(values(sum), expected, 1e-6, 'learned');
        const pe = sinusoidalPositions(3, 4);
        const sinusoidal = addPositions(embeddings, pe);
        const peValues = values(pe);
        assertAllClose(
          values(sinusoidal),
          values(embeddings).map((e, i) => e + peValues[i % 12]),
          1e-6,
          'sinusoidal, whole table',
        );
        const tooLong = tf.zeros([1, 6, 4]) as tf.Tensor3D;
        assert.throws(() => addPositions(tooLong, learned as tf.Tensor2D), /exceeds/);
        tf.dispose([embeddings, sum, pe, sinusoidal, tooLong]);
      });
      parameters.dispose();
    });

    it('feed-forward W2·act(W1 x + b1) + b2 by hand, ReLU and GELU', () => {
      const parameters = new Parameters(createRandom(3));
      const ffn = createFeedForward(parameters, 'encoder/layer1/feed_forward', 2, 3);
      const W1 = [
        [0.5, -1, 0.25],
        [1.5, 0.2, -0.7],
      ];
      const b1 = [0.1, -0.2, 0.3];
      const W2 = [
        [1, -0.5],
        [0.3, 0.8],
        [-1.2, 0.4],
      ];
      const b2 = [0.05, -0.05];
      tf.tidy(() => {
        ffn.hiddenKernel.assign(tf.tensor2d(W1));
        ffn.hiddenBias.assign(tf.tensor1d(b1));
        ffn.outputKernel.assign(tf.tensor2d(W2));
        ffn.outputBias.assign(tf.tensor1d(b2));
      });
      const x = [
        [
          [1, 2],
          [-1, 0.5],
        ],
        [
          [0.3, -2],
          [2, 2],
        ],
      ];
      const jsGelu = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
      const reference = (row: number[], act: (z: number) => number) => {
        const hidden = b1.map((b, j) => act(row[0] * W1[0][j] + row[1] * W1[1][j] + b));
        return b2.map((b, k) => hidden.reduce((sum, h, j) => sum + h * W2[j][k], b));
      };
      assertNoLeak(() => {
        const input = tf.tensor3d(x);
        const relu = feedForward(input, ffn);
        const geluOut = feedForward(input, ffn, { activation: 'gelu' });
        assert.deepEqual(relu.shape, [2, 2, 2]);
        assertAllClose(
          values(relu),
          x.flat().flatMap((row) => reference(row, (z) => Math.max(0, z))),
          1e-5,
          'relu',
        );
        assertAllClose(
          values(geluOut),
          x.flat().flatMap((row) => reference(row, jsGelu)),
          1e-5,
          'gelu',
        );
        tf.dispose([input, relu, geluOut]);
      });
      parameters.dispose();
    });

    it('GELU written with a sigmoid equals 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³)))', () => {
      const xs = Array.from({ length: 241 }, (_, i) => -6 + i * 0.05);
      assertNoLeak(() => {
        const input = tf.tensor1d(xs);
        const out = gelu(input);
        const expected = xs.map((z) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3))));
        assertAllClose(values(out), expected, 2e-6, 'gelu');
        tf.dispose([input, out]);
      });
    });

    it('dropout: identity in evaluation and at rate 0; inverted scaling; same seed, same mask on every backend', () => {
      assertNoLeak(() => {
        const x = tf.fill([50, 40], 2);
        assert.equal(dropout(x, { rate: 0.5, training: false, seed: 1 }), x, 'evaluation returns x itself');
        assert.equal(dropout(x, { rate: 0, training: true, seed: 1 }), x, 'rate 0 returns x itself');
        const a = dropout(x, { rate: 0.25, training: true, seed: 42 });
        const b = dropout(x, { rate: 0.25, training: true, seed: 42 });
        const c = dropout(x, { rate: 0.25, training: true, seed: 43 });
        const va = values(a);
        assert.ok(
          va.every((v) => v === 0 || Math.abs(v - 2 / 0.75) < 1e-6),
          'each element is 0 or x/(1−p)',
        );
        assert.deepEqual(values(b), va, 'same seed, same mask');
        assert.notDeepEqual(values(c), va, 'another seed, another mask');
        const dropped = va.filter((v) => v === 0).length / va.length;
        assert.ok(Math.abs(dropped - 0.25) < 0.04, `dropped fraction ${dropped}`);
        // The mask is the project's seeded generator, element by element: identical on cpu and wasm.
        const random = createRandom(42);
        assert.deepEqual(
          va,
          va.map(() => (random.next() < 0.25 ? 0 : Math.fround(2 * Math.fround(1 / 0.75)))),
        );
        const mask = dropoutMask([3, 3], 0.5, 7);
        assert.deepEqual(mask.shape, [3, 3]);
        assert.throws(() => dropout(x, { rate: 1, training: true, seed: 1 }), /rate/);
        tf.dispose([x, a, b, c, mask]);
      });
      assert.notEqual(dropoutSeed(1, 2, 3), dropoutSeed(1, 3, 2));
      assert.equal(dropoutSeed(1, 2, 3), dropoutSeed(1, 2, 3));
    });

    it('masks from token ids: padding [batch,1,1,keys], causal [1,1,len,len], combined by multiplication', () => {
      assertNoLeak(() => {
        const ids = tf.tensor2d(
          [
            [5, 6, 0],
            [7, 0, 0],
          ],
          [2, 3],
          'int32',
        );
        const padding = paddingKeepMask(ids);
        assert.deepEqual(padding.shape, [2, 1, 1, 3]);
        assert.deepEqual(padding.arraySync(), [[[[1, 1, 0]]], [[[1, 0, 0]]]]);
        const causal = causalKeepMask(3);
        assert.deepEqual(causal.shape, [1, 1, 3, 3]);
        assert.deepEqual(causal.arraySync(), [
          [
            [
              [1, 0, 0],
              [1, 1, 0],
              [1, 1, 1],
            ],
          ],
        ]);
        const both = combineKeepMasks(padding, causal);
        assert.deepEqual(both.shape, [2, 1, 3, 3]);
        assert.deepEqual(both.arraySync(), [
          [
            [
              [1, 0, 0],
              [1, 1, 0],
              [1, 1, 0],
            ],
          ],
          [
            [
              [1, 0, 0],
              [1, 0, 0],
              [1, 0, 0],
            ],
          ],
        ]);
        const alone = combineKeepMasks(causal);
        assert.notEqual(alone, causal, 'a new tensor');
        tf.dispose([ids, padding, causal, both, alone]);
      });
    });

    it('sub-layer connection: post-LN = LN(x + f(x)), pre-LN = x + f(LN(x)), with and without dropout', () => {
      const parameters = new Parameters(createRandom(4));
      const norm = createLayerNorm(parameters, 'encoder/layer1/norm1', 3);
      const gain = [1.5, -0.5, 2];
      const bias = [0.1, 0.2, -0.3];
      setLayerNorm(norm, gain, bias);
      const x = [
        [1, -2, 0.5],
        [3, 3.5, -1],
      ];
      const f = (y: tf.Tensor3D) => tf.add(tf.mul(y, 2), 1) as tf.Tensor3D; // a stand-in sub-layer: 2y + 1
      const jsF = (row: number[]) => row.map((v) => 2 * v + 1);
      assertNoLeak(() => {
        const input = tf.tensor3d([x]); // [1, 2, 3]
        const post = sublayerConnection(input, norm, f, { placement: 'post' });
        const pre = sublayerConnection(input, norm, f, { placement: 'pre' });
        assertAllClose(
          values(post),
          x.flatMap((row) =>
            layerNormRow(
              row.map((v, i) => v + jsF(row)[i]),
              gain,
              bias,
            ),
          ),
          2e-5,
          'post-LN',
        );
        assertAllClose(
          values(pre),
          x.flatMap((row) => jsF(layerNormRow(row, gain, bias)).map((v, i) => row[i] + v)),
          2e-5,
          'pre-LN',
        );
        // With dropout: the sub-layer's output is masked before it is added.
        const drop = { rate: 0.5, training: true, seed: 9 };
        const mask = dropoutMask([1, 2, 3], 0.5, 9);
        const m = values(mask);
        const preDropped = sublayerConnection(input, norm, f, { placement: 'pre', dropout: drop });
        assertAllClose(
          values(preDropped),
          x.flatMap((row, r) => jsF(layerNormRow(row, gain, bias)).map((v, i) => row[i] + m[r * 3 + i] * v)),
          2e-5,
          'pre-LN with dropout',
        );
        const postDropped = sublayerConnection(input, norm, f, { placement: 'post', dropout: drop });
        assertAllClose(
          values(postDropped),
          x.flatMap((row, r) =>
            layerNormRow(
              row.map((v, i) => v + m[r * 3 + i] * jsF(row)[i]),
              gain,
              bias,
            ),
          ),
          2e-5,
          'post-LN with dropout',
        );
        // A sub-layer returning more than its output (as attention does) keeps the extras.
        const rich = sublayerConnection(input, norm, (y) => ({ output: f(y), extra: tf.sum(y) }), {
          placement: 'pre',
        });
        assertAllClose(values(rich.output), values(pre), 0, 'same output');
        assert.deepEqual(rich.extra.shape, []);
        const plain = residual(input, input);
        assertAllClose(
          values(plain),
          x.flat().map((v) => 2 * v),
          0,
          'residual',
        );
        tf.dispose([input, post, pre, mask, preDropped, postDropped, rich.output, rich.extra, plain]);
      });
      parameters.dispose();
    });
  });
}
