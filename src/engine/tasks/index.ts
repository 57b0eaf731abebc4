/**
 * Generated data sets: no download, fully determined by the task name, the seed and the sizes.
 *
 * How a data set is made (generateTask):
 * 1. Each task is a list of example families (one per date format / phrase construction), each
 *    an exactly counted, indexable set of examples with distinct sources.
 * 2. One seeded stream draws unique examples: a family is picked by weight among those not yet
 *    used up, then its next example in a seeded random permutation (drawn lazily, never
 *    materialised). Sources already drawn are skipped, so no source string appears twice.
 * 3. The stream is cut into test, then validation, then train. Element k of the stream depends
 *    only on the seed and k, so changing trainSize leaves test and validation unchanged, and
 *    changing validationSize leaves test unchanged.
 * 4. Vocabularies: the sorted union of every token the grammar can produce (its inventory) and
 *    every token in the three splits. The inventory already covers the splits, so the
 *    vocabularies depend only on the task (and the generator's version), never on the seed or
 *    the sizes: a run can be resumed, or a model fed a learner's sentence, with the same ids.
 * 5. Probes: three validation examples with the shortest, the median and the longest source
 *    (ties broken by position in the validation split).
 */
import type { Random } from '../random';
import { createRandom } from '../random';
import { datesGrammar } from './dates';
import { phrasesGrammar } from './phrases';
import type { Example, ExampleFamily, TaskData, TaskGrammar, TaskName, TaskOptions } from './types';
import { Vocab } from './vocab';

export const TASK_NAMES: readonly TaskName[] = ['dates', 'phrases'];

export function isTaskName(x: string): x is TaskName {
  return (TASK_NAMES as readonly string[]).includes(x);
}

export const DEFAULT_TASK_SIZES: Record<TaskName, { trainSize: number; validationSize: number; testSize: number }> = {
  dates: { trainSize: 10000, validationSize: 1000, testSize: 1000 },
  phrases: { trainSize: 6000, validationSize: 600, testSize: 600 },
};

/** How many probe examples generateTask picks from the validation split. */
export const PROBE_COUNT = 3;

/**
 * Splits what a learner types into tokens. Char level keeps every character as typed (spaces
 * included, case kept). Word level lower-cases, splits on whitespace, and detaches the
 * possessive `'s` (`friend's` → `friend 's`), the way the phrases grammar writes it.
 */
export function tokenize(text: string, level: 'char' | 'word'): string[] {
  if (level === 'char') return Array.from(text);
  return text
    .toLowerCase()
    .replace(/(\S)['’]s(?=\s|$)/g, "$1 's")
    .split(/\s+/)
    .filter((token) => token !== '');
}

/** Tokens back to text: char level concatenates, word level joins with single spaces. */
export function joinTokens(tokens: readonly string[], level: 'char' | 'word'): string {
  return tokens.join(level === 'char' ? '' : ' ');
}

/** The grammar behind a task (its families, their sizes, its token inventories). */
export function getTaskGrammar(name: TaskName): TaskGrammar {
  switch (name) {
    case 'dates':
      return datesGrammar();
    case 'phrases':
      return phrasesGrammar();
  }
}

/** How many unique examples a task can produce at most. */
export function taskCapacity(name: TaskName): number {
  return getTaskGrammar(name).families.reduce((sum, family) => sum + family.count, 0);
}

/** A random permutation of 0..size-1 drawn one element at a time (Fisher–Yates with a sparse swap table). */
class LazyPermutation {
  private taken = 0;
  private readonly moved = new Map<number, number>();

  constructor(readonly size: number) {}

  get remaining(): number {
    return this.size - this.taken;
  }

  next(random: Random): number {
    const i = this.taken;
    const j = i + random.int(this.size - i);
    const valueAtI = this.moved.get(i) ?? i;
    const valueAtJ = this.moved.get(j) ?? j;
    this.moved.set(j, valueAtI);
    this.moved.delete(i);
    this.taken++;
    return valueAtJ;
  }
}

export interface DrawnExample {
  example: Example;
  /** The family (date format / phrase construction) it came from. */
  family: ExampleFamily;
}

/**
 * Draws `total` examples with pairwise different sources from a grammar, in the seeded stream
 * order described at the top of this file. Throws when the grammar cannot make that many.
 */
export function drawUniqueExamples(grammar: TaskGrammar, total: number, random: Random): DrawnExample[] {
  const capacity = grammar.families.reduce((sum, family) => sum + family.count, 0);
  if (total > capacity) throw notEnoughExamples(grammar.name, total, capacity);
  const permutations = grammar.families.map((family) => new LazyPermutation(family.count));
  const seen = new Set<string>();
  const drawn: DrawnExample[] = [];
  while (drawn.length < total) {
    let totalWeight = 0;
    grammar.families.forEach((family, i) => {
      if ((permutations[i] as LazyPermutation).remaining > 0) totalWeight += family.weight;
    });
    if (totalWeight === 0) throw notEnoughExamples(grammar.name, total, seen.size);
    let target = random.next() * totalWeight;
    let chosen = -1;
    for (let i = 0; i < grammar.families.length; i++) {
      if ((permutations[i] as LazyPermutation).remaining === 0) continue;
      chosen = i;
      target -= (grammar.families[i] as ExampleFamily).weight;
      if (target < 0) break;
    }
    const family = grammar.families[chosen] as ExampleFamily;
    const example = family.at((permutations[chosen] as LazyPermutation).next(random));
    const key = joinTokens(example.source, grammar.level);
    if (seen.has(key)) continue;
    seen.add(key);
    drawn.push({ example, family });
  }
  return drawn;
}

function notEnoughExamples(name: TaskName, requested: number, unique: number): Error {
  return new Error(
    `Task "${name}" can produce only ${unique} unique examples, but ${requested} were requested ` +
      `(trainSize + validationSize + testSize). Lower the sizes to at most ${unique} in total.`,
  );
}

function checkOptions(name: TaskName, options: TaskOptions): void {
  if (!Number.isSafeInteger(options.seed))
    throw new Error(`Task "${name}": seed must be an integer, got ${options.seed}`);
  const sizes: [keyof TaskOptions, number][] = [
    ['trainSize', 1],
    ['validationSize', PROBE_COUNT],
    ['testSize', 0],
  ];
  for (const [key, minimum] of sizes) {
    const value = options[key];
    if (!Number.isSafeInteger(value) || value < minimum) {
      const why = key === 'validationSize' ? ` (the ${PROBE_COUNT} attention probes come from it)` : '';
      throw new Error(`Task "${name}": ${key} must be an integer ≥ ${minimum}${why}, got ${value}`);
    }
  }
}

function sortedTokens(inventory: readonly string[], examples: readonly Example[], side: 'source' | 'target'): string[] {
  const tokens = new Set(inventory);
  for (const example of examples) for (const token of example[side]) tokens.add(token);
  return [...tokens].sort();
}

/** Shortest, median-length and longest source among `validation` (ties: earlier first). */
function pickProbes(validation: readonly Example[]): Example[] {
  const order = validation.map((example, index) => ({ example, index }));
  order.sort((a, b) => a.example.source.length - b.example.source.length || a.index - b.index);
  const last = order.length - 1;
  return [0, Math.floor(last / 2), last].map((position) => (order[position] as { example: Example }).example);
}

/** Generates a task's data set; see the top of this file for how. */
export function generateTask(name: TaskName, options: TaskOptions): TaskData {
  if (!isTaskName(name)) throw new Error(`Unknown task "${String(name)}"; known tasks: ${TASK_NAMES.join(', ')}`);
  checkOptions(name, options);
  const grammar = getTaskGrammar(name);
  const total = options.testSize + options.validationSize + options.trainSize;
  const stream = drawUniqueExamples(grammar, total, createRandom(options.seed)).map((drawn) => drawn.example);
  const test = stream.slice(0, options.testSize);
  const validation = stream.slice(options.testSize, options.testSize + options.validationSize);
  const train = stream.slice(options.testSize + options.validationSize);
  return {
    name,
    level: grammar.level,
    train,
    validation,
    test,
    probes: pickProbes(validation),
    sourceVocab: new Vocab(sortedTokens(grammar.sourceTokens, stream, 'source')),
    targetVocab: new Vocab(sortedTokens(grammar.targetTokens, stream, 'target')),
  };
}
