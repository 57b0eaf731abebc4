/**
 * Position information for a Transformer. Attention by itself ignores order (permuting the tokens
 * permutes the outputs), so each token embedding gets a vector that depends on its position:
 *
 * - sinusoidal (Vaswani et al. 2017), fixed:
 *     PE[pos, 2i]   = sin(pos / 10000^(2i / d_model))
 *     PE[pos, 2i+1] = cos(pos / 10000^(2i / d_model))
 *   Each pair of features is a clock turning at its own speed, from one turn every 2π positions
 *   (i = 0) to one every 2π·10000. Row 0 is [0, 1, 0, 1, …] (sin 0, cos 0).
 * - learned: a `[max_len, d_model]` weight, one trained vector per position (GPT-2, BERT).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Parameters } from './parameters';

/**
 * The sinusoidal table `[length, modelSize]`, row-major, in float64 (computed in plain JS so a
 * learner's hand calculation matches it digit for digit before it is rounded to float32).
 */
export function sinusoidalTable(length: number, modelSize: number): Float64Array {
  const table = new Float64Array(length * modelSize);
  for (let pos = 0; pos < length; pos++) {
    for (let feature = 0; feature < modelSize; feature++) {
      const evenIndex = feature - (feature % 2); // 2i: a sin and the cos after it share one frequency
      const angle = pos / Math.pow(10000, evenIndex / modelSize);
      table[pos * modelSize + feature] = feature % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return table;
}

/** The sinusoidal table as a float32 tensor `[length, modelSize]`. Constant: build it once per model. */
export function sinusoidalPositions(length: number, modelSize: number): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(sinusoidalTable(length, modelSize)), [length, modelSize]); // [len, d_model]
}

/**
 * Learned position embeddings `${prefix}/position_embeddings` `[maxLength, modelSize]`, small
 * normal values (std 0.02, as GPT-2) so they start as a gentle nudge to the token embeddings.
 */
export function createLearnedPositions(
  parameters: Parameters,
  prefix: string,
  maxLength: number,
  modelSize: number,
  std = 0.02,
): tf.Variable {
  return parameters.normal(`${prefix}/position_embeddings`, maxLength, modelSize, std);
}

/**
 * Adds positions 0..len−1 of `table [max_len, d_model]` (sinusoidal or learned) to
 * `tokenEmbeddings [batch, len, d_model]` → `[batch, len, d_model]`. The same row is added to every
 * example of the batch at that position.
 */
export function addPositions(tokenEmbeddings: tf.Tensor3D, table: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [, length, modelSize] = tokenEmbeddings.shape;
    if (length > table.shape[0]) {
      throw new Error(`sequence length ${length} exceeds the position table's ${table.shape[0]} positions`);
    }
    if (modelSize !== table.shape[1]) {
      throw new Error(`embeddings are ${modelSize} wide, the position table ${table.shape[1]}`);
    }
    // The slice is skipped when the table is exactly as long: its gradient would pad back needlessly.
    const rows = length === table.shape[0] ? table : tf.slice(table, [0, 0], [length, modelSize]); // [len, d_model]
    return tf.add(tokenEmbeddings, rows) as tf.Tensor3D; // [batch, len, d_model]
  });
}
