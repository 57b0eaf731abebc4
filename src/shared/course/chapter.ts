/**
 * What a chapter declares about itself, as plain data (no TensorFlow): title, learning contract,
 * tasks, typed hyperparameters with defaults and ranges, named variants, declared metrics and
 * charts, the glossary of its named tensors, and its self-checks. Every chapter folder's
 * `info.ts` exports one `ChapterInfo`; the engine, the extension, the CLI and the panel all read it.
 */
import * as v from 'valibot';
import { CHAPTER_IDS } from '../ids';
import { BilingualSchema, plainRecord } from '../schema';

const key = v.pipe(v.string(), v.regex(/^[a-z][A-Za-z0-9_-]*$/), v.maxLength(60));
const bilinguals = v.array(BilingualSchema);

/** A value of a hyperparameter, a variant override or a learner's override. */
export const HyperValueSchema = v.union([v.number(), v.string(), v.boolean()]);
export type HyperValue = v.InferOutput<typeof HyperValueSchema>;
/** A chapter's hyperparameters by key (the chapter's typed record, as JSON). */
export type Hyperparameters = Record<string, HyperValue>;

/** Where a hyperparameter belongs: the model, the optimisation, or the generated data. */
const HYPER_GROUPS = ['model', 'training', 'data'] as const;

const common = {
  key,
  label: BilingualSchema,
  group: v.picklist(HYPER_GROUPS),
  /** Shown in the start form of the panel and in the quick pick (false: CLI and tests only). */
  inForm: v.boolean(),
};

export const HyperparameterSpecSchema = v.variant('type', [
  v.strictObject({ ...common, type: v.literal('integer'), default: v.number(), min: v.number(), max: v.number() }),
  v.strictObject({ ...common, type: v.literal('number'), default: v.number(), min: v.number(), max: v.number() }),
  v.strictObject({ ...common, type: v.literal('choice'), default: v.string(), choices: v.array(v.string()) }),
  v.strictObject({ ...common, type: v.literal('boolean'), default: v.boolean() }),
]);
export type HyperparameterSpec = v.InferOutput<typeof HyperparameterSpecSchema>;

/** A named set of overrides of the chapter's defaults (e.g. `unscaled`, `pre-ln`, `heads-1`). */
export const VariantInfoSchema = v.strictObject({
  id: key,
  title: BilingualSchema,
  description: BilingualSchema,
  overrides: plainRecord(HyperValueSchema),
});
export type VariantInfo = v.InferOutput<typeof VariantInfoSchema>;

export const TaskInfoSchema = v.strictObject({
  id: key,
  title: BilingualSchema,
  description: BilingualSchema,
  /** Defaults that depend on the task (e.g. its data set sizes), applied before a variant's overrides. */
  defaults: plainRecord(HyperValueSchema),
});
export type TaskInfo = v.InferOutput<typeof TaskInfoSchema>;

export const METRIC_UNITS = ['ratio', 'nats', 'bits', 'perplexity', 'count', 'none'] as const;
export type MetricUnit = (typeof METRIC_UNITS)[number];

/** A metric the chapter computes at every evaluation; the CLI prints it, the panel charts it. */
export const MetricSpecSchema = v.strictObject({
  key,
  label: BilingualSchema,
  unit: v.picklist(METRIC_UNITS),
  /** Which way is better; `neither` for a measure to watch rather than to maximise (e.g. an entropy). */
  better: v.picklist(['higher', 'lower', 'neither']),
  /** The chart (see `charts`) it is drawn on. */
  chart: key,
  /** The short name the CLI prints (`val_exact`); defaults to the key. */
  cli: v.optional(key),
});
export type MetricSpec = v.InferOutput<typeof MetricSpecSchema>;

export const ChartSpecSchema = v.strictObject({ id: key, title: BilingualSchema, unit: v.picklist(METRIC_UNITS) });
export type ChartSpec = v.InferOutput<typeof ChartSpecSchema>;

/**
 * The dimension names and meaning of a named tensor or weight. A glossary key may hold `{n}`
 * standing for a layer number (`encoder/layer{n}/attention/qkv_kernel`).
 */
export const GlossaryEntrySchema = v.strictObject({ dims: v.array(v.string()), meaning: BilingualSchema });
export type GlossaryEntry = v.InferOutput<typeof GlossaryEntrySchema>;

export const SelfCheckSpecSchema = v.strictObject({ id: key, label: BilingualSchema, description: BilingualSchema });
export type SelfCheckSpec = v.InferOutput<typeof SelfCheckSpecSchema>;

export const LearningContractSchema = v.strictObject({
  newConcepts: bilinguals,
  verifies: bilinguals,
  doesNotVerify: bilinguals,
  lookAt: bilinguals,
  /** What to look for when the chapter's variants are compared (empty without a comparison). */
  compare: bilinguals,
});
export type LearningContract = v.InferOutput<typeof LearningContractSchema>;

export const MODEL_KINDS = ['encoder-decoder', 'encoder-only', 'decoder-only'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export const ChapterInfoSchema = v.strictObject({
  id: v.picklist(CHAPTER_IDS),
  title: BilingualSchema,
  /** One line, for lists and quick picks. */
  summary: BilingualSchema,
  kind: v.picklist(MODEL_KINDS),
  /** Whether this version can train it (false: listed with its contract only). */
  trainable: v.boolean(),
  tasks: v.array(TaskInfoSchema),
  defaultTask: v.string(),
  /** `epoch`: a pass over the training set; `evaluation`: a fixed number of steps between evaluations. */
  trainingUnit: v.picklist(['epoch', 'evaluation']),
  hyperparameters: v.array(HyperparameterSpecSchema),
  variants: v.array(VariantInfoSchema),
  defaultVariant: v.string(),
  /**
   * The comparison the chapter opens with: its variants trained on one task with one seed, and
   * optionally a preset of hyperparameters every compared run takes (e.g. more layers, or a higher
   * learning rate, so an effect is visible), applied after the variant's own overrides.
   * `withChapter`: another chapter's default run on the same task and seed joins it (the
   * Transformer beside attention-seq2seq), with its own preset if any.
   */
  comparison: v.nullable(
    v.strictObject({
      task: key,
      variants: v.array(key),
      overrides: v.optional(plainRecord(HyperValueSchema)),
      withChapter: v.optional(
        v.strictObject({ chapter: v.picklist(CHAPTER_IDS), overrides: v.optional(plainRecord(HyperValueSchema)) }),
      ),
    }),
  ),
  metrics: v.array(MetricSpecSchema),
  /** The metric a run is summarised by (runs list, best value). */
  primaryMetric: v.string(),
  charts: v.array(ChartSpecSchema),
  glossary: plainRecord(GlossaryEntrySchema),
  selfChecks: v.array(SelfCheckSpecSchema),
  contract: LearningContractSchema,
});
export type ChapterInfo = v.InferOutput<typeof ChapterInfoSchema>;
