/**
 * What one run of the trainer holds while it trains: the chapter, its data, model, optimiser and
 * writer, the run's config and status, and the clock. Built by trainer.ts, read by epoch.ts and
 * endOfEpoch.ts.
 */
import type { Hyperparameters } from '../../shared/course/chapter';
import type {
  AttentionSnapshot,
  EvaluationRecord,
  Figure,
  RunConfig,
  RunStatus,
  SamplesSnapshot,
  ShapeEntry,
  StepRecord,
} from '../../shared/run/records';
import type { RunWriter } from '../../runStore';
import type { Chapter, ChapterModel, RunData, TrainOptimizer } from '../chapters/contract';
import type { Parameters } from '../nn/parameters';

export interface TrainerEvents {
  runStarted(run: { runId: string; runDir: string; config: RunConfig; shapes: ShapeEntry[]; figures: Figure[] }): void;
  progress(p: { epoch: number; epochs: number; batch: number; batches: number; trainLoss: number }): void;
  stepMetrics(metrics: StepRecord): void;
  /** `figures`: the run's whole new list when the evaluation changed it (`chapter.trainedFigures`). */
  epoch(
    metrics: EvaluationRecord,
    attention: AttentionSnapshot | null,
    samples: SamplesSnapshot,
    figures?: Figure[],
  ): void;
  /**
   * The probes' maps after the first optimiser step of a new run (epoch 0, `step` 1), before the
   * first evaluation: live only, never written to the run folder (preview.ts).
   */
  attentionPreview(snapshot: AttentionSnapshot): void;
  log(line: string): void;
  ended(status: RunStatus): void;
}

export interface Session {
  chapter: Chapter;
  hyper: Hyperparameters;
  data: RunData;
  model: ChapterModel;
  parameters: Parameters;
  optimizer: TrainOptimizer;
  config: RunConfig;
  writer: RunWriter;
  events: Partial<TrainerEvents>;
  log(line: string): void;
  status: RunStatus;
  /** Optimiser steps taken since the run began (a resumed run continues its count). */
  step: number;
  /** Seconds of earlier runs this one continues (resume), and when this one started (ms). */
  secondsBefore: number;
  startedAt: number;
  shouldStop(): boolean;
  /** A `kind: 'step'` metrics line every this many steps. */
  stepMetricsEvery: number;
  /** The run's figures as figures.json holds them. */
  figures: Figure[];
  /** A new run sends an attention preview after its first step (preview.ts); cleared once sent. */
  previewAfterFirstStep: boolean;
}

/** Wall-clock seconds since the run began, earlier runs included. */
export function runSeconds(session: Session): number {
  return session.secondsBefore + (Date.now() - session.startedAt) / 1000;
}
