/**
 * The records of a run (run format 2, docs/architecture.md "A run on disk"), as valibot schemas
 * with their inferred types. The same schemas check what the run reader reads from disk, what
 * crosses the engine's IPC channel and what reaches the webview. Plain JSON: no tensors.
 *
 * Disk records use `v.object` (unknown fields are dropped, so a newer writer's extra fields do not
 * make a run unreadable); messages use `v.strictObject` (see ../protocol).
 * JSON has no NaN: a diverged loss is written as `null` and read back as NaN (`measure`).
 */
import * as v from 'valibot';
import { HyperValueSchema } from '../course/chapter';
import { BACKEND_NAMES, CHAPTER_IDS } from '../ids';
import { BilingualSchema, count, finite, measure, plainRecord } from '../schema';

/** The format version this code writes. Format 1 (no `formatVersion` field) is read and upgraded. */
export const RUN_FORMAT_VERSION = 2;

// ── config.json ─────────────────────────────────────────────────────────────────────────────

export const TOKEN_LEVELS = ['char', 'word'] as const;

export const RunDataSchema = v.object({
  /** Input and output vocabularies (token strings, index = id); equal for language models. */
  sourceVocab: v.array(v.string()),
  targetVocab: v.array(v.string()),
  /** 'char' joins tokens with '', 'word' with ' '. */
  tokenLevel: v.picklist(TOKEN_LEVELS),
  /** The text a language model was trained on, so a run can tell when its corpus changed. */
  corpus: v.optional(v.object({ name: v.string(), bytes: count, sha256: v.string(), source: v.string() })),
});
export type RunData = v.InferOutput<typeof RunDataSchema>;

/** The fields of config.json other than the chapter's own hyperparameter record. */
const configCore = {
  runId: v.string(),
  chapter: v.picklist(CHAPTER_IDS),
  task: v.string(),
  variant: v.string(),
  seed: v.pipe(v.number(), v.safeInteger()),
  backend: v.picklist(BACKEND_NAMES),
  /** Why this backend: the learner's choice, or what `auto` measured. */
  backendReason: v.optional(v.string()),
  packageVersion: v.string(),
  createdAt: v.string(),
  /** The run this one continued from, when started with `--resume`. */
  resumedFrom: v.optional(v.string()),
  data: RunDataSchema,
};

/**
 * A run's configuration in memory and in messages: `formatVersion` is the version of the files on
 * disk (1 for runs written before format 2, upgraded when read); `hyperparameters` is the chapter's
 * typed record, which config.json keeps under the chapter's own key (`"self-attention": {…}`).
 */
export const RunConfigSchema = v.object({
  formatVersion: v.picklist([1, 2]),
  ...configCore,
  hyperparameters: plainRecord(HyperValueSchema),
});
export type RunConfig = v.InferOutput<typeof RunConfigSchema>;

/** config.json of format 2, before its chapter record is moved to `hyperparameters`. */
export const RunConfigFileSchema = v.object({ formatVersion: v.literal(2), ...configCore });

/** The JSON written to config.json: the hyperparameters under the chapter's own key. */
export function configToFile(config: RunConfig): Record<string, unknown> {
  const { hyperparameters, formatVersion: _version, ...core } = config;
  return { formatVersion: RUN_FORMAT_VERSION, ...core, [config.chapter]: hyperparameters };
}

// ── status.json ─────────────────────────────────────────────────────────────────────────────

export const RUN_STATES = ['running', 'completed', 'stopped', 'failed'] as const;
export type RunState = (typeof RUN_STATES)[number];

export const RunStatusSchema = v.object({
  state: v.picklist(RUN_STATES),
  startedAt: v.string(),
  endedAt: v.optional(v.string()),
  /** Epochs (evaluations) whose metrics, attention, samples and weights are on disk. */
  epochsCompleted: count,
  error: v.optional(v.string()),
});
export type RunStatus = v.InferOutput<typeof RunStatusSchema>;

// ── metrics.jsonl ───────────────────────────────────────────────────────────────────────────

/** Validation accuracy of the examples whose source length falls in [minLength, maxLength]. */
export const LengthBucketSchema = v.object({
  minLength: count,
  maxLength: count,
  count: count,
  exactMatch: measure,
  tokenAccuracy: measure,
});
export type LengthBucket = v.InferOutput<typeof LengthBucketSchema>;

/**
 * One line per evaluation: at the end of every epoch, or for chapters trained in steps every N
 * steps (an "epoch" is then one evaluation period). `values` holds the chapter's declared metrics.
 */
export const EvaluationRecordSchema = v.object({
  kind: v.literal('epoch'),
  epoch: count,
  /** Optimiser steps since the start of the run. */
  step: count,
  /** Wall-clock seconds since the run started (earlier runs included when resumed). */
  seconds: measure,
  samples_per_second: measure,
  train_loss: measure,
  learning_rate: v.optional(measure),
  values: plainRecord(measure),
  buckets: v.optional(v.array(LengthBucketSchema)),
});
export type EvaluationRecord = v.InferOutput<typeof EvaluationRecordSchema>;

/** One line every N steps inside an epoch. */
export const StepRecordSchema = v.object({
  kind: v.literal('step'),
  epoch: count,
  step: count,
  seconds: measure,
  samples_per_second: measure,
  train_loss: measure,
  learning_rate: v.optional(measure),
  /** The L2 norm of the gradients of each weight group the chapter names (e.g. per layer), at this step. */
  gradient_norms: v.optional(plainRecord(measure)),
});
export type StepRecord = v.InferOutput<typeof StepRecordSchema>;

export const MetricsRecordSchema = v.variant('kind', [EvaluationRecordSchema, StepRecordSchema]);
export type MetricsRecord = EvaluationRecord | StepRecord;

// ── shapes.json ─────────────────────────────────────────────────────────────────────────────

export const SourceLineSchema = v.object({ file: v.string(), line: v.pipe(count, v.minValue(1)) });
export type SourceLine = v.InferOutput<typeof SourceLineSchema>;

/** A named tensor of one forward pass, or a weight. */
export const ShapeEntrySchema = v.object({
  name: v.string(),
  kind: v.picklist(['activation', 'weight']),
  shape: v.array(count),
  /** One name per dimension, e.g. ['batch', 'heads', 'queries', 'keys']. */
  dims: v.array(v.string()),
  meaning: BilingualSchema,
  /** The line of the chapter's source that creates it (repository-relative path). */
  source: v.optional(SourceLineSchema),
});
export type ShapeEntry = v.InferOutput<typeof ShapeEntrySchema>;

// ── attention/epoch-NNN.json ────────────────────────────────────────────────────────────────

/** A row-major matrix as base64 of float32 little-endian (see packed.ts). */
export const PackedMatrixSchema = v.pipe(
  v.object({ rows: count, columns: count, data: v.string() }),
  v.check((m) => m.data.length === 4 * Math.ceil((m.rows * m.columns * 4) / 3), 'data must hold rows × columns floats'),
);
export type PackedMatrix = v.InferOutput<typeof PackedMatrixSchema>;

export const ATTENTION_KINDS = ['cross', 'self', 'causal-self'] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];
export const ATTENTION_STACKS = ['encoder', 'decoder'] as const;
export type AttentionStack = (typeof ATTENTION_STACKS)[number];
/** `forward`: one pass over given tokens (teacher forcing for a decoder); `generated`: one row per decoding step. */
export const ATTENTION_MODES = ['forward', 'generated'] as const;
export type AttentionMode = (typeof ATTENTION_MODES)[number];

/** One attention map: rows are queries, columns keys; every row sums to 1 over its allowed keys. */
export const AttentionMapSchema = v.pipe(
  v.object({
    kind: v.picklist(ATTENTION_KINDS),
    stack: v.picklist(ATTENTION_STACKS),
    layer: count,
    head: count,
    /** The key/value head this query head reads (grouped-query attention); absent when each head has its own. */
    kvHead: v.optional(count),
    mode: v.picklist(ATTENTION_MODES),
    rowTokens: v.array(v.string()),
    columnTokens: v.array(v.string()),
    weights: PackedMatrixSchema,
    /** Bitset (packed.ts), 1 = may attend; null when nothing is masked. */
    mask: v.nullable(v.string()),
  }),
  v.check(
    (m) => m.rowTokens.length === m.weights.rows && m.columnTokens.length === m.weights.columns,
    'tokens must match the matrix size',
  ),
);
export type AttentionMap = v.InferOutput<typeof AttentionMapSchema>;

/**
 * A self-check computed in the engine on full-precision values: `value` must be at most (or at
 * least) `threshold`; `baseline` is the same measure at initialisation when that is the point.
 */
export const SelfCheckResultSchema = v.object({
  id: v.string(),
  label: BilingualSchema,
  value: measure,
  comparison: v.picklist(['at-most', 'at-least']),
  threshold: finite,
  pass: v.boolean(),
  baseline: v.optional(measure),
  detail: v.optional(BilingualSchema),
});
export type SelfCheckResult = v.InferOutput<typeof SelfCheckResultSchema>;

/** The attention of one fixed probe example: its tokens, what the model predicted, every map. */
export const ProbeRecordSchema = v.object({
  source: v.array(v.string()),
  target: v.array(v.string()),
  predicted: v.array(v.string()),
  maps: v.array(AttentionMapSchema),
  checks: v.array(SelfCheckResultSchema),
});
export type ProbeRecord = v.InferOutput<typeof ProbeRecordSchema>;

export const AttentionSnapshotSchema = v.object({
  formatVersion: v.literal(2),
  epoch: count,
  step: count,
  probes: v.array(ProbeRecordSchema),
  /** Checks over all probes (and validation data) at this epoch. */
  checks: v.array(SelfCheckResultSchema),
});
export type AttentionSnapshot = v.InferOutput<typeof AttentionSnapshotSchema>;

/**
 * A preview snapshot: the probes' maps after the first optimiser step of a new run, before the
 * first evaluation (epoch 0, step ≥ 1). Sent live only (engine → host → lab panel), never stored.
 */
export const PreviewSnapshotSchema = v.pipe(
  AttentionSnapshotSchema,
  v.check(
    (snapshot) => snapshot.epoch === 0 && snapshot.step >= 1,
    'a preview is of epoch 0 (before the first evaluation) and after at least one step',
  ),
);

// ── samples/epoch-NNN.json ──────────────────────────────────────────────────────────────────

export const SampleSchema = v.object({
  source: v.string(),
  target: v.string(),
  predicted: v.string(),
  sourceTokens: v.array(v.string()),
  targetTokens: v.array(v.string()),
  predictedTokens: v.array(v.string()),
  /** Whether the prediction equals the target; null when there is no single right answer (sampled text). */
  correct: v.nullable(v.boolean()),
});
export type Sample = v.InferOutput<typeof SampleSchema>;

export const SamplesSnapshotSchema = v.object({ epoch: count, samples: v.array(SampleSchema) });
export type SamplesSnapshot = v.InferOutput<typeof SamplesSnapshotSchema>;

// ── figures.json: diagnostics computed once per run ─────────────────────────────────────────

export const LinesFigureSchema = v.object({
  type: v.literal('lines'),
  id: v.string(),
  title: BilingualSchema,
  /** What the figure shows, or how its numbers compare with the course's (one or two sentences). */
  note: v.optional(BilingualSchema),
  xLabel: BilingualSchema,
  yLabel: BilingualSchema,
  xScale: v.picklist(['linear', 'log2']),
  yScale: v.picklist(['linear', 'log']),
  series: v.array(
    v.object({ label: BilingualSchema, dashed: v.boolean(), points: v.array(v.tuple([finite, measure])) }),
  ),
});
export const MatrixFigureSchema = v.object({
  type: v.literal('matrix'),
  id: v.string(),
  title: BilingualSchema,
  note: v.optional(BilingualSchema),
  /** Labels of the rows and columns (tokens, positions), when they have names. */
  rowLabels: v.optional(v.array(v.string())),
  columnLabels: v.optional(v.array(v.string())),
  rowLabel: BilingualSchema,
  columnLabel: BilingualSchema,
  values: PackedMatrixSchema,
  scale: v.picklist(['sequential', 'diverging']),
});
export const FigureSchema = v.variant('type', [LinesFigureSchema, MatrixFigureSchema]);
export type Figure = v.InferOutput<typeof FigureSchema>;
export const RunFiguresSchema = v.object({ figures: v.array(FigureSchema) });

// ── a run as the CLI, the host and the panel see it ─────────────────────────────────────────

/** Whether the saved weights were checked against their checksums (format-1 runs have none). */
export const WEIGHTS_STATES = ['verified', 'unverified', 'missing'] as const;

export const RunSnapshotSchema = v.object({
  runId: v.string(),
  dir: v.string(),
  config: RunConfigSchema,
  status: RunStatusSchema,
  metrics: v.array(MetricsRecordSchema),
  shapes: v.array(ShapeEntrySchema),
  figures: v.array(FigureSchema),
  /** Epochs that have an attention snapshot on disk, ascending. */
  attentionEpochs: v.array(count),
  /** The newest attention snapshot (null before the first epoch ends). */
  attention: v.nullable(AttentionSnapshotSchema),
  samples: v.nullable(SamplesSnapshotSchema),
  weights: v.picklist(WEIGHTS_STATES),
  /** Problems that did not prevent reading (a torn last metrics line, an unreadable snapshot…). */
  warnings: v.array(v.string()),
});
export type RunSnapshot = v.InferOutput<typeof RunSnapshotSchema>;

export const RunListEntrySchema = v.variant('ok', [
  v.object({
    ok: v.literal(true),
    runId: v.string(),
    dir: v.string(),
    chapter: v.picklist(CHAPTER_IDS),
    task: v.string(),
    variant: v.string(),
    state: v.picklist(RUN_STATES),
    epochsCompleted: count,
    epochs: count,
    /** The best value of the chapter's primary metric, or null before the first evaluation. */
    best: v.nullable(v.object({ key: v.string(), value: finite })),
    startedAt: v.string(),
  }),
  v.object({ ok: v.literal(false), runId: v.string(), dir: v.string(), reason: v.string() }),
]);
export type RunListEntry = v.InferOutput<typeof RunListEntrySchema>;

/** What `predict` returns (CLI, worker, the panel's "Try it"). */
export const PredictionSchema = v.object({
  source: v.array(v.string()),
  predicted: v.array(v.string()),
  maps: v.array(AttentionMapSchema),
  /** Typed tokens read as `<unk>` (not in the vocabulary, or special tokens typed as text). */
  unknownTokens: v.array(v.string()),
});
export type Prediction = v.InferOutput<typeof PredictionSchema>;
