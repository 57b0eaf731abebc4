/**
 * Run format 1 (written by LLM Tutor 0.1 before `formatVersion` existed), read and upgraded in
 * memory to format 2. Nothing is ever rewritten on disk: a format-1 run lists, shows, predicts and
 * opens in the panel as it is, its weights marked unverified (format 1 has no checksums).
 */
import * as v from 'valibot';
import type { Hyperparameters } from '../shared/course/chapter';
import { packMap } from '../shared/run/attention';
import {
  RunDataSchema,
  type AttentionMap,
  type AttentionSnapshot,
  type EvaluationRecord,
  type RunConfig,
  type ShapeEntry,
} from '../shared/run/records';
import { BACKEND_NAMES, CHAPTER_IDS } from '../shared/ids';
import { BilingualSchema, count, measure } from '../shared/schema';

const number = v.number();

export const Format1ConfigSchema = v.object({
  runId: v.string(),
  chapter: v.picklist(CHAPTER_IDS),
  task: v.string(),
  epochs: count,
  batchSize: number,
  learningRate: number,
  hiddenSize: number,
  embeddingSize: number,
  attentionSize: number,
  clipNorm: number,
  seed: v.pipe(number, v.safeInteger()),
  trainSize: number,
  validationSize: number,
  testSize: number,
  backend: v.picklist(BACKEND_NAMES),
  packageVersion: v.string(),
  createdAt: v.string(),
  resumedFrom: v.optional(v.string()),
  sourceVocab: v.array(v.string()),
  targetVocab: v.array(v.string()),
  tokenLevel: RunDataSchema.entries.tokenLevel,
});

/** The hyperparameters a format-1 config held, by the names chapters declare. */
const FORMAT1_KEYS = [
  'epochs',
  'batchSize',
  'learningRate',
  'hiddenSize',
  'embeddingSize',
  'attentionSize',
  'clipNorm',
  'trainSize',
  'validationSize',
  'testSize',
] as const;

/** A format-1 config as format 2: the chapter's declared keys become its hyperparameters. */
export function upgradeConfig(
  old: v.InferOutput<typeof Format1ConfigSchema>,
  declared: readonly string[],
  defaultVariant: string,
): RunConfig {
  const hyperparameters: Hyperparameters = {};
  for (const key of FORMAT1_KEYS) if (declared.includes(key)) hyperparameters[key] = old[key];
  const config: RunConfig = {
    formatVersion: 1,
    runId: old.runId,
    chapter: old.chapter,
    task: old.task,
    variant: defaultVariant,
    seed: old.seed,
    backend: old.backend,
    packageVersion: old.packageVersion,
    createdAt: old.createdAt,
    data: { sourceVocab: old.sourceVocab, targetVocab: old.targetVocab, tokenLevel: old.tokenLevel },
    hyperparameters,
  };
  if (old.resumedFrom !== undefined) config.resumedFrom = old.resumedFrom;
  return config;
}

export const Format1EpochSchema = v.object({
  kind: v.literal('epoch'),
  epoch: count,
  step: count,
  train_loss: measure,
  val_loss: measure,
  val_token_accuracy: measure,
  val_exact_match: measure,
  seconds: measure,
  samples_per_second: measure,
  buckets: v.array(
    v.object({ minLength: count, maxLength: count, count, exactMatch: measure, tokenAccuracy: measure }),
  ),
});

export function upgradeEpoch(old: v.InferOutput<typeof Format1EpochSchema>): EvaluationRecord {
  return {
    kind: 'epoch',
    epoch: old.epoch,
    step: old.step,
    seconds: old.seconds,
    samples_per_second: old.samples_per_second,
    train_loss: old.train_loss,
    values: {
      val_loss: old.val_loss,
      val_token_accuracy: old.val_token_accuracy,
      val_exact_match: old.val_exact_match,
    },
    buckets: old.buckets,
  };
}

export const Format1ShapesSchema = v.array(
  v.object({ name: v.string(), shape: v.array(count), dims: v.array(v.string()), meaning: BilingualSchema }),
);

export function upgradeShapes(old: v.InferOutput<typeof Format1ShapesSchema>): ShapeEntry[] {
  return old.map((entry) => ({ ...entry, kind: entry.name.includes('/') ? 'weight' : 'activation' }));
}

const Format1MapSchema = v.pipe(
  v.object({
    layer: count,
    head: count,
    label: v.string(),
    rowTokens: v.array(v.string()),
    columnTokens: v.array(v.string()),
    weights: v.array(v.array(measure)),
  }),
  v.check(
    (m) => m.weights.length === m.rowTokens.length && m.weights.every((row) => row.length === m.columnTokens.length),
    'weights must be rows × columns',
  ),
);

export const Format1AttentionSchema = v.object({
  epoch: count,
  probes: v.array(
    v.object({
      source: v.array(v.string()),
      target: v.array(v.string()),
      predicted: v.array(v.string()),
      teacherForced: v.array(Format1MapSchema),
      greedy: v.array(Format1MapSchema),
    }),
  ),
});

/** The only attention format 1 had: the seq2seq chapters' cross-attention, one layer, one head. */
function upgradeMap(old: v.InferOutput<typeof Format1MapSchema>, mode: AttentionMap['mode']): AttentionMap {
  return packMap({
    kind: 'cross',
    stack: 'decoder',
    layer: old.layer,
    head: old.head,
    mode,
    rowTokens: old.rowTokens,
    columnTokens: old.columnTokens,
    weights: old.weights.flat(),
    mask: null,
  });
}

export function upgradeAttention(old: v.InferOutput<typeof Format1AttentionSchema>, step: number): AttentionSnapshot {
  return {
    formatVersion: 2,
    epoch: old.epoch,
    step,
    probes: old.probes.map((probe) => ({
      source: probe.source,
      target: probe.target,
      predicted: probe.predicted,
      maps: [
        ...probe.teacherForced.map((map) => upgradeMap(map, 'forward')),
        ...probe.greedy.map((map) => upgradeMap(map, 'generated')),
      ],
      checks: [],
    })),
    checks: [],
  };
}
