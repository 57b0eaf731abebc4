/**
 * Tokens for the text chapters, on top of tasks/vocab.ts (ids 0..3 are `<pad> <bos> <eos> <unk>`).
 *
 * - Characters (mini-gpt): one token per Unicode code point; the vocabulary is the corpus's
 *   distinct characters in code-point order after the specials.
 * - Words (bert-mlm): tokenizeWords lower-cases and splits into words and punctuation; every Han
 *   (CJK) character is a word of its own. buildWordVocab keeps the most frequent words (ties in
 *   code-point order) after the specials and MLM_SPECIAL_TOKENS; the others encode as `<unk>`.
 *
 * Text a learner types never becomes a special token: a special token is never produced by the
 * tokenizers (a character is one code point; `<pad>` or `[CLS]` split into `<` `pad` `>` / `[`
 * `cls` `]`), and encodeChars / encodeWords map anything equal to a special token to `<unk>`
 * anyway. The `[MASK]` marker of a fill-in question is the chapter's to find and encode.
 */
import { tokenizeWords } from '../../shared/text/words';
import { SPECIAL_TOKENS, UNK_ID, Vocab } from '../tasks/vocab';

/** Word-level specials after SPECIAL_TOKENS: ids 4, 5, 6 in a vocabulary from buildWordVocab. */
export const MLM_SPECIAL_TOKENS = ['[CLS]', '[SEP]', '[MASK]'] as const;
export const CLS_ID = 4;
export const SEP_ID = 5;
export const MASK_ID = 6;

/** Compares strings by Unicode code point (plain `<` compares UTF-16 units, which differs for astral characters). */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** How many times each token occurs. */
export function countTokens(tokens: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

/** The `limit` most frequent tokens, most frequent first, ties in code-point order. */
function mostFrequent(counts: ReadonlyMap<string, number>, limit: number): string[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]))
    .slice(0, limit)
    .map(([token]) => token);
}

function checkLimit(limit: number | undefined, what: string): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new RangeError(`${what} must be a positive integer, got ${limit}`);
  }
}

const specialSet: ReadonlySet<string> = new Set([...SPECIAL_TOKENS, ...MLM_SPECIAL_TOKENS]);

/** The id of an ordinary token: `<unk>` when it is not in the vocabulary or is a special token. */
function ordinaryId(vocab: Vocab, token: string): number {
  return specialSet.has(token) ? UNK_ID : vocab.id(token);
}

// ── Characters ─────────────────────────────────────────────────────────────────────────────────

/**
 * The specials, then the distinct characters (code points) of `text` in code-point order.
 * With `maxChars`, only the most frequent `maxChars` characters are kept (ties in code-point
 * order), still listed in code-point order; the others encode as `<unk>`.
 */
export function buildCharVocab(text: string, maxChars?: number): Vocab {
  checkLimit(maxChars, 'buildCharVocab: maxChars');
  const counts = countTokens(text);
  const kept = maxChars === undefined ? [...counts.keys()] : mostFrequent(counts, maxChars);
  return new Vocab(kept.sort(compareCodePoints));
}

/** One id per code point of `text`; `<unk>` for characters not in `vocab`. */
export function encodeChars(text: string, vocab: Vocab): number[] {
  const ids: number[] = [];
  for (const ch of text) ids.push(ordinaryId(vocab, ch));
  return ids;
}

/** Ids → text: `<unk>` shows as U+FFFD (�), `<pad>` `<bos>` `<eos>` as nothing. */
export function decodeChars(ids: readonly number[], vocab: Vocab): string {
  let text = '';
  for (const id of ids) {
    if (id === UNK_ID) text += '\uFFFD';
    else if (id >= SPECIAL_TOKENS.length) text += vocab.token(id);
    else vocab.token(id); // range check
  }
  return text;
}

// ── Words ──────────────────────────────────────────────────────────────────────────────────────

/** Word tokens (src/shared/text/words.ts: the lab panel splits a learner's sentence the same way). */
export { tokenizeWords };

/**
 * The specials (SPECIAL_TOKENS, then MLM_SPECIAL_TOKENS), then the `maxWords` most frequent
 * tokens, most frequent first, ties in code-point order. Size ≤ 7 + maxWords.
 */
export function buildWordVocab(tokens: readonly string[], maxWords: number): Vocab {
  checkLimit(maxWords, 'buildWordVocab: maxWords');
  const counts = countTokens(tokens.filter((token) => !specialSet.has(token)));
  return new Vocab([...MLM_SPECIAL_TOKENS, ...mostFrequent(counts, maxWords)]);
}

/** Tokens → ids; `<unk>` for tokens not in `vocab` and for any special token. */
export function encodeWords(tokens: readonly string[], vocab: Vocab): number[] {
  return tokens.map((token) => ordinaryId(vocab, token));
}
