/**
 * The attention heatmap's colour ramp: weight 0 → near white, weight 1 → a deep, saturated shade
 * of the theme's hue. Interpolated in linear RGB between stops of strictly falling luminance, so
 * darkness is monotonic in weight in every theme (a test compares pixel luminance). Pure: no DOM.
 * Shared by the panel's canvases and the SVG exports (src/shared/render/mapSvg.ts, also the CLI's).
 */

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** The panel's default hue (VS Code's charts blue) and the diverging scale's second hue. */
export const DEFAULT_MAP_BASE: Rgb = { r: 26, g: 133, b: 255 };
export const DEFAULT_DIVERGING_BASES: [Rgb, Rgb] = [DEFAULT_MAP_BASE, { r: 229, g: 20, b: 0 }];

export const RAMP_SIZE = 256;

function toLinear(channel: number): number {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function toSrgb(linear: number): number {
  const c = linear <= 0.0031308 ? linear * 12.92 : 1.055 * linear ** (1 / 2.4) - 0.055;
  return Math.round(Math.min(1, Math.max(0, c)) * 255);
}

/** Relative luminance (WCAG) of an sRGB colour, 0..1. */
export function luminance({ r, g, b }: Rgb): number {
  return 0.2126 * toLinear(r) + 0.7152 * toLinear(g) + 0.0722 * toLinear(b);
}

function hue({ r, g, b }: Rgb): number {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max === min) return 210;
  const d = max - min;
  let h = max === r ? (g - b) / d + (g < b ? 6 : 0) : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  h *= 60;
  return h;
}

function hsl(h: number, s: number, l: number): Rgb {
  const k = (n: number): number => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return { r: Math.round(f(0) * 255), g: Math.round(f(8) * 255), b: Math.round(f(4) * 255) };
}

/**
 * Builds the ramp as RAMP_SIZE rgb triples (Uint8ClampedArray, 3 bytes per entry). On a dark
 * background the lightest end is toned down a little to avoid glare (still lightest = 0).
 */
export function buildRamp(base: Rgb, darkBackground = false): Uint8ClampedArray {
  const h = hue(base);
  const stops = [darkBackground ? hsl(h, 0.25, 0.86) : hsl(h, 0.35, 0.97), hsl(h, 0.75, 0.6), hsl(h, 0.85, 0.16)];
  // Keep only stops whose luminance strictly falls (guards odd hues such as yellow).
  const kept = [stops[0]];
  for (const stop of stops.slice(1)) if (luminance(stop) < luminance(kept[kept.length - 1]) - 0.15) kept.push(stop);
  if (kept.length === 1) kept.push({ r: 0, g: 0, b: 0 });
  const linearStops = kept.map((s) => [toLinear(s.r), toLinear(s.g), toLinear(s.b)]);
  const ramp = new Uint8ClampedArray(RAMP_SIZE * 3);
  const segments = linearStops.length - 1;
  for (let i = 0; i < RAMP_SIZE; i++) {
    const position = (i / (RAMP_SIZE - 1)) * segments;
    const segment = Math.min(segments - 1, Math.floor(position));
    const f = position - segment;
    const from = linearStops[segment];
    const to = linearStops[segment + 1];
    for (let c = 0; c < 3; c++) ramp[i * 3 + c] = toSrgb(from[c] + (to[c] - from[c]) * f);
  }
  // Rounding to 8-bit channels can lift an entry a hair above its neighbour: flatten such steps.
  const entry = (i: number): Rgb => ({ r: ramp[i * 3], g: ramp[i * 3 + 1], b: ramp[i * 3 + 2] });
  for (let i = 1; i < RAMP_SIZE; i++) {
    if (luminance(entry(i)) > luminance(entry(i - 1))) ramp.copyWithin(i * 3, (i - 1) * 3, i * 3);
  }
  return ramp;
}

/**
 * A diverging scale: 0 → the light centre of both ramps, −1 → the deepest shade of the first
 * hue, +1 → of the second. Lightness falls monotonically with |value| on each side.
 */
export interface DivergingRamp {
  negative: Uint8ClampedArray;
  positive: Uint8ClampedArray;
}

export function buildDivergingRamp(negative: Rgb, positive: Rgb, darkBackground = false): DivergingRamp {
  return { negative: buildRamp(negative, darkBackground), positive: buildRamp(positive, darkBackground) };
}

/** The rgb (3 bytes, copied into `out` at `offset`) of `value` in −1..1 on a diverging ramp. */
export function divergingColour(ramp: DivergingRamp, value: number, out: Uint8ClampedArray, offset: number): void {
  const side = value < 0 ? ramp.negative : ramp.positive;
  const index = rampIndex(Math.abs(value)) * 3;
  out[offset] = side[index];
  out[offset + 1] = side[index + 1];
  out[offset + 2] = side[index + 2];
}

/** Index into the ramp for a weight (clamped to 0..1). */
export function rampIndex(weight: number): number {
  if (!(weight > 0)) return 0;
  if (weight >= 1) return RAMP_SIZE - 1;
  return Math.round(weight * (RAMP_SIZE - 1));
}

/** Whether text drawn over this ramp entry should be light. */
export function needsLightText(ramp: Uint8ClampedArray, index: number): boolean {
  return luminance({ r: ramp[index * 3], g: ramp[index * 3 + 1], b: ramp[index * 3 + 2] }) < 0.3;
}

/** `#rrggbb` of ramp entry `index`. */
export function rampHex(ramp: Uint8ClampedArray, index: number): string {
  const hex = (value: number): string => value.toString(16).padStart(2, '0');
  return `#${hex(ramp[index * 3])}${hex(ramp[index * 3 + 1])}${hex(ramp[index * 3 + 2])}`;
}
