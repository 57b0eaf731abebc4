/**
 * Messages between the extension host and the lab panel's webview (`dist/webview.js`). The webview
 * only renders: it receives plain data and never touches tensors or files. Messages from the
 * webview are untrusted; the host validates them with `WebviewToHostSchema` (strict: no unknown
 * field, bounded texts) before acting, and the webview validates what it receives too.
 */
import * as v from 'valibot';
import { ChapterInfoSchema, HyperValueSchema } from '../course/chapter';
import { LANGUAGES, type ChapterId } from '../ids';
import { FillResultSchema, MAX_FILL_TOP } from './engine';
import { ComparisonNameSchema, MAX_COMPARED_RUNS, RunIdSchema } from '../run/comparison';
import {
  ATTENTION_MODES,
  AttentionSnapshotSchema,
  EvaluationRecordSchema,
  PredictionSchema,
  RunSnapshotSchema,
  RunStatusSchema,
  SamplesSnapshotSchema,
  StepRecordSchema,
} from '../run/records';
import { count, measure, plainRecord, shortText } from '../schema';
import { SAMPLING_HOST_MESSAGES, SAMPLING_PANEL_REQUESTS } from './sampling';

/** Longest text "Try it" accepts. */
export const MAX_TRY_TEXT = 200;

/** Chapters whose panel has fill-in (a masked language model answers `fill`). */
export const FILL_CHAPTERS: readonly ChapterId[] = ['bert-mlm'];

/** Longest sentence the fill-in field accepts (as typed). */
export const MAX_FILL_INPUT = 200;
/** Longest text of a `fill` message: the typed words joined by spaces, masked ones written `[MASK]`. */
export const MAX_FILL_TEXT = 1000;

// ── host → webview ──────────────────────────────────────────────────────────────────────────

export const InitMessageSchema = v.strictObject({
  type: v.literal('init'),
  language: v.picklist(LANGUAGES),
  /** Every UI string in the chosen language (src/shared/strings/webview.ts). */
  strings: v.record(v.string(), v.string()),
  chapter: ChapterInfoSchema,
  /** The run folder this panel shows (kept in the webview's state so a reload reopens it), or null for a chapter preview. */
  runDir: v.nullable(v.string()),
  /** The run; null with `damagedReason` for a damaged folder, null without it for a chapter preview. */
  run: v.nullable(RunSnapshotSchema),
  damagedReason: v.optional(v.string()),
  /** Whether training can be started from this panel (false in Restricted Mode). */
  canTrain: v.boolean(),
  /** Whether the run is being trained right now by this window's engine. */
  live: v.boolean(),
});
export type InitMessage = v.InferOutput<typeof InitMessageSchema>;

// ── host → comparison panel ─────────────────────────────────────────────────────────────────

/** One run of a comparison: its snapshot (and whether this window trains it now), or why it cannot be read. */
export const ComparedRunEntrySchema = v.variant('ok', [
  v.strictObject({ ok: v.literal(true), runId: shortText(200), run: RunSnapshotSchema, live: v.boolean() }),
  v.strictObject({ ok: v.literal(false), runId: shortText(200), reason: v.string() }),
]);
export type ComparedRunEntry = v.InferOutput<typeof ComparedRunEntrySchema>;

/** What a comparison panel shows first (it answers the panel's `ready`). */
export const CompareInitMessageSchema = v.strictObject({
  type: v.literal('compareInit'),
  language: v.picklist(LANGUAGES),
  strings: v.record(v.string(), v.string()),
  /** The chapter of every readable run, each once. */
  chapters: v.pipe(v.array(ChapterInfoSchema), v.maxLength(MAX_COMPARED_RUNS)),
  runs: v.pipe(v.array(ComparedRunEntrySchema), v.maxLength(MAX_COMPARED_RUNS)),
  /** Variants still to be trained ("Train Variants…"): each joins the comparison when its run starts. */
  waiting: v.pipe(v.array(shortText(60)), v.maxLength(MAX_COMPARED_RUNS)),
  /** The name it is saved under, or null. */
  name: v.nullable(ComparisonNameSchema),
  /** Whether it can be saved (every run is inside the runs folder). */
  canSave: v.boolean(),
});
export type CompareInitMessage = v.InferOutput<typeof CompareInitMessageSchema>;

const compareRunId = shortText(200);

export const HostToWebviewSchema = v.variant('type', [
  InitMessageSchema,
  CompareInitMessageSchema,
  /** A run joined the comparison (its training started), or was read again. */
  v.strictObject({
    type: v.literal('compareRun'),
    entry: ComparedRunEntrySchema,
    chapter: v.nullable(ChapterInfoSchema),
  }),
  /** An evaluation of one compared run ended (live). */
  v.strictObject({
    type: v.literal('compareEpoch'),
    runId: compareRunId,
    metrics: EvaluationRecordSchema,
    attention: v.nullable(AttentionSnapshotSchema),
  }),
  v.strictObject({ type: v.literal('compareStep'), runId: compareRunId, metrics: StepRecordSchema }),
  v.strictObject({ type: v.literal('compareStatus'), runId: compareRunId, status: RunStatusSchema, live: v.boolean() }),
  /** The comparison was saved under `name`. */
  v.strictObject({ type: v.literal('compareSaved'), name: ComparisonNameSchema }),
  v.strictObject({
    type: v.literal('epoch'),
    metrics: EvaluationRecordSchema,
    attention: v.nullable(AttentionSnapshotSchema),
    samples: v.nullable(SamplesSnapshotSchema),
  }),
  v.strictObject({ type: v.literal('step'), metrics: StepRecordSchema }),
  v.strictObject({
    type: v.literal('progress'),
    epoch: count,
    epochs: count,
    batch: count,
    batches: count,
    trainLoss: measure,
  }),
  v.strictObject({ type: v.literal('status'), status: RunStatusSchema, live: v.boolean() }),
  /** The snapshot of an older epoch, answering `requestAttention`. */
  v.strictObject({ type: v.literal('attention'), snapshot: AttentionSnapshotSchema }),
  /** The answer to `predict` ("Try it"). */
  v.strictObject({ type: v.literal('prediction'), text: v.string(), prediction: PredictionSchema }),
  /** The answer to `fill` (masked language models): the text asked, the top words and attention of each `[MASK]`. */
  v.strictObject({ type: v.literal('filled'), text: v.string(), fill: FillResultSchema }),
  /** Something the learner should read (one line), e.g. a refused request or a failed prediction. */
  v.strictObject({ type: v.literal('error'), message: v.string() }),
  /** Sampling a language model (src/shared/protocol/sampling.ts). */
  ...SAMPLING_HOST_MESSAGES,
]);
export type HostToWebview = v.InferOutput<typeof HostToWebviewSchema>;
export type WebviewMessage<T extends HostToWebview['type']> = Extract<HostToWebview, { type: T }>;

// ── webview → host (untrusted) ──────────────────────────────────────────────────────────────

export const WebviewToHostSchema = v.variant('type', [
  /** The script loaded; the host answers with `init`. */
  v.strictObject({ type: v.literal('ready') }),
  /** Ask for the attention snapshot of `epoch` (must be one of the run's `attentionEpochs`). */
  v.strictObject({ type: v.literal('requestAttention'), epoch: count }),
  /** "Try it": decode `text` with this run's saved model. */
  v.strictObject({ type: v.literal('predict'), text: v.pipe(v.string(), v.maxLength(MAX_TRY_TEXT)) }),
  /** Fill-in (masked language models): the words of `text`, each `[MASK]` to be guessed, with `top` guesses each. */
  v.strictObject({
    type: v.literal('fill'),
    text: v.pipe(v.string(), v.maxLength(MAX_FILL_TEXT)),
    top: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_FILL_TOP))),
  }),
  /** Start a new run of this panel's chapter; values are checked against the chapter's ranges. */
  v.strictObject({
    type: v.literal('train'),
    task: v.optional(shortText(60)),
    variant: v.optional(shortText(60)),
    overrides: v.pipe(
      plainRecord(HyperValueSchema),
      v.check((record) => Object.keys(record).length <= 64, 'has too many fields'),
    ),
  }),
  /** Stop this panel's live run. */
  v.strictObject({ type: v.literal('stop') }),
  /** Lab panel of a chapter with a `comparison`: train its variants on its task with one seed. */
  v.strictObject({ type: v.literal('trainComparison') }),
  /** Comparison panel: save it under `name` in the runs folder. */
  v.strictObject({ type: v.literal('saveComparison'), name: ComparisonNameSchema }),
  /** Comparison panel: open the lab panel of one of its runs. */
  v.strictObject({ type: v.literal('openRun'), runId: RunIdSchema }),
  /** Lab panel of a language model: sample, stop it, the samples saved per evaluation (src/shared/protocol/sampling.ts). */
  ...SAMPLING_PANEL_REQUESTS,
]);
export type WebviewToHost = v.InferOutput<typeof WebviewToHostSchema>;

/** What the webview keeps with `setState` so a reload restores the same view (read back as untrusted). */
export const WebviewStateSchema = v.object({
  runDir: shortText(4096),
  probeIndex: count,
  epoch: v.nullable(count),
  selectedRow: v.nullable(count),
  selectedColumn: v.nullable(count),
  mode: v.picklist(ATTENTION_MODES),
  /** The selected map: `<stack>/<kind>/<layer>/<head>`. */
  mapKey: v.nullable(shortText(100)),
});
export type WebviewState = v.InferOutput<typeof WebviewStateSchema>;

/** What a comparison panel keeps with `setState` (read back as untrusted; its runs must lie in the runs folder). */
export const CompareStateSchema = v.object({
  view: v.literal('compare'),
  runIds: v.pipe(v.array(RunIdSchema), v.minLength(1), v.maxLength(MAX_COMPARED_RUNS)),
  name: v.nullable(ComparisonNameSchema),
  probeIndex: count,
  mode: v.picklist(ATTENTION_MODES),
  mapKey: v.nullable(shortText(100)),
  /** The difference map: shown, and which two runs (indices) it subtracts. */
  difference: v.boolean(),
  differenceFrom: count,
  differenceTo: count,
});
export type CompareState = v.InferOutput<typeof CompareStateSchema>;
