/**
 * Training a chapter's variants one after another with the same seed and data (the same task,
 * seed and overrides; only the variant changes), for a comparison: `llm-tutor train <chapter>
 * --variant all` and the extension's "Train Variants…" (through the worker). Every variant is
 * planned before the first run folder exists, so a bad request writes nothing; a variant that
 * fails does not stop the others; a stopped run ends the sequence (the rest are `skipped`).
 */
import type { VariantOutcome } from '../../shared/protocol/engine';
import { planNewRun, TrainError } from './runConfig';
import { train, type TrainerEvents, type TrainResult, type TrainSetup } from './trainer';

export type VariantsSetup = Omit<TrainSetup, 'variant' | 'resume'> & {
  variants: readonly string[];
  /** One seed for every variant (the trainer's default when absent, the same for all). */
  seed: number;
};

export interface VariantsEvents extends Partial<TrainerEvents> {
  /** Before each variant: its id, its place (0-based) and how many there are. */
  variantStarting?(variant: string, index: number, count: number): void;
  /** After each variant, however it ended. */
  variantEnded?(outcome: VariantOutcome, index: number, count: number): void;
}

export type TrainFunction = (setup: TrainSetup, events: Partial<TrainerEvents>) => Promise<TrainResult>;

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
}

/** Trains the variants in order; resolves with how each ended (never rejects for one variant's failure). */
export async function trainVariants(
  setup: VariantsSetup,
  events: VariantsEvents = {},
  trainFunction: TrainFunction = train,
): Promise<VariantOutcome[]> {
  planVariants(setup);
  const outcomes: VariantOutcome[] = [];
  const count = setup.variants.length;
  let stopped = false;
  for (const [index, variant] of setup.variants.entries()) {
    if (stopped || setup.shouldStop?.()) {
      stopped = true;
      outcomes.push({ variant, state: 'skipped', runId: null, runDir: null });
      continue;
    }
    events.variantStarting?.(variant, index, count);
    let started: { runId: string; runDir: string } | null = null;
    let outcome: VariantOutcome;
    try {
      const result = await trainFunction(
        { ...setup, variant },
        {
          ...events,
          runStarted: (run) => {
            started = { runId: run.runId, runDir: run.runDir };
            events.runStarted?.(run);
          },
        },
      );
      outcome = {
        variant,
        state: result.status.state === 'running' ? 'failed' : result.status.state,
        runId: result.runId,
        runDir: result.runDir,
      };
      if (result.status.state === 'failed' && result.status.error) outcome.error = result.status.error;
      if (result.status.state === 'stopped') stopped = true;
    } catch (error) {
      const run = started as { runId: string; runDir: string } | null;
      outcome = {
        variant,
        state: 'failed',
        runId: run?.runId ?? null,
        runDir: run?.runDir ?? null,
        error: (error instanceof Error ? error.message : String(error)).split('\n')[0],
      };
    }
    outcomes.push(outcome);
    events.variantEnded?.(outcome, index, count);
  }
  return outcomes;
}
