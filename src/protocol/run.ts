/**
 * The data of a run, as it lies in `runs/<run-id>/` and as it travels to the extension and the
 * webview. Plain JSON only: no tensors, no classes. See DESIGN.md "A run on disk".
 */

export const CHAPTER_IDS = [
  'seq2seq',
  'attention-seq2seq',
  'luong-attention',
  'self-attention',
  'multi-head-attention',
  'transformer-encoder',
  'transformer',
  'mini-gpt',
  'bert-mlm',
  'modern-attention',
] as const;
export type ChapterId = (typeof CHAPTER_IDS)[number];

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = 'auto' | BackendName;

export const LANGUAGES = ['en', 'zh-cn'] as const;
export type Language = (typeof LANGUAGES)[number];
/** A text in both of the course's languages. */
export interface Bilingual {
  en: string;
  'zh-cn': string;
}

/** `config.json`: everything needed to reproduce (or resume) the run. */
export interface RunConfig {
  runId: string;
  chapter: ChapterId;
  task: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  hiddenSize: number;
  embeddingSize: number;
  /** Width of the additive attention's hidden layer (attention chapters only). */
  attentionSize: number;
  /** Global gradient-norm clip. */
  clipNorm: number;
  seed: number;
  trainSize: number;
  validationSize: number;
  testSize: number;
  backend: BackendName;
  packageVersion: string;
  createdAt: string;
  /** The run this one continued from, when started with `--resume`. */
  resumedFrom?: string;
  /** Source and target vocabularies (token strings, index = id), so a saved model can be reused. */
  sourceVocab: string[];
  targetVocab: string[];
  /** 'char' joins tokens with '', 'word' with ' '. */
  tokenLevel: 'char' | 'word';
}

export type RunState = 'running' | 'completed' | 'stopped' | 'failed';

/** `status.json`. */
export interface RunStatus {
  state: RunState;
  startedAt: string;
  endedAt?: string;
  /** Epochs whose metrics, attention and samples are on disk. */
  epochsCompleted: number;
  error?: string;
}

/** Exact-match accuracy of validation examples whose source length falls in [minLength, maxLength]. */
export interface LengthBucket {
  minLength: number;
  maxLength: number;
  count: number;
  exactMatch: number;
  tokenAccuracy: number;
}

/**
 * One line of `metrics.jsonl` written at the end of every epoch. Numbers are JSON: a NaN or
 * infinite loss (a diverged run) is written, and sent over IPC, as `null`; readers turn it back
 * into NaN.
 */
export interface EpochMetrics {
  kind: 'epoch';
  epoch: number;
  /** Optimiser steps taken since the start of the run. */
  step: number;
  train_loss: number;
  val_loss: number;
  /** Fraction of non-padding target tokens predicted right under teacher forcing. */
  val_token_accuracy: number;
  /** Fraction of validation examples whose greedy decoding equals the target exactly. */
  val_exact_match: number;
  /** Wall-clock seconds since the run started (time spent in earlier runs included when resumed). */
  seconds: number;
  samples_per_second: number;
  buckets: LengthBucket[];
}

/** One line of `metrics.jsonl` written every N steps inside an epoch. */
export interface StepMetrics {
  kind: 'step';
  epoch: number;
  step: number;
  train_loss: number;
  seconds: number;
  samples_per_second: number;
}

export type MetricsRecord = EpochMetrics | StepMetrics;

/** One entry of `shapes.json`: a named tensor of one forward pass. */
export interface ShapeEntry {
  name: string;
  shape: number[];
  /** One name per dimension, e.g. ['batch', 'target_len', 'source_len']. */
  dims: string[];
  meaning: Bilingual;
}

/**
 * An attention map: `weights[row][column]`, rows are output (query) tokens, columns are source
 * (key) tokens. Every row sums to 1.
 */
export interface AttentionMap {
  layer: number;
  head: number;
  /** Which attention this is, e.g. 'cross-attention (additive)'. */
  label: string;
  rowTokens: string[];
  columnTokens: string[];
  weights: number[][];
}

/** The attention of one fixed probe example. */
export interface ProbeAttention {
  source: string[];
  target: string[];
  /** Greedy prediction, up to and including `<eos>` when the model produced it. */
  predicted: string[];
  /** Rows = target tokens (+ `<eos>`) under teacher forcing. */
  teacherForced: AttentionMap[];
  /** Rows = generated tokens, one row recorded per decoding step. */
  greedy: AttentionMap[];
}

/** `attention/epoch-NNN.json`. */
export interface AttentionSnapshot {
  epoch: number;
  probes: ProbeAttention[];
}

export interface Sample {
  source: string;
  target: string;
  predicted: string;
  sourceTokens: string[];
  targetTokens: string[];
  predictedTokens: string[];
  correct: boolean;
}

/** `samples/epoch-NNN.json`. */
export interface SamplesSnapshot {
  epoch: number;
  samples: Sample[];
}

/** What a chapter teaches (DESIGN.md "Chapters"): shown in the CLI, the tree view and the panel. */
export interface LearningContract {
  newConcepts: Bilingual[];
  verifies: Bilingual[];
  doesNotVerify: Bilingual[];
  lookAt: Bilingual[];
}

export interface ChapterInfo {
  id: ChapterId;
  title: Bilingual;
  /** One line, for lists and quick picks. */
  summary: Bilingual;
  /** Whether the engine can train it yet. */
  trainable: boolean;
  tasks: string[];
  defaultTask: string;
  contract: LearningContract;
}

/** A run as a list shows it: either readable, or damaged with the reason. */
export type RunListEntry =
  | {
      ok: true;
      runId: string;
      dir: string;
      chapter: ChapterId;
      task: string;
      state: RunState;
      epochsCompleted: number;
      epochs: number;
      bestValExact: number | null;
      startedAt: string;
    }
  | { ok: false; runId: string; dir: string; reason: string };

/** Everything the panel needs to draw a run, read from its folder. */
export interface RunSnapshot {
  runId: string;
  dir: string;
  config: RunConfig;
  status: RunStatus;
  metrics: MetricsRecord[];
  shapes: ShapeEntry[];
  /** Epochs that have an attention snapshot on disk, ascending. */
  attentionEpochs: number[];
  /** The newest attention snapshot (null before the first epoch ends). */
  attention: AttentionSnapshot | null;
  samples: SamplesSnapshot | null;
  /** Problems found while reading that did not prevent reading (e.g. a torn last metrics line). */
  warnings: string[];
}

/** What `predict` returns, in the CLI, the worker and the panel's "Try it". */
export interface Prediction {
  source: string[];
  predicted: string[];
  /** One map per layer/head the model has; empty for a chapter without attention. */
  attention: AttentionMap[];
}

/** Dataset sizes (CLI flags and tests; the panel does not offer them). */
export interface DatasetSizes {
  trainSize?: number;
  validationSize?: number;
  testSize?: number;
}

/** Hyperparameters a learner may change (CLI flags, settings, the panel's start form). */
export interface TrainOverrides {
  task?: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  hiddenSize?: number;
  seed?: number;
}
