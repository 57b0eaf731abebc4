/**
 * A learner's fill-in question as tokens: `[MASK]` is the one marker a learner may type on purpose
 * (any case); every other special token typed, `[CLS]`, `[SEP]`, `<pad>`, `<bos>`, `<eos>`,
 * `<unk>`, is read as an unknown word (`<unk>`) and reported, never as the control token it names.
 * The split itself is src/shared/text/words.ts (`learnerWords`), shared with the lab panel's fill-in.
 */
import { learnerWords, MASK_MARKER } from '../../../shared/text/words';
import { MLM_SPECIAL_TOKENS } from '../../corpus';
import { SPECIAL_TOKENS, type Vocab } from '../../tasks/vocab';
import { encodeLearnerTokens, type LearnerIds } from '../learnerText';

export const MASK_TOKEN = MASK_MARKER;

/** Every special token of a word vocabulary, as a learner might type it (the shared TYPED_MARKERS). */
export const MARKERS: readonly string[] = [...SPECIAL_TOKENS, ...MLM_SPECIAL_TOKENS];

/** `"The [MASK] of <pad>"` → `['the', '[MASK]', 'of', '<pad>']`: typed markers as their canonical spelling, the rest as words. */
export function learnerTokens(text: string): string[] {
  return learnerWords(text);
}

/** Ids of a learner's tokens: `[MASK]` is the mask; any other special token, or a word not in `vocab`, is `<unk>`. */
export function encodeLearnerText(tokens: readonly string[], vocab: Vocab): LearnerIds {
  return encodeLearnerTokens(tokens, vocab, { specials: MARKERS, allowed: [MASK_TOKEN] });
}
