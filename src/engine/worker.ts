/**
 * The engine process the extension forks: reads `HostToEngine` messages (validated with the
 * shared schema), trains and predicts, and sends `EngineToHost` messages. Progress is throttled
 * to ≤ 10 messages a second; evaluation results are never dropped. One run trains at a time, and
 * a backend chosen for a run stays until the run ends (a prediction meanwhile uses it too).
 */
import * as v from 'valibot';
import {
  HostToEngineSchema,
  type EngineToHost,
  type HostToEngine,
  type PredictRequest,
  type TrainRequest,
  type TrainVariantsRequest,
} from '../shared/protocol/engine';
import { describeIssues } from '../shared/schema';
import { readConfig } from '../runStore';
import { selectBackend } from './backend';
import { trainableChapter } from './chapters/registry';
import { loadRun, predictText, type LoadedRun } from './predict';
import { DEFAULT_SEED, TrainError } from './train/runConfig';
import { train, type TrainerEvents } from './train/trainer';
import { planVariants, trainVariants } from './train/variants';
import { PACKAGE_VERSION } from './version';

const PROGRESS_INTERVAL_MS = 100;

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
      case 'shutdown':
        this.shuttingDown = true;
        if (this.live) this.live.stop = true;
        else this.exit();
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
      epoch: (metrics, attention, samples) => {
        if (runDir) this.forget(runDir); // new weights are on disk: the next predict reloads them
        this.send({ type: 'epoch', runId: live.runId ?? '', metrics, attention, samples });
      },
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
      let run = this.loaded.get(request.runDir);
      if (!run) {
        // While a run trains (or starts), its backend stays in use: never switch it under the
        // training loop. Otherwise predict on the backend the run was trained on, when available.
        const loading = await this.withBackendTurn(async () => {
          const trainedOn = await readConfig(request.runDir).then(
            (config) => config.backend,
            () => null, // loadRun reports a damaged run in its own words
          );
          if (!this.live && trainedOn) await selectBackend(trainedOn).catch(() => undefined);
          return loadRun(request.runDir);
        });
        run = this.loaded.get(request.runDir);
        if (run) loading.dispose();
        else this.loaded.set(request.runDir, (run = loading));
      }
      const prediction = predictText(run, request.text);
      this.send({ type: 'prediction', requestId: request.requestId, prediction });
    } catch (error) {
      this.send({
        type: 'error',
        requestId: request.requestId,
        message: error instanceof Error ? error.message.split('\n')[0] : String(error),
      });
    }
  }

  /** Forget a cached model (e.g. after the run was retrained). */
  forget(runDir: string): void {
    this.loaded.get(runDir)?.dispose();
    this.loaded.delete(runDir);
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
    // Stop, shutdown and predict are served at once, between two training steps (the trainer
    // yields to the event loop after every step), not after the run.
    void worker.receive(message);
  });
  process.on('disconnect', () => process.exit(0));
  // SIGTERM (the system shutting down, a `kill`) is a shutdown request: a live run stops cleanly
  // after its current step and is saved as `stopped`; then the process exits.
  process.on('SIGTERM', () => void worker.handle({ type: 'shutdown' }));
  send({ type: 'ready', packageVersion: PACKAGE_VERSION });
}
