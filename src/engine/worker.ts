/**
 * The engine process the extension forks: reads `HostToEngine` messages (validated with the
 * shared schema), trains, predicts and samples, and sends `EngineToHost` messages. Progress is
 * throttled to ≤ 10 messages a second; evaluation results are never dropped. One run trains at a
 * time, and a backend chosen for a run stays until the run ends (a prediction or a sample
 * meanwhile uses it too). A sample streams its tokens in slices of about SAMPLE_SLICE_MS, yielding
 * to the event loop between slices, so a run that is training keeps training between them.
 */
import * as v from 'valibot';
import {
  HostToEngineSchema,
  type EngineToHost,
  type HostToEngine,
  type FillRequest,
  type PredictRequest,
  type SampleRequest,
  type TrainRequest,
  type TrainVariantsRequest,
} from '../shared/protocol/engine';
import { packFloat32 } from '../shared/run/packed';
import { describeIssues } from '../shared/schema';
import { readConfig, readStatus } from '../runStore';
import { selectBackend } from './backend';
import { trainableChapter } from './chapters/registry';
import { isMaskedLmData } from './kits/maskedLm/data';
import { isLanguageModelData } from './kits/languageModel/data';
import type { Sampler } from './kits/languageModel/sample';
import { loadRun, predictText, type LoadedRun } from './predict';
import { DEFAULT_SEED, TrainError } from './train/runConfig';
import { train, type TrainerEvents } from './train/trainer';
import { planVariants, trainVariants } from './train/variants';
import { PACKAGE_VERSION } from './version';

const PROGRESS_INTERVAL_MS = 100;
/** A sample generates tokens for about this long, then lets the event loop (and a training run) go on. */
export const SAMPLE_SLICE_MS = 100;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface LiveRun {
  runId: string | null;
  stop: boolean;
}

export class EngineWorker {
  private live: LiveRun | null = null;
  private shuttingDown = false;
  /**
   * Backend changes, one at a time: a run's start (its backend chosen) and a prediction's switch to
   * the backend its run was trained on never interleave, so a prediction that began before a run
   * cannot switch the backend under the run's first steps.
   */
  private backendTurn: Promise<void> = Promise.resolve();

  private async withBackendTurn<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.backendTurn;
    let release!: () => void;
    this.backendTurn = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
  private readonly loaded = new Map<string, LoadedRun>();
  /** Generations in progress, by request id: `stop` ends one after its current token. */
  private readonly samples = new Map<string, { stop: boolean }>();
  /** How many requests use a loaded model now; a model forgotten meanwhile is disposed when the last ends. */
  private readonly users = new Map<LoadedRun, number>();
  private readonly stale = new Set<LoadedRun>();

  constructor(private readonly send: (message: EngineToHost) => void) {}

  /** Handles a raw message from the host: anything that is not a valid request is answered with an error. */
  async receive(raw: unknown): Promise<void> {
    const parsed = v.safeParse(HostToEngineSchema, raw);
    if (!parsed.success) {
      this.send({ type: 'error', message: `invalid request: ${describeIssues(parsed.issues)}` });
      return;
    }
    await this.handle(parsed.output);
  }

  async handle(message: HostToEngine): Promise<void> {
    switch (message.type) {
      case 'train':
        return this.train(message);
      case 'trainVariants':
        return this.trainVariants(message);
      case 'stop':
        if (this.live && (message.runId === this.live.runId || message.runId === '*')) this.live.stop = true;
        else
          this.send({ type: 'error', requestId: message.requestId, message: `no live run ${message.runId} to stop` });
        return;
      case 'predict':
        return this.predict(message);
      case 'fill':
        return this.fill(message);
      case 'sample':
        return this.sample(message);
      case 'stopSample': {
        const sample = this.samples.get(message.requestId);
        if (sample) sample.stop = true;
        else
          this.send({ type: 'error', requestId: message.requestId, message: `no sample ${message.requestId} to stop` });
        return;
      }
      case 'shutdown':
        this.shuttingDown = true;
        for (const sample of this.samples.values()) sample.stop = true;
        if (this.live) this.live.stop = true;
        else if (this.samples.size === 0) this.exit();
        return;
    }
  }

  private exit(): void {
    for (const run of this.loaded.values()) run.dispose();
    this.loaded.clear();
    process.exit(0);
  }

  private async train(request: TrainRequest): Promise<void> {
    if (this.live) {
      this.send({
        type: 'error',
        requestId: request.requestId,
        message: 'a run is already training in this window; stop it first',
      });
      return;
    }
    const chapter = trainableChapter(request.chapter);
    if (!chapter) {
      this.send({
        type: 'error',
        requestId: request.requestId,
        message: `chapter ${request.chapter} cannot be trained by this version yet`,
      });
      return;
    }
    const live: LiveRun = { runId: null, stop: false };
    this.live = live;
    // Wait for a prediction that is switching backends; from here on `live` keeps them away.
    await this.withBackendTurn(async () => undefined);
    try {
      await train(
        {
          chapter,
          runsDir: request.runsDir,
          backend: request.backend,
          packageVersion: PACKAGE_VERSION,
          task: request.task,
          variant: request.variant,
          seed: request.seed,
          overrides: request.overrides,
          resume: request.resume,
          corpus: request.corpus,
          shouldStop: () => live.stop,
        },
        this.trainerEvents(request.requestId, live),
      );
    } catch (error) {
      this.send({
        type: 'error',
        requestId: request.requestId,
        message: error instanceof Error ? error.message.split('\n')[0] : String(error),
      });
    } finally {
      this.live = null;
      if (this.shuttingDown) this.exit();
    }
  }

  /**
   * The saved model of `runDir`, loaded once and kept until its run saves newer weights.
   * `sampling`: the caller is a sample, already counted in `samples` (it must not hold the backend
   * back for itself: on a fresh engine no backend is initialised until one is selected here).
   */
  private async runFor(runDir: string, sampling = false): Promise<LoadedRun> {
    const cached = this.loaded.get(runDir);
    if (cached) return cached;
    // While a run trains (or starts) or another sample runs, the backend stays in use: never switch
    // it under them. Otherwise use the backend the run was trained on, when it is available here.
    const loading = await this.withBackendTurn(async () => {
      const trainedOn = await readConfig(runDir).then(
        (config) => config.backend,
        () => null, // loadRun reports a damaged run in its own words
      );
      const otherSamples = this.samples.size - (sampling ? 1 : 0);
      if (!this.live && otherSamples === 0 && trainedOn) await selectBackend(trainedOn).catch(() => undefined);
      return loadRun(runDir);
    });
    const run = this.loaded.get(runDir);
    if (run) {
      loading.dispose(); // another request loaded it meanwhile
      return run;
    }
    this.loaded.set(runDir, loading);
    return loading;
  }

  /** Events of the trainer as protocol messages for the live run (`runStarted` answers `requestId`). */
  private trainerEvents(requestId: string, live: LiveRun): Partial<TrainerEvents> {
    let lastProgress = 0;
    let runDir: string | null = null;
    return {
      runStarted: (run) => {
        live.runId = run.runId;
        runDir = run.runDir;
        lastProgress = 0;
        this.send({ type: 'runStarted', requestId, ...run });
      },
      progress: (p) => {
        const now = Date.now();
        if (now - lastProgress < PROGRESS_INTERVAL_MS && p.batch !== p.batches) return;
        lastProgress = now;
        this.send({ type: 'progress', runId: live.runId ?? '', ...p });
      },
      stepMetrics: (metrics) => this.send({ type: 'stepMetrics', runId: live.runId ?? '', metrics }),
      epoch: (metrics, attention, samples, figures) => {
        if (runDir) this.forget(runDir); // new weights are on disk: the next predict reloads them
        this.send({
          type: 'epoch',
          runId: live.runId ?? '',
          metrics,
          attention,
          samples,
          ...(figures ? { figures } : {}),
        });
      },
      attentionPreview: (attention) => this.send({ type: 'attentionPreview', runId: live.runId ?? '', attention }),
      log: (line) => this.send({ type: 'log', runId: live.runId ?? '', line }),
      ended: (status) => this.send({ type: 'runEnded', runId: live.runId ?? '', status }),
    };
  }

  /** Trains variants one after another with one seed; a failing one does not stop the others, a stop ends the sequence. */
  private async trainVariants(request: TrainVariantsRequest): Promise<void> {
    const refuse = (message: string): void => this.send({ type: 'error', requestId: request.requestId, message });
    if (this.live) return refuse('a run is already training in this window; stop it first');
    const chapter = trainableChapter(request.chapter);
    if (!chapter) return refuse(`chapter ${request.chapter} cannot be trained by this version yet`);
    const setup = {
      chapter,
      runsDir: request.runsDir,
      backend: request.backend,
      packageVersion: PACKAGE_VERSION,
      task: request.task,
      seed: request.seed ?? DEFAULT_SEED,
      overrides: request.overrides,
      variants: request.variants,
      corpus: request.corpus,
    };
    try {
      planVariants(setup);
    } catch (error) {
      if (error instanceof TrainError) return refuse(error.message);
      throw error;
    }
    const live: LiveRun = { runId: null, stop: false };
    this.live = live;
    await this.withBackendTurn(async () => undefined); // as in train: no prediction switches the backend under it
    try {
      const outcomes = await trainVariants(
        { ...setup, shouldStop: () => live.stop },
        {
          ...this.trainerEvents(request.requestId, live),
          variantStarting: () => {
            live.runId = null;
          },
          runReused: (run) => this.send({ type: 'runReused', requestId: request.requestId, ...run }),
        },
      );
      this.send({ type: 'variantsEnded', requestId: request.requestId, outcomes });
    } catch (error) {
      refuse(error instanceof Error ? error.message.split('\n')[0] : String(error));
    } finally {
      this.live = null;
      if (this.shuttingDown) this.exit();
    }
  }

  private async predict(request: PredictRequest): Promise<void> {
    try {
      const run = await this.runFor(request.runDir);
      const prediction = predictText(run, request.text);
      this.send({ type: 'prediction', requestId: request.requestId, prediction });
    } catch (error) {
      this.sendError(request.requestId, error);
    }
  }

  /** A masked language model's guesses at each `[MASK]` of the text, and each mask's attention. */
  private async fill(request: FillRequest): Promise<void> {
    try {
      const run = await this.runFor(request.runDir);
      if (!isMaskedLmData(run.data)) {
        throw new Error(`fill needs a masked language model (bert-mlm); this run is ${run.config.chapter}`);
      }
      const fill = run.data.fill(run.model, request.text, request.top);
      this.send({ type: 'filled', requestId: request.requestId, fill });
    } catch (error) {
      this.sendError(request.requestId, error);
    }
  }

  private sendError(requestId: string, error: unknown): void {
    this.send({
      type: 'error',
      requestId,
      message: error instanceof Error ? error.message.split('\n')[0] : String(error),
    });
  }

  /** Forget a cached model (e.g. after the run was retrained). */
  /**
   * Generates text with a language model's saved weights and streams it: `sampleStarted`, a
   * `sampleToken` per token, `sampleEnded`. Between slices of SAMPLE_SLICE_MS it yields to the
   * event loop, so a training run (which yields after every step) goes on meanwhile.
   */
  private async sample(request: SampleRequest): Promise<void> {
    const { requestId } = request;
    if (this.samples.has(requestId)) {
      this.send({ type: 'error', requestId, message: `a sample with request id ${requestId} is already running` });
      return;
    }
    const control = { stop: false };
    this.samples.set(requestId, control);
    let run: LoadedRun | null = null;
    let sampler: Sampler | null = null;
    try {
      run = await this.runFor(request.runDir, true);
      this.users.set(run, (this.users.get(run) ?? 0) + 1);
      const data = run.data;
      if (!isLanguageModelData(data)) {
        throw new Error(
          `${run.config.chapter} is not a language model: only decoder-only language models (mini-gpt, modern-attention) can sample`,
        );
      }
      const epoch = await readStatus(request.runDir).then(
        (status) => status.epochsCompleted,
        () => 0,
      );
      const withAttention = request.attention ?? true;
      sampler = data.sampler(run.model, {
        prompt: request.prompt,
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        topK: request.topK,
        topP: request.topP,
        seed: request.seed,
        topCount: request.topCount ?? 10,
        attention: withAttention,
      });
      const hyper = run.config.hyperparameters;
      this.send({
        type: 'sampleStarted',
        requestId,
        runId: run.config.runId,
        epoch,
        promptTokens: sampler.promptTokens,
        unknownTokens: sampler.unknownTokens,
        layers: Number(hyper.layers),
        heads: Number(hyper.heads),
        context: data.context,
      });
      const started = Date.now();
      let slice = Date.now();
      while (!control.stop) {
        const step = sampler.next();
        if (!step) break;
        this.send({
          type: 'sampleToken',
          requestId,
          index: step.index,
          token: step.token,
          text: step.text,
          probability: step.probability,
          top: step.top.map(({ token, probability }) => ({ token, probability })),
          windowStart: step.windowStart,
          keys: step.keys,
          attention: step.attention.map((rows) => ({
            rows: rows.length / Math.max(step.keys, 1),
            columns: step.keys,
            data: packFloat32(rows),
          })),
        });
        if (Date.now() - slice >= SAMPLE_SLICE_MS) {
          await yieldToEventLoop();
          slice = Date.now();
        }
      }
      const seconds = (Date.now() - started) / 1000;
      this.send({
        type: 'sampleEnded',
        requestId,
        text: sampler.text(),
        tokens: sampler.tokens(),
        stopped: control.stop && !sampler.done,
        seconds,
        tokensPerSecond: sampler.ids.length / Math.max(seconds, 1e-9),
      });
    } catch (error) {
      this.send({
        type: 'error',
        requestId,
        message: error instanceof Error ? error.message.split('\n')[0] : String(error),
      });
    } finally {
      sampler?.dispose();
      this.samples.delete(requestId);
      if (run) this.release(run);
      if (this.shuttingDown && !this.live && this.samples.size === 0) this.exit();
    }
  }

  private release(run: LoadedRun): void {
    const users = (this.users.get(run) ?? 1) - 1;
    if (users > 0) {
      this.users.set(run, users);
      return;
    }
    this.users.delete(run);
    if (this.stale.delete(run)) run.dispose();
  }

  /** Forget a cached model (e.g. after the run was retrained); one in use is disposed when its last user ends. */
  forget(runDir: string): void {
    const run = this.loaded.get(runDir);
    this.loaded.delete(runDir);
    if (!run) return;
    if (this.users.has(run)) this.stale.add(run);
    else run.dispose();
  }
}

/** Wires the worker to this process's IPC channel. */
export function startWorker(): void {
  const send = (message: EngineToHost) => process.send?.(message);
  const worker = new EngineWorker(send);
  // Train requests are queued: one run at a time.
  let queue = Promise.resolve();
  process.on('message', (message: unknown) => {
    const type = (message as { type?: unknown } | null)?.type;
    if (type === 'train' || type === 'trainVariants') {
      queue = queue.then(() => worker.receive(message));
      return;
    }
    // Stop, shutdown, predict, fill and sample are served at once, between two training steps (the
    // trainer yields to the event loop after every step), not after the run.
    void worker.receive(message);
  });
  process.on('disconnect', () => process.exit(0));
  // SIGTERM (the system shutting down, a `kill`) is a shutdown request: a live run stops cleanly
  // after its current step and is saved as `stopped`; then the process exits.
  process.on('SIGTERM', () => void worker.handle({ type: 'shutdown' }));
  send({ type: 'ready', packageVersion: PACKAGE_VERSION });
}
