/**
 * Neighbour tasks: each output combines the two neighbours of its position, generated in code and
 * deterministic under the seed. The input is a sequence of digits 0–9 read as a ring (the left
 * neighbour of the first position is the last digit, the right neighbour of the last position is
 * the first digit: x₋₁ = x_{n−1}, x_n = x₀), so every position has exactly two neighbours.
 *
 * - `difference`: out_i = x_{i+1} − x_{i−1}, from −9 to 9 (right neighbour minus left neighbour);
 * - `sum`: out_i = x_{i−1} + x_{i+1}, from 0 to 18.
 *
 * Word level: tokens are separated by spaces, so a signed or two-digit output is one token
 * (`difference` of `3 1 4 1 5` is `-4 1 0 1 2`).
 *
 * Why these two, for attention without a feed-forward layer (logits a linear function of what the
 * heads retrieved): a head that reads the left neighbour and one that reads the right give a
 * score f_c(x_{i−1}) + g_c(x_{i+1}) per output c, and both tasks have such scores (the output c
 * closest to x_{i+1} − x_{i−1}, resp. x_{i−1} + x_{i+1}: −(c − d)² = 2cd − c² − d², and the d² term
 * is the same for every c). The sum is symmetric: one head that averages the two neighbours keeps
 * all it needs. The difference is not: an average of the two neighbours' values cannot tell which
 * digit was on which side, so it needs one head per side (or an attention whose weights depend on
 * the digits). A sum modulo 10 was left out on purpose: every row and column of its table is a
 * permutation of the outputs, and no score of the form f_c(a) + g_c(b) picks such a table out
 * (for two outputs c ≠ c′, summing the needed inequalities over a gives Σ g > Σ g), so heads that
 * each read one neighbour cannot do it without a non-linearity after attention (the Transformer
 * chapters' feed-forward layers).
 */
import { createRandom } from '../random';
import type { Example, TaskData } from './types';
import { Vocab } from './vocab';

export const NEIGHBOUR_TASKS = ['difference', 'sum'] as const;
export type NeighbourTaskName = (typeof NEIGHBOUR_TASKS)[number];

export const DIGITS = '0123456789'.split('');

export interface NeighbourTaskOptions {
  seed: number;
  trainSize: number;
  validationSize: number;
  testSize: number;
  minLength: number;
  maxLength: number;
}

export function isNeighbourTask(name: string): name is NeighbourTaskName {
  return (NEIGHBOUR_TASKS as readonly string[]).includes(name);
}

/** Every output token a task can produce, in numeric order. */
export function neighbourOutputs(name: NeighbourTaskName): string[] {
  const [low, high] = name === 'difference' ? [-9, 9] : [0, 18];
  return Array.from({ length: high - low + 1 }, (_, i) => String(low + i));
}

/** The output a task asks for, given the input digits (a ring: the first and last are neighbours). */
export function neighbourTarget(name: NeighbourTaskName, source: readonly string[]): string[] {
  const n = source.length;
  const digit = (i: number) => Number(source[(i + n) % n]);
  return source.map((_, i) => {
    const left = digit(i - 1);
    const right = digit(i + 1);
    return String(name === 'difference' ? right - left : left + right);
  });
}

/** How many different inputs the lengths allow (capped: only whether it is enough matters). */
function capacity(minLength: number, maxLength: number): number {
  let total = 0;
  for (let length = minLength; length <= maxLength && total < 1e12; length++) total += DIGITS.length ** length;
  return total;
}

/**
 * Distinct inputs drawn in one seeded stream, cut into test, validation and train (so changing
 * the training size leaves the test and validation sets unchanged); probes are the first three
 * validation examples. Lengths are at least 3, so that the two neighbours of a position are two
 * other positions.
 */
export function generateNeighbourTask(name: NeighbourTaskName, options: NeighbourTaskOptions): TaskData {
  const { minLength, maxLength } = options;
  if (!isNeighbourTask(name)) throw new Error(`unknown neighbour task ${String(name)}`);
  if (!Number.isSafeInteger(minLength) || !Number.isSafeInteger(maxLength) || minLength < 3 || maxLength < minLength) {
    throw new Error(`neighbour sequences need lengths 3 ≤ min ≤ max (got ${minLength}..${maxLength})`);
  }
  const total = options.testSize + options.validationSize + options.trainSize;
  if (total > capacity(minLength, maxLength) / 2) {
    throw new Error(`${total} distinct digit sequences of length ${minLength}..${maxLength} are not available`);
  }
  const random = createRandom(options.seed);
  const seen = new Set<string>();
  const stream: Example[] = [];
  while (stream.length < total) {
    const length = minLength + random.int(maxLength - minLength + 1);
    const source = Array.from({ length }, () => DIGITS[random.int(DIGITS.length)]);
    const key = source.join('');
    if (seen.has(key)) continue;
    seen.add(key);
    stream.push({ source, target: neighbourTarget(name, source) });
  }
  const test = stream.slice(0, options.testSize);
  const validation = stream.slice(options.testSize, options.testSize + options.validationSize);
  const train = stream.slice(options.testSize + options.validationSize);
  return {
    name,
    level: 'word',
    train,
    validation,
    test,
    probes: validation.slice(0, 3),
    sourceVocab: new Vocab(DIGITS),
    targetVocab: new Vocab(neighbourOutputs(name)),
  };
}
