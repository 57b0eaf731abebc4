/**
 * BERT's masking in the bert-mlm chapter, on the batches the trainer actually gets from the
 * chapter's data (English corpus, fixed seed): over 10,000 tokens, 15% ± 1% selected and 80/10/10
 * ± 2% among them; `[CLS]`, `[SEP]` and padding never selected; the loss weighted at selected
 * positions only; the selection histogram per evaluation counts each trained batch once. Plain JS
 * and tensors read back, on cpu.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { CLS_ID, MASK_ID, SEP_ID } from '../../src/engine/corpus';
import type { MaskedLmData, TrainingItem } from '../../src/engine/kits/maskedLm/data';
import {
  FIRST_WORD_ID,
  KEPT,
  NOT_SELECTED,
  REPLACED_BY_MASK,
  REPLACED_BY_RANDOM,
  addCounts,
  countSelection,
  emptyCounts,
  maskSequence,
} from '../../src/engine/kits/maskedLm/masking';
import { createRandom } from '../../src/engine/random';
import { defaultsOf } from '../../src/shared/course/hyperparameters';
import { PAD_ID } from '../../src/engine/tasks/vocab';
import { disposeBatch } from '../../src/engine/train/batches';
import { useBackend } from './helpers';

const chapter = trainableChapter('bert-mlm')!;
const hyper = { ...defaultsOf(chapter.info, 'masked-words'), evalSteps: 20, batchSize: 32, validationSize: 16 };
let data: MaskedLmData;

/** Training batches of evaluation period 1 until they hold at least `tokens` ordinary tokens. */
function batchesOf(tokens: number): TrainingItem[][] {
  const batches = data.epochBatches(1, Number(hyper.batchSize)) as TrainingItem[][];
  const chosen: TrainingItem[][] = [];
  let total = 0;
  for (const items of batches) {
    if (total >= tokens) break;
    chosen.push(items);
    total += countSelection(data.maskItems(items)).tokens;
  }
  assert.ok(total >= tokens, `the batches hold ${total} tokens`);
  return chosen;
}

describe('bert-mlm masking (English corpus, seed 7)', () => {
  before(async () => {
    await useBackend('cpu');
    data = chapter.prepare({ task: 'masked-words', hyperparameters: hyper, seed: 7 }) as MaskedLmData;
  });

  it('over 10,000 tokens: 15% ± 1% selected; of those 80% [MASK], 10% random, 10% kept (± 2%)', () => {
    let counts = emptyCounts();
    for (const items of batchesOf(10_000)) counts = addCounts(counts, countSelection(data.maskItems(items)));
    assert.ok(counts.tokens >= 10_000);
    const selected = counts.selected / counts.tokens;
    assert.ok(Math.abs(selected - 0.15) <= 0.01, `selected ${selected}`);
    assert.equal(counts.masked + counts.randomised + counts.kept, counts.selected);
    const shares = [counts.masked, counts.randomised, counts.kept].map((n) => n / counts.selected);
    [0.8, 0.1, 0.1].forEach((expected, i) =>
      assert.ok(Math.abs(shares[i] - expected) <= 0.02, `share ${i}: ${shares[i]} (expected ${expected})`),
    );
  });

  it('what each code means: [MASK] in the input, a word id for random, the original kept; targets are the originals', () => {
    for (const items of batchesOf(10_000)) {
      for (const example of data.maskItems(items)) {
        example.selection.forEach((what, position) => {
          const input = example.input[position];
          const original = example.original[position];
          if (what === NOT_SELECTED || what === KEPT) assert.equal(input, original);
          if (what === REPLACED_BY_MASK) assert.equal(input, MASK_ID);
          if (what === REPLACED_BY_RANDOM)
            assert.ok(input >= FIRST_WORD_ID && input < data.sourceVocab.size, `random id ${input}`);
          assert.ok(original !== MASK_ID && original !== PAD_ID, 'the corpus never holds [MASK] or padding');
        });
      }
    }
  });

  it('[CLS], [SEP] and padding are never selected, even at a selection probability of 0.9', () => {
    const random = createRandom(11);
    const ids = [CLS_ID, 10, 11, 12, SEP_ID, 13, 14, SEP_ID, PAD_ID, PAD_ID];
    for (let i = 0; i < 2000; i++) {
      const masked = maskSequence(ids, random, { probability: 0.9, vocabSize: 50 });
      ids.forEach((id, position) => {
        if (id === CLS_ID || id === SEP_ID || id === PAD_ID) {
          assert.equal(masked.selection[position], NOT_SELECTED);
          assert.equal(masked.input[position], id);
        }
      });
    }
    for (const items of batchesOf(10_000)) {
      for (const example of data.maskItems(items)) {
        example.original.forEach((id, position) => {
          if (id === CLS_ID || id === SEP_ID) assert.equal(example.selection[position], NOT_SELECTED);
        });
        assert.equal(example.original[0], CLS_ID);
        assert.equal(example.original[example.original.length - 1], SEP_ID);
      }
    }
  });

  it('the loss is weighted 1 at selected positions and 0 everywhere else ([CLS], [SEP], padding, unselected)', () => {
    for (const items of batchesOf(3_000)) {
      const examples = data.maskItems(items);
      const batch = data.batch(items);
      try {
        const [, length] = batch.inputs.source_ids.shape;
        const positions = batch.inputs.mlm_positions.arraySync() as number[][];
        const lossMask = batch.lossMask.arraySync() as number[][];
        const targets = batch.targets.arraySync() as number[][];
        const ids = batch.inputs.source_ids.arraySync() as number[][];
        examples.forEach((example, n) => {
          // The weight each sequence position gets in the loss, through the prediction slots.
          const weight = new Array<number>(length).fill(0);
          positions[n].forEach((position, slot) => {
            weight[position] += lossMask[n][slot];
            if (lossMask[n][slot] === 1) assert.equal(targets[n][slot], example.original[position]);
          });
          for (let position = 0; position < length; position++) {
            const selected = position < example.selection.length && example.selection[position] !== NOT_SELECTED;
            assert.equal(weight[position], selected ? 1 : 0, `example ${n} position ${position}`);
            if (position >= example.input.length) assert.equal(ids[n][position], PAD_ID, 'padding');
          }
        });
        // The loss mask holds only 0 and 1: padding slots are 0.
        assert.ok(lossMask.flat().every((w) => w === 0 || w === 1));
      } finally {
        disposeBatch(batch);
      }
    }
  });

  it('masks are drawn per batch from the seed: the same batch twice gives the same masks, and the histogram counts it once', () => {
    const batches = data.epochBatches(1, Number(hyper.batchSize)) as TrainingItem[][];
    const again = data.epochBatches(1, Number(hyper.batchSize)) as TrainingItem[][];
    assert.deepEqual(data.maskItems(batches[3]), data.maskItems(again[3]));
    assert.notDeepEqual(data.maskItems(batches[3]), data.maskItems(batches[4]));
    data.selectionSinceEvaluation(); // forget anything earlier
    const before = tf.memory().numTensors;
    let expected = emptyCounts();
    for (const items of batches) {
      disposeBatch(data.batch(items));
      expected = addCounts(expected, countSelection(data.maskItems(items)));
    }
    disposeBatch(data.batch(again[5])); // e.g. a backend's timing step: the same batch, the same masks
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(data.selectionSinceEvaluation(), expected);
    assert.equal(data.selectionSinceEvaluation(), null, 'the next period starts empty');
  });
});
