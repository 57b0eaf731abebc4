/**
 * Examples of a source → target task as padded ids and batches of tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Example } from '../../tasks/types';
import { BOS_ID, EOS_ID, PAD_ID, type Vocab } from '../../tasks/vocab';
import type { Batch } from '../../chapters/contract';
import type { Random } from '../../random';

export interface EncodedExample {
  example: Example;
  sourceIds: number[];
  /** `<bos>` + target: what the decoder reads under teacher forcing. */
  decoderInputIds: number[];
  /** target + `<eos>`: what the decoder must predict. */
  targetIds: number[];
}

export function encodeExamples(examples: Example[], sourceVocab: Vocab, targetVocab: Vocab): EncodedExample[] {
  return examples.map((example) => {
    const target = targetVocab.encode(example.target);
    return {
      example,
      sourceIds: sourceVocab.encode(example.source),
      decoderInputIds: [BOS_ID, ...target],
      targetIds: [...target, EOS_ID],
    };
  });
}

function padded(rows: number[][], width: number): Int32Array {
  const out = new Int32Array(rows.length * width).fill(PAD_ID);
  rows.forEach((row, i) => out.set(row, i * width));
  return out;
}

/**
 * The tensors of one batch, padded to its longest source and target: inputs `source_ids`,
 * `source_mask` (1 = token, 0 = padding) and `decoder_input_ids`; targets = target + `<eos>`;
 * the loss mask leaves out padding. The caller disposes them (`disposeBatch`).
 */
export function makeSeq2SeqBatch(items: EncodedExample[]): Batch {
  const batch = items.length;
  const sourceLen = Math.max(...items.map((e) => e.sourceIds.length));
  const targetLen = Math.max(...items.map((e) => e.targetIds.length));
  const sourceIds = tf.tensor2d(
    padded(
      items.map((e) => e.sourceIds),
      sourceLen,
    ),
    [batch, sourceLen],
    'int32',
  ); // [batch, source_len]
  const decoderInputIds = tf.tensor2d(
    padded(
      items.map((e) => e.decoderInputIds),
      targetLen,
    ),
    [batch, targetLen],
    'int32',
  ); // [batch, target_len]
  const targetIds = tf.tensor2d(
    padded(
      items.map((e) => e.targetIds),
      targetLen,
    ),
    [batch, targetLen],
    'int32',
  ); // [batch, target_len]
  const sourceMask = tf.tidy(() => tf.cast(tf.notEqual(sourceIds, PAD_ID), 'float32')) as tf.Tensor2D; // [batch, source_len]
  const targetMask = tf.tidy(() => tf.cast(tf.notEqual(targetIds, PAD_ID), 'float32')) as tf.Tensor2D; // [batch, target_len]
  return {
    inputs: { source_ids: sourceIds, source_mask: sourceMask, decoder_input_ids: decoderInputIds },
    targets: targetIds,
    lossMask: targetMask,
  };
}

/**
 * Shuffled batches of indices for one epoch, grouped by source length: each pool of 16 batches'
 * worth of shuffled examples is sorted by length before being cut, so a batch is padded to
 * about its own length, not to the longest source of the task (the GRU runs one step per
 * padded position). The batch order is shuffled again.
 */
export function shuffledBatches(sourceLengths: number[], batchSize: number, random: Random): number[][] {
  const order = random.shuffle(Array.from({ length: sourceLengths.length }, (_, i) => i));
  const poolSize = batchSize * 16;
  const batches: number[][] = [];
  for (let poolStart = 0; poolStart < order.length; poolStart += poolSize) {
    const pool = order
      .slice(poolStart, poolStart + poolSize)
      .sort((a, b) => sourceLengths[a] - sourceLengths[b] || a - b);
    for (let start = 0; start < pool.length; start += batchSize) batches.push(pool.slice(start, start + batchSize));
  }
  return random.shuffle(batches);
}

/** Consecutive chunks, for evaluation. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
