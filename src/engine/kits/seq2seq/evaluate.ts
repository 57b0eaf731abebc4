/**
 * Validation metrics of a source → target chapter: teacher-forced loss and token accuracy,
 * greedy exact match, and both per source-length bucket. One read-back per chunk.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LengthBucket } from '../../../shared/run/records';
import type { ChapterModel } from '../../chapters/contract';
import { maskedCrossEntropy } from '../../nn/loss';
import { BOS_ID, EOS_ID, type Vocab } from '../../tasks/vocab';
import { disposeBatch } from '../../train/batches';
import { greedyDecode } from '../../train/decode';
import { chunks, makeSeq2SeqBatch, type EncodedExample } from './batch';

export interface DecodedExample {
  /** Predicted tokens up to (excluding) `<eos>`. */
  tokens: string[];
  /** Whether `<eos>` was produced within the step budget. */
  ended: boolean;
}

export interface Seq2SeqEvaluation {
  loss: number;
  tokenAccuracy: number;
  exactMatch: number;
  buckets: LengthBucket[];
  decoded: DecodedExample[];
  /** Per example: whether the greedy prediction equals the target. */
  correct: boolean[];
}

/** Source-length bucket edges: the quartiles of the given lengths, so every bucket holds about a quarter. */
export function bucketEdges(lengths: number[]): [number, number][] {
  const sorted = [...lengths].sort((a, b) => a - b);
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const cuts = [...new Set([quantile(0.25), quantile(0.5), quantile(0.75)])];
  const edges: [number, number][] = [];
  let low = sorted[0];
  for (const cut of cuts) {
    if (cut >= low && cut < sorted[sorted.length - 1]) {
      edges.push([low, cut]);
      low = cut + 1;
    }
  }
  edges.push([low, sorted[sorted.length - 1]]);
  return edges;
}

/** How many decoding steps can produce every target plus `<eos>`. */
export function decodingSteps(items: EncodedExample[]): number {
  return Math.max(...items.map((item) => item.targetIds.length));
}

/** Greedy decoding of `items` (one batch) to tokens, cut at `<eos>`. */
export function decodeItems(
  model: ChapterModel,
  items: EncodedExample[],
  targetVocab: Vocab,
  steps: number,
): DecodedExample[] {
  if (!model.decoder) throw new Error('this model has no decoder');
  const batch = makeSeq2SeqBatch(items);
  try {
    const { tokens } = greedyDecode(model.decoder, batch.inputs, items.length, steps, BOS_ID, false);
    const ids = tokens.arraySync() as number[][]; // [batch, steps]
    tokens.dispose();
    return ids.map((row) => {
      const eos = row.indexOf(EOS_ID);
      const kept = eos === -1 ? row : row.slice(0, eos);
      return { tokens: kept.map((id) => targetVocab.token(id)), ended: eos !== -1 };
    });
  } finally {
    disposeBatch(batch);
  }
}

export function evaluateSeq2Seq(
  model: ChapterModel,
  items: EncodedExample[],
  targetVocab: Vocab,
  edges: [number, number][],
  batchSize = 256,
): Seq2SeqEvaluation {
  let lossSum = 0;
  let tokenCount = 0;
  let correctTokens = 0;
  const exampleTokenCorrect: number[] = new Array(items.length).fill(0);
  const exampleTokenCount: number[] = new Array(items.length).fill(0);
  const decoded: DecodedExample[] = new Array(items.length);
  const steps = decodingSteps(items);
  // Evaluate in order of source length so each chunk is padded to about its own length.
  const order = items.map((_, i) => i).sort((a, b) => items[a].sourceIds.length - items[b].sourceIds.length || a - b);
  for (const indices of chunks(order, batchSize)) {
    const chunk = indices.map((i) => items[i]);
    const batch = makeSeq2SeqBatch(chunk);
    const [perExampleCorrect, perExampleCount, summary] = tf.tidy(() => {
      const { logits } = model.forward(batch, { training: false, seed: 0 }); // [batch, target_len, vocab]
      const predictions = tf.argMax(logits, 2); // [batch, target_len]
      const hits = tf.mul(tf.cast(tf.equal(predictions, batch.targets), 'float32'), batch.lossMask); // [batch, target_len]
      const count = tf.sum(batch.lossMask); // tokens in this batch
      const loss = tf.mul(maskedCrossEntropy(logits, batch.targets, batch.lossMask), count); // summed loss
      return [tf.sum(hits, 1), tf.sum(batch.lossMask, 1), tf.stack([loss, count])];
    });
    const [batchLoss, batchCount] = summary.dataSync();
    lossSum += batchLoss;
    tokenCount += batchCount;
    const hits = perExampleCorrect.dataSync();
    const counts = perExampleCount.dataSync();
    const results = decodeItems(model, chunk, targetVocab, steps);
    indices.forEach((original, k) => {
      correctTokens += hits[k];
      exampleTokenCorrect[original] = hits[k];
      exampleTokenCount[original] = counts[k];
      decoded[original] = results[k];
    });
    tf.dispose([perExampleCorrect, perExampleCount, summary]);
    disposeBatch(batch);
  }
  const correct = items.map(
    (item, i) => decoded[i].ended && decoded[i].tokens.join('\u0000') === item.example.target.join('\u0000'),
  );
  const buckets = edges.map(([minLength, maxLength]) => {
    const members = items
      .map((_, i) => i)
      .filter((i) => items[i].sourceIds.length >= minLength && items[i].sourceIds.length <= maxLength);
    const tokens = members.reduce((sum, i) => sum + exampleTokenCount[i], 0);
    return {
      minLength,
      maxLength,
      count: members.length,
      exactMatch: members.length ? members.filter((i) => correct[i]).length / members.length : 0,
      tokenAccuracy: tokens ? members.reduce((sum, i) => sum + exampleTokenCorrect[i], 0) / tokens : 0,
    };
  });
  return {
    loss: lossSum / Math.max(tokenCount, 1),
    tokenAccuracy: correctTokens / Math.max(tokenCount, 1),
    exactMatch: correct.filter(Boolean).length / Math.max(items.length, 1),
    buckets,
    decoded,
    correct,
  };
}
