/**
 * Learning-rate schedules: pure functions of the step. `step` counts updates from 1 (the first
 * update is step 1), so the trainer sets `optimizer.learningRate = schedule(step)` just before
 * update number `step`.
 */

export type LearningRateSchedule = (step: number) => number;

function checkWarmup(warmupSteps: number): void {
  if (!(warmupSteps >= 0)) throw new RangeError(`warm-up steps must be ≥ 0, got ${warmupSteps}`);
}

/** The same rate at every step. */
export function constantSchedule(learningRate: number): LearningRateSchedule {
  return () => learningRate;
}

/**
 * Linear warm-up from lr/warmupSteps (step 1) to lr (step warmupSteps), then constant:
 * lr · min(1, step / warmupSteps). Early updates, made with noisy Adam moments, stay small.
 */
export function warmupConstantSchedule(learningRate: number, warmupSteps: number): LearningRateSchedule {
  checkWarmup(warmupSteps);
  return (step) => (warmupSteps > 0 ? learningRate * Math.min(1, step / warmupSteps) : learningRate);
}

/**
 * Linear warm-up to `peak` (reached at step warmupSteps), then half a cosine down to `floor` at
 * step totalSteps, and `floor` after it:
 *   floor + (peak − floor) · ½ (1 + cos(π · (step − warmup) / (total − warmup)))
 */
export function warmupCosineSchedule(
  peak: number,
  warmupSteps: number,
  totalSteps: number,
  floor = 0,
): LearningRateSchedule {
  checkWarmup(warmupSteps);
  if (!(totalSteps > warmupSteps)) throw new RangeError(`total steps ${totalSteps} must exceed warm-up ${warmupSteps}`);
  return (step) => {
    if (step < warmupSteps) return (peak * step) / warmupSteps;
    const progress = Math.min(1, (step - warmupSteps) / (totalSteps - warmupSteps)); // 0 → 1
    return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

/**
 * The original Transformer's schedule (Vaswani et al. 2017, §5.3):
 *   factor · d_model^−0.5 · min(step^−0.5, step · warmupSteps^−1.5)
 * rising linearly for warmupSteps steps, then decaying as 1/√step; the two meet at step = warmupSteps.
 */
export function inverseSqrtSchedule(modelSize: number, warmupSteps: number, factor = 1): LearningRateSchedule {
  if (!(warmupSteps > 0)) throw new RangeError(`warm-up steps must be > 0, got ${warmupSteps}`);
  return (step) =>
    step <= 0
      ? 0
      : factor * Math.pow(modelSize, -0.5) * Math.min(Math.pow(step, -0.5), step * Math.pow(warmupSteps, -1.5));
}
