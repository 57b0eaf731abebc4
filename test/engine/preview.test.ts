/**
 * The attention preview (src/engine/train/preview.ts): a new run sends, once, right after its
 * first optimiser step and before its first evaluation, the probes' maps of the weights after
 * that step (epoch 0, step 1), with rows that sum to 1 and masked cells exactly 0; it writes
 * nothing to the run folder, leaks no tensor, and a resumed run sends none.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import type { HyperValue } from '../../src/shared/course/chapter';
import type { AttentionSnapshot } from '../../src/shared/run/records';
import { unpackMap } from '../../src/shared/run/attention';
import { trainableChapter } from '../../src/engine/chapters/registry';
import type { Chapter, ChapterModel, ProbeSet, RunData } from '../../src/engine/chapters/contract';
import { packFinalMap } from '../../src/engine/train/snapshot';
import { train, type TrainerEvents } from '../../src/engine/train/trainer';
import { readRun } from '../../src/runStore';
import { useBackend } from './helpers';

const transformer = trainableChapter('transformer')!;
const small: Record<string, HyperValue> = {
  trainSize: 128,
  validationSize: 48,
  testSize: 8,
  batchSize: 32,
  dModel: 16,
  heads: 2,
  ffnSize: 32,
  epochs: 1,
};
const SEED = 5;
let runsDir: string;

before(async () => {
  await useBackend('wasm');
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-preview-'));
});
after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

/** The real chapter, with a look at the model and data it builds (the trainer disposes them when the run ends). */
function watched(chapter: Chapter): { chapter: Chapter; built: () => { model: ChapterModel; data: RunData } } {
  let model: ChapterModel | null = null;
  let data: RunData | null = null;
  return {
    chapter: {
      ...chapter,
      prepare: (options) => (data = chapter.prepare(options)),
      createModel: (parameters, hyper, runData) => (model = chapter.createModel(parameters, hyper, runData)),
    },
    built: () => {
      if (!model || !data) throw new Error('the trainer built no model yet');
      return { model, data };
    },
  };
}

/** What a run sends, in order: event names, and each preview with the step count when it came. */
function recorder() {
  const order: string[] = [];
  const previews: AttentionSnapshot[] = [];
  let steps = 0;
  const stepsAtPreview: number[] = [];
  const events: Partial<TrainerEvents> = {
    progress: () => {
      steps++;
      order.push('progress');
    },
    attentionPreview: (snapshot) => {
      previews.push(snapshot);
      stepsAtPreview.push(steps);
      order.push('attentionPreview');
    },
    epoch: () => order.push('epoch'),
  };
  return { order, previews, stepsAtPreview, events };
}

function assertMapsEqual(actual: AttentionSnapshot, expected: ProbeSet, what: string): void {
  assert.equal(actual.probes.length, expected.probes.length, `${what}: probes`);
  actual.probes.forEach((probe, p) => {
    assert.deepEqual(probe.source, expected.probes[p].source);
    assert.deepEqual(probe.predicted, expected.probes[p].predicted, `${what}: probe ${p} predicted tokens`);
    assert.deepEqual(probe.maps, expected.probes[p].maps.map(packFinalMap), `${what}: probe ${p} maps`);
  });
}

describe('attention preview after the first step', () => {
  it('a new run sends exactly one, at step 1, before the first epoch: the maps of the weights after that step', async () => {
    const spy = watched(transformer);
    const recorded = recorder();
    let initial: ProbeSet | null = null;
    let afterStepOne: ProbeSet | null = null;
    const result = await train(
      { chapter: spy.chapter, runsDir, backend: 'wasm', packageVersion: 'test', seed: SEED, overrides: small },
      {
        ...recorded.events,
        runStarted: () => {
          const { model, data } = spy.built();
          initial = data.probe(model);
        },
        progress: (p) => {
          recorded.events.progress!(p);
          // The model as it is after step 1 (the trainer calls progress before step 2).
          if (p.batch === 1) {
            const { model, data } = spy.built();
            afterStepOne = data.probe(model);
          }
        },
      },
    );
    assert.equal(result.status.state, 'completed');
    assert.equal(recorded.previews.length, 1, 'exactly one preview');
    const preview = recorded.previews[0];
    assert.equal(preview.epoch, 0);
    assert.equal(preview.step, 1);
    assert.deepEqual(recorded.stepsAtPreview, [0], 'sent before the progress of step 1: promptly');
    assert.ok(
      recorded.order.indexOf('attentionPreview') < recorded.order.indexOf('epoch'),
      `before the first epoch event: ${recorded.order.filter((e) => e !== 'progress').join(', ')}`,
    );

    assertMapsEqual(preview, afterStepOne!, 'preview vs. probe after step 1');
    // It is the trained step's maps, not those of the initial weights.
    assert.notDeepEqual(
      preview.probes[0].maps.map((m) => m.weights.data),
      initial!.probes[0].maps.map(packFinalMap).map((m) => m.weights.data),
      'the preview differs from the maps before the first step',
    );

    let maskedCells = 0;
    for (const probe of preview.probes) {
      assert.ok(probe.maps.length > 0);
      for (const map of probe.maps) {
        const unpacked = unpackMap(map)!;
        for (let r = 0; r < unpacked.rows; r++) {
          let sum = 0;
          for (let c = 0; c < unpacked.columns; c++) {
            const i = r * unpacked.columns + c;
            sum += unpacked.weights[i];
            if (unpacked.mask && !unpacked.mask[i]) {
              maskedCells++;
              assert.equal(unpacked.weights[i], 0, `${map.stack}/${map.kind} masked cell (${r}, ${c}) is exactly 0`);
            }
          }
          assert.ok(Math.abs(sum - 1) < 1e-5, `${map.stack}/${map.kind} row ${r} sums to ${sum}`);
        }
      }
    }
    assert.ok(maskedCells > 0, 'the causal maps have masked cells to check');
    const checks = Object.fromEntries(preview.checks.map((c) => [c.id, c.pass]));
    assert.equal(checks['rows-sum-to-one'], true);
    assert.equal(checks['masked-zero'], true);
    // Only the checks read from the probes: the chapter's own (causal perturbation, leaked mass…)
    // come with the first evaluation, whose snapshot carries them all.
    assert.deepEqual(Object.keys(checks).sort(), ['masked-zero', 'rows-sum-to-one']);

    // Live only: the run folder holds the evaluation's snapshot and nothing for epoch 0.
    const attentionFiles = fs.readdirSync(path.join(result.runDir, 'attention')).sort();
    assert.equal(attentionFiles.length, 1, `attention files: ${attentionFiles.join(', ')}`);
    assert.doesNotMatch(attentionFiles[0], /0+\.json$/);
    const saved = await readRun(result.runDir);
    assert.deepEqual(saved.attentionEpochs, [1]);
    assert.equal(saved.attention?.epoch, 1);
  });

  it('leaks no tensor and changes no result: a run with the preview ends like one without', async () => {
    const counted = async (events: Partial<TrainerEvents>) => {
      const before = tf.memory().numTensors;
      const result = await train(
        { chapter: transformer, runsDir, backend: 'wasm', packageVersion: 'test', seed: SEED, overrides: small },
        events,
      );
      const left = tf.memory().numTensors - before;
      // Wall-clock fields differ between identical runs.
      const metrics = (await readRun(result.runDir)).metrics.map((m) => ({ ...m, seconds: 0, samples_per_second: 0 }));
      return { left, metrics };
    };
    const without = await counted({});
    let sent = 0;
    const withPreview = await counted({ attentionPreview: () => sent++ });
    assert.equal(sent, 1);
    assert.equal(
      withPreview.left,
      without.left,
      `tensors left: ${withPreview.left} with the preview, ${without.left} without`,
    );
    assert.equal(withPreview.left, 0, 'a run leaves no tensor behind');
    assert.deepEqual(withPreview.metrics, without.metrics, 'the same seed trains the same with or without the preview');
  });

  it('a resumed run sends none (its maps exist already)', async () => {
    const first = await train(
      { chapter: transformer, runsDir, backend: 'wasm', packageVersion: 'test', seed: SEED, overrides: small },
      {},
    );
    const recorded = recorder();
    const resumed = await train(
      {
        chapter: transformer,
        runsDir,
        backend: 'wasm',
        packageVersion: 'test',
        overrides: { epochs: 2 },
        resume: first.runDir,
      },
      recorded.events,
    );
    assert.equal(resumed.status.state, 'completed');
    assert.equal(recorded.order.filter((e) => e === 'epoch').length, 1, 'the resumed run trained one epoch');
    assert.equal(recorded.previews.length, 0);
  });
});
