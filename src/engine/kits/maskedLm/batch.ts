/**
 * Masked examples as tensors, the way BERT's own code feeds them: the full input, plus the
 * positions to predict (`masked_lm_positions` in BERT's code), their original tokens and a weight
 * per prediction. Predictions are padded to the batch's largest count with weight 0, so the
 * trainer's one masked cross-entropy counts the selected positions and nothing else. Scores over
 * the vocabulary are computed only there: about 15% of the positions, not all of them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../../chapters/contract';
import { PAD_ID } from '../../tasks/vocab';
import { NOT_SELECTED, type MaskedSequence } from './masking';

/** One example ready for a batch: a masked `[CLS] A [SEP] B [SEP]` with its segments. */
export interface MlmExample extends MaskedSequence {
  /** Segment id per position (0: `[CLS]` A `[SEP]`; 1: B `[SEP]`). */
  segments: number[];
  /** Whether B follows A in the corpus (next-sentence prediction's label). */
  isNext: boolean;
}

/** The positions of `example` the model must predict: its selected ones, left to right. */
export function predictionPositions(example: MaskedSequence): number[] {
  return example.selection.flatMap((what, position) => (what === NOT_SELECTED ? [] : [position]));
}

function padded(rows: number[][], width: number, fill: number): Int32Array {
  const out = new Int32Array(rows.length * width).fill(fill);
  rows.forEach((row, i) => out.set(row, i * width));
  return out;
}

/**
 * Inputs: `source_ids [batch, len]` (int32, padded with `<pad>`), `source_mask [batch, len]` (1 =
 * token), `segment_ids [batch, len]` (int32), `is_next [batch]` (int32, 1 = B follows A),
 * `mlm_positions [batch, predictions]` (int32: the selected positions; padding slots point at 0).
 * `targets [batch, predictions]`: the original token at each of those positions; `lossMask
 * [batch, predictions]`: 1 for a selected position, 0 for a padding slot.
 */
export function makeMlmBatch(examples: readonly MlmExample[]): Batch {
  if (examples.length === 0) throw new Error('a batch needs at least one example');
  const batch = examples.length;
  const length = Math.max(...examples.map((example) => example.input.length));
  const positions = examples.map(predictionPositions);
  const slots = Math.max(1, ...positions.map((p) => p.length));
  const shape: [number, number] = [batch, length];
  const sourceMask = new Float32Array(batch * length);
  const lossMask = new Float32Array(batch * slots);
  examples.forEach((example, i) => {
    sourceMask.fill(1, i * length, i * length + example.input.length);
    lossMask.fill(1, i * slots, i * slots + positions[i].length);
  });
  return {
    inputs: {
      source_ids: tf.tensor2d(
        padded(
          examples.map((e) => e.input),
          length,
          PAD_ID,
        ),
        shape,
        'int32',
      ), // [batch, len]
      source_mask: tf.tensor2d(sourceMask, shape), // [batch, len]
      segment_ids: tf.tensor2d(
        padded(
          examples.map((e) => e.segments),
          length,
          0,
        ),
        shape,
        'int32',
      ), // [batch, len]
      is_next: tf.tensor1d(
        examples.map((e) => (e.isNext ? 1 : 0)),
        'int32',
      ), // [batch]
      mlm_positions: tf.tensor2d(padded(positions, slots, 0), [batch, slots], 'int32'), // [batch, predictions]
    },
    targets: tf.tensor2d(
      padded(
        examples.map((e, i) => positions[i].map((position) => e.original[position])),
        slots,
        PAD_ID,
      ),
      [batch, slots],
      'int32',
    ), // [batch, predictions]
    lossMask: tf.tensor2d(lossMask, [batch, slots]), // [batch, predictions]
  };
}
