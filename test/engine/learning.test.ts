/**
 * Learning, with a fixed seed and a small budget (5 epochs of 4000 dates on wasm, about a
 * minute): attention-seq2seq reaches at least 90% validation exact match and beats seq2seq,
 * the bottleneck model trained on exactly the same data, on the longest source-length bucket.
 * Deterministic: the wasm backend gives the same numbers on every run.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { EvaluationRecord } from '../../src/shared/run/records';
import type { Chapter } from '../../src/engine/chapters/contract';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const budget = { trainSize: 4000, validationSize: 400, testSize: 50, epochs: 5 };
const attentionSeq2SeqChapter = trainableChapter('attention-seq2seq')!;
const seq2seqChapter = trainableChapter('seq2seq')!;
let runsDir: string;

async function finalMetrics(chapter: Chapter): Promise<EvaluationRecord> {
  let last: EvaluationRecord | null = null;
  await train(
    { chapter, runsDir, backend: 'wasm', packageVersion: 'test', task: 'dates', seed: 1, overrides: budget },
    { epoch: (m) => (last = m) },
  );
  assert.ok(last, `${chapter.info.id} finished an epoch`);
  return last;
}

describe('learning on dates (wasm, fixed seed, small budget)', () => {
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learning-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('attention-seq2seq reaches ≥ 90% validation exact match and beats seq2seq on the longest sources', async () => {
    const attention = await finalMetrics(attentionSeq2SeqChapter);
    const bottleneck = await finalMetrics(seq2seqChapter);
    assert.ok(
      attention.values.val_exact_match >= 0.9,
      `attention-seq2seq val exact ${attention.values.val_exact_match}`,
    );
    const longest = (m: EvaluationRecord) => m.buckets![m.buckets!.length - 1];
    assert.deepEqual(
      [longest(attention).minLength, longest(attention).maxLength],
      [longest(bottleneck).minLength, longest(bottleneck).maxLength],
      'same buckets',
    );
    assert.ok(longest(attention).count >= 50, 'the longest bucket holds enough examples to compare');
    assert.ok(
      longest(attention).exactMatch > longest(bottleneck).exactMatch,
      `longest bucket ${longest(attention).minLength}-${longest(attention).maxLength}: attention ${longest(attention).exactMatch} vs seq2seq ${longest(bottleneck).exactMatch}`,
    );
  });
});
