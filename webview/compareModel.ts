/**
 * What the comparison panel knows: its runs (readable ones named A, B, … in order; unreadable ones
 * with their reason), their chapters, the variants still to train, and what they share
 * (`summarizeComparison`, recomputed when a run joins or an evaluation brings a new snapshot).
 * During a replay (`replay`) the maps compare every run's snapshot of one epoch instead of its
 * newest. Pure data, no DOM.
 */
import type { ChapterInfo } from '../src/shared/course/chapter';
import type { CompareInitMessage, ComparedRunEntry, WebviewMessage } from '../src/shared/protocol/webview';
import { summarizeComparison, type ComparedRun, type ComparisonSummary } from '../src/shared/run/comparison';
import type { AttentionSnapshot, EvaluationRecord, RunSnapshot } from '../src/shared/run/records';

export interface CompareRun {
  runId: string;
  run: RunSnapshot;
  chapter: ChapterInfo;
  live: boolean;
  /** One record per evaluation, ascending. */
  evaluations: EvaluationRecord[];
}

export interface CompareModel {
  init: CompareInitMessage;
  name: string | null;
  runs: CompareRun[];
  unreadable: { runId: string; reason: string }[];
  waiting: string[];
  chapters: Map<string, ChapterInfo>;
  summary: ComparisonSummary;
  /** Replaying: every run's snapshot of `epoch` (null: the run has none), else each run's newest. */
  replay: { epoch: number; snapshots: Map<string, AttentionSnapshot | null> } | null;
}

function evaluationsOf(run: RunSnapshot): EvaluationRecord[] {
  const byEpoch = new Map<number, EvaluationRecord>();
  for (const record of run.metrics) if (record.kind === 'epoch') byEpoch.set(record.epoch, record);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** The attention snapshot the maps show for a run: the replayed epoch's, else its newest. */
export function shownAttention(model: CompareModel, run: CompareRun): AttentionSnapshot | null {
  return model.replay ? (model.replay.snapshots.get(run.runId) ?? null) : run.run.attention;
}

function resummarize(model: CompareModel): void {
  const runs: ComparedRun[] = model.runs.map((item) => ({
    run: model.replay ? { ...item.run, attention: shownAttention(model, item) } : item.run,
    chapter: item.chapter,
  }));
  model.summary = summarizeComparison(runs);
}

/** The epochs every readable run has an attention snapshot of, ascending. */
export function sharedEpochs(model: CompareModel): number[] {
  if (model.runs.length === 0) return [];
  const [first, ...rest] = model.runs.map((run) => new Set(run.run.attentionEpochs));
  return [...first].filter((epoch) => rest.every((epochs) => epochs.has(epoch))).sort((a, b) => a - b);
}

/** The host's answer to `requestCompareAttention`: the maps compare that epoch. */
export function applyCompareAttention(model: CompareModel, message: WebviewMessage<'compareAttention'>): void {
  model.replay = {
    epoch: message.epoch,
    snapshots: new Map(message.snapshots.map((item) => [item.runId, item.snapshot])),
  };
  resummarize(model);
}

/** Back to each run's newest snapshot. */
export function clearReplay(model: CompareModel): void {
  if (!model.replay) return;
  model.replay = null;
  resummarize(model);
}

/** Adds (or replaces) a run entry; false when its chapter is unknown to the panel. */
function place(model: CompareModel, entry: ComparedRunEntry): void {
  if (!entry.ok) {
    model.runs = model.runs.filter((run) => run.runId !== entry.runId);
    if (!model.unreadable.some((item) => item.runId === entry.runId))
      model.unreadable.push({ runId: entry.runId, reason: entry.reason });
    return;
  }
  const chapter = model.chapters.get(entry.run.config.chapter);
  if (!chapter) return;
  const run: CompareRun = {
    runId: entry.runId,
    run: entry.run,
    chapter,
    live: entry.live,
    evaluations: evaluationsOf(entry.run),
  };
  const index = model.runs.findIndex((item) => item.runId === entry.runId);
  if (index >= 0) model.runs[index] = run;
  else model.runs.push(run);
  // A variant waits under its id; the comparison's other chapter (comparison.withChapter) under the chapter's.
  const label = model.waiting.includes(entry.run.config.chapter) ? entry.run.config.chapter : entry.run.config.variant;
  model.waiting = model.waiting.filter((waiting) => waiting !== label);
}

export function compareModelFromInit(init: CompareInitMessage): CompareModel {
  const model: CompareModel = {
    init,
    name: init.name,
    runs: [],
    unreadable: [],
    waiting: [...init.waiting],
    chapters: new Map(init.chapters.map((chapter) => [chapter.id, chapter])),
    summary: summarizeComparison([]),
    replay: null,
  };
  for (const entry of init.runs) place(model, entry);
  resummarize(model);
  return model;
}

export function applyCompareRun(model: CompareModel, message: WebviewMessage<'compareRun'>): void {
  if (message.chapter) model.chapters.set(message.chapter.id, message.chapter);
  place(model, message.entry);
  resummarize(model);
}

/** A live evaluation of one run; true when the run is one of the panel's. */
export function applyCompareEpoch(model: CompareModel, message: WebviewMessage<'compareEpoch'>): boolean {
  const run = model.runs.find((item) => item.runId === message.runId);
  if (!run) return false;
  const evaluations = run.evaluations.filter((record) => record.epoch !== message.metrics.epoch);
  evaluations.push(message.metrics);
  evaluations.sort((a, b) => a.epoch - b.epoch);
  run.evaluations = evaluations;
  const epochsCompleted = Math.max(run.run.status.epochsCompleted, message.metrics.epoch);
  run.run = {
    ...run.run,
    status: { ...run.run.status, epochsCompleted },
    metrics: [...run.run.metrics, message.metrics],
    attentionEpochs:
      message.attention && !run.run.attentionEpochs.includes(message.attention.epoch)
        ? [...run.run.attentionEpochs, message.attention.epoch].sort((a, b) => a - b)
        : run.run.attentionEpochs,
    attention:
      message.attention && (!run.run.attention || message.attention.epoch >= run.run.attention.epoch)
        ? message.attention
        : run.run.attention,
  };
  resummarize(model);
  return true;
}

export function applyCompareStatus(model: CompareModel, message: WebviewMessage<'compareStatus'>): boolean {
  const run = model.runs.find((item) => item.runId === message.runId);
  if (!run) return false;
  run.run = { ...run.run, status: message.status };
  run.live = message.live;
  return true;
}

/** The run's planned number of evaluations (0 when unknown). */
export function plannedEpochs(run: CompareRun): number {
  const value = run.run.config.hyperparameters.epochs;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
