/**
 * Messages between the extension host and the lab panel's webview (`dist/webview.js`). The webview
 * only renders: it receives plain data and never touches tensors or files. Messages from the
 * webview are untrusted; the host validates them with `WebviewToHostSchema` (strict: no unknown
 * field, bounded texts) before acting, and the webview validates what it receives too.
 */
import * as v from 'valibot';
import { ChapterInfoSchema, HyperValueSchema } from '../course/chapter';
import { LANGUAGES } from '../ids';
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

/** Longest text "Try it" accepts. */
export const MAX_TRY_TEXT = 200;

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

export const HostToWebviewSchema = v.variant('type', [
  InitMessageSchema,
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
  /** Something the learner should read (one line), e.g. a refused request or a failed prediction. */
  v.strictObject({ type: v.literal('error'), message: v.string() }),
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
