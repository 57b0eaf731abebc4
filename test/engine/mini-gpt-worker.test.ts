/**
 * The engine worker serves `sample` requests: `sampleStarted`, one `sampleToken` per token (top
 * probabilities, attention rows packed per layer as heads × keys), `sampleEnded`, every message
 * valid under EngineToHostSchema; the same seed gives the same tokens; `stopSample` ends a
 * generation early; a run that is still training can be sampled between its steps, and keeps
 * training; bad requests are answered with one-line errors.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import { EngineToHostSchema, type EngineToHost, type HostToEngine } from '../../src/shared/protocol/engine';
import { unpackFloat32 } from '../../src/shared/run/packed';
import { EngineWorker } from '../../src/engine/worker';
import { useBackend } from './helpers';

let work: string;
let corpus: string;

const TINY = {
  layers: 1,
  heads: 2,
  dModel: 16,
  context: 16,
  batchSize: 8,
  stepsPerEvaluation: 4,
  epochs: 1,
  validationTokens: 128,
};

function text(lines: number): string {
  const words = ['the', 'river', 'runs', 'north', 'of', 'a', 'small', 'town', 'and', 'then', 'east'];
  return (
    Array.from({ length: lines }, (_, i) => `${words[i % 11]} ${words[(i * 7) % 11]} ${words[(i * 3) % 11]}.`).join(
      '\n',
    ) + '\n'
  );
}

/** A worker whose messages are validated and collected. */
function worker() {
  const messages: EngineToHost[] = [];
  const waiters: { test: (m: EngineToHost) => boolean; resolve: (m: EngineToHost) => void }[] = [];
  const engine = new EngineWorker((message) => {
    const parsed = v.safeParse(EngineToHostSchema, JSON.parse(JSON.stringify(message)));
    assert.ok(parsed.success, `invalid message ${message.type}`);
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.test(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  const next = (test: (m: EngineToHost) => boolean) =>
    new Promise<EngineToHost>((resolve) => waiters.push({ test, resolve }));
  return { engine, messages, next };
}

async function trainedRun(runsDir: string, overrides = TINY): Promise<string> {
  const { engine, next } = worker();
  const ended = next((m) => m.type === 'runEnded' || m.type === 'error');
  void engine.handle({
    type: 'train',
    requestId: 't',
    chapter: 'mini-gpt',
    runsDir,
    backend: 'wasm',
    overrides,
    corpus,
  });
  const last = await ended;
  assert.equal(last.type, 'runEnded', JSON.stringify(last));
  return path.join(runsDir, fs.readdirSync(runsDir)[0]);
}

function sampleRequest(runDir: string, change: Partial<Extract<HostToEngine, { type: 'sample' }>> = {}): HostToEngine {
  return {
    type: 'sample',
    requestId: 's1',
    runDir,
    prompt: 'the ',
    maxTokens: 12,
    temperature: 0.9,
    topK: 0,
    topP: 1,
    seed: 3,
    ...change,
  };
}

describe('the worker samples (wasm)', () => {
  let runDir: string;
  before(async () => {
    await useBackend('wasm');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-gpt-worker-'));
    corpus = path.join(work, 'river.txt');
    fs.writeFileSync(corpus, text(400));
    runDir = await trainedRun(path.join(work, 'runs'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('streams sampleStarted, a sampleToken per token, sampleEnded; the same seed gives the same tokens', async () => {
    const { engine, messages } = worker();
    await engine.handle(sampleRequest(runDir));
    const started = messages.find((m) => m.type === 'sampleStarted');
    assert.ok(started && started.type === 'sampleStarted');
    assert.deepEqual(started.promptTokens, [...'the ']);
    assert.equal(started.epoch, 1);
    assert.equal(started.layers, 1);
    assert.equal(started.heads, 2);
    const tokens = messages.filter((m) => m.type === 'sampleToken');
    assert.equal(tokens.length, 12);
    tokens.forEach((m, i) => {
      assert.ok(m.type === 'sampleToken');
      assert.equal(m.index, i);
      assert.ok(m.top.length <= 10 && m.probability > 0);
      m.top.slice(1).forEach((t, k) => assert.ok(t.probability <= m.top[k].probability, 'most probable first'));
      assert.equal(m.keys, 4 + i);
      assert.equal(m.windowStart, 0);
      assert.equal(m.attention.length, 1, 'one matrix per layer');
      const rows = unpackFloat32(m.attention[0].data)!;
      assert.equal(m.attention[0].rows, 2);
      assert.equal(m.attention[0].columns, m.keys);
      for (let h = 0; h < 2; h++) {
        const sum = Array.from(rows.subarray(h * m.keys, (h + 1) * m.keys)).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-5);
      }
    });
    const ended = messages[messages.length - 1];
    assert.ok(ended.type === 'sampleEnded' && !ended.stopped);
    assert.equal(ended.tokens.length, 12);
    assert.equal(ended.text, tokens.map((m) => (m.type === 'sampleToken' ? m.text : '')).join(''));

    const again = worker();
    await again.engine.handle(sampleRequest(runDir));
    const end2 = again.messages[again.messages.length - 1];
    assert.ok(end2.type === 'sampleEnded');
    assert.deepEqual(end2.tokens, ended.tokens);
  });

  it('selects the backend its run was trained on when nothing else uses one (a fresh engine has none initialised)', async () => {
    await useBackend('cpu');
    try {
      const { engine, messages } = worker();
      await engine.handle(sampleRequest(runDir, { maxTokens: 2 }));
      assert.equal(messages.at(-1)?.type, 'sampleEnded', JSON.stringify(messages.at(-1)));
      assert.equal(tf.getBackend(), 'wasm');
    } finally {
      await useBackend('wasm');
    }
  });

  it('stopSample ends a generation early; bad requests are one-line errors', async () => {
    const { engine, messages, next } = worker();
    const firstToken = next((m) => m.type === 'sampleToken');
    const done = engine.handle(sampleRequest(runDir, { requestId: 'long', maxTokens: 2000, attention: false }));
    await firstToken;
    await engine.handle({ type: 'stopSample', requestId: 'long' });
    await done;
    const ended = messages[messages.length - 1];
    assert.ok(ended.type === 'sampleEnded' && ended.stopped, JSON.stringify(ended).slice(0, 200));
    assert.ok(ended.tokens.length < 2000);

    const errors: EngineToHost[] = [];
    for (const request of [
      sampleRequest(path.join(work, 'missing')),
      { ...sampleRequest(runDir), topP: 0 },
      { ...sampleRequest(runDir), temperature: -1 },
    ]) {
      const bad = worker();
      await bad.engine.receive(request);
      errors.push(...bad.messages);
    }
    assert.equal(errors.length, 3);
    for (const error of errors)
      assert.ok(error.type === 'error' && !error.message.includes('\n'), JSON.stringify(error));
    await engine.handle({ type: 'stopSample', requestId: 'none' });
    assert.ok(messages.some((m) => m.type === 'error' && /no sample none/.test(m.message)));
  });

  it('samples a run that is still training, between its steps, and the run goes on', async () => {
    const { engine, messages, next } = worker();
    const runsDir = path.join(work, 'live');
    const firstEpoch = next((m) => m.type === 'epoch');
    const ended = next((m) => m.type === 'runEnded');
    void engine.handle({
      type: 'train',
      requestId: 'live',
      chapter: 'mini-gpt',
      runsDir,
      backend: 'wasm',
      overrides: { ...TINY, epochs: 4, stepsPerEvaluation: 50 },
      corpus,
    });
    await firstEpoch;
    const liveDir = path.join(runsDir, fs.readdirSync(runsDir)[0]);
    const sampled = next((m) => m.type === 'sampleEnded' || m.type === 'error');
    void engine.handle(sampleRequest(liveDir, { requestId: 'during', maxTokens: 300 }));
    const result = await sampled;
    assert.equal(result.type, 'sampleEnded', JSON.stringify(result));
    const startedAt = messages.findIndex((m) => m.type === 'sampleStarted');
    const endedAt = messages.indexOf(result);
    const status = await ended;
    assert.ok(status.type === 'runEnded' && status.status.state === 'completed');
    assert.ok(endedAt < messages.indexOf(status), 'the sample ended while the run was training');
    assert.ok(
      messages.slice(startedAt, endedAt).some((m) => m.type === 'progress'),
      'the run kept training while the sample streamed',
    );
  });
});
