/**
 * Fill-in with the bert-mlm chapter's model (fresh weights; what is checked does not depend on
 * training): a typed `[MASK]` is the mask, `[CLS]`, `<pad>`, `[SEP]` and the other special tokens
 * typed are read as unknown words; the probabilities come from the full softmax over the vocabulary
 * (it sums to 1), the top-k listed are its largest, and with "others" what is shown sums to 1; each
 * mask's attention is one row per layer and head over every token; bad questions are one line.
 * The protocol's `fill` request and answer; `predict` on the same model.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import { trainableChapter } from '../../src/engine/chapters/registry';
import type { ChapterModel } from '../../src/engine/chapters/contract';
import type { MaskedLmData } from '../../src/engine/kits/maskedLm/data';
import { FillError, readFill, topTokens } from '../../src/engine/kits/maskedLm/fill';
import { learnerTokens, MARKERS } from '../../src/engine/kits/maskedLm/learner';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { defaultsOf } from '../../src/shared/course/hyperparameters';
import { EngineToHostSchema, HostToEngineSchema, MAX_FILL_TOP } from '../../src/shared/protocol/engine';
import { mapRow, unpackMap } from '../../src/shared/run/attention';
import { PredictionSchema } from '../../src/shared/run/records';
import { learnerWords, TYPED_MARKERS } from '../../src/shared/text/words';
import { useBackend } from './helpers';

const chapter = trainableChapter('bert-mlm')!;
const hyper = {
  ...defaultsOf(chapter.info, 'masked-words'),
  dModel: 16,
  heads: 2,
  layers: 2,
  dFf: 16,
  maxLength: 12,
  vocabSize: 500,
  validationSize: 8,
};
let data: MaskedLmData;
let model: ChapterModel;
let parameters: Parameters;

describe('bert-mlm fill-in', () => {
  before(async () => {
    await useBackend('cpu');
    data = chapter.prepare({ task: 'masked-words', hyperparameters: hyper, seed: 3, corpus: 'en' }) as MaskedLmData;
    parameters = new Parameters(createRandom(3));
    model = chapter.createModel(parameters, hyper, data);
  });

  it('reads typed markers: [MASK] (any case) is the mask, every other special token is a word to read as unknown', () => {
    assert.deepEqual(learnerTokens('The [mask] of [CLS] <PAD> [SEP] <unk>'), [
      'the',
      '[MASK]',
      'of',
      '[CLS]',
      '<pad>',
      '[SEP]',
      '<unk>',
    ]);
    const read = readFill(model, data.sourceVocab, 12, 'the [MASK] of [CLS] <pad> [SEP] country');
    assert.deepEqual(read.tokens, ['[CLS]', 'the', '[MASK]', 'of', '<unk>', '<unk>', '<unk>', 'country', '[SEP]']);
    assert.deepEqual(read.typedTokens, ['[CLS]', 'the', '[MASK]', 'of', '[CLS]', '<pad>', '[SEP]', 'country', '[SEP]']);
    assert.deepEqual(read.unknownTokens, ['[CLS]', '<pad>', '[SEP]']);
    assert.deepEqual(read.maskPositions, [2], 'only the typed [MASK] is a mask');
    // The lab panel splits with the same shared function and the same markers as the engine.
    assert.deepEqual([...TYPED_MARKERS], [...MARKERS]);
    const sentence = 'The [mask] of Algeria\u2019s army (FLN). 春风又绿江南岸。 <PAD>';
    assert.deepEqual(learnerWords(sentence), learnerTokens(sentence));
    assert.deepEqual(
      learnerTokens(learnerWords(sentence).join(' ')),
      learnerTokens(sentence),
      'words joined read back',
    );
  });

  it('probabilities: the full softmax sums to 1, the top-k listed are its largest, shown + others = 1', () => {
    const text = 'the [MASK] of the [MASK] .';
    const read = readFill(model, data.sourceVocab, 12, text);
    assert.equal(read.probabilities.length, 2);
    for (const probabilities of read.probabilities) {
      assert.equal(probabilities.length, data.sourceVocab.size, 'over the whole vocabulary');
      const sum = probabilities.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `sum ${sum}`);
    }
    const result = data.fill(model, text, 7);
    assert.equal(result.masks.length, 2);
    result.masks.forEach((mask, i) => {
      const probabilities = read.probabilities[i];
      assert.equal(mask.position, read.maskPositions[i]);
      assert.equal(mask.predictions.length, 7);
      const sorted = [...probabilities].sort((a, b) => b - a);
      mask.predictions.forEach((p, k) => {
        assert.equal(p.probability, sorted[k], 'the k-th listed is the k-th largest');
        assert.equal(p.probability, probabilities[data.sourceVocab.id(p.token)], 'the token’s own probability');
      });
      assert.deepEqual(
        mask.predictions.map((p) => p.token),
        topTokens(probabilities, 7).map((id) => data.sourceVocab.token(id)),
      );
      const shown = mask.predictions.reduce((a, p) => a + p.probability, 0) + mask.otherProbability;
      assert.ok(Math.abs(shown - 1) < 1e-5, `shown + others = ${shown}`);
    });
  });

  it('each mask’s attention: every layer and head, one row over every token, summing to 1', () => {
    const before = tf.memory().numTensors;
    const result = data.fill(model, 'the [MASK] of the country');
    assert.equal(tf.memory().numTensors, before, 'fill leaves no tensor behind');
    assert.equal(result.masks[0].predictions.length, 5, 'top 5 by default');
    const maps = result.masks[0].attention;
    assert.deepEqual(
      maps.map((m) => `${m.layer}/${m.head}`),
      ['0/0', '0/1', '1/0', '1/1'],
    );
    for (const map of maps) {
      assert.deepEqual(map.rowTokens, ['[MASK]']);
      assert.deepEqual(map.columnTokens, result.typedTokens);
      const row = mapRow(unpackMap(map)!, 0);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      assert.ok(
        row.every((w) => w > 0),
        'bidirectional: every token, left and right, gets some weight',
      );
    }
  });

  it('refuses, in one line: no [MASK], an empty text, more words than positions', () => {
    const refused = (text: string, pattern: RegExp) =>
      assert.throws(
        () => data.fill(model, text),
        (error: Error) => error instanceof FillError && pattern.test(error.message) && !error.message.includes('\n'),
      );
    refused('the capital of the country', /no \[MASK\]/);
    refused('   ', /empty/);
    refused('[CLS] [SEP]', /no \[MASK\]/);
    refused('a b c d e f g h i j k [MASK]', /12 positions: at most 10 words/);
  });

  it('predict fills each [MASK] with its most probable word and returns every map', () => {
    const prediction = data.predict(model, 'the [MASK] of <pad>');
    assert.ok(v.safeParse(PredictionSchema, prediction).success);
    const read = readFill(model, data.sourceVocab, 12, 'the [MASK] of <pad>');
    const best = topTokens(read.probabilities[0], 1)[0];
    assert.deepEqual(prediction.predicted, ['[CLS]', 'the', data.sourceVocab.token(best), 'of', '<pad>', '[SEP]']);
    assert.deepEqual(prediction.unknownTokens, ['<pad>']);
    assert.equal(prediction.maps.length, 4);
  });

  it('the protocol: a fill request is validated, and a real answer is a valid `filled` message', () => {
    const request = { type: 'fill', requestId: 'r1', runDir: '/runs/x', text: 'the [MASK]' };
    assert.ok(v.safeParse(HostToEngineSchema, request).success);
    assert.ok(v.safeParse(HostToEngineSchema, { ...request, top: MAX_FILL_TOP }).success);
    for (const bad of [{ top: 0 }, { top: MAX_FILL_TOP + 1 }, { top: 2.5 }, { text: 'x'.repeat(1001) }, { extra: 1 }])
      assert.ok(!v.safeParse(HostToEngineSchema, { ...request, ...bad }).success, JSON.stringify(bad).slice(0, 40));
    const fill = data.fill(model, 'the [MASK] of the [MASK]', 3);
    const parsed = v.safeParse(EngineToHostSchema, { type: 'filled', requestId: 'r1', fill });
    assert.ok(parsed.success);
  });
});
