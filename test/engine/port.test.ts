/**
 * The chapter-contract port changed how the seq2seq chapters are wired, not what they compute:
 * short fixed-seed runs of both chapters on both tasks reproduce, exactly, the metrics, probe
 * maps and sample predictions recorded before the port (fixtures/port-baseline.json, recorded at
 * commit e5f93f3 with the same explicit settings) on the same backend.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unpackMap } from '../../src/shared/run/attention';
import type { EvaluationRecord } from '../../src/shared/run/records';
import { readRun } from '../../src/runStore';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

interface BaselineRun {
  backend: 'wasm' | 'cpu';
  chapter: 'seq2seq' | 'attention-seq2seq';
  task: string;
  epochs: Record<string, unknown>[];
  probes: { predicted: string[]; teacherForced: number[][] | null }[] | null;
  samples: string[];
}
const baseline = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'port-baseline.json'), 'utf8')) as {
  settings: Record<string, number>;
  runs: BaselineRun[];
};
const { seed, ...settings } = baseline.settings;

let runsDir: string;
before(() => {
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-port-'));
});
after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

// wasm for every chapter and task; cpu (about four times slower) for one, to cover both backends.
const cases = baseline.runs.filter(
  (run) => run.backend === 'wasm' || (run.chapter === 'attention-seq2seq' && run.task === 'phrases'),
);

for (const expected of cases) {
  describe(`port: ${expected.chapter} on ${expected.task} (${expected.backend})`, () => {
    before(() => useBackend(expected.backend));

    it('reproduces the recorded metrics, probe maps and samples exactly', async () => {
      const chapter = trainableChapter(expected.chapter)!;
      // The same explicit settings; seq2seq has no attention size (format 1 recorded it as unused).
      const overrides = Object.fromEntries(
        Object.entries(settings).filter(([key]) => chapter.info.hyperparameters.some((spec) => spec.key === key)),
      );
      const result = await train(
        {
          chapter,
          runsDir,
          backend: expected.backend,
          packageVersion: 'test',
          task: expected.task,
          seed,
          overrides,
          stepMetricsEvery: 1000,
        },
        {},
      );
      const run = await readRun(result.runDir);
      const epochs = run.metrics.filter((m): m is EvaluationRecord => m.kind === 'epoch');
      assert.equal(epochs.length, expected.epochs.length);
      epochs.forEach((record, i) => {
        const old = expected.epochs[i];
        assert.equal(record.step, old.step, `epoch ${i + 1} step`);
        assert.equal(record.train_loss, old.train_loss, `epoch ${i + 1} train_loss`);
        assert.equal(record.values.val_loss, old.val_loss, `epoch ${i + 1} val_loss`);
        assert.equal(record.values.val_token_accuracy, old.val_token_accuracy, `epoch ${i + 1} val_token_accuracy`);
        assert.equal(record.values.val_exact_match, old.val_exact_match, `epoch ${i + 1} val_exact_match`);
        assert.deepEqual(record.buckets, old.buckets, `epoch ${i + 1} buckets`);
      });
      assert.deepEqual(
        run.samples?.samples.map((s) => s.predicted),
        expected.samples,
      );
      if (expected.probes) {
        const probes = run.attention!.probes;
        expected.probes.forEach((old, i) => {
          assert.deepEqual(probes[i].predicted, old.predicted, `probe ${i} prediction`);
          const forward = probes[i].maps.find((map) => map.mode === 'forward')!;
          const unpacked = unpackMap(forward)!;
          const oldWeights = old.teacherForced!.flat();
          // Stored as float32 now (the JSON of format 1 held the same float32 values as decimals).
          oldWeights.forEach((w, k) => assert.equal(unpacked.weights[k], Math.fround(w), `probe ${i} weight ${k}`));
        });
      } else {
        assert.equal(run.attention, null, 'seq2seq has no attention');
      }
    });
  });
}
