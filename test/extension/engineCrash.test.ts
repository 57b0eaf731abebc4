/**
 * The EngineClient with the REAL engine bundle (dist/engine.js, built by `node scripts/build.mjs`):
 * start a run, kill the engine with SIGKILL in the middle of it, check that the run is marked
 * failed on disk with the reason and that a failure event fires, then check that a second train
 * request on the same client forks a fresh engine and completes. Fails (not skips) when the
 * bundle is missing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineClient, type RunFailure } from '../../src/extension/engineClient';
import { readRun } from '../../src/runStore';
import type { HyperValue } from '../../src/shared/course/chapter';
import type { EngineToHost } from '../../src/shared/protocol/engine';

const enginePath = path.join(__dirname, '..', '..', 'dist', 'engine.js');

/** Small data so a test epoch takes seconds. */
const small = (epochs: number): Record<string, HyperValue> => ({
  epochs,
  batchSize: 32,
  hiddenSize: 32,
  trainSize: 256,
  validationSize: 32,
  testSize: 32,
});

function waitFor<T>(
  subscribe: (listener: (value: T) => void) => () => void,
  what: string,
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
    }, timeoutMs);
    const off = subscribe((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

describe('EngineClient with the real engine (dist/engine.js)', { timeout: 600_000 }, () => {
  let runsDir: string;
  let client: EngineClient;
  const messages: EngineToHost[] = [];

  before(() => {
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-crash-'));
    client = new EngineClient({ enginePath, readyTimeoutMs: 120_000 });
    client.on('message', (m) => messages.push(m));
  });
  after(async () => {
    await client?.shutdown(5000);
    if (runsDir) fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('marks a run failed when the engine is killed, then trains again on a fresh engine', async () => {
    assert.ok(fs.existsSync(enginePath), `${enginePath} is missing: run \`node scripts/build.mjs\` first`);
    const progressed = waitFor<EngineToHost>(
      (l) => client.on('message', (m) => m.type === 'progress' && l(m)),
      'the first progress message',
      300_000,
    );
    const started = await client.train({
      chapter: 'attention-seq2seq',
      runsDir,
      backend: 'auto',
      overrides: small(50),
    });
    assert.ok(started.runDir.startsWith(runsDir), started.runDir);
    await progressed;
    const pid = client.pid;
    assert.ok(pid, 'the engine runs');

    const failed = waitFor<RunFailure>((l) => client.on('runFailed', l), 'runFailed', 30_000);
    process.kill(pid, 'SIGKILL');
    const failure = await failed;
    assert.equal(failure.runId, started.runId);
    assert.match(failure.reason, /SIGKILL/);

    const status = JSON.parse(fs.readFileSync(path.join(started.runDir, 'status.json'), 'utf8')) as {
      state: string;
      error?: string;
      endedAt?: string;
    };
    assert.equal(status.state, 'failed');
    assert.match(status.error ?? '', /killed by signal SIGKILL/);
    assert.ok(status.endedAt);
    const snapshot = await readRun(started.runDir);
    assert.equal(snapshot.status.state, 'failed', 'the run store reads it as failed');

    const ended = waitFor<EngineToHost>(
      (l) => client.on('message', (m) => m.type === 'runEnded' && l(m)),
      'runEnded of the second run',
      300_000,
    );
    const second = await client.train({ chapter: 'attention-seq2seq', runsDir, backend: 'auto', overrides: small(1) });
    assert.notEqual(client.pid, pid, 'a fresh engine process');
    const end = await ended;
    assert.ok(end.type === 'runEnded');
    assert.equal(end.runId, second.runId);
    assert.equal(end.status.state, 'completed', end.status.error);
    assert.equal((await readRun(second.runDir)).status.state, 'completed');
    assert.ok(
      messages.some((m) => m.type === 'log' && m.runId === second.runId),
      'log lines arrive',
    );
  });
});
