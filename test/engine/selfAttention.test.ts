/**
 * Chapter self-attention: the course's worked examples, the model's attention against plain-JS
 * arithmetic (scaled and unscaled), rows summing to 1, padded keys at exactly 0, shapes for two
 * batch sizes and two lengths, gradients against central differences, no tensor growth between
 * epochs, and the √d_k diagnostic against its closed form.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../src/shared/course/chapter';
import { defaultsOf } from '../../src/shared/course/hyperparameters';
import { trainableChapter } from '../../src/engine/chapters/registry';
import type { RunData } from '../../src/engine/chapters/contract';
import {
  measureScaling,
  workedExamples,
  DIAGNOSTIC_WIDTHS,
} from '../../src/engine/chapters/self-attention/diagnostics';
import { makePositionBatch, type PositionItem } from '../../src/engine/kits/positions/data';
import { maskedCrossEntropy } from '../../src/engine/nn/loss';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { Vocab } from '../../src/engine/tasks/vocab';
import { disposeBatch } from '../../src/engine/train/batches';
import { describeShapes } from '../../src/engine/train/shapes';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';
import { checkGradients, seeded } from './nn-helpers';

const chapter = trainableChapter('self-attention')!;
const vocab = new Vocab('0123456789'.split(''));
const data = { sourceVocab: vocab, targetVocab: vocab } as unknown as RunData;

function hyper(overrides: Hyperparameters = {}): Hyperparameters {
  return { ...defaultsOf(chapter.info, 'reverse'), dModel: 4, length: 6, ...overrides };
}

/** Items of the given lengths (the first is the longest), ids drawn from the digits. */
function items(lengths: number[], seed: number): PositionItem[] {
  const random = createRandom(seed);
  return lengths.map((length) => {
    const source = Array.from({ length }, () => String(random.int(10)));
    const ids = vocab.encode(source);
    return { example: { source, target: [...source].reverse() }, ids, targetIds: vocab.encode([...source].reverse()) };
  });
}

function softmax(row: number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((x) => Math.exp(x - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

describe('self-attention: the course’s worked examples, computed by the engine', () => {
  before(() => useBackend('cpu'));

  it('weights [[.6,.2,.2],[.2,.6,.2],[.2,.2,.6]] on values 1, 2, 3 give 1.6, 2.0, 2.4 (not the printed 1.4, 1.8, 2.2)', () => {
    const { outputs } = workedExamples();
    [1.6, 2.0, 2.4].forEach((x, i) => assert.ok(Math.abs(outputs[i] - x) < 1e-6, `output ${i}: ${outputs[i]}`));
    assert.ok(Math.abs(outputs[0] - 1.4) > 0.1, 'the printed 1.4 is not what the weights give');
  });

  it('query [0.6,1.2,−1.2,1.8] scores 0.36 and 2.4; softmax of [0.36,2.4,0.36,0.36] gives 0.7194, not 0.756', () => {
    const { scores, softmax: weights } = workedExamples();
    assert.ok(Math.abs(scores[0] - 0.36) < 1e-6 && Math.abs(scores[1] - 2.4) < 1e-6, `scores ${scores}`);
    assert.ok(Math.abs(weights[1] - 0.7194) < 1e-4, `softmax ${weights}`);
    assert.ok(Math.abs(weights[1] - 0.756) > 0.03);
    assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  });

  it('the run’s figures carry the computed values beside the printed ones', () => {
    const figures = chapter.figures!(hyper(), data);
    const notes = figures.map((figure) => figure.note?.en ?? '').join(' ');
    assert.match(notes, /1\.6, 2\.0, 2\.4; the course prints 1\.4, 1\.8, 2\.2/);
    assert.match(notes, /gives 0\.7194 to the second key \(the book prints 0\.756/);
    assert.deepEqual(
      figures.map((figure) => figure.id),
      ['sqrt-dk-variance', 'sqrt-dk-entropy', 'sqrt-dk-gradient', 'worked-example-weights', 'worked-example-softmax'],
    );
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`self-attention model (${backend})`, () => {
    before(() => useBackend(backend));

    for (const scaled of [true, false]) {
      it(`attention weights equal softmax(QKᵀ${scaled ? '/√d_k' : ''}) computed by hand; padding gets exactly 0`, () => {
        const parameters = new Parameters(createRandom(2));
        const model = chapter.createModel(parameters, hyper({ scaled, positions: 'learned' }), data);
        const batchItems = items([6, 4, 5], 9);
        const batch = makePositionBatch(batchItems);
        const { weights, named } = tf.tidy(() => {
          const output = model.forward(batch, { training: false, seed: 0 });
          return {
            weights: output.attention[0].weights.arraySync() as number[][][][],
            named: { q: output.named.queries.arraySync(), k: output.named.keys.arraySync() } as {
              q: number[][][];
              k: number[][][];
            },
          };
        });
        batchItems.forEach((item, b) => {
          for (let i = 0; i < 6; i++) {
            const scores = Array.from({ length: item.ids.length }, (_, j) => {
              const dot = named.q[b][i].reduce((sum, x, c) => sum + x * named.k[b][j][c], 0);
              return scaled ? dot / 2 : dot; // √d_k = √4
            });
            const expected = softmax(scores);
            const row = weights[b][0][i];
            expected.forEach((w, j) => assert.ok(Math.abs(row[j] - w) < 1e-5, `example ${b} row ${i} key ${j}`));
            for (let j = item.ids.length; j < 6; j++) assert.equal(row[j], 0, 'a padded key gets exactly 0');
            assert.ok(Math.abs(row.reduce((a, c) => a + c, 0) - 1) < 1e-5, 'the row sums to 1');
          }
        });
        disposeBatch(batch);
        parameters.dispose();
      });
    }

    for (const batchSize of [2, 5]) {
      for (const length of [3, 7]) {
        it(`shapes of every named tensor: batch ${batchSize}, length ${length}`, () => {
          const before = tf.memory().numTensors;
          const parameters = new Parameters(createRandom(1));
          const model = chapter.createModel(parameters, hyper({ dModel: 6, length: 7, positions: 'sinusoidal' }), data);
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
          assert.deepEqual(shape('attention_inputs'), [batchSize, length, 6]);
          assert.deepEqual(shape('queries'), [batchSize, length, 6]);
          assert.deepEqual(shape('attention_weights'), [batchSize, length, length]);
          assert.deepEqual(shape('context'), [batchSize, length, 6]);
          assert.deepEqual(shape('logits'), [batchSize, length, vocab.size]);
          assert.deepEqual(shape('attention/qkv_kernel'), [6, 18]);
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
  });
}

describe('self-attention gradients (cpu, central differences)', () => {
  before(() => useBackend('cpu'));

  for (const positions of ['learned', 'sinusoidal', 'none']) {
    it(`every weight, positions ${positions}`, () => {
      const parameters = new Parameters(createRandom(5));
      const model = chapter.createModel(parameters, hyper({ positions, dModel: 4 }), data);
      // Smaller weights keep the softmax away from saturation, where differences in float32 are noise.
      for (const variable of parameters.list()) {
        variable.assign(tf.tensor(seeded(variable.size, variable.size + 3, 0.5), variable.shape));
      }
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

describe('self-attention training (wasm)', () => {
  let runsDir: string;
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-self-attention-'));
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
        task: 'copy',
        overrides: { trainSize: 256, validationSize: 64, testSize: 16, epochs: 3, dModel: 8 },
      },
      { epoch: () => counts.push(tf.memory().numTensors) },
    );
    assert.equal(counts[2], counts[1]);
  });
});

describe('the √d_k diagnostic', () => {
  const measures = measureScaling(8);
  const samples = 2000;
  // The mean square of q·k estimates its variance with relative standard error about √(2/N).
  const tolerance = 5 * Math.sqrt(2 / samples);

  it('unscaled, Var(q·k) = d_k; scaled, Var(q·k/√d_k) = 1 (the closed form, within sampling error)', () => {
    assert.deepEqual(
      measures.map((m) => m.depth),
      DIAGNOSTIC_WIDTHS,
    );
    for (const m of measures) {
      assert.ok(
        Math.abs(m.variance.unscaled / m.depth - 1) < tolerance,
        `d_k ${m.depth}: unscaled ${m.variance.unscaled}`,
      );
      assert.ok(Math.abs(m.variance.scaled - 1) < tolerance, `d_k ${m.depth}: scaled ${m.variance.scaled}`);
    }
  });

  it('unscaled, the entropy and the gradient fall as d_k grows; scaled, both stay flat', () => {
    for (let i = 1; i < measures.length; i++) {
      assert.ok(measures[i].entropy.unscaled < measures[i - 1].entropy.unscaled, `entropy at ${measures[i].depth}`);
      assert.ok(measures[i].gradient.unscaled < measures[i - 1].gradient.unscaled, `gradient at ${measures[i].depth}`);
    }
    const spread = (values: number[]) => Math.max(...values) - Math.min(...values);
    assert.ok(spread(measures.map((m) => m.entropy.scaled)) < 0.1, 'scaled entropy is flat');
    assert.ok(spread(measures.map((m) => m.gradient.scaled)) < 0.05, 'scaled gradient is flat');
    assert.ok(measures[measures.length - 1].entropy.unscaled < 0.25 * measures[measures.length - 1].entropy.scaled);
  });
});
