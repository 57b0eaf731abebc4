/**
 * Chapter self-attention: one scaled dot-product self-attention layer, single head, encoder only,
 * one output per position:
 *
 *   x = token embedding + position            [batch, len, d_model]
 *   Q, K, V = x W_q, x W_k, x W_v              (one fused matmul)
 *   weights = softmax(Q Kᵀ / √d_k)             (padding keys masked; unscaled variant: no √d_k)
 *   logits  = (weights V) W_out                [batch, len, vocab]
 *
 * There is no residual connection: the output at a position is only what its attention retrieved,
 * so `copy` must look at its own position (the diagonal) and `reverse` at the mirrored one (the
 * anti-diagonal). Without positions, every position with the same token asks the same question:
 * self-attention alone cannot tell "我 爱 你" from "你 爱 我", and `reverse` fails.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../../shared/course/chapter';
import { embed } from '../../nn/embedding';
import { linear } from '../../nn/linear';
import { matMul } from '../../nn/matmul';
import { maskedSoftmax } from '../../nn/masks';
import type { Parameters } from '../../nn/parameters';
import { addPositions, createLearnedPositions, sinusoidalPositions } from '../../nn/positions';
import { createTape } from '../../nn/tape';
import type { Batch, ChapterModel, ForwardOutput, RunData } from '../contract';

export function createSelfAttentionModel(parameters: Parameters, hyper: Hyperparameters, data: RunData): ChapterModel {
  const modelSize = Number(hyper.dModel);
  const length = Number(hyper.length);
  const scaled = hyper.scaled === true;
  const vocab = data.sourceVocab.size;
  const embeddings = parameters.normal('embeddings', vocab, modelSize, 1) as tf.Tensor2D; // [vocab, d_model]
  const learned =
    hyper.positions === 'learned'
      ? (createLearnedPositions(parameters, 'positions', length, modelSize) as tf.Tensor2D)
      : null; // [len, d_model]
  const qkvKernel = parameters.glorot('attention/qkv_kernel', modelSize, 3 * modelSize) as tf.Tensor2D; // [d_model, 3·d_model]
  const qkvBias = parameters.zeros('attention/qkv_bias', [3 * modelSize]) as tf.Tensor1D; // [3·d_model]
  const outputKernel = parameters.glorot('output/kernel', modelSize, vocab) as tf.Tensor2D; // [d_model, vocab]
  const outputBias = parameters.zeros('output/bias', [vocab]) as tf.Tensor1D; // [vocab]

  function forward(batch: Batch): ForwardOutput {
    const tape = createTape();
    const sourceIds = tape('source_ids', batch.inputs.source_ids as tf.Tensor2D); // [batch, len]
    const sourceMask = batch.inputs.source_mask as tf.Tensor2D; // [batch, len]: 1 = token, 0 = padding
    const [batchSize, sequenceLength] = sourceIds.shape;
    const tokenEmbeddings = tape('token_embeddings', embed(sourceIds, embeddings)); // [batch, len, d_model]
    // The sinusoidal table is a constant (nothing to learn), rebuilt here: a few hundred sines.
    const table = learned ?? (hyper.positions === 'sinusoidal' ? sinusoidalPositions(length, modelSize) : null); // [len, d_model]
    const inputs = tape('attention_inputs', table ? addPositions(tokenEmbeddings, table) : tokenEmbeddings); // [batch, len, d_model]
    const qkv = linear(inputs, qkvKernel, qkvBias) as tf.Tensor3D; // [batch, len, 3·d_model]
    const [q, k, v] = tf.split(qkv, 3, 2) as tf.Tensor3D[];
    const queries = tape('queries', q); // [batch, len, d_k]
    const keys = tape('keys', k); // [batch, len, d_k]
    const values = tape('values', v); // [batch, len, d_v]
    const dotProducts = matMul(queries, tf.transpose(keys, [0, 2, 1])) as tf.Tensor3D; // [batch, queries, keys]
    const scores = tape(
      'attention_scores',
      scaled ? (tf.div(dotProducts, Math.sqrt(modelSize)) as tf.Tensor3D) : dotProducts,
    ); // [batch, queries, keys]
    const keep = tf.reshape(sourceMask, [batchSize, 1, sequenceLength]); // [batch, 1, keys]: padding keys are never attended
    const weights = tape('attention_weights', maskedSoftmax(scores, keep) as tf.Tensor3D); // [batch, queries, keys]
    const context = tape('context', matMul(weights, values) as tf.Tensor3D); // [batch, len, d_v]
    const logits = tape('logits', linear(context, outputKernel, outputBias) as tf.Tensor3D); // [batch, len, vocab]
    tape('target_ids', batch.targets); // [batch, len]
    return {
      logits,
      named: tape.named,
      attention: [
        {
          kind: 'self',
          stack: 'encoder',
          layer: 0,
          weights: tf.expandDims(weights, 1) as tf.Tensor4D, // [batch, heads = 1, queries, keys]
          keep: tf.reshape(sourceMask, [batchSize, 1, 1, sequenceLength]), // [batch, 1, 1, keys]
          rows: 'source',
          columns: 'source',
        },
      ],
    };
  }

  return { parameters, forward };
}
