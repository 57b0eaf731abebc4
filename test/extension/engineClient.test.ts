/**
 * EngineClient against a fake engine process (fast, no TensorFlow): forking, message checking,
 * request/answer matching, and what happens when the process dies in the middle of a run.
 * engineCrash.test.ts does the same crash with the real dist/engine.js.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  EngineClient,
  ENGINE_NICENESS,
  EngineExitedError,
  EngineRequestError,
  parseEngineMessage,
  tellingLine,
  type RunFailure,
} from '../../src/extension/engineClient';
import { markRunFailed } from '../../src/extension/runStatusFile';
import type { EngineToHost } from '../../src/shared/protocol/engine';
import type { RunStatus } from '../../src/shared/run/records';
import { writeFakeEngine } from './fakeEngine';

const readStatus = (runDir: string): RunStatus =>
  JSON.parse(fs.readFileSync(path.join(runDir, 'status.json'), 'utf8')) as RunStatus;

function nextEvent<T>(subscribe: (listener: (value: T) => void) => () => void, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for an event'));
    }, timeoutMs);
    const off = subscribe((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

describe('EngineClient (fake engine)', () => {
  let enginePath: string;
  let runsDir: string;
  const clients: EngineClient[] = [];
  const client = (mode = 'normal'): EngineClient => {
    const c = new EngineClient({ enginePath, env: { FAKE_ENGINE_MODE: mode }, readyTimeoutMs: 10_000 });
    clients.push(c);
    return c;
  };

  before(() => {
    enginePath = writeFakeEngine();
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-runs-'));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.shutdown(2000);
  });
  after(() => {
    fs.rmSync(path.dirname(enginePath), { recursive: true, force: true });
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('forks the worker with no execArgv, trains and forwards events in order', async () => {
    const c = client();
    const messages: EngineToHost[] = [];
    c.on('message', (m) => messages.push(m));
    const ended = nextEvent<EngineToHost>((l) => c.on('message', (m) => m.type === 'runEnded' && l(m)));
    const started = await c.train({
      chapter: 'attention-seq2seq',
      runsDir,
      backend: 'cpu',
      task: 'phrases',
      variant: 'default',
      seed: 7,
      overrides: { epochs: 4 },
    });
    assert.equal(started.type, 'runStarted');
    assert.equal(started.config.task, 'phrases');
    assert.equal(started.config.seed, 7);
    const request = JSON.parse(fs.readFileSync(path.join(started.runDir, 'request.json'), 'utf8')) as unknown;
    assert.deepEqual(request, {
      type: 'train',
      requestId: (request as { requestId: string }).requestId,
      chapter: 'attention-seq2seq',
      runsDir,
      backend: 'cpu',
      task: 'phrases',
      variant: 'default',
      seed: 7,
      overrides: { epochs: 4 },
    });
    assert.ok(started.runDir.startsWith(runsDir));
    assert.equal(c.liveRuns.get(started.runId), started.runDir);
    // The engine gives way to the editor: its niceness is raised to ENGINE_NICENESS (a host already
    // nicer than that keeps its children at least as nice).
    const own = os.getPriority();
    if (own <= ENGINE_NICENESS) assert.equal(os.getPriority(c.pid), ENGINE_NICENESS);
    else assert.ok(os.getPriority(c.pid) >= ENGINE_NICENESS);
    assert.equal(os.getPriority(), own, 'the host keeps its own priority');
    await ended;
    assert.equal(c.liveRuns.size, 0);
    const ready = messages.find((m) => m.type === 'ready');
    assert.ok(ready && ready.type === 'ready');
    assert.equal(ready.packageVersion, 'fake []', 'the child got execArgv [] even though this test runs under tsx');
    assert.deepEqual(
      messages.filter((m) => m.type === 'progress').map((m) => (m.type === 'progress' ? m.batch : 0)),
      [1, 2, 3, 4],
    );
    assert.equal(messages.filter((m) => m.type === 'log').length, 4);
    assert.equal(readStatus(started.runDir).state, 'completed');
  });

  it('ignores messages that are not part of the protocol, reporting each in one short line', async () => {
    const c = client('garbage');
    const invalid: string[] = [];
    const types: string[] = [];
    c.on('invalidMessage', (e) => invalid.push(e));
    c.on('message', (m) => types.push(m.type));
    await c.predict({ runDir: runsDir, text: 'abc' });
    assert.equal(invalid.length, 5);
    for (const reason of invalid) {
      assert.match(reason, /^engine message: /);
      assert.ok(!reason.includes('\n'), `one line: ${reason.slice(0, 80)}`);
      assert.ok(reason.length <= 240, `bounded: ${reason.length} characters`);
      // A key is named (escaped, cut to 40 characters), as describeIssues does; values never are.
      assert.ok(!/yyyy|z\\n|launchMissiles/.test(reason), `does not echo values: ${reason}`);
    }
    assert.match(invalid[2], /runId/);
    assert.deepEqual(types, ['ready', 'prediction'], 'invalid messages are not acted on');
  });

  it('matches answers to requests: prediction and fill resolve, an error rejects', async () => {
    const c = client();
    const prediction = await c.predict({ runDir: runsDir, text: 'abc' });
    assert.deepEqual(prediction.predicted, ['c', 'b', 'a']);
    await assert.rejects(
      c.train({ chapter: 'mini-gpt', runsDir, backend: 'cpu', overrides: {} }),
      (e: Error) => e instanceof EngineRequestError && /mini-gpt/.test(e.message),
    );
    const fill = await c.fill({ runDir: runsDir, text: 'the [MASK] of the country', top: 5 });
    assert.deepEqual(
      fill.masks.map((mask) => [mask.position, mask.predictions[0].token, mask.otherProbability]),
      [[2, 'the', 0.75]],
    );
    await assert.rejects(
      c.fill({ runDir: runsDir, text: 'no mask' }),
      (e: Error) => e instanceof EngineRequestError && /no \[MASK\]/.test(e.message),
    );
  });

  it('stops a live run and resolves with its final status', async () => {
    const c = client();
    const started = await c.train({ chapter: 'seq2seq', runsDir, backend: 'cpu', overrides: { epochs: 1000 } });
    const status = await c.stop(started.runId);
    assert.equal(status?.state, 'stopped');
    assert.equal(readStatus(started.runDir).state, 'stopped');
    assert.equal(await c.stop(started.runId), null, 'stopping a run that is not live is a no-op');
  });

  it('when the engine is killed mid-run: status.json → failed with the reason, runFailed fires, the next request forks a fresh engine', async () => {
    const c = client();
    const started = await c.train({
      chapter: 'attention-seq2seq',
      runsDir,
      backend: 'cpu',
      overrides: { epochs: 1000 },
    });
    const firstPid = c.pid;
    assert.ok(firstPid);
    const failed = nextEvent<RunFailure>((l) => c.on('runFailed', l));
    const pendingStop = c.stop(started.runId);
    process.kill(firstPid, 'SIGKILL');
    const failure = await failed;
    assert.equal(failure.runId, started.runId);
    assert.match(failure.reason, /SIGKILL/);
    const onDisk = readStatus(started.runDir);
    assert.equal(onDisk.state, 'failed');
    assert.match(onDisk.error ?? '', /killed by signal SIGKILL/);
    assert.ok(onDisk.endedAt);
    assert.equal(onDisk.startedAt, failure.status.startedAt);
    await assert.rejects(pendingStop, EngineExitedError);
    assert.equal(c.liveRuns.size, 0);

    const ended = nextEvent<EngineToHost>((l) => c.on('message', (m) => m.type === 'runEnded' && l(m)));
    const second = await c.train({ chapter: 'attention-seq2seq', runsDir, backend: 'cpu', overrides: { epochs: 3 } });
    assert.notEqual(c.pid, firstPid, 'a fresh engine process');
    await ended;
    assert.equal(readStatus(second.runDir).state, 'completed');
  });

  it('reports a non-zero exit with the engine’s last stderr line', async () => {
    const c = client('exit-in-run');
    const output: string[] = [];
    c.on('output', (line) => output.push(line));
    const failed = nextEvent<RunFailure>((l) => c.on('runFailed', l));
    const started = await c.train({
      chapter: 'attention-seq2seq',
      runsDir,
      backend: 'cpu',
      overrides: { epochs: 100 },
    });
    const failure = await failed;
    assert.match(failure.reason, /exited with code 7/);
    assert.equal(readStatus(started.runDir).state, 'failed');
  });

  it('rejects pending requests when the engine dies, and a start failure does not poison later requests', async () => {
    const dying = client('die-on-predict');
    await assert.rejects(
      dying.predict({ runDir: runsDir, text: 'x' }),
      (e: Error) => e instanceof EngineExitedError && /SIGKILL/.test(e.message),
    );
    const noStart = client('die-at-start');
    await assert.rejects(noStart.predict({ runDir: runsDir, text: 'x' }), (e: Error) =>
      /exited with code 3: cannot load the backend/.test(e.message),
    );
    await assert.rejects(noStart.predict({ runDir: runsDir, text: 'x' }), /exited with code 3/);
  });

  it('refuses to start when the bundle is missing', async () => {
    const c = new EngineClient({ enginePath: path.join(runsDir, 'no-such-engine.js'), readyTimeoutMs: 10_000 });
    clients.push(c);
    await assert.rejects(
      c.predict({ runDir: runsDir, text: 'x' }),
      (e: Error) => e instanceof EngineExitedError && /no-such-engine\.js is missing/.test(e.message),
    );
  });
});

describe('tellingLine', () => {
  it('picks the error out of a Node crash, not the version banner or stack frames', () => {
    const crash = [
      'node:internal/modules/cjs/loader:1228',
      '  throw err;',
      '  ^',
      "Error: Cannot find module '/x/dist/engine.js'",
      '    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)',
      '    at node:internal/main/run_main_module:28:49 {',
      "  code: 'MODULE_NOT_FOUND',",
      '}',
      'Node.js v20.20.2',
    ];
    assert.equal(tellingLine(crash), "Error: Cannot find module '/x/dist/engine.js'");
    assert.equal(tellingLine(['loading', 'done']), 'done');
    assert.equal(tellingLine([]), undefined);
  });
});

describe('parseEngineMessage', () => {
  const config = {
    formatVersion: 2,
    runId: 'r',
    chapter: 'seq2seq',
    task: 'dates',
    variant: 'default',
    seed: 42,
    backend: 'wasm',
    packageVersion: '0.1.0',
    createdAt: 't',
    data: { sourceVocab: ['<pad>'], targetVocab: ['<pad>'], tokenLevel: 'char' },
    hyperparameters: { epochs: 2 },
  };

  it('accepts protocol messages (EngineToHostSchema)', () => {
    const good: unknown[] = [
      { type: 'ready', packageVersion: '0.1.0' },
      { type: 'runStarted', requestId: 'q', runId: 'r', runDir: '/runs/r', config, shapes: [], figures: [] },
      { type: 'progress', runId: 'r', epoch: 1, epochs: 2, batch: 3, batches: 4, trainLoss: 0.5 },
      { type: 'log', runId: 'r', line: 'epoch=001' },
      { type: 'runEnded', runId: 'r', status: { state: 'completed', startedAt: 't', epochsCompleted: 1 } },
      { type: 'error', message: 'x' },
      { type: 'error', requestId: 'q', message: 'x' },
      { type: 'prediction', requestId: 'q', prediction: { source: [], predicted: [], maps: [], unknownTokens: [] } },
      {
        type: 'epoch',
        runId: 'r',
        metrics: {
          kind: 'epoch',
          epoch: 1,
          step: 10,
          seconds: 1,
          samples_per_second: 5,
          train_loss: 1,
          values: { val_loss: null },
        },
        attention: null,
        samples: null,
      },
      {
        type: 'attentionPreview',
        runId: 'r',
        attention: { formatVersion: 2, epoch: 0, step: 1, probes: [], checks: [] },
      },
    ];
    for (const m of good) {
      const parsed = parseEngineMessage(m);
      assert.equal(parsed.ok, true, `${JSON.stringify(m)}: ${parsed.ok ? '' : parsed.reason}`);
    }
  });

  it('reads a null loss (NaN after JSON) back as NaN', () => {
    const parsed = parseEngineMessage({
      type: 'progress',
      runId: 'r',
      epoch: 1,
      epochs: 2,
      batch: 0,
      batches: 4,
      trainLoss: null,
    });
    assert.ok(parsed.ok && parsed.value.type === 'progress' && Number.isNaN(parsed.value.trainLoss));
  });

  it('rejects anything else with a one-line reason', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      {},
      { type: 'hello' },
      { type: 'toString' },
      { type: 'ready' },
      { type: 'ready', packageVersion: '1', extra: true },
      { type: 'log', runId: 'r' },
      { type: 'error', message: 3 },
      { type: 'runEnded', runId: 'r', status: {} },
      { type: 'epoch', runId: 'r', metrics: {}, samples: null },
      { type: 'runStarted', requestId: 'q', runId: 'r', runDir: '/runs/r', config: { runId: 'r' }, shapes: [] },
      { type: 'prediction', requestId: 'q', prediction: { source: [], predicted: [], attention: [] } },
      // A preview is of epoch 0 after at least one step, for a run.
      {
        type: 'attentionPreview',
        runId: 'r',
        attention: { formatVersion: 2, epoch: 1, step: 1, probes: [], checks: [] },
      },
      {
        type: 'attentionPreview',
        runId: 'r',
        attention: { formatVersion: 2, epoch: 0, step: 0, probes: [], checks: [] },
      },
      { type: 'attentionPreview', attention: { formatVersion: 2, epoch: 0, step: 1, probes: [], checks: [] } },
      { type: 'attentionPreview', runId: 'r', attention: null },
    ];
    for (const m of bad) {
      const parsed = parseEngineMessage(m);
      assert.equal(parsed.ok, false, JSON.stringify(m));
      if (!parsed.ok) assert.match(parsed.reason, /^engine message: [^\n]+$/);
    }
  });
});

describe('markRunFailed', () => {
  it('marks a running run failed, keeping its start and epochs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-status-'));
    fs.writeFileSync(
      path.join(dir, 'status.json'),
      JSON.stringify({ state: 'running', startedAt: 'then', epochsCompleted: 3 }),
    );
    const status = markRunFailed(
      dir,
      'the engine process was killed by signal SIGKILL',
      new Date('2025-01-01T00:00:00Z'),
    );
    assert.deepEqual(readStatus(dir), status);
    assert.deepEqual(status, {
      state: 'failed',
      startedAt: 'then',
      endedAt: '2025-01-01T00:00:00.000Z',
      epochsCompleted: 3,
      error: 'the engine process was killed by signal SIGKILL',
    });
    assert.deepEqual(fs.readdirSync(dir), ['status.json'], 'no temporary file left');
    fs.rmSync(dir, { recursive: true });
  });

  it('leaves an end the engine recorded itself', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-status-'));
    const completed = { state: 'completed', startedAt: 'then', endedAt: 'later', epochsCompleted: 5 };
    fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify(completed));
    assert.deepEqual(markRunFailed(dir, 'x'), completed);
    assert.deepEqual(readStatus(dir), completed);
    fs.rmSync(dir, { recursive: true });
  });

  it('does not throw when the folder is gone', () => {
    assert.equal(markRunFailed(path.join(os.tmpdir(), 'llm-tutor-no-such-run-dir', 'x'), 'gone').state, 'failed');
  });
});
