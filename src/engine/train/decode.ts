/**
 * Greedy decoding to tokens: one read-back from the backend per batch, after all steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Seq2SeqModel } from '../chapters/types';
import { EOS_ID, type Vocab } from '../tasks/vocab';
import { makeBatch, disposeBatch, type EncodedExample } from './batches';

export interface DecodedExample {
  /** Predicted tokens up to (excluding) `<eos>`. */
  tokens: string[];
  /** Whether `<eos>` was produced within the step budget. */
  ended: boolean;
  /** One attention row per generated token (incl. the `<eos>` step), over the real source tokens; null without attention. */
  attentionRows: number[][] | null;
}

/** Decodes `items` greedily for `steps` steps. */
export function greedyDecode(
  model: Seq2SeqModel,
  items: EncodedExample[],
  targetVocab: Vocab,
  steps: number,
): DecodedExample[] {
  const batch = makeBatch(items);
  try {
    const { tokens, attentionWeights } = model.greedy(batch.sourceIds, batch.sourceMask, steps);
    const ids = tokens.arraySync() as number[][]; // [batch, steps]
    const attention = attentionWeights ? (attentionWeights.arraySync() as number[][][]) : null; // [batch, steps, source_len]
    tf.dispose(attentionWeights ? [tokens, attentionWeights] : [tokens]);
    return items.map((item, i) => {
      const row = ids[i];
      const eos = row.indexOf(EOS_ID);
      const kept = eos === -1 ? row : row.slice(0, eos);
      const generated = eos === -1 ? row.length : eos + 1;
      return {
        tokens: kept.map((id) => targetVocab.token(id)),
        ended: eos !== -1,
        attentionRows: attention
          ? attention[i].slice(0, generated).map((r) => r.slice(0, item.sourceIds.length))
          : null,
      };
    });
  } finally {
    disposeBatch(batch);
  }
}
