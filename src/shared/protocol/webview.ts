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
import { EXPORT_FORMATS, ExportNameSchema, MAX_EXPORT_CHARS } from '../run/export';
import {
  ATTENTION_MODES,
  AttentionSnapshotSchema,
  PreviewSnapshotSchema,
  SelfCheckResultSchema,
  EvaluationRecordSchema,
  FigureSchema,
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

/** An exportable view of a panel: its id (`map`, `overview`, `chart-loss`, …), a label, its formats. */
export const ExportViewIdSchema = v.pipe(v.string(), v.maxLength(60), v.regex(/^[a-z][a-z0-9-]*$/));

/** The chapter source line a shape-table link opens: `src/engine/chapters/<id>/<file>.ts`, line ≥ 1. */
export const SourceRequestFileSchema = v.pipe(
  v.string(),
  v.maxLength(200),
  v.regex(/^src\/engine\/chapters\/[a-z0-9-]+\/[A-Za-z0-9_-]+\.ts$/),
);

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
  /** An evaluation ended; `figures`: the run's whole new figure list when the evaluation changed it. */
  v.strictObject({
    type: v.literal('epoch'),
    metrics: EvaluationRecordSchema,
    attention: v.nullable(AttentionSnapshotSchema),
    samples: v.nullable(SamplesSnapshotSchema),
    figures: v.optional(v.array(FigureSchema)),
  }),
  /**
   * The probes' maps after the run's first optimiser step, before its first evaluation: shown,
   * labelled as a preview, while the panel has no snapshot; never part of the replay or exports.
   */
  v.strictObject({ type: v.literal('attentionPreview'), attention: PreviewSnapshotSchema }),
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
  /** The answer to `requestChecks`: the snapshot-level self-checks of every saved evaluation. */
  v.strictObject({
    type: v.literal('checkHistory'),
    snapshots: v.pipe(
      v.array(v.strictObject({ epoch: count, checks: v.array(SelfCheckResultSchema) })),
      v.maxLength(100_000),
    ),
  }),
  /** The answer to `requestCompareAttention`: each run's snapshot of `epoch` (null when it has none). */
  v.strictObject({
    type: v.literal('compareAttention'),
    epoch: count,
    snapshots: v.pipe(
      v.array(v.strictObject({ runId: compareRunId, snapshot: v.nullable(AttentionSnapshotSchema) })),
      v.maxLength(MAX_COMPARED_RUNS),
    ),
  }),
  /** "Export…" (command): the webview answers with `exportViews`. */
  v.strictObject({ type: v.literal('exportList') }),
  /** "Export…" (command): export this view in this format (the webview answers with `export`). */
  v.strictObject({ type: v.literal('exportView'), view: ExportViewIdSchema, format: v.picklist(EXPORT_FORMATS) }),
  /** An export was written where the learner chose (`name`: the file's name, without its folder). */
  v.strictObject({ type: v.literal('exported'), name: v.string() }),
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
  /** Shape table: open the chapter source line that creates a tensor (the host maps it to a known file). */
  v.strictObject({
    type: v.literal('openSource'),
    file: SourceRequestFileSchema,
    line: v.pipe(count, v.minValue(1), v.maxValue(1_000_000)),
  }),
  /** The self-checks of every saved snapshot (for the chart under the replay). */
  v.strictObject({ type: v.literal('requestChecks') }),
  /** Comparison panel: every run's attention snapshot of `epoch` (the replay of a comparison). */
  v.strictObject({ type: v.literal('requestCompareAttention'), epoch: count }),
  /** Save a view: the host asks where (a save dialog) and writes `content` only there. PNG is base64. */
  v.strictObject({
    type: v.literal('export'),
    format: v.picklist(EXPORT_FORMATS),
    name: ExportNameSchema,
    content: v.pipe(v.string(), v.maxLength(MAX_EXPORT_CHARS)),
  }),
  /** The answer to `exportList`: what this panel can export. */
  v.strictObject({
    type: v.literal('exportViews'),
    views: v.pipe(
      v.array(
        v.strictObject({
          id: ExportViewIdSchema,
          label: shortText(200),
          formats: v.pipe(v.array(v.picklist(EXPORT_FORMATS)), v.minLength(1), v.maxLength(EXPORT_FORMATS.length)),
        }),
      ),
      v.maxLength(64),
    ),
  }),
  /** The learner looked at the run's attention maps (the course walkthrough's completion). */
  v.strictObject({ type: v.literal('mapsSeen') }),
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
  /** Several selected query rows (shift-click), when more than one. */
  selectedRows: v.optional(v.pipe(v.array(count), v.maxLength(4096))),
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
