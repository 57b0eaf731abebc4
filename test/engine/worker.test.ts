/**
 * A run keeps its backend from start to end: a prediction the engine worker serves while a run
 * trains (the panel's "Try it" on another run) never switches TensorFlow.js's global backend, not
 * even one that began switching just before the run started.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { EngineWorker } from '../../src/engine/worker';
import { readConfig } from '../../src/runStore';
import type { EngineToHost, HostToEngine } from '../../src/shared/protocol/engine';
import { useBackend } from './helpers';
import { cli } from './hardening';

const TINY = { trainSize: 64, validationSize: 16, testSize: 8, hiddenSize: 8, batchSize: 16 };
let work: string;
let runsDir: string;
/** A run trained on cpu, and the same run saying it was trained on wasm. */
let cpuRun: string;
let wasmRun: string;

before(async () => {
  await useBackend('cpu'); // wasm is not initialised in this process yet: switching to it takes a while
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-worker-'));
  runsDir = path.join(work, 'runs');
  const trained = await cli([
    'train',
    'attention-seq2seq',
    '--epochs',
    '1',
    '--train-size',
    '64',
    '--validation-size',
    '16',
    '--test-size',
    '8',
    '--hidden-size',
    '8',
    '--backend',
    'cpu',
    '--output-dir',
    runsDir,
    '--quiet',
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  cpuRun = /^run_dir=(.+)$/m.exec(trained.stdout)![1];
  wasmRun = path.join(work, 'elsewhere', path.basename(cpuRun));
  fs.cpSync(cpuRun, wasmRun, { recursive: true });
  const configFile = path.join(wasmRun, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(configFile, 'utf8')), backend: 'wasm' }));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** A worker whose messages are kept, with the backend in use noted at every training event. */
function observedWorker() {
  const messages: EngineToHost[] = [];
  const backends: string[] = [];
  let onMessage: (message: EngineToHost) => void = () => undefined;
  const worker = new EngineWorker((message) => {
    messages.push(message);
    if (['progress', 'epoch', 'runStarted', 'stepMetrics'].includes(message.type)) backends.push(tf.getBackend());
    onMessage(message);
  });
  return { worker, messages, backends, on: (listener: (message: EngineToHost) => void) => (onMessage = listener) };
}

const trainRequest = (backend: 'cpu' | 'wasm'): HostToEngine => ({
  type: 'train',
  requestId: 'train',
  chapter: 'attention-seq2seq',
  runsDir,
  backend,
  overrides: { ...TINY, epochs: 2 },
});

describe('the engine worker keeps a run on its backend', () => {
  it('a run that starts while a prediction is switching backends waits for it, then trains on its own', async () => {
    await useBackend('cpu'); // wasm was never used in this process: the prediction's switch initialises it, asynchronously
    const { worker, messages, backends } = observedWorker();
    const predicted = worker.handle({ type: 'predict', requestId: 'p', runDir: wasmRun, text: 'May 3, 1998' });
    // Until the prediction is in the middle of its switch.
    const engine = tf.engine() as unknown as { pendingBackendInit: unknown };
    for (let i = 0; i < 5000 && engine.pendingBackendInit == null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.ok(engine.pendingBackendInit != null, 'the prediction is switching to wasm');
    const trained = worker.handle(trainRequest('cpu'));
    await Promise.all([predicted, trained]);
    const error = messages.find((message) => message.type === 'error');
    assert.equal(error, undefined, JSON.stringify(error));
    assert.ok(backends.length > 4);
    assert.deepEqual([...new Set(backends)], ['cpu'], 'every step on cpu');
  });
  it('a prediction for a run trained on another backend, served during training, leaves the run on its own', async () => {
    await useBackend('cpu');
    const { worker, messages, backends, on } = observedWorker();
    let predicted: Promise<void> | null = null;
    on((message) => {
      if (message.type === 'progress' && predicted === null) {
        predicted = worker.handle({ type: 'predict', requestId: 'p', runDir: wasmRun, text: 'May 3, 1998' });
      }
    });
    await worker.handle(trainRequest('cpu'));
    await predicted;
    const prediction = messages.find((message) => message.type === 'prediction' || message.type === 'error');
    assert.equal(prediction?.type, 'prediction', JSON.stringify(prediction));
    assert.ok(backends.length > 4);
    assert.deepEqual([...new Set(backends)], ['cpu'], 'every step on cpu');
    const ended = messages.find((message) => message.type === 'runEnded');
    assert.ok(ended?.type === 'runEnded' && ended.status.state === 'completed');
    const started = messages.find((message) => message.type === 'runStarted');
    assert.ok(started?.type === 'runStarted');
    assert.equal((await readConfig(started.runDir)).backend, 'cpu');
  });
});
