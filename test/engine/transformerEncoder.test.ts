/**
 * Chapter transformer-encoder: the model against a plain-JS forward pass written from the closed
 * forms (sinusoidal positions, multi-head attention with the padding mask, ReLU FFN, layer norm,
 * post-LN and pre-LN orders, pre-LN's final norm), on every named tensor; dropout; gradients
 * against central differences (cpu); shapes for two batch sizes and two lengths; gradient norms at
 * initialisation, post-LN against pre-LN; the figures and self-checks against their closed forms;
 * no tensor growth between epochs; the catalogue's schema; the CLI from the built bundle.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../src/shared/course/chapter';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { chapterInfoProblems, defaultsOf, resolveComparison } from '../../src/shared/course/hyperparameters';
import { unpackFloat32 } from '../../src/shared/run/packed';
import type { StepRecord } from '../../src/shared/run/records';
import { trainableChapter } from '../../src/engine/chapters/registry';
import type { AttentionOutput, Batch, ChapterModel, RunData } from '../../src/engine/chapters/contract';
import {
  alignmentCheck,
  anyHeadShares,
  closedFormPosition,
  positionEncodingCheck,
  POSITION_TOLERANCE,
} from '../../src/engine/chapters/transformer-encoder/checks';
import { COMPARISON_PRESET } from '../../src/engine/chapters/transformer-encoder/info';
import { learningRateSchedule } from '../../src/engine/chapters/transformer-encoder/index';
import { gradientGroupOf } from '../../src/engine/chapters/transformer-encoder/model';
import { makePositionBatch, type PositionData, type PositionItem } from '../../src/engine/kits/positions/data';
import { maskedCrossEntropy } from '../../src/engine/nn/loss';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { Vocab } from '../../src/engine/tasks/vocab';
import { disposeBatch } from '../../src/engine/train/batches';
import { describeShapes } from '../../src/engine/train/shapes';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';
import { checkGradients, seeded } from './nn-helpers';

const chapter = trainableChapter('transformer-encoder')!;
const vocab = new Vocab('0123456789'.split(''));
const data = { sourceVocab: vocab, targetVocab: vocab } as unknown as RunData;

function hyper(overrides: Hyperparameters = {}): Hyperparameters {
  return {
    ...defaultsOf(chapter.info, 'reverse'),
    dModel: 8,
    heads: 2,
    layers: 2,
    ffnSize: 12,
    maxLength: 7,
    ...overrides,
  };
}

/** Items of the given lengths, ids drawn from the digits; targets reversed. */
function items(lengths: number[], seed: number): PositionItem[] {
  const random = createRandom(seed);
  return lengths.map((length) => {
    const source = Array.from({ length }, () => String(random.int(10)));
    const target = [...source].reverse();
    return { example: { source, target }, ids: vocab.encode(source), targetIds: vocab.encode(target) };
  });
}

// ── a plain-JS Transformer encoder, from the closed forms ─────────────────────────────────────

type Matrix = number[][];

function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((sum, x, k) => sum + x * b[k][j], 0)));
}
const addBias = (a: Matrix, bias: number[]): Matrix => a.map((row) => row.map((x, j) => x + bias[j]));
const add = (a: Matrix, b: Matrix): Matrix => a.map((row, i) => row.map((x, j) => x + b[i][j]));
const columns = (a: Matrix, from: number, to: number): Matrix => a.map((row) => row.slice(from, to));

function layerNormRows(x: Matrix, gain: number[], bias: number[]): Matrix {
  return x.map((row) => {
    const mean = row.reduce((a, b) => a + b, 0) / row.length;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
    return row.map((v, j) => ((v - mean) / Math.sqrt(variance + 1e-5)) * gain[j] + bias[j]);
  });
}

interface Reference {
  inputs: Matrix;
  layers: { weights: Matrix[]; queries: Matrix[]; afterAttention: Matrix; output: Matrix }[];
  encoded: Matrix;
  logits: Matrix;
}

/** One example through the encoder: `keep[k]` says whether key k is a real token. */
function referenceForward(
  ids: number[],
  keep: boolean[],
  weight: (name: string) => number[][] | number[],
  config: { heads: number; layers: number; norm: 'pre' | 'post'; positions: string },
): Reference {
  const embeddings = weight('embeddings') as Matrix;
  const tokens = ids.map((id) => [...embeddings[id]]);
  const width = tokens[0].length;
  const headSize = width / config.heads;
  let x: Matrix = tokens;
  if (config.positions === 'sinusoidal')
    x = x.map((row, pos) => row.map((v, f) => v + closedFormPosition(pos, f, width)));
  if (config.positions === 'learned') {
    const table = weight('positions/position_embeddings') as Matrix;
    x = x.map((row, pos) => row.map((v, f) => v + table[pos][f]));
  }
  const inputs = x;
  const norm = (m: Matrix, prefix: string) =>
    layerNormRows(m, weight(`${prefix}/gain`) as number[], weight(`${prefix}/bias`) as number[]);
  const layers: Reference['layers'] = [];
  for (let n = 1; n <= config.layers; n++) {
    const p = `layer${n}`;
    const attentionInput = config.norm === 'pre' ? norm(x, `${p}/attention_norm`) : x;
    const qkv = addBias(
      matmul(attentionInput, weight(`${p}/attention/qkv_kernel`) as Matrix),
      weight(`${p}/attention/qkv_bias`) as number[],
    );
    const heads: Matrix[] = [];
    const queries: Matrix[] = [];
    const contexts: Matrix[] = [];
    for (let h = 0; h < config.heads; h++) {
      const q = columns(qkv, h * headSize, (h + 1) * headSize);
      const k = columns(qkv, width + h * headSize, width + (h + 1) * headSize);
      const v = columns(qkv, 2 * width + h * headSize, 2 * width + (h + 1) * headSize);
      const weights = q.map((qRow) => {
        const scores = k.map((kRow) => qRow.reduce((s, a, i) => s + a * kRow[i], 0) / Math.sqrt(headSize));
        const max = Math.max(...scores.filter((_, j) => keep[j]));
        const e = scores.map((s, j) => (keep[j] ? Math.exp(s - max) : 0));
        const total = e.reduce((a, b) => a + b, 0);
        return e.map((x) => x / total);
      });
      heads.push(weights);
      queries.push(q);
      contexts.push(matmul(weights, v));
    }
    const merged = contexts[0].map((_, i) => contexts.flatMap((c) => c[i]));
    const attended = addBias(
      matmul(merged, weight(`${p}/attention/output_kernel`) as Matrix),
      weight(`${p}/attention/output_bias`) as number[],
    );
    const afterAttention = config.norm === 'pre' ? add(x, attended) : norm(add(x, attended), `${p}/attention_norm`);
    const ffnInput = config.norm === 'pre' ? norm(afterAttention, `${p}/ffn_norm`) : afterAttention;
    const hidden = addBias(
      matmul(ffnInput, weight(`${p}/ffn/hidden_kernel`) as Matrix),
      weight(`${p}/ffn/hidden_bias`) as number[],
    ).map((row) => row.map((v) => Math.max(0, v)));
    const ffn = addBias(
      matmul(hidden, weight(`${p}/ffn/output_kernel`) as Matrix),
      weight(`${p}/ffn/output_bias`) as number[],
    );
    x = config.norm === 'pre' ? add(afterAttention, ffn) : norm(add(afterAttention, ffn), `${p}/ffn_norm`);
    layers.push({ weights: heads, queries, afterAttention, output: x });
  }
  const encoded = config.norm === 'pre' ? norm(x, 'final_norm') : x;
  const logits = addBias(matmul(encoded, weight('output/kernel') as Matrix), weight('output/bias') as number[]);
  return { inputs, layers, encoded, logits };
}

function assertNear(actual: number[], expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  actual.forEach((a, i) => (worst = Math.max(worst, Math.abs(a - expected[i]))));
  assert.ok(worst <= tolerance, `${what}: largest difference ${worst} > ${tolerance}`);
}

// ── tests ──────────────────────────────────────────────────────────────────────────────────────

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`transformer-encoder model against the closed forms (${backend})`, () => {
    before(() => useBackend(backend));

    for (const norm of ['post', 'pre'] as const) {
      for (const positions of ['sinusoidal', 'learned', 'none']) {
        it(`${norm}-LN, ${positions} positions: every named tensor and the logits equal the plain-JS encoder`, () => {
          const parameters = new Parameters(createRandom(11));
          const h = hyper({ norm, positions, dropout: 0.3 });
          const model = chapter.createModel(parameters, h, data);
          const weight = (name: string) => parameters.get(name).arraySync() as number[][] | number[];
          // Learned positions start tiny; give them and the biases visible values.
          for (const [name, variable] of parameters.entries())
            if (/bias|position_embeddings/.test(name))
              variable.assign(tf.tensor(seeded(variable.size, variable.size + 1, 0.5), variable.shape));
          const batchItems = items([7, 4, 6], 3);
          const batch = makePositionBatch(batchItems);
          const named = tf.tidy(() => {
            const output = model.forward(batch, { training: false, seed: 9 });
            const read: Record<string, number[]> = {};
            for (const [name, tensor] of Object.entries(output.named)) read[name] = Array.from(tensor.dataSync());
            read.logits = Array.from(output.logits.dataSync());
            output.attention.forEach((a, i) => (read[`map${i}`] = Array.from(a.weights.dataSync())));
            return read;
          });
          const length = 7;
          const width = 8;
          batchItems.forEach((item, b) => {
            const ids = [...item.ids, ...Array(length - item.ids.length).fill(0)];
            const keep = ids.map((_, k) => k < item.ids.length);
            const ref = referenceForward(ids, keep, weight, { heads: 2, layers: 2, norm, positions });
            const slice = (name: string, size: number) => named[name].slice(b * size, (b + 1) * size);
            const tolerance = 2e-4;
            assertNear(slice('encoder_inputs', length * width), ref.inputs.flat(), tolerance, `inputs ${b}`);
            ref.layers.forEach((layer, i) => {
              const n = i + 1;
              const maps = slice(`layer${n}/attention_weights`, 2 * length * length);
              assertNear(maps, layer.weights.flat(2), 1e-5, `layer${n} weights ${b}`);
              assertNear(slice(`map${i}`, 2 * length * length), layer.weights.flat(2), 1e-5, `map ${i}`);
              for (let k = item.ids.length; k < length; k++)
                for (let row = 0; row < 2 * length; row++) assert.equal(maps[row * length + k], 0, 'padding gets 0');
              assertNear(slice(`layer${n}/queries`, length * width), layer.queries.flat(2), tolerance, `queries`);
              assertNear(
                slice(`layer${n}/after_attention`, length * width),
                layer.afterAttention.flat(),
                tolerance,
                `layer${n} after attention ${b}`,
              );
              assertNear(slice(`layer${n}/output`, length * width), layer.output.flat(), tolerance, `layer${n} out`);
            });
            assertNear(slice('encoder_outputs', length * width), ref.encoded.flat(), tolerance, `encoded ${b}`);
            assertNear(slice('logits', length * vocab.size), ref.logits.flat(), 5e-4, `logits ${b}`);
          });
          if (positions === 'none') assert.equal(named.position_encoding, undefined, 'no positions are added');
          else
            assertNear(
              named.position_encoding,
              positions === 'sinusoidal'
                ? Array.from({ length: length * width }, (_, i) =>
                    closedFormPosition(Math.floor(i / width), i % width, width),
                  )
                : (weight('positions/position_embeddings') as number[][]).slice(0, length).flat(),
              1e-6,
              'position rows',
            );
          if (positions === 'sinusoidal')
            assert.deepEqual(
              named.position_encoding.slice(0, width),
              [0, 1, 0, 1, 0, 1, 0, 1],
              'PE[0] = [0, 1, 0, 1, …] as the model adds it',
            );
          assert.equal(
            parameters.entries().some(([name]) => name.startsWith('final_norm/')),
            norm === 'pre',
          );
          disposeBatch(batch);
          parameters.dispose();
        });
      }
    }

    it('dropout: the identity in evaluation; in training the same seed gives the same output, another seed another', () => {
      const parameters = new Parameters(createRandom(4));
      const model = chapter.createModel(parameters, hyper({ dropout: 0.5 }), data);
      const plain = new Parameters(createRandom(4));
      const noDropout = chapter.createModel(plain, hyper({ dropout: 0 }), data);
      const batch = makePositionBatch(items([5, 3], 8));
      const logits = (m: ChapterModel, training: boolean, seed: number) =>
        tf.tidy(() => Array.from(m.forward(batch, { training, seed }).logits.dataSync()));
      assert.deepEqual(logits(model, false, 1), logits(noDropout, false, 1), 'evaluation ignores the rate');
      assert.deepEqual(logits(model, true, 1), logits(model, true, 1), 'same seed, same masks');
      assert.notDeepEqual(logits(model, true, 1), logits(model, true, 2), 'another seed, other masks');
      assert.notDeepEqual(logits(model, true, 1), logits(model, false, 1), 'training drops');
      assert.deepEqual(logits(noDropout, true, 1), logits(noDropout, false, 1), 'rate 0: training = evaluation');
      disposeBatch(batch);
      parameters.dispose();
      plain.dispose();
    });

    for (const batchSize of [2, 5]) {
      for (const length of [3, 7]) {
        it(`shapes of every named tensor and attention map: batch ${batchSize}, length ${length}`, () => {
          const before = tf.memory().numTensors;
          const parameters = new Parameters(createRandom(1));
          const model = chapter.createModel(parameters, hyper({ dModel: 12, heads: 3, layers: 2, ffnSize: 20 }), data);
          const lengths = Array.from({ length: batchSize }, (_, i) => (i === 0 ? length : 1 + (i % length)));
          const batch = makePositionBatch(items(lengths, 4));
          const { entries, maps } = tf.tidy(() => {
            const output = model.forward(batch, { training: true, seed: 3 });
            return {
              entries: describeShapes(chapter.info, output.named, parameters),
              maps: output.attention.map((a) => ({ ...a, weights: a.weights.shape, keep: a.keep?.shape })),
            };
          });
          const shape = (name: string) => entries.find((e) => e.name === name)?.shape;
          assert.deepEqual(shape('source_ids'), [batchSize, length]);
          assert.deepEqual(shape('position_encoding'), [length, 12]);
          assert.deepEqual(shape('encoder_inputs'), [batchSize, length, 12]);
          for (const n of [1, 2]) {
            assert.deepEqual(shape(`layer${n}/queries`), [batchSize, 3, length, 4]);
            assert.deepEqual(shape(`layer${n}/attention_scores`), [batchSize, 3, length, length]);
            assert.deepEqual(shape(`layer${n}/attention_weights`), [batchSize, 3, length, length]);
            assert.deepEqual(shape(`layer${n}/after_attention`), [batchSize, length, 12]);
            assert.deepEqual(shape(`layer${n}/output`), [batchSize, length, 12]);
            assert.deepEqual(shape(`layer${n}/attention/qkv_kernel`), [12, 36]);
            assert.deepEqual(shape(`layer${n}/ffn/hidden_kernel`), [12, 20]);
          }
          assert.deepEqual(shape('logits'), [batchSize, length, vocab.size]);
          assert.deepEqual(
            maps.map((m) => [m.kind, m.stack, m.layer, m.weights, m.keep, m.rows, m.columns]),
            [0, 1].map((layer) => [
              'self',
              'encoder',
              layer,
              [batchSize, 3, length, length],
              [batchSize, 1, 1, length],
              'source',
              'source',
            ]),
          );
          for (const entry of entries) assert.equal(entry.dims.length, entry.shape.length, entry.name);
          disposeBatch(batch);
          parameters.dispose();
          assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
        });
      }
    }
  });
}

describe('transformer-encoder gradients (cpu, central differences)', () => {
  before(() => useBackend('cpu'));

  for (const [norm, positions, rate] of [
    ['post', 'learned', 0],
    ['pre', 'learned', 0],
    ['post', 'sinusoidal', 0.2],
    ['pre', 'none', 0.2],
  ] as const) {
    it(`every weight, ${norm}-LN, ${positions} positions, dropout ${rate}`, () => {
      const parameters = new Parameters(createRandom(5));
      const model = chapter.createModel(
        parameters,
        hyper({ norm, positions, dropout: rate, dModel: 4, heads: 2, ffnSize: 6, maxLength: 5 }),
        data,
      );
      // Moderate weights keep the softmax and the layer norms away from their flat regions.
      for (const variable of parameters.list())
        if (!/gain/.test(variable.name))
          variable.assign(tf.tensor(seeded(variable.size, variable.size + 3, 0.6), variable.shape));
      const batch = makePositionBatch(items([5, 3], 12));
      checkGradients(
        () =>
          tf.tidy(() =>
            maskedCrossEntropy(model.forward(batch, { training: true, seed: 7 }).logits, batch.targets, batch.lossMask),
          ),
        parameters.list(),
        3,
      );
      disposeBatch(batch);
      parameters.dispose();
    });
  }
});

/** The gradient norm of each group (`gradientGroups`) for one batch, at the model's current weights. */
function groupNorms(model: ChapterModel, batch: Batch): Record<string, number> {
  const variables = model.parameters.list();
  const { grads } = tf.variableGrads(
    () => maskedCrossEntropy(model.forward(batch, { training: false, seed: 0 }).logits, batch.targets, batch.lossMask),
    variables,
  );
  const squares: Record<string, number> = {};
  for (const [name, variable] of model.parameters.entries()) {
    const group = chapter.gradientGroups!(name);
    if (group === null) continue;
    const values = grads[variable.name].dataSync() as Float32Array;
    squares[group] = (squares[group] ?? 0) + values.reduce((s, g) => s + g * g, 0);
  }
  tf.dispose(Object.values(grads));
  return Object.fromEntries(Object.entries(squares).map(([group, square]) => [group, Math.sqrt(square)]));
}

describe('gradient norms per layer at initialisation (cpu, seeds 1–3, 64 reverse examples)', () => {
  before(() => useBackend('cpu'));

  it('groups: embeddings, layer1 … layerN, output; every weight in one', () => {
    assert.equal(gradientGroupOf('embeddings'), 'embeddings');
    assert.equal(gradientGroupOf('positions/position_embeddings'), 'embeddings');
    assert.equal(gradientGroupOf('layer12/ffn_norm/gain'), 'layer12');
    assert.equal(gradientGroupOf('final_norm/bias'), 'output');
    assert.equal(gradientGroupOf('output/kernel'), 'output');
    const parameters = new Parameters(createRandom(1));
    chapter.createModel(parameters, hyper({ norm: 'pre', positions: 'learned', layers: 3 }), data);
    assert.deepEqual(
      [...new Set(parameters.entries().map(([name]) => gradientGroupOf(name)))],
      ['embeddings', 'layer1', 'layer2', 'layer3', 'output'],
    );
    parameters.dispose();
  });

  for (const [what, settings] of [
    ['the defaults (2 layers)', {}],
    [`the comparison’s preset (${COMPARISON_PRESET.layers} layers)`, COMPARISON_PRESET],
  ] as const) {
    it(`${what}: the last layer’s gradient norm over the first’s is larger post-LN than pre-LN`, () => {
      const defaults: Hyperparameters = { ...defaultsOf(chapter.info, 'reverse'), ...settings };
      const layers = Number(defaults.layers);
      const batch = makePositionBatch(
        items(
          Array.from({ length: 64 }, (_, i) => 3 + (i % 6)),
          21,
        ),
      );
      const ratios: Record<string, number[]> = { post: [], pre: [] };
      for (const seed of [1, 2, 3]) {
        for (const norm of ['post', 'pre']) {
          const parameters = new Parameters(createRandom(seed));
          const model = chapter.createModel(parameters, { ...defaults, layers, norm }, data);
          const norms = groupNorms(model, batch);
          ratios[norm].push(norms[`layer${layers}`] / norms.layer1);
          parameters.dispose();
        }
      }
      const text = `post ${ratios.post.map((r) => r.toFixed(3))}, pre ${ratios.pre.map((r) => r.toFixed(3))}`;
      ratios.post.forEach((post, i) => assert.ok(post > ratios.pre[i], `seed ${i + 1}: ${text}`));
      console.log(`# ${what}, last/first gradient norm: ${text}`);
      disposeBatch(batch);
    });
  }
});

describe('transformer-encoder optimiser', () => {
  before(() => useBackend('cpu'));

  it('AdamW with linear warm-up, then a cosine to 0 at the last step, or constant', () => {
    const h = { ...defaultsOf(chapter.info, 'reverse'), learningRate: 0.01, warmupSteps: 10, epochs: 3 };
    const cosine = learningRateSchedule({ ...h, schedule: 'cosine' }, 20); // 60 steps
    const constant = learningRateSchedule({ ...h, schedule: 'constant' }, 20);
    for (const schedule of [cosine, constant]) {
      assert.ok(Math.abs(schedule(1) - 0.001) < 1e-12 && Math.abs(schedule(5) - 0.005) < 1e-12, 'linear warm-up');
      assert.ok(Math.abs(schedule(10) - 0.01) < 1e-12, 'the peak at the end of warm-up');
    }
    assert.ok(Math.abs(cosine(35) - 0.005) < 1e-12, 'half-way down the cosine: half the peak');
    assert.ok(Math.abs(cosine(60)) < 1e-12, '0 at the last step');
    assert.equal(constant(60), 0.01);
    // Warm-up as long as the run: the cosine has no room, the rate only rises.
    assert.equal(learningRateSchedule({ ...h, warmupSteps: 60, schedule: 'cosine' }, 20)(30), 0.005);
    const parameters = new Parameters(createRandom(1));
    chapter.createModel(parameters, { ...h, schedule: 'cosine' }, data);
    const optimizer = chapter.createOptimizer({ ...h, schedule: 'cosine' }, { parameters, stepsPerEpoch: 20 });
    assert.deepEqual(
      [1, 10, 35, 60].map((step) => optimizer.learningRate(step)),
      [1, 10, 35, 60].map(cosine),
    );
    optimizer.dispose();
    parameters.dispose();
  });
});

describe('transformer-encoder figures and self-checks', () => {
  before(() => useBackend('cpu'));

  it('the position figure is the closed form; the dot products are Σᵢ cos((p − q)ωᵢ), d_model/2 on the diagonal', () => {
    const figures = chapter.figures!(hyper({ maxLength: 12, dModel: 16 }), data);
    assert.deepEqual(
      figures.map((f) => f.id),
      ['position-encoding', 'position-dot-products'],
    );
    const [pe, dots] = figures;
    assert.ok(pe.type === 'matrix' && dots.type === 'matrix');
    assert.deepEqual([pe.values.rows, pe.values.columns, dots.values.rows, dots.values.columns], [12, 16, 12, 12]);
    const table = unpackFloat32(pe.values.data)!;
    const products = unpackFloat32(dots.values.data)!;
    for (let pos = 0; pos < 12; pos++)
      for (let f = 0; f < 16; f++)
        assert.ok(Math.abs(table[pos * 16 + f] - closedFormPosition(pos, f, 16)) < 1e-7, `PE[${pos}, ${f}]`);
    assert.deepEqual(
      Array.from(table.slice(0, 16)),
      Array.from({ length: 16 }, (_, f) => (f % 2 === 0 ? 0 : 1)),
    );
    for (let p = 0; p < 12; p++) {
      assert.ok(Math.abs(products[p * 12 + p] - 8) < 1e-5, `diagonal ${p}`);
      for (let q = 0; q < 12; q++) {
        let expected = 0;
        for (let i = 0; i < 8; i++) expected += Math.cos((p - q) / Math.pow(10000, (2 * i) / 16));
        assert.ok(Math.abs(products[p * 12 + q] - expected) < 1e-5, `dot ${p}, ${q}`);
      }
    }
    assert.match(pe.note?.en ?? '', /This run adds exactly this table/);
    const learned = chapter.figures!(hyper({ positions: 'learned' }), data);
    assert.match(learned[0].note?.en ?? '', /learns its own position vectors/);
  });

  it('the position check reads what the model adds: within 1e-6 of the closed form; only for sinusoidal runs', () => {
    const parameters = new Parameters(createRandom(1));
    const h = hyper({ positions: 'sinusoidal', maxLength: 32, dModel: 64, heads: 4 });
    const model = chapter.createModel(parameters, h, data);
    const context = { model, data, hyperparameters: h, task: 'reverse', probes: { probes: [], stats: null } };
    const [check] = positionEncodingCheck(context);
    assert.equal(check.id, 'position-closed-form');
    assert.ok(check.pass && check.value <= POSITION_TOLERANCE && check.value < 1e-7, `value ${check.value}`);
    assert.deepEqual(positionEncodingCheck({ ...context, hyperparameters: { ...h, positions: 'learned' } }), []);
    parameters.dispose();
  });

  it('the alignment check takes the layer whose heads look where the answer is most often', () => {
    const batchItems = items([4, 3], 2);
    const batch = makePositionBatch(batchItems);
    // Two layers of two heads over [batch 2, queries 4, keys 4]. Layer 1: both heads on key 0.
    // Layer 2: head 0 on the anti-diagonal for `antiDiagonal` examples, else on key 0; head 1 on key 0.
    const fake = (antiDiagonal: number[]): ChapterModel => ({
      parameters: new Parameters(createRandom(1)),
      forward: () => {
        const attention = [0, 1].map((layer): AttentionOutput => {
          const values: number[] = [];
          for (let b = 0; b < 2; b++) {
            const n = batchItems[b].ids.length;
            for (let h = 0; h < 2; h++)
              for (let q = 0; q < 4; q++)
                for (let k = 0; k < 4; k++) {
                  const target = layer === 1 && h === 0 && antiDiagonal.includes(b) ? n - 1 - q : 0;
                  values.push(k === target ? 0.7 : 0.1);
                }
          }
          const weights = tf.tensor4d(values, [2, 2, 4, 4]);
          return { kind: 'self', stack: 'encoder', layer, weights, keep: null, rows: 'source', columns: 'source' };
        });
        return { logits: tf.zeros([2, 4, 11]) as tf.Tensor3D, named: {}, attention };
      },
    });
    const reverse = (q: number, n: number) => (k: number) => k === n - 1 - q;
    // Key 0 is the mirror of the last row only: 1 of 4 rows of example 0, 1 of 3 of example 1.
    assert.deepEqual(anyHeadShares(fake([0, 1]), batch, reverse), [2 / 7, 1]);
    assert.deepEqual(anyHeadShares(fake([0]), batch, reverse), [2 / 7, (4 + 1) / 7]);
    const context = {
      model: fake([0, 1]),
      data: { validation: batchItems } as unknown as PositionData,
      task: 'reverse',
      hyperparameters: { layers: 2 },
      probes: { probes: [], stats: null },
    };
    const [check] = alignmentCheck(context);
    assert.deepEqual([check.id, check.value, check.pass], ['alignment', 1, true]);
    assert.equal(check.detail?.en, 'layer 2; by layer: 0.286, 1.000');
    const [failing] = alignmentCheck({ ...context, model: fake([]) });
    assert.deepEqual(
      [failing.value, failing.pass, failing.detail?.en],
      [2 / 7, false, 'layer 1; by layer: 0.286, 0.286'],
    );
    assert.deepEqual(alignmentCheck({ ...context, task: 'copy' }), []);
    disposeBatch(batch);
  });

  it('passes the catalogue’s schema; the comparison runs the three LN variants with its preset', () => {
    assert.deepEqual(chapterInfoProblems(chapter.info), []);
    assert.deepEqual(chapterInfo('transformer-encoder'), chapter.info);
    assert.deepEqual(chapter.info.comparison?.variants, ['post-ln', 'post-ln-warmup', 'pre-ln']);
    for (const variant of chapter.info.comparison!.variants) {
      const resolved = resolveComparison(chapter.info, variant);
      assert.ok(resolved.ok);
      for (const [key, value] of Object.entries(COMPARISON_PRESET)) assert.equal(resolved.value[key], value, key);
    }
  });
});

describe('transformer-encoder training (wasm)', () => {
  let runsDir: string;
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-transformer-encoder-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('tf.memory().numTensors is equal after epochs 2 and 3; step lines carry every group’s gradient norm', async () => {
    const counts: number[] = [];
    const steps: StepRecord[] = [];
    await train(
      {
        chapter,
        runsDir,
        backend: 'wasm',
        packageVersion: 'test',
        stepMetricsEvery: 2,
        overrides: {
          trainSize: 128,
          validationSize: 32,
          testSize: 8,
          epochs: 3,
          batchSize: 32,
          dModel: 16,
          ffnSize: 32,
          dropout: 0.1,
          layers: 3,
        },
      },
      { epoch: () => counts.push(tf.memory().numTensors), stepMetrics: (m) => steps.push(m) },
    );
    assert.equal(counts[2], counts[1]);
    assert.equal(steps.length, 6);
    for (const step of steps) {
      assert.deepEqual(Object.keys(step.gradient_norms ?? {}), ['embeddings', 'layer1', 'layer2', 'layer3', 'output']);
      for (const value of Object.values(step.gradient_norms!)) assert.ok(value > 0 && Number.isFinite(value));
    }
  });

  it('the CLI trains it from the built bundle', () => {
    const bin = path.resolve(__dirname, '..', '..', 'bin', 'llm-tutor.js');
    const args = ['train', 'transformer-encoder', '--epochs', '1', '--train-size', '200', '--validation-size', '40'];
    args.push('--test-size', '10', '--d-model', '16', '--ffn-size', '32', '--backend', 'wasm', '--output-dir', runsDir);
    const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^epoch=001 train_loss=\S+ val_loss=\S+ val_exact=\S+ val_position_acc=\S+ /m);
    assert.match(
      result.stdout,
      /^checks: rows-sum-to-one=pass\(\S+\) masked-zero=pass\(0≤0\) position-closed-form=pass\(\S+\) alignment=\S+$/m,
    );
  });
});
