/**
 * The lab panel's sampling messages (a language model's run: mini-gpt), defined once here and
 * joined into the panel's two unions in webview.ts. The webview asks (`sample`, `stopSample`,
 * `requestSampleHistory`); the host checks the request (panelRequests.ts), forwards it to the
 * engine's `sample` request (src/shared/protocol/engine.ts) and streams the answer back:
 * `sampleStarted`, `sampleTokens` (one or more tokens: the host's throttle joins tokens that wait
 * together, so ≤ 10 messages a second carry every token, in order), `sampleEnded`. `sample` numbers
 * the panel's generations, so a token of an earlier one is never shown in a later one.
 */
import * as v from 'valibot';
import type { ModelKind } from '../course/chapter';
import { PackedMatrixSchema, SamplesSnapshotSchema, type RunConfig } from '../run/records';
import { count, measure, shortText } from '../schema';
import { SAMPLING_LIMITS } from './engine';

/** How many of the most probable next tokens the panel asks for at every step (the rest is one "other" bar). */
export const PANEL_SAMPLE_TOP_COUNT = 20;
/** At most this many evaluations' samples in one `sampleHistory`. */
export const MAX_SAMPLE_HISTORY = 1000;
/** The largest top-k the panel may ask for (larger than any vocabulary here; 0 = no limit). */
export const MAX_TOP_K = 100_000;
/** The largest seed the panel may ask for. */
export const MAX_SEED = 2 ** 31 - 1;

/** Whether a panel's run can be sampled: a decoder-only model trained on a corpus (a language model). */
export function canSample(kind: ModelKind, config: RunConfig | null | undefined): boolean {
  return kind === 'decoder-only' && config?.data.corpus !== undefined;
}

// ── webview → host (untrusted) ──────────────────────────────────────────────────────────────

/** Generate from the run's latest saved weights (a live run: those of its latest evaluation). */
export const PanelSampleRequestSchema = v.strictObject({
  type: v.literal('sample'),
  prompt: v.pipe(v.string(), v.maxLength(SAMPLING_LIMITS.maxPromptCharacters)),
  temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(SAMPLING_LIMITS.maxTemperature)),
  topK: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_TOP_K)),
  topP: v.pipe(v.number(), v.gtValue(0), v.maxValue(1)),
  maxTokens: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(SAMPLING_LIMITS.maxTokens)),
  seed: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_SEED)),
});
export type PanelSampleRequest = v.InferOutput<typeof PanelSampleRequestSchema>;

export const SAMPLING_PANEL_REQUESTS = [
  PanelSampleRequestSchema,
  /** Stop the panel's generation after its current token. */
  v.strictObject({ type: v.literal('stopSample') }),
  /** The samples saved at every evaluation of the run, to step through. */
  v.strictObject({ type: v.literal('requestSampleHistory') }),
] as const;

// ── host → webview ──────────────────────────────────────────────────────────────────────────

/** One generated token, as the engine's `sampleToken` has it (without its request id). */
export const SampledTokenSchema = v.strictObject({
  /** 0-based among the generated tokens. */
  index: count,
  token: shortText(100),
  text: shortText(100),
  probability: measure,
  /** The most probable tokens of the distribution it was drawn from (after temperature, top-k, top-p). */
  top: v.pipe(
    v.array(v.strictObject({ token: shortText(100), probability: measure })),
    v.maxLength(SAMPLING_LIMITS.maxTopCount),
  ),
  /** The keys are the prompt + generated tokens from `windowStart`, `keys` of them. */
  windowStart: count,
  keys: count,
  /** Per layer: rows = heads, columns = keys (packed float32). */
  attention: v.pipe(v.array(PackedMatrixSchema), v.maxLength(64)),
});
export type SampledToken = v.InferOutput<typeof SampledTokenSchema>;

export const SAMPLING_HOST_MESSAGES = [
  /** The generation `sample` began, from the weights of evaluation `epoch`. */
  v.strictObject({
    type: v.literal('sampleStarted'),
    sample: count,
    epoch: count,
    promptTokens: v.array(shortText(100)),
    unknownTokens: v.array(shortText(100)),
    layers: count,
    heads: count,
    context: count,
    maxTokens: count,
  }),
  /** Tokens of the generation `sample`, in order. */
  v.strictObject({
    type: v.literal('sampleTokens'),
    sample: count,
    tokens: v.pipe(v.array(SampledTokenSchema), v.maxLength(SAMPLING_LIMITS.maxTokens)),
  }),
  /** The generation ended: all tokens made, stopped, or failed (`error`, one line). */
  v.strictObject({
    type: v.literal('sampleEnded'),
    sample: count,
    stopped: v.boolean(),
    tokens: count,
    seconds: measure,
    tokensPerSecond: measure,
    error: v.optional(v.string()),
  }),
  /** The samples saved at every evaluation, ascending (answers `requestSampleHistory`). */
  v.strictObject({
    type: v.literal('sampleHistory'),
    snapshots: v.pipe(v.array(SamplesSnapshotSchema), v.maxLength(MAX_SAMPLE_HISTORY)),
  }),
] as const;
