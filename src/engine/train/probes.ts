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

/** Teacher-forced attention of one example: `[target_len + 1, source_len]`, or null without attention. */
function teacherForcedRows(model: Seq2SeqModel, item: EncodedExample): number[][] | null {
  const batch = makeBatch([item]);
  try {
    const kept = tf.tidy(() => {
      const weights = model.teacherForced(batch).attentionWeights; // [1, target_len, source_len]
      return weights ? [weights] : [];
    });
    if (kept.length === 0) return null;
    const rows = (kept[0].arraySync() as number[][][])[0];
    tf.dispose(kept);
    return rows;
  } finally {
    disposeBatch(batch);
  }
}

export function probeAttention(model: Seq2SeqModel, probes: EncodedExample[], targetVocab: Vocab): ProbeAttention[] {
  const decoded = greedyDecode(model, probes, targetVocab, decodingSteps(probes));
  return probes.map((item, i) => {
    const source = item.example.source;
    const target = item.example.target;
    const result = decoded[i];
    const predicted = result.ended ? [...result.tokens, EOS_TOKEN] : result.tokens;
    const forced = teacherForcedRows(model, item);
    return {
      source,
      target,
      predicted,
      teacherForced: forced ? [attentionMap([...target, EOS_TOKEN], source, forced)] : [],
      greedy: result.attentionRows ? [attentionMap(predicted, source, result.attentionRows)] : [],
    };
  });
}
