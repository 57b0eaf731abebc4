/**
 * Windows of text for next-token prediction. A window is `context + 1` consecutive ids starting
 * at some offset: its first `context` ids are the model's input, the same ids shifted by one are
 * the targets, so every position learns to predict the token after it:
 *
 *   text    T h e _ c a t
 *   input   T h e _ c a        token_ids [batch, context]
 *   target  h e _ c a t        targets   [batch, context]
 *
 * Training windows start at random offsets of the training split (the seeded generator), so an
 * "epoch" here is not a pass over the text but one evaluation period of N steps. Validation
 * windows tile the validation split, each validation token predicted exactly once.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../../chapters/contract';
import type { Random } from '../../random';

/** One window: where it starts in `ids`, and from which of its positions the loss counts. */
export interface Window {
  start: number;
  /** Positions before this one are context only (0 = every position counts). */
  scoredFrom: number;
}

/** `count` training windows at uniformly random offsets (each window fits in `length`). */
export function randomWindows(random: Random, count: number, length: number, context: number): Window[] {
  const starts = length - context; // offsets 0 .. length − context − 1 leave context + 1 ids
  return Array.from({ length: count }, () => ({ start: random.int(starts), scoredFrom: 0 }));
}

/**
 * Windows that predict ids[1 .. tokens − 1] of a split exactly once each: consecutive windows
 * `context` apart, and a last window ending at the end whose earlier positions (already scored)
 * are context only. When the split is shorter than a window, one window of `tokens − 1` positions.
 */
export function tilingWindows(tokens: number, context: number): { windows: Window[]; width: number } {
  const width = Math.min(context, tokens - 1);
  const windows: Window[] = [];
  let scoredUpTo = 0; // targets ids[1 .. scoredUpTo] are scored
  for (let start = 0; start + width + 1 <= tokens; start += width) {
    windows.push({ start, scoredFrom: 0 });
    scoredUpTo = start + width;
  }
  if (scoredUpTo < tokens - 1) {
    const start = tokens - 1 - width;
    windows.push({ start, scoredFrom: scoredUpTo - start });
  }
  return { windows, width };
}

/**
 * The tensors of windows of `ids`, `width` positions each: `token_ids [batch, width]` (int32),
 * `targets [batch, width]` (the next ids), `lossMask [batch, width]` (1 from `scoredFrom` on).
 */
export function makeWindowBatch(ids: Int32Array, windows: readonly Window[], width: number): Batch {
  const batch = windows.length;
  const inputs = new Int32Array(batch * width);
  const targets = new Int32Array(batch * width);
  const mask = new Float32Array(batch * width);
  windows.forEach(({ start, scoredFrom }, row) => {
    inputs.set(ids.subarray(start, start + width), row * width);
    targets.set(ids.subarray(start + 1, start + width + 1), row * width);
    mask.fill(1, row * width + scoredFrom, (row + 1) * width);
  });
  return {
    inputs: { token_ids: tf.tensor2d(inputs, [batch, width], 'int32') }, // [batch, context]
    targets: tf.tensor2d(targets, [batch, width], 'int32'), // [batch, context]
    lossMask: tf.tensor2d(mask, [batch, width]), // [batch, context]
  };
}
