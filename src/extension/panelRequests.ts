/**
 * The gate every message from a lab panel's webview passes: first the protocol
 * (`WebviewToHostSchema`, strict, bounded), then the checks that need the panel's run and chapter:
 * an attention epoch must be one the run has on disk, "Try it" needs a run and some text, fill-in
 * needs a run of a masked language model and a text with a `[MASK]`, and a
 * `train` request must name a task and variant of the panel's chapter with overrides its
 * hyperparameter specs accept (`resolveHyperparameters`), `trainComparison` needs a chapter that
 * declares a comparison, sampling messages need a run that can be sampled (a language model), and
 * the comparison panel's messages are refused here. A code link must name a source file the run's
 * shape table links to; an export must hold what its format says (`checkExportContent`: bounded, a
 * PNG that is a PNG, an SVG without script, a probe JSON that fits its schema). Anything else is
 * refused with a one-line reason that never echoes the input. No vscode import.
 */
import type { ChapterInfo, HyperValue } from '../shared/course/chapter';
import { checkValue, resolveHyperparameters, specOf, variantOf } from '../shared/course/hyperparameters';
import { FILL_CHAPTERS, WebviewToHostSchema, type WebviewToHost } from '../shared/protocol/webview';
import { checkExportContent, type ExportPayload } from '../shared/run/export';
import { parseWith, type Parsed } from '../shared/schema';
import { learnerWords, MASK_MARKER } from '../shared/text/words';

export interface PanelRequestContext {
  /** Epochs with an attention snapshot on disk (empty when the panel shows no run). */
  attentionEpochs: readonly number[];
  /** Whether the panel shows a readable run (predict and requestAttention need one). */
  hasRun: boolean;
  /** The chapter a `train` request of this panel trains (null: unknown, e.g. a foreign folder). */
  chapter: ChapterInfo | null;
  /** The source files the run's shape table links to (`openSource` must name one of them). */
  sourceFiles?: readonly string[];
  /** Whether the panel's run is a language model that can be sampled (`canSample`, src/shared/protocol/sampling.ts). */
  canSample?: boolean;
}

/** An export once checked: the name the webview proposes and the content to write. */
export interface CheckedExportRequest {
  type: 'export';
  name: string;
  payload: ExportPayload;
}

/** The export message, checked: its content is what its format says. */
export function checkExportRequest(message: Extract<WebviewToHost, { type: 'export' }>): Parsed<CheckedExportRequest> {
  const content = checkExportContent(message.format, message.content);
  if (!content.ok) return content;
  return { ok: true, value: { type: 'export', name: message.name, payload: content.value } };
}

/** A `train` request once checked: task and variant filled in with the chapter's defaults. */
export interface CheckedTrainRequest {
  type: 'train';
  task: string;
  variant: string;
  overrides: Record<string, HyperValue>;
}

export type PanelRequest =
  Exclude<WebviewToHost, { type: 'train' | 'export' }> | CheckedTrainRequest | CheckedExportRequest;

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** The train request against the chapter's declarations; reasons name keys of the chapter, never the input. */
export function checkTrainRequest(
  info: ChapterInfo | null,
  message: Extract<WebviewToHost, { type: 'train' }>,
): Parsed<CheckedTrainRequest> {
  if (!info || !info.trainable) return refuse('train: this panel’s chapter cannot be trained in this version');
  const task = message.task ?? info.defaultTask;
  if (!info.tasks.some((candidate) => candidate.id === task)) {
    return refuse(`train: unknown task for ${info.id}; choose one of: ${info.tasks.map((x) => x.id).join(', ')}`);
  }
  const variant = message.variant ?? info.defaultVariant;
  if (!variantOf(info, variant)) {
    return refuse(`train: unknown variant for ${info.id}; choose one of: ${info.variants.map((x) => x.id).join(', ')}`);
  }
  for (const [key, value] of Object.entries(message.overrides)) {
    const spec = specOf(info, key);
    if (!spec) return refuse(`train: "overrides" holds a key that is not a hyperparameter of ${info.id}`);
    const problem = checkValue(spec, value);
    // checkValue names the spec's key and, for a number, its bounded value: one line.
    if (problem) return refuse(`train: ${problem}`);
  }
  const resolved = resolveHyperparameters(info, task, variant, message.overrides);
  if (!resolved.ok) return refuse(`train: ${resolved.reason}`);
  return { ok: true, value: { type: 'train', task, variant, overrides: { ...message.overrides } } };
}

export function checkPanelRequest(raw: unknown, context: PanelRequestContext): Parsed<PanelRequest> {
  let parsed: Parsed<WebviewToHost>;
  try {
    parsed = parseWith(WebviewToHostSchema, raw, 'panel message');
  } catch {
    // A getter that throws, a proxy…: nothing a postMessage clone carries, but never trusted.
    return refuse('panel message could not be read');
  }
  if (!parsed.ok) return parsed;
  const message = parsed.value;
  switch (message.type) {
    case 'requestAttention':
      if (!context.hasRun) return refuse('requestAttention: this panel shows no run');
      if (!context.attentionEpochs.includes(message.epoch)) {
        return refuse('requestAttention: the run has no attention snapshot for that epoch');
      }
      return { ok: true, value: message };
    case 'predict': {
      if (!context.hasRun) return refuse('predict: this panel shows no run');
      const text = message.text.trim();
      if (text === '') return refuse('predict: "text" is empty');
      return { ok: true, value: { type: 'predict', text } };
    }
    case 'fill': {
      if (!context.hasRun) return refuse('fill: this panel shows no run');
      if (!context.chapter || !FILL_CHAPTERS.includes(context.chapter.id))
        return refuse(`fill: only a masked language model fills in words (${FILL_CHAPTERS.join(', ')})`);
      const text = message.text.trim();
      if (text === '') return refuse('fill: "text" is empty');
      if (!learnerWords(text).includes(MASK_MARKER)) return refuse(`fill: "text" has no ${MASK_MARKER}`);
      return { ok: true, value: { ...message, text } };
    }
    case 'train':
      return checkTrainRequest(context.chapter, message);
    case 'trainComparison':
      if (!context.chapter?.trainable || !context.chapter.comparison)
        return refuse('trainComparison: this panel’s chapter has no comparison to train');
      return { ok: true, value: message };
    case 'openSource':
      if (!context.hasRun) return refuse('openSource: this panel shows no run');
      if (!(context.sourceFiles ?? []).includes(message.file))
        return refuse('openSource: "file" is not a source the run’s shape table links to');
      return { ok: true, value: message };
    case 'requestChecks':
    case 'mapsSeen':
      if (!context.hasRun) return refuse(`${message.type}: this panel shows no run`);
      return { ok: true, value: message };
    case 'export':
      return checkExportRequest(message);
    case 'sample': {
      if (!context.hasRun || !context.canSample) return refuse('sample: this panel’s run is not a language model');
      // The schema bounds every field; a prompt is text as typed (the engine reads it character by character).
      return { ok: true, value: message };
    }
    case 'stopSample':
    case 'requestSampleHistory':
      if (!context.hasRun || !context.canSample)
        return refuse(`${message.type}: this panel’s run is not a language model`);
      return { ok: true, value: message };
    case 'saveComparison':
    case 'openRun':
    case 'requestCompareAttention':
      return refuse(`${message.type}: a lab panel does not take this message`);
    default:
      return { ok: true, value: message };
  }
}
