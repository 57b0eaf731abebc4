/**
 * The one attention map of a GRU encoder–decoder (attention-seq2seq, luong-attention): decoder
 * queries over the encoder's outputs, one head, padded source positions masked.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionOutput } from '../../chapters/contract';

/** `weights [batch, target_len, source_len]` and `sourceMask [batch, source_len]` as the forward pass's cross-attention map. */
export function singleHeadCrossAttention(weights: tf.Tensor3D, sourceMask: tf.Tensor2D): AttentionOutput {
  return {
    kind: 'cross',
    stack: 'decoder',
    layer: 0,
    weights: tf.expandDims(weights, 1) as tf.Tensor4D, // [batch, heads = 1, target_len, source_len]
    keep: tf.reshape(sourceMask, [sourceMask.shape[0], 1, 1, sourceMask.shape[1]]), // [batch, 1, 1, source_len]
    rows: 'target',
    columns: 'source',
  };
}
