/**
 * The host's side of the engine process. Forks `dist/engine.js` as the worker
 * (LLM_TUTOR_ENGINE=worker), speaks src/shared/protocol/engine.ts over Node IPC (JSON), checks every
 * message the child sends against `EngineToHostSchema` (an invalid one is reported in one line and
 * ignored, never acted on), and emits events. When the child dies while a run is live it marks
 * the run `failed` on disk (the engine could not) and emits `runFailed`; the next request forks a
 * fresh engine. No vscode import: testable in plain Node, and the extension host runs no tensor
 * math.
 */
import { fork, type ChildProcess } from 'child_process';
import { randomUUID } from 'crypto';
import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as os from 'os';
import {
  ENGINE_MODE_ENV,
  ENGINE_MODE_WORKER,
  EngineToHostSchema,
  type EngineMessage,
  type EngineToHost,
  type FillRequest,
  type FillResult,
  type HostToEngine,
  type PredictRequest,
  type SampleRequest,
  type TrainRequest,
  type TrainVariantsRequest,
  type VariantOutcome,
} from '../shared/protocol/engine';
import type { Prediction, RunStatus } from '../shared/run/records';
import { parseWith, type Parsed } from '../shared/schema';
import { markRunFailed } from './runStatusFile';

/** The engine's answer to `train`: the run folder exists, training is about to start. */
export type RunStarted = EngineMessage<'runStarted'>;
/** A finished run that a `trainVariants` sequence reuses instead of training it again. */
export type RunReused = EngineMessage<'runReused'>;

/**
 * A message from the engine process checked against the protocol; the reason of a refusal is one
 * line that never echoes the message (a huge or multi-line field stays out of the log).
 */
export function parseEngineMessage(raw: unknown): Parsed<EngineToHost> {
  return parseWith(EngineToHostSchema, raw, 'engine message');
}

export interface EngineClientOptions {
  /** Absolute path of the engine bundle (`dist/engine.js`). */
  enginePath: string;
  /** Added to the child's environment (after process.env). */
  env?: NodeJS.ProcessEnv;
  /** How long the child may take to send `ready` (loading TensorFlow.js). */
  readyTimeoutMs?: number;
  /** The child's niceness (`os.setPriority`); default ENGINE_NICENESS. */
  niceness?: number;
}

/**
 * The engine process runs at a lower priority than the editor: training is a background job and
 * takes a core whole, and on a 2-core machine the extension host, the workbench's renderer and the
 * engine compete for them. Lowered, the engine gives way whenever the editor has work (typing, a
 * panel drawing a map) and still has the core to itself when the editor is idle. On Windows libuv
 * maps it to BELOW_NORMAL_PRIORITY_CLASS.
 */
export const ENGINE_NICENESS = 10;

/** A live run lost with its engine process. */
export interface RunFailure {
  runId: string;
  runDir: string;
  reason: string;
  /** The status now on disk. */
  status: RunStatus;
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True after `shutdown()`/`dispose()` asked for it. */
  expected: boolean;
  reason: string;
}

export interface EngineClientEvents {
  /** Every valid message from the engine, in order. */
  message: [EngineToHost];
  runFailed: [RunFailure];
  exit: [EngineExit];
  /** A message from the child that is not part of the protocol (ignored); the reason, one line. */
  invalidMessage: [string];
  /** A line the child printed on stdout or stderr (not protocol). */
  output: [string];
}

export type TrainParams = Omit<TrainRequest, 'type' | 'requestId'>;
export type PredictParams = Omit<PredictRequest, 'type' | 'requestId'>;
export type FillParams = Omit<FillRequest, 'type' | 'requestId'>;
export type TrainVariantsParams = Omit<TrainVariantsRequest, 'type' | 'requestId'>;
export type SampleParams = Omit<SampleRequest, 'type' | 'requestId'>;
/** What a generation streams before it ends. */
export type SampleEvent = EngineMessage<'sampleStarted'> | EngineMessage<'sampleToken'>;
export type SampleEnded = EngineMessage<'sampleEnded'>;

/** A generation in the engine: its request id (for `stopSample`) and its end. */
export interface SampleHandle {
  requestId: string;
  /** Resolves with `sampleEnded`; rejects with the engine's one-line error or when it exits. */
  done: Promise<SampleEnded>;
}

interface Pending {
  kind: 'train' | 'variants' | 'predict' | 'fill' | 'stop' | 'sample';
  runId?: string;
  /** `variants`: called for each run of the sequence as it starts, or when it is reused. */
  onRun?: (run: RunStarted | RunReused) => void;
  /** `sample`: called for `sampleStarted` and every `sampleToken`. */
  onSampleEvent?: (event: SampleEvent) => void;
  resolve: (value: never) => void;
  reject: (error: Error) => void;
}

/** A request the engine refused (an `error` message answering it). */
export class EngineRequestError extends Error {}

/** The engine process ended before answering. */
export class EngineExitedError extends Error {}

const DEFAULT_READY_TIMEOUT_MS = 60_000;

/**
 * The line of the child's output that best says why it ended: the last error message, skipping
 * stack frames and Node's version banner; else the last line.
 */
export function tellingLine(lines: readonly string[]): string | undefined {
  const useful = lines.filter(
    (line) => !/^\s*at\s/.test(line) && !/^Node\.js v\d/.test(line) && !/^\s*\^+\s*$/.test(line),
  );
  return [...useful].reverse().find((line) => /error|cannot|failed|missing/i.test(line)) ?? useful.at(-1);
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null, lastOutput?: string): string {
  const how = signal
    ? `the engine process was killed by signal ${signal}`
    : `the engine process exited with code ${code ?? 'unknown'}`;
  return lastOutput ? `${how}: ${lastOutput}` : how;
}

export class EngineClient {
  private readonly emitter = new EventEmitter();
  private child: ChildProcess | null = null;
  private starting: Promise<ChildProcess> | null = null;
  private readonly pending = new Map<string, Pending>();
  /** runId → runDir for runs between `runStarted` and `runEnded`. */
  private readonly live = new Map<string, string>();
  private outputTail: string[] = [];
  private exitExpected = false;
  private disposed = false;

  constructor(private readonly options: EngineClientOptions) {}

  /** The engine child's pid while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Runs being trained by the current engine process: runId → runDir. */
  get liveRuns(): ReadonlyMap<string, string> {
    return this.live;
  }

  on<E extends keyof EngineClientEvents>(event: E, listener: (...args: EngineClientEvents[E]) => void): () => void {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...args: unknown[]) => void);
  }

  /** Starts a run; resolves when the engine has created its folder (`runStarted`). */
  async train(params: TrainParams): Promise<RunStarted> {
    return this.request<RunStarted>('train', (requestId) => ({ type: 'train', requestId, ...params }));
  }

  /**
   * Trains variants one after another in the engine (same seed and data); `onRun` is called as
   * each run starts (`runStarted`), and before them for a finished run the sequence reuses
   * (`runReused`). Resolves with how each variant ended; rejects when the engine refuses the
   * request or exits.
   */
  async trainVariants(
    params: TrainVariantsParams,
    onRun?: (run: RunStarted | RunReused) => void,
  ): Promise<VariantOutcome[]> {
    return this.request<VariantOutcome[]>(
      'variants',
      (requestId) => ({ type: 'trainVariants', requestId, ...params }),
      undefined,
      onRun,
    );
  }

  /** Greedy-decodes `text` with a saved run's model (on the backend the run was trained on). */
  async predict(params: PredictParams): Promise<Prediction> {
    return this.request<Prediction>('predict', (requestId) => ({ type: 'predict', requestId, ...params }));
  }

  /** A masked language model's top words and attention at each `[MASK]` of `text` (between two steps while it trains). */
  async fill(params: FillParams): Promise<FillResult> {
    return this.request<FillResult>('fill', (requestId) => ({ type: 'fill', requestId, ...params }));
  }

  /**
   * Generates text with a language-model run's saved weights; `onEvent` sees `sampleStarted` and
   * every `sampleToken` as they come. `stopSample(handle.requestId)` ends it after its current token.
   */
  sample(params: SampleParams, onEvent: (event: SampleEvent) => void): SampleHandle {
    const requestId = randomUUID();
    const done = this.request<SampleEnded>(
      'sample',
      (id) => ({ type: 'sample', requestId: id, ...params }),
      undefined,
      undefined,
      { requestId, onSampleEvent: onEvent },
    );
    return { requestId, done };
  }

  /** Asks the engine to stop generation `requestId` after its current token (nothing when it has ended). */
  stopSample(requestId: string): void {
    const child = this.child;
    if (!child || this.pending.get(requestId)?.kind !== 'sample') return;
    try {
      this.sendTo(child, { type: 'stopSample', requestId });
    } catch {
      // The engine is gone: the generation's promise rejects with the reason.
    }
  }

  /** Asks the engine to stop a live run; resolves with its final status (`runEnded`). */
  async stop(runId: string): Promise<RunStatus | null> {
    if (!this.child || !this.live.has(runId)) return null;
    return this.request<RunStatus>('stop', (requestId) => ({ type: 'stop', requestId, runId }), runId);
  }

  /** Asks the engine to finish (stopping a live run cleanly) and exit; kills it after `timeoutMs`. */
  async shutdown(timeoutMs = 5000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.exitExpected = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
      }, timeoutMs);
      child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        this.sendTo(child, { type: 'shutdown' });
      } catch {
        child.kill('SIGKILL');
      }
    });
  }

  /** Kills the engine without waiting; no further requests are accepted. */
  dispose(): void {
    this.disposed = true;
    this.exitExpected = true;
    this.child?.kill('SIGKILL');
  }

  private async request<T>(
    kind: Pending['kind'],
    build: (requestId: string) => HostToEngine,
    runId?: string,
    onRun?: (run: RunStarted | RunReused) => void,
    sample?: { requestId: string; onSampleEvent: (event: SampleEvent) => void },
  ): Promise<T> {
    if (this.disposed) throw new Error('the engine client was disposed');
    const child = await this.ensureStarted();
    const requestId = sample?.requestId ?? randomUUID();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(requestId, {
        kind,
        runId,
        onRun,
        onSampleEvent: sample?.onSampleEvent,
        resolve: resolve as (value: never) => void,
        reject,
      });
      try {
        this.sendTo(child, build(requestId));
      } catch (error) {
        this.pending.delete(requestId);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private sendTo(child: ChildProcess, message: HostToEngine): void {
    if (!child.connected) throw new EngineExitedError('the engine process is not running');
    child.send(message);
  }

  /** The running engine, forking a fresh one (and waiting for `ready`) when there is none. */
  private ensureStarted(): Promise<ChildProcess> {
    if (this.starting) return this.starting;
    if (!fs.existsSync(this.options.enginePath)) {
      return Promise.reject(
        new EngineExitedError(
          `the engine bundle ${this.options.enginePath} is missing; build it with \`npm run build\``,
        ),
      );
    }
    this.exitExpected = false;
    this.outputTail = [];
    const child = fork(this.options.enginePath, [], {
      execArgv: [],
      serialization: 'json',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        ...this.options.env,
        [ENGINE_MODE_ENV]: ENGINE_MODE_WORKER,
        // Inside VS Code's Electron the same binary must run as plain Node.
        ELECTRON_RUN_AS_NODE: '1',
      },
    });
    this.child = child;
    if (child.pid !== undefined) {
      try {
        os.setPriority(child.pid, this.options.niceness ?? ENGINE_NICENESS);
      } catch (error) {
        // Not permitted on this system: the engine runs at normal priority; say so, once per start.
        const reason = error instanceof Error ? error.message : String(error);
        this.emitter.emit('output', `[host] engine priority not lowered: ${reason}`);
      }
    }
    this.starting = new Promise<ChildProcess>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(
          new EngineExitedError(
            `the engine did not start within ${Math.round((this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS) / 1000)} s`,
          ),
        );
        child.kill('SIGKILL');
      }, this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(child);
      };
      child.on('message', (raw: unknown) => {
        if (child !== this.child) return;
        const parsed = parseEngineMessage(raw);
        if (!parsed.ok) {
          this.emitter.emit('invalidMessage', parsed.reason);
          return;
        }
        if (parsed.value.type === 'ready') settle();
        this.handle(parsed.value);
      });
      child.on('error', (error) => settle(new EngineExitedError(`the engine could not be started: ${error.message}`)));
      // 'close' (not 'exit'): the child's last stderr lines have arrived by then.
      child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
        const reason = describeExit(code, signal, signal ? undefined : tellingLine(this.outputTail));
        settle(new EngineExitedError(reason));
        if (child === this.child) this.handleExit(code, signal, reason);
      });
      for (const stream of [child.stdout, child.stderr]) {
        stream?.setEncoding('utf8');
        let partial = '';
        stream?.on('data', (chunk: string) => {
          const lines = (partial + chunk).split(/\r?\n/);
          partial = lines.pop() ?? '';
          for (const line of lines) this.output(line);
        });
        stream?.on('end', () => {
          if (partial) this.output(partial);
          partial = '';
        });
      }
    });
    // A failed start must not poison later requests: forget it so the next one forks afresh.
    this.starting.catch(() => {
      if (this.child === child) {
        this.child = null;
        this.starting = null;
      }
    });
    return this.starting;
  }

  private output(line: string): void {
    if (!line.trim()) return;
    this.outputTail.push(line.trim());
    if (this.outputTail.length > 20) this.outputTail.shift();
    this.emitter.emit('output', line);
  }

  private handle(message: EngineToHost): void {
    switch (message.type) {
      case 'runStarted': {
        this.live.set(message.runId, message.runDir);
        const pending = this.pending.get(message.requestId);
        if (pending?.kind === 'variants') pending.onRun?.(message);
        else this.settle(message.requestId, (p) => p.resolve(message as never));
        break;
      }
      case 'runReused': {
        const pending = this.pending.get(message.requestId);
        if (pending?.kind === 'variants') pending.onRun?.(message);
        break;
      }
      case 'variantsEnded':
        this.settle(message.requestId, (p) => p.resolve(message.outcomes as never));
        break;
      case 'runEnded':
        this.live.delete(message.runId);
        for (const [requestId, pending] of this.pending) {
          if (pending.kind === 'stop' && pending.runId === message.runId)
            this.settle(requestId, (p) => p.resolve(message.status as never));
        }
        break;
      case 'prediction':
        this.settle(message.requestId, (p) => p.resolve(message.prediction as never));
        break;
      case 'filled':
        this.settle(message.requestId, (p) => p.resolve(message.fill as never));
        break;
      case 'sampleStarted':
      case 'sampleToken':
        this.pending.get(message.requestId)?.onSampleEvent?.(message);
        break;
      case 'sampleEnded':
        this.settle(message.requestId, (p) => p.resolve(message as never));
        break;
      case 'error':
        if (message.requestId) this.settle(message.requestId, (p) => p.reject(new EngineRequestError(message.message)));
        break;
      default:
        break;
    }
    this.emitter.emit('message', message);
  }

  private settle(requestId: string, action: (pending: Pending) => void): void {
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    action(pending);
  }

  private handleExit(code: number | null, signal: NodeJS.Signals | null, reason: string): void {
    const expected = this.exitExpected;
    this.child = null;
    this.starting = null;
    const lost = [...this.live];
    this.live.clear();
    for (const [runId, runDir] of lost) {
      const status = markRunFailed(runDir, reason);
      this.emitter.emit('runFailed', { runId, runDir, reason, status } satisfies RunFailure);
    }
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new EngineExitedError(reason));
    this.emitter.emit('exit', { code, signal, expected, reason } satisfies EngineExit);
  }
}
