/**
 * Word tokens of the word-level chapters (bert-mlm), browser-safe so that the engine and the lab
 * panel split a learner's sentence the same way: the panel shows the words the model will read and
 * lets the learner mask them, the engine reads the same words back from the text it is sent.
 */

/**
 * A Han character; or a run of letters, marks and digits (not Han), with apostrophes inside
 * (`country's`, `don't`); or any other single non-space character (punctuation, symbols).
 */
const WORD_PATTERN =
  /\p{Script=Han}|(?:(?!\p{Script=Han})[\p{L}\p{M}\p{N}])+(?:'(?:(?!\p{Script=Han})[\p{L}\p{M}\p{N}])+)*|\S/gu;

/**
 * Word tokens: NFC-normalised, lower-cased; `’` counts as `'`. `"Algeria's army (FLN)."` →
 * `algeria's army ( fln ) .`; `"春风又绿江南岸。"` → `春 风 又 绿 江 南 岸 。`. Works for both languages
 * and mixtures; whitespace only separates.
 */
export function tokenizeWords(text: string): string[] {
  const normal = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/\u2019/g, "'");
  return normal.match(WORD_PATTERN) ?? [];
}

/** The marker a learner types (or the panel writes) where a masked language model should guess a word. */
export const MASK_MARKER = '[MASK]';

/**
 * Every control token of a word vocabulary, as a learner might type it: the four of every
 * vocabulary, then the masked language model's. Only `[MASK]` is read as what it names.
 */
export const TYPED_MARKERS = ['<pad>', '<bos>', '<eos>', '<unk>', '[CLS]', '[SEP]', MASK_MARKER] as const;

const MARKER_PATTERN = new RegExp(
  `(${TYPED_MARKERS.map((marker) => marker.replace(/[[\]<>]/g, (c) => `\\${c}`)).join('|')})`,
  'i',
);

/**
 * `"The [MASK] of <pad>"` → `['the', '[MASK]', 'of', '<pad>']`: typed markers (any case) in their
 * canonical spelling, the rest as words. Without this the tokenizer would split `[MASK]` into `[`,
 * `mask`, `]`.
 */
export function learnerWords(text: string): string[] {
  const tokens: string[] = [];
  text.split(MARKER_PATTERN).forEach((piece, i) => {
    if (i % 2 === 0) tokens.push(...tokenizeWords(piece));
    else tokens.push(TYPED_MARKERS.find((marker) => marker.toLowerCase() === piece.toLowerCase()) ?? piece);
  });
  return tokens;
}
