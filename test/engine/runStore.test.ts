import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DamagedRunError,
  RunListCache,
  RunStoreError,
  RunWriter,
  attentionPath,
  checkWritableDir,
  createRunFolder,
  epochFileName,
  isInside,
  listRuns,
  parseEpochFileName,
  readAttention,
  readConfig,
  readMetrics,
  readRun,
  readStatus,
  resolveRunArgument,
  runIdFor,
  writeJsonAtomic,
} from '../../src/runStore';
import { configToFile, type RunListEntry } from '../../src/shared/run/records';
import {
  makeAttentionSnapshot,
  makeEpochMetrics,
  makeRunConfig,
  makeRunStatus,
  makeSamples,
  makeShapes,
  makeTempDir,
  removeTempDir,
  writeFixtureRun,
} from './fixtures/runFixture';

const temporaryDirs: string[] = [];
function tempDir(): string {
  const dir = makeTempDir('llm-tutor-runstore-');
  temporaryDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of temporaryDirs) removeTempDir(dir);
});

async function damageReason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DamagedRunError, `expected DamagedRunError, got ${String(error)}`);
    assert.ok(!error.reason.includes('\n'), 'reason is one line');
    return error.reason;
  }
  assert.fail('expected a DamagedRunError');
}

function entryNamed(list: RunListEntry[], runId: string): RunListEntry {
  const entry = list.find((candidate) => candidate.runId === runId);
  assert.ok(entry, `${runId} is listed`);
  return entry;
}

/** Lists every file below `dir`, relative, sorted. */
function filesBelow(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

describe('paths', () => {
  it('formats run ids as YYYYMMDD-HHMMSS-<chapter> in local time', () => {
    assert.equal(runIdFor(new Date(2025, 2, 4, 5, 6, 7), 'attention-seq2seq'), '20250304-050607-attention-seq2seq');
    assert.equal(runIdFor(new Date(2024, 11, 31, 23, 59, 58), 'seq2seq'), '20241231-235958-seq2seq');
  });

  it('names epoch files with 3 digits, more past 999', () => {
    assert.equal(epochFileName(7), 'epoch-007.json');
    assert.equal(epochFileName(123), 'epoch-123.json');
    assert.equal(epochFileName(1000), 'epoch-1000.json');
    assert.equal(parseEpochFileName('epoch-007.json'), 7);
    assert.equal(parseEpochFileName('epoch-1000.json'), 1000);
    assert.equal(parseEpochFileName('epoch-07.json'), null);
    assert.equal(parseEpochFileName('epoch-007.json.tmp-1-2'), null);
    assert.throws(() => epochFileName(-1), RangeError);
    assert.throws(() => epochFileName(1.5), RangeError);
  });

  describe('isInside', () => {
    let root: string;
    let runs: string;
    before(() => {
      root = tempDir();
      runs = path.join(root, 'runs');
      fs.mkdirSync(path.join(runs, 'a', 'attention'), { recursive: true });
      fs.mkdirSync(path.join(root, 'runs-evil'));
      fs.mkdirSync(path.join(root, 'outside'));
      fs.writeFileSync(path.join(root, 'outside', 'secret.txt'), 'secret');
      fs.symlinkSync(path.join(root, 'outside'), path.join(runs, 'escape'), 'dir');
      fs.symlinkSync(runs, path.join(root, 'runs-link'), 'dir');
    });

    it('accepts the folder itself and paths below it', () => {
      assert.equal(isInside(runs, runs), true);
      assert.equal(isInside(runs, `${runs}${path.sep}`), true);
      assert.equal(isInside(runs, path.join(runs, 'a')), true);
      assert.equal(isInside(runs, path.join(runs, 'a', 'attention', 'epoch-001.json')), true);
      assert.equal(isInside(runs, path.join(runs, 'not-yet', 'file.json')), true);
      assert.equal(isInside(runs, path.join(runs, 'a', '..', 'a')), true);
      assert.equal(isInside(runs, 'a'), true, 'relative paths resolve against the parent');
      assert.equal(isInside(runs, '..foo'), true, 'a name starting with .. is not an escape');
    });

    it('rejects .. escapes, absolute paths elsewhere and prefix tricks', () => {
      assert.equal(isInside(runs, path.join(runs, '..')), false);
      assert.equal(isInside(runs, path.join(runs, '..', 'outside', 'secret.txt')), false);
      assert.equal(isInside(runs, path.join(runs, 'a', '..', '..', 'runs-evil')), false);
      assert.equal(isInside(runs, '../runs-evil'), false);
      assert.equal(isInside(runs, path.join(root, 'runs-evil')), false);
      assert.equal(isInside(runs, path.join(root, 'runs-evil', 'x.json')), false);
      assert.equal(isInside(runs, path.parse(runs).root), false);
      assert.equal(isInside(runs, path.join(root, 'outside', 'secret.txt')), false);
      assert.equal(isInside(runs, ''), false);
      assert.equal(isInside(runs, `${runs}/a\0`), false);
    });

    it('follows symlinks', () => {
      assert.equal(isInside(runs, path.join(runs, 'escape')), false);
      assert.equal(isInside(runs, path.join(runs, 'escape', 'secret.txt')), false);
      assert.equal(isInside(runs, path.join(runs, 'escape', 'not-yet.json')), false);
      const link = path.join(root, 'runs-link');
      assert.equal(isInside(link, path.join(runs, 'a')), true, 'a symlinked parent is its target');
      assert.equal(isInside(runs, path.join(link, 'a')), true);
      assert.equal(isInside(link, path.join(link, 'escape')), false);
    });
  });
});

describe('writer', () => {
  it('creates run folders, with -2, -3 when the name is taken', () => {
    const runsDir = path.join(tempDir(), 'nested', 'runs');
    const now = new Date(2025, 0, 2, 3, 4, 5);
    const first = createRunFolder(runsDir, 'attention-seq2seq', now);
    const second = createRunFolder(runsDir, 'attention-seq2seq', now);
    const third = createRunFolder(runsDir, 'attention-seq2seq', now);
    assert.equal(first.runId, '20250102-030405-attention-seq2seq');
    assert.equal(second.runId, '20250102-030405-attention-seq2seq-2');
    assert.equal(third.runId, '20250102-030405-attention-seq2seq-3');
    assert.equal(first.dir, path.join(path.resolve(runsDir), first.runId));
    for (const run of [first, second, third]) assert.ok(fs.statSync(run.dir).isDirectory());
  });

  it('fails with a one-line RunStoreError naming the runs dir when it cannot be created', () => {
    const root = tempDir();
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'not a folder');
    const runsDir = path.join(file, 'runs');
    assert.throws(
      () => createRunFolder(runsDir, 'seq2seq'),
      (error: unknown) =>
        error instanceof RunStoreError &&
        error.message.startsWith(`cannot write to ${runsDir}: `) &&
        /ENOTDIR|EEXIST/.test(error.message) &&
        !error.message.includes('\n'),
    );
  });

  it('writes JSON atomically: pretty, trailing newline, no temporary files left', () => {
    const dir = tempDir();
    const file = path.join(dir, 'data.json');
    writeJsonAtomic(file, { a: 1, b: [1, 2] });
    writeJsonAtomic(file, { a: 2 });
    assert.equal(fs.readFileSync(file, 'utf8'), '{\n  "a": 2\n}\n');
    assert.deepEqual(fs.readdirSync(dir), ['data.json']);

    const run = writeFixtureRun(tempDir(), { epochsCompleted: 2 });
    assert.ok(!filesBelow(run.dir).some((name) => name.includes('.tmp-')), 'no tmp files in a written run');
  });

  it('appends metrics and log lines', () => {
    const { dir } = createRunFolder(tempDir(), 'seq2seq');
    const writer = new RunWriter(dir);
    writer.appendMetrics(makeEpochMetrics(1));
    writer.appendMetrics(makeEpochMetrics(2));
    writer.appendLog('first line');
    writer.appendLog('second line\n');
    const lines = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    assert.deepEqual(JSON.parse(lines[1]), makeEpochMetrics(2));
    assert.equal(fs.readFileSync(path.join(dir, 'log.txt'), 'utf8'), 'first line\nsecond line\n');
  });

  describe('checkWritableDir', () => {
    it('accepts a writable folder and a missing folder under one, creating nothing', () => {
      const root = tempDir();
      checkWritableDir(root);
      const missing = path.join(root, 'not', 'yet', 'runs');
      checkWritableDir(missing);
      assert.deepEqual(fs.readdirSync(root), [], 'nothing created');
    });

    it('rejects a folder under a regular file, creating nothing', () => {
      const root = tempDir();
      const file = path.join(root, 'file');
      fs.writeFileSync(file, 'x');
      const target = path.join(file, 'sub');
      assert.throws(
        () => checkWritableDir(target),
        (error: unknown) =>
          error instanceof RunStoreError && error.message.startsWith(`cannot write to ${target}: ENOTDIR`),
      );
      assert.throws(() => checkWritableDir(file), RunStoreError, 'a file is not a folder');
      assert.deepEqual(fs.readdirSync(root), ['file']);
    });

    it('rejects a read-only folder (or, where chmod does not stop writes, e.g. as root, a path under a file)', () => {
      const root = tempDir();
      const readOnly = path.join(root, 'read-only');
      fs.mkdirSync(readOnly);
      fs.chmodSync(readOnly, 0o500);
      let chmodStopsWrites = true;
      try {
        fs.writeFileSync(path.join(readOnly, 'probe'), 'x');
        fs.rmSync(path.join(readOnly, 'probe'));
        chmodStopsWrites = false;
      } catch {
        // Expected for a normal user: the folder is read-only.
      }
      let target = readOnly;
      if (!chmodStopsWrites) {
        const file = path.join(root, 'plain-file');
        fs.writeFileSync(file, 'x');
        target = path.join(file, 'sub');
      }
      for (const candidate of [target, path.join(target, 'runs')]) {
        assert.throws(
          () => checkWritableDir(candidate),
          (error: unknown) =>
            error instanceof RunStoreError &&
            error.message.startsWith(`cannot write to ${candidate}: `) &&
            /EACCES|EPERM|EROFS|ENOTDIR/.test(error.message),
        );
      }
      assert.throws(() => createRunFolder(target, 'seq2seq'), RunStoreError);
      fs.chmodSync(readOnly, 0o700);
      assert.deepEqual(fs.readdirSync(readOnly), [], 'nothing created in the read-only folder');
      assert.ok(!fs.existsSync(path.join(readOnly, 'runs')));
    });
  });
});

describe('reader', () => {
  it('round-trips a complete run', async () => {
    const runsDir = tempDir();
    const written = writeFixtureRun(runsDir, {
      epochsCompleted: 5,
      stepsPerEpoch: 2,
      valExactMatch: [0.1, 0.3, 0.7, 0.6, 0.5],
    });
    const snapshot = await readRun(written.dir);
    assert.deepEqual(snapshot, {
      runId: written.runId,
      dir: written.dir,
      config: written.config,
      status: written.status,
      metrics: written.metrics,
      shapes: written.shapes,
      attentionEpochs: [1, 2, 3, 4, 5],
      attention: written.attention[4],
      samples: written.samples[4],
      figures: [],
      weights: 'verified',
      warnings: [],
    });
    assert.deepEqual(await readConfig(written.dir), written.config);
    assert.deepEqual(await readStatus(written.dir), written.status);
    assert.deepEqual(await readMetrics(written.dir), { missing: false, records: written.metrics, warnings: [] });
    assert.deepEqual(await readAttention(written.dir, 2), written.attention[1]);

    const list = await listRuns(runsDir);
    assert.deepEqual(list, [
      {
        ok: true,
        runId: written.runId,
        dir: written.dir,
        chapter: 'attention-seq2seq',
        task: 'dates',
        variant: 'default',
        state: 'completed',
        epochsCompleted: 5,
        epochs: 5,
        best: { key: 'val_exact_match', value: 0.7 },
        startedAt: written.status.startedAt,
      },
    ]);
  });

  it('writes NaN metrics as null and reads them back as NaN', async () => {
    const { dir } = createRunFolder(tempDir(), 'seq2seq');
    const writer = new RunWriter(dir);
    writer.writeConfig(makeRunConfig({ chapter: 'seq2seq' }));
    writer.writeStatus(makeRunStatus({ state: 'failed', epochsCompleted: 1, error: 'loss became NaN' }));
    const diverged = makeEpochMetrics(1, { train_loss: Number.NaN });
    diverged.values.val_loss = Number.NaN;
    writer.writeCheckpoint(1, 10, { 'weights.json': '{}' });
    writer.appendMetrics(diverged);
    const snapshot = await readRun(dir);
    assert.deepEqual(snapshot.metrics, [diverged]);
    assert.ok(snapshot.warnings.some((warning) => warning.startsWith('shapes.json is missing')));
    assert.deepEqual(snapshot.shapes, []);
    assert.equal(snapshot.attention, null);
    assert.equal(snapshot.samples, null);
    assert.deepEqual(snapshot.attentionEpochs, []);
  });

  it('drops a torn last metrics line with a warning', async () => {
    const written = writeFixtureRun(tempDir(), { epochsCompleted: 3 });
    fs.appendFileSync(path.join(written.dir, 'metrics.jsonl'), '{"kind":"epoch","epoch":4,"step":40,"train_lo');
    const snapshot = await readRun(written.dir);
    assert.deepEqual(snapshot.metrics, written.metrics);
    assert.equal(snapshot.warnings.length, 1);
    assert.match(snapshot.warnings[0], /^metrics\.jsonl: dropped a torn last line \(line 4: /);
    const list = await listRuns(path.dirname(written.dir));
    assert.equal(list[0].ok, true);
  });

  it('reports a torn middle metrics line as damage', async () => {
    const runsDir = tempDir();
    const written = writeFixtureRun(runsDir, { epochsCompleted: 3 });
    const file = path.join(written.dir, 'metrics.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1].slice(0, 20);
    fs.writeFileSync(file, lines.join('\n'));
    const reason = await damageReason(readRun(written.dir));
    assert.match(reason, /^metrics\.jsonl line 2 is not valid JSON \(.+\)$/);
    await damageReason(readMetrics(written.dir));
    const [entry] = await listRuns(runsDir);
    assert.deepEqual(entry, { ok: false, runId: written.runId, dir: written.dir, reason });
  });

  it('reports a metrics line of the wrong shape as damage', async () => {
    const written = writeFixtureRun(tempDir(), { epochsCompleted: 2 });
    const file = path.join(written.dir, 'metrics.jsonl');
    fs.writeFileSync(
      file,
      `${JSON.stringify({ ...makeEpochMetrics(1), values: { val_loss: 'low' } })}\n${JSON.stringify(makeEpochMetrics(2))}\n`,
    );
    assert.equal(await damageReason(readRun(written.dir)), 'metrics.jsonl line 1: values.val_loss must be number');
  });

  it('accepts a missing metrics.jsonl before the first epoch, not after', async () => {
    const runsDir = tempDir();
    const fresh = writeFixtureRun(runsDir, { epochsCompleted: 0, withShapes: true });
    assert.equal(fs.existsSync(path.join(fresh.dir, 'metrics.jsonl')), false);
    const snapshot = await readRun(fresh.dir);
    assert.equal(snapshot.status.state, 'running', 'a running status is kept as is');
    assert.deepEqual(snapshot.metrics, []);
    assert.deepEqual(snapshot.warnings, []);

    const later = writeFixtureRun(runsDir, { epochsCompleted: 2 });
    fs.rmSync(path.join(later.dir, 'metrics.jsonl'));
    assert.equal(
      await damageReason(readRun(later.dir)),
      'metrics.jsonl is missing but status.json says 2 epoch(s) completed',
    );
  });

  it('falls back to the previous attention and samples snapshot when the newest is unreadable', async () => {
    const written = writeFixtureRun(tempDir(), { epochsCompleted: 3 });
    fs.writeFileSync(attentionPath(written.dir, 3), '{"epoch": 3, "probes": [');
    fs.writeFileSync(path.join(written.dir, 'samples', 'epoch-003.json'), '{"epoch": 2, "samples": []}\n');
    fs.writeFileSync(path.join(written.dir, 'attention', 'notes.txt'), 'ignored');
    const snapshot = await readRun(written.dir);
    assert.deepEqual(snapshot.attention, written.attention[1]);
    assert.deepEqual(snapshot.attentionEpochs, [1, 2]);
    assert.deepEqual(snapshot.samples, written.samples[1]);
    assert.equal(snapshot.warnings.length, 2);
    assert.match(snapshot.warnings[0], /^attention\/epoch-003\.json is not valid JSON \(.+\); skipped$/);
    assert.equal(snapshot.warnings[1], 'samples/epoch-003.json: "epoch" is 2, expected 3; skipped');
    assert.match(await damageReason(readAttention(written.dir, 3)), /^attention\/epoch-003\.json is not valid JSON/);
    assert.equal(await damageReason(readAttention(written.dir, 9)), 'attention/epoch-009.json is missing');
  });

  it('reads epoch files past 999', async () => {
    const { dir } = createRunFolder(tempDir(), 'seq2seq');
    const writer = new RunWriter(dir);
    const config = makeRunConfig();
    writer.writeConfig({ ...config, hyperparameters: { ...config.hyperparameters, epochs: 1000 } });
    writer.writeStatus(makeRunStatus({ epochsCompleted: 0 }));
    writer.writeAttention(makeAttentionSnapshot(999));
    writer.writeAttention(makeAttentionSnapshot(1000));
    writer.writeSamples(makeSamples(1000));
    writer.writeShapes(makeShapes());
    assert.ok(fs.existsSync(path.join(dir, 'attention', 'epoch-1000.json')));
    const snapshot = await readRun(dir);
    assert.deepEqual(snapshot.attentionEpochs, [999, 1000]);
    assert.equal(snapshot.attention?.epoch, 1000);
    assert.equal(snapshot.samples?.epoch, 1000);
  });

  it('names the problem of a damaged config.json or status.json', async () => {
    const runsDir = tempDir();
    const cases: Array<[string, string, string | RegExp]> = [
      ['config.json', '{"chapter": }', /^config\.json is not valid JSON \(.+\)$/],
      ['status.json', '{"state": "completed",}', /^status\.json is not valid JSON \(.+\)$/],
      ['status.json', '', 'status.json is empty'],
      ['status.json', '[]', 'status.json must be a JSON object'],
      [
        'config.json',
        JSON.stringify({ ...configToFile(makeRunConfig()), chapter: 'gpt-5' }),
        /^config\.json: chapter must be \("seq2seq" \| /,
      ],
      [
        'config.json',
        JSON.stringify({
          ...configToFile(makeRunConfig()),
          'attention-seq2seq': { ...makeRunConfig().hyperparameters, epochs: 'ten' },
        }),
        'config.json: attention-seq2seq.epochs must be a number',
      ],
      [
        'config.json',
        JSON.stringify({
          ...configToFile(makeRunConfig()),
          'attention-seq2seq': { ...makeRunConfig().hyperparameters, hiddenSize: 1e9 },
        }),
        'config.json: attention-seq2seq.hiddenSize 1000000000 is outside 1..1024',
      ],
      [
        'config.json',
        JSON.stringify({ ...configToFile(makeRunConfig()), data: { ...makeRunConfig().data, sourceVocab: ['a', 3] } }),
        'config.json: data.sourceVocab[1] must be string',
      ],
      [
        'status.json',
        JSON.stringify(makeRunStatus({ state: 'paused' as never })),
        'status.json: state must be ("running" | "completed" | "stopped" | "failed")',
      ],
      ['status.json', JSON.stringify({ state: 'running', epochsCompleted: 0 }), 'status.json: startedAt is missing'],
    ];
    for (const [file, content, expected] of cases) {
      const written = writeFixtureRun(runsDir, { epochsCompleted: 1 });
      fs.writeFileSync(path.join(written.dir, file), content);
      const reason = await damageReason(readRun(written.dir));
      if (typeof expected === 'string') assert.equal(reason, expected);
      else assert.match(reason, expected);
    }
  });

  it('lists good runs newest first next to damaged, foreign and empty folders', async () => {
    const runsDir = tempDir();
    const older = writeFixtureRun(runsDir, {
      startedAt: new Date(2025, 0, 1, 10, 0, 0),
      valExactMatch: [0.2, 0.4, 0.3, 0.1, 0],
    });
    const newer = writeFixtureRun(runsDir, {
      chapter: 'seq2seq',
      startedAt: new Date(2025, 0, 3, 10, 0, 0),
      epochsCompleted: 0,
      state: 'running',
    });
    const noStatus = writeFixtureRun(runsDir, { startedAt: new Date(2025, 0, 2, 10, 0, 0) });
    fs.rmSync(path.join(noStatus.dir, 'status.json'));
    const badConfig = writeFixtureRun(runsDir, { startedAt: new Date(2025, 0, 2, 11, 0, 0) });
    fs.writeFileSync(path.join(badConfig.dir, 'config.json'), '{ not json');
    const foreign = path.join(runsDir, 'holiday-photos');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'beach.jpg'), 'jpeg');
    fs.writeFileSync(path.join(foreign, 'notes.md'), '# notes');
    const empty = path.join(runsDir, 'empty');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(runsDir, 'README.txt'), 'a plain file is ignored');

    const list = await listRuns(runsDir);
    assert.equal(list.length, 6);
    assert.deepEqual(
      list.map((entry) => entry.runId),
      [newer.runId, badConfig.runId, noStatus.runId, older.runId, 'holiday-photos', 'empty'],
    );
    const newest = entryNamed(list, newer.runId);
    assert.ok(newest.ok);
    assert.equal(newest.chapter, 'seq2seq');
    assert.equal(newest.state, 'running');
    assert.equal(newest.best, null);
    const oldest = entryNamed(list, older.runId);
    assert.ok(oldest.ok);
    assert.deepEqual(oldest.best, { key: 'val_exact_match', value: 0.4 });
    assert.equal(oldest.epochs, 5);
    assert.equal(oldest.epochsCompleted, 5);

    const reasons = Object.fromEntries(
      list.filter((entry) => !entry.ok).map((entry) => [entry.runId, entry.ok ? '' : entry.reason]),
    );
    assert.equal(reasons[noStatus.runId], 'status.json is missing');
    assert.match(reasons[badConfig.runId], /^config\.json is not valid JSON \(.+\)$/);
    assert.equal(reasons['holiday-photos'], 'not a run folder: no config.json or status.json');
    assert.equal(reasons.empty, 'not a run folder: no config.json or status.json');
    assert.equal(entryNamed(list, 'empty').dir, path.join(runsDir, 'empty'));
  });

  it('a listing cache reads again only the runs that changed, and lists exactly what listRuns lists', async () => {
    const runsDir = tempDir();
    const runs = [0, 1, 2].map((minute) =>
      writeFixtureRun(runsDir, { startedAt: new Date(2025, 0, 1, 10, minute, 0), epochsCompleted: 2 }),
    );
    const live = writeFixtureRun(runsDir, {
      startedAt: new Date(2025, 0, 1, 10, 5, 0),
      epochsCompleted: 1,
      state: 'running',
    });
    fs.mkdirSync(path.join(runsDir, 'not-a-run'));
    const cache = new RunListCache();
    const same = async (what: string) =>
      assert.deepEqual(await listRuns(runsDir, cache), await listRuns(runsDir), what);

    await same('first listing');
    assert.deepEqual([cache.hits, cache.misses], [0, 5]);
    await same('unchanged');
    assert.deepEqual([cache.hits, cache.misses], [5, 5], 'nothing read again');

    // The live run completes an epoch: only it is read again.
    const writer = new RunWriter(live.dir);
    writer.appendMetrics({ ...live.metrics.at(-1)!, epoch: 2, step: 20 } as never);
    writer.writeStatus({ ...live.status, epochsCompleted: 1 });
    await same('after the live run wrote');
    assert.deepEqual([cache.hits, cache.misses], [9, 6]);

    // Damage deep below model/ is seen at once: the newest checkpoint's weights truncated in place
    // (its folders keep their times; only the file's own size and times change).
    const latest = JSON.parse(fs.readFileSync(path.join(runs[0].dir, 'model', 'latest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const checkpointDir = Object.values(latest).find((value) => typeof value === 'string' && /epoch-/.test(value));
    const weights = fs
      .readdirSync(path.join(runs[0].dir, 'model'), { recursive: true })
      .map(String)
      .find((file) => file.endsWith('weights.bin') && (!checkpointDir || file.includes(String(checkpointDir))));
    assert.ok(weights, JSON.stringify(latest));
    fs.truncateSync(path.join(runs[0].dir, 'model', weights), 1);
    await same('after the newest weights file was truncated');
    const damaged = (await listRuns(runsDir, cache)).find((entry) => entry.dir === runs[0].dir);
    assert.ok(damaged && !damaged.ok, JSON.stringify(damaged));

    // A run deleted is gone; the folder that was not a run becomes one.
    fs.rmSync(runs[1].dir, { recursive: true });
    fs.cpSync(runs[2].dir, path.join(runsDir, 'not-a-run'), { recursive: true });
    await same('after a deletion and a copy');
    assert.equal((await listRuns(runsDir, cache)).length, 4);
  });

  it('lists a missing runs dir as empty and rejects a runs "dir" that is a file', async () => {
    const root = tempDir();
    assert.deepEqual(await listRuns(path.join(root, 'nothing-here')), []);
    fs.writeFileSync(path.join(root, 'file'), 'x');
    await assert.rejects(listRuns(path.join(root, 'file')), RunStoreError);
  });

  it('reports a missing or non-run folder', async () => {
    const root = tempDir();
    assert.equal(await damageReason(readRun(path.join(root, 'missing'))), 'folder does not exist');
    assert.equal(await damageReason(readRun(root)), 'not a run folder: no config.json or status.json');
    assert.equal(await damageReason(readConfig(root)), 'config.json is missing');
  });

  it('lists 200 runs quickly', async () => {
    const runsDir = tempDir();
    for (let index = 0; index < 200; index++) {
      writeFixtureRun(runsDir, {
        startedAt: new Date(2025, 0, 1, 0, 0, index),
        epochsCompleted: 5,
        stepsPerEpoch: 5,
        withLog: false,
      });
    }
    const started = performance.now();
    const list = await listRuns(runsDir);
    const elapsed = performance.now() - started;
    assert.equal(list.length, 200);
    assert.ok(list.every((entry) => entry.ok));
    assert.equal(list[0].runId, runIdFor(new Date(2025, 0, 1, 0, 0, 199), 'attention-seq2seq'));
    assert.ok(elapsed < 2000, `listRuns took ${elapsed.toFixed(0)} ms`);
  });

  it('resolves a CLI run argument as a path or a name in the runs dir', () => {
    const runsDir = tempDir();
    const written = writeFixtureRun(runsDir);
    assert.equal(resolveRunArgument(written.dir, '/nonexistent-runs'), written.dir);
    assert.equal(resolveRunArgument(written.runId, runsDir), written.dir);
    assert.equal(resolveRunArgument(path.relative(process.cwd(), written.dir), '/nonexistent-runs'), written.dir);
    for (const arg of ['no-such-run', '', path.dirname(runsDir)]) {
      assert.throws(() => resolveRunArgument(arg, runsDir), { name: 'RunStoreError', message: `not a run: ${arg}` });
    }
  });
});
