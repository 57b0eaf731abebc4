/**
 * What the comparison panel knows: its runs (readable ones named A, B, … in order; unreadable ones
 * with their reason), their chapters, the variants still to train, and what they share
 * (`summarizeComparison`, recomputed when a run joins or an evaluation brings a new snapshot).
 * Pure data, no DOM.
 */
import type { ChapterInfo } from '../src/shared/course/chapter';
import type { CompareInitMessage, ComparedRunEntry, WebviewMessage } from '../src/shared/protocol/webview';
import { summarizeComparison, type ComparedRun, type ComparisonSummary } from '../src/shared/run/comparison';
import type { EvaluationRecord, RunSnapshot } from '../src/shared/run/records';

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
}

function evaluationsOf(run: RunSnapshot): EvaluationRecord[] {
  const byEpoch = new Map<number, EvaluationRecord>();
  for (const record of run.metrics) if (record.kind === 'epoch') byEpoch.set(record.epoch, record);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

function resummarize(model: CompareModel): void {
  const runs: ComparedRun[] = model.runs.map(({ run, chapter }) => ({ run, chapter }));
  model.summary = summarizeComparison(runs);
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
  model.waiting = model.waiting.filter((variant) => variant !== entry.run.config.variant);
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
