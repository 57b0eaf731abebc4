/**
 * The trainer end to end on small data: no tensor leaks between epochs, same seed → same
 * metrics, clean stop, exact resume, and every model trains on cpu and wasm.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import type { HyperValue } from '../../src/shared/course/chapter';
import type { EvaluationRecord, MetricsRecord } from '../../src/shared/run/records';
import { trainableChapter } from '../../src/engine/chapters/registry';
import type { Chapter } from '../../src/engine/chapters/contract';
import { readRun } from '../../src/runStore';
import { train, type TrainSetup } from '../../src/engine/train/trainer';
import { unpackMap } from '../../src/shared/run/attention';
import { useBackend } from './helpers';

const seq2seq = trainableChapter('seq2seq')!;
const attentionSeq2Seq = trainableChapter('attention-seq2seq')!;
const small: Record<string, HyperValue> = {
  trainSize: 192,
  validationSize: 48,
  testSize: 16,
  batchSize: 32,
  hiddenSize: 16,
};
const SEED = 7;
let runsDir: string;

before(() => {
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-train-'));
});
after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

function run(
  chapter: Chapter,
  overrides: Record<string, HyperValue>,
  extra: Partial<TrainSetup> = {},
  events: Parameters<typeof train>[1] = {},
) {
  return train({ chapter, runsDir, backend: 'wasm', packageVersion: 'test', seed: SEED, overrides, ...extra }, events);
}

/** Metrics without the wall-clock fields, which differ between identical runs. */
function withoutTimes(records: MetricsRecord[]) {
  return records.map((r) => ({ ...r, seconds: 0, samples_per_second: 0 }));
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`trainer (${backend})`, () => {
    before(() => useBackend(backend));

    for (const chapter of [seq2seq, attentionSeq2Seq]) {
      it(`${chapter.info.id}: trains, loss falls, and tf.memory().numTensors is equal after epochs 2 and 3`, async () => {
        const counts: number[] = [];
        const result = await train(
          {
            chapter,
            runsDir,
            backend,
            packageVersion: 'test',
            seed: SEED,
            overrides: { ...small, epochs: 3, learningRate: 0.02 },
          },
          { epoch: () => counts.push(tf.memory().numTensors) },
        );
        assert.equal(result.status.state, 'completed');
        assert.equal(counts.length, 3);
        assert.equal(counts[2], counts[1], `tensors after epoch 2: ${counts[1]}, after epoch 3: ${counts[2]}`);
        const snapshot = await readRun(result.runDir);
        assert.equal(snapshot.weights, 'verified');
        const epochs = snapshot.metrics.filter((m): m is EvaluationRecord => m.kind === 'epoch');
        assert.equal(epochs.length, 3);
        assert.ok(epochs[2].train_loss < epochs[0].train_loss, `train loss falls: ${epochs.map((e) => e.train_loss)}`);
        assert.equal(snapshot.config.backend, backend);
        if (chapter === attentionSeq2Seq) {
          const attention = snapshot.attention!;
          assert.deepEqual(
            attention.checks.map((c) => [c.id, c.pass]),
            [
              ['rows-sum-to-one', true],
              ['masked-zero', true],
            ],
          );
          // Probes are decoded in one padded batch; each map must be cut back to its own tokens.
          for (const probe of attention.probes) {
            const forward = probe.maps.filter((m) => m.mode === 'forward');
            const generated = probe.maps.filter((m) => m.mode === 'generated');
            assert.equal(forward.length, 1);
            assert.equal(generated.length, 1);
            for (const map of [...forward, ...generated]) {
              assert.deepEqual(map.columnTokens, probe.source);
              const unpacked = unpackMap(map)!;
              for (let r = 0; r < unpacked.rows; r++) {
                const row = unpacked.weights.subarray(r * unpacked.columns, (r + 1) * unpacked.columns);
                assert.ok(Math.abs(row.reduce((a, c) => a + c, 0) - 1) < 1e-5, 'row sums to 1');
              }
            }
            assert.equal(forward[0].rowTokens.length, probe.target.length + 1, 'one row per target token and <eos>');
            assert.deepEqual(generated[0].rowTokens, probe.predicted, 'one row per generated token');
          }
        } else {
          assert.equal(snapshot.attention, null, 'seq2seq has no attention to save');
        }
      });
    }
  });
}

describe('trainer runs (wasm)', () => {
  before(() => useBackend('wasm'));

  it('same seed, same backend → identical metrics', async () => {
    const a = await run(attentionSeq2Seq, { ...small, epochs: 2 });
    const b = await run(attentionSeq2Seq, { ...small, epochs: 2 });
    const [ma, mb] = [(await readRun(a.runDir)).metrics, (await readRun(b.runDir)).metrics];
    assert.ok(ma.length >= 2);
    assert.deepEqual(withoutTimes(ma), withoutTimes(mb));
    const c = await run(attentionSeq2Seq, { ...small, epochs: 2 }, { seed: 8 });
    assert.notDeepEqual(
      withoutTimes((await readRun(c.runDir)).metrics),
      withoutTimes(ma),
      'another seed gives other metrics',
    );
  });

  it('a stop request between steps leaves a complete, readable run marked stopped, with the last complete epoch saved', async () => {
    let progressCalls = 0;
    const result = await run(
      attentionSeq2Seq,
      { ...small, epochs: 5 },
      { shouldStop: () => progressCalls >= 8 },
      { progress: () => progressCalls++ },
    );
    assert.equal(result.status.state, 'stopped');
    assert.equal(result.status.epochsCompleted, 1, 'epoch 1 has 6 steps; the stop came during epoch 2');
    const snapshot = await readRun(result.runDir);
    assert.equal(snapshot.status.state, 'stopped');
    assert.deepEqual(snapshot.attentionEpochs, [1]);
    assert.equal(snapshot.weights, 'verified');
    const latest = JSON.parse(fs.readFileSync(path.join(result.runDir, 'model', 'latest.json'), 'utf8'));
    assert.equal(latest.epoch, 1, 'the saved checkpoint is that of the last complete epoch');
  });

  it('resume continues exactly: 2 epochs + resume to 3 equals 3 epochs straight', async () => {
    const straight = await run(attentionSeq2Seq, { ...small, epochs: 3 });
    const firstPart = await run(attentionSeq2Seq, { ...small, epochs: 2 });
    const before = fs.readdirSync(firstPart.runDir, { recursive: true }).map(String).sort();
    const resumed = await run(attentionSeq2Seq, { epochs: 3 }, { resume: firstPart.runDir, seed: undefined });
    const resumedRun = await readRun(resumed.runDir);
    assert.equal(resumedRun.config.resumedFrom, path.basename(firstPart.runDir));
    const epochsOf = (records: MetricsRecord[]) => withoutTimes(records.filter((r) => r.kind === 'epoch'));
    assert.deepEqual(epochsOf(resumedRun.metrics), epochsOf((await readRun(straight.runDir)).metrics));
    assert.deepEqual(resumedRun.attentionEpochs, [1, 2, 3]);
    // The old run is untouched: reading it to resume wrote nothing into it.
    assert.equal((await readRun(firstPart.runDir)).status.epochsCompleted, 2);
    assert.deepEqual(fs.readdirSync(firstPart.runDir, { recursive: true }).map(String).sort(), before);
  });

  it('resume refuses a run that already has the asked-for epochs, and a run of another chapter, writing nothing', async () => {
    const done = await run(seq2seq, { ...small, epochs: 1 });
    const listing = () => fs.readdirSync(runsDir).sort();
    const before = listing();
    await assert.rejects(run(seq2seq, { epochs: 1 }, { resume: done.runDir, seed: undefined }), /already has 1 epochs/);
    await assert.rejects(
      run(attentionSeq2Seq, { epochs: 2 }, { resume: done.runDir, seed: undefined }),
      /is a seq2seq run/,
    );
    await assert.rejects(
      run(seq2seq, { epochs: 3, hiddenSize: 8 }, { resume: done.runDir, seed: undefined }),
      /hiddenSize cannot change/,
    );
    assert.deepEqual(listing(), before, 'no run folder was created');
  });

  it('refuses an unknown task, an unknown variant and a value out of range before writing anything', async () => {
    const before = fs.readdirSync(runsDir).sort();
    await assert.rejects(run(seq2seq, small, { task: 'poems' }), /unknown task 'poems'/);
    await assert.rejects(run(seq2seq, small, { variant: 'tiny' }), /unknown variant 'tiny'/);
    await assert.rejects(run(seq2seq, { ...small, hiddenSize: 12000 }), /hiddenSize 12000 is outside 1\.\.1024/);
    await assert.rejects(run(seq2seq, { ...small, dModel: 4 }), /dModel is not a hyperparameter of seq2seq/);
    assert.deepEqual(fs.readdirSync(runsDir).sort(), before);
  });
});
