/**
 * Messages between the extension host and the lab panel's webview (`dist/webview.js`).
 * The webview only renders: it receives plain data and never touches tensors or files.
 * Messages from the webview are untrusted: the host validates them with
 * `validateWebviewMessage` before acting.
 */
import type {
  AttentionSnapshot,
  ChapterInfo,
  EpochMetrics,
  Language,
  Prediction,
  RunSnapshot,
  RunStatus,
  SamplesSnapshot,
  StepMetrics,
  TrainOverrides,
} from './run';

// ── host → webview ────────────────────────────────────────────────────────────

/** The whole run, sent when the panel (re)loads; everything after it is incremental. */
export interface InitMessage {
  type: 'init';
  language: Language;
  /** Every UI string in the chosen language, keyed by `WebviewStringKey`. */
  strings: Record<string, string>;
  chapter: ChapterInfo;
  /** The run folder this panel shows (kept in the webview's state so a reload reopens it), or null for a chapter preview. */
  runDir: string | null;
  /**
   * The run, or null when there is none to show: with `damagedReason` the folder is damaged;
   * without it the panel is a chapter preview (learning contract only, e.g. a chapter that
   * cannot be trained yet).
   */
  run: RunSnapshot | null;
  damagedReason?: string;
  /** Whether training can be started from this panel (false in Restricted Mode). */
  canTrain: boolean;
  /** Whether the run is being trained right now by this window's engine. */
  live: boolean;
}

export interface EpochMessage {
  type: 'epoch';
  metrics: EpochMetrics;
  attention: AttentionSnapshot | null;
  samples: SamplesSnapshot;
}

export interface StepMessage {
  type: 'step';
  metrics: StepMetrics;
}

export interface ProgressMessage {
  type: 'progress';
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  trainLoss: number;
}

export interface StatusMessage {
  type: 'status';
  status: RunStatus;
  live: boolean;
}

/** The snapshot of an older epoch, answering `requestAttention`. */
export interface AttentionMessage {
  type: 'attention';
  snapshot: AttentionSnapshot;
}

/** The answer to `predict` ("Try it"). */
export interface PredictionMessage {
  type: 'prediction';
  text: string;
  prediction: Prediction;
}

/** Something the learner should read (one line), e.g. a refused request or a failed prediction. */
export interface ErrorMessage {
  type: 'error';
  message: string;
}

export type HostToWebview =
  | InitMessage
  | EpochMessage
  | StepMessage
  | ProgressMessage
  | StatusMessage
  | AttentionMessage
  | PredictionMessage
  | ErrorMessage;

// ── webview → host ────────────────────────────────────────────────────────────

/** The script loaded; the host answers with `init`. */
export interface ReadyMessage {
  type: 'ready';
}

/** Ask for the attention snapshot of `epoch` (1-based, must be one of `attentionEpochs`). */
export interface RequestAttentionMessage {
  type: 'requestAttention';
  epoch: number;
}

/** "Try it": decode `text` with this run's saved model. */
export interface PredictRequestMessage {
  type: 'predict';
  text: string;
}

/** Start a new run of this panel's chapter with edited hyperparameters. */
export interface TrainRequestMessage {
  type: 'train';
  overrides: TrainOverrides;
}

/** Stop this panel's live run. */
export interface StopRequestMessage {
  type: 'stop';
}

export type WebviewToHost =
  ReadyMessage | RequestAttentionMessage | PredictRequestMessage | TrainRequestMessage | StopRequestMessage;

/** State the webview keeps with `setState` so a reload restores the same view. */
export interface WebviewState {
  runDir: string;
  probeIndex: number;
  epoch: number | null;
  selectedRow: number | null;
  selectedColumn: number | null;
  mode: 'greedy' | 'teacherForced';
}

// ── validation of untrusted webview messages ─────────────────────────────────

export const LIMITS = {
  maxTextLength: 200,
  maxEpochs: 1000,
  maxBatchSize: 1024,
  maxHiddenSize: 1024,
  minLearningRate: 1e-6,
  maxLearningRate: 1,
  maxSeed: 2 ** 31 - 1,
} as const;

export type Validated<T> = { ok: true; message: T } | { ok: false; error: string };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function positiveInteger(x: unknown, max: number): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= max;
}

function onlyKeys(record: Record<string, unknown>, allowed: string[]): string | null {
  const extra = Object.keys(record).filter((k) => !allowed.includes(k));
  return extra.length ? extra.join(', ') : null;
}

function validateOverrides(x: unknown): string | null {
  if (!isRecord(x)) return 'overrides must be an object';
  const extra = onlyKeys(x, ['task', 'epochs', 'batchSize', 'learningRate', 'hiddenSize', 'seed']);
  if (extra) return `unknown override(s): ${extra}`;
  if (x.task !== undefined && (typeof x.task !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(x.task)))
    return 'task must be a task name';
  if (x.epochs !== undefined && !positiveInteger(x.epochs, LIMITS.maxEpochs))
    return `epochs must be an integer from 1 to ${LIMITS.maxEpochs}`;
  if (x.batchSize !== undefined && !positiveInteger(x.batchSize, LIMITS.maxBatchSize))
    return `batchSize must be an integer from 1 to ${LIMITS.maxBatchSize}`;
  if (x.hiddenSize !== undefined && !positiveInteger(x.hiddenSize, LIMITS.maxHiddenSize))
    return `hiddenSize must be an integer from 1 to ${LIMITS.maxHiddenSize}`;
  if (
    x.seed !== undefined &&
    !(typeof x.seed === 'number' && Number.isInteger(x.seed) && x.seed >= 0 && x.seed <= LIMITS.maxSeed)
  )
    return 'seed must be a non-negative integer';
  if (
    x.learningRate !== undefined &&
    !(
      typeof x.learningRate === 'number' &&
      Number.isFinite(x.learningRate) &&
      x.learningRate >= LIMITS.minLearningRate &&
      x.learningRate <= LIMITS.maxLearningRate
    )
  ) {
    return `learningRate must be a number from ${LIMITS.minLearningRate} to ${LIMITS.maxLearningRate}`;
  }
  return null;
}

/**
 * Checks a message received from the webview against the protocol. Returns the typed message, or
 * a one-line error naming what is wrong (unknown type, missing or out-of-range field, extra field).
 */
export function validateWebviewMessage(raw: unknown): Validated<WebviewToHost> {
  if (!isRecord(raw)) return { ok: false, error: 'message is not an object' };
  const fail = (error: string): Validated<WebviewToHost> => ({ ok: false, error: `${String(raw.type)}: ${error}` });
  switch (raw.type) {
    case 'ready':
    case 'stop': {
      const extra = onlyKeys(raw, ['type']);
      return extra ? fail(`unexpected field(s) ${extra}`) : { ok: true, message: { type: raw.type } };
    }
    case 'requestAttention': {
      const extra = onlyKeys(raw, ['type', 'epoch']);
      if (extra) return fail(`unexpected field(s) ${extra}`);
      if (!positiveInteger(raw.epoch, 100000)) return fail('epoch must be a positive integer');
      return { ok: true, message: { type: 'requestAttention', epoch: raw.epoch as number } };
    }
    case 'predict': {
      const extra = onlyKeys(raw, ['type', 'text']);
      if (extra) return fail(`unexpected field(s) ${extra}`);
      if (typeof raw.text !== 'string') return fail('text must be a string');
      const text = raw.text.trim();
      if (text.length === 0) return fail('text is empty');
      if (text.length > LIMITS.maxTextLength) return fail(`text is longer than ${LIMITS.maxTextLength} characters`);
      return { ok: true, message: { type: 'predict', text } };
    }
    case 'train': {
      const extra = onlyKeys(raw, ['type', 'overrides']);
      if (extra) return fail(`unexpected field(s) ${extra}`);
      const problem = validateOverrides(raw.overrides);
      if (problem) return fail(problem);
      return { ok: true, message: { type: 'train', overrides: raw.overrides as TrainOverrides } };
    }
    default:
      return { ok: false, error: `unknown message type ${JSON.stringify(raw.type)}` };
  }
}
