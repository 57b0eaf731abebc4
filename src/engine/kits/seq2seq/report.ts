/** The closing lines of a source → target run: test accuracy, the course's shapes, attention row sums, samples. */
import * as tf from '@tensorflow/tfjs-core';
import type { ShapeEntry } from '../../../shared/run/records';
import type { ChapterModel } from '../../chapters/contract';
import { tidy } from '../../nn/tidy';
import { disposeBatch } from '../../train/batches';
import { formatSampleLine } from '../../train/format';
import { makeSeq2SeqBatch, type EncodedExample } from './batch';
import type { Seq2SeqData } from './data';
import { bucketEdges, evaluateSeq2Seq } from './evaluate';

export function seq2seqFinalReport(
  model: ChapterModel,
  data: Seq2SeqData,
  test: EncodedExample[],
  shapes: ShapeEntry[],
  log: (line: string) => void,
): void {
  const evaluation = evaluateSeq2Seq(
    model,
    test,
    data.targetVocab,
    bucketEdges(test.map((item) => item.sourceIds.length)),
  );
  log(
    `test_loss=${evaluation.loss.toFixed(4)} test_token_acc=${evaluation.tokenAccuracy.toFixed(4)} test_exact=${evaluation.exactMatch.toFixed(4)}`,
  );
  const shapeOf = (name: string) => shapes.find((s) => s.name === name);
  const describe = (entry: ShapeEntry | undefined) =>
    entry ? `(${entry.dims.join(', ')})=(${entry.shape.join(', ')})` : 'none';
  const attention = shapeOf('attention_weights');
  log(
    `attention_shape=${attention ? describe(attention) : 'none (this chapter has no attention)'} logits_shape=${describe(shapeOf('logits'))}`,
  );
  const batch = makeSeq2SeqBatch(data.validation.slice(0, 64));
  try {
    const sums = tidy(() => {
      const maps = model.forward(batch, { training: false, seed: 0 }).attention;
      if (maps.length === 0) return null;
      const rowSums = tf.concat(maps.map((map) => tf.reshape(tf.sum(map.weights, 3), [-1]))); // every row of every map
      return tf.stack([tf.min(rowSums), tf.max(rowSums)]);
    });
    if (sums) {
      const [min, max] = sums.dataSync();
      sums.dispose();
      log(`attention_row_sums min=${min.toFixed(6)} max=${max.toFixed(6)}`);
    }
  } finally {
    disposeBatch(batch);
  }
  for (let i = 0; i < Math.min(5, test.length); i++) {
    log(formatSampleLine(test[i].example, evaluation.decoded[i].tokens, data.level));
  }
}
