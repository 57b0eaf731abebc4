/** Order of the shape table: the attention tensors first, then the rest in file order. Pure. */
import type { ShapeEntry } from '../src/shared/run/records';

export const SHAPES_FIRST = ['attention_weights', 'context', 'logits'] as const;

export function orderShapes(shapes: readonly ShapeEntry[]): ShapeEntry[] {
  const first = SHAPES_FIRST.map((name) => shapes.find((s) => s.name === name)).filter((s): s is ShapeEntry => !!s);
  return [...first, ...shapes.filter((s) => !first.includes(s))];
}

/** `[batch, target_len, source_len] = [64, 11, 29]` */
export function formatShape(entry: ShapeEntry): string {
  const values = `[${entry.shape.join(', ')}]`;
  return entry.dims.length ? `[${entry.dims.join(', ')}] = ${values}` : values;
}
