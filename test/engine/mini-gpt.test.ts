/**
 * The mini-gpt model: causality (later tokens never change earlier logits), the KV cache (cached
 * and uncached logits agree to 1e-5 of their scale at every step of a 64-token generation),
 * gradients against central finite differences (cpu), shapes for two batch sizes and two context
 * lengths, the decoder past the end of the context, and the chapter's own ops against plain ones.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { createMiniGpt, type MiniGptConfig } from '../../src/engine/chapters/mini-gpt/model';
import { batchedMatMul, batchedMatMulT, embedRows } from '../../src/engine/chapters/mini-gpt/ops';
import type { Batch } from '../../src/engine/chapters/contract';
import { kvCacheDeviation } from '../../src/engine/kits/languageModel/probe';
import { maskedCrossEntropy } from '../../src/engine/nn/loss';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { Vocab } from '../../src/engine/tasks/vocab';
import { assertAllClose, checkGradients, useBackend, values } from './helpers';
import { seeded } from './nn-helpers';

const VOCAB = new Vocab('abcdefghijklmnop \n'.split(''));

function tinyConfig(overrides: Partial<MiniGptConfig> = {}): MiniGptConfig {
  return {
    vocabSize: VOCAB.size,
    context: 12,
    layers: 2,
    heads: 2,
    modelSize: 8,
    dropout: 0,
    tieWeights: true,
    ...overrides,
  };
}

/** A model whose every weight (biases and gains too) is seeded and non-zero, so a wrong column shows. */
function model(config: MiniGptConfig, seed = 1) {
  const parameters = new Parameters(createRandom(seed));
  const gpt = createMiniGpt(parameters, config);
  tf.tidy(() => parameters.list().forEach((v, i) => v.assign(tf.tensor(seeded(v.size, seed * 100 + i, 0.5), v.shape))));
  return { parameters, gpt };
}

function windowBatch(rows: number[][]): Batch {
  const batch = rows.length;
  const length = rows[0].length;
  const ids = tf.tensor2d(rows, [batch, length], 'int32');
  return { inputs: { token_ids: ids }, targets: tf.clone(ids) as tf.Tensor2D, lossMask: tf.ones([batch, length]) };
}

function randomIds(count: number, seed: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => 4 + random.int(VOCAB.size - 4));
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`mini-gpt model (${backend})`, () => {
    before(() => useBackend(backend));

    it('is causal: changing the tokens after position t never changes the logits at positions ≤ t', () => {
      const { parameters, gpt } = model(tinyConfig());
      const base = randomIds(12, 3);
      for (const t of [0, 4, 10]) {
        const changed = base.map((id, i) => (i > t ? 4 + ((id - 3) % (VOCAB.size - 4)) : id));
        const batch = windowBatch([base, changed]);
        const logits = tf.tidy(
          () => gpt.forward(batch, { training: false, seed: 0 }).logits.arraySync() as number[][][],
        );
        for (let position = 0; position <= t; position++) {
          assert.deepEqual(logits[1][position], logits[0][position], `position ${position} changed (t = ${t})`);
        }
        assert.notDeepEqual(logits[1][t + 1], logits[0][t + 1], 'a later position does change');
        tf.dispose(Object.values(batch.inputs).concat([batch.targets, batch.lossMask]));
      }
      parameters.dispose();
    });

    it('the KV cache: cached and uncached logits agree within 1e-5 of their scale at every step of a 64-token generation', () => {
      for (const tieWeights of [true, false]) {
        const { parameters, gpt } = model(tinyConfig({ context: 64, layers: 2, heads: 2, modelSize: 16, tieWeights }));
        const before = tf.memory().numTensors;
        const result = kvCacheDeviation(gpt, VOCAB, 64, 'a', 64);
        assert.equal(result.steps, 64);
        assert.ok(result.deviation <= 1e-5, `relative deviation ${result.deviation} (tied ${tieWeights})`);
        assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
        parameters.dispose();
      }
    });

    it('decodes past the end of its context by reading the window again (as a full forward pass of the last context tokens)', () => {
      const { parameters, gpt } = model(tinyConfig({ context: 6 }));
      const ids = randomIds(9, 8);
      // Feed 9 tokens one by one; the last step sees ids[3..8] (6 positions).
      let state = tf.tidy(() => gpt.decoder.start({ token_ids: tf.tensor2d([ids.slice(0, 1)], [1, 1], 'int32') }));
      let last: number[] = [];
      for (let t = 1; t < ids.length; t++) {
        const output = gpt.decoder.step(state, tf.tensor1d([ids[t]], 'int32'), t - 1);
        tf.dispose(Object.values(state));
        state = output.state;
        last = values(output.logits);
        assert.equal(output.attention[0].weights.shape[2], Math.min(t + 1, 6), `keys at step ${t}`);
        tf.dispose([output.logits, ...output.attention.map((a) => a.weights)]);
      }
      tf.dispose(Object.values(state));
      const batch = windowBatch([ids.slice(3)]);
      const full = tf.tidy(() =>
        values(tf.slice(gpt.forward(batch, { training: false, seed: 0 }).logits, [0, 5, 0], [1, 1, -1])),
      );
      assertAllClose(last, full, 1e-5, 'logits after the window slid');
      tf.dispose([batch.inputs.token_ids, batch.targets, batch.lossMask]);
      parameters.dispose();
    });

    it('shapes for two batch sizes and two context lengths; maps [batch, heads, q, k] with a causal keep mask', () => {
      for (const context of [8, 12]) {
        const { parameters, gpt } = model(tinyConfig({ context, heads: 2, layers: 2 }));
        for (const batchSize of [1, 3]) {
          for (const length of [context, context - 3]) {
            const batch = windowBatch(Array.from({ length: batchSize }, (_, b) => randomIds(length, b + length)));
            tf.tidy(() => {
              const output = gpt.forward(batch, { training: false, seed: 0 });
              assert.deepEqual(output.logits.shape, [batchSize, length, VOCAB.size]);
              assert.equal(output.attention.length, 2);
              for (const attention of output.attention) {
                assert.equal(attention.kind, 'causal-self');
                assert.equal(attention.stack, 'decoder');
                assert.deepEqual(attention.weights.shape, [batchSize, 2, length, length]);
                const keep = attention.keep!.arraySync() as number[][][][];
                assert.deepEqual(
                  keep[0][0],
                  Array.from({ length }, (_, q) => Array.from({ length }, (_, k) => (k <= q ? 1 : 0))),
                );
                const sums = tf.sum(attention.weights, 3).dataSync();
                assert.ok(sums.every((s) => Math.abs(s - 1) < 1e-5));
                const future = tf.mul(attention.weights, tf.sub(1, attention.keep!)).dataSync();
                assert.ok(
                  future.every((w) => w === 0),
                  'future weights exactly 0',
                );
              }
              assert.deepEqual(output.named['layer1/queries'].shape, [batchSize, 2, length, 4]);
              assert.deepEqual(output.named.token_embeddings.shape, [batchSize, length, 8]);
            });
            tf.dispose([batch.inputs.token_ids, batch.targets, batch.lossMask]);
          }
        }
        parameters.dispose();
      }
    });

    it('the chapter’s ops equal tf.matMul (flags) and a one-hot embedding, values and gradients', () => {
      tf.tidy(() => {
        const q = tf.tensor3d(seeded(24, 4), [2, 3, 4]);
        const k = tf.tensor3d(seeded(40, 5), [2, 5, 4]);
        const w = tf.tensor3d(seeded(30, 6), [2, 3, 5]);
        const mineT = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.square(batchedMatMulT(x as tf.Tensor3D, y as tf.Tensor3D))),
        );
        const plainT = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.square(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D, false, true))),
        );
        mineT([q, k]).forEach((g, i) => assertAllClose(values(g), values(plainT([q, k])[i]), 1e-5, `Q·Kᵀ grad ${i}`));
        const mineB = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.square(batchedMatMul(x as tf.Tensor3D, y as tf.Tensor3D))),
        );
        const plainB = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.square(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D))),
        );
        mineB([w, k]).forEach((g, i) => assertAllClose(values(g), values(plainB([w, k])[i]), 1e-5, `W·V grad ${i}`));
        const table = tf.tensor2d(seeded(18, 7), [6, 3]);
        const ids = tf.tensor2d(
          [
            [1, 4, 1],
            [5, 0, 1],
          ],
          [2, 3],
          'int32',
        );
        const weights = tf.tensor3d(seeded(18, 8), [2, 3, 3]);
        const gather = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embedRows(t as tf.Tensor2D, ids), weights)))(table);
        const oneHot = tf.grad((t: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.reshape(
                tf.matMul(tf.cast(tf.oneHot(tf.reshape(ids, [-1]) as tf.Tensor1D, 6), 'float32'), t as tf.Tensor2D),
                [2, 3, 3],
              ),
              weights,
            ),
          ),
        )(table);
        assertAllClose(values(gather), values(oneHot), 1e-6, 'embedding gradient (row 1 used three times)');
      });
    });
  });
}

describe('mini-gpt gradients (cpu, central finite differences)', () => {
  before(() => useBackend('cpu'));

  for (const tieWeights of [true, false]) {
    it(`every weight of a 2-block model, dropout 0.1 with a fixed seed (tied ${tieWeights})`, () => {
      const config = tinyConfig({ context: 6, layers: 2, heads: 2, modelSize: 8, dropout: 0.1, tieWeights });
      const { parameters, gpt } = model(config, 4);
      // Smaller weights keep the loss smooth enough for central differences in float32.
      tf.tidy(() => parameters.list().forEach((v) => v.assign(tf.mul(v, 0.6))));
      const batch = windowBatch([randomIds(6, 1), randomIds(6, 2)]);
      const targets = tf.tensor2d([randomIds(6, 3), randomIds(6, 4)], [2, 6], 'int32');
      checkGradients(
        () => maskedCrossEntropy(gpt.forward(batch, { training: true, seed: 9 }).logits, targets, batch.lossMask),
        parameters.list(),
        3,
      );
      tf.dispose([batch.inputs.token_ids, batch.targets, batch.lossMask, targets]);
      parameters.dispose();
    });
  }
});
