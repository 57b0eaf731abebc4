/**
 * What the panel knows about its run, built from `init` and updated by incremental messages.
 * Pure data, no DOM: main.ts applies messages here, then asks the views to redraw.
 */
import type { ChapterInfo } from '../src/shared/course/chapter';
import type { InitMessage, WebviewMessage } from '../src/shared/protocol/webview';
import type {
  AttentionSnapshot,
  EvaluationRecord,
  RunSnapshot,
  RunStatus,
  SamplesSnapshot,
  StepRecord,
} from '../src/shared/run/records';

/**
 * What the panel shows: a readable run, a damaged run folder (`damagedReason`), or a chapter
 * preview (no run folder: the learning contract, and the start form when the chapter trains).
 */
export type LabView = 'run' | 'damaged' | 'preview';

export interface LabModel {
  init: InitMessage;
  chapter: ChapterInfo;
  view: LabView;
  run: RunSnapshot | null;
  live: boolean;
  status: RunStatus | null;
  /** One record per evaluation, ascending (a repeated epoch replaces the earlier record). */
  evaluations: EvaluationRecord[];
  /** Step records, ascending by step, one per step. */
  steps: StepRecord[];
  attentionEpochs: number[];
  latestAttention: AttentionSnapshot | null;
  /**
   * The maps after the run's first step, shown until the first evaluation's snapshot arrives
   * (null once there is one). Never in `attentionEpochs`: not replayed, not exported.
   */
  preview: AttentionSnapshot | null;
  samples: SamplesSnapshot | null;
  progress: WebviewMessage<'progress'> | null;
}

function upsertSorted<T>(list: T[], item: T, key: (x: T) => number): void {
  const k = key(item);
  let i = list.length;
  while (i > 0 && key(list[i - 1]) > k) i--;
  if (i > 0 && key(list[i - 1]) === k) list[i - 1] = item;
  else list.splice(i, 0, item);
}

export function modelFromInit(init: InitMessage): LabModel {
  const run = init.run;
  const model: LabModel = {
    init,
    chapter: init.chapter,
    view: run ? 'run' : init.damagedReason !== undefined ? 'damaged' : 'preview',
    run,
    live: init.live,
    status: run?.status ?? null,
    evaluations: [],
    steps: [],
    attentionEpochs: [...new Set(run?.attentionEpochs ?? [])].sort((a, b) => a - b),
    latestAttention: run?.attention ?? null,
    preview: null,
    samples: run?.samples ?? null,
    progress: null,
  };
  for (const record of run?.metrics ?? []) {
    if (record.kind === 'epoch') upsertSorted(model.evaluations, record, (m) => m.epoch);
    else upsertSorted(model.steps, record, (m) => m.step);
  }
  if (model.latestAttention && !model.attentionEpochs.includes(model.latestAttention.epoch)) {
    upsertSorted(model.attentionEpochs, model.latestAttention.epoch, (e) => e);
  }
  return model;
}

/** Keeps the preview when the panel has no snapshot yet; false when it is ignored (one came first). */
export function applyPreview(model: LabModel, message: WebviewMessage<'attentionPreview'>): boolean {
  if (model.latestAttention || model.attentionEpochs.length > 0) return false;
  model.preview = message.attention;
  return true;
}

export function applyEpoch(model: LabModel, message: WebviewMessage<'epoch'>): void {
  upsertSorted(model.evaluations, message.metrics, (m) => m.epoch);
  if (message.attention) {
    model.preview = null;
    upsertSorted(model.attentionEpochs, message.attention.epoch, (e) => e);
    if (!model.latestAttention || message.attention.epoch >= model.latestAttention.epoch)
      model.latestAttention = message.attention;
  }
  if (message.samples) model.samples = message.samples;
  if (message.figures && model.run) model.run = { ...model.run, figures: message.figures };
  if (model.status)
    model.status = { ...model.status, epochsCompleted: Math.max(model.status.epochsCompleted, message.metrics.epoch) };
}

export function applyStep(model: LabModel, message: WebviewMessage<'step'>): void {
  upsertSorted(model.steps, message.metrics, (m) => m.step);
}

/** Evaluations whose results (and model weights) are on disk: from the status and the records. */
export function epochsOnDisk(model: LabModel): number {
  const last = model.evaluations[model.evaluations.length - 1];
  return Math.max(model.status?.epochsCompleted ?? 0, last ? last.epoch : 0);
}

/** The run's planned number of epochs (evaluations), from its hyperparameters. */
export function plannedEpochs(model: LabModel): number {
  const value = model.run?.config.hyperparameters.epochs;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** The newest epoch that has an attention snapshot, or null. */
export function latestAttentionEpoch(model: LabModel): number | null {
  return model.attentionEpochs.length ? model.attentionEpochs[model.attentionEpochs.length - 1] : null;
}
