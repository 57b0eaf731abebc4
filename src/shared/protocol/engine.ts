/**
 * Messages between the extension host and the forked engine process (`dist/engine.js` started with
 * LLM_TUTOR_ENGINE=worker), over Node IPC as JSON (NaN crosses as null; `measure` reads it back).
 * One schema per message, discriminated by `type`; one union per direction. Both sides validate
 * what they receive with these schemas.
 */
import * as v from 'valibot';
import { HyperValueSchema } from '../course/chapter';
import { BACKEND_CHOICES, CHAPTER_IDS } from '../ids';
import { MAX_COMPARED_RUNS } from '../run/comparison';
import {
  AttentionMapSchema,
  AttentionSnapshotSchema,
  EvaluationRecordSchema,
  FigureSchema,
  PackedMatrixSchema,
  PredictionSchema,
  PreviewSnapshotSchema,
  RunConfigSchema,
  RunStatusSchema,
  SamplesSnapshotSchema,
  ShapeEntrySchema,
  StepRecordSchema,
} from '../run/records';
import { count, measure, plainRecord, shortText } from '../schema';

const requestId = shortText(100);
const path = shortText(4096);

// ── host → engine ───────────────────────────────────────────────────────────────────────────

/** Start a run of `chapter` (or resume `resume`, a run folder) and save it under `runsDir`. */
export const TrainRequestSchema = v.strictObject({
  type: v.literal('train'),
  requestId,
  chapter: v.picklist(CHAPTER_IDS),
  runsDir: path,
  backend: v.picklist(BACKEND_CHOICES),
  task: v.optional(shortText(60)),
  variant: v.optional(shortText(60)),
  seed: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0))),
  /** The learner's hyperparameter overrides, checked against the chapter's declared ranges. */
  overrides: plainRecord(HyperValueSchema),
  resume: v.optional(path),
  /** A language model's corpus: a built-in id (`en`, `zh`) or a file or folder path. */
  corpus: v.optional(path),
});
export type TrainRequest = v.InferOutput<typeof TrainRequestSchema>;

/**
 * Train `variants` of `chapter` one after another on one task with one seed and the same
 * overrides (the same data), each in its own run folder under `runsDir`. Every run that starts is
 * announced with `runStarted` carrying this `requestId`; a failing variant does not stop the
 * others; stopping the live run ends the sequence. `variantsEnded` says how each one ended.
 */
export const TrainVariantsRequestSchema = v.strictObject({
  type: v.literal('trainVariants'),
  requestId,
  chapter: v.picklist(CHAPTER_IDS),
  runsDir: path,
  backend: v.picklist(BACKEND_CHOICES),
  task: v.optional(shortText(60)),
  variants: v.pipe(
    v.array(shortText(60)),
    v.minLength(1),
    v.maxLength(MAX_COMPARED_RUNS),
    v.check((ids) => new Set(ids).size === ids.length, 'must name each variant once'),
  ),
  seed: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0))),
  overrides: plainRecord(HyperValueSchema),
  /** A language model's corpus, as in `train`. */
  corpus: v.optional(path),
});
export type TrainVariantsRequest = v.InferOutput<typeof TrainVariantsRequestSchema>;

/** How one variant of a `trainVariants` sequence ended (`skipped`: never started, the sequence was stopped). */
export const VariantOutcomeSchema = v.strictObject({
  variant: shortText(60),
  /** Set for the run of another chapter that the comparison declares (`comparison.withChapter`). */
  chapter: v.optional(v.picklist(CHAPTER_IDS)),
  state: v.picklist(['completed', 'stopped', 'failed', 'skipped']),
  runId: v.nullable(v.string()),
  runDir: v.nullable(v.string()),
  error: v.optional(v.string()),
  /** The comparison's other chapter had a finished run that is the same run: it was reused, not trained. */
  reused: v.optional(v.literal(true)),
});
export type VariantOutcome = v.InferOutput<typeof VariantOutcomeSchema>;

/** Stop the live run between two steps; it is saved and marked `stopped`. */
export const StopRequestSchema = v.strictObject({ type: v.literal('stop'), requestId, runId: shortText(200) });

/** Decode `text` with the saved model of the run in `runDir`, on the backend the run was trained on. */
export const PredictRequestSchema = v.strictObject({
  type: v.literal('predict'),
  requestId,
  runDir: path,
  text: shortText(1000),
});
export type PredictRequest = v.InferOutput<typeof PredictRequestSchema>;

/** The most predictions a `fill` answer lists per masked position. */
export const MAX_FILL_TOP = 50;

/**
 * Fill in the `[MASK]` markers of `text` with the saved masked language model of the run in
 * `runDir` (chapter bert-mlm), on the backend in use: between two training steps while a run
 * trains. `top` predictions per mask (default 5). `[MASK]` is the one marker a learner may type;
 * any other special token typed (`[CLS]`, `[SEP]`, `<pad>`…) is read as an unknown word.
 */
export const FillRequestSchema = v.strictObject({
  type: v.literal('fill'),
  requestId,
  runDir: path,
  text: shortText(1000),
  top: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_FILL_TOP))),
});
export type FillRequest = v.InferOutput<typeof FillRequestSchema>;

/** One candidate for a masked position: a vocabulary token and its probability under the model. */
export const FillCandidateSchema = v.object({ token: v.string(), probability: measure });

/** What the model predicts at one `[MASK]`, and where that position looked. */
export const FillMaskSchema = v.object({
  /** The masked position in `tokens` (0 is `[CLS]`). */
  position: count,
  /** The most probable tokens, most probable first: the largest entries of the full softmax over the vocabulary. */
  predictions: v.array(FillCandidateSchema),
  /** 1 − the listed probabilities: the rest of the vocabulary, so that what is shown sums to 1. */
  otherProbability: measure,
  /**
   * The masked position's attention in every layer and head (bidirectional: over every token, left
   * and right), each a map of one row (`rowTokens` = the `[MASK]`) over `tokens`.
   */
  attention: v.array(AttentionMapSchema),
});

/** The answer to a `fill` request. */
export const FillResultSchema = v.object({
  /** What the model read, as vocabulary tokens: `[CLS]`, the words (`<unk>` for unknown ones), `[SEP]`. */
  tokens: v.array(v.string()),
  /** The same positions as typed (the learner's words; `[CLS]` and `[SEP]` added by the engine): the maps' labels. */
  typedTokens: v.array(v.string()),
  /** Typed tokens read as `<unk>` (not in the vocabulary, or special tokens other than `[MASK]`). */
  unknownTokens: v.array(v.string()),
  /** One entry per `[MASK]`, left to right. */
  masks: v.array(FillMaskSchema),
});
export type FillResult = v.InferOutput<typeof FillResultSchema>;
/** What a `sample` request may ask (the engine's sampler and the CLI check the same limits). */
export const SAMPLING_LIMITS = {
  maxTemperature: 10,
  maxTokens: 2000,
  maxPromptCharacters: 1000,
  maxTopCount: 50,
} as const;

/**
 * Generate text with the saved model of the language-model run in `runDir` (its latest
 * checkpoint: a run still training can be sampled; the next evaluation's weights are picked up by
 * the next request), on the backend the run uses. Answered by `sampleStarted`, one `sampleToken`
 * per generated token, then `sampleEnded` (or `error`). Served between training steps.
 * temperature 0 = greedy; topK 0 and topP 1 = no cut; the same seed, prompt and weights give the same text.
 */
export const SampleRequestSchema = v.strictObject({
  type: v.literal('sample'),
  requestId,
  runDir: path,
  prompt: shortText(SAMPLING_LIMITS.maxPromptCharacters),
  maxTokens: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(SAMPLING_LIMITS.maxTokens)),
  temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(SAMPLING_LIMITS.maxTemperature)),
  topK: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  topP: v.pipe(v.number(), v.gtValue(0), v.maxValue(1)),
  seed: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  /** How many of the most probable next tokens each `sampleToken` lists (default 10). */
  topCount: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(SAMPLING_LIMITS.maxTopCount))),
  /** Whether each `sampleToken` carries the attention rows (default true). */
  attention: v.optional(v.boolean()),
});
export type SampleRequest = v.InferOutput<typeof SampleRequestSchema>;

/** Stop the generation started by request `requestId` after its current token (`sampleEnded` says `stopped`). */
export const StopSampleRequestSchema = v.strictObject({ type: v.literal('stopSample'), requestId });

/** Finish what is running (stopping a live run cleanly) and exit. */
export const ShutdownRequestSchema = v.strictObject({ type: v.literal('shutdown') });

export const HostToEngineSchema = v.variant('type', [
  TrainRequestSchema,
  TrainVariantsRequestSchema,
  StopRequestSchema,
  PredictRequestSchema,
  SampleRequestSchema,
  StopSampleRequestSchema,
  ShutdownRequestSchema,
  FillRequestSchema,
]);
export type HostToEngine = v.InferOutput<typeof HostToEngineSchema>;

// ── engine → host ───────────────────────────────────────────────────────────────────────────

const runId = v.string();

export const EngineToHostSchema = v.variant('type', [
  /** Sent once when the worker is ready for requests. */
  v.strictObject({ type: v.literal('ready'), packageVersion: v.string() }),
  /** The run folder exists and training is about to start. */
  v.strictObject({
    type: v.literal('runStarted'),
    requestId,
    runId,
    runDir: v.string(),
    config: RunConfigSchema,
    shapes: v.array(ShapeEntrySchema),
    figures: v.array(FigureSchema),
  }),
  /**
   * Before the first run of a `trainVariants` sequence: the comparison's other chapter
   * (`comparison.withChapter`) has a finished run that is the same run (same task, variant, seed,
   * hyperparameters and backend); it joins the comparison as it is and is not trained again.
   */
  v.strictObject({ type: v.literal('runReused'), requestId, runId, runDir: v.string(), config: RunConfigSchema }),
  /** Throttled (at most ~10 a second): where the current epoch is. */
  v.strictObject({
    type: v.literal('progress'),
    runId,
    epoch: count,
    epochs: count,
    batch: count,
    batches: count,
    trainLoss: measure,
  }),
  /** A `kind: 'step'` metrics line was written. */
  v.strictObject({ type: v.literal('stepMetrics'), runId, metrics: StepRecordSchema }),
  /**
   * An evaluation ended: its metrics, attention and samples are on disk and included here, and the
   * run's whole figure list when the evaluation changed it (figures measured on the trained model).
   */
  v.strictObject({
    type: v.literal('epoch'),
    runId,
    metrics: EvaluationRecordSchema,
    attention: v.nullable(AttentionSnapshotSchema),
    samples: v.nullable(SamplesSnapshotSchema),
    figures: v.optional(v.array(FigureSchema)),
  }),
  /**
   * The probes' maps after the first optimiser step of a new run, before the first evaluation
   * (`attention.epoch` 0, `attention.step` 1): live only, never on disk, replaced by the first
   * evaluation's snapshot. A resumed run sends none.
   */
  v.strictObject({
    type: v.literal('attentionPreview'),
    runId,
    attention: PreviewSnapshotSchema,
  }),
  /** One line of the log, exactly as the CLI prints it. */
  v.strictObject({ type: v.literal('log'), runId, line: v.string() }),
  /** The run ended: completed, stopped or failed (the status is also on disk). */
  v.strictObject({ type: v.literal('runEnded'), runId, status: RunStatusSchema }),
  /** A `trainVariants` sequence ended: how each variant ended, in the order asked. */
  v.strictObject({
    type: v.literal('variantsEnded'),
    requestId,
    outcomes: v.pipe(v.array(VariantOutcomeSchema), v.maxLength(MAX_COMPARED_RUNS)),
  }),
  v.strictObject({ type: v.literal('prediction'), requestId, prediction: PredictionSchema }),
  /** The answer to a `fill` request. */
  v.strictObject({ type: v.literal('filled'), requestId, fill: FillResultSchema }),
  /**
   * A generation began: the checkpoint it uses (`epoch`: evaluations completed), the prompt as the
   * model read it (a newline when the prompt was empty; a prompt longer than the context is read
   * from its last context − 1 characters), typed characters not in the vocabulary (read as `<unk>`),
   * and the geometry of the attention rows that follow.
   */
  v.strictObject({
    type: v.literal('sampleStarted'),
    requestId,
    runId,
    epoch: count,
    promptTokens: v.array(v.string()),
    unknownTokens: v.array(v.string()),
    layers: count,
    heads: count,
    context: count,
  }),
  /**
   * One generated token. `top`: the most probable next tokens of the distribution it was drawn from
   * (after temperature, top-k and top-p, renormalised: over all tokens it sums to 1). `attention`:
   * one matrix per layer, rows = heads, columns = the `keys` tokens of the window, which are the
   * prompt tokens and generated tokens from index `windowStart` of their sequence (packed float32,
   * as attention maps are).
   */
  v.strictObject({
    type: v.literal('sampleToken'),
    requestId,
    index: count,
    token: v.string(),
    /** The token as text (`<unk>` is U+FFFD). */
    text: v.string(),
    probability: measure,
    top: v.array(v.strictObject({ token: v.string(), probability: measure })),
    windowStart: count,
    keys: count,
    attention: v.array(PackedMatrixSchema),
  }),
  /** The generation ended: all `maxTokens` made, or stopped (`stopSample`, shutdown). */
  v.strictObject({
    type: v.literal('sampleEnded'),
    requestId,
    text: v.string(),
    tokens: v.array(v.string()),
    stopped: v.boolean(),
    seconds: measure,
    tokensPerSecond: measure,
  }),
  /** A request could not be carried out; `message` is one line for the learner. */
  v.strictObject({ type: v.literal('error'), requestId: v.optional(requestId), message: v.string() }),
]);
export type EngineToHost = v.InferOutput<typeof EngineToHostSchema>;
export type EngineMessage<T extends EngineToHost['type']> = Extract<EngineToHost, { type: T }>;

/** The environment variable that makes `dist/engine.js` run as the worker instead of the CLI. */
export const ENGINE_MODE_ENV = 'LLM_TUTOR_ENGINE';
export const ENGINE_MODE_WORKER = 'worker';
