/**
 * Sampling from the lab panel, host side: the panel gate for `sample`, `stopSample` and
 * `requestSampleHistory` (language-model runs only, bounded fields, one-line reasons), the
 * throttle joining the tokens of one generation, and EngineClient streaming a generation from a
 * (fake) engine, stopping it, and rejecting a refused one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineClient, EngineRequestError, type SampleEvent } from '../../src/extension/engineClient';
import { checkPanelRequest, type PanelRequestContext } from '../../src/extension/panelRequests';
import { WebviewMessageThrottle, type ThrottleClock } from '../../src/extension/throttle';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { SAMPLING_LIMITS } from '../../src/shared/protocol/engine';
import { canSample, type SampledToken } from '../../src/shared/protocol/sampling';
import type { HostToWebview } from '../../src/shared/protocol/webview';
import type { RunConfig } from '../../src/shared/run/records';
import { writeFakeEngine } from './fakeEngine';

const languageModel: PanelRequestContext = {
  attentionEpochs: [1],
  hasRun: true,
  chapter: chapterInfo('mini-gpt'),
  canSample: true,
};
const GOOD = { type: 'sample', prompt: 'The ', temperature: 0.8, topK: 20, topP: 0.95, maxTokens: 200, seed: 1 };

function refusal(raw: unknown, context: PanelRequestContext = languageModel): string {
  const result = checkPanelRequest(raw, context);
  assert.equal(result.ok, false, `should refuse ${JSON.stringify(raw)?.slice(0, 80)}`);
  const reason = result.ok ? '' : result.reason;
  assert.ok(!/[\n\r]/.test(reason), `one line: ${JSON.stringify(reason)}`);
  assert.ok(reason.length <= 260, `short: ${reason.length}`);
  return reason;
}

describe('checkPanelRequest: sampling', () => {
  it('accepts well-formed sampling messages from a language model’s panel', () => {
    const good: unknown[] = [
      GOOD,
      { ...GOOD, prompt: '', temperature: 0, topK: 0, topP: 1, maxTokens: 1, seed: 0 },
      { ...GOOD, prompt: '床'.repeat(SAMPLING_LIMITS.maxPromptCharacters), maxTokens: SAMPLING_LIMITS.maxTokens },
      { ...GOOD, prompt: 'a\nb <eos> [MASK]', temperature: SAMPLING_LIMITS.maxTemperature, topP: 1e-9 },
      { type: 'stopSample' },
      { type: 'requestSampleHistory' },
    ];
    for (const message of good) {
      const result = checkPanelRequest(message, languageModel);
      assert.equal(result.ok, true, `should accept ${JSON.stringify(message)}: ${result.ok ? '' : result.reason}`);
      assert.deepEqual(result.ok && result.value, message, 'passed on as it came');
    }
  });

  it('refuses bad fields, extra fields and missing ones in one line', () => {
    const bad: unknown[] = [
      { ...GOOD, temperature: -0.1 },
      { ...GOOD, temperature: SAMPLING_LIMITS.maxTemperature + 1 },
      { ...GOOD, temperature: NaN },
      { ...GOOD, temperature: '0.8' },
      { ...GOOD, topK: 1.5 },
      { ...GOOD, topK: -1 },
      { ...GOOD, topP: 0 },
      { ...GOOD, topP: 1.01 },
      { ...GOOD, maxTokens: 0 },
      { ...GOOD, maxTokens: SAMPLING_LIMITS.maxTokens + 1 },
      { ...GOOD, seed: -1 },
      { ...GOOD, seed: 2 ** 53 },
      { ...GOOD, prompt: 'x'.repeat(SAMPLING_LIMITS.maxPromptCharacters + 1) },
      { ...GOOD, prompt: 7 },
      { ...GOOD, runDir: '/etc' },
      { ...GOOD, attention: false },
      { type: 'sample' },
      { type: 'stopSample', requestId: 'x' },
      { type: 'requestSampleHistory', epoch: 1 },
    ];
    for (const message of bad) refusal(message);
    // The reason never echoes the input.
    assert.ok(!refusal({ ...GOOD, prompt: 'SECRET'.repeat(1000) }).includes('SECRET'));
  });

  it('refuses sampling messages in a panel whose run is not a language model or that shows no run', () => {
    const seq2seq: PanelRequestContext = {
      attentionEpochs: [1],
      hasRun: true,
      chapter: chapterInfo('attention-seq2seq'),
    };
    const noRun: PanelRequestContext = { ...languageModel, hasRun: false };
    for (const context of [seq2seq, noRun]) {
      assert.match(refusal(GOOD, context), /^sample: .*not a language model/);
      assert.match(refusal({ type: 'stopSample' }, context), /^stopSample: /);
      assert.match(refusal({ type: 'requestSampleHistory' }, context), /^requestSampleHistory: /);
    }
  });

  it('fuzz: 3000 seeded mutations of sampling messages are refused in one line or accepted only in range', () => {
    let state = 20261129;
    const next = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const odd: unknown[] = [
      -1,
      0,
      0.5,
      1,
      1.5,
      2,
      10,
      11,
      2000,
      2001,
      2 ** 31,
      2 ** 53,
      NaN,
      Infinity,
      -0,
      '1',
      '',
      null,
      true,
      [],
      {},
      [1],
      'x'.repeat(1001),
      'SECRET\n'.repeat(50),
    ];
    const fields = ['prompt', 'temperature', 'topK', 'topP', 'maxTokens', 'seed', 'type', 'runDir', ''];
    const seq2seq: PanelRequestContext = { attentionEpochs: [], hasRun: true, chapter: chapterInfo('seq2seq') };
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const base: Record<string, unknown> = pick([
        { ...GOOD },
        { type: 'stopSample' },
        { type: 'requestSampleHistory' },
      ]);
      for (let changes = Math.floor(next() * 3); changes > 0; changes--) {
        const field = pick(fields);
        if (next() < 0.2) delete base[field];
        else base[field] = field === 'type' ? pick(['sample', 'stopSample', 'requestSampleHistory', 'x']) : pick(odd);
      }
      const context = i % 2 === 0 ? languageModel : seq2seq;
      const result = checkPanelRequest(base, context);
      if (!result.ok) {
        assert.ok(!/[\n\r]/.test(result.reason) && result.reason.length <= 260, `case ${i}: ${result.reason}`);
        assert.ok(!result.reason.includes('SECRET'), `case ${i}: echoes`);
        continue;
      }
      accepted++;
      assert.equal(context, languageModel, `case ${i}: accepted outside a language model's panel`);
      const value = result.value;
      if (value.type === 'sample') {
        assert.ok(typeof value.prompt === 'string' && value.prompt.length <= SAMPLING_LIMITS.maxPromptCharacters);
        assert.ok(value.temperature >= 0 && value.temperature <= SAMPLING_LIMITS.maxTemperature, `case ${i}`);
        assert.ok(Number.isSafeInteger(value.topK) && value.topK >= 0, `case ${i}`);
        assert.ok(value.topP > 0 && value.topP <= 1, `case ${i}`);
        assert.ok(Number.isSafeInteger(value.maxTokens) && value.maxTokens >= 1, `case ${i}`);
        assert.ok(value.maxTokens <= SAMPLING_LIMITS.maxTokens, `case ${i}`);
        assert.ok(Number.isSafeInteger(value.seed) && value.seed >= 0, `case ${i}`);
        assert.deepEqual(Object.keys(value).sort(), Object.keys(GOOD).sort(), `case ${i}: no other field`);
      } else {
        assert.ok(['stopSample', 'requestSampleHistory'].includes(value.type), `case ${i}: ${value.type}`);
        assert.deepEqual(Object.keys(value), ['type']);
      }
    }
    assert.ok(accepted > 100 && accepted < 1500, `${accepted} accepted`);
  });

  it('canSample: a decoder-only run trained on a corpus', () => {
    const config = (corpus: boolean) =>
      ({
        data: {
          sourceVocab: [],
          targetVocab: [],
          tokenLevel: 'char',
          ...(corpus ? { corpus: { name: 'en', bytes: 1, sha256: 'a', source: 'built-in' } } : {}),
        },
      }) as unknown as RunConfig;
    assert.equal(canSample('decoder-only', config(true)), true);
    assert.equal(canSample('decoder-only', config(false)), false, 'modern-attention: decoder-only, no corpus');
    assert.equal(canSample('encoder-only', config(true)), false, 'bert-mlm: a corpus, no generation');
    assert.equal(canSample('decoder-only', null), false);
  });
});

/** A clock moved by hand. */
class ManualClock implements ThrottleClock {
  time = 0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private id = 0;
  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, ms: number): unknown {
    this.timers.push({ at: this.time + ms, callback, id: ++this.id });
    return this.id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.callback();
    }
    this.time = end;
  }
}

const token = (index: number): SampledToken => ({
  index,
  token: 'a',
  text: 'a',
  probability: 1,
  top: [],
  windowStart: 0,
  keys: 0,
  attention: [],
});
const tokens = (sample: number, ...indices: number[]): HostToWebview => ({
  type: 'sampleTokens',
  sample,
  tokens: indices.map(token),
});

describe('WebviewMessageThrottle: sampled tokens', () => {
  it('joins the waiting tokens of one generation, in order, never across another message or generation', () => {
    const clock = new ManualClock();
    const sent: HostToWebview[] = [];
    const throttle = new WebviewMessageThrottle((m) => sent.push(m), { clock, maxPerSecond: 10 });
    throttle.push(tokens(1, 0)); // sent at once
    for (let i = 1; i <= 50; i++) throttle.push(tokens(1, i));
    throttle.push({ type: 'error', message: 'x' });
    throttle.push(tokens(1, 51));
    throttle.push(tokens(2, 0));
    throttle.push(tokens(2, 1));
    assert.equal(throttle.waiting, 4);
    clock.advance(1000);
    assert.deepEqual(
      sent.map((m) => (m.type === 'sampleTokens' ? `${m.sample}:${m.tokens.map((x) => x.index).join(',')}` : m.type)),
      ['1:0', `1:${Array.from({ length: 50 }, (_, i) => i + 1).join(',')}`, 'error', '1:51', '2:0,1'],
    );
    throttle.dispose();
  });
});

describe('EngineClient.sample (fake engine)', () => {
  let client: EngineClient;
  let enginePath: string;
  before(() => {
    enginePath = writeFakeEngine();
    client = new EngineClient({ enginePath, readyTimeoutMs: 10_000 });
  });
  after(async () => {
    await client.shutdown(2000);
    fs.rmSync(path.dirname(enginePath), { recursive: true, force: true });
  });

  it('streams sampleStarted and every token in order, then resolves with sampleEnded', async () => {
    const events: SampleEvent[] = [];
    const handle = client.sample(
      { runDir: '/runs/x', prompt: 'ab', maxTokens: 5, temperature: 1, topK: 0, topP: 1, seed: 1 },
      (event) => events.push(event),
    );
    const ended = await handle.done;
    assert.equal(ended.requestId, handle.requestId);
    assert.deepEqual(ended.tokens, ['b', 'b', 'b', 'b', 'b']);
    assert.equal(ended.stopped, false);
    assert.deepEqual(
      events.map((e) => (e.type === 'sampleToken' ? e.index : e.type)),
      ['sampleStarted', 0, 1, 2, 3, 4],
    );
  });

  it('stopSample ends a generation early; stopping one that ended does nothing', async () => {
    let seen = 0;
    const handle = client.sample(
      { runDir: '/runs/x', prompt: 'c', maxTokens: 2000, temperature: 1, topK: 0, topP: 1, seed: 1 },
      (event) => {
        if (event.type === 'sampleToken' && ++seen === 3) client.stopSample(handle.requestId);
      },
    );
    const ended = await handle.done;
    assert.equal(ended.stopped, true);
    assert.ok(ended.tokens.length >= 3 && ended.tokens.length < 10, `${ended.tokens.length} tokens`);
    client.stopSample(handle.requestId); // no pending sample: not sent
  });

  it('a refused generation rejects with the engine’s one-line error', async () => {
    const handle = client.sample(
      { runDir: '/runs/x', prompt: 'fail', maxTokens: 5, temperature: 1, topK: 0, topP: 1, seed: 1 },
      () => assert.fail('no events'),
    );
    await assert.rejects(handle.done, (error: unknown) => {
      assert.ok(error instanceof EngineRequestError);
      assert.equal(error.message, 'mini-gpt is not a language model here');
      return true;
    });
  });
});
