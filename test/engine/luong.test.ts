/**
 * Chapter luong-attention and src/engine/nn/luong.ts: the dot, general and concat scores and the
 * attentional hidden state against plain-JS arithmetic; rows sum to 1 and padded keys get exactly
 * 0; dot is general with W = I and concat is the additive score with its bias at 0; general works
 * with different query and key sizes where dot cannot; gradients against central differences
 * (cpu); shapes of every named tensor for two batch sizes and two source lengths; the weights
 * each score adds; no tensor growth between epochs; cpu and wasm agree; the info passes the
 * catalogue's schema and has no problems.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../src/shared/course/chapter';
import { ChapterInfoSchema } from '../../src/shared/course/chapter';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { chapterInfoProblems, defaultsOf, resolveHyperparameters } from '../../src/shared/course/hyperparameters';
import { parseWith } from '../../src/shared/schema';
import type { RunData } from '../../src/engine/chapters/contract';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { encodeExamples, makeSeq2SeqBatch } from '../../src/engine/kits/seq2seq/batch';
import { additiveAttention, projectKeys } from '../../src/engine/nn/attention';
import { maskedCrossEntropy } from '../../src/engine/nn/loss';
import {
  attentionalHiddenState,
  concatAttention,
  createLuongAttention,
  dotAttention,
  generalAttention,
} from '../../src/engine/nn/luong';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { Vocab } from '../../src/engine/tasks/vocab';
import { disposeBatch } from '../../src/engine/train/batches';
import { greedyDecode } from '../../src/engine/train/decode';
import { describeShapes } from '../../src/engine/train/shapes';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';
import { assertNoLeak, checkGradients, seeded } from './nn-helpers';

const chapter = trainableChapter('luong-attention')!;
const SCORES = ['dot', 'general', 'concat'] as const;

// ---------------------------------------------------------------------------------------------
// Plain-JS arithmetic (no TensorFlow): the formulas as the chapter states them.

type Matrix = number[][];
const dotJs = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);
/** Row vector x times matrix M [rows = x.length, columns]. */
const timesJs = (x: number[], m: Matrix) => m[0].map((_, j) => x.reduce((sum, xi, i) => sum + xi * m[i][j], 0));
function maskedSoftmaxJs(scores: number[], keep: number[]): number[] {
  const kept = scores.filter((_, k) => keep[k] === 1);
  const max = Math.max(...kept);
  const e = scores.map((x, k) => (keep[k] === 1 ? Math.exp(x - max) : 0));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
}
const scoreJs = {
  dot: (s: number[], h: number[]) => dotJs(s, h),
  general: (s: number[], h: number[], w: Matrix) => dotJs(timesJs(s, w), h),
  concat: (s: number[], h: number[], w: Matrix, v: number[]) => dotJs(v, timesJs([...s, ...h], w).map(Math.tanh)),
};

/** `flat` as nested arrays of `shape`. */
function nest(flat: number[], shape: number[]): unknown {
  if (shape.length === 1) return flat.slice(0, shape[0]);
  const size = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.slice(i * size, (i + 1) * size), shape.slice(1)));
}

// Two examples, three queries, four keys; the second example's last two keys are padding.
const B = 2;
const Q = 3;
const K = 4;
const QUERY = 3;
const KEY = 3;
const ATTENTION = 2;
const queriesJs = nest(seeded(B * Q * QUERY, 11, 1), [B, Q, QUERY]) as number[][][];
const keysJs = nest(seeded(B * K * KEY, 12, 1), [B, K, KEY]) as number[][][];
const maskJs = [
  [1, 1, 1, 1],
  [1, 1, 0, 0],
];
const generalJs = nest(seeded(QUERY * KEY, 13, 1), [QUERY, KEY]) as Matrix;
const concatJs = nest(seeded((QUERY + KEY) * ATTENTION, 14, 1), [QUERY + KEY, ATTENTION]) as Matrix;
const vectorJs = seeded(ATTENTION, 15, 1);

function expected(score: (typeof SCORES)[number]) {
  const scores = queriesJs.map((queries, b) =>
    queries.map((s) =>
      keysJs[b].map((h) =>
        score === 'dot'
          ? scoreJs.dot(s, h)
          : score === 'general'
            ? scoreJs.general(s, h, generalJs)
            : scoreJs.concat(s, h, concatJs, vectorJs),
      ),
    ),
  );
  const weights = scores.map((rows, b) => rows.map((row) => maskedSoftmaxJs(row, maskJs[b])));
  const context = weights.map((rows, b) =>
    rows.map((row) => keysJs[b][0].map((_, j) => row.reduce((sum, w, k) => sum + w * keysJs[b][k][j], 0))),
  );
  return { scores, weights, context };
}

function run(score: (typeof SCORES)[number]) {
  return tf.tidy(() => {
    const queries = tf.tensor3d(queriesJs);
    const keys = tf.tensor3d(keysJs);
    const mask = tf.tensor2d(maskJs);
    const result =
      score === 'dot'
        ? dotAttention(queries, keys, mask)
        : score === 'general'
          ? generalAttention(queries, keys, mask, tf.tensor2d(generalJs))
          : concatAttention(queries, keys, mask, tf.tensor2d(concatJs), tf.tensor2d(vectorJs, [ATTENTION, 1]));
    return {
      scores: result.scores.arraySync(),
      weights: result.weights.arraySync(),
      context: result.context.arraySync(),
    };
  });
}

function assertNear(actual: unknown, wanted: unknown, tolerance: number, what: string): void {
  if (Array.isArray(wanted)) {
    assert.ok(Array.isArray(actual) && actual.length === wanted.length, `${what}: length`);
    wanted.forEach((w, i) => assertNear((actual as unknown[])[i], w, tolerance, `${what}[${i}]`));
  } else {
    const a = actual as number;
    const w = wanted as number;
    assert.ok(Math.abs(a - w) <= tolerance, `${what}: expected ${w}, got ${a}`);
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`nn/luong.ts against hand-computed values (${backend})`, () => {
    before(() => useBackend(backend));

    for (const score of SCORES) {
      it(`${score}: scores, weights and context equal the formula; rows sum to 1; padded keys get exactly 0`, () => {
        assertNoLeak(() => {
          const actual = run(score);
          const wanted = expected(score);
          assertNear(actual.scores, wanted.scores, 1e-5, `${score} scores`);
          assertNear(actual.weights, wanted.weights, 1e-5, `${score} weights`);
          assertNear(actual.context, wanted.context, 1e-5, `${score} context`);
          actual.weights.forEach((rows, b) =>
            rows.forEach((row) => {
              assert.ok(Math.abs(row.reduce((a, c) => a + c, 0) - 1) < 1e-5, 'the row sums to 1');
              row.forEach((w, k) => {
                if (maskJs[b][k] === 0) assert.equal(w, 0, 'a padded key gets exactly 0');
                else assert.ok(w > 0);
              });
            }),
          );
        });
      });
    }

    it('the attentional hidden state is tanh(W_c [c; s]) and reads [c; s]', () => {
      const contextJs = nest(seeded(B * Q * KEY, 16, 1), [B, Q, KEY]) as number[][][];
      const kernelJs = nest(seeded((KEY + QUERY) * 4, 17, 1), [KEY + QUERY, 4]) as Matrix;
      const { combined, hidden } = tf.tidy(() => {
        const out = attentionalHiddenState(tf.tensor3d(contextJs), tf.tensor3d(queriesJs), tf.tensor2d(kernelJs));
        return { combined: out.combined.arraySync(), hidden: out.hidden.arraySync() };
      });
      const wantedCombined = contextJs.map((rows, b) => rows.map((c, q) => [...c, ...queriesJs[b][q]]));
      assertNear(combined, wantedCombined, 1e-7, 'combined (a float32 copy)');
      const wantedHidden = wantedCombined.map((rows) => rows.map((x) => timesJs(x, kernelJs).map(Math.tanh)));
      assertNear(hidden, wantedHidden, 1e-6, 'h̃');
    });

    it('dot is general with W = I; concat is the additive score with its bias at 0', () => {
      const { dot, general, concat, additive } = tf.tidy(() => {
        const queries = tf.tensor3d(queriesJs);
        const keys = tf.tensor3d(keysJs);
        const mask = tf.tensor2d(maskJs);
        const kernel = tf.tensor2d(concatJs);
        const v = tf.tensor2d(vectorJs, [ATTENTION, 1]);
        const [queryKernel, keyKernel] = tf.split(kernel, [QUERY, KEY], 0);
        const weights = {
          queryKernel: tf.variable(queryKernel),
          keyKernel: tf.variable(keyKernel),
          bias: tf.variable(tf.zeros([ATTENTION])),
          scoreVector: tf.variable(v),
        };
        const additiveScores = additiveAttention(
          queries,
          projectKeys(keys, weights),
          keys,
          mask,
          weights,
        ).scores.arraySync();
        Object.values(weights).forEach((w) => w.dispose());
        return {
          dot: dotAttention(queries, keys, mask).scores.arraySync(),
          general: generalAttention(queries, keys, mask, tf.eye(QUERY)).scores.arraySync(),
          concat: concatAttention(queries, keys, mask, kernel, v).scores.arraySync(),
          additive: additiveScores,
        };
      });
      assertNear(general, dot, 1e-6, 'general(W = I) vs dot');
      assertNear(concat, additive, 1e-6, 'concat vs additive with b = 0');
    });

    it('score ranges: |s·h| ≤ size for states in (−1, 1); |vᵀtanh(W[s; h])| ≤ Σ|v| however large W; general scales with W', () => {
      const size = 16;
      const { dot, concat, general, generalTimesTen } = tf.tidy(() => {
        // States at the edge of (−1, 1) and a large W: the bounds still hold, general's scores do not stay put.
        const queries = tf.sign(tf.tensor3d(seeded(2 * 5 * size, 25, 1), [2, 5, size]));
        const keys = tf.sign(tf.tensor3d(seeded(2 * 7 * size, 26, 1), [2, 7, size]));
        const mask = tf.ones([2, 7]) as tf.Tensor2D;
        const w = tf.tensor2d(seeded(size * size, 27, 1), [size, size]);
        const big = tf.tensor2d(seeded(2 * size * 4, 28, 100), [2 * size, 4]);
        const v = tf.tensor2d(vectorJs.concat([0.5, -2]), [4, 1]);
        const read = (t: tf.Tensor) => Array.from(t.dataSync());
        return {
          dot: read(dotAttention(queries, keys, mask).scores),
          concat: read(concatAttention(queries, keys, mask, big, v).scores),
          general: read(generalAttention(queries, keys, mask, w).scores),
          generalTimesTen: read(generalAttention(queries, keys, mask, tf.mul(w, 10) as tf.Tensor2D).scores),
        };
      });
      const maxAbs = (xs: number[]) => Math.max(...xs.map(Math.abs));
      assert.ok(maxAbs(dot) <= size, `dot ${maxAbs(dot)}`);
      const sumAbsV = [...vectorJs, 0.5, -2].reduce((a, x) => a + Math.abs(x), 0);
      assert.ok(maxAbs(concat) <= sumAbsV + 1e-5, `concat ${maxAbs(concat)} vs Σ|v| ${sumAbsV}`);
      assert.ok(maxAbs(concat) > 0.9 * sumAbsV, 'a large W pushes concat’s scores towards Σ|v|');
      generalTimesTen.forEach((x, i) => assert.ok(Math.abs(x - 10 * general[i]) <= 1e-4 * Math.abs(x) + 1e-4));
      assert.ok(maxAbs(generalTimesTen) > size, 'general’s scores leave the range dot is held to');
    });

    it('general scores a 3-wide query against 5-wide keys; dot refuses different sizes', () => {
      const queries = tf.tensor3d(queriesJs); // [2, 3, 3]
      const keys = tf.tensor3d(seeded(B * K * 5, 18, 1), [B, K, 5]); // [2, 4, 5]
      const mask = tf.tensor2d(maskJs);
      const kernel = tf.tensor2d(seeded(3 * 5, 19, 1), [3, 5]);
      const result = generalAttention(queries, keys, mask, kernel);
      assert.deepEqual(result.scores.shape, [B, Q, K]);
      assert.deepEqual(result.context.shape, [B, Q, 5]);
      assert.throws(() => dotAttention(queries, keys, mask), /equal sizes/);
      const parameters = new Parameters(createRandom(1));
      assert.throws(() => createLuongAttention(parameters, 'attention', 'dot', 3, 5, 2), /equal sizes/);
      assert.deepEqual(createLuongAttention(parameters, 'attention', 'general', 3, 5, 2).score, 'general');
      assert.deepEqual(parameters.get('attention/general_kernel').shape, [3, 5]);
      parameters.dispose();
      tf.dispose([queries, keys, mask, kernel, result.scores, result.weights, result.context]);
    });
  });
}

describe('nn/luong.ts gradients (cpu, central differences)', () => {
  before(() => useBackend('cpu'));

  for (const score of SCORES) {
    it(`${score}: d loss / d queries, keys and weights, through the weights and the context`, () => {
      const queries = tf.variable(tf.tensor3d(queriesJs), true, `luong-grad-${score}-queries`);
      const keys = tf.variable(tf.tensor3d(keysJs), true, `luong-grad-${score}-keys`);
      const general = tf.variable(tf.tensor2d(generalJs), true, `luong-grad-${score}-general`);
      const concat = tf.variable(tf.tensor2d(concatJs), true, `luong-grad-${score}-concat`);
      const vector = tf.variable(tf.tensor2d(vectorJs, [ATTENTION, 1]), true, `luong-grad-${score}-v`);
      const mask = tf.tensor2d(maskJs);
      const weightProbe = tf.tensor3d(seeded(B * Q * K, 20, 1), [B, Q, K]);
      const contextProbe = tf.tensor3d(seeded(B * Q * KEY, 21, 1), [B, Q, KEY]);
      const loss = () =>
        tf.tidy(() => {
          const result =
            score === 'dot'
              ? dotAttention(queries, keys, mask)
              : score === 'general'
                ? generalAttention(queries, keys, mask, general)
                : concatAttention(queries, keys, mask, concat, vector);
          return tf.add(tf.sum(tf.mul(result.weights, weightProbe)), tf.sum(tf.mul(result.context, contextProbe)));
        }) as tf.Scalar;
      const variables = [
        queries,
        keys,
        ...(score === 'general' ? [general] : []),
        ...(score === 'concat' ? [concat, vector] : []),
      ];
      checkGradients(loss, variables, 6);
      tf.dispose([queries, keys, general, concat, vector, mask, weightProbe, contextProbe]);
    });
  }

  it('the attentional hidden state: d loss / d context, decoder states and W_c', () => {
    const context = tf.variable(tf.tensor3d(seeded(B * Q * KEY, 22, 1), [B, Q, KEY]), true, 'luong-grad-h-context');
    const states = tf.variable(tf.tensor3d(queriesJs), true, 'luong-grad-h-states');
    const kernel = tf.variable(
      tf.tensor2d(seeded((KEY + QUERY) * 4, 23, 0.7), [KEY + QUERY, 4]),
      true,
      'luong-grad-h-w',
    );
    const probe = tf.tensor3d(seeded(B * Q * 4, 24, 1), [B, Q, 4]);
    checkGradients(
      () => tf.tidy(() => tf.sum(tf.mul(attentionalHiddenState(context, states, kernel).hidden, probe))) as tf.Scalar,
      [context, states, kernel],
      6,
    );
    tf.dispose([context, states, kernel, probe]);
  });
});

// ---------------------------------------------------------------------------------------------
// The chapter's model.

const sourceVocab = new Vocab('abcdefghij'.split(''));
const targetVocab = new Vocab('0123456789-'.split(''));
/** The model reads only the vocabularies from the run's data. */
const data = { sourceVocab, targetVocab } as unknown as RunData;
const H = 8;
const E = 6;
const A = 5;
const modelHyper = (score: string): Hyperparameters => ({ embeddingSize: E, hiddenSize: H, attentionSize: A, score });

function examples(batch: number, sourceLen: number, targetLen: number, seed = batch * 100 + sourceLen) {
  const random = createRandom(seed);
  return Array.from({ length: batch }, (_, i) => ({
    // The first example is the longest; the others are shorter, so the batch has padding.
    source: Array.from({ length: i === 0 ? sourceLen : 1 + random.int(sourceLen) }, () =>
      random.pick('abcdefghij'.split('')),
    ),
    target: Array.from({ length: targetLen }, () => random.pick('0123456789-'.split(''))),
  }));
}

function expectedShapes(batch: number, sourceLen: number, targetLen: number): Record<string, number[]> {
  return {
    source_ids: [batch, sourceLen],
    source_mask: [batch, sourceLen],
    source_embeddings: [batch, sourceLen, E],
    encoder_outputs: [batch, sourceLen, H],
    encoder_final_state: [batch, H],
    decoder_input_ids: [batch, targetLen],
    decoder_embeddings: [batch, targetLen, E],
    decoder_outputs: [batch, targetLen, H],
    attention_scores: [batch, targetLen, sourceLen],
    attention_weights: [batch, targetLen, sourceLen],
    context: [batch, targetLen, H],
    context_and_decoder_output: [batch, targetLen, 2 * H],
    attentional_hidden: [batch, targetLen, H],
    logits: [batch, targetLen, targetVocab.size],
    target_ids: [batch, targetLen],
  };
}

const expectedWeights = (score: string): Record<string, number[]> => ({
  'encoder/embeddings': [sourceVocab.size, E],
  'encoder/gru/input_kernel': [E, 3 * H],
  'encoder/gru/recurrent_kernel': [H, 3 * H],
  'encoder/gru/bias': [3 * H],
  'encoder/gru/recurrent_bias': [3 * H],
  'decoder/embeddings': [targetVocab.size, E],
  'decoder/gru/input_kernel': [E, 3 * H],
  'decoder/gru/recurrent_kernel': [H, 3 * H],
  'decoder/gru/bias': [3 * H],
  'decoder/gru/recurrent_bias': [3 * H],
  ...(score === 'general' ? { 'attention/general_kernel': [H, H] } : {}),
  ...(score === 'concat' ? { 'attention/concat_kernel': [2 * H, A], 'attention/score_vector': [A, 1] } : {}),
  'attentional/kernel': [2 * H, H],
  'output/kernel': [H, targetVocab.size],
  'output/bias': [targetVocab.size],
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`luong-attention model shapes (${backend})`, () => {
    before(() => useBackend(backend));

    for (const score of SCORES) {
      for (const batch of [3, 7]) {
        for (const sourceLen of [4, 11]) {
          it(`${score}: batch ${batch}, source_len ${sourceLen}`, () => {
            const before = tf.memory().numTensors;
            const parameters = new Parameters(createRandom(1));
            const model = chapter.createModel(parameters, modelHyper(score), data);
            const items = encodeExamples(examples(batch, sourceLen, 5), sourceVocab, targetVocab);
            const tensors = makeSeq2SeqBatch(items);
            const targetLen = 6; // 5 target tokens + <eos>
            const { entries, weights, keep } = tf.tidy(() => {
              const output = model.forward(tensors, { training: false, seed: 0 });
              assert.equal(output.attention.length, 1);
              const [map] = output.attention;
              assert.deepEqual(
                [map.kind, map.stack, map.layer, map.rows, map.columns],
                ['cross', 'decoder', 0, 'target', 'source'],
              );
              return {
                entries: describeShapes(chapter.info, output.named, parameters),
                weights: map.weights.arraySync(),
                keep: tf.mul(tf.onesLike(map.weights), map.keep!).arraySync() as number[][][][],
              };
            });
            const wantedActivations = expectedShapes(batch, sourceLen, targetLen);
            const activations = entries.filter((e) => e.kind === 'activation');
            assert.deepEqual(
              Object.fromEntries(activations.map((e) => [e.name, e.shape])),
              wantedActivations,
              'every named tensor, and only these',
            );
            assert.deepEqual(
              Object.fromEntries(entries.filter((e) => e.kind === 'weight').map((e) => [e.name, e.shape])),
              expectedWeights(score),
              'every weight, and only these',
            );
            for (const entry of entries) {
              assert.equal(entry.dims.length, entry.shape.length, `${entry.name}: one dimension name per axis`);
              assert.ok(entry.meaning.en && entry.meaning['zh-cn'], `${entry.name} has a meaning in both languages`);
              assert.ok(entry.source?.file.startsWith('src/engine/chapters/luong-attention/'), `${entry.name}: source`);
            }
            // [batch, heads = 1, target_len, source_len]: rows sum to 1, padded keys get exactly 0 and are masked.
            assert.deepEqual([weights.length, weights[0].length, weights[0][0].length], [batch, 1, targetLen]);
            weights.forEach((heads, n) =>
              heads[0].forEach((row, q) => {
                assert.equal(row.length, sourceLen);
                assert.ok(Math.abs(row.reduce((a, c) => a + c, 0) - 1) < 1e-5, 'the row sums to 1');
                row.forEach((w, s) => {
                  const padding = s >= items[n].sourceIds.length;
                  if (padding) assert.equal(w, 0, 'a padded key gets exactly 0');
                  assert.equal(keep[n][0][q][s], padding ? 0 : 1);
                });
              }),
            );
            const greedy = greedyDecode(model.decoder!, tensors.inputs, batch, 4, 1, true);
            assert.deepEqual(greedy.tokens.shape, [batch, 4]);
            assert.equal(greedy.attention.length, 1);
            assert.deepEqual(greedy.attention[0].weights.shape, [batch, 1, 4, sourceLen]);
            const generated = greedy.attention[0].weights.arraySync();
            generated.forEach((heads, n) =>
              heads[0].forEach((row) => {
                assert.ok(Math.abs(row.reduce((a, c) => a + c, 0) - 1) < 1e-5, 'a generated row sums to 1');
                row.forEach((w, s) => {
                  if (s >= items[n].sourceIds.length) assert.equal(w, 0, 'a generated row gives padding exactly 0');
                });
              }),
            );
            tf.dispose([greedy.tokens, ...greedy.attention.map((a) => a.weights)]);
            disposeBatch(tensors);
            parameters.dispose();
            assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
          });
        }
      }
    }
  });
}

describe('luong-attention model', () => {
  before(() => useBackend('cpu'));

  it('greedy decoding step by step gives the teacher-forced logits when fed the same tokens', () => {
    for (const score of SCORES) {
      const parameters = new Parameters(createRandom(4));
      const model = chapter.createModel(parameters, modelHyper(score), data);
      const items = encodeExamples(examples(3, 6, 4), sourceVocab, targetVocab);
      const tensors = makeSeq2SeqBatch(items);
      const [forced, stepped] = tf.tidy(() => {
        const logits = model.forward(tensors, { training: false, seed: 0 }).logits; // [batch, target_len, vocab]
        const ids = tf.unstack(tensors.inputs.decoder_input_ids, 1) as tf.Tensor1D[];
        let state = model.decoder!.start(tensors.inputs);
        const steps: tf.Tensor2D[] = [];
        ids.forEach((previous, position) => {
          const output = model.decoder!.step(state, previous, position);
          state = output.state;
          steps.push(output.logits);
        });
        return [logits.arraySync(), (tf.stack(steps, 1) as tf.Tensor3D).arraySync()];
      });
      assertNear(stepped, forced, 1e-5, `${score}: step-by-step logits`);
      disposeBatch(tensors);
      parameters.dispose();
    }
  });

  it('Adam’s learning rate falls along half a cosine from learningRate to 0 at the run’s last step', () => {
    const parameters = new Parameters(createRandom(1));
    const model = chapter.createModel(parameters, modelHyper('general'), data);
    const optimizer = chapter.createOptimizer(
      { ...defaultsOf(chapter.info, 'dates'), learningRate: 0.01, epochs: 3 },
      { parameters: model.parameters, stepsPerEpoch: 10 },
    );
    const rates = Array.from({ length: 30 }, (_, i) => optimizer.learningRate(i + 1));
    assertNear(rates[0], 0.005 * (1 + Math.cos(Math.PI / 30)), 1e-12, 'step 1');
    assertNear(rates[14], 0.005, 1e-12, 'half way');
    assertNear(rates[29], 0, 1e-12, 'the last step');
    rates.slice(1).forEach((rate, i) => assert.ok(rate < rates[i], `falls at step ${i + 2}`));
    optimizer.dispose();
    parameters.dispose();
  });

  it('the weights each score adds: dot none, general hidden × hidden, concat (2·hidden + 1) × attention', () => {
    const counts = Object.fromEntries(
      SCORES.map((score) => {
        const parameters = new Parameters(createRandom(1));
        chapter.createModel(parameters, modelHyper(score), data);
        const count = parameters.count();
        parameters.dispose();
        return [score, count];
      }),
    );
    assert.equal(counts.general - counts.dot, H * H);
    assert.equal(counts.concat - counts.dot, (2 * H + 1) * A);
  });
});

describe('luong-attention gradients of the whole model (cpu, central differences)', () => {
  before(() => useBackend('cpu'));

  for (const score of SCORES) {
    it(`every weight, score ${score}`, () => {
      const parameters = new Parameters(createRandom(5));
      const model = chapter.createModel(parameters, { ...modelHyper(score), hiddenSize: 4, attentionSize: 3 }, data);
      // Smaller weights keep the softmax and the gates away from saturation, where float32 differences are noise.
      for (const variable of parameters.list()) {
        variable.assign(tf.tensor(seeded(variable.size, variable.size + 7, 0.5), variable.shape));
      }
      const batch = makeSeq2SeqBatch(encodeExamples(examples(2, 5, 3, 31), sourceVocab, targetVocab));
      checkGradients(
        () =>
          tf.tidy(() =>
            maskedCrossEntropy(model.forward(batch, { training: true, seed: 1 }).logits, batch.targets, batch.lossMask),
          ),
        parameters.list(),
        3,
      );
      disposeBatch(batch);
      parameters.dispose();
    });
  }
});

describe('cpu and wasm agree', () => {
  for (const score of SCORES) {
    it(`${score}: the same model and batch give the same logits on both backends (1e-4)`, async () => {
      const results: number[][] = [];
      for (const backend of ['cpu', 'wasm'] as const) {
        await useBackend(backend);
        const parameters = new Parameters(createRandom(5));
        const model = chapter.createModel(parameters, modelHyper(score), data);
        const tensors = makeSeq2SeqBatch(encodeExamples(examples(4, 7, 5), sourceVocab, targetVocab));
        const logits = tf.tidy(() => model.forward(tensors, { training: false, seed: 0 }).logits);
        results.push(Array.from(logits.dataSync()));
        logits.dispose();
        disposeBatch(tensors);
        parameters.dispose();
      }
      const [cpu, wasm] = results;
      assert.ok(
        cpu.some((x) => Math.abs(x) > 1e-3),
        'logits are not all zero',
      );
      cpu.forEach((x, i) => assert.ok(Math.abs(x - wasm[i]) < 1e-4, `logit ${i}: cpu ${x} vs wasm ${wasm[i]}`));
    });
  }
});

describe('luong-attention training (wasm)', () => {
  let runsDir: string;
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-luong-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  for (const variant of SCORES) {
    it(`${variant}: tf.memory().numTensors is equal after epochs 2 and 3`, async () => {
      const counts: number[] = [];
      await train(
        {
          chapter,
          runsDir,
          backend: 'wasm',
          packageVersion: 'test',
          task: 'dates',
          variant,
          overrides: { trainSize: 128, validationSize: 32, testSize: 8, epochs: 3, hiddenSize: 16, embeddingSize: 8 },
        },
        { epoch: () => counts.push(tf.memory().numTensors) },
      );
      assert.equal(counts.length, 3);
      assert.equal(counts[2], counts[1]);
    });
  }
});

describe('luong-attention info', () => {
  it('passes the catalogue’s schema, is listed as trainable and has no problems', () => {
    const parsed = parseWith(ChapterInfoSchema, chapter.info, 'luong-attention info');
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    assert.equal(chapterInfo('luong-attention').trainable, true);
    assert.deepEqual(chapterInfoProblems(chapter.info), []);
  });

  it('each variant sets its score; the comparison opens the three on phrases', () => {
    for (const score of SCORES) {
      const resolved = resolveHyperparameters(chapter.info, 'dates', score, {});
      assert.ok(resolved.ok && resolved.value.score === score, score);
    }
    assert.equal(
      defaultsOf(chapter.info).score,
      chapter.info.variants.find((v) => v.id === chapter.info.defaultVariant)?.overrides.score,
    );
    assert.deepEqual(chapter.info.comparison, { task: 'phrases', variants: ['dot', 'general', 'concat'] });
    assert.ok(!resolveHyperparameters(chapter.info, 'dates', 'general', { score: 'location' }).ok);
  });

  it('every glossary entry and every line of the contract is in both languages', () => {
    for (const [name, entry] of Object.entries(chapter.info.glossary)) {
      assert.ok(entry.meaning.en.trim() && entry.meaning['zh-cn'].trim(), name);
    }
    const contract = chapter.info.contract;
    for (const line of [
      ...contract.newConcepts,
      ...contract.verifies,
      ...contract.doesNotVerify,
      ...contract.lookAt,
      ...contract.compare,
    ]) {
      assert.ok(line.en.trim() && line['zh-cn'].trim(), line.en);
    }
  });
});
