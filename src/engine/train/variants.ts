/**
 * Training a chapter's variants one after another with the same seed and data (the same task,
 * seed and overrides; only the variant changes), for a comparison: `llm-tutor train <chapter>
 * --variant all` and the extension's "Train Variants…" (through the worker). Every variant is
 * planned before the first run folder exists, so a bad request writes nothing; a variant that
 * fails does not stop the others; a stopped run ends the sequence (the rest are `skipped`).
 * A chapter whose comparison declares another chapter (`comparison.withChapter`) gets that
 * chapter's default run on the same task and seed last, so the comparison holds both: an existing
 * finished run that is the same run (reuse.ts) is reused, announced before the first variant
 * starts (`runReused`); only when there is none is it trained.
 */
import { comparisonCompanion } from '../../shared/course/catalogue';
import type { HyperValue } from '../../shared/course/chapter';
import type { VariantOutcome } from '../../shared/protocol/engine';
import { MAX_COMPARED_RUNS } from '../../shared/run/comparison';
import type { Chapter } from '../chapters/contract';
import { trainableChapter } from '../chapters/registry';
import { findReusableRun, type ReusedRun } from './reuse';
import { planNewRun, TrainError } from './runConfig';
import { train, type TrainerEvents, type TrainResult, type TrainSetup } from './trainer';

export type VariantsSetup = Omit<TrainSetup, 'variant' | 'resume'> & {
  variants: readonly string[];
  /** One seed for every variant (the trainer's default when absent, the same for all). */
  seed: number;
};

export interface VariantsEvents extends Partial<TrainerEvents> {
  /** Before each variant: its id, its place (0-based) and how many there are (`chapter`: another chapter's run). */
  variantStarting?(variant: string, index: number, count: number, chapter?: Chapter): void;
  /** After each variant, however it ended. */
  variantEnded?(outcome: VariantOutcome, index: number, count: number): void;
  /** Before the first variant: the comparison's other chapter has a finished run that is reused, not trained. */
  runReused?(run: ReusedRun): void;
}

export type TrainFunction = (setup: TrainSetup, events: Partial<TrainerEvents>) => Promise<TrainResult>;

/** What another chapter's run takes from the learner's overrides besides its data sizes: the same budget. */
const SHARED_BUDGET = new Set(['epochs', 'batchSize']);

/** The run of another chapter that a comparison declares: its chapter, default variant, task and overrides. */
export interface CompanionPlan {
  chapter: Chapter;
  variant: string;
  task: string;
  overrides: Record<string, HyperValue>;
}

/**
 * The other chapter's run of `setup.chapter`'s comparison (`comparison.withChapter`), or null
 * when it declares none or the other chapter has not the variants' task: that chapter's default
 * variant on the same task (and, in `trainVariants`, the same seed), with the learner's overrides
 * of what the two runs share (data sizes, epochs, batch size: the keys it declares) and then the
 * declared preset. Its model's own settings stay its defaults.
 */
export function companionPlan(setup: Pick<VariantsSetup, 'chapter' | 'task' | 'overrides'>): CompanionPlan | null {
  const task = setup.task ?? setup.chapter.info.defaultTask;
  const other = comparisonCompanion(setup.chapter.info, task);
  const chapter = other ? trainableChapter(other) : undefined;
  const declared = setup.chapter.info.comparison?.withChapter;
  if (!chapter || !declared) return null;
  const specs = new Map(chapter.info.hyperparameters.map((spec) => [spec.key, spec]));
  const overrides: Record<string, HyperValue> = {};
  for (const [key, value] of Object.entries(setup.overrides ?? {})) {
    const spec = specs.get(key);
    if (spec && (spec.group === 'data' || SHARED_BUDGET.has(key))) overrides[key] = value;
  }
  Object.assign(overrides, declared.overrides);
  return { chapter, variant: chapter.info.defaultVariant, task, overrides };
}

/** The other chapter's run of this sequence: only while the comparison still has room for it. */
function companionOf(setup: VariantsSetup): CompanionPlan | null {
  return setup.variants.length < MAX_COMPARED_RUNS ? companionPlan(setup) : null;
}

/** Checks every variant's plan (task, variant, overrides, ranges) before anything is written. TrainError naming the variant. */
export function planVariants(setup: VariantsSetup): void {
  if (setup.variants.length === 0) throw new TrainError('no variants to train');
  for (const variant of setup.variants) {
    try {
      planNewRun(setup.chapter, { ...setup, variant });
    } catch (error) {
      if (error instanceof TrainError) throw new TrainError(`variant ${variant}: ${error.message}`);
      throw error;
    }
  }
  const companion = companionOf(setup);
  if (companion) {
    try {
      planNewRun(companion.chapter, { ...setup, ...companion, corpus: undefined });
    } catch (error) {
      if (error instanceof TrainError) throw new TrainError(`${companion.chapter.info.id}: ${error.message}`);
      throw error;
    }
  }
}

/** One run of a sequence: a variant, or the comparison's other chapter (`chapter`). */
interface SequenceRun {
  variant: string;
  setup: TrainSetup;
  chapter?: Chapter;
}

/** The runs of a sequence: the variants, then the comparison's other chapter if it declares one. */
function sequenceOf(setup: VariantsSetup): SequenceRun[] {
  const runs: SequenceRun[] = setup.variants.map((variant) => ({ variant, setup: { ...setup, variant } }));
  const companion = companionOf(setup);
  if (companion)
    runs.push({
      variant: companion.variant,
      chapter: companion.chapter,
      setup: { ...setup, ...companion, corpus: undefined },
    });
  return runs;
}

/** The finished run that the comparison's other chapter would repeat, or null. */
function reusableRun(other: SequenceRun & { chapter: Chapter }): Promise<ReusedRun | null> {
  const plan = planNewRun(other.chapter, other.setup);
  return findReusableRun(other.setup.runsDir, other.chapter, plan, other.setup.backend);
}

/** Trains the variants in order (then the comparison's other chapter); resolves with how each ended (never rejects for one run's failure). */
export async function trainVariants(
  setup: VariantsSetup,
  events: VariantsEvents = {},
  trainFunction: TrainFunction = train,
): Promise<VariantOutcome[]> {
  planVariants(setup);
  const outcomes: VariantOutcome[] = [];
  const planned = sequenceOf(setup);
  const companion = planned.find((run): run is SequenceRun & { chapter: Chapter } => run.chapter !== undefined);
  const reused = companion ? await reusableRun(companion) : null;
  if (reused) events.runReused?.(reused);
  // A reused run is not trained: it is not counted among the runs that start, and is listed last.
  const runs = reused ? planned.filter((run) => !run.chapter) : planned;
  const count = runs.length;
  let stopped = false;
  for (const [index, run] of runs.entries()) {
    const { variant } = run;
    const named = run.chapter ? { chapter: run.chapter.info.id } : {};
    if (stopped || setup.shouldStop?.()) {
      stopped = true;
      outcomes.push({ variant, ...named, state: 'skipped', runId: null, runDir: null });
      continue;
    }
    events.variantStarting?.(variant, index, count, run.chapter);
    let started: { runId: string; runDir: string } | null = null;
    let outcome: VariantOutcome;
    try {
      const result = await trainFunction(run.setup, {
        ...events,
        runStarted: (startedRun) => {
          started = { runId: startedRun.runId, runDir: startedRun.runDir };
          events.runStarted?.(startedRun);
        },
      });
      outcome = {
        variant,
        ...named,
        state: result.status.state === 'running' ? 'failed' : result.status.state,
        runId: result.runId,
        runDir: result.runDir,
      };
      if (result.status.state === 'failed' && result.status.error) outcome.error = result.status.error;
      if (result.status.state === 'stopped') stopped = true;
    } catch (error) {
      const startedRun = started as { runId: string; runDir: string } | null;
      outcome = {
        variant,
        ...named,
        state: 'failed',
        runId: startedRun?.runId ?? null,
        runDir: startedRun?.runDir ?? null,
        error: (error instanceof Error ? error.message : String(error)).split('\n')[0],
      };
    }
    outcomes.push(outcome);
    events.variantEnded?.(outcome, index, count);
  }
  if (reused && companion) {
    // In the comparison since the start, whether or not the sequence was stopped.
    const { runId, runDir } = reused;
    outcomes.push({
      variant: companion.variant,
      chapter: companion.chapter.info.id,
      state: 'completed',
      runId,
      runDir,
      reused: true,
    });
  }
  return outcomes;
}
