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
import type { EpochMetrics, MetricsRecord } from '../../src/protocol/run';
import { attentionSeq2SeqChapter } from '../../src/engine/chapters/attention-seq2seq/chapter';
import { seq2seqChapter } from '../../src/engine/chapters/seq2seq/chapter';
import type { TrainableChapter } from '../../src/engine/chapters/types';
import { readRun } from '../../src/runStore';
import { train, type TrainKnobs } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const small: TrainKnobs = { trainSize: 192, validationSize: 48, testSize: 16, batchSize: 32, hiddenSize: 16, seed: 7 };
let runsDir: string;

before(() => {
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-train-'));
});
after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

function run(
  chapter: TrainableChapter,
  overrides: TrainKnobs,
  extra: Partial<Parameters<typeof train>[0]> = {},
  events: Parameters<typeof train>[1] = {},
) {
  return train({ chapter, runsDir, backend: 'wasm', packageVersion: 'test', overrides, ...extra }, events);
}

/** Metrics without the wall-clock fields, which differ between identical runs. */
function withoutTimes(records: MetricsRecord[]) {
  return records.map((r) => ({ ...r, seconds: 0, samples_per_second: 0 }));
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`trainer (${backend})`, () => {
    before(() => useBackend(backend));

    for (const chapter of [seq2seqChapter, attentionSeq2SeqChapter]) {
      it(`${chapter.info.id}: trains, loss falls, and tf.memory().numTensors is equal after epochs 2 and 3`, async () => {
        const counts: number[] = [];
        const result = await train(
          { chapter, runsDir, backend, packageVersion: 'test', overrides: { ...small, epochs: 3, learningRate: 0.02 } },
          { epoch: () => counts.push(tf.memory().numTensors) },
        );
        assert.equal(result.status.state, 'completed');
        assert.equal(counts.length, 3);
        assert.equal(counts[2], counts[1], `tensors after epoch 2: ${counts[1]}, after epoch 3: ${counts[2]}`);
        const snapshot = await readRun(result.runDir);
        const epochs = snapshot.metrics.filter((m): m is EpochMetrics => m.kind === 'epoch');
        assert.equal(epochs.length, 3);
        assert.ok(epochs[2].train_loss < epochs[0].train_loss, `train loss falls: ${epochs.map((e) => e.train_loss)}`);
        assert.equal(snapshot.config.backend, backend);
        if (chapter === attentionSeq2SeqChapter) {
          // Probes are decoded in one padded batch; each map must be cut back to its own tokens.
          for (const probe of snapshot.attention!.probes) {
            for (const map of [...probe.teacherForced, ...probe.greedy]) {
              assert.equal(map.weights.length, map.rowTokens.length);
              assert.deepEqual(map.columnTokens, probe.source);
              for (const row of map.weights) {
                assert.equal(row.length, probe.source.length);
                assert.ok(Math.abs(row.reduce((a, c) => a + c, 0) - 1) < 1e-5, 'row sums to 1');
              }
            }
            assert.equal(
              probe.teacherForced[0].weights.length,
              probe.target.length + 1,
              'one row per target token and <eos>',
            );
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
    const a = await run(attentionSeq2SeqChapter, { ...small, epochs: 2 });
    const b = await run(attentionSeq2SeqChapter, { ...small, epochs: 2 });
    const [ma, mb] = [(await readRun(a.runDir)).metrics, (await readRun(b.runDir)).metrics];
    assert.ok(ma.length >= 2);
    assert.deepEqual(withoutTimes(ma), withoutTimes(mb));
    const c = await run(attentionSeq2SeqChapter, { ...small, epochs: 2, seed: 8 });
    assert.notDeepEqual(
      withoutTimes((await readRun(c.runDir)).metrics),
      withoutTimes(ma),
      'another seed gives other metrics',
    );
  });

  it('a stop request between steps leaves a complete, readable run marked stopped', async () => {
    let progressCalls = 0;
    const result = await run(
      attentionSeq2SeqChapter,
      { ...small, epochs: 5 },
      { shouldStop: () => progressCalls >= 8 },
      { progress: () => progressCalls++ },
    );
    assert.equal(result.status.state, 'stopped');
    assert.equal(result.status.epochsCompleted, 1, 'epoch 1 has 6 steps; the stop came during epoch 2');
    const snapshot = await readRun(result.runDir);
    assert.equal(snapshot.status.state, 'stopped');
    assert.deepEqual(snapshot.attentionEpochs, [1]);
    assert.ok(fs.existsSync(path.join(result.runDir, 'model', 'model.json')));
    assert.ok(fs.existsSync(path.join(result.runDir, 'model', 'weights.bin')));
  });

  it('resume continues exactly: 2 epochs + resume to 3 equals 3 epochs straight', async () => {
    const straight = await run(attentionSeq2SeqChapter, { ...small, epochs: 3 });
    const firstPart = await run(attentionSeq2SeqChapter, { ...small, epochs: 2 });
    const resumed = await run(attentionSeq2SeqChapter, { epochs: 3 }, { resume: firstPart.runDir });
    const resumedRun = await readRun(resumed.runDir);
    assert.equal(resumedRun.config.resumedFrom, path.basename(firstPart.runDir));
    const epochsOf = (records: MetricsRecord[]) => withoutTimes(records.filter((r) => r.kind === 'epoch'));
    assert.deepEqual(epochsOf(resumedRun.metrics), epochsOf((await readRun(straight.runDir)).metrics));
    assert.deepEqual(resumedRun.attentionEpochs, [1, 2, 3]);
    // The old run is untouched.
    assert.equal((await readRun(firstPart.runDir)).status.epochsCompleted, 2);
  });

  it('resume refuses a run that already has the asked-for epochs, and a run of another chapter', async () => {
    const done = await run(seq2seqChapter, { ...small, epochs: 1 });
    await assert.rejects(run(seq2seqChapter, { epochs: 1 }, { resume: done.runDir }), /already has 1 epochs/);
    await assert.rejects(run(attentionSeq2SeqChapter, { epochs: 2 }, { resume: done.runDir }), /is a seq2seq run/);
  });
});
