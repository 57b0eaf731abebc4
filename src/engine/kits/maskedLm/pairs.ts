/**
 * Sentences and sentence pairs of a corpus, as BERT reads them:
 *
 *   [CLS] sentence A [SEP] sentence B [SEP]      segments 0 … 0 (A, with [CLS] and its [SEP]) then 1 … 1 (B)
 *
 * A document is a block of text between blank lines (a Factbook entry, a ci); a sentence ends at
 * the end of a line or after `.`, `!`, `?` followed by a space, or after `。`, `！`, `？`. B is the
 * sentence that follows A in its document; for next-sentence prediction, half the time B is
 * instead a sentence of another document, drawn at random. A pair longer than the model's
 * positions is cut from the end of its longer sentence.
 */
import { CLS_ID, SEP_ID, encodeWords, tokenizeWords } from '../../corpus';
import type { Random } from '../../random';
import type { Vocab } from '../../tasks/vocab';

/** One sentence: its word ids (ordinary tokens only) and the document it belongs to. */
export interface Sentence {
  ids: number[];
  document: number;
}

export interface SentencePair {
  a: number[];
  b: number[];
  /** True when B is the sentence after A; false when it was drawn from another document. */
  isNext: boolean;
}

/** The word tokens of each sentence of `text`, by document (blank lines separate documents). */
export function splitSentences(text: string): string[][][] {
  const documents: string[][][] = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    const sentences: string[][] = [];
    for (const line of block.split('\n'))
      for (const piece of line.split(/(?<=[.!?])\s+|(?<=[。！？])/u)) {
        const tokens = tokenizeWords(piece);
        if (tokens.length > 0) sentences.push(tokens);
      }
    if (sentences.length > 0) documents.push(sentences);
  }
  return documents;
}

/** The sentences of some documents as ids of `vocab`, each tagged with its document's index. */
export function encodeSentences(documents: string[][][], vocab: Vocab): Sentence[] {
  return documents.flatMap((sentences, document) =>
    sentences.map((tokens) => ({ ids: encodeWords(tokens, vocab), document })),
  );
}

/** The sentences that have a next sentence in the same document: the possible A of a pair. */
export function pairStarts(sentences: readonly Sentence[]): number[] {
  const starts: number[] = [];
  for (let i = 0; i + 1 < sentences.length; i++)
    if (sentences[i].document === sentences[i + 1].document) starts.push(i);
  return starts;
}

/**
 * The pair starting at sentence `start`. With `nsp`, half the pairs (one draw of `random`) take
 * as B a random sentence instead of the next one: from another document when there is one (a few
 * draws), else any sentence but A and its successor.
 */
export function makePair(sentences: readonly Sentence[], start: number, nsp: boolean, random: Random): SentencePair {
  const a = sentences[start];
  if (nsp && random.next() < 0.5) {
    for (let attempt = 0; attempt < 10; attempt++) {
      const other = sentences[random.int(sentences.length)];
      if (other.document !== a.document) return { a: a.ids, b: other.ids, isNext: false };
    }
    if (sentences.length > 2) {
      let other = random.int(sentences.length - 2); // skip A and its successor
      if (other >= start) other += 2;
      return { a: a.ids, b: sentences[other].ids, isNext: false };
    }
  }
  return { a: a.ids, b: sentences[start + 1].ids, isNext: true };
}

export interface PairInput {
  /** `[CLS] A [SEP] B [SEP]`. */
  ids: number[];
  /** 0 for `[CLS]`, A and the first `[SEP]`; 1 for B and the last `[SEP]`. */
  segments: number[];
}

/**
 * `[CLS] A [SEP] B [SEP]` with its segment ids, cut to `maxLength` positions: tokens are removed
 * from the end of the longer sentence until it fits (A keeps at least one token; B may vanish,
 * leaving `[CLS] A [SEP] [SEP]`).
 */
export function pairInput(pair: SentencePair, maxLength: number): PairInput {
  if (maxLength < 4) throw new RangeError(`a pair needs at least 4 positions, got ${maxLength}`);
  let a = pair.a.length;
  let b = pair.b.length;
  while (a + b + 3 > maxLength) {
    if (a > b) a--;
    else b--;
  }
  const ids = [CLS_ID, ...pair.a.slice(0, a), SEP_ID, ...pair.b.slice(0, b), SEP_ID];
  const segments = ids.map((_, i) => (i <= a + 1 ? 0 : 1));
  return { ids, segments };
}

/** `[CLS] tokens [SEP]`, one segment, cut to `maxLength` positions (for a learner's sentence). */
export function singleInput(ids: readonly number[], maxLength: number): PairInput {
  const kept = ids.slice(0, Math.max(0, maxLength - 2));
  const all = [CLS_ID, ...kept, SEP_ID];
  return { ids: all, segments: all.map(() => 0) };
}
