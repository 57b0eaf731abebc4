/**
 * Train / validation splits of a corpus: contiguous, not shuffled. The validation split is the
 * END of the corpus (by default its last 10%), so no window of training text overlaps validation
 * text except at the one boundary, and the split is the same on every run and machine: it uses
 * no random numbers at all. Shuffling windows (with the seeded generator) is the trainer's job.
 *
 * For the built-ins this means validation is the last entries of the file: for `en`, Factbook
 * entries of the last regions (part of South America, South Asia, the World entry); for `zh`, the
 * latest Song ci (the files follow 全宋词's order, roughly chronological).
 */

export const DEFAULT_VALIDATION_FRACTION = 0.1;

export interface Split<T> {
  train: T;
  validation: T;
}

function validationLength(total: number, fraction: number, what: string): number {
  if (!(fraction > 0 && fraction < 1)) {
    throw new RangeError(`${what}: the validation fraction must be between 0 and 1 (exclusive), got ${fraction}`);
  }
  if (!Number.isInteger(total) || total < 2) {
    throw new RangeError(`${what}: need at least 2 items to split, got ${total}`);
  }
  // round(total · fraction), but at least 1 item on each side.
  return Math.min(total - 1, Math.max(1, Math.round(total * fraction)));
}

/** The first items for training, the last `round(length · fraction)` (at least 1 each side) for validation. */
export function splitContiguous<T>(
  items: readonly T[],
  validationFraction: number = DEFAULT_VALIDATION_FRACTION,
): Split<T[]> {
  const cut = items.length - validationLength(items.length, validationFraction, 'splitContiguous');
  return { train: items.slice(0, cut), validation: items.slice(cut) };
}

/**
 * Splits text by characters (code points, never inside a surrogate pair): validation starts at
 * the beginning of the first non-empty line that starts at or after `length · (1 − fraction)`;
 * when there is none, exactly there. `train + validation === text`.
 */
export function splitText(text: string, validationFraction: number = DEFAULT_VALIDATION_FRACTION): Split<string> {
  const chars = [...text];
  const cutChars = chars.length - validationLength(chars.length, validationFraction, 'splitText');
  let cut = chars.slice(0, cutChars).join('').length; // the same position in UTF-16 units
  let lineStart = cut > 0 && text[cut - 1] === '\n' ? cut : text.indexOf('\n', cut) + 1;
  while (lineStart > 0 && lineStart < text.length && text[lineStart] === '\n') lineStart++;
  if (lineStart > 0 && lineStart < text.length) cut = lineStart;
  return { train: text.slice(0, cut), validation: text.slice(cut) };
}
