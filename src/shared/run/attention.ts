/**
 * Reading and writing one attention map of run format 2 (see records.ts): its key, its weights
 * and mask unpacked, and the check that its shape holds together. Used by the engine (writing),
 * the CLI (printing tables) and the webview (drawing).
 */
import { packFloat32, packMask, unpackFloat32, unpackMask } from './packed';
import type { AttentionKind, AttentionMap, AttentionMode, AttentionStack } from './records';

/** `<stack>/<kind>/<layer>/<head>`: the same map across epochs, probes and compared runs. */
export function mapKey(map: Pick<AttentionMap, 'stack' | 'kind' | 'layer' | 'head'>): string {
  return `${map.stack}/${map.kind}/${map.layer}/${map.head}`;
}

export interface UnpackedMap {
  rows: number;
  columns: number;
  /** Row-major weights, `rows × columns`. */
  weights: Float32Array;
  /** Row-major, 1 = may attend, 0 = masked; null when nothing is masked. */
  mask: Uint8Array | null;
}

/** The weights and mask of `map`, or null when its packed data is damaged. */
export function unpackMap(map: AttentionMap): UnpackedMap | null {
  const { rows, columns } = map.weights;
  const weights = unpackFloat32(map.weights.data);
  if (!weights || weights.length !== rows * columns) return null;
  let mask: Uint8Array | null = null;
  if (map.mask !== null) {
    mask = unpackMask(map.mask, rows * columns);
    if (!mask) return null;
  }
  return { rows, columns, weights, mask };
}

/** Row `row` of an unpacked map as a plain array. */
export function mapRow(map: UnpackedMap, row: number): number[] {
  return Array.from(map.weights.subarray(row * map.columns, (row + 1) * map.columns));
}

export interface MapParts {
  kind: AttentionKind;
  stack: AttentionStack;
  layer: number;
  head: number;
  kvHead?: number;
  mode: AttentionMode;
  rowTokens: string[];
  columnTokens: string[];
  /** Row-major `rowTokens.length × columnTokens.length`. */
  weights: ArrayLike<number>;
  /** Row-major, non-zero = may attend; null or all non-zero when nothing is masked. */
  mask: ArrayLike<number> | null;
}

/** Packs a map for a snapshot; a mask that masks nothing is stored as null. */
export function packMap(parts: MapParts): AttentionMap {
  const rows = parts.rowTokens.length;
  const columns = parts.columnTokens.length;
  if (parts.weights.length !== rows * columns) {
    throw new Error(
      `attention map ${parts.stack}/${parts.kind}: ${parts.weights.length} weights for ${rows}×${columns} tokens`,
    );
  }
  let mask: string | null = null;
  if (parts.mask) {
    if (parts.mask.length !== rows * columns) throw new Error('attention mask size differs from the weights');
    let masksSomething = false;
    for (let i = 0; i < parts.mask.length && !masksSomething; i++) masksSomething = !parts.mask[i];
    if (masksSomething) mask = packMask(parts.mask);
  }
  const map: AttentionMap = {
    kind: parts.kind,
    stack: parts.stack,
    layer: parts.layer,
    head: parts.head,
    mode: parts.mode,
    rowTokens: parts.rowTokens,
    columnTokens: parts.columnTokens,
    weights: { rows, columns, data: packFloat32(parts.weights) },
    mask,
  };
  if (parts.kvHead !== undefined) map.kvHead = parts.kvHead;
  return map;
}
