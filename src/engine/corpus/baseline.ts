/**
 * A bigram baseline: what "learning something" means for a language model. A model that beats it
 * on the validation split has learned more than "which token tends to follow which".
 *
 * The model, estimated on the training ids (V = vocabSize, N = training length):
 *
 *   P(b | a) = λ · (c(a,b) + α) / (c(a,·) + α·V) + (1 − λ) · (c(b) + α) / (N + α·V)
 *
 * c(a,b): times b follows a; c(a,·): times a is followed by anything; c(b): times b occurs. Both
 * parts are add-α smoothed, so every token has a probability above zero; λ mixes the bigram with
 * the unigram. Scored on the validation ids: every validation token after the first, given the
 * token before it (validation.length − 1 predictions); the result is their mean −ln P.
 *
 * α and λ are chosen on the training split only: counts from its first part, every
 * (α, λ) of BIGRAM_ALPHAS × BIGRAM_LAMBDAS scored on its last part (HELD_OUT_FRACTION, at least 2
 * tokens; the first best in grid order wins); then the counts are taken again from the whole
 * training split. The validation split is never looked at to choose them. Training splits of
 * fewer than 4 tokens use DEFAULT_ALPHA and DEFAULT_LAMBDA. Either can be fixed in the options.
 */

export const BIGRAM_ALPHAS: readonly number[] = [0.001, 0.01, 0.1, 1];
export const BIGRAM_LAMBDAS: readonly number[] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
export const HELD_OUT_FRACTION = 0.1;
export const DEFAULT_ALPHA = 0.1;
export const DEFAULT_LAMBDA = 0.5;

export interface BigramOptions {
  /** Fixes α (> 0) instead of choosing it. */
  alpha?: number;
  /** Fixes λ (0..1) instead of choosing it. */
  lambda?: number;
}

export interface BigramBaseline {
  /** Mean cross-entropy per predicted validation token, in nats (natural log). */
  nats: number;
  /** The same in bits (nats / ln 2). */
  bits: number;
  /** exp(nats): as uncertain as a uniform choice among this many tokens. */
  perplexity: number;
  /** Validation tokens predicted: validation.length − 1. */
  tokens: number;
  alpha: number;
  lambda: number;
  /** For comparison, the same α with λ = 0 (token frequencies only), in nats. */
  unigramNats: number;
  /** For comparison, a uniform guess: ln V. */
  uniformNats: number;
}

interface Counts {
  pairs: Map<number, number>;
  contexts: Float64Array;
  unigrams: Float64Array;
  total: number;
}

function count(ids: readonly number[], vocabSize: number): Counts {
  const pairs = new Map<number, number>();
  const contexts = new Float64Array(vocabSize);
  const unigrams = new Float64Array(vocabSize);
  for (let i = 0; i < ids.length; i++) {
    const b = ids[i] as number;
    unigrams[b] = (unigrams[b] as number) + 1;
    if (i > 0) {
      const a = ids[i - 1] as number;
      contexts[a] = (contexts[a] as number) + 1;
      const key = a * vocabSize + b;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
  }
  return { pairs, contexts, unigrams, total: ids.length };
}

/** The scored pairs of `ids` (each token after the first, given the one before), grouped: [c(a,b), c(a,·), c(b), times]. */
function scoredPairs(ids: readonly number[], vocabSize: number, counts: Counts): Float64Array[] {
  const times = new Map<number, number>();
  for (let i = 1; i < ids.length; i++) {
    const key = (ids[i - 1] as number) * vocabSize + (ids[i] as number);
    times.set(key, (times.get(key) ?? 0) + 1);
  }
  const rows: Float64Array[] = [];
  for (const [key, n] of times) {
    const a = Math.floor(key / vocabSize);
    const b = key - a * vocabSize;
    rows.push(
      Float64Array.of(counts.pairs.get(key) ?? 0, counts.contexts[a] as number, counts.unigrams[b] as number, n),
    );
  }
  return rows;
}

/** Mean −ln P over the scored pairs. */
function meanNats(
  rows: readonly Float64Array[],
  total: number,
  vocabSize: number,
  alpha: number,
  lambda: number,
): number {
  let sum = 0;
  let n = 0;
  const unigramDenominator = total + alpha * vocabSize;
  for (const row of rows) {
    const [pair, context, unigram, times] = row as unknown as [number, number, number, number];
    const p =
      lambda * ((pair + alpha) / (context + alpha * vocabSize)) +
      (1 - lambda) * ((unigram + alpha) / unigramDenominator);
    sum -= times * Math.log(p);
    n += times;
  }
  return sum / n;
}

function checkIds(ids: readonly number[], vocabSize: number, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= vocabSize) {
      throw new RangeError(`bigramBaseline: ${what}[${i}] = ${id} is not an id in 0..${vocabSize - 1}`);
    }
  }
}

/** Bigram cross-entropy of `validationIds` under a bigram model of `trainIds` (see the top of this file). */
export function bigramBaseline(
  trainIds: readonly number[],
  validationIds: readonly number[],
  vocabSize: number,
  options: BigramOptions = {},
): BigramBaseline {
  if (!Number.isInteger(vocabSize) || vocabSize < 1) {
    throw new RangeError(`bigramBaseline: vocabSize must be a positive integer, got ${vocabSize}`);
  }
  if (trainIds.length < 1) throw new RangeError('bigramBaseline: the training split is empty');
  if (validationIds.length < 2) throw new RangeError('bigramBaseline: the validation split needs at least 2 tokens');
  if (options.alpha !== undefined && !(options.alpha > 0 && Number.isFinite(options.alpha))) {
    throw new RangeError(`bigramBaseline: alpha must be > 0, got ${options.alpha}`);
  }
  if (options.lambda !== undefined && !(options.lambda >= 0 && options.lambda <= 1)) {
    throw new RangeError(`bigramBaseline: lambda must be in 0..1, got ${options.lambda}`);
  }
  checkIds(trainIds, vocabSize, 'trainIds');
  checkIds(validationIds, vocabSize, 'validationIds');

  let alpha = options.alpha ?? DEFAULT_ALPHA;
  let lambda = options.lambda ?? DEFAULT_LAMBDA;
  const heldOutLength = Math.max(2, Math.round(trainIds.length * HELD_OUT_FRACTION));
  if ((options.alpha === undefined || options.lambda === undefined) && trainIds.length - heldOutLength >= 2) {
    const estimation = trainIds.slice(0, trainIds.length - heldOutLength);
    const heldOut = trainIds.slice(trainIds.length - heldOutLength);
    const counts = count(estimation, vocabSize);
    const rows = scoredPairs(heldOut, vocabSize, counts);
    let best = Infinity;
    for (const a of options.alpha === undefined ? BIGRAM_ALPHAS : [options.alpha]) {
      for (const l of options.lambda === undefined ? BIGRAM_LAMBDAS : [options.lambda]) {
        const nats = meanNats(rows, counts.total, vocabSize, a, l);
        if (nats < best) {
          best = nats;
          alpha = a;
          lambda = l;
        }
      }
    }
  }

  const counts = count(trainIds, vocabSize);
  const rows = scoredPairs(validationIds, vocabSize, counts);
  const nats = meanNats(rows, counts.total, vocabSize, alpha, lambda);
  return {
    nats,
    bits: nats / Math.LN2,
    perplexity: Math.exp(nats),
    tokens: validationIds.length - 1,
    alpha,
    lambda,
    unigramNats: meanNats(rows, counts.total, vocabSize, alpha, 0),
    uniformNats: Math.log(vocabSize),
  };
}
