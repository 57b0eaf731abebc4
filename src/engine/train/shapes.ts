/**
 * `shapes.json`: every named tensor of one forward pass and every weight, with its dimension
 * names and meaning from the chapter's glossary and the line of the chapter's code that creates it.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ChapterInfo, GlossaryEntry } from '../../shared/course/chapter';
import type { ShapeEntry } from '../../shared/run/records';
import type { Parameters } from '../nn/parameters';
import { sourceLineOf } from './sources';

/** The glossary entry of `name`: an exact key, or a key with `{n}` standing for a layer number. */
export function glossaryEntry(glossary: Record<string, GlossaryEntry>, name: string): GlossaryEntry | undefined {
  const exact = glossary[name];
  if (exact) return exact;
  for (const [key, entry] of Object.entries(glossary)) {
    if (!key.includes('{n}')) continue;
    const pattern = new RegExp(
      `^${key
        .split('{n}')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('\\d+')}$`,
    );
    if (pattern.test(name)) return entry;
  }
  return undefined;
}

export function describeShapes(
  info: ChapterInfo,
  named: Record<string, tf.Tensor>,
  parameters: Parameters,
): ShapeEntry[] {
  const entry = (name: string, kind: ShapeEntry['kind'], shape: readonly number[]): ShapeEntry => {
    const glossary = glossaryEntry(info.glossary, name);
    if (!glossary) throw new Error(`chapter ${info.id}: no glossary entry for ${kind} ${name}`);
    const described: ShapeEntry = { name, kind, shape: [...shape], dims: glossary.dims, meaning: glossary.meaning };
    const source = sourceLineOf(info.id, name);
    if (source) described.source = source;
    return described;
  };
  return [
    ...Object.entries(named).map(([name, tensor]) => entry(name, 'activation', tensor.shape)),
    ...parameters.entries().map(([name, variable]) => entry(name, 'weight', variable.shape)),
  ];
}
