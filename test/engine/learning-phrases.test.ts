/**
 * What the two seq2seq chapters' contracts say about phrases, checked with a fixed seed and a
 * small budget (3000 phrases, 5 or 6 epochs, on wasm; deterministic): seq2seq translates the
 * shortest sources first and best while the longest suffer most, and attention-seq2seq's
 * alignments cross where Chinese word order reverses (the small bird that sings → 唱 歌 的 小 鸟).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HyperValue } from '../../src/shared/course/chapter';
import type { EvaluationRecord } from '../../src/shared/run/records';
import { unpackMap } from '../../src/shared/run/attention';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { loadRun, predictText } from '../../src/engine/predict';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const budget: Record<string, HyperValue> = { trainSize: 3000, validationSize: 400, testSize: 50 };
let runsDir: string;

before(async () => {
  await useBackend('wasm');
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-phrases-'));
});
after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

async function trainOnPhrases(chapterId: 'seq2seq' | 'attention-seq2seq', epochs: number) {
  const evaluations: EvaluationRecord[] = [];
  const result = await train(
    {
      chapter: trainableChapter(chapterId)!,
      runsDir,
      backend: 'wasm',
      packageVersion: 'test',
      task: 'phrases',
      seed: 1,
      overrides: { ...budget, epochs },
    },
    { epoch: (metrics) => evaluations.push(metrics) },
  );
  return { evaluations, runDir: result.runDir };
}

describe('the contracts on phrases (wasm, fixed seed, small budget)', () => {
  it('seq2seq: the shortest sources (2–5 words) are translated exactly first and stay the best; the longest bucket is the lowest while it learns', async () => {
    const { evaluations } = await trainOnPhrases('seq2seq', 5);
    const table = evaluations
      .map(
        (e) =>
          `epoch ${e.epoch}: ${e.buckets!.map((b) => `${b.minLength}-${b.maxLength} ${b.exactMatch.toFixed(2)}`).join(', ')}`,
      )
      .join('; ');
    for (const evaluation of evaluations) {
      const buckets = evaluation.buckets!;
      assert.equal(buckets.length, 4, table);
      assert.deepEqual([buckets[0].minLength, buckets[0].maxLength], [2, 5], 'the shortest bucket holds 2–5 words');
      const exact = buckets.map((bucket) => bucket.exactMatch);
      assert.equal(Math.max(...exact), exact[0], `the shortest bucket is the best: ${table}`);
      if (exact[0] > 0) assert.equal(Math.min(...exact), exact[3], `the longest bucket is the lowest: ${table}`);
    }
    const last = evaluations[evaluations.length - 1].buckets!;
    assert.ok(last[0].exactMatch >= 0.3, `short sources are translated: ${table}`);
    assert.ok(last[3].exactMatch < last[0].exactMatch / 2, `the longest suffer: ${table}`);
  });

  it('attention-seq2seq: alignments cross where Chinese word order reverses', async () => {
    const { runDir } = await trainOnPhrases('attention-seq2seq', 6);
    const run = await loadRun(runDir);
    // Each phrase, its translation, and which source word each of some target words renders.
    const phrases: [string, string, [string, string][]][] = [
      [
        'the small bird that sings',
        '唱 歌 的 小 鸟',
        [
          ['唱', 'sings'],
          ['小', 'small'],
          ['鸟', 'bird'],
        ],
      ],
      [
        'the girl who eats rice at school',
        '在 学校 吃 米饭 的 女孩',
        [
          ['学校', 'school'],
          ['米饭', 'rice'],
          ['女孩', 'girl'],
        ],
      ],
      [
        'there is a cat under the table',
        '桌子 下面 有 一 只 猫',
        [
          ['桌子', 'table'],
          ['下面', 'under'],
          ['猫', 'cat'],
        ],
      ],
      [
        'the dog is bigger than the cat',
        '狗 比 猫 大',
        [
          ['狗', 'dog'],
          ['猫', 'cat'],
          ['大', 'bigger'],
        ],
      ],
    ];
    try {
      let aligned = 0;
      let pairs = 0;
      for (const [source, translation, dictionary] of phrases) {
        const prediction = predictText(run, source);
        assert.equal(prediction.predicted.slice(0, -1).join(' '), translation, source);
        const map = prediction.maps.find((candidate) => candidate.mode === 'generated')!;
        const weights = unpackMap(map)!;
        const attended = (row: number) => {
          const values = Array.from(weights.weights.subarray(row * weights.columns, (row + 1) * weights.columns));
          return values.indexOf(Math.max(...values));
        };
        // [target position, source position] of the dictionary's words the map aligns.
        const links: [number, number][] = [];
        for (const [target, word] of dictionary) {
          pairs++;
          const row = map.rowTokens.indexOf(target);
          const column = prediction.source.indexOf(word);
          if (attended(row) === column) {
            aligned++;
            links.push([row, column]);
          }
        }
        const crosses = links.some(([t1, s1]) => links.some(([t2, s2]) => t1 < t2 && s1 > s2));
        assert.ok(crosses, `${source} → ${translation}: two aligned words cross (${JSON.stringify(links)})`);
      }
      assert.ok(aligned >= pairs - 2, `${aligned} of ${pairs} words attend to their source word`);
    } finally {
      run.dispose();
    }
  });
});
