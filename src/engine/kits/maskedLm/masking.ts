/**
 * BERT's masking procedure (Devlin et al. 2019, §3.1 and appendix A.1), in plain JS from the
 * project's seeded generator, so a given seed gives the same masks on every backend and a resumed
 * run repeats the masks of an uninterrupted one:
 *
 * - every ordinary token (never `[CLS]`, `[SEP]` or padding) is selected with probability p
 *   (15% by default), independently;
 * - a selected token is replaced by `[MASK]` with probability 0.8, by a random ordinary token with
 *   probability 0.1, and left unchanged with probability 0.1;
 * - the model must predict the original token at every selected position, and only there (the
 *   loss mask is 1 at selected positions, 0 everywhere else).
 *
 * The random replacement may draw the original token again (BERT does not prevent it either); it
 * still counts as randomised. Why not always `[MASK]`: `[MASK]` never appears when the model is
 * used, so the 10% random and 10% unchanged make it keep a useful representation of every token.
 */
import { CLS_ID, MASK_ID, SEP_ID } from '../../corpus';
import type { Random } from '../../random';
import { PAD_ID } from '../../tasks/vocab';

/** What happened to one position. */
export const NOT_SELECTED = 0;
export const REPLACED_BY_MASK = 1;
export const REPLACED_BY_RANDOM = 2;
export const KEPT = 3;
export type Selection = typeof NOT_SELECTED | typeof REPLACED_BY_MASK | typeof REPLACED_BY_RANDOM | typeof KEPT;

/** Of the selected tokens: the share replaced by `[MASK]`, then by a random token; the rest are kept. */
export const MASK_SHARE = 0.8;
export const RANDOM_SHARE = 0.1;
/** BERT's selection probability. */
export const DEFAULT_SELECTION_PROBABILITY = 0.15;
/** The first ordinary id of a word vocabulary (after `<pad> <bos> <eos> <unk> [CLS] [SEP] [MASK]`). */
export const FIRST_WORD_ID = 7;

/** The selection histogram: how many tokens could be selected, and what happened to them. */
export interface SelectionCounts {
  /** Ordinary tokens (not `[CLS]`, `[SEP]`, padding): the ones that may be selected. */
  tokens: number;
  selected: number;
  masked: number;
  randomised: number;
  kept: number;
}

export function emptyCounts(): SelectionCounts {
  return { tokens: 0, selected: 0, masked: 0, randomised: 0, kept: 0 };
}

export function addCounts(total: SelectionCounts, more: SelectionCounts): SelectionCounts {
  return {
    tokens: total.tokens + more.tokens,
    selected: total.selected + more.selected,
    masked: total.masked + more.masked,
    randomised: total.randomised + more.randomised,
    kept: total.kept + more.kept,
  };
}

/** Whether a position of an input may be selected: an ordinary token, not `[CLS]`, `[SEP]` or padding. */
export function isSelectable(id: number): boolean {
  return id !== CLS_ID && id !== SEP_ID && id !== PAD_ID;
}

export interface MaskedSequence {
  /** The input the model reads: the original ids with the selected ones replaced. */
  input: number[];
  /** The original ids: what each selected position must predict. */
  original: number[];
  /** Per position, what happened (NOT_SELECTED, REPLACED_BY_MASK, REPLACED_BY_RANDOM, KEPT). */
  selection: Selection[];
}

export interface MaskingOptions {
  /** Selection probability p (0 < p < 1). */
  probability: number;
  /** The vocabulary size: random replacements are drawn uniformly from ids FIRST_WORD_ID..size−1. */
  vocabSize: number;
}

/**
 * Masks one sequence (`ids` with its `[CLS]` and `[SEP]`), drawing from `random`: two draws per
 * selectable position (selected? then which replacement), one more for a random token.
 */
export function maskSequence(ids: readonly number[], random: Random, options: MaskingOptions): MaskedSequence {
  const { probability, vocabSize } = options;
  if (!(probability > 0 && probability < 1))
    throw new RangeError(`the selection probability must be in (0, 1), got ${probability}`);
  if (vocabSize <= FIRST_WORD_ID)
    throw new RangeError(`the vocabulary has no ordinary word to draw (size ${vocabSize})`);
  const input = [...ids];
  const selection: Selection[] = ids.map(() => NOT_SELECTED);
  ids.forEach((id, position) => {
    if (!isSelectable(id) || random.next() >= probability) return;
    const which = random.next();
    if (which < MASK_SHARE) {
      input[position] = MASK_ID;
      selection[position] = REPLACED_BY_MASK;
    } else if (which < MASK_SHARE + RANDOM_SHARE) {
      input[position] = FIRST_WORD_ID + random.int(vocabSize - FIRST_WORD_ID);
      selection[position] = REPLACED_BY_RANDOM;
    } else {
      selection[position] = KEPT;
    }
  });
  return { input, original: [...ids], selection };
}

/** The histogram of some masked sequences. */
export function countSelection(sequences: readonly MaskedSequence[]): SelectionCounts {
  const counts = emptyCounts();
  for (const sequence of sequences) {
    sequence.original.forEach((id, position) => {
      if (!isSelectable(id)) return;
      counts.tokens++;
      const what = sequence.selection[position];
      if (what === NOT_SELECTED) return;
      counts.selected++;
      if (what === REPLACED_BY_MASK) counts.masked++;
      else if (what === REPLACED_BY_RANDOM) counts.randomised++;
      else counts.kept++;
    });
  }
  return counts;
}
