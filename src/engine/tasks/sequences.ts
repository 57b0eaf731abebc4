/**
 * Sequence tasks for the self-attention and Transformer chapters, generated in code and
 * deterministic under the seed: `copy` (output = input), `reverse` (output = input backwards),
 * `sort` (output = input in ascending order). Character level, over digits or letters; one output
 * per input position, so an encoder with one output per position can learn them.
 *
 * Lengths are drawn from [minLength, maxLength]. One attention layer can copy at any length, but
 * cannot reverse sequences of varied length (a query at position i cannot know the length n, so
 * it cannot find n − 1 − i) nor sort (that needs ranks): the self-attention chapter uses one fixed
 * length per run, and varied lengths and `sort` are left to the multi-layer Transformer chapters.
 */
import { createRandom } from '../random';
import type { Example, TaskData } from './types';
import { Vocab } from './vocab';

export const SEQUENCE_TASKS = ['copy', 'reverse', 'sort'] as const;
export type SequenceTaskName = (typeof SEQUENCE_TASKS)[number];

export const ALPHABETS = {
  digits: '0123456789'.split(''),
  letters: 'abcdefghijklmnopqrstuvwxyz'.split(''),
} as const;
export type AlphabetName = keyof typeof ALPHABETS;

export interface SequenceTaskOptions {
  seed: number;
  trainSize: number;
  validationSize: number;
  testSize: number;
  minLength: number;
  maxLength: number;
  alphabet: AlphabetName;
}

export function isSequenceTask(name: string): name is SequenceTaskName {
  return (SEQUENCE_TASKS as readonly string[]).includes(name);
}

/** The output a task asks for, given the input. */
export function sequenceTarget(name: SequenceTaskName, source: readonly string[]): string[] {
  switch (name) {
    case 'copy':
      return [...source];
    case 'reverse':
      return [...source].reverse();
    case 'sort':
      return [...source].sort();
  }
}

/** How many different inputs the options allow (capped: only whether it is enough matters). */
function capacity(options: SequenceTaskOptions): number {
  const symbols = ALPHABETS[options.alphabet].length;
  let total = 0;
  for (let length = options.minLength; length <= options.maxLength && total < 1e12; length++)
    total += symbols ** length;
  return total;
}

/**
 * Distinct inputs drawn in one seeded stream, cut into test, validation and train (so changing
 * the training size leaves the test and validation sets unchanged); probes are the first three
 * validation examples.
 */
export function generateSequenceTask(name: SequenceTaskName, options: SequenceTaskOptions): TaskData {
  const { minLength, maxLength } = options;
  if (!Number.isSafeInteger(minLength) || !Number.isSafeInteger(maxLength) || minLength < 1 || maxLength < minLength) {
    throw new Error(`sequence lengths must satisfy 1 ≤ min ≤ max (got ${minLength}..${maxLength})`);
  }
  const total = options.testSize + options.validationSize + options.trainSize;
  if (total > capacity(options) / 2) {
    throw new Error(
      `${total} distinct sequences of length ${minLength}..${maxLength} over ${options.alphabet} are not available`,
    );
  }
  const symbols = ALPHABETS[options.alphabet];
  const random = createRandom(options.seed);
  const seen = new Set<string>();
  const stream: Example[] = [];
  while (stream.length < total) {
    const length = minLength + random.int(maxLength - minLength + 1);
    const source = Array.from({ length }, () => symbols[random.int(symbols.length)]);
    const key = source.join('');
    if (seen.has(key)) continue;
    seen.add(key);
    stream.push({ source, target: sequenceTarget(name, source) });
  }
  const test = stream.slice(0, options.testSize);
  const validation = stream.slice(options.testSize, options.testSize + options.validationSize);
  const train = stream.slice(options.testSize + options.validationSize);
  const vocab = new Vocab([...symbols]);
  return {
    name,
    level: 'char',
    train,
    validation,
    test,
    probes: validation.slice(0, 3),
    sourceVocab: vocab,
    targetVocab: vocab,
  };
}
