/**
 * A learner's fill-in question as tokens: `[MASK]` is the one marker a learner may type on purpose
 * (any case); every other special token typed, `[CLS]`, `[SEP]`, `<pad>`, `<bos>`, `<eos>`,
 * `<unk>`, is read as an unknown word (`<unk>`) and reported, never as the control token it names.
 * Without this step the word tokenizer would split `[MASK]` into `[`, `mask`, `]`.
 */
import { MLM_SPECIAL_TOKENS, tokenizeWords } from '../../corpus';
import { SPECIAL_TOKENS, type Vocab } from '../../tasks/vocab';
import { encodeLearnerTokens, type LearnerIds } from '../learnerText';

export const MASK_TOKEN = '[MASK]';

/** Every special token of a word vocabulary, as a learner might type it. */
const MARKERS = [...SPECIAL_TOKENS, ...MLM_SPECIAL_TOKENS];
const MARKER_PATTERN = new RegExp(
  `(${MARKERS.map((marker) => marker.replace(/[[\]<>]/g, (c) => `\\${c}`)).join('|')})`,
  'i',
);

/** `"The [MASK] of <pad>"` → `['the', '[MASK]', 'of', '<pad>']`: typed markers as their canonical spelling, the rest as words. */
export function learnerTokens(text: string): string[] {
  const tokens: string[] = [];
  text.split(MARKER_PATTERN).forEach((piece, i) => {
    if (i % 2 === 0) tokens.push(...tokenizeWords(piece));
    else tokens.push(MARKERS.find((marker) => marker.toLowerCase() === piece.toLowerCase()) ?? piece);
  });
  return tokens;
}

/** Ids of a learner's tokens: `[MASK]` is the mask; any other special token, or a word not in `vocab`, is `<unk>`. */
export function encodeLearnerText(tokens: readonly string[], vocab: Vocab): LearnerIds {
  return encodeLearnerTokens(tokens, vocab, { specials: MARKERS, allowed: [MASK_TOKEN] });
}
