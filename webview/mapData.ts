/**
 * The attention maps of a probe as the panel organises them: decoded lazily (a snapshot holds
 * them packed; only the maps on screen are unpacked, once each), grouped by stack and kind into
 * layer × head grids, and read for grouped-query attention. Pure: no DOM.
 */
import { mapKey, unpackMap, type UnpackedMap } from '../src/shared/run/attention';
import {
  ATTENTION_MODES,
  ATTENTION_STACKS,
  type AttentionKind,
  type AttentionMap,
  type AttentionMode,
  type AttentionStack,
} from '../src/shared/run/records';

const decoded = new WeakMap<AttentionMap, UnpackedMap | null>();

/** The weights and mask of `map`, unpacked on first use; null when its data is damaged. */
export function decode(map: AttentionMap): UnpackedMap | null {
  if (decoded.has(map)) return decoded.get(map) ?? null;
  let data: UnpackedMap | null;
  try {
    data = unpackMap(map);
  } catch {
    data = null;
  }
  decoded.set(map, data);
  return data;
}

const sums = new WeakMap<UnpackedMap, Float64Array>();

/** The sum of every row (float32 weights added in double precision). */
export function rowSums(data: UnpackedMap): Float64Array {
  let result = sums.get(data);
  if (!result) {
    result = new Float64Array(data.rows);
    for (let r = 0; r < data.rows; r++) {
      let total = 0;
      for (let c = 0, i = r * data.columns; c < data.columns; c++, i++) total += data.weights[i];
      result[r] = total;
    }
    sums.set(data, result);
  }
  return result;
}

const leaks = new WeakMap<UnpackedMap, LeakedMass>();

/** The attention a causal self-attention map puts on later positions (see `leakedMass`). */
export interface LeakedMass {
  /** Mean over rows of Σ_{k > r} weight[r, k]. */
  mean: number;
  /** The largest row's share. */
  max: number;
}

/**
 * The map's "leaked mass": in a self-attention map whose row r and column r are the same
 * position, the weight of row r on the columns after r (above the diagonal), summed per row and
 * averaged over the rows, as the engine's leaked-mass metric averages it over real target
 * positions. Masked cells are counted too: a weak mask leaks exactly through them; under a hard
 * causal mask every such cell is exactly 0, so the leak is exactly 0.
 */
export function leakedMass(data: UnpackedMap): LeakedMass {
  let result = leaks.get(data);
  if (!result) {
    let total = 0;
    let max = 0;
    for (let r = 0; r < data.rows; r++) {
      let row = 0;
      for (let c = r + 1, i = r * data.columns + r + 1; c < data.columns; c++, i++) row += data.weights[i];
      total += row;
      max = Math.max(max, row);
    }
    result = { mean: data.rows > 0 ? total / data.rows : 0, max };
    leaks.set(data, result);
  }
  return result;
}

/** Whether the panel reports a leaked mass for `map`: every masked (causal) self-attention map. */
export function showsLeak(map: Pick<AttentionMap, 'kind'>): boolean {
  return map.kind === 'causal-self';
}

export function maskedCount(data: UnpackedMap): number {
  if (!data.mask) return 0;
  let count = 0;
  for (let i = 0; i < data.mask.length; i++) if (!data.mask[i]) count++;
  return count;
}

/** The modes a probe has maps for, in the order of ATTENTION_MODES. */
export function modesOf(maps: readonly AttentionMap[]): AttentionMode[] {
  return ATTENTION_MODES.filter((mode) => maps.some((map) => map.mode === mode));
}

export interface MapGroup {
  /** `<stack>/<kind>` */
  id: string;
  stack: AttentionStack;
  kind: AttentionKind;
  /** The layers and heads present, ascending: the grid's rows and columns. */
  layers: number[];
  heads: number[];
  /** Ordered by layer, then head. */
  maps: AttentionMap[];
  /** Grouped-query attention: query heads and distinct key/value heads per layer (the largest). */
  sharing: { queries: number; kvHeads: number } | null;
}

/** Self-attention before masked self-attention before cross-attention (a Transformer's order). */
const KIND_ORDER: readonly AttentionKind[] = ['self', 'causal-self', 'cross'];

function order(map: Pick<AttentionMap, 'stack' | 'kind'>): number {
  return ATTENTION_STACKS.indexOf(map.stack) * KIND_ORDER.length + KIND_ORDER.indexOf(map.kind);
}

/** Maps grouped by stack and kind: encoder self, …, decoder masked self, cross. */
export function groupMaps(maps: readonly AttentionMap[]): MapGroup[] {
  const groups = new Map<string, MapGroup>();
  const sorted = [...maps].sort((a, b) => order(a) - order(b) || a.layer - b.layer || a.head - b.head);
  for (const map of sorted) {
    const id = `${map.stack}/${map.kind}`;
    let group = groups.get(id);
    if (!group) {
      group = { id, stack: map.stack, kind: map.kind, layers: [], heads: [], maps: [], sharing: null };
      groups.set(id, group);
    }
    group.maps.push(map);
    if (!group.layers.includes(map.layer)) group.layers.push(map.layer);
    if (!group.heads.includes(map.head)) group.heads.push(map.head);
  }
  for (const group of groups.values()) {
    group.layers.sort((a, b) => a - b);
    group.heads.sort((a, b) => a - b);
    if (group.maps.some((map) => map.kvHead !== undefined)) {
      let queries = 0;
      let kvHeads = 0;
      for (const layer of group.layers) {
        const inLayer = group.maps.filter((map) => map.layer === layer);
        queries = Math.max(queries, inLayer.length);
        kvHeads = Math.max(kvHeads, new Set(inLayer.map((map) => map.kvHead ?? map.head)).size);
      }
      group.sharing = { queries, kvHeads };
    }
  }
  return [...groups.values()];
}

/** The query heads (ascending) that read the same key/value head as `map`, `map`'s own included. */
export function headsSharingKv(maps: readonly AttentionMap[], map: AttentionMap): number[] {
  if (map.kvHead === undefined) return [map.head];
  return maps
    .filter(
      (other) =>
        other.stack === map.stack &&
        other.kind === map.kind &&
        other.layer === map.layer &&
        other.mode === map.mode &&
        other.kvHead === map.kvHead,
    )
    .map((other) => other.head)
    .sort((a, b) => a - b);
}

/** The map shown when none is chosen: the first cross-attention map if any, else the first map. */
export function defaultMap(maps: readonly AttentionMap[]): AttentionMap | null {
  const groups = groupMaps(maps);
  return groups.find((group) => group.kind === 'cross')?.maps[0] ?? groups[0]?.maps[0] ?? null;
}

export function findByKey(maps: readonly AttentionMap[], key: string | null): AttentionMap | null {
  return key === null ? null : (maps.find((map) => mapKey(map) === key) ?? null);
}
