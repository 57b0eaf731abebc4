/**
 * Signals and pipes. SIGTERM (and SIGHUP) end a CLI run like Ctrl-C, and a SIGTERM to the engine
 * worker stops its live run: the run ends `stopped`, saved. A reader that closes the pipe early
 * (`llm-tutor show RUN | head -1`) ends every command quietly: no EPIPE stack trace, and `train`
 * stops cleanly.
 */
import assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRun, readStatus } from '../../src/runStore';
import type { EngineToHost } from '../../src/shared/protocol/engine';
import { assertNoStackTrace, bin, childEnv, cliChild, root, type CliResult } from './hardening';

const TINY = [
  '--train-size',
  '64',
  '--validation-size',
  '16',
  '--test-size',
  '8',
  '--hidden-size',
  '8',
  '--backend',
  'wasm',
];
let work: string;
let runsDir: string;
let runDir: string;

before(() => {
  assert.ok(fs.existsSync(path.join(root, 'dist', 'engine.js')), 'dist/engine.js must be built first');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-signals-'));
  runsDir = path.join(work, 'runs');
  const trained = cliChild(['train', 'attention-seq2seq', '--epochs', '1', ...TINY, '--output-dir', runsDir]);
  assert.equal(trained.code, 0, trained.stderr);
  runDir = /^run_dir=(.+)$/m.exec(trained.stdout)![1];
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** Starts `llm-tutor train` on many epochs, sends `signal` after its first epoch line; its result and run folder. */
async function signalDuringTraining(signal: NodeJS.Signals): Promise<{ result: CliResult; dir: string }> {
  const dir = fs.mkdtempSync(path.join(work, `${signal}-`));
  const child = spawn(process.execPath, [bin, 'train', 'seq2seq', '--epochs', '200', ...TINY, '--output-dir', dir], {
    cwd: root,
    env: childEnv,
  });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!sent && /^epoch=001 /m.test(stdout)) {
      sent = true;
      child.kill(signal);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  return { result: { code, stdout, stderr }, dir };
}

describe('signals', () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} during llm-tutor train stops like Ctrl-C: exit 130, the run saved and marked stopped`, async () => {
      const { result, dir } = await signalDuringTraining(signal);
      assertNoStackTrace(result, signal);
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stdout, /^status=stopped /m);
      const [runId] = fs.readdirSync(dir);
      const run = await readRun(path.join(dir, runId));
      assert.equal(run.status.state, 'stopped');
      assert.ok(run.status.epochsCompleted >= 1 && run.status.epochsCompleted < 200);
      assert.equal(run.weights, 'verified');
    });
  }

  it('SIGTERM to the engine worker stops its live run cleanly (status stopped) and ends the process', async () => {
    const dir = path.join(work, 'worker-runs');
    const child = fork(path.join(root, 'dist', 'engine.js'), [], {
      execArgv: [],
      serialization: 'json',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...childEnv, LLM_TUTOR_ENGINE: 'worker' },
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const messages: EngineToHost[] = [];
    let sent = false;
    child.on('message', (message: EngineToHost) => {
      messages.push(message);
      if (message.type === 'ready') {
        child.send({
          type: 'train',
          requestId: 'r1',
          chapter: 'seq2seq',
          runsDir: dir,
          backend: 'wasm',
          overrides: { epochs: 200, trainSize: 64, validationSize: 16, testSize: 8, hiddenSize: 8 },
        });
      }
      if (message.type === 'epoch' && !sent) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    assert.equal(code, 0, stderr);
    assert.ok(!/\n\s+at /.test(stderr), stderr);
    const ended = messages.find((message) => message.type === 'runEnded');
    assert.ok(ended && ended.type === 'runEnded' && ended.status.state === 'stopped', 'runEnded: stopped');
    const started = messages.find((message) => message.type === 'runStarted');
    assert.ok(started && started.type === 'runStarted');
    const status = await readStatus(started.runDir);
    assert.equal(status.state, 'stopped');
    assert.ok(status.epochsCompleted >= 1 && status.epochsCompleted < 200);
  });
});

/** The CLI with its stdout closed by the reader before it writes (as `| head -0` does). */
function closedPipe(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader went away: every write the CLI makes fails with EPIPE
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout: '', stderr }));
  });
}

describe('a closed pipe (EPIPE)', () => {
  const commands = (): [string, string[]][] => [
    ['show', ['show', runDir]],
    ['runs', ['runs', runsDir]],
    ['predict', ['predict', runDir, 'May 3, 1998']],
    ['chapters', ['chapters']],
    ['--help', ['--help']],
    ['show --help', ['show', '--help']],
  ];

  it('every reading command ends quietly with its usual exit code when the reader closed the pipe', async () => {
    for (const [what, args] of commands()) {
      const result = await closedPipe(args);
      assertNoStackTrace(result, what);
      assert.equal(result.stderr, '', `${what}: nothing on stderr`);
      assert.equal(result.code, 0, `${what}: exit code`);
    }
  });

  it('`llm-tutor show RUN | head -1` and friends print their first line and end quietly', async () => {
    for (const [what, args] of commands()) {
      const errFile = path.join(work, 'stderr.txt');
      const quoted = [process.execPath, bin, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
      const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const shell = spawn('bash', ['-c', `${quoted} 2>'${errFile}' | head -1; exit "\${PIPESTATUS[0]}"`], {
          cwd: root,
          env: childEnv,
        });
        let stdout = '';
        shell.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        shell.on('exit', (code) => resolve({ code, stdout }));
      });
      const stderr = fs.readFileSync(errFile, 'utf8');
      assert.equal(result.stdout.split('\n').filter(Boolean).length, 1, `${what}: one line`);
      assert.equal(stderr, '', `${what}: nothing on stderr`);
      assert.equal(result.code, 0, `${what}: exit code`);
    }
  });

  it('llm-tutor train with its output closed stops cleanly: the run is saved and marked stopped', async () => {
    const dir = path.join(work, 'train-epipe');
    const result = await closedPipe(['train', 'seq2seq', '--epochs', '200', ...TINY, '--output-dir', dir]);
    assertNoStackTrace(result, 'train');
    assert.equal(result.code, 130, result.stderr);
    const [runId] = fs.readdirSync(dir);
    assert.equal((await readStatus(path.join(dir, runId))).state, 'stopped');
  });
});
