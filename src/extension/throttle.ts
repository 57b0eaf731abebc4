/**
 * Paces the messages the host posts to a lab panel: at most `maxPerSecond` (10) a second, so a
 * fast run cannot flood the webview. `progress` messages are coalesced (only the newest waiting
 * one is kept, and it keeps its place after everything that came before it); every other
 * message (epoch, step, status, ...) is delayed if need be but never dropped, and order is kept.
 * A `sampleTokens` message that arrives while one of the same generation waits last in the queue
 * is joined to it, so a fast generation streams every token, in order, in ≤ 10 messages a second.
 * No vscode import.
 */
import type { HostToWebview } from '../shared/protocol/webview';

export interface ThrottleClock {
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: ThrottleClock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ThrottleOptions {
  maxPerSecond?: number;
  clock?: ThrottleClock;
}

export class WebviewMessageThrottle {
  private readonly queue: HostToWebview[] = [];
  private readonly interval: number;
  private readonly clock: ThrottleClock;
  private lastSent = Number.NEGATIVE_INFINITY;
  private timer: unknown = null;
  private disposed = false;

  constructor(
    private readonly send: (message: HostToWebview) => void,
    options: ThrottleOptions = {},
  ) {
    this.interval = 1000 / (options.maxPerSecond ?? 10);
    this.clock = options.clock ?? realClock;
  }

  /** Messages waiting for their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  push(message: HostToWebview): void {
    if (this.disposed) return;
    if (message.type === 'progress') {
      const older = this.queue.findIndex((m) => m.type === 'progress');
      if (older >= 0) this.queue.splice(older, 1);
    }
    const last = this.queue[this.queue.length - 1];
    if (message.type === 'sampleTokens' && last?.type === 'sampleTokens' && last.sample === message.sample) {
      this.queue[this.queue.length - 1] = { ...last, tokens: [...last.tokens, ...message.tokens] };
      this.pump();
      return;
    }
    this.queue.push(message);
    this.pump();
  }

  /** Forgets everything waiting (the webview reloaded and gets a fresh `init`). */
  clear(): void {
    this.queue.length = 0;
    this.cancelTimer();
  }

  dispose(): void {
    this.disposed = true;
    this.clear();
  }

  private pump(): void {
    if (this.timer !== null || this.queue.length === 0 || this.disposed) return;
    const wait = this.lastSent + this.interval - this.clock.now();
    if (wait <= 0) {
      this.sendOne();
      if (this.queue.length > 0) this.schedule(this.interval);
    } else {
      this.schedule(wait);
    }
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.pump();
    }, ms);
  }

  private sendOne(): void {
    const message = this.queue.shift();
    if (!message) return;
    this.lastSent = this.clock.now();
    this.send(message);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }
}
