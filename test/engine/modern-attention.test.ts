/**
 * The modern-attention model: with n_kv_heads = n_heads and learned positions it is mini-gpt with
 * the same weights; grouped key/value heads equal multi-head attention whose K/V heads are copies;
 * the KV cache (cached and uncached logits within 1e-5 of their scale at every step of a 64-token
 * generation, RoPE, learned and sinusoidal positions, MHA/GQA/MQA), its size formula against the cached
 * tensors' bytes, shapes for two batch sizes and two context lengths, gradients of every weight
 * against central finite differences, no tensor left behind.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, ChapterModel, Decoder } from '../../src/engine/chapters/contract';
import { ropeRelativeDeviation, tiledDeviation } from '../../src/engine/chapters/modern-attention/checks';
import {
  generationSpeedFigure,
  kvCacheFigure,
  kvHeadChoices,
  ropeAnglesFigure,
  speedLengths,
} from '../../src/engine/chapters/modern-attention/figures';
import { unpackFloat32 } from '../../src/shared/run/packed';
import { createMiniGpt } from '../../src/engine/chapters/mini-gpt/model';
import { createModernModel, type ModernConfig } from '../../src/engine/chapters/modern-attention/model';
import { kvCacheBytesPerToken } from '../../src/engine/chapters/modern-attention/measures';
import { kvCacheDeviation } from '../../src/engine/kits/languageModel/probe';
import { maskedCrossEntropy } from '../../src/engine/nn/loss';
import { Parameters } from '../../src/engine/nn/parameters';
import { ROPE_BASE } from '../../src/engine/nn/rope';
import { createRandom } from '../../src/engine/random';
import { Vocab } from '../../src/engine/tasks/vocab';
import { assertAllClose, checkGradients, useBackend, values } from './helpers';
import { seeded } from './nn-helpers';

const VOCAB = new Vocab('abcdefghijklmnop \n'.split(''));

function tinyConfig(overrides: Partial<ModernConfig> = {}): ModernConfig {
  return {
    vocabSize: VOCAB.size,
    context: 12,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    modelSize: 16,
    dropout: 0,
    positions: 'rope',
    ropeBase: ROPE_BASE,
    ...overrides,
  };
}

/** Every weight (biases and gains too) seeded and non-zero, so a wrong column shows. */
function seedAll(parameters: Parameters, seed: number): void {
  tf.tidy(() => parameters.list().forEach((v, i) => v.assign(tf.tensor(seeded(v.size, seed * 100 + i, 0.5), v.shape))));
}

function model(config: ModernConfig, seed = 1) {
  const parameters = new Parameters(createRandom(seed));
  const modern = createModernModel(parameters, config);
  seedAll(parameters, seed);
  return { parameters, modern };
}

function windowBatch(rows: number[][]): Batch {
  const ids = tf.tensor2d(rows, [rows.length, rows[0].length], 'int32');
  return { inputs: { token_ids: ids }, targets: tf.clone(ids) as tf.Tensor2D, lossMask: tf.ones(ids.shape) };
}

function disposeBatch(batch: Batch): void {
  tf.dispose([batch.inputs.token_ids, batch.targets, batch.lossMask]);
}

function randomIds(count: number, seed: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => 4 + random.int(VOCAB.size - 4));
}

function logitsOf(forward: (batch: Batch) => tf.Tensor, batch: Batch): number[] {
  return tf.tidy(() => values(forward(batch)));
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`modern-attention model (${backend})`, () => {
    before(() => useBackend(backend));

    it('n_kv_heads = n_heads with learned positions is mini-gpt’s multi-head attention, same weights', () => {
      const config = tinyConfig({ kvHeads: 4, positions: 'learned' });
      const { parameters, modern } = model(config);
      const gptParameters = new Parameters(createRandom(1));
      const gpt = createMiniGpt(gptParameters, { ...config, tieWeights: true });
      assert.deepEqual(
        gptParameters.entries().map(([name, v]) => [name, v.shape]),
        parameters.entries().map(([name, v]) => [name, v.shape]),
        'the same weights, by name and shape',
      );
      tf.tidy(() => gptParameters.entries().forEach(([name, v]) => v.assign(parameters.get(name))));
      const batch = windowBatch([randomIds(12, 2), randomIds(12, 3)]);
      const context = { training: false, seed: 0 };
      assertAllClose(
        logitsOf((b) => modern.forward(b, context).logits, batch),
        logitsOf((b) => gpt.forward(b, context).logits, batch),
        1e-5,
        'logits',
      );
      disposeBatch(batch);
      parameters.dispose();
      gptParameters.dispose();
    });

    it('grouped key/value heads (GQA, MQA) equal multi-head attention whose K/V heads are copies of the shared ones', () => {
      for (const kvHeads of [2, 1]) {
        const grouped = model(tinyConfig({ kvHeads }));
        const full = model(tinyConfig({ kvHeads: 4 }), 2);
        const headSize = 4;
        const group = 4 / kvHeads;
        tf.tidy(() => {
          for (const [name, v] of full.parameters.entries()) {
            const source = grouped.parameters.get(name);
            if (!name.endsWith('/qkv_kernel') && !name.endsWith('/qkv_bias')) {
              v.assign(source);
              continue;
            }
            // Columns [Q heads | K heads | V heads]; full head h takes shared head ⌊h / group⌋.
            const columns = [
              ...Array.from({ length: 4 * headSize }, (_, c) => c),
              ...[0, 1].flatMap((block) =>
                Array.from({ length: 4 * headSize }, (_, c) => {
                  const head = Math.floor(c / headSize);
                  return (
                    4 * headSize + block * kvHeads * headSize + Math.floor(head / group) * headSize + (c % headSize)
                  );
                }),
              ),
            ];
            v.assign(tf.gather(source, tf.tensor1d(columns, 'int32'), source.rank - 1));
          }
        });
        const batch = windowBatch([randomIds(12, 4), randomIds(12, 5)]);
        const context = { training: false, seed: 0 };
        assertAllClose(
          logitsOf((b) => grouped.modern.forward(b, context).logits, batch),
          logitsOf((b) => full.modern.forward(b, context).logits, batch),
          1e-5,
          `logits with ${kvHeads} key/value heads`,
        );
        assert.deepEqual(grouped.modern.kvHeadOf, kvHeads === 2 ? [0, 0, 1, 1] : [0, 0, 0, 0]);
        disposeBatch(batch);
        grouped.parameters.dispose();
        full.parameters.dispose();
      }
    });

    it('the KV cache: cached and uncached logits agree within 1e-5 of their scale at every step of a 64-token generation', () => {
      for (const positions of ['learned', 'sinusoidal', 'rope'] as const) {
        for (const kvHeads of [4, 2, 1]) {
          const { parameters, modern } = model(tinyConfig({ context: 64, positions, kvHeads }));
          const before = tf.memory().numTensors;
          const result = kvCacheDeviation(modern, VOCAB, 64, 'a', 64);
          assert.equal(result.steps, 64);
          assert.ok(result.deviation <= 1e-5, `relative deviation ${result.deviation} (${positions}, ${kvHeads} kv)`);
          assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
          parameters.dispose();
        }
      }
    });

    it('the KV cache’s size: 2 · layers · kv_heads · d_head · 4 bytes per token, the bytes of the cached tensors', () => {
      for (const kvHeads of [4, 2, 1]) {
        const config = tinyConfig({ kvHeads, layers: 3 });
        const { parameters, modern } = model(config);
        const prompt = randomIds(5, 6);
        let state = tf.tidy(() => modern.decoder.start({ token_ids: tf.tensor2d([prompt], [1, 5], 'int32') }));
        for (let t = 0; t < 3; t++) {
          const previous = tf.tensor1d([7], 'int32');
          const output = modern.decoder.step(state, previous, t);
          tf.dispose([previous, output.logits, ...output.attention.map((a) => a.weights), ...Object.values(state)]);
          state = output.state;
        }
        const cachedBytes = Object.entries(state)
          .filter(([name]) => /\/(keys|values)$/.test(name))
          .reduce((sum, [, tensor]) => sum + tensor.size * 4, 0);
        const tokens = (state.token_ids as tf.Tensor2D).shape[1];
        assert.equal(tokens, 8);
        assert.equal(kvCacheBytesPerToken(config), 2 * 3 * kvHeads * 4 * 4);
        assert.equal(cachedBytes, kvCacheBytesPerToken(config) * tokens, `${kvHeads} key/value heads`);
        tf.dispose(Object.values(state));
        parameters.dispose();
      }
    });

    it('decodes past the end of its context by reading the window again (RoPE positions restart)', () => {
      const { parameters, modern } = model(tinyConfig({ context: 6 }));
      const ids = randomIds(9, 8);
      let state = tf.tidy(() => modern.decoder.start({ token_ids: tf.tensor2d([ids.slice(0, 1)], [1, 1], 'int32') }));
      let last: number[] = [];
      for (let t = 1; t < ids.length; t++) {
        const previous = tf.tensor1d([ids[t]], 'int32');
        const output = modern.decoder.step(state, previous, t - 1);
        tf.dispose([previous, ...Object.values(state)]);
        state = output.state;
        last = values(output.logits);
        tf.dispose([output.logits, ...output.attention.map((a) => a.weights)]);
      }
      tf.dispose(Object.values(state));
      const batch = windowBatch([ids.slice(3)]);
      const full = tf.tidy(() =>
        values(tf.slice(modern.forward(batch, { training: false, seed: 0 }).logits, [0, 5, 0], [1, 1, -1])),
      );
      assertAllClose(last, full, 1e-5, 'logits after the window slid');
      disposeBatch(batch);
      parameters.dispose();
    });

    it('shapes for two batch sizes and two context lengths; maps say which key/value head each query head reads', () => {
      for (const context of [8, 12]) {
        for (const positions of ['rope', 'learned', 'sinusoidal'] as const) {
          const { parameters, modern } = model(tinyConfig({ context, positions }));
          for (const batchSize of [1, 3]) {
            for (const length of [context, context - 3]) {
              const batch = windowBatch(Array.from({ length: batchSize }, (_, b) => randomIds(length, b + length)));
              tf.tidy(() => {
                const output = modern.forward(batch, { training: false, seed: 0 });
                assert.deepEqual(output.logits.shape, [batchSize, length, VOCAB.size]);
                assert.equal(output.attention.length, 2);
                for (const attention of output.attention) {
                  assert.deepEqual(attention.weights.shape, [batchSize, 4, length, length]);
                  assert.deepEqual(attention.kvHeadOf, [0, 0, 1, 1]);
                  const sums = tf.sum(attention.weights, 3).dataSync();
                  assert.ok(sums.every((s) => Math.abs(s - 1) < 1e-5));
                  const future = tf.mul(attention.weights, tf.sub(1, attention.keep!)).dataSync();
                  assert.ok(
                    future.every((w) => w === 0),
                    'future weights exactly 0',
                  );
                }
                assert.deepEqual(output.named['layer1/queries'].shape, [batchSize, 4, length, 4]);
                assert.deepEqual(output.named['layer1/keys'].shape, [batchSize, 2, length, 4]);
                assert.deepEqual(output.named.block_inputs.shape, [batchSize, length, 16]);
              });
              disposeBatch(batch);
            }
          }
          const names = parameters.entries().map(([name]) => name);
          assert.equal(names.includes('positions/position_embeddings'), positions === 'learned');
          assert.deepEqual(parameters.get('layer0/attention/qkv_kernel').shape, [16, (4 + 2 * 2) * 4]);
          parameters.dispose();
        }
      }
    });

    it('is causal with RoPE: later tokens never change earlier logits', () => {
      const { parameters, modern } = model(tinyConfig());
      const base = randomIds(12, 3);
      const changed = base.map((id, i) => (i > 5 ? 4 + ((id - 3) % (VOCAB.size - 4)) : id));
      const batch = windowBatch([base, changed]);
      const logits = tf.tidy(
        () => modern.forward(batch, { training: false, seed: 0 }).logits.arraySync() as number[][][],
      );
      for (let position = 0; position <= 5; position++) assert.deepEqual(logits[1][position], logits[0][position]);
      assert.notDeepEqual(logits[1][6], logits[0][6]);
      disposeBatch(batch);
      parameters.dispose();
    });

    it('training steps leave no tensor behind', () => {
      const { parameters, modern } = model(tinyConfig());
      const batch = windowBatch([randomIds(12, 1), randomIds(12, 2)]);
      const step = () => {
        const { value, grads } = tf.variableGrads(
          () =>
            maskedCrossEntropy(
              modern.forward(batch, { training: true, seed: 1 }).logits,
              batch.targets,
              batch.lossMask,
            ),
          parameters.list(),
        );
        tf.dispose([value, ...Object.values(grads)]);
      };
      step();
      const before = tf.memory().numTensors;
      step();
      step();
      assert.equal(tf.memory().numTensors, before);
      disposeBatch(batch);
      parameters.dispose();
    });
  });
}

describe('modern-attention gradients (cpu, central finite differences)', () => {
  before(() => useBackend('cpu'));

  for (const [positions, kvHeads] of [
    ['rope', 2],
    ['rope', 1],
    ['learned', 2],
  ] as const) {
    it(`every weight of a 2-block model, ${positions} positions, ${kvHeads} key/value heads, dropout 0.1`, () => {
      const config = tinyConfig({ context: 6, modelSize: 8, heads: 4, kvHeads, positions, dropout: 0.1 });
      const { parameters, modern } = model(config, 4);
      tf.tidy(() => parameters.list().forEach((v) => v.assign(tf.mul(v, 0.6))));
      const batch = windowBatch([randomIds(6, 1), randomIds(6, 2)]);
      const targets = tf.tensor2d([randomIds(6, 3), randomIds(6, 4)], [2, 6], 'int32');
      checkGradients(
        () => maskedCrossEntropy(modern.forward(batch, { training: true, seed: 9 }).logits, targets, batch.lossMask),
        parameters.list(),
        3,
      );
      tf.dispose([targets]);
      disposeBatch(batch);
      parameters.dispose();
    });
  }
});

/**
 * The known mistake, made on purpose: a decoder that feeds every new token as if it stood at
 * position 0 (the cache keeps its keys, the position is lost). The cached-equals-uncached check
 * must catch it, with RoPE and with learned positions, or it would prove nothing.
 */
function positionZeroDecoder(decoder: Decoder): Decoder {
  return {
    start: (inputs) => decoder.start(inputs),
    step(state, previous, position) {
      const forgetful = { ...state, token_ids: tf.zeros([1, 0], 'int32') }; // [1, 0]: the cache's length reads 0
      const output = decoder.step(forgetful, previous, position);
      forgetful.token_ids.dispose();
      return output;
    },
  };
}

describe('modern-attention checks (cpu)', () => {
  before(() => useBackend('cpu'));

  it('the KV-cache check catches a new token rotated at position 0 instead of its own', () => {
    for (const positions of ['rope', 'learned', 'sinusoidal'] as const) {
      const { parameters, modern } = model(tinyConfig({ context: 32, positions }));
      const wrong: ChapterModel = { ...modern, decoder: positionZeroDecoder(modern.decoder) };
      const right = kvCacheDeviation(modern, VOCAB, 32, 'abc', 20);
      const mistaken = kvCacheDeviation(wrong, VOCAB, 32, 'abc', 20);
      assert.ok(right.deviation <= 1e-5, `${positions}: correct offsets ${right.deviation}`);
      assert.ok(mistaken.deviation > 1e-2, `${positions}: position 0 for every new token gives ${mistaken.deviation}`);
      parameters.dispose();
    }
  });

  it('RoPE’s relative property and tiled = ordinary on the model’s own queries and keys, within 1e-5, no tensor left', () => {
    for (const kvHeads of [4, 2, 1]) {
      const { parameters, modern } = model(tinyConfig({ context: 20, kvHeads }));
      const ids = Int32Array.from(randomIds(20, 9));
      const before = tf.memory().numTensors;
      const relative = ropeRelativeDeviation(modern, ids);
      const tiled = tiledDeviation(modern, ids);
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      assert.ok(relative <= 1e-5, `RoPE relative ${relative} (${kvHeads} kv)`);
      assert.ok(tiled <= 1e-5, `tiled ${tiled} (${kvHeads} kv)`);
      parameters.dispose();
    }
  });

  it('figures: RoPE cos(m·θ_i) table, KV cache per token measured for every grouping, speeds; no tensor left', () => {
    const config = tinyConfig({ context: 8, kvHeads: 2 });
    const before = tf.memory().numTensors;
    const angles = ropeAnglesFigure(config);
    const cache = kvCacheFigure(config);
    const speed = generationSpeedFigure(config);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    assert.ok(angles.type === 'matrix' && cache.type === 'lines' && speed.type === 'lines');
    assert.deepEqual([angles.values.rows, angles.values.columns], [8, 2]);
    const table = unpackFloat32(angles.values.data)!;
    // d_head 4: θ = [1, 0.01]; row m = 3 holds cos 3 and cos 0.03.
    assertAllClose([table[6], table[7]], [Math.cos(3), Math.cos(0.03)], 1e-7, 'row 3');
    assert.deepEqual(kvHeadChoices(4), [4, 2, 1]);
    assert.deepEqual(kvHeadChoices(6), [6, 3, 2, 1]);
    // 2 · 2 layers · kv · d_head 4 · 4 bytes per token, for kv = 4, 2, 1.
    assert.deepEqual(
      cache.series.map((s) => Math.round((s.points[0][1] * 1024) / s.points[0][0])),
      [256, 128, 64],
    );
    assert.deepEqual(speedLengths(8), [8]);
    assert.deepEqual(speedLengths(256), [8, 16, 32, 64]);
    assert.deepEqual(
      speed.series.map((s) => s.points.length),
      [1, 1],
    );
    assert.ok(speed.series.every((s) => s.points.every(([, perSecond]) => perSecond > 0)));
  });
});
