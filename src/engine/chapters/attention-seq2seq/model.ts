/**
 * Chapter attention-seq2seq: additive (Bahdanau-style) attention over the encoder outputs.
 *
 * As in the course material, the decoder GRU first runs over all target positions (teacher
 * forcing), then every decoder output attends over every encoder output at once:
 *   query = decoder_output (projected), key = encoder_output (projected), value = encoder_output;
 *   context = attention_weights @ encoder_outputs; logits = Linear([decoder_output, context]).
 * This simplifies Bahdanau et al. (2015), where the context also feeds the next decoder step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../../shared/course/chapter';
import { additiveAttention, createAdditiveAttention, projectKeys } from '../../nn/attention';
import { createGruDecoder, createGruEncoder, decodeTeacherForced, decoderStep, encode } from '../../nn/gruSeq2Seq';
import { linear } from '../../nn/linear';
import { matMulBias } from '../../nn/matmul';
import type { Parameters } from '../../nn/parameters';
import { createTape } from '../../nn/tape';
import type { Batch, ChapterModel, DecoderState, ForwardOutput, RunData, StepOutput } from '../contract';
import { singleHeadCrossAttention } from '../../kits/seq2seq/crossAttention';

export function createAttentionSeq2SeqModel(
  parameters: Parameters,
  hyper: Hyperparameters,
  data: RunData,
): ChapterModel {
  const embeddingSize = Number(hyper.embeddingSize);
  const hiddenSize = Number(hyper.hiddenSize);
  const encoder = createGruEncoder(parameters, 'encoder', data.sourceVocab.size, embeddingSize, hiddenSize);
  const decoder = createGruDecoder(parameters, 'decoder', data.targetVocab.size, embeddingSize, hiddenSize);
  const attention = createAdditiveAttention(
    parameters,
    'attention',
    hiddenSize,
    hiddenSize,
    Number(hyper.attentionSize),
  );
  const outputKernel = parameters.glorot('output/kernel', 2 * hiddenSize, data.targetVocab.size) as tf.Tensor2D; // [2·hidden, vocab]
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
    const decoderOutputs = tape('decoder_outputs', decoded.decoderOutputs); // [batch, target_len, hidden]
    const keys = tape('attention_keys', projectKeys(encoderOutputs, attention)); // [batch, source_len, attention]
    const result = additiveAttention(decoderOutputs, keys, encoderOutputs, sourceMask, attention);
    tape('attention_scores', result.scores); // [batch, target_len, source_len]
    const weights = tape('attention_weights', result.weights); // [batch, target_len, source_len]
    const context = tape('context', result.context); // [batch, target_len, hidden]
    const combined = tape('decoder_output_and_context', tf.concat([decoderOutputs, context], 2)); // [batch, target_len, 2·hidden]
    const logits = tape('logits', linear(combined, outputKernel, outputBias) as tf.Tensor3D); // [batch, target_len, vocab]
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
        const keys = projectKeys(encoderOutputs, attention); // projected once, reused at every step
        return { state: finalState, encoderOutputs, keys, sourceMask };
      },
      step(state, previous): StepOutput {
        const next = decoderStep(decoder, previous, state.state as tf.Tensor2D); // [batch, hidden]
        const query = tf.expandDims(next, 1) as tf.Tensor3D; // [batch, 1, hidden]
        const { weights, context } = additiveAttention(
          query,
          state.keys as tf.Tensor3D,
          state.encoderOutputs as tf.Tensor3D,
          state.sourceMask as tf.Tensor2D,
          attention,
        ); // [batch, 1, source_len], [batch, 1, hidden]
        const combined = tf.concat([next, tf.squeeze(context, [1])], 1) as tf.Tensor2D; // [batch, 2·hidden]
        const logits = matMulBias(combined, outputKernel, outputBias); // [batch, vocab]
        return {
          logits,
          state: { ...state, state: next },
          attention: [{ kind: 'cross', stack: 'decoder', layer: 0, weights, columns: 'source' }], // weights [batch, heads = 1, source_len]
        };
      },
    },
  };
}
