/**
 * The attention snapshot of the fixed probe examples: greedy rows (one per generated token) and
 * teacher-forced rows (one per target token), over the real source tokens.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionMap, ProbeAttention } from '../../protocol/run';
import type { Seq2SeqModel } from '../chapters/types';
import { EOS_ID, SPECIAL_TOKENS } from '../tasks/vocab';
import type { Vocab } from '../tasks/vocab';
import { disposeBatch, makeBatch, type EncodedExample } from './batches';
import { decodingSteps } from './evaluate';
import { greedyDecode } from './decode';

const EOS_TOKEN = SPECIAL_TOKENS[EOS_ID];
const LABEL = 'cross-attention (additive)';

function attentionMap(rowTokens: string[], columnTokens: string[], weights: number[][]): AttentionMap {
  return { layer: 0, head: 0, label: LABEL, rowTokens, columnTokens, weights };
}

/**
 * Teacher-forced attention of every probe in one batch: per probe `[target_len + 1, source_len]`
 * cut to its own lengths (padding rows and columns dropped), or null for a model without attention.
 */
function teacherForcedRows(model: Seq2SeqModel, items: EncodedExample[]): (number[][] | null)[] {
  const batch = makeBatch(items);
  try {
    const kept = tf.tidy(() => {
      const weights = model.teacherForced(batch).attentionWeights; // [probes, target_len, source_len]
      return weights ? [weights] : [];
    });
    if (kept.length === 0) return items.map(() => null);
    const all = kept[0].arraySync() as number[][][];
    tf.dispose(kept);
    return items.map((item, i) =>
      all[i].slice(0, item.targetIds.length).map((row) => row.slice(0, item.sourceIds.length)),
    );
  } finally {
    disposeBatch(batch);
  }
}

export function probeAttention(model: Seq2SeqModel, probes: EncodedExample[], targetVocab: Vocab): ProbeAttention[] {
  const decoded = greedyDecode(model, probes, targetVocab, decodingSteps(probes));
  const forcedRows = teacherForcedRows(model, probes);
  return probes.map((item, i) => {
    const source = item.example.source;
    const target = item.example.target;
    const result = decoded[i];
    const predicted = result.ended ? [...result.tokens, EOS_TOKEN] : result.tokens;
    const forced = forcedRows[i];
    return {
      source,
      target,
      predicted,
      teacherForced: forced ? [attentionMap([...target, EOS_TOKEN], source, forced)] : [],
      greedy: result.attentionRows ? [attentionMap(predicted, source, result.attentionRows)] : [],
    };
  });
}
