/**
 * Learning, with a fixed seed and a small budget (5 epochs of 4000 dates on wasm, about a
 * minute): attention-seq2seq reaches at least 90% validation exact match and beats seq2seq,
 * the bottleneck model trained on exactly the same data, on the longest source-length bucket.
 * The same two runs check what the chapters' contracts say about dates: the shortest forms are
 * the hardest bucket (not the longest), and attention's alignment crosses where the year moves
 * from the end of the source to the start of the answer. Deterministic: the wasm backend gives
 * the same numbers on every run.
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
import { loadRun, predictText } from '../../src/engine/predict';
import { DATE_COUNT, DATE_FORMATS, dateAt, formatDate } from '../../src/engine/tasks/dates';
import { readRun } from '../../src/runStore';
import { unpackMap } from '../../src/shared/run/attention';
import { useBackend } from './helpers';

const budget = { trainSize: 4000, validationSize: 400, testSize: 50, epochs: 5 };
const attentionSeq2SeqChapter = trainableChapter('attention-seq2seq')!;
const seq2seqChapter = trainableChapter('seq2seq')!;
let runsDir: string;

async function trainOnDates(chapter: Chapter): Promise<{ last: EvaluationRecord; runDir: string }> {
  let last: EvaluationRecord | null = null;
  const result = await train(
    { chapter, runsDir, backend: 'wasm', packageVersion: 'test', task: 'dates', seed: 1, overrides: budget },
    { epoch: (m) => (last = m) },
  );
  assert.ok(last, `${chapter.info.id} finished an epoch`);
  return { last, runDir: result.runDir };
}

describe('learning on dates (wasm, fixed seed, small budget)', () => {
  let attentionRun: { last: EvaluationRecord; runDir: string };
  let bottleneckRun: { last: EvaluationRecord; runDir: string };
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learning-'));
    attentionRun = await trainOnDates(attentionSeq2SeqChapter);
    bottleneckRun = await trainOnDates(seq2seqChapter);
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('attention-seq2seq reaches ≥ 90% validation exact match and beats seq2seq on the longest sources', () => {
    const attention = attentionRun.last;
    const bottleneck = bottleneckRun.last;
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

  it('seq2seq contract, on dates: the shortest forms make the hardest bucket, and the longest is not the worst', () => {
    for (const { last } of [bottleneckRun, attentionRun]) {
      const exact = last.buckets!.map((bucket) => bucket.exactMatch);
      const buckets = last.buckets!.map((b) => `${b.minLength}-${b.maxLength}: ${b.exactMatch.toFixed(2)}`).join(', ');
      assert.equal(exact.length, 4, buckets);
      assert.equal(Math.min(...exact), exact[0], `the shortest bucket is the hardest: ${buckets}`);
      assert.ok(exact[3] > exact[0], `the longest is not the worst: ${buckets}`);
    }
  });

  it('attention-seq2seq contract, on dates: the year’s digits attend to the end of the source, the month and day before it (12 of 14 formats); year-first forms stay near the diagonal', async () => {
    const run = await loadRun(attentionRun.runDir);
    try {
      const dates = [0.13, 0.41, 0.77].map((fraction) => dateAt(Math.floor(fraction * DATE_COUNT)));
      let crossing = 0;
      let yearLast = 0;
      let diagonal = 0;
      let yearFirst = 0;
      const report: string[] = [];
      for (const { id } of DATE_FORMATS) {
        for (const date of dates) {
          const text = formatDate(date, id);
          const year = String(date.y);
          // Where the year is written: its last four (or two) characters, or its first four.
          const last = text.endsWith(year) ? 4 : text.endsWith(year.slice(2)) ? 2 : 0;
          const yearColumns = (column: number) => (last > 0 ? column >= text.length - last : column < 4);
          const map = predictText(run, text).maps.find((candidate) => candidate.mode === 'generated')!;
          const weights = unpackMap(map)!;
          const argmax = (row: number) => {
            const values = Array.from(weights.weights.subarray(row * weights.columns, (row + 1) * weights.columns));
            return values.indexOf(Math.max(...values));
          };
          // Rows of YYYY-MM-DD: 0–3 the year, 5–6 the month, 8–9 the day.
          const yearRows = [0, 1, 2, 3].filter((row) => yearColumns(argmax(row))).length;
          const otherRows = [5, 6, 8, 9].filter((row) => !yearColumns(argmax(row))).length;
          const follows = yearRows >= 3 && otherRows >= 3;
          if (last > 0) {
            yearLast++;
            if (follows) crossing++;
          } else {
            yearFirst++;
            if (follows) diagonal++;
          }
          if (!follows) report.push(`${id} '${text}': year rows ${yearRows}/4, month and day rows ${otherRows}/4`);
        }
      }
      assert.equal(yearLast, 12 * dates.length, '12 of the 14 formats write the year last');
      assert.ok(crossing >= 0.9 * yearLast, `crossing in ${crossing}/${yearLast}: ${report.join('; ')}`);
      assert.equal(diagonal, yearFirst, `year-first forms: ${report.join('; ')}`);
    } finally {
      run.dispose();
    }
  });

  it('attention-seq2seq contract: every row sums to 1, padding gets exactly 0, every target token sees every source token', async () => {
    const snapshot = (await readRun(attentionRun.runDir)).attention!;
    const checks = Object.fromEntries(snapshot.checks.map((check) => [check.id, check]));
    assert.equal(checks['rows-sum-to-one'].pass, true);
    assert.equal(checks['masked-zero'].pass, true);
    assert.equal(checks['masked-zero'].value, 0);
    assert.match(
      checks['masked-zero'].detail?.en ?? '',
      /^[1-9]\d* masked cells checked$/,
      'padding was there to check',
    );
    for (const probe of snapshot.probes) {
      for (const map of probe.maps) {
        assert.deepEqual(map.columnTokens, probe.source, 'a column for every source token');
        assert.equal(map.mask, null, 'no source token is ever masked for any target row');
      }
    }
  });
});
