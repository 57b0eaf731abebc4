/**
 * Chapter luong-attention: global attention of Luong et al. (2015) on a GRU encoder–decoder.
 *
 * The decoder GRU runs over all target positions at once (teacher forcing); then its current
 * state s_t at every position scores every encoder output h with the chosen function (dot s·h,
 * general sᵀWh, concat vᵀtanh(W[s; h]), src/engine/nn/luong.ts), all positions in one go:
 *   context c_t = Σ softmax(scores) h,  h̃_t = tanh(W_c [c_t; s_t]),  logits = h̃_t W_out + b.
 * Luong's input feeding (h̃_t fed to the next decoder step) is left out, as the previous chapter
 * leaves out Bahdanau's context feeding: the decoder would then have to run step by step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../../shared/course/chapter';
import { createGruDecoder, createGruEncoder, decodeTeacherForced, decoderStep, encode } from '../../nn/gruSeq2Seq';
import { linear } from '../../nn/linear';
import { attentionalHiddenState, createLuongAttention, isLuongScore, luongAttention } from '../../nn/luong';
import { matMulBias } from '../../nn/matmul';
import type { Parameters } from '../../nn/parameters';
import { createTape } from '../../nn/tape';
import type { Batch, ChapterModel, DecoderState, ForwardOutput, RunData, StepOutput } from '../contract';
import { singleHeadCrossAttention } from '../../kits/seq2seq/crossAttention';

export function createLuongAttentionModel(parameters: Parameters, hyper: Hyperparameters, data: RunData): ChapterModel {
  const embeddingSize = Number(hyper.embeddingSize);
  const hiddenSize = Number(hyper.hiddenSize);
  const score = hyper.score;
  if (!isLuongScore(score)) throw new Error(`unknown score ${String(score)}`);
  const encoder = createGruEncoder(parameters, 'encoder', data.sourceVocab.size, embeddingSize, hiddenSize);
  const decoder = createGruDecoder(parameters, 'decoder', data.targetVocab.size, embeddingSize, hiddenSize);
  const attention = createLuongAttention(
    parameters,
    'attention',
    score,
    hiddenSize,
    hiddenSize,
    Number(hyper.attentionSize),
  );
  const attentionalKernel = parameters.glorot('attentional/kernel', 2 * hiddenSize, hiddenSize) as tf.Tensor2D; // W_c [2·hidden, hidden]
  const outputKernel = parameters.glorot('output/kernel', hiddenSize, data.targetVocab.size) as tf.Tensor2D; // W_out [hidden, vocab]
  const outputBias = parameters.zeros('output/bias', [data.targetVocab.size]) as tf.Tensor1D; // [vocab]

  function forward(batch: Batch): ForwardOutput {
    const tape = createTape();
    const sourceIds = tape('source_ids', batch.inputs.source_ids as tf.Tensor2D); // [batch, source_len]
    const sourceMask = tape('source_mask', batch.inputs.source_mask as tf.Tensor2D); // [batch, source_len]
    const encoded = encode(encoder, sourceIds, sourceMask);
    tape('source_embeddings', encoded.sourceEmbeddings); // [batch, source_len, embedding]
    const encoderOutputs = tape('encoder_outputs', encoded.encoderOutputs); // [batch, source_len, hidden]
    const finalState = tape('encoder_final_state', encoded.finalState); // [batch, hidden]
    const decoderInputIds = tape('decoder_input_ids', batch.inputs.decoder_input_ids as tf.Tensor2D); // [batch, target_len]
    const decoded = decodeTeacherForced(decoder, decoderInputIds, finalState);
    tape('decoder_embeddings', decoded.decoderEmbeddings); // [batch, target_len, embedding]
    const decoderOutputs = tape('decoder_outputs', decoded.decoderOutputs); // [batch, target_len, hidden]: s_t
    const result = luongAttention(decoderOutputs, encoderOutputs, sourceMask, attention);
    tape('attention_scores', result.scores); // [batch, target_len, source_len]
    const weights = tape('attention_weights', result.weights); // [batch, target_len, source_len]
    const context = tape('context', result.context); // [batch, target_len, hidden]: c_t
    const { combined, hidden } = attentionalHiddenState(context, decoderOutputs, attentionalKernel);
    tape('context_and_decoder_output', combined); // [batch, target_len, 2·hidden]: [c_t; s_t]
    const attentional = tape('attentional_hidden', hidden as tf.Tensor3D); // [batch, target_len, hidden]: h̃_t
    const logits = tape('logits', linear(attentional, outputKernel, outputBias) as tf.Tensor3D); // [batch, target_len, vocab]
    tape('target_ids', batch.targets); // [batch, target_len]
    return {
      logits,
      named: tape.named,
      attention: [singleHeadCrossAttention(weights, sourceMask)], // [batch, heads = 1, target_len, source_len]
    };
  }

  return {
    parameters,
    forward,
    decoder: {
      start(inputs): DecoderState {
        const sourceMask = inputs.source_mask as tf.Tensor2D; // [batch, source_len]
        const { encoderOutputs, finalState } = encode(encoder, inputs.source_ids as tf.Tensor2D, sourceMask);
        return { state: finalState, encoderOutputs, sourceMask }; // [batch, hidden], [batch, source_len, hidden], [batch, source_len]
      },
      step(state, previous): StepOutput {
        const next = decoderStep(decoder, previous, state.state as tf.Tensor2D); // [batch, hidden]: s_t
        const query = tf.expandDims(next, 1) as tf.Tensor3D; // [batch, 1, hidden]
        const { weights, context } = luongAttention(
          query,
          state.encoderOutputs as tf.Tensor3D,
          state.sourceMask as tf.Tensor2D,
          attention,
        ); // [batch, 1, source_len], [batch, 1, hidden]
        const { hidden } = attentionalHiddenState(tf.squeeze(context, [1]), next, attentionalKernel); // [batch, hidden]: h̃_t
        const logits = matMulBias(hidden as tf.Tensor2D, outputKernel, outputBias); // [batch, vocab]
        return {
          logits,
          state: { ...state, state: next },
          attention: [{ kind: 'cross', stack: 'decoder', layer: 0, weights, columns: 'source' }], // weights [batch, heads = 1, source_len]
        };
      },
    },
  };
}
