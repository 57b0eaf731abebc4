/**
 * Chapter multi-head-attention: one multi-head self-attention layer, encoder only, one output per
 * position (Vaswani et al. 2017, §3.2.2):
 *
 *   x = token embedding + position                    [batch, len, d_model]
 *   Q, K, V of all h heads = x W_qkv                   (ONE matmul: [Q heads | K heads | V heads])
 *   split into heads                                  [batch, heads, len, d_k],  d_k = d_model / h
 *   head_j = softmax(Q_j K_jᵀ / √d_k) V_j              (all heads in one batched matmul; padding keys masked)
 *   concat(head_1 … head_h) W_O                        [batch, len, d_model]
 *   logits = (…) W_out                                 [batch, len, outputs]
 *
 * The building blocks are those of src/engine/nn/multiHeadAttention.ts (the Transformer chapters
 * use the same ones); this file spells out the steps so each intermediate tensor is named and
 * shown. As in the self-attention chapter there is no residual connection and no feed-forward
 * layer: the output at a position is only what its heads retrieved. (W_O followed by the output
 * layer are two linear maps in a row, which one could merge; W_O is kept because it is the layer
 * that mixes the heads in every Transformer, where a residual and a feed-forward layer follow.)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../../shared/course/chapter';
import { embed } from '../../nn/embedding';
import { linear } from '../../nn/linear';
import { attendHeads, createSelfAttention, mergeHeads, splitFusedHeads } from '../../nn/multiHeadAttention';
import type { Parameters } from '../../nn/parameters';
import { addPositions, createLearnedPositions, sinusoidalPositions } from '../../nn/positions';
import { createTape } from '../../nn/tape';
import type { Batch, ChapterModel, ForwardOutput, RunData } from '../contract';

/**
 * Standard deviation of the learned positions at initialisation. The token embeddings start at
 * std 1; at the building block's default 0.02 (GPT-2's) the positions are 50 times smaller, the
 * first maps follow the digits alone, and four heads took 6 to 13 epochs to find the neighbours
 * on `difference` (measured: learning rate 0.01, seeds 1–5). At 0.3 (learning rate 0.005) they
 * took 3 to 5 (seeds 1, 2, 3, 42), and the maps at initialisation stay nearly as alike (mean
 * divergence between heads 0.12–0.15, against 0.10–0.14 at 0.02 and about 0.32 at std 1).
 */
export const POSITION_STD = 0.3;

export function createMultiHeadModel(parameters: Parameters, hyper: Hyperparameters, data: RunData): ChapterModel {
  const modelSize = Number(hyper.dModel);
  const heads = Number(hyper.heads);
  const length = Number(hyper.length);
  const vocab = data.sourceVocab.size;
  const outputs = data.targetVocab.size;
  const embeddings = parameters.normal('embeddings', vocab, modelSize, 1) as tf.Tensor2D; // [vocab, d_model]
  const learned =
    hyper.positions === 'learned'
      ? (createLearnedPositions(parameters, 'positions', length, modelSize, POSITION_STD) as tf.Tensor2D)
      : null; // [len, d_model]
  // attention/qkv_kernel [d_model, 3·d_model] and its bias; attention/output_kernel (W_O) [d_model, d_model] and its bias.
  const attention = createSelfAttention(parameters, 'attention', { modelSize, heads }); // throws unless h divides d_model
  const { headSize } = attention; // d_k = d_model / h
  const outputKernel = parameters.glorot('output/kernel', modelSize, outputs) as tf.Tensor2D; // [d_model, outputs]
  const outputBias = parameters.zeros('output/bias', [outputs]) as tf.Tensor1D; // [outputs]

  function forward(batch: Batch): ForwardOutput {
    const tape = createTape();
    const sourceIds = tape('source_ids', batch.inputs.source_ids as tf.Tensor2D); // [batch, len]
    const sourceMask = batch.inputs.source_mask as tf.Tensor2D; // [batch, len]: 1 = token, 0 = padding
    const [batchSize, sequenceLength] = sourceIds.shape;
    const tokenEmbeddings = tape('token_embeddings', embed(sourceIds, embeddings)); // [batch, len, d_model]
    // The sinusoidal table is a constant (nothing to learn), rebuilt here: a few hundred sines.
    const table = learned ?? (hyper.positions === 'sinusoidal' ? sinusoidalPositions(length, modelSize) : null); // [len, d_model]
    const inputs = tape('attention_inputs', table ? addPositions(tokenEmbeddings, table) : tokenEmbeddings); // [batch, len, d_model]
    // Q, K and V of every head in one matmul: columns [Q head 1 … Q head h | K heads | V heads].
    const qkv = tape(
      'qkv',
      linear(inputs, attention.qkvKernel as tf.Tensor2D, attention.qkvBias as tf.Tensor1D) as tf.Tensor3D,
    ); // [batch, len, 3·d_model]
    // Reshape to [batch, len, 3·heads, d_k], move the head axis forward, cut into Q, K, V.
    const [q, k, v] = splitFusedHeads(qkv, [heads, heads, heads], headSize); // [batch, heads, len, d_k] each
    const queries = tape('queries', q); // [batch, heads, len, d_k]
    const keys = tape('keys', k); // [batch, heads, len, d_k]
    const values = tape('values', v); // [batch, heads, len, d_k]
    const keep = tf.reshape(sourceMask, [batchSize, 1, 1, sequenceLength]); // [batch, 1, 1, keys]: no head attends to padding
    // Heads folded into the batch ([batch·heads, len, d_k]) for one batched matmul, then unfolded.
    const attended = attendHeads(queries, keys, values, { keep }); // scaled by √d_k
    tape('attention_scores', attended.scores); // [batch, heads, queries, keys]: Q_j K_jᵀ / √d_k
    const weights = tape('attention_weights', attended.weights); // [batch, heads, queries, keys]
    const headOutputs = tape('head_outputs', attended.context); // [batch, heads, len, d_k]
    // Concatenation: transpose to [batch, len, heads, d_k], reshape to [batch, len, heads·d_k].
    const concatenated = tape('concatenated_heads', mergeHeads(headOutputs)); // [batch, len, d_model]
    const attentionOutput = tape(
      'attention_output',
      linear(concatenated, attention.outputKernel as tf.Tensor2D, attention.outputBias as tf.Tensor1D) as tf.Tensor3D,
    ); // [batch, len, d_model]
    const logits = tape('logits', linear(attentionOutput, outputKernel, outputBias) as tf.Tensor3D); // [batch, len, outputs]
    tape('target_ids', batch.targets); // [batch, len]
    return {
      logits,
      named: tape.named,
      attention: [
        {
          kind: 'self',
          stack: 'encoder',
          layer: 0,
          weights, // [batch, heads, queries, keys]
          keep: tf.reshape(sourceMask, [batchSize, 1, 1, sequenceLength]), // [batch, 1, 1, keys]
          rows: 'source',
          columns: 'source',
        },
      ],
    };
  }

  return { parameters, forward };
}
