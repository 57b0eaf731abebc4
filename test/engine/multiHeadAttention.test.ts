/**
 * Chapter multi-head-attention: with one head it is single-head scaled dot-product attention;
 * the chapter's steps equal the nn building block; splitting and merging heads is the identity;
 * every head's rows sum to 1 and padded keys get exactly 0; shapes for two batch sizes, two
 * lengths, h = 1 and 4; gradients against central differences; no tensor growth between epochs;
 * the Jensen–Shannon measure and the head checks against hand-computed values; the declared info.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../src/shared/course/chapter';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { chapterInfoProblems, defaultsOf } from '../../src/shared/course/hyperparameters';
import { trainableChapter } from '../../src/engine/chapters/registry';
import type { ChapterModel, RunData } from '../../src/engine/chapters/contract';
import {
  jensenShannon,
  meanHeadDivergence,
  neighbourShare,
  neighbourWeights,
  type HeadWeights,
} from '../../src/engine/chapters/multi-head-attention/heads';
import { initialDivergence, type MultiHeadData } from '../../src/engine/chapters/multi-head-attention/index';
import { makePositionBatch, type PositionItem } from '../../src/engine/kits/positions/data';
import { dotProductAttention } from '../../src/engine/nn/attention';
import { maskedCrossEntropy } from '../../src/engine/nn/loss';
import {
  mergeHeads,
  selfAttention,
  splitFusedHeads,
  splitHeads,
  type SelfAttentionWeights,
} from '../../src/engine/nn/multiHeadAttention';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { neighbourOutputs, neighbourTarget } from '../../src/engine/tasks/neighbours';
import { Vocab } from '../../src/engine/tasks/vocab';
import { disposeBatch } from '../../src/engine/train/batches';
import { describeShapes } from '../../src/engine/train/shapes';
import { train } from '../../src/engine/train/trainer';
import { assertAllClose, useBackend, values } from './helpers';
import { assertNoLeak, checkGradients, seeded } from './nn-helpers';

const chapter = trainableChapter('multi-head-attention')!;
const digits = new Vocab('0123456789'.split(''));
const outputs = new Vocab(neighbourOutputs('difference'));
const data = { sourceVocab: digits, targetVocab: outputs } as unknown as RunData;

function hyper(overrides: Hyperparameters = {}): Hyperparameters {
  return { ...defaultsOf(chapter.info, 'difference'), dModel: 8, heads: 4, length: 6, ...overrides };
}

/** Items of the given lengths (the first is the longest), digits drawn from a seed. */
function items(lengths: number[], seed: number): PositionItem[] {
  const random = createRandom(seed);
  return lengths.map((length) => {
    const source = Array.from({ length }, () => String(random.int(10)));
    const target = neighbourTarget('difference', source);
    return { example: { source, target }, ids: digits.encode(source), targetIds: outputs.encode(target) };
  });
}

/** Seeded non-zero values for every weight (biases too), so a wrong column or a missing bias shows. */
function randomise(parameters: Parameters, seed: number, scale = 0.6): void {
  tf.tidy(() =>
    parameters.list().forEach((v, i) => v.assign(tf.tensor(seeded(v.size, seed * 100 + i, scale), v.shape))),
  );
}

function attentionWeightsOf(parameters: Parameters, heads: number): SelfAttentionWeights {
  const get = (name: string) => parameters.get(`attention/${name}`);
  const modelSize = get('output_kernel').shape[0];
  return {
    modelSize,
    heads,
    kvHeads: heads,
    headSize: modelSize / heads,
    qkvKernel: get('qkv_kernel'),
    qkvBias: get('qkv_bias'),
    outputKernel: get('output_kernel'),
    outputBias: get('output_bias'),
  };
}

/** One forward pass (inference), every named tensor read back as nested arrays. */
function run(model: ChapterModel, batchItems: PositionItem[]) {
  const batch = makePositionBatch(batchItems);
  const result = tf.tidy(() => {
    const output = model.forward(batch, { training: false, seed: 0 });
    const named = Object.fromEntries(Object.entries(output.named).map(([name, t]) => [name, t.arraySync()]));
    return { named, weights: output.attention[0].weights.arraySync() };
  });
  disposeBatch(batch);
  return result as { named: Record<string, unknown>; weights: number[][][][] };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`multi-head-attention model (${backend})`, () => {
    before(() => useBackend(backend));

    it('with h = 1 and the same weights it equals single-head scaled dot-product attention (dotProductAttention)', () => {
      const parameters = new Parameters(createRandom(2));
      const model = chapter.createModel(parameters, hyper({ heads: 1, dModel: 4 }), data);
      randomise(parameters, 1);
      const batchItems = items([6, 4, 5], 9);
      const { weights, named } = run(model, batchItems);
      assertNoLeak(() => {
        const [single, context, projected] = tf.tidy(() => {
          const x = tf.tensor3d(named.attention_inputs as number[][][]); // [batch, len, 4]
          const kernel = parameters.get('attention/qkv_kernel') as tf.Tensor2D; // [4, 12]
          const bias = parameters.get('attention/qkv_bias') as tf.Tensor1D; // [12]
          const part = (i: number) =>
            tf.reshape(
              tf.add(
                tf.matMul(tf.reshape(x, [18, 4]), tf.slice(kernel, [0, 4 * i], [4, 4])),
                tf.slice(bias, [4 * i], [4]),
              ),
              [3, 6, 4],
            ) as tf.Tensor3D;
          const mask = tf.tensor3d(
            batchItems.map((item) => [Array.from({ length: 6 }, (_, k) => (k < item.ids.length ? 1 : 0))]),
          ); // [batch, 1, keys]
          const attention = dotProductAttention(part(0), part(1), part(2), { keep: mask });
          const output = tf.add(
            tf.matMul(tf.reshape(attention.context, [18, 4]), parameters.get('attention/output_kernel') as tf.Tensor2D),
            parameters.get('attention/output_bias'),
          );
          return [attention.weights, attention.context, output];
        });
        assertAllClose(weights.flat(3), values(single), 1e-6, 'weights');
        assertAllClose((named.head_outputs as number[][][][]).flat(3), values(context), 1e-5, 'head output');
        assertAllClose((named.attention_output as number[][][]).flat(2), values(projected), 1e-5, 'W_O output');
        tf.dispose([single, context, projected]);
      });
      parameters.dispose();
    });

    it('the chapter’s explicit steps give the nn building block’s selfAttention output (h = 4)', () => {
      const parameters = new Parameters(createRandom(3));
      const model = chapter.createModel(parameters, hyper(), data);
      randomise(parameters, 2);
      const batchItems = items([6, 3], 10);
      const { weights, named } = run(model, batchItems);
      assertNoLeak(() => {
        const attention = attentionWeightsOf(parameters, 4);
        const ids = tf.tensor2d(
          batchItems.map((item) => Array.from({ length: 6 }, (_, k) => (k < item.ids.length ? 1 : 0))),
        );
        const keep = tf.reshape(ids, [2, 1, 1, 6]);
        const x = tf.tensor3d(named.attention_inputs as number[][][]);
        const result = selfAttention(x, attention, { keep });
        assertAllClose((named.attention_output as number[][][]).flat(2), values(result.output), 1e-5, 'output');
        assertAllClose(weights.flat(3), values(result.weights), 1e-6, 'weights');
        tf.dispose([
          ids,
          keep,
          x,
          result.output,
          result.weights,
          result.scores,
          result.query,
          result.key,
          result.value,
        ]);
      });
      parameters.dispose();
    });

    it('splitting and merging heads is the identity; head j’s Q, K, V are columns j·d_k… of each third of qkv', () => {
      assertNoLeak(() => {
        for (const heads of [1, 4]) {
          const x = tf.tensor3d(seeded(2 * 5 * 8, heads), [2, 5, 8]);
          const split = splitHeads(x, heads); // [2, heads, 5, 8 / heads]
          assert.deepEqual(split.shape, [2, heads, 5, 8 / heads]);
          const merged = mergeHeads(split);
          assert.deepEqual(values(merged), values(x), `h = ${heads}`);
          tf.dispose([x, split, merged]);
        }
      });
      const parameters = new Parameters(createRandom(4));
      const model = chapter.createModel(parameters, hyper(), data);
      randomise(parameters, 3);
      const { named } = run(model, items([6, 6], 11));
      const qkv = named.qkv as number[][][]; // [batch, len, 24]
      const parts = { queries: 0, keys: 8, values: 16 };
      for (const [name, offset] of Object.entries(parts)) {
        const split = named[name] as number[][][][]; // [batch, heads, len, d_k]
        for (let b = 0; b < 2; b++)
          for (let h = 0; h < 4; h++)
            for (let t = 0; t < 6; t++)
              assertAllClose(split[b][h][t], qkv[b][t].slice(offset + 2 * h, offset + 2 * h + 2), 0, `${name} ${h}`);
      }
      // Concatenation puts head j's output back in columns j·d_k … (j+1)·d_k − 1.
      const headOutputs = named.head_outputs as number[][][][];
      const concatenated = named.concatenated_heads as number[][][];
      for (let b = 0; b < 2; b++)
        for (let t = 0; t < 6; t++)
          assert.deepEqual(
            concatenated[b][t],
            [0, 1, 2, 3].flatMap((h) => headOutputs[b][h][t]),
          );
      assertNoLeak(() => {
        const fused = tf.tensor3d(qkv);
        const back = tf.tidy(() =>
          tf.concat(
            splitFusedHeads(fused, [4, 4, 4], 2).map((t) => mergeHeads(t)),
            2,
          ),
        ); // [batch, len, 24]
        assert.deepEqual(values(back), values(fused), 'merging Q, K and V back gives qkv');
        tf.dispose([fused, back]);
      });
      parameters.dispose();
    });

    it('every head’s rows sum to 1 (1e-5) and padded keys get exactly 0', () => {
      const parameters = new Parameters(createRandom(5));
      const model = chapter.createModel(parameters, hyper(), data);
      randomise(parameters, 4, 1.5);
      const batchItems = items([6, 3, 5, 4], 12);
      const { weights } = run(model, batchItems);
      batchItems.forEach((item, b) => {
        for (let h = 0; h < 4; h++) {
          for (let q = 0; q < 6; q++) {
            const row = weights[b][h][q];
            assert.ok(Math.abs(row.reduce((a, c) => a + c, 0) - 1) <= 1e-5, `example ${b} head ${h} row ${q}`);
            for (let k = item.ids.length; k < 6; k++) assert.equal(row[k], 0, `padded key ${k} (head ${h})`);
          }
        }
      });
      parameters.dispose();
    });

    for (const heads of [1, 4]) {
      for (const batchSize of [2, 5]) {
        for (const length of [3, 7]) {
          it(`shapes of every named tensor and weight: h = ${heads}, batch ${batchSize}, length ${length}`, () => {
            const before = tf.memory().numTensors;
            const parameters = new Parameters(createRandom(1));
            const model = chapter.createModel(parameters, hyper({ heads, dModel: 8, length: 7 }), data);
            const batch = makePositionBatch(
              items(
                Array.from({ length: batchSize }, (_, i) => (i === 0 ? length : 1 + (i % length))),
                4,
              ),
            );
            const entries = tf.tidy(() =>
              describeShapes(chapter.info, model.forward(batch, { training: false, seed: 0 }).named, parameters),
            );
            const shape = (name: string) => entries.find((e) => e.name === name)?.shape;
            const dk = 8 / heads;
            assert.deepEqual(shape('attention_inputs'), [batchSize, length, 8]);
            assert.deepEqual(shape('qkv'), [batchSize, length, 24]);
            for (const name of ['queries', 'keys', 'values', 'head_outputs'])
              assert.deepEqual(shape(name), [batchSize, heads, length, dk], name);
            assert.deepEqual(shape('attention_scores'), [batchSize, heads, length, length]);
            assert.deepEqual(shape('attention_weights'), [batchSize, heads, length, length]);
            assert.deepEqual(shape('concatenated_heads'), [batchSize, length, 8]);
            assert.deepEqual(shape('attention_output'), [batchSize, length, 8]);
            assert.deepEqual(shape('logits'), [batchSize, length, outputs.size]);
            assert.deepEqual(shape('attention/qkv_kernel'), [8, 24]);
            assert.deepEqual(shape('attention/output_kernel'), [8, 8]);
            assert.deepEqual(shape('output/kernel'), [8, outputs.size]);
            for (const entry of entries) {
              assert.equal(entry.dims.length, entry.shape.length, entry.name);
              assert.ok(entry.source, `${entry.name} knows the line that creates it`);
            }
            disposeBatch(batch);
            parameters.dispose();
            assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
          });
        }
      }
    }
  });
}

describe('multi-head-attention gradients (cpu, central differences)', () => {
  before(() => useBackend('cpu'));

  for (const [heads, positions] of [
    [1, 'learned'],
    [4, 'learned'],
    [2, 'sinusoidal'],
  ] as const) {
    it(`every weight, h = ${heads}, positions ${positions}`, () => {
      const parameters = new Parameters(createRandom(5));
      const model = chapter.createModel(parameters, hyper({ heads, positions }), data);
      // Small weights keep the softmax away from saturation, where float32 differences are noise.
      randomise(parameters, 6, 0.5);
      const batch = makePositionBatch(items([6, 4], 12));
      checkGradients(
        () =>
          tf.tidy(() =>
            maskedCrossEntropy(model.forward(batch, { training: true, seed: 1 }).logits, batch.targets, batch.lossMask),
          ),
        parameters.list(),
        4,
      );
      disposeBatch(batch);
      parameters.dispose();
    });
  }
});

describe('the head measures, against hand-computed values', () => {
  const ln2 = Math.log(2);

  it('Jensen–Shannon: identical rows 0, disjoint one-hot rows ln 2, [½, ½] against [1, 0] ¾ ln(4/3)', () => {
    assert.equal(jensenShannon([0.2, 0.5, 0.3], [0.2, 0.5, 0.3]), 0);
    assert.equal(jensenShannon([1, 0, 0], [0, 0, 1]), ln2);
    // m = [¾, ¼]: KL(p‖m) = ½ ln(2/3) + ½ ln 2 = ½ ln(4/3); KL(q‖m) = ln(4/3); JS = ½ (½ + 1) ln(4/3).
    assert.ok(Math.abs(jensenShannon([0.5, 0.5], [1, 0]) - 0.75 * Math.log(4 / 3)) < 1e-12);
    assert.ok(Math.abs(jensenShannon([1, 0], [0.5, 0.5]) - 0.75 * Math.log(4 / 3)) < 1e-12, 'symmetric');
    // Offsets and a count read rows out of one flat array.
    assert.equal(jensenShannon([9, 1, 0, 9, 0, 1], [9, 1, 0, 9, 0, 1], 1, 4, 2), ln2);
  });

  /** weights[b][h][q] as one flat [batch, heads, queries, keys] array. */
  function heads(rows: number[][][][], lengths: number[]): HeadWeights {
    const shape = [rows.length, rows[0].length, rows[0][0].length, rows[0][0][0].length] as HeadWeights['shape'];
    return { shape, weights: Float32Array.from(rows.flat(3)), lengths };
  }

  it('mean divergence: over every pair of heads and the real rows only; 0 with one head', () => {
    const a = [1, 0, 0];
    const b = [0, 1, 0];
    const c = [0, 0, 1];
    const half = [0.5, 0.5, 0];
    // Example 0, length 3: rows 0–2 real. Three heads → pairs (0,1) (0,2) (1,2).
    //   row 0: heads a, b, b → JS ln2, ln2, 0
    //   row 1: heads a, a, a → 0, 0, 0
    //   row 2: heads half, a, c → ¾ ln(4/3), ln2, ln2
    // Example 1, length 2: row 2 is padding and excluded; keys 0–1 only.
    //   row 0: heads a, b, half → ln2, ¾ ln(4/3), ¾ ln(4/3)
    //   row 1: heads b, b, b → 0, 0, 0
    const weights = heads(
      [
        [
          [a, a, half],
          [b, a, a],
          [b, a, c],
        ],
        [
          [a, b, c],
          [b, b, c],
          [half, b, a],
        ],
      ],
      [3, 2],
    );
    const q = 0.75 * Math.log(4 / 3);
    const expected = (ln2 + ln2 + 0 + 0 + 0 + 0 + q + ln2 + ln2 + ln2 + q + q + 0 + 0 + 0) / 15;
    assert.ok(Math.abs(meanHeadDivergence(weights) - expected) < 1e-6, `${meanHeadDivergence(weights)} vs ${expected}`);
    const one = heads([[[a, b, c]]], [3]);
    assert.equal(meanHeadDivergence(one), 0);
    const identical = heads(
      [
        [
          [half, a, c],
          [half, a, c],
        ],
      ],
      [3],
    );
    assert.equal(meanHeadDivergence(identical), 0);
    const disjoint = heads(
      [
        [
          [a, b, c],
          [c, a, b],
        ],
      ],
      [3],
    );
    assert.ok(Math.abs(meanHeadDivergence(disjoint) - ln2) < 1e-7);
  });

  it('neighbour weights: each head’s mean weight on i − 1 and i + 1 of the ring, over the real rows', () => {
    const [k0, k1, k2] = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ];
    const quarter = [0.25, 0.25, 0.25, 0.25];
    const weights = heads(
      [
        // Example 0, length 3 (row 3 is padding, not counted): head 0 looks left (row 0 → key 2,
        // row 1 → key 0, row 2 → key 1), head 1 right (row 0 → key 1, row 1 → 2, row 2 → 0).
        [
          [k2, k0, k1, k0],
          [k1, k2, k0, k0],
        ],
        // Example 1, length 4: head 0 puts ½ on the left neighbour and ½ on the position itself
        // (row 0's left neighbour is key 3, round the ring); head 1 spreads ¼ over the four keys.
        [
          [
            [0.5, 0, 0, 0.5],
            [0.5, 0.5, 0, 0],
            [0, 0.5, 0.5, 0],
            [0, 0, 0.5, 0.5],
          ],
          [quarter, quarter, quarter, quarter],
        ],
      ],
      [3, 4],
    );
    const measured = neighbourWeights(weights);
    // Seven real rows. Head 0: left 3·1 + 4·½ = 5, right 0. Head 1: left 4·¼ = 1, right 3·1 + 4·¼ = 4.
    assertAllClose(measured.left, [5 / 7, 1 / 7], 1e-7, 'left');
    assertAllClose(measured.right, [0, 4 / 7], 1e-7, 'right');
    assert.ok(Math.abs(neighbourShare(measured) - (5 / 7 + 0 + 1 / 7 + 4 / 7) / 2) < 1e-7);
    const single = neighbourWeights(heads([[[k2, k0, k1]]], [3]));
    assert.deepEqual(single, { left: [1], right: [0] });
    assert.equal(neighbourShare(single), 1);
  });
});

describe('the chapter’s head checks at initialisation (cpu)', () => {
  before(() => useBackend('cpu'));

  for (const heads of [4, 1]) {
    it(`h = ${heads}: a model built from the run’s seed is the initial model, its divergence is the baseline, and it fails`, () => {
      const settings = {
        ...defaultsOf(chapter.info, 'difference'),
        heads,
        trainSize: 64,
        validationSize: 40,
        testSize: 8,
      };
      const runData = chapter.prepare({ task: 'difference', hyperparameters: settings, seed: 11 }) as MultiHeadData;
      assert.equal(runData.seed, 11);
      const parameters = new Parameters(createRandom(11));
      const model = chapter.createModel(parameters, settings, runData);
      const probes = runData.probe(model);
      const checks = chapter.checks!({ model, data: runData, hyperparameters: settings, task: 'difference', probes });
      const differ = checks.find((check) => check.id === 'heads-differ')!;
      const baseline = initialDivergence(runData, settings);
      assert.equal(differ.baseline, baseline);
      assert.equal(differ.value, baseline, 'the same weights give the same measure');
      assert.equal(differ.pass, false, 'not greater than the baseline: no pass');
      if (heads === 1) {
        assert.equal(differ.value, 0);
        assert.match(differ.detail!.en, /one head/);
      } else assert.ok(differ.value > 0 && differ.value < Math.log(2));
      const neighbours = checks.find((check) => check.id === 'neighbours')!;
      assert.equal(neighbours.threshold, 0.9);
      assert.ok(neighbours.value > 0 && neighbours.value < 0.9, `initial neighbour share ${neighbours.value}`);
      assert.equal(neighbours.pass, false);
      assert.equal(neighbours.detail!.en.match(/\d: ← \d\.\d\d → \d\.\d\d/g)?.length, heads, 'one entry per head');
      parameters.dispose();
    });
  }
});

describe('multi-head-attention training (wasm)', () => {
  let runsDir: string;
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-mha-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('tf.memory().numTensors is equal after epochs 2 and 3', async () => {
    const counts: number[] = [];
    await train(
      {
        chapter,
        runsDir,
        backend: 'wasm',
        packageVersion: 'test',
        task: 'difference',
        overrides: { trainSize: 256, validationSize: 64, testSize: 16, epochs: 3, dModel: 8 },
      },
      { epoch: () => counts.push(tf.memory().numTensors) },
    );
    assert.equal(counts.length, 3);
    assert.equal(counts[2], counts[1]);
  });
});

describe('the chapter’s declarations', () => {
  it('pass the catalogue’s schema and checks; the comparison is heads-1 against heads-4 on difference', () => {
    const info = chapterInfo('multi-head-attention');
    assert.equal(info.trainable, true);
    assert.deepEqual(chapterInfoProblems(info), []);
    assert.deepEqual(info.comparison, { task: 'difference', variants: ['heads-1', 'heads-4'] });
    assert.deepEqual(
      info.variants.map((variant) => [variant.id, variant.overrides.heads]),
      [
        ['heads-4', 4],
        ['heads-1', 1],
      ],
    );
    assert.deepEqual(
      info.metrics.map((metric) => metric.key),
      ['val_loss', 'val_exact_match', 'val_token_accuracy', 'head_divergence'],
    );
    for (const part of Object.values(info.contract)) for (const line of part) assert.ok(line.en && line['zh-cn']);
    assert.ok(info.contract.compare.length > 0 && info.contract.verifies.length > 0);
  });

  it('one head and four heads of the same d_model have exactly the same weights', () => {
    const counts = [1, 4].map((heads) => {
      const parameters = new Parameters(createRandom(1));
      chapter.createModel(parameters, hyper({ heads, dModel: 32, length: 8 }), data);
      const shapes = parameters.entries().map(([name, v]) => `${name}:${v.shape.join('x')}`);
      parameters.dispose();
      return shapes;
    });
    assert.deepEqual(counts[0], counts[1]);
    assert.ok(counts[0].includes('attention/qkv_kernel:32x96'));
  });

  it('refuses a head count that does not divide d_model', () => {
    const parameters = new Parameters(createRandom(1));
    assert.throws(() => chapter.createModel(parameters, hyper({ dModel: 10, heads: 4 }), data), /equal heads/);
    parameters.dispose();
  });
});
