/**
 * What a run will be, decided before anything is written: a new run's task, variant, seed and
 * hyperparameters (chapter defaults ← task ← variant ← the learner's overrides), or what a resumed
 * run continues from (its config, and its verified checkpoint). Every refusal is a TrainError with
 * one line, thrown before a run folder exists.
 */
import type { Hyperparameters, HyperValue } from '../../shared/course/chapter';
import { resolveHyperparameters } from '../../shared/course/hyperparameters';
import type { MetricsRecord, RunConfig } from '../../shared/run/records';
import { DamagedRunError, checkedCheckpoint, readConfig, readMetricsForStatus, readStatus } from '../../runStore';
import type { Checkpoint } from '../../runStore/checkpoint';
import type { Chapter } from '../chapters/contract';

export class TrainError extends Error {}

export interface TrainRequestOptions {
  task?: string;
  /** A language model's corpus: `en`, `zh` or a path (PrepareOptions.corpus). */
  corpus?: string;
  variant?: string;
  seed?: number;
  overrides?: Record<string, HyperValue>;
}

export interface NewRunPlan {
  task: string;
  variant: string;
  seed: number;
  hyperparameters: Hyperparameters;
}

export const DEFAULT_SEED = 42;

export function planNewRun(chapter: Chapter, options: TrainRequestOptions): NewRunPlan {
  const info = chapter.info;
  const task = options.task ?? info.defaultTask;
  const variant = options.variant ?? info.defaultVariant;
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new TrainError(`the seed must be a whole number ≥ 0`);
  const resolved = resolveHyperparameters(info, task, variant, options.overrides ?? {});
  if (!resolved.ok) throw new TrainError(resolved.reason);
  return { task, variant, seed, hyperparameters: resolved.value };
}

/** What may change when a run is resumed: how long it trains, and its learning rate. */
const RESUMABLE_OVERRIDES = ['epochs', 'learningRate'];

export interface ResumePlan {
  previous: RunConfig;
  checkpoint: Checkpoint;
  /** The last epoch the checkpoint holds; training continues with the next one. */
  epochsDone: number;
  step: number;
  hyperparameters: Hyperparameters;
  history: MetricsRecord[];
}

/**
 * Checks that `runDir` can be resumed: a readable run of this chapter with a verified checkpoint
 * of at least one complete epoch, and more epochs asked for than it has. Reads only.
 */
export async function planResume(chapter: Chapter, runDir: string, options: TrainRequestOptions): Promise<ResumePlan> {
  const refuse = (reason: string): never => {
    throw new TrainError(`cannot resume ${runDir}: ${reason}`);
  };
  let previous: RunConfig;
  let checkpoint: Checkpoint | null;
  let records: MetricsRecord[];
  let epochsCompleted: number;
  try {
    // The same checks as `show`: a run the readers call damaged is not resumed either.
    previous = await readConfig(runDir);
    const status = await readStatus(runDir);
    epochsCompleted = status.epochsCompleted;
    checkpoint = await checkedCheckpoint(runDir, previous, status);
    records = (await readMetricsForStatus(runDir, status, previous.formatVersion)).records;
  } catch (error) {
    if (error instanceof DamagedRunError) return refuse(`the run is damaged: ${error.reason}`);
    throw error;
  }
  if (previous.chapter !== chapter.info.id) refuse(`it is a ${previous.chapter} run, not ${chapter.info.id}`);
  if (!checkpoint) return refuse('it has no saved weights yet (no epoch was completed)');
  const epochsDone = checkpoint.epoch ?? epochsCompleted;
  if (epochsDone < 1) refuse('no epoch was completed');
  const history = records.filter((record) => record.epoch <= epochsDone);
  const evaluations = new Set(history.filter((r) => r.kind === 'epoch').map((r) => r.epoch));
  for (let epoch = 1; epoch <= epochsDone; epoch++) {
    if (!evaluations.has(epoch)) refuse(`metrics.jsonl has no line for epoch ${epoch}`);
  }
  for (const key of Object.keys(options.overrides ?? {})) {
    if (!RESUMABLE_OVERRIDES.includes(key))
      refuse(`${key} cannot change when a run is resumed (only ${RESUMABLE_OVERRIDES.join(', ')})`);
  }
  if (options.task !== undefined && options.task !== previous.task) refuse(`its task is ${previous.task}`);
  if (options.variant !== undefined && options.variant !== previous.variant)
    refuse(`its variant is ${previous.variant}`);
  if (options.seed !== undefined && options.seed !== previous.seed) refuse(`its seed is ${previous.seed}`);
  const resolved = resolveHyperparameters(chapter.info, previous.task, previous.variant, {
    ...previous.hyperparameters,
    ...options.overrides,
  });
  if (!resolved.ok) refuse(resolved.reason);
  const hyperparameters = (resolved as { value: Hyperparameters }).value;
  if (Number(hyperparameters.epochs) <= epochsDone) {
    refuse(`it already has ${epochsDone} epochs; ask for more with --epochs N (N > ${epochsDone})`);
  }
  const last = history.filter((r) => r.kind === 'epoch').pop();
  const step = checkpoint.step ?? last?.step ?? 0;
  return { previous, checkpoint, epochsDone, step, hyperparameters, history };
}
