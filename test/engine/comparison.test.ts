/**
 * Comparing runs (src/shared/run/comparison.ts, src/runStore/comparison.ts, src/engine/train/variants.ts):
 * what runs share and what they do not, saved comparisons on disk (a deleted or damaged run is
 * reported and the others still compare), the attention difference against hand-computed values,
 * and a variants sequence that goes on past a failing variant.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  COMPARISONS_DIR,
  RunStoreError,
  RunWriter,
  checkSaveComparison,
  listComparisons,
  listRuns,
  loadComparedRuns,
  readSavedComparison,
  resolveComparisonArgument,
  runsDirOfComparison,
  saveComparison,
  type LoadedRun,
} from '../../src/runStore';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { resolveHyperparameters } from '../../src/shared/course/hyperparameters';
import type { ChapterId } from '../../src/shared/ids';
import { packMap } from '../../src/shared/run/attention';
import {
  SavedComparisonSchema,
  isComparisonName,
  isRunId,
  lastEvaluation,
  mapDifference,
  metricValue,
  packedMapDifference,
  summarizeComparison,
  type ComparedRun,
} from '../../src/shared/run/comparison';
import type { AttentionSnapshot } from '../../src/shared/run/records';
import * as v from 'valibot';
import { trainableChapter } from '../../src/engine/chapters/registry';
import type { TrainSetup } from '../../src/engine/train/trainer';
import { TrainError } from '../../src/engine/train/runConfig';
import { companionPlan, planVariants, trainVariants } from '../../src/engine/train/variants';
import { EngineWorker } from '../../src/engine/worker';
import type { EngineToHost } from '../../src/shared/protocol/engine';
import { makeTempDir, removeTempDir, writeFixtureRun } from './fixtures/runFixture';

const temporaryDirs: string[] = [];
function tempDir(): string {
  const dir = makeTempDir('llm-tutor-compare-');
  temporaryDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of temporaryDirs) removeTempDir(dir);
});

const REVERSE = ['3', '1', '4', '1', '5'];

/** A self-attention snapshot: one probe `REVERSE`, one 5×5 map whose rows focus on `focus(row)` with weight `sharpness`. */
function selfAttentionSnapshot(epoch: number, sharpness: number, focus: (row: number) => number): AttentionSnapshot {
  const n = REVERSE.length;
  const weights = Array.from({ length: n * n }, (_, i) => {
    const row = Math.floor(i / n);
    const column = i % n;
    return column === focus(row) ? sharpness : (1 - sharpness) / (n - 1);
  });
  const map = packMap({
    kind: 'self',
    stack: 'encoder',
    layer: 0,
    head: 0,
    mode: 'forward',
    rowTokens: REVERSE,
    columnTokens: REVERSE,
    weights,
    mask: null,
  });
  return {
    formatVersion: 2,
    epoch,
    step: epoch * 10,
    probes: [
      { source: REVERSE, target: [...REVERSE].reverse(), predicted: [...REVERSE].reverse(), maps: [map], checks: [] },
    ],
    checks: [],
  };
}

/** A run of `chapter`/`task`/`variant` (2 epochs) written with the real writer; self-attention runs get their own attention. */
function writeRun(
  runsDir: string,
  options: { chapter: ChapterId; task: string; variant: string; seed?: number; minute: number; sharpness?: number },
) {
  const info = chapterInfo(options.chapter);
  const resolved = resolveHyperparameters(info, options.task, options.variant, { epochs: 2 });
  assert.ok(resolved.ok, resolved.ok ? '' : resolved.reason);
  const run = writeFixtureRun(runsDir, {
    chapter: options.chapter,
    startedAt: new Date(2025, 0, 2, 3, options.minute, 5),
    config: {
      chapter: options.chapter,
      task: options.task,
      variant: options.variant,
      seed: options.seed ?? 42,
      hyperparameters: resolved.value,
    },
  });
  if (options.chapter === 'self-attention') {
    const writer = new RunWriter(run.dir);
    for (const epoch of [1, 2])
      writer.writeAttention(selfAttentionSnapshot(epoch, options.sharpness ?? 0.8, (row) => REVERSE.length - 1 - row));
  }
  return run;
}

function compared(loaded: LoadedRun[]): ComparedRun[] {
  return loaded.flatMap((entry) =>
    entry.ok ? [{ run: entry.run, chapter: chapterInfo(entry.run.config.chapter) }] : [],
  );
}

describe('comparison: what runs share', () => {
  it('two runs of one chapter, same seed, different variants load into one comparison', async () => {
    const runsDir = tempDir();
    const scaled = writeRun(runsDir, { chapter: 'self-attention', task: 'reverse', variant: 'scaled', minute: 1 });
    const unscaled = writeRun(runsDir, {
      chapter: 'self-attention',
      task: 'reverse',
      variant: 'unscaled',
      minute: 2,
      sharpness: 0.6,
    });
    const loaded = await loadComparedRuns(runsDir, [scaled.runId, unscaled.runId]);
    assert.deepEqual(
      loaded.map((entry) => entry.ok),
      [true, true],
    );
    const summary = summarizeComparison(compared(loaded));
    assert.equal(summary.chapter, 'self-attention');
    assert.equal(summary.task, 'reverse');
    assert.equal(summary.seed, 42);
    assert.equal(summary.variant, null, 'the variants differ');
    assert.deepEqual(
      summary.metrics.map((m) => m.key),
      ['train_loss', ...chapterInfo('self-attention').metrics.map((m) => m.key)],
    );
    assert.deepEqual(
      summary.charts.map((c) => c.id),
      ['loss', 'accuracy', 'entropy'],
    );
    const differing = summary.config.filter((row) => row.differs).map((row) => row.key);
    assert.deepEqual(differing, ['variant', 'scaled']);
    assert.deepEqual(summary.config.find((row) => row.key === 'scaled')?.values, [true, false]);
    assert.deepEqual(summary.notShared, [], 'same chapter, task and seed: everything is shared');
    assert.equal(summary.probes.length, 1);
    assert.deepEqual(summary.probes[0].source, REVERSE);
    assert.deepEqual(summary.probes[0].indices, [0, 0]);
    assert.deepEqual(
      summary.probes[0].maps.map((m) => `${m.key} ${m.mode}`),
      ['encoder/self/0/0 forward'],
    );
    const [a, b] = summary.probes[0].maps[0].maps;
    assert.ok(a && b);
    const difference = packedMapDifference(a, b);
    assert.ok(difference);
    // 0.8 vs 0.6 on the anti-diagonal (5 cells), 0.05 vs 0.1 elsewhere (20 cells).
    assert.ok(Math.abs(difference.maxAbs - 0.2) < 1e-6);
    assert.ok(Math.abs(difference.meanAbs - (5 * 0.2 + 20 * 0.05) / 25) < 1e-6);
    const last = lastEvaluation(loaded[0].ok ? loaded[0].run : assert.fail());
    assert.equal(last?.epoch, 2);
    assert.equal(metricValue(last, 'train_loss'), 1);
    assert.ok(Number.isNaN(metricValue(last, 'attention_entropy')), 'a declared metric without a value is a gap');
  });

  it('runs of different chapters compare on the metrics they share and say what they do not', async () => {
    const runsDir = tempDir();
    const seq = writeRun(runsDir, { chapter: 'attention-seq2seq', task: 'dates', variant: 'default', minute: 1 });
    const self = writeRun(runsDir, {
      chapter: 'self-attention',
      task: 'reverse',
      variant: 'scaled',
      minute: 2,
      seed: 7,
    });
    const summary = summarizeComparison(compared(await loadComparedRuns(runsDir, [seq.runId, self.runId])));
    assert.equal(summary.chapter, null);
    assert.equal(summary.task, null);
    assert.deepEqual(
      summary.metrics.map((m) => m.key),
      ['train_loss', 'val_loss', 'val_token_accuracy', 'val_exact_match'],
    );
    const kinds = summary.notShared.map((item) => item.kind);
    assert.ok(kinds.includes('chapter') && kinds.includes('task') && kinds.includes('seed'), kinds.join(','));
    const entropy = summary.notShared.find((item) => item.kind === 'metric');
    assert.deepEqual(entropy, {
      kind: 'metric',
      key: 'attention_entropy',
      label: chapterInfo('self-attention').metrics.find((m) => m.key === 'attention_entropy')?.label,
      runs: [1],
    });
    assert.deepEqual(summary.probes, [], 'no probe has the same source tokens');
    assert.equal(summary.notShared.filter((item) => item.kind === 'probe').length, 2, 'each run’s probe is named');
    assert.deepEqual(
      summary.charts.map((c) => c.id),
      ['loss', 'accuracy'],
    );
    assert.deepEqual(summary.config.find((row) => row.key === 'hiddenSize')?.values, [64, null]);
    assert.equal(summary.config.find((row) => row.key === 'hiddenSize')?.differs, true);
  });

  it('maps that differ in tokens or exist in one run only are not shared', () => {
    const base = writeRunSnapshotPair();
    const summary = summarizeComparison(base);
    assert.deepEqual(
      summary.probes[0].maps.map((m) => `${m.key} ${m.mode}`),
      ['decoder/cross/0/0 forward'],
    );
    const maps = summary.notShared.filter((item) => item.kind === 'map');
    assert.deepEqual(
      maps.map((item) => (item.kind === 'map' ? `${item.key} ${item.mode} ${item.reason}` : '')),
      ['decoder/cross/0/0 generated tokens'],
    );
  });

  it('a run without attention yet is said so; the others share their probes', () => {
    const [a, b] = writeRunSnapshotPair();
    const summary = summarizeComparison([a, b, { ...b, run: { ...b.run, attention: null } }]);
    assert.deepEqual(summary.probes[0].indices, [0, 0, null]);
    assert.deepEqual(summary.probes[0].maps[0].maps[2], null);
    assert.deepEqual(
      summary.notShared.find((item) => item.kind === 'noAttention'),
      { kind: 'noAttention', runs: [2] },
    );
  });
});

/** Two in-memory attention-seq2seq runs whose generated maps differ in predicted tokens. */
function writeRunSnapshotPair(): ComparedRun[] {
  const runsDir = tempDir();
  const a = writeFixtureRun(runsDir, { startedAt: new Date(2025, 0, 2, 3, 1, 5), epochsCompleted: 2 });
  const b = writeFixtureRun(runsDir, { startedAt: new Date(2025, 0, 2, 3, 2, 5), epochsCompleted: 2 });
  const snapshotOf = (fixture: typeof a, predicted: string[]) => {
    const snapshot = structuredClone(fixture.attention[1]);
    const generated = snapshot.probes[0].maps.find((m) => m.mode === 'generated');
    assert.ok(generated);
    generated.rowTokens = predicted;
    snapshot.probes[0].predicted = predicted;
    return snapshot;
  };
  const info = chapterInfo('attention-seq2seq');
  const run = (fixture: typeof a, predicted: string[]): ComparedRun => ({
    chapter: info,
    run: {
      runId: fixture.runId,
      dir: fixture.dir,
      config: fixture.config,
      status: fixture.status,
      metrics: fixture.metrics,
      shapes: fixture.shapes,
      figures: [],
      attentionEpochs: [1, 2],
      attention: snapshotOf(fixture, predicted),
      samples: null,
      weights: 'verified',
      warnings: [],
    },
  });
  return [run(a, ['0', '3', '-', '1', '2', '<eos>']), run(b, ['0', '3', '-', '2', '1', '<eos>'])];
}

describe('comparison: attention difference', () => {
  it('measures |b − a| against hand-computed values, masked cells excluded', () => {
    const mask = Uint8Array.from([1, 1, 0, 1, 1, 1]);
    const a = { rows: 2, columns: 3, weights: Float32Array.from([0.5, 0.5, 0, 0.2, 0.3, 0.5]), mask };
    const b = { rows: 2, columns: 3, weights: Float32Array.from([0.1, 0.9, 0, 0.2, 0.6, 0.2]), mask };
    const difference = mapDifference(a, b);
    assert.ok(difference);
    assert.equal(difference.cells, 5);
    const expected = [-0.4, 0.4, 0, 0, 0.3, -0.3];
    difference.difference.forEach((d, i) => assert.ok(Math.abs(d - expected[i]) < 1e-6, `cell ${i}: ${d}`));
    assert.ok(Math.abs(difference.maxAbs - 0.4) < 1e-6);
    assert.ok(Math.abs(difference.meanAbs - 1.4 / 5) < 1e-6);
    assert.deepEqual([...(difference.mask ?? [])], [1, 1, 0, 1, 1, 1]);
  });

  it('a cell masked in one map only is excluded; different sizes are not comparable; nothing compared is NaN', () => {
    const a = { rows: 1, columns: 2, weights: Float32Array.from([0.25, 0.75]), mask: null };
    const b = { rows: 1, columns: 2, weights: Float32Array.from([1, 0]), mask: Uint8Array.from([1, 0]) };
    const difference = mapDifference(a, b);
    assert.ok(difference);
    assert.equal(difference.cells, 1);
    assert.equal(difference.maxAbs, 0.75);
    assert.equal(difference.meanAbs, 0.75);
    assert.equal(mapDifference(a, { rows: 2, columns: 1, weights: a.weights, mask: null }), null);
    const none = mapDifference(a, { ...b, mask: Uint8Array.from([0, 0]) });
    assert.ok(none && Number.isNaN(none.maxAbs) && Number.isNaN(none.meanAbs) && none.cells === 0);
  });
});

describe('comparison: saved on disk', () => {
  it('is saved under .comparisons (never listed as a run) and reads back', async () => {
    const runsDir = tempDir();
    const a = writeRun(runsDir, { chapter: 'self-attention', task: 'reverse', variant: 'scaled', minute: 1 });
    const b = writeRun(runsDir, { chapter: 'self-attention', task: 'reverse', variant: 'no-positions', minute: 2 });
    const file = saveComparison(runsDir, 'scaled vs none', [a.runId, b.runId], {
      now: new Date('2025-02-03T04:05:06Z'),
    });
    assert.equal(file, path.join(runsDir, COMPARISONS_DIR, 'scaled vs none.json'));
    assert.deepEqual(await readSavedComparison(file), {
      formatVersion: 1,
      name: 'scaled vs none',
      createdAt: '2025-02-03T04:05:06.000Z',
      runs: [a.runId, b.runId],
    });
    assert.equal(runsDirOfComparison(file), path.resolve(runsDir));
    assert.equal(resolveComparisonArgument('scaled vs none', runsDir), file);
    assert.equal(resolveComparisonArgument(file, '/nowhere'), file);
    const listed = await listRuns(runsDir);
    assert.deepEqual(listed.map((entry) => entry.runId).sort(), [a.runId, b.runId].sort());
    assert.ok(listed.every((entry) => entry.ok));
    const comparisons = await listComparisons(runsDir);
    assert.deepEqual(
      comparisons.map((entry) => [entry.name, entry.ok]),
      [['scaled vs none', true]],
    );
    assert.throws(() => saveComparison(runsDir, 'scaled vs none', [a.runId, b.runId]), /already exists/);
    saveComparison(runsDir, 'scaled vs none', [b.runId, a.runId], { overwrite: true });
    assert.deepEqual((await readSavedComparison(file)).runs, [b.runId, a.runId]);
  });

  it('a run deleted or damaged since is reported with its reason; the others still compare', async () => {
    const runsDir = tempDir();
    const a = writeRun(runsDir, { chapter: 'self-attention', task: 'reverse', variant: 'scaled', minute: 1 });
    const b = writeRun(runsDir, { chapter: 'self-attention', task: 'reverse', variant: 'unscaled', minute: 2 });
    const c = writeRun(runsDir, { chapter: 'self-attention', task: 'reverse', variant: 'no-positions', minute: 3 });
    const d = writeRun(runsDir, { chapter: 'self-attention', task: 'reverse', variant: 'sinusoidal', minute: 4 });
    const file = saveComparison(runsDir, 'four', [a.runId, b.runId, c.runId, d.runId]);
    fs.rmSync(b.dir, { recursive: true });
    fs.writeFileSync(path.join(c.dir, 'status.json'), '{ torn');
    const saved = await readSavedComparison(file);
    const loaded = await loadComparedRuns(runsDir, saved.runs);
    assert.deepEqual(
      loaded.map((entry) => entry.ok),
      [true, false, false, true],
    );
    const reasons = loaded.flatMap((entry) => (entry.ok ? [] : [entry.reason]));
    assert.match(reasons[0], /does not exist/);
    assert.match(reasons[1], /status\.json is not valid JSON/);
    for (const reason of reasons) assert.ok(!reason.includes('\n'));
    const summary = summarizeComparison(compared(loaded));
    assert.equal(summary.config[0].values.length, 2, 'the two readable runs are compared');
    assert.deepEqual(summary.config.find((row) => row.key === 'variant')?.values, ['scaled', 'sinusoidal']);
    assert.equal(summary.probes.length, 1);
  });

  it('refuses what is not a comparison: bad names, paths for run ids, duplicates, missing runs, bad files', async () => {
    const runsDir = tempDir();
    const a = writeRun(runsDir, { chapter: 'self-attention', task: 'reverse', variant: 'scaled', minute: 1 });
    const b = writeRun(runsDir, { chapter: 'self-attention', task: 'reverse', variant: 'unscaled', minute: 2 });
    for (const name of ['', '.hidden', '../escape', 'a/b', 'trailing ', 'dot.', 'x'.repeat(81), 'new\nline'])
      assert.throws(() => checkSaveComparison(runsDir, name, [a.runId, b.runId]), RunStoreError, JSON.stringify(name));
    assert.ok(isComparisonName('缩放对比 2'), 'a Chinese name is a name');
    for (const runs of [
      [a.runId],
      [a.runId, a.runId],
      [a.runId, '../x'],
      [a.runId, 'missing-run'],
      [a.runId, '.hidden'],
    ])
      assert.throws(() => checkSaveComparison(runsDir, 'ok', runs), RunStoreError, JSON.stringify(runs));
    for (const id of ['..', '.', 'a/b', 'a\\b', '', 'x.tmp-1', '.comparisons']) assert.equal(isRunId(id), false, id);
    assert.equal(fs.existsSync(path.join(runsDir, COMPARISONS_DIR)), false, 'nothing was written');

    const dir = path.join(runsDir, COMPARISONS_DIR);
    fs.mkdirSync(dir);
    const bad: Record<string, string> = {
      'torn.json': '{',
      'version.json': JSON.stringify({ formatVersion: 9, name: 'v', createdAt: '', runs: [a.runId, b.runId] }),
      'escape.json': JSON.stringify({ formatVersion: 1, name: 'e', createdAt: '', runs: [a.runId, '../../etc'] }),
      'one.json': JSON.stringify({ formatVersion: 1, name: 'o', createdAt: '', runs: [a.runId] }),
    };
    for (const [name, text] of Object.entries(bad)) fs.writeFileSync(path.join(dir, name), text);
    for (const name of Object.keys(bad)) {
      await assert.rejects(readSavedComparison(path.join(dir, name)), (error: Error) => {
        assert.ok(error instanceof RunStoreError);
        assert.ok(!error.message.includes('\n'));
        return true;
      });
    }
    const listed = await listComparisons(runsDir);
    assert.deepEqual(
      listed.map((entry) => entry.ok),
      [false, false, false, false],
    );
    assert.throws(() => resolveComparisonArgument('no such', runsDir), /no saved comparison/);
    assert.equal(
      v.is(SavedComparisonSchema, { formatVersion: 1, name: 'n', createdAt: '', runs: [a.runId, b.runId] }),
      true,
    );
  });
});

describe('variants one after another', () => {
  const chapter = trainableChapter('self-attention');
  assert.ok(chapter);
  const base = {
    chapter,
    runsDir: '/unused',
    backend: 'cpu' as const,
    packageVersion: 'test',
    task: 'reverse',
    seed: 42,
    overrides: { epochs: 1 },
    variants: ['scaled', 'unscaled', 'no-positions', 'sinusoidal'],
  };

  it('plans every variant first: a bad one is refused before anything trains', async () => {
    assert.throws(
      () => planVariants({ ...base, variants: ['scaled', 'nope'] }),
      (error: Error) => {
        assert.ok(error instanceof TrainError);
        assert.match(error.message, /^variant nope: unknown variant/);
        return true;
      },
    );
    assert.throws(() => planVariants({ ...base, task: 'sort' }), TrainError);
    let calls = 0;
    await assert.rejects(
      trainVariants({ ...base, overrides: { epochs: 0 } }, {}, async () => {
        calls++;
        throw new Error('unreachable');
      }),
      TrainError,
    );
    assert.equal(calls, 0);
  });

  it('trains each with the same seed and data; a failing variant does not stop the others; a stop skips the rest', async () => {
    const seen: TrainSetup[] = [];
    const fake = async (setup: TrainSetup, events: { runStarted?: (run: never) => void }) => {
      seen.push(setup);
      const runId = `run-${setup.variant}`;
      events.runStarted?.({ runId, runDir: `/runs/${runId}` } as never);
      if (setup.variant === 'unscaled') throw new Error('diverged\nstack');
      return {
        runId,
        runDir: `/runs/${runId}`,
        status: { state: 'completed' as const, startedAt: '', epochsCompleted: 1 },
      };
    };
    const ended: string[] = [];
    const outcomes = await trainVariants(base, { variantEnded: (o) => ended.push(`${o.variant}:${o.state}`) }, fake);
    assert.deepEqual(
      seen.map((s) => [s.variant, s.seed, s.task, JSON.stringify(s.overrides)]),
      base.variants.map((variant) => [variant, 42, 'reverse', '{"epochs":1}']),
    );
    assert.deepEqual(ended, ['scaled:completed', 'unscaled:failed', 'no-positions:completed', 'sinusoidal:completed']);
    assert.deepEqual(outcomes[1], {
      variant: 'unscaled',
      state: 'failed',
      runId: 'run-unscaled',
      runDir: '/runs/run-unscaled',
      error: 'diverged',
    });

    let stop = false;
    const stopping = async () => {
      stop = true;
      return { runId: 'r', runDir: '/r', status: { state: 'stopped' as const, startedAt: '', epochsCompleted: 0 } };
    };
    const stopped = await trainVariants({ ...base, shouldStop: () => stop }, {}, stopping);
    assert.deepEqual(
      stopped.map((o) => o.state),
      ['stopped', 'skipped', 'skipped', 'skipped'],
    );
  });
});

describe('the engine worker trains variants', () => {
  it('one after another with one seed: a runStarted per run (same requestId), then variantsEnded', async () => {
    const runsDir = tempDir();
    const sent: EngineToHost[] = [];
    const worker = new EngineWorker((message) => sent.push(message));
    await worker.receive({
      type: 'trainVariants',
      requestId: 'q1',
      chapter: 'self-attention',
      runsDir,
      backend: 'wasm',
      task: 'reverse',
      variants: ['scaled', 'no-positions'],
      seed: 3,
      overrides: { epochs: 1, trainSize: 200, validationSize: 40, testSize: 10 },
    });
    const started = sent.filter((m) => m.type === 'runStarted');
    assert.deepEqual(
      started.map((m) => (m.type === 'runStarted' ? [m.requestId, m.config.variant, m.config.seed] : [])),
      [
        ['q1', 'scaled', 3],
        ['q1', 'no-positions', 3],
      ],
    );
    const ended = sent.find((m) => m.type === 'variantsEnded');
    assert.ok(ended && ended.type === 'variantsEnded');
    assert.deepEqual(
      ended.outcomes.map((o) => [o.variant, o.state]),
      [
        ['scaled', 'completed'],
        ['no-positions', 'completed'],
      ],
    );
    assert.equal(sent.filter((m) => m.type === 'runEnded').length, 2);
    assert.equal(sent.filter((m) => m.type === 'epoch').length, 2);
    assert.ok(
      sent.every((m) => m.type !== 'error'),
      JSON.stringify(sent.find((m) => m.type === 'error')),
    );

    // A bad variant is refused before anything is written.
    const before = fs.readdirSync(runsDir).length;
    sent.length = 0;
    await worker.receive({
      type: 'trainVariants',
      requestId: 'q2',
      chapter: 'self-attention',
      runsDir,
      backend: 'wasm',
      variants: ['scaled', 'nope'],
      overrides: {},
    });
    const refusals = sent as EngineToHost[];
    assert.equal(refusals.length, 1);
    const [refusal] = refusals;
    assert.ok(refusal.type === 'error' && refusal.requestId === 'q2');
    assert.match(refusal.message, /^variant nope: unknown variant/);
    assert.equal(fs.readdirSync(runsDir).length, before);
  });
});

describe('a comparison with another chapter (transformer beside attention-seq2seq)', () => {
  const chapter = trainableChapter('transformer');
  assert.ok(chapter);
  const base = {
    chapter,
    runsDir: '/unused',
    backend: 'cpu' as const,
    packageVersion: 'test',
    task: 'dates',
    seed: 7,
    // The learner's settings: data sizes and budget are shared, the Transformer's own model settings are not.
    overrides: { epochs: 1, trainSize: 96, validationSize: 24, dModel: 16, heads: 2, learningRate: 0.003 },
    variants: ['default', 'no-causal-mask'],
  };

  it('the chapter declares it, and the other chapter has the comparison’s task', () => {
    const declared = chapter.info.comparison?.withChapter;
    assert.deepEqual(declared, { chapter: 'attention-seq2seq' });
    const other = trainableChapter(declared.chapter)!;
    assert.ok(other.info.tasks.some((task) => task.id === chapter.info.comparison?.task));
    assert.equal(companionPlan({ ...base, task: 'sort' }), null, 'a task the other chapter has not: no companion');
    assert.equal(companionPlan({ ...base, chapter: trainableChapter('self-attention')! }), null, 'none declared');
  });

  it('trains the other chapter’s default run last, on the same task and seed, with the shared settings only', async () => {
    const seen: TrainSetup[] = [];
    const fake = async (setup: TrainSetup) => {
      seen.push(setup);
      const runId = `run-${setup.chapter.info.id}-${setup.variant}`;
      return {
        runId,
        runDir: `/runs/${runId}`,
        status: { state: 'completed' as const, startedAt: '', epochsCompleted: 1 },
      };
    };
    const starting: string[] = [];
    const outcomes = await trainVariants(
      base,
      {
        variantStarting: (variant, index, count, other) =>
          starting.push(`${other?.info.id ?? '-'} ${variant} ${index + 1}/${count}`),
      },
      fake,
    );
    assert.deepEqual(
      seen.map((s) => [s.chapter.info.id, s.variant, s.task, s.seed]),
      [
        ['transformer', 'default', 'dates', 7],
        ['transformer', 'no-causal-mask', 'dates', 7],
        ['attention-seq2seq', 'default', 'dates', 7],
      ],
    );
    assert.deepEqual(seen[2].overrides, { epochs: 1, trainSize: 96, validationSize: 24 });
    assert.deepEqual(starting, ['- default 1/3', '- no-causal-mask 2/3', 'attention-seq2seq default 3/3']);
    assert.deepEqual(outcomes[2], {
      variant: 'default',
      chapter: 'attention-seq2seq',
      state: 'completed',
      runId: 'run-attention-seq2seq-default',
      runDir: '/runs/run-attention-seq2seq-default',
    });
    assert.equal(outcomes[0].chapter, undefined);
    // A sequence that already fills a comparison (6 runs) trains no other chapter.
    seen.length = 0;
    const full = ['default', 'no-causal-mask', 'weak-mask', 'post-ln', 'default', 'post-ln'];
    assert.equal((await trainVariants({ ...base, variants: full }, {}, fake)).length, 6);
    assert.ok(seen.every((setup) => setup.chapter.info.id === 'transformer'));
  });
});

describe('reusing a finished run of the other chapter', () => {
  const chapter = trainableChapter('transformer')!;
  const shared = { epochs: 1, trainSize: 96, validationSize: 24 };
  const base = {
    chapter,
    backend: 'cpu' as const,
    packageVersion: 'test',
    task: 'dates',
    seed: 7,
    overrides: { ...shared, dModel: 16, heads: 2 },
    variants: ['default', 'no-causal-mask'],
  };
  const resolved = resolveHyperparameters(chapterInfo('attention-seq2seq'), 'dates', 'default', shared);
  assert.ok(resolved.ok);
  const same = resolved.value;

  /** A completed attention-seq2seq run on dates with `config` changed, started at minute `minute`. */
  function companionRun(runsDir: string, minute: number, config: Record<string, unknown> = {}, state?: 'stopped') {
    return writeFixtureRun(runsDir, {
      chapter: 'attention-seq2seq',
      startedAt: new Date(2025, 0, 2, 3, minute, 5),
      state,
      config: {
        chapter: 'attention-seq2seq',
        task: 'dates',
        seed: 7,
        backend: 'cpu',
        hyperparameters: same,
        ...config,
      },
    });
  }

  function fakeTrain(seen: string[]) {
    return async (setup: TrainSetup) => {
      seen.push(`${setup.chapter.info.id} ${setup.variant}`);
      const runId = `run-${setup.chapter.info.id}-${setup.variant}`;
      return {
        runId,
        runDir: `/runs/${runId}`,
        status: { state: 'completed' as const, startedAt: '', epochsCompleted: 1 },
      };
    };
  }

  it('a finished run with the same task, seed, settings and backend joins the comparison instead of a new one', async () => {
    const runsDir = makeTempDir();
    temporaryDirs.push(runsDir);
    const older = companionRun(runsDir, 1);
    const newest = companionRun(runsDir, 2);
    // Each differs from the planned run in one way: never reused.
    companionRun(runsDir, 3, { seed: 8 });
    companionRun(runsDir, 4, { backend: 'wasm' });
    companionRun(runsDir, 5, { hyperparameters: { ...same, trainSize: 97 } });
    companionRun(runsDir, 6, {}, 'stopped');
    fs.mkdirSync(path.join(runsDir, '20250102-030805-attention-seq2seq')); // damaged: no config
    const listed = await listRuns(runsDir);
    assert.equal(listed.filter((entry) => entry.ok).length, 6, JSON.stringify(listed));

    const seen: string[] = [];
    const events: string[] = [];
    const outcomes = await trainVariants(
      { ...base, runsDir },
      {
        runReused: (run) => events.push(`reused ${run.runId} ${run.config.chapter}`),
        variantStarting: (variant, index, count) => events.push(`start ${variant} ${index + 1}/${count}`),
      },
      fakeTrain(seen),
    );
    assert.deepEqual(seen, ['transformer default', 'transformer no-causal-mask'], 'attention-seq2seq is not trained');
    assert.deepEqual(events, [
      `reused ${newest.runId} attention-seq2seq`,
      'start default 1/2',
      'start no-causal-mask 2/2',
    ]);
    assert.deepEqual(outcomes[2], {
      variant: 'default',
      chapter: 'attention-seq2seq',
      state: 'completed',
      runId: newest.runId,
      runDir: newest.dir,
      reused: true,
    });
    assert.notEqual(older.runId, newest.runId);
    // Nothing was written to the runs folder.
    assert.equal((await listRuns(runsDir)).length, listed.length);

    // `auto` reuses a run of any backend: the newest match is then the wasm one.
    const auto = await trainVariants({ ...base, runsDir, backend: 'auto' }, {}, fakeTrain([]));
    assert.equal(auto[2].runId, listed.find((entry) => entry.ok && entry.runId.includes('030405'))?.runId);
    // A stopped sequence still lists the reused run (it is in the comparison from the start).
    const stopped = await trainVariants({ ...base, runsDir, shouldStop: () => true }, {}, fakeTrain([]));
    assert.deepEqual(
      stopped.map((outcome) => [outcome.state, outcome.reused ?? false]),
      [
        ['skipped', false],
        ['skipped', false],
        ['completed', true],
      ],
    );
  });

  it('with no such run (other learner settings, or none on disk) the other chapter is trained', async () => {
    const runsDir = makeTempDir();
    temporaryDirs.push(runsDir);
    companionRun(runsDir, 1);
    for (const setup of [
      { ...base, runsDir, overrides: { ...base.overrides, epochs: 2 } },
      { ...base, runsDir, seed: 8 },
      { ...base, runsDir: path.join(runsDir, 'missing') },
    ]) {
      const seen: string[] = [];
      let reused = 0;
      const outcomes = await trainVariants(setup, { runReused: () => reused++ }, fakeTrain(seen));
      assert.equal(reused, 0);
      assert.deepEqual(seen.at(-1), 'attention-seq2seq default');
      assert.equal(outcomes[2].reused, undefined);
    }
  });
});
