/**
 * A language model's validation measures, on fixed windows that tile the start of the validation
 * split (windows.ts: every token after the first predicted exactly once, with up to `context`
 * tokens before it):
 *
 *   val_loss          mean −ln p(next token), in nats per character
 *   val_bpc           the same in bits: val_loss / ln 2 (bits per character)
 *   val_perplexity    exp(val_loss): as unsure as a fair choice among this many characters
 *   bigram_loss       the corpus's bigram baseline (src/engine/corpus/baseline.ts) on exactly the
 *                     same predictions: what knowing only "which character follows which" gives
 *   nats_below_bigram bigram_loss − val_loss: > 0 once the model has learned more than bigrams
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ChapterModel } from '../../chapters/contract';
import { bigramBaseline, type BigramBaseline } from '../../corpus';
import { maskedCrossEntropy } from '../../nn/loss';
import { disposeBatch } from '../../train/batches';
import { makeWindowBatch, tilingWindows, type Window } from './windows';

/** Windows evaluated per forward pass. */
const EVALUATION_BATCH = 32;

export interface ValidationSet {
  /** The ids evaluated: the first `tokens` ids of the validation split. */
  ids: Int32Array;
  windows: Window[];
  width: number;
  /** Predictions scored: ids.length − 1. */
  predictions: number;
  bigram: BigramBaseline;
}

/** The validation windows over the first `maxTokens` ids of `validation`, and the bigram baseline on them. */
export function validationSet(
  train: Int32Array,
  validation: Int32Array,
  vocabSize: number,
  context: number,
  maxTokens: number,
): ValidationSet {
  const ids = validation.subarray(0, Math.min(validation.length, maxTokens + 1));
  const { windows, width } = tilingWindows(ids.length, context);
  const bigram = bigramBaseline(Array.from(train), Array.from(ids), vocabSize);
  return { ids, windows, width, predictions: ids.length - 1, bigram };
}

export interface LanguageModelMeasures {
  val_loss: number;
  val_bpc: number;
  val_perplexity: number;
  bigram_loss: number;
  nats_below_bigram: number;
}

/** Mean cross-entropy (nats) of the model's predictions on the set's windows: one read-back per batch. */
export function meanValidationLoss(model: ChapterModel, set: ValidationSet): number {
  let sum = 0;
  let count = 0;
  for (let first = 0; first < set.windows.length; first += EVALUATION_BATCH) {
    const batch = makeWindowBatch(set.ids, set.windows.slice(first, first + EVALUATION_BATCH), set.width);
    try {
      const summary = tf.tidy(() => {
        const { logits } = model.forward(batch, { training: false, seed: 0 }); // [batch, len, vocab]
        const scored = tf.sum(batch.lossMask);
        return tf.stack([tf.mul(maskedCrossEntropy(logits, batch.targets, batch.lossMask), scored), scored]);
      });
      const [loss, scored] = summary.dataSync();
      summary.dispose();
      sum += loss;
      count += scored;
    } finally {
      disposeBatch(batch);
    }
  }
  return sum / Math.max(count, 1);
}

export function measures(loss: number, bigram: BigramBaseline): LanguageModelMeasures {
  return {
    val_loss: loss,
    val_bpc: loss / Math.LN2,
    val_perplexity: Math.exp(loss),
    bigram_loss: bigram.nats,
    nats_below_bigram: bigram.nats - loss,
  };
}
