/**
 * A stand-in for dist/engine.js that speaks the engine protocol (src/shared/protocol/engine.ts)
 * without TensorFlow, so the EngineClient's process handling can be tested fast and
 * deterministically. Written to a temporary .js file and forked like the real bundle. Behaviour
 * is chosen by FAKE_ENGINE_MODE; every message it sends in `normal` mode is valid.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SOURCE = String.raw`
'use strict';
const fs = require('fs');
const path = require('path');
const mode = process.env.FAKE_ENGINE_MODE || 'normal';
if (process.env.LLM_TUTOR_ENGINE !== 'worker') { process.stderr.write('not started as the worker\n'); process.exit(2); }
if (mode === 'die-at-start') { process.stderr.write('cannot load the backend\n'); process.exit(3); }
const send = (m) => process.send(m);
const writeStatus = (dir, status) => fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify(status));
let live = null;
let runs = 0;
const samples = new Map();
if (mode === 'garbage') {
  send('not an object');
  send({ type: 'launchMissiles' });
  send({ type: 'progress', runId: 7 });
  // A huge, multi-line field and an unknown one: the reason must stay one short line.
  send({ type: 'log', runId: 'r', line: 'x', ['evil\n'.repeat(1000)]: 'y'.repeat(1000000) });
  send({ type: 'error', message: 'z\n'.repeat(500000), requestId: 5 });
}
send({ type: 'ready', packageVersion: 'fake ' + JSON.stringify(process.execArgv) });
process.on('message', (m) => {
  if (m.type === 'train') {
    if (m.chapter === 'mini-gpt') { send({ type: 'error', requestId: m.requestId, message: 'chapter mini-gpt cannot be trained by this version yet' }); return; }
    runs += 1;
    const runId = '20250101-000000-' + m.chapter + '-' + runs + '-' + process.pid;
    const runDir = path.join(m.runsDir, runId);
    fs.mkdirSync(runDir, { recursive: true });
    const status = { state: 'running', startedAt: new Date().toISOString(), epochsCompleted: 0 };
    writeStatus(runDir, status);
    const config = {
      formatVersion: 2, runId, chapter: m.chapter, task: m.task || 'dates', variant: m.variant || 'default',
      seed: m.seed === undefined ? 42 : m.seed, backend: 'cpu', packageVersion: 'fake', createdAt: new Date().toISOString(),
      data: { sourceVocab: [], targetVocab: [], tokenLevel: 'char' }, hyperparameters: m.overrides,
    };
    fs.writeFileSync(path.join(runDir, 'request.json'), JSON.stringify(m));
    send({ type: 'runStarted', requestId: m.requestId, runId, runDir, config, shapes: [], figures: [] });
    const epochs = (m.overrides && m.overrides.epochs) || 3;
    let batch = 0;
    live = { runId, runDir, status, timer: setInterval(() => {
      batch += 1;
      send({ type: 'progress', runId, epoch: 1, epochs, batch, batches: 10, trainLoss: 1 / batch });
      send({ type: 'log', runId, line: 'epoch=001 batch=' + batch });
      if (mode === 'exit-in-run' && batch === 2) process.exit(7);
      if (batch >= epochs) {
        clearInterval(live.timer);
        const ended = { ...status, state: 'completed', endedAt: new Date().toISOString(), epochsCompleted: epochs };
        writeStatus(runDir, ended);
        live = null;
        send({ type: 'runEnded', runId, status: ended });
      }
    }, 20) };
  } else if (m.type === 'trainVariants') {
    // One short run per variant, one after another; a variant named 'broken' fails.
    if (m.variants.includes('unknown')) { send({ type: 'error', requestId: m.requestId, message: 'variant unknown: unknown variant' }); return; }
    const outcomes = [];
    const next = (index) => {
      if (index >= m.variants.length) { send({ type: 'variantsEnded', requestId: m.requestId, outcomes }); return; }
      const variant = m.variants[index];
      runs += 1;
      const runId = '20250101-000000-' + m.chapter + '-' + runs + '-' + process.pid;
      const runDir = path.join(m.runsDir, runId);
      fs.mkdirSync(runDir, { recursive: true });
      const status = { state: 'running', startedAt: new Date().toISOString(), epochsCompleted: 0 };
      const config = {
        formatVersion: 2, runId, chapter: m.chapter, task: m.task || 'reverse', variant,
        seed: m.seed === undefined ? 42 : m.seed, backend: 'cpu', packageVersion: 'fake', createdAt: new Date().toISOString(),
        data: { sourceVocab: [], targetVocab: [], tokenLevel: 'char' }, hyperparameters: m.overrides,
      };
      send({ type: 'runStarted', requestId: m.requestId, runId, runDir, config, shapes: [], figures: [] });
      setTimeout(() => {
        const state = variant === 'broken' ? 'failed' : 'completed';
        const ended = { ...status, state, endedAt: new Date().toISOString(), epochsCompleted: state === 'failed' ? 0 : 1 };
        send({ type: 'runEnded', runId, status: ended });
        const outcome = { variant, state, runId, runDir };
        if (state === 'failed') outcome.error = 'diverged';
        outcomes.push(outcome);
        next(index + 1);
      }, 20);
    };
    next(0);
  } else if (m.type === 'stop') {
    if (!live || live.runId !== m.runId) { send({ type: 'error', requestId: m.requestId, message: 'no live run ' + m.runId + ' to stop' }); return; }
    clearInterval(live.timer);
    const ended = { ...live.status, state: 'stopped', endedAt: new Date().toISOString() };
    writeStatus(live.runDir, ended);
    const runId = live.runId;
    live = null;
    send({ type: 'runEnded', runId, status: ended });
  } else if (m.type === 'predict') {
    if (mode === 'die-on-predict') process.kill(process.pid, 'SIGKILL');
    if ('backend' in m) { send({ type: 'error', requestId: m.requestId, message: 'predict takes no backend' }); return; }
    send({ type: 'prediction', requestId: m.requestId, prediction: { source: [...m.text], predicted: [...m.text].reverse(), maps: [], unknownTokens: [] } });
  } else if (m.type === 'fill') {
    // A masked language model's answer: each [MASK] guessed as 'the' with probability 0.25.
    if (!/\[MASK\]/.test(m.text)) { send({ type: 'error', requestId: m.requestId, message: 'the text has no [MASK]' }); return; }
    const typed = ['[CLS]', ...m.text.split(' '), '[SEP]'];
    const masks = typed.flatMap((token, position) => token === '[MASK]' ? [{ position, predictions: [{ token: 'the', probability: 0.25 }], otherProbability: 0.75, attention: [] }] : []);
    send({ type: 'filled', requestId: m.requestId, fill: { tokens: typed, typedTokens: typed, unknownTokens: [], masks } });
  } else if (m.type === 'sample') {
    // Streams maxTokens copies of the prompt's last character, one every 5 ms; the prompt 'fail' is refused.
    if (m.prompt === 'fail') { send({ type: 'error', requestId: m.requestId, message: 'mini-gpt is not a language model here' }); return; }
    const character = m.prompt.slice(-1) || 'a';
    send({ type: 'sampleStarted', requestId: m.requestId, runId: 'r', epoch: 1, promptTokens: [...m.prompt], unknownTokens: [], layers: 1, heads: 1, context: 8 });
    const made = [];
    samples.set(m.requestId, { stop: false });
    const tick = () => {
      const control = samples.get(m.requestId);
      if (control.stop || made.length >= m.maxTokens) {
        samples.delete(m.requestId);
        send({ type: 'sampleEnded', requestId: m.requestId, text: made.join(''), tokens: made, stopped: control.stop, seconds: 0.1, tokensPerSecond: 10 });
        return;
      }
      // One key of weight 1 (packed float32 1.0 = 'AACAPw==').
      send({ type: 'sampleToken', requestId: m.requestId, index: made.length, token: character, text: character, probability: 1, top: [{ token: character, probability: 1 }], windowStart: 0, keys: 1, attention: [{ rows: 1, columns: 1, data: 'AACAPw==' }] });
      made.push(character);
      setTimeout(tick, 5);
    };
    setTimeout(tick, 5);
  } else if (m.type === 'stopSample') {
    const control = samples.get(m.requestId);
    if (control) control.stop = true;
    else send({ type: 'error', requestId: m.requestId, message: 'no sample ' + m.requestId + ' to stop' });
  } else if (m.type === 'shutdown') {
    process.exit(0);
  }
});
`;

/** Writes the fake engine to a fresh temporary folder and returns its path. */
export function writeFakeEngine(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-fake-engine-'));
  const file = path.join(dir, 'engine.js');
  fs.writeFileSync(file, SOURCE);
  return file;
}
