/**
 * Sampling text from a language model, one token at a time through its KV-cache decoder
 * (`decoder.start` reads the prompt, each `decoder.step` feeds the token just chosen).
 *
 * The next-token distribution at every step, from the logits z:
 *
 *   1. temperature T: p = softmax(z / T). T < 1 sharpens it, T > 1 flattens it; T = 0 is greedy
 *      (all probability on the most likely token, the lowest id on a tie);
 *   2. top-k: only the k most probable tokens are kept (k = 0: all);
 *   3. top-p (nucleus): of those, only the smallest set of the most probable whose probability
 *      reaches p (p = 1: all);
 *   4. what is kept is renormalised to sum to 1, and one token is drawn from it with the seeded
 *      generator (the same seed, prompt and model give the same text).
 *
 * `<pad>`, `<bos>` and `<eos>` never occur in the text a model reads, so they are never drawn
 * (probability 0 before step 1); `<unk>` stays, shown as U+FFFD. What a learner types never becomes
 * a special token: each character is a token, and one the vocabulary lacks reads as `<unk>`.
 * Every step reports its distribution (for the panel's probability bars) and, for every layer and
 * head, the attention row of the new token over the keys in the window.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SAMPLING_LIMITS } from '../../../shared/protocol/engine';
import type { ChapterModel, DecoderState } from '../../chapters/contract';
import { createRandom, type Random } from '../../random';
import { BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID, type Vocab } from '../../tasks/vocab';
import { encodeLearnerTokens } from '../learnerText';

export interface SamplingSettings {
  /** ≥ 0; 0 = greedy. */
  temperature: number;
  /** Keep the k most probable tokens; 0 = no limit. */
  topK: number;
  /** Keep the smallest set of most probable tokens whose probability reaches p; in (0, 1], 1 = no limit. */
  topP: number;
}

export interface SampleOptions extends SamplingSettings {
  prompt: string;
  maxTokens: number;
  seed: number;
  /** How many of the most probable tokens each step lists (default 10). */
  topCount?: number;
  /** Read each step's attention rows (default true). */
  attention?: boolean;
}

/** A problem with sampling options, in one line (the CLI's exit 2). */
export class SampleOptionsError extends Error {}

export { SAMPLING_LIMITS };

/** Null when the options are acceptable; else one line naming the option. */
export function checkSampleOptions(options: SampleOptions): string | null {
  const { temperature, topK, topP, maxTokens, seed, prompt } = options;
  if (!(Number.isFinite(temperature) && temperature >= 0 && temperature <= SAMPLING_LIMITS.maxTemperature))
    return `temperature must be a number in 0..${SAMPLING_LIMITS.maxTemperature} (0 = greedy)`;
  if (!(Number.isSafeInteger(topK) && topK >= 0)) return 'top-k must be a whole number ≥ 0 (0 = no limit)';
  if (!(Number.isFinite(topP) && topP > 0 && topP <= 1)) return 'top-p must be a number in (0, 1] (1 = no limit)';
  if (!(Number.isSafeInteger(maxTokens) && maxTokens >= 1 && maxTokens <= SAMPLING_LIMITS.maxTokens))
    return `max-tokens must be a whole number in 1..${SAMPLING_LIMITS.maxTokens}`;
  if (!(Number.isSafeInteger(seed) && seed >= 0)) return 'seed must be a whole number ≥ 0';
  if (prompt.length > SAMPLING_LIMITS.maxPromptCharacters)
    return `the prompt is longer than ${SAMPLING_LIMITS.maxPromptCharacters} characters`;
  const topCount = options.topCount ?? 10;
  if (!(Number.isSafeInteger(topCount) && topCount >= 1 && topCount <= SAMPLING_LIMITS.maxTopCount))
    return `the number of probabilities listed must be in 1..${SAMPLING_LIMITS.maxTopCount}`;
  return null;
}

/** The ids a language model never samples: the control tokens its text never contains. */
export const NEVER_SAMPLED: ReadonlySet<number> = new Set([PAD_ID, BOS_ID, EOS_ID]);

/**
 * The next-token distribution (float64, one entry per id, zeros for what is cut): temperature,
 * then top-k, then top-p, then renormalised (see the top of this file). `excluded` ids get 0.
 */
export function nextTokenDistribution(
  logits: ArrayLike<number>,
  settings: SamplingSettings,
  excluded: ReadonlySet<number> = NEVER_SAMPLED,
): Float64Array {
  const size = logits.length;
  const candidates: number[] = [];
  for (let id = 0; id < size; id++) if (!excluded.has(id)) candidates.push(id);
  const distribution = new Float64Array(size);
  if (candidates.length === 0) throw new Error('no token can be sampled');
  if (settings.temperature === 0) {
    let best = candidates[0];
    for (const id of candidates) if (logits[id] > logits[best]) best = id;
    distribution[best] = 1;
    return distribution;
  }
  let max = -Infinity;
  for (const id of candidates) max = Math.max(max, logits[id] / settings.temperature);
  let total = 0;
  for (const id of candidates) {
    const weight = Math.exp(logits[id] / settings.temperature - max);
    distribution[id] = weight;
    total += weight;
  }
  // Most probable first; ties by id, so the kept set never depends on the sort's stability.
  const ranked = candidates.sort((a, b) => distribution[b] - distribution[a] || a - b);
  let kept = settings.topK > 0 ? Math.min(settings.topK, ranked.length) : ranked.length;
  if (settings.topP < 1) {
    let keptTotal = 0;
    for (let i = 0; i < kept; i++) keptTotal += distribution[ranked[i]];
    let cumulative = 0;
    let count = 0;
    while (count < kept) {
      cumulative += distribution[ranked[count]] / keptTotal;
      count++;
      if (cumulative >= settings.topP * (1 - 1e-12)) break;
    }
    kept = count;
  }
  total = 0;
  for (let i = 0; i < kept; i++) total += distribution[ranked[i]];
  for (let i = kept; i < ranked.length; i++) distribution[ranked[i]] = 0;
  for (let i = 0; i < kept; i++) distribution[ranked[i]] /= total;
  return distribution;
}

/** Draws an id from `distribution` (inverse CDF over ids in order). */
export function drawToken(distribution: Float64Array, random: Random): number {
  const u = random.next();
  let cumulative = 0;
  let last = -1;
  for (let id = 0; id < distribution.length; id++) {
    if (distribution[id] <= 0) continue;
    cumulative += distribution[id];
    last = id;
    if (u < cumulative) return id;
  }
  return last; // rounding: u at the very top
}

/** The `count` most probable ids of a distribution, most probable first (ties by id), zeros left out. */
export function topTokens(distribution: Float64Array, count: number): number[] {
  const ids: number[] = [];
  for (let id = 0; id < distribution.length; id++) if (distribution[id] > 0) ids.push(id);
  return ids.sort((a, b) => distribution[b] - distribution[a] || a - b).slice(0, count);
}

/** A token as text: `<unk>` is U+FFFD, the others their character. */
export function tokenText(vocab: Vocab, id: number): string {
  return id === UNK_ID ? '\uFFFD' : id < SPECIAL_TOKENS.length ? '' : vocab.token(id);
}

/** One generated token and what the panel shows of its step. */
export interface SampleStep {
  /** 0-based index among the generated tokens. */
  index: number;
  id: number;
  /** The token as the vocabulary lists it (`<unk>` for an unknown character). */
  token: string;
  /** The token as text (`<unk>` is U+FFFD). */
  text: string;
  /** Its probability in the distribution it was drawn from. */
  probability: number;
  /** The `topCount` most probable tokens of that distribution, with their probabilities. */
  top: { id: number; token: string; probability: number }[];
  /** The whole distribution after temperature, top-k and top-p (float64, one entry per id). */
  distribution: Float64Array;
  /** Keys this step attended to: the window's tokens, the first at `windowStart` of prompt + generated tokens. */
  keys: number;
  windowStart: number;
  /** Per layer, `[heads × keys]` row-major: the new token's attention row in every head (empty when not read). */
  attention: Float32Array[];
  /** Per layer, the key/value head each query head reads, for a model whose query heads share them (GQA, MQA). */
  kvHeadOf?: (number[] | undefined)[];
}

export interface SampleResult {
  /** The prompt's tokens as the model read them (a newline when the prompt was empty). */
  promptTokens: string[];
  /** Typed characters not in the vocabulary, read as `<unk>`. */
  unknownTokens: string[];
  /** The prompt's ids (what the model read before the first generated token). */
  promptIds: number[];
  ids: number[];
  tokens: string[];
  text: string;
  steps: SampleStep[];
}

/** What a sampler needs of the run: the vocabulary and the model's positions. */
export interface SamplingContext {
  vocab: Vocab;
  context: number;
}

/**
 * A generation in progress: `next()` produces one token (null once `maxTokens` are done). Holds
 * the decoder's state (tensors) between calls: call `dispose()` when done, even after an error.
 */
export class Sampler {
  readonly promptIds: number[];
  readonly promptTokens: string[];
  readonly unknownTokens: string[];
  readonly ids: number[] = [];
  private state: DecoderState | null;
  private previous: number;
  private readonly random: Random;

  constructor(
    private readonly model: ChapterModel,
    private readonly run: SamplingContext,
    private readonly options: SampleOptions,
  ) {
    const problem = checkSampleOptions(options);
    if (problem) throw new SampleOptionsError(problem);
    if (!model.decoder) throw new Error('this model cannot generate');
    const characters = [...options.prompt];
    const encoded = encodeLearnerTokens(characters, run.vocab);
    // An empty prompt starts from a newline (as nanoGPT's sample.py), or the vocabulary's first character.
    const start = run.vocab.id('\n') !== UNK_ID ? '\n' : (run.vocab.tokens[SPECIAL_TOKENS.length] ?? '\n');
    this.promptIds = characters.length > 0 ? encoded.ids : [run.vocab.id(start)];
    this.promptTokens = characters.length > 0 ? characters : [start];
    this.unknownTokens = encoded.unknownTokens;
    this.random = createRandom(options.seed);
    this.previous = this.promptIds[this.promptIds.length - 1];
    const before = this.promptIds.slice(0, -1);
    this.state = tf.tidy(() =>
      model.decoder!.start({ token_ids: tf.tensor2d(Int32Array.from(before), [1, before.length], 'int32') }),
    );
  }

  get done(): boolean {
    return this.ids.length >= this.options.maxTokens;
  }

  next(): SampleStep | null {
    if (this.done || !this.state) return null;
    const index = this.ids.length;
    const withAttention = this.options.attention ?? true;
    const state = this.state;
    const previous = tf.tensor1d([this.previous], 'int32'); // [batch = 1]
    const output = this.model.decoder!.step(state, previous, index);
    tf.dispose([previous, ...Object.values(state)]);
    this.state = output.state;
    const vocabSize = this.run.vocab.size;
    const keys = output.attention[0]?.weights.shape[2] ?? 0;
    const read = tf.tidy(() =>
      tf.concat([
        tf.reshape(output.logits, [-1]),
        ...(withAttention ? output.attention.map((a) => tf.reshape(a.weights, [-1])) : []),
      ]),
    );
    const values = read.dataSync() as Float32Array;
    tf.dispose([read, output.logits, ...output.attention.map((a) => a.weights)]);
    const layerCount = withAttention ? output.attention.length : 0;
    const rowSize = layerCount > 0 ? output.attention[0].weights.shape[1] * keys : 0;
    const attention = Array.from({ length: layerCount }, (_, layer) =>
      values.slice(vocabSize + layer * rowSize, vocabSize + (layer + 1) * rowSize),
    );
    const distribution = nextTokenDistribution(values.subarray(0, vocabSize), this.options);
    const id = drawToken(distribution, this.random);
    this.ids.push(id);
    this.previous = id;
    const vocab = this.run.vocab;
    const step: SampleStep = {
      index,
      id,
      token: vocab.token(id),
      text: tokenText(vocab, id),
      probability: distribution[id],
      top: topTokens(distribution, this.options.topCount ?? 10).map((top) => ({
        id: top,
        token: vocab.token(top),
        probability: distribution[top],
      })),
      distribution,
      keys,
      windowStart: this.promptIds.length + index - keys,
      attention,
    };
    const kvHeadOf = output.attention.slice(0, layerCount).map((a) => a.kvHeadOf);
    if (kvHeadOf.some((heads) => heads !== undefined)) step.kvHeadOf = kvHeadOf;
    return step;
  }

  /** The generated text so far (`<unk>` as U+FFFD). */
  text(): string {
    return this.ids.map((id) => tokenText(this.run.vocab, id)).join('');
  }

  tokens(): string[] {
    return this.ids.map((id) => this.run.vocab.token(id));
  }

  dispose(): void {
    if (this.state) tf.dispose(Object.values(this.state));
    this.state = null;
  }
}

/** Generates `options.maxTokens` tokens at once; `onStep` sees every step as it is made. */
export function sampleText(
  model: ChapterModel,
  run: SamplingContext,
  options: SampleOptions,
  onStep?: (step: SampleStep) => void,
): SampleResult {
  const sampler = new Sampler(model, run, options);
  const steps: SampleStep[] = [];
  try {
    for (let step = sampler.next(); step; step = sampler.next()) {
      steps.push(step);
      onStep?.(step);
    }
    return {
      promptTokens: sampler.promptTokens,
      unknownTokens: sampler.unknownTokens,
      promptIds: sampler.promptIds,
      ids: [...sampler.ids],
      tokens: sampler.tokens(),
      text: sampler.text(),
      steps,
    };
  } finally {
    sampler.dispose();
  }
}
