/**
 * Runs survive any kill. A child `llm-tutor train` is killed with SIGKILL at every write point of a
 * run (LLM_TUTOR_FAULT, src/runStore/faults.ts) on attention-seq2seq/dates, at seeded random write
 * points and at random moments on the other chapters and tasks, and while it resumes a run. After
 * each kill every run is listed, shown, predicted with and resumed: nothing that was on disk
 * before changes (sha256 of every file), a killed run is never damaged, it is either resumable
 * (and then continues exactly, from its checkpoint's epoch, with the history up to it) or refused
 * in one line with exit 2 and nothing written; a kill before the run folder is complete leaves
 * nothing listed; no stack trace anywhere.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EvaluationRecord, MetricsRecord } from '../../src/shared/run/records';
import { listRuns, readMetrics } from '../../src/runStore';
import { useBackend } from './helpers';
import {
  assertKept,
  assertNoStackTrace,
  assertRefused,
  bin,
  childEnv,
  cli,
  cliChild,
  fingerprint,
  newTopLevel,
  root,
  seeded,
  type CliResult,
} from './hardening';

const TINY = [
  '--epochs',
  '2',
  '--train-size',
  '64',
  '--validation-size',
  '16',
  '--test-size',
  '8',
  '--backend',
  'wasm',
];
const MODEL: Record<string, string[]> = {
  seq2seq: ['--hidden-size', '8'],
  'attention-seq2seq': ['--hidden-size', '8'],
  'self-attention': ['--d-model', '8'],
};
const TEXT: Record<string, string> = {
  dates: 'May 3, 1998',
  phrases: 'the small bird that sings',
  reverse: '12345678',
  copy: '87654321',
};

interface Config {
  chapter: string;
  task: string;
}

let work: string;
let runsDir: string;
/** Evaluation lines of an uninterrupted attention-seq2seq/dates run, without wall-clock fields. */
let reference: ReturnType<typeof comparable>;
/** How long one uninterrupted tiny run takes here (ms), to place random kills. */
let runMs = 3000;

function trainArgs({ chapter, task }: Config): string[] {
  return ['train', chapter, '--task', task, ...TINY, ...MODEL[chapter], '--output-dir', runsDir];
}

function comparable(records: MetricsRecord[]) {
  return records
    .filter((record): record is EvaluationRecord => record.kind === 'epoch')
    .map(({ seconds: _s, samples_per_second: _p, ...rest }) => rest);
}

/** `llm-tutor train` in a child killed at the `n`-th write point; which point it was. */
function killAtPoint(args: string[], n: number): { result: CliResult; point: string | null } {
  const child = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...childEnv, LLM_TUTOR_FAULT: `any:${n}` },
    encoding: 'utf8',
    timeout: 300_000,
  });
  const result = { code: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr };
  return { result, point: /^fault: (\S+)$/m.exec(child.stderr)?.[1] ?? null };
}

/** `llm-tutor train` in a child killed with SIGKILL after `delayMs` (or ending before). */
function killAfter(args: string[], delayMs: number): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function latestEpoch(runDir: string): number | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(runDir, 'model', 'latest.json'), 'utf8')) as { epoch: number }).epoch;
  } catch {
    return null;
  }
}

/**
 * What a kill left in the runs folder, checked from every side: list, show, predict, resume. The
 * run is readable; resume continues from its checkpoint's epoch or refuses in one line, exit 2.
 * `exact`: the resumed run must reproduce the uninterrupted run's metrics.
 */
async function checkAfterKill(config: Config, before: Map<string, string>, what: string, exact: boolean) {
  const afterKill = fingerprint(runsDir);
  assertKept(before, afterKill, `${what}: runs on disk before the kill`);
  const added = newTopLevel(before, afterKill);
  const visible = added.filter((name) => !name.startsWith('.'));
  assert.ok(visible.length <= 1, `${what}: at most one new run folder: ${added.join(', ')}`);
  const list = await listRuns(runsDir);
  for (const entry of list) {
    assert.ok(!entry.runId.startsWith('.'), `${what}: hidden ${entry.runId} listed`);
    assert.ok(entry.ok, `${what}: ${entry.runId} is damaged: ${entry.ok ? '' : entry.reason}`);
  }
  if (visible.length === 0) return; // killed before the folder was published: nothing listed
  const runDir = path.join(runsDir, visible[0]);
  assert.ok(
    list.some((entry) => entry.dir === runDir),
    `${what}: the new folder is listed`,
  );

  const show = await cli(['show', runDir]);
  assert.equal(show.code, 0, `${what}: show: ${show.stderr}`);
  assertNoStackTrace(show, `${what}: show`);

  const checkpoint = latestEpoch(runDir);
  const predict = await cli(['predict', runDir, TEXT[config.task]]);
  assertNoStackTrace(predict, `${what}: predict`);
  if (checkpoint === null) assertRefused(predict, /no saved weights yet/, `${what}: predict`);
  else assert.equal(predict.code, 0, `${what}: predict: ${predict.stderr}`);

  const beforeResume = fingerprint(runsDir);
  const resume = await cli([
    'train',
    config.chapter,
    '--resume',
    runDir,
    '--epochs',
    '2',
    '--backend',
    'wasm',
    '--output-dir',
    runsDir,
    '--quiet',
  ]);
  assertNoStackTrace(resume, `${what}: resume`);
  const afterResume = fingerprint(runsDir);
  assertKept(beforeResume, afterResume, `${what}: resume (reading the old run never writes)`);
  if (checkpoint === null || checkpoint >= 2) {
    assertRefused(
      resume,
      checkpoint === null ? /cannot resume .*no saved weights yet/ : /cannot resume .*already has 2 epochs/,
      `${what}: resume`,
    );
    assert.deepEqual([...afterResume.keys()], [...beforeResume.keys()], `${what}: a refused resume writes nothing`);
    return;
  }
  assert.equal(resume.code, 0, `${what}: resume: ${resume.stderr}`);
  const [resumedId] = newTopLevel(beforeResume, afterResume).filter((name) => !name.startsWith('.'));
  const resumed = (await readMetrics(path.join(runsDir, resumedId))).records;
  const old = (await readMetrics(runDir)).records;
  // The history up to the checkpoint, as it was; then the epochs after it.
  assert.deepEqual(
    resumed.filter((record) => record.epoch <= checkpoint),
    old.filter((record) => record.epoch <= checkpoint),
    `${what}: the resumed run starts with the old run's history up to epoch ${checkpoint}`,
  );
  assert.deepEqual(
    comparable(resumed).map((record) => record.epoch),
    [1, 2],
    `${what}: one evaluation per epoch`,
  );
  if (exact) assert.deepEqual(comparable(resumed), reference, `${what}: resumed = uninterrupted`);
}

before(async () => {
  assert.ok(fs.existsSync(path.join(root, 'dist', 'engine.js')), 'dist/engine.js must be built first');
  await useBackend('wasm');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-faults-'));
  runsDir = path.join(work, 'runs');
  // An uninterrupted run: the reference the resumed runs must reproduce, and a bystander
  // that no kill, read or resume may change.
  const started = Date.now();
  const straight = cliChild(trainArgs({ chapter: 'attention-seq2seq', task: 'dates' }));
  runMs = Date.now() - started;
  assert.equal(straight.code, 0, straight.stderr);
  const [runId] = fs.readdirSync(runsDir);
  reference = comparable((await readMetrics(path.join(runsDir, runId))).records);
  assert.equal(reference.length, 2);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('a kill at any moment', () => {
  it('attention-seq2seq/dates, killed at every write point in turn: readable, resumable exactly, or refused', async () => {
    const config = { chapter: 'attention-seq2seq', task: 'dates' };
    const points: string[] = [];
    for (let n = 1; n < 100; n++) {
      const before = fingerprint(runsDir);
      const { result, point } = killAtPoint(trainArgs(config), n);
      assertNoStackTrace(result, `point ${n}`);
      if (result.code === 0) break; // past the last write point: the run completed
      assert.equal(result.signal, 'SIGKILL', `point ${n}: killed (${result.stderr})`);
      assert.ok(point, `point ${n} named`);
      points.push(point);
      await checkAfterKill(config, before, `kill at write point ${n} (${point})`, true);
    }
    // Every kind of write point was hit, in the documented order (docs/architecture.md).
    const epoch = [
      'attention',
      'samples',
      'metrics',
      'checkpoint-file',
      'checkpoint-file',
      'checkpoint-file',
      'checkpoint-file',
      'checkpoint-staged',
      'checkpoint-renamed',
      'checkpoint-committed',
      'status',
    ];
    assert.deepEqual(points, ['config', 'status', 'shapes', 'published', ...epoch, ...epoch, 'status']);
  });

  const others: Config[] = [
    { chapter: 'attention-seq2seq', task: 'phrases' },
    { chapter: 'seq2seq', task: 'dates' },
    { chapter: 'seq2seq', task: 'phrases' },
    { chapter: 'self-attention', task: 'reverse' },
    { chapter: 'self-attention', task: 'copy' },
  ];
  const random = seeded(20250314);
  for (const config of others) {
    const points = [1 + Math.floor(random() * 28), 1 + Math.floor(random() * 28)];
    const delay = random();
    it(`${config.chapter}/${config.task}: killed at write points ${points.join(' and ')} and after ${(delay * 100).toFixed(0)}% of a run`, async () => {
      for (const n of points) {
        const before = fingerprint(runsDir);
        const { result, point } = killAtPoint(trainArgs(config), n);
        assertNoStackTrace(result, `point ${n}`);
        if (result.code !== 0) assert.equal(result.signal, 'SIGKILL', result.stderr);
        await checkAfterKill(config, before, `${config.chapter}/${config.task} killed at point ${n} (${point})`, false);
      }
      const before = fingerprint(runsDir);
      const result = await killAfter(trainArgs(config), Math.round(delay * runMs));
      assertNoStackTrace(result, 'random kill');
      await checkAfterKill(
        config,
        before,
        `${config.chapter}/${config.task} killed after ${delay.toFixed(2)} of a run`,
        false,
      );
    });
  }

  it('a resume killed at any moment leaves the old run as it was, and the new one complete or not listed', async () => {
    const source = cliChild([
      'train',
      'seq2seq',
      ...TINY.slice(2),
      '--epochs',
      '1',
      ...MODEL.seq2seq,
      '--output-dir',
      runsDir,
    ]);
    assert.equal(source.code, 0, source.stderr);
    const sourceDir = /^run_dir=(.+)$/m.exec(source.stdout)![1];
    const resumeArgs = [
      'train',
      'seq2seq',
      '--resume',
      sourceDir,
      '--epochs',
      '2',
      '--backend',
      'wasm',
      '--output-dir',
      runsDir,
    ];
    // config, the history (metrics, samples), its checkpoint, status, shapes: in the hidden folder;
    // then published (listed at once with all of it); then epoch 2.
    let published = false;
    let afterPublish = 0;
    for (let n = 1; n < 40 && afterPublish < 2; n++) {
      const before = fingerprint(runsDir);
      const { result, point } = killAtPoint(resumeArgs, n);
      assertNoStackTrace(result, `resume point ${n}`);
      assert.equal(result.signal, 'SIGKILL', `resume killed at point ${n}: ${result.stderr}`);
      published ||= point === 'published';
      if (published) afterPublish++;
      const afterKill = fingerprint(runsDir);
      assertKept(before, afterKill, `resume killed at ${n} (${point})`);
      const visible = newTopLevel(before, afterKill).filter((name) => !name.startsWith('.'));
      assert.equal(visible.length, published ? 1 : 0, `resume killed at ${n} (${point}): ${visible.join(', ')}`);
      for (const entry of await listRuns(runsDir))
        assert.ok(entry.ok, `${entry.runId}: ${entry.ok ? '' : entry.reason}`);
      if (published) {
        const show = await cli(['show', path.join(runsDir, visible[0])]);
        assert.equal(show.code, 0, show.stderr);
        assert.match(show.stdout, /resumed_from=/);
        assert.match(show.stdout, /final: epoch=001 /, 'the copied history');
      }
    }
    assert.ok(published, 'the kills reached the publication of the resumed run');
  });

  it('the runs folder lists through the real CLI: every run, no damage, nothing hidden, no stack trace', () => {
    const result = cliChild(['runs', runsDir]);
    assert.equal(result.code, 0, result.stderr);
    assertNoStackTrace(result, 'runs');
    assert.doesNotMatch(result.stdout, /damaged/);
    assert.doesNotMatch(result.stdout, /^\./m);
    const listed = result.stdout.split('\n').slice(2).filter(Boolean).length;
    const folders = fs.readdirSync(runsDir).filter((name) => !name.startsWith('.'));
    assert.equal(listed, folders.length);
  });
});
