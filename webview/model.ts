/**
 * What the panel knows about its run, built from `init` and updated by incremental messages.
 * Pure data, no DOM: main.ts applies messages here, then asks the views to redraw.
 */
import type {
  AttentionSnapshot,
  EpochMetrics,
  RunSnapshot,
  RunStatus,
  SamplesSnapshot,
  StepMetrics,
} from '../src/protocol/run';
import type { EpochMessage, InitMessage, ProgressMessage, StepMessage } from '../src/protocol/webview';

/**
 * What the panel shows: a readable run, a damaged run folder (`damagedReason`), or a chapter
 * preview (no run folder: the learning contract only, e.g. a chapter not trainable yet).
 */
export type LabView = 'run' | 'damaged' | 'preview';

export interface LabModel {
  init: InitMessage;
  view: LabView;
  run: RunSnapshot | null;
  live: boolean;
  status: RunStatus | null;
  /** One record per epoch, ascending (a repeated epoch replaces the earlier record). */
  epochs: EpochMetrics[];
  /** Step records, ascending by step, one per step. */
  steps: StepMetrics[];
  attentionEpochs: number[];
  latestAttention: AttentionSnapshot | null;
  samples: SamplesSnapshot | null;
  progress: ProgressMessage | null;
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
    view: run ? 'run' : typeof init.damagedReason === 'string' ? 'damaged' : 'preview',
    run,
    live: init.live,
    status: run?.status ?? null,
    epochs: [],
    steps: [],
    attentionEpochs: [...new Set(run?.attentionEpochs ?? [])].sort((a, b) => a - b),
    latestAttention: run?.attention ?? null,
    samples: run?.samples ?? null,
    progress: null,
  };
  for (const record of run?.metrics ?? []) {
    if (record?.kind === 'epoch') upsertSorted(model.epochs, record, (m) => m.epoch);
    else if (record?.kind === 'step') upsertSorted(model.steps, record, (m) => m.step);
  }
  if (model.latestAttention && !model.attentionEpochs.includes(model.latestAttention.epoch)) {
    upsertSorted(model.attentionEpochs, model.latestAttention.epoch, (e) => e);
  }
  return model;
}

export function applyEpoch(model: LabModel, message: EpochMessage): void {
  upsertSorted(model.epochs, message.metrics, (m) => m.epoch);
  if (message.attention) {
    upsertSorted(model.attentionEpochs, message.attention.epoch, (e) => e);
    if (!model.latestAttention || message.attention.epoch >= model.latestAttention.epoch)
      model.latestAttention = message.attention;
  }
  if (message.samples) model.samples = message.samples;
  if (model.status)
    model.status = { ...model.status, epochsCompleted: Math.max(model.status.epochsCompleted, message.metrics.epoch) };
}

export function applyStep(model: LabModel, message: StepMessage): void {
  upsertSorted(model.steps, message.metrics, (m) => m.step);
}

/** Epochs whose results (and model weights) are on disk: from the status and the epoch records. */
export function epochsOnDisk(model: LabModel): number {
  return Math.max(
    model.status?.epochsCompleted ?? 0,
    model.epochs.length ? model.epochs[model.epochs.length - 1].epoch : 0,
  );
}

/** The newest epoch that has an attention snapshot, or null. */
export function latestAttentionEpoch(model: LabModel): number | null {
  return model.attentionEpochs.length ? model.attentionEpochs[model.attentionEpochs.length - 1] : null;
}
