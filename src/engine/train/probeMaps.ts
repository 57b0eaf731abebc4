/**
 * From attention tensors to full-precision maps of single examples (`FullMap`), and the generic
 * attention statistics the self-checks report. Used by every kit's probes and predictions.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionOutput, AttentionStats, FullMap, TokenAxis } from '../chapters/contract';
import { tidy } from '../nn/tidy';
import type { DecodedAttention } from './decode';

/** The tokens that label each axis of one example's maps. */
export type AxisTokens = Partial<Record<TokenAxis, string[]>>;

/** Read-back of one forward attention: weights and its keep mask, both `[batch, heads, queries, keys]`. */
export interface ReadAttention {
  output: AttentionOutput;
  shape: [number, number, number, number];
  weights: Float32Array;
  keep: Float32Array | null;
}

/** Reads the weights (and the broadcast keep mask) of each attention of a forward pass. */
export function readAttention(attention: AttentionOutput[]): ReadAttention[] {
  return attention.map((output) => {
    const [weights, keep] = tidy(() => {
      const mask = output.keep ? tf.mul(tf.onesLike(output.weights), output.keep) : null; // [batch, heads, queries, keys]
      return [tf.clone(output.weights), mask] as const;
    });
    const read: ReadAttention = {
      output,
      shape: output.weights.shape as [number, number, number, number],
      weights: weights.dataSync() as Float32Array,
      keep: keep ? (keep.dataSync() as Float32Array) : null,
    };
    tf.dispose(keep ? [weights, keep] : [weights]);
    return read;
  });
}

function tokensOf(axis: TokenAxis, tokens: AxisTokens): string[] {
  const list = tokens[axis];
  if (!list) throw new Error(`no tokens for the ${axis} axis of an attention map`);
  return list;
}

/** Copies the top-left `rows × columns` block of `[heads, queries, keys]` head `head` of example `example`. */
function block(
  values: Float32Array,
  shape: [number, number, number, number],
  example: number,
  head: number,
  rows: number,
  columns: number,
): Float32Array {
  const [, heads, queries, keys] = shape;
  const out = new Float32Array(rows * columns);
  const base = (example * heads + head) * queries * keys;
  for (let r = 0; r < rows; r++) out.set(values.subarray(base + r * keys, base + r * keys + columns), r * columns);
  return out;
}

function keepOrNull(values: Float32Array | null): Uint8Array | null {
  if (!values) return null;
  const keep = Uint8Array.from(values, (x) => (x > 0.5 ? 1 : 0));
  return keep.every((x) => x === 1) ? null : keep;
}

/** The forward-pass maps of example `example`, cut to its own tokens (padding rows and columns dropped). */
export function forwardMaps(read: ReadAttention[], example: number, tokens: AxisTokens): FullMap[] {
  const maps: FullMap[] = [];
  for (const { output, shape, weights, keep } of read) {
    const rowTokens = tokensOf(output.rows, tokens);
    const columnTokens = tokensOf(output.columns, tokens);
    for (let head = 0; head < shape[1]; head++) {
      const map: FullMap = {
        kind: output.kind,
        stack: output.stack,
        layer: output.layer,
        head,
        mode: 'forward',
        rowTokens,
        columnTokens,
        weights: block(weights, shape, example, head, rowTokens.length, columnTokens.length),
        keep: keepOrNull(keep ? block(keep, shape, example, head, rowTokens.length, columnTokens.length) : null),
      };
      if (output.kvHeadOf) map.kvHead = output.kvHeadOf[head];
      maps.push(map);
    }
  }
  return maps;
}

/**
 * The generated-mode maps of example `example`: one row per generated token (`rowTokens`), each
 * row over the keys that step could see (later keys of a growing self-attention are masked).
 */
export function generatedMaps(
  decoded: DecodedAttention[],
  values: Float32Array[],
  example: number,
  rowTokens: string[],
  tokens: AxisTokens,
): FullMap[] {
  const maps: FullMap[] = [];
  decoded.forEach((attention, index) => {
    const shape = attention.weights.shape as [number, number, number, number];
    const columnTokens = tokensOf(attention.columns, tokens);
    const rows = rowTokens.length;
    const columns = columnTokens.length;
    for (let head = 0; head < shape[1]; head++) {
      const keep = new Uint8Array(rows * columns);
      for (let r = 0; r < rows; r++) {
        const visible = Math.min(columns, attention.keysPerStep[r] ?? columns);
        keep.fill(1, r * columns, r * columns + visible);
      }
      const map: FullMap = {
        kind: attention.kind,
        stack: attention.stack,
        layer: attention.layer,
        head,
        mode: 'generated',
        rowTokens,
        columnTokens,
        weights: block(values[index], shape, example, head, rows, columns),
        keep: keep.every((x) => x === 1) ? null : keep,
      };
      if (attention.kvHeadOf) map.kvHead = attention.kvHeadOf[head];
      maps.push(map);
    }
  });
  return maps;
}

/**
 * Statistics of the attention of a forward pass, on the full padded tensors in float32: rows
 * whose every key is masked (none should exist) are left out of the row sums.
 */
export function attentionStats(read: ReadAttention[]): AttentionStats {
  let maxRowDeviation = 0;
  let maxMaskedWeight = 0;
  let maskedCells = 0;
  for (const { shape, weights, keep } of read) {
    const keys = shape[3];
    for (let row = 0; row < weights.length / keys; row++) {
      let sum = 0;
      let allowed = 0;
      for (let k = row * keys; k < (row + 1) * keys; k++) {
        sum += weights[k];
        if (!keep || keep[k] > 0.5) allowed++;
        else {
          maskedCells++;
          maxMaskedWeight = Math.max(maxMaskedWeight, Math.abs(weights[k]));
        }
      }
      if (allowed > 0) maxRowDeviation = Math.max(maxRowDeviation, Math.abs(sum - 1));
    }
  }
  return { maxRowDeviation, maxMaskedWeight, maskedCells };
}

export function mergeStats(stats: AttentionStats[]): AttentionStats {
  return stats.reduce(
    (a, b) => ({
      maxRowDeviation: Math.max(a.maxRowDeviation, b.maxRowDeviation),
      maxMaskedWeight: Math.max(a.maxMaskedWeight, b.maxMaskedWeight),
      maskedCells: a.maskedCells + b.maskedCells,
    }),
    { maxRowDeviation: 0, maxMaskedWeight: 0, maskedCells: 0 },
  );
}
