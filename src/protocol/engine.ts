/**
 * Messages between the extension host and the forked engine process (`dist/engine.js`, started
 * with the environment variable LLM_TUTOR_ENGINE=worker). Node IPC (`process.send`), JSON only:
 * NaN and Infinity arrive as `null` (e.g. `trainLoss` before the first loss is read, or after a
 * divergence); receivers read `null` numbers as NaN.
 * One interface per message, discriminated by `type`; one union per direction.
 */
import type {
  AttentionSnapshot,
  BackendChoice,
  BackendName,
  ChapterId,
  EpochMetrics,
  Prediction,
  RunConfig,
  RunStatus,
  SamplesSnapshot,
  ShapeEntry,
  StepMetrics,
  DatasetSizes,
  TrainOverrides,
} from './run';

// ── host → engine ─────────────────────────────────────────────────────────────

/** Start a run (or resume `resume`, a run folder) and save it under `runsDir`. */
export interface TrainRequest {
  type: 'train';
  requestId: string;
  chapter: ChapterId;
  runsDir: string;
  backend: BackendChoice;
  overrides: TrainOverrides & DatasetSizes;
  resume?: string;
}

/** Stop the live run between two steps; it is saved and marked `stopped`. */
export interface StopRequest {
  type: 'stop';
  requestId: string;
  runId: string;
}

/** Greedy-decode `text` with the saved model of the run in `runDir`. */
export interface PredictRequest {
  type: 'predict';
  requestId: string;
  runDir: string;
  text: string;
  backend: BackendChoice;
}

/** Finish what is running (stopping a live run cleanly) and exit. */
export interface ShutdownRequest {
  type: 'shutdown';
}

export type HostToEngine = TrainRequest | StopRequest | PredictRequest | ShutdownRequest;

// ── engine → host ─────────────────────────────────────────────────────────────

/** Sent once when the worker is ready for requests. */
export interface EngineReady {
  type: 'ready';
  packageVersion: string;
}

/** The run folder exists and training is about to start. */
export interface RunStarted {
  type: 'runStarted';
  requestId: string;
  runId: string;
  runDir: string;
  backend: BackendName;
  config: RunConfig;
  shapes: ShapeEntry[];
}

/** Throttled (at most ~10 a second): where the current epoch is. */
export interface TrainProgress {
  type: 'progress';
  runId: string;
  epoch: number;
  epochs: number;
  /** Batches done in this epoch / batches per epoch. */
  batch: number;
  batches: number;
  trainLoss: number;
}

/** A `kind: 'step'` metrics line was written. */
export interface StepMetricsEvent {
  type: 'stepMetrics';
  runId: string;
  metrics: StepMetrics;
}

/** An epoch ended: its metrics, attention and samples are on disk and included here. */
export interface EpochEnded {
  type: 'epoch';
  runId: string;
  metrics: EpochMetrics;
  attention: AttentionSnapshot | null;
  samples: SamplesSnapshot;
}

/** One line of the log, exactly as the CLI prints it. */
export interface LogLine {
  type: 'log';
  runId: string;
  line: string;
}

/** The run ended: completed, stopped or failed (the status is also on disk). */
export interface RunEnded {
  type: 'runEnded';
  runId: string;
  status: RunStatus;
}

export interface PredictResult {
  type: 'prediction';
  requestId: string;
  prediction: Prediction;
}

/** A request could not be carried out; `message` is one line for the learner. */
export interface EngineError {
  type: 'error';
  requestId?: string;
  message: string;
}

export type EngineToHost =
  | EngineReady
  | RunStarted
  | TrainProgress
  | StepMetricsEvent
  | EpochEnded
  | LogLine
  | RunEnded
  | PredictResult
  | EngineError;

/** The environment variable that makes `dist/engine.js` run as the worker instead of the CLI. */
export const ENGINE_MODE_ENV = 'LLM_TUTOR_ENGINE';
export const ENGINE_MODE_WORKER = 'worker';
