/**
 * Sampling from a language model: the distribution after temperature, top-k and top-p; top-k 1
 * and temperature → 0 equal greedy decoding (checked against argmax of full forward passes, no
 * cache); the same seed gives the same text; the probabilities returned sum to 1; typed special
 * tokens stay ordinary characters and unknown ones read as `<unk>`; the options are checked.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { createMiniGpt, type MiniGpt } from '../../src/engine/chapters/mini-gpt/model';
import {
  NEVER_SAMPLED,
  SampleOptionsError,
  checkSampleOptions,
  drawToken,
  nextTokenDistribution,
  sampleText,
  type SampleOptions,
} from '../../src/engine/kits/languageModel/sample';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { EOS_ID, PAD_ID, UNK_ID, Vocab } from '../../src/engine/tasks/vocab';
import { useBackend } from './helpers';
import { seeded } from './nn-helpers';

const NONE: ReadonlySet<number> = new Set();
const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);
const kept = (d: Float64Array) => Array.from(d.keys()).filter((i) => d[i] > 0);

describe('the next-token distribution', () => {
  // Probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1.
  const logits = [0.5, 0.3, 0.15, 0.05].map(Math.log);

  it('temperature 0 and top-k 1 put all probability on the argmax; temperature reshapes', () => {
    assert.deepEqual(
      Array.from(nextTokenDistribution(logits, { temperature: 0, topK: 0, topP: 1 }, NONE)),
      [1, 0, 0, 0],
    );
    for (const temperature of [0.5, 1, 3]) {
      assert.deepEqual(
        Array.from(nextTokenDistribution(logits, { temperature, topK: 1, topP: 1 }, NONE)),
        [1, 0, 0, 0],
      );
    }
    const plain = nextTokenDistribution(logits, { temperature: 1, topK: 0, topP: 1 }, NONE);
    [0.5, 0.3, 0.15, 0.05].forEach((p, i) => assert.ok(Math.abs(plain[i] - p) < 1e-12));
    const sharp = nextTokenDistribution(logits, { temperature: 0.5, topK: 0, topP: 1 }, NONE);
    const flat = nextTokenDistribution(logits, { temperature: 2, topK: 0, topP: 1 }, NONE);
    assert.ok(sharp[0] > plain[0] && plain[0] > flat[0], 'lower temperature, sharper distribution');
    // The lowest id wins a tie.
    assert.deepEqual(
      Array.from(nextTokenDistribution([1, 3, 3], { temperature: 0, topK: 0, topP: 1 }, NONE)),
      [0, 1, 0],
    );
  });

  it('top-p keeps the smallest set of most probable tokens whose probability reaches p', () => {
    const cases: [number, number[]][] = [
      [0.3, [0]],
      [0.5, [0]],
      [0.51, [0, 1]],
      [0.8, [0, 1]],
      [0.81, [0, 1, 2]],
      [0.95, [0, 1, 2]],
      [0.96, [0, 1, 2, 3]],
      [1, [0, 1, 2, 3]],
    ];
    for (const [topP, expected] of cases) {
      const d = nextTokenDistribution(logits, { temperature: 1, topK: 0, topP }, NONE);
      assert.deepEqual(kept(d), expected, `top-p ${topP}`);
      const mass = expected.reduce((s, i) => s + [0.5, 0.3, 0.15, 0.05][i], 0);
      expected.forEach((i) => assert.ok(Math.abs(d[i] - [0.5, 0.3, 0.15, 0.05][i] / mass) < 1e-12, 'renormalised'));
    }
    // top-k first, then top-p within what top-k kept (0.5 / 0.8 = 0.625 < 0.7 → two tokens).
    assert.deepEqual(kept(nextTokenDistribution(logits, { temperature: 1, topK: 2, topP: 0.7 }, NONE)), [0, 1]);
    assert.deepEqual(kept(nextTokenDistribution(logits, { temperature: 1, topK: 3, topP: 1 }, NONE)), [0, 1, 2]);
  });

  it('sums to 1 and never gives probability to <pad>, <bos>, <eos>', () => {
    const random = createRandom(4);
    for (let trial = 0; trial < 50; trial++) {
      const values = Array.from({ length: 40 }, () => (random.next() - 0.5) * 20);
      values[EOS_ID] = 100; // even when the model likes it best
      const settings = { temperature: random.next() * 3, topK: random.int(6), topP: 0.05 + random.next() * 0.95 };
      const d = nextTokenDistribution(values, settings);
      assert.ok(Math.abs(sum(d) - 1) < 1e-12, `sum ${sum(d)}`);
      for (const id of NEVER_SAMPLED) assert.equal(d[id], 0);
      const id = drawToken(d, random);
      assert.ok(d[id] > 0, 'drawn from what was kept');
    }
  });

  it('refuses options out of range with one line', () => {
    const base: SampleOptions = { prompt: '', maxTokens: 10, temperature: 1, topK: 0, topP: 1, seed: 1 };
    assert.equal(checkSampleOptions(base), null);
    const bad: [Partial<SampleOptions>, RegExp][] = [
      [{ temperature: -1 }, /temperature/],
      [{ temperature: Number.NaN }, /temperature/],
      [{ topK: 2.5 }, /top-k/],
      [{ topK: -1 }, /top-k/],
      [{ topP: 0 }, /top-p/],
      [{ topP: 1.5 }, /top-p/],
      [{ maxTokens: 0 }, /max-tokens/],
      [{ maxTokens: 1e6 }, /max-tokens/],
      [{ seed: -3 }, /seed/],
      [{ prompt: 'x'.repeat(1001) }, /prompt/],
    ];
    for (const [change, pattern] of bad) {
      const problem = checkSampleOptions({ ...base, ...change });
      assert.ok(problem && pattern.test(problem) && !problem.includes('\n'), `${JSON.stringify(change)}: ${problem}`);
    }
  });
});

const VOCAB = new Vocab([...'\n <>abcdehilnoprst']);

function randomModel(seed: number): { model: MiniGpt; parameters: Parameters } {
  const parameters = new Parameters(createRandom(seed));
  const model = createMiniGpt(parameters, {
    vocabSize: VOCAB.size,
    context: 16,
    layers: 2,
    heads: 2,
    modelSize: 16,
    dropout: 0,
    tieWeights: true,
  });
  tf.tidy(() => parameters.list().forEach((v, i) => v.assign(tf.tensor(seeded(v.size, seed * 50 + i, 0.8), v.shape))));
  return { model, parameters };
}

/** Greedy decoding without the cache: argmax of a full forward pass over the last `context` tokens, token by token. */
function greedyByForward(model: MiniGpt, ids: number[], steps: number): number[] {
  const tokens = [...ids];
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    const window = tokens.slice(-16);
    const next = tf.tidy(() => {
      const input = tf.tensor2d([window], [1, window.length], 'int32');
      const { logits } = model.forward(
        { inputs: { token_ids: input }, targets: input, lossMask: tf.ones([1, window.length]) as tf.Tensor2D },
        { training: false, seed: 0 },
      );
      const last = tf.slice(logits, [0, window.length - 1, 0], [1, 1, -1]).dataSync();
      return nextTokenDistribution(last, { temperature: 0, topK: 0, topP: 1 }).indexOf(1);
    });
    out.push(next);
    tokens.push(next);
  }
  return out;
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`sampling text (${backend})`, () => {
    let model: MiniGpt;
    let parameters: Parameters;
    before(async () => {
      await useBackend(backend);
      ({ model, parameters } = randomModel(7));
    });
    const run = { vocab: VOCAB, context: 16 };
    const options = (change: Partial<SampleOptions>): SampleOptions => ({
      prompt: 'the cat sat',
      maxTokens: 24,
      temperature: 1,
      topK: 0,
      topP: 1,
      seed: 5,
      ...change,
    });

    it('top-k 1 and temperature → 0 equal greedy decoding (also past the end of the context)', () => {
      const greedy = sampleText(model, run, options({ temperature: 0 }));
      const prompt = [...'the cat sat'].map((c) => VOCAB.id(c));
      assert.deepEqual(greedy.ids, greedyByForward(model, prompt, 24), 'cached greedy = argmax of full passes');
      assert.deepEqual(sampleText(model, run, options({ topK: 1, temperature: 1.3 })).ids, greedy.ids);
      assert.deepEqual(sampleText(model, run, options({ temperature: 1e-4 })).ids, greedy.ids);
      assert.deepEqual(sampleText(model, run, options({ topK: 1, seed: 99 })).ids, greedy.ids, 'no seed matters');
    });

    it('the same seed gives the same text; another seed another text', () => {
      const first = sampleText(model, run, options({ temperature: 1.5, maxTokens: 40 }));
      const again = sampleText(model, run, options({ temperature: 1.5, maxTokens: 40 }));
      const other = sampleText(model, run, options({ temperature: 1.5, maxTokens: 40, seed: 6 }));
      assert.equal(again.text, first.text);
      assert.notEqual(other.text, first.text);
      assert.equal([...first.text].length, 40);
    });

    it('every step’s distribution sums to 1, lists its most probable tokens, and carries attention rows that sum to 1', () => {
      const result = sampleText(model, run, options({ topK: 5, topP: 0.9, topCount: 50, maxTokens: 20 }));
      assert.equal(result.steps.length, 20);
      for (const step of result.steps) {
        assert.ok(Math.abs(sum(step.distribution) - 1) < 1e-9);
        assert.ok(Math.abs(sum(step.top.map((t) => t.probability)) - 1) < 1e-9, 'top lists every kept token');
        assert.ok(step.top.length <= 5);
        assert.ok(step.top.some((t) => t.id === step.id) && step.probability > 0);
        assert.equal(step.attention.length, 2, 'one row set per layer');
        for (const rows of step.attention) {
          assert.equal(rows.length, 2 * step.keys, 'heads × keys');
          for (let h = 0; h < 2; h++) {
            assert.ok(Math.abs(sum(rows.subarray(h * step.keys, (h + 1) * step.keys)) - 1) < 1e-5);
          }
        }
        assert.equal(step.windowStart + step.keys, 11 + step.index, 'the window ends at the token just fed');
        assert.ok(step.keys <= 16);
      }
    });

    it('typed special tokens stay ordinary characters; characters the vocabulary lacks read as <unk>', () => {
      const result = sampleText(model, run, options({ prompt: '<eos><pad>☃', maxTokens: 30, temperature: 2 }));
      assert.deepEqual(result.promptTokens, [...'<eos><pad>☃']);
      assert.deepEqual(result.unknownTokens, ['☃']);
      const ids = [...'<eos><pad>'].map((c) => VOCAB.id(c));
      assert.ok(
        ids.every((id) => id > UNK_ID),
        'each typed character is an ordinary token',
      );
      for (const id of result.ids) assert.ok(!NEVER_SAMPLED.has(id), `sampled a control token ${id}`);
      assert.ok(!result.ids.includes(PAD_ID));
      // An empty prompt starts from a newline.
      assert.deepEqual(sampleText(model, run, options({ prompt: '' })).promptTokens, ['\n']);
    });

    it('refuses bad options before generating anything', () => {
      assert.throws(() => sampleText(model, run, options({ topP: 0 })), SampleOptionsError);
    });

    it('leaves no tensor behind', () => {
      const before = tf.memory().numTensors;
      sampleText(model, run, options({ maxTokens: 30 }));
      assert.equal(tf.memory().numTensors, before);
      if (backend === 'cpu') parameters.dispose();
    });
  });
}
