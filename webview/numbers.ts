/**
 * How the panel prints numbers. Pure (no DOM), unit-tested. A printed number is the stored number
 * rounded, never a different one: a value and the threshold it is compared with get as many
 * digits as it takes for the printed pair to tell them apart.
 */

/** `value` with `digits` decimals; '–' for a missing (NaN) value, '∞' for an infinite one. */
export function fixed(value: number, digits = 3): string {
  if (Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  const text = value.toFixed(digits);
  // -0.000 reads as a negative weight: print the zero without a sign.
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/**
 * A compact number with `significant` digits: exponent notation for tiny and huge magnitudes
 * (`3e-7`, `1.5e+6` → `1.5e6`), plain otherwise (`0.7194`, `12.35`); trailing zeros dropped.
 */
export function compact(value: number, significant = 2): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  const digits = Math.max(1, Math.min(17, Math.round(significant)));
  if (magnitude < 1e-3 || magnitude >= 1e5) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split('e');
    const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    return `${trimmed}e${Number(exponent)}`;
  }
  const text = value.toPrecision(Math.max(digits, 1));
  return text.includes('e') ? compact(value, digits + 1) : text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * `value` and `threshold` printed so that the printed pair says what the stored pair says: the
 * threshold in full, the value with the fewest digits (2 to 9 significant) that keep it on the
 * same side of the threshold (1.04e-5 against 1e-5 prints `1.04e-5`, never `1e-5`).
 */
export function comparePair(value: number, threshold: number): { value: string; threshold: string } {
  const short = compact(threshold, 8);
  const limit = Number(short) === threshold ? short : String(threshold);
  const side = (x: number): number => Math.sign(x - threshold);
  let digits = 2;
  let shown = compact(value, digits);
  while (digits < 9 && Number.isFinite(value) && side(Number(shown)) !== side(value)) {
    digits += 1;
    shown = compact(value, digits);
  }
  return { value: shown, threshold: limit };
}

/** The relation that really holds between a measured value and its threshold. */
export function relation(value: number, threshold: number, comparison: 'at-most' | 'at-least'): string {
  if (comparison === 'at-most') return value <= threshold ? '≤' : Number.isNaN(value) ? '≰' : '>';
  return value >= threshold ? '≥' : Number.isNaN(value) ? '≱' : '<';
}

/** The relation a check requires. */
export function required(comparison: 'at-most' | 'at-least'): string {
  return comparison === 'at-most' ? '≤' : '≥';
}
