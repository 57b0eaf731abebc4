/** Live messages to the webview: ≤ 10 a second, progress coalesced, epoch/status never dropped. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostToWebview } from '../../src/shared/protocol/webview';
import type { EvaluationRecord, RunStatus } from '../../src/shared/run/records';
import { WebviewMessageThrottle, type ThrottleClock } from '../../src/extension/throttle';

/** A clock the test moves by hand; timers fire in time order. */
class FakeClock implements ThrottleClock {
  time = 0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, callback, id });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
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

const progress = (epoch: number, batch: number): HostToWebview => ({
  type: 'progress',
  epoch,
  epochs: 10,
  batch,
  batches: 100,
  trainLoss: 1 / batch,
});
const epochMetrics = (epoch: number): EvaluationRecord => ({
  kind: 'epoch',
  epoch,
  step: epoch * 100,
  train_loss: 1,
  values: { val_loss: 1, val_token_accuracy: 0.5, val_exact_match: 0.1 },
  seconds: epoch,
  samples_per_second: 100,
  buckets: [],
});
const epochMessage = (epoch: number): HostToWebview => ({
  type: 'epoch',
  metrics: epochMetrics(epoch),
  attention: null,
  samples: { epoch, samples: [] },
});
const status = (state: RunStatus['state']): HostToWebview => ({
  type: 'status',
  status: { state, startedAt: 't', epochsCompleted: 1 },
  live: state === 'running',
});

function setup(): {
  clock: FakeClock;
  sent: { at: number; message: HostToWebview }[];
  throttle: WebviewMessageThrottle;
} {
  const clock = new FakeClock();
  const sent: { at: number; message: HostToWebview }[] = [];
  const throttle = new WebviewMessageThrottle((message) => sent.push({ at: clock.now(), message }), { clock });
  return { clock, sent, throttle };
}

/** The largest number of messages sent within any window of `ms` (half-open). */
function maxInWindow(times: number[], ms: number): number {
  let best = 0;
  for (let i = 0; i < times.length; i++) {
    let j = i;
    while (j < times.length && times[j] < times[i] + ms) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

describe('WebviewMessageThrottle', () => {
  it('sends the first message at once', () => {
    const { sent, throttle } = setup();
    throttle.push(progress(1, 1));
    assert.equal(sent.length, 1);
  });

  it('coalesces a flood of progress to at most 10 a second, ending on the newest', () => {
    const { clock, sent, throttle } = setup();
    // 1000 progress messages a second for 5 seconds.
    for (let i = 0; i < 5000; i++) {
      throttle.push(progress(1 + Math.floor(i / 1000), (i % 100) + 1));
      clock.advance(1);
    }
    clock.advance(1000);
    assert.ok(
      maxInWindow(
        sent.map((s) => s.at),
        1000,
      ) <= 10,
      `max ${maxInWindow(
        sent.map((s) => s.at),
        1000,
      )} in a second`,
    );
    assert.ok(sent.length >= 45 && sent.length <= 51, `sent ${sent.length}`);
    assert.deepEqual(sent.at(-1)?.message, progress(5, 100));
    assert.equal(throttle.waiting, 0);
  });

  it('never drops epoch or status messages, keeps their order, and stays under 10 a second', () => {
    const { clock, sent, throttle } = setup();
    // A burst: progress interleaved with 30 epoch messages and a final status, all at once.
    for (let epoch = 1; epoch <= 30; epoch++) {
      for (let batch = 1; batch <= 50; batch++) throttle.push(progress(epoch, batch));
      throttle.push(epochMessage(epoch));
    }
    throttle.push(status('completed'));
    clock.advance(10_000);
    const epochs = sent
      .filter((s) => s.message.type === 'epoch')
      .map((s) => (s.message as { metrics: EvaluationRecord }).metrics.epoch);
    assert.deepEqual(
      epochs,
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.equal(sent.at(-1)?.message.type, 'status', 'status comes last, after every epoch');
    assert.ok(
      maxInWindow(
        sent.map((s) => s.at),
        1000,
      ) <= 10,
    );
    assert.ok(sent.filter((s) => s.message.type === 'progress').length <= 2, 'progress coalesced');
  });

  it('keeps a progress message after the epoch that came before it', () => {
    const { clock, sent, throttle } = setup();
    throttle.push(progress(1, 99)); // sent at once
    throttle.push(progress(1, 100));
    throttle.push(epochMessage(1));
    throttle.push(progress(2, 1));
    clock.advance(1000);
    assert.deepEqual(
      sent.map((s) => (s.message.type === 'progress' ? `p${s.message.epoch}.${s.message.batch}` : s.message.type)),
      ['p1.99', 'epoch', 'p2.1'],
    );
  });

  it('delivers step and other messages too', () => {
    const { clock, sent, throttle } = setup();
    for (let i = 0; i < 25; i++)
      throttle.push({
        type: 'step',
        metrics: { kind: 'step', epoch: 1, step: i, train_loss: 1, seconds: 1, samples_per_second: 1 },
      });
    throttle.push({ type: 'error', message: 'x' });
    clock.advance(5000);
    assert.equal(sent.length, 26);
    assert.ok(
      maxInWindow(
        sent.map((s) => s.at),
        1000,
      ) <= 10,
    );
  });

  it('forgets what waits when the webview reloads, and sends nothing after dispose', () => {
    const { clock, sent, throttle } = setup();
    throttle.push(epochMessage(1));
    throttle.push(epochMessage(2));
    throttle.clear();
    clock.advance(1000);
    assert.equal(sent.length, 1);
    throttle.push(epochMessage(3));
    throttle.dispose();
    throttle.push(epochMessage(4));
    clock.advance(1000);
    assert.equal(sent.length, 2);
  });

  it('works with real timers', async () => {
    const sent: number[] = [];
    const throttle = new WebviewMessageThrottle(() => sent.push(Date.now()));
    const start = Date.now();
    while (Date.now() - start < 600) {
      throttle.push(progress(1, 1));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throttle.push(status('completed'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    throttle.dispose();
    assert.ok(sent.length <= 10, `sent ${sent.length} in ~0.9 s`);
    assert.ok(maxInWindow(sent, 1000) <= 10);
  });
});
