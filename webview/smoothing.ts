/**
 * Smoothing of a noisy curve (the loss chart's control): an exponential moving average debiased at
 * the start, and the envelope of the raw values it smooths. Pure: no DOM.
 *
 * EMA_t = β·EMA_{t−1} + (1 − β)·x_t with EMA_0 = 0 is pulled towards 0 at the start (its weights
 * sum to 1 − β^t, not 1); dividing by that sum, s_t = EMA_t / (1 − β^t), removes the pull, so a
 * constant series is smoothed to itself from its first point on. Gaps (NaN, ±∞) stay gaps and do
 * not count as points.
 */

/** The debiased EMA of `values` with factor `beta` in [0, 1): 0 returns the values as they are. */
export function debiasedEma(values: readonly number[], beta: number): number[] {
  const b = Math.min(Math.max(beta, 0), 0.999);
  let ema = 0;
  let weight = 1; // β^t
  return values.map((value) => {
    if (!Number.isFinite(value)) return Number.NaN;
    if (b === 0) return value;
    ema = b * ema + (1 - b) * value;
    weight *= b;
    return ema / (1 - weight);
  });
}

/** How many recent points the smoothing mostly averages (its memory): about 1 / (1 − β). */
export function smoothingWindow(beta: number): number {
  const b = Math.min(Math.max(beta, 0), 0.999);
  return Math.max(1, Math.round(1 / (1 - b)));
}

/**
 * The envelope of the raw values: at each point the lowest and highest of the last
 * `smoothingWindow(beta)` finite values (NaN where the value itself is a gap).
 */
export function envelope(values: readonly number[], beta: number): { low: number[]; high: number[] } {
  const window = smoothingWindow(beta);
  const recent: number[] = [];
  const low: number[] = [];
  const high: number[] = [];
  for (const value of values) {
    if (!Number.isFinite(value)) {
      low.push(Number.NaN);
      high.push(Number.NaN);
      continue;
    }
    recent.push(value);
    if (recent.length > window) recent.shift();
    low.push(Math.min(...recent));
    high.push(Math.max(...recent));
  }
  return { low, high };
}
