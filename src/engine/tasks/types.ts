import type { Vocab } from './vocab';

export type TaskName = 'dates' | 'phrases';

/** One source → target pair, as tokens, without special tokens. */
export interface Example {
  source: string[];
  target: string[];
}

export interface TaskOptions {
  seed: number;
  trainSize: number;
  validationSize: number;
  testSize: number;
}

export interface TaskData {
  name: string;
  level: 'char' | 'word';
  train: Example[];
  validation: Example[];
  test: Example[];
  /** Three fixed validation examples (short, medium, long source) whose attention is recorded every epoch. */
  probes: Example[];
  sourceVocab: Vocab;
  targetVocab: Vocab;
}

/**
 * A finite, indexable family of examples of one construction (one date format, one phrase
 * construction). `at(i)` for 0 ≤ i < count gives one example; different indices give different
 * sources, so `count` is exactly how many unique examples the family can make.
 */
export interface ExampleFamily {
  readonly id: string;
  /** Relative share of the family in a generated data set (before it runs out of examples). */
  readonly weight: number;
  /** Whether source and target words appear in the same order ('monotonic') or some alignments cross. */
  readonly alignment: 'monotonic' | 'crossing';
  readonly count: number;
  at(index: number): Example;
}

/** Everything a task generator provides to generateTask. */
export interface TaskGrammar {
  readonly name: TaskName;
  readonly level: 'char' | 'word';
  readonly families: readonly ExampleFamily[];
  /** Every token any source of this grammar can contain (so the vocabulary does not depend on seed or sizes). */
  readonly sourceTokens: readonly string[];
  /** Every token any target of this grammar can contain. */
  readonly targetTokens: readonly string[];
}
