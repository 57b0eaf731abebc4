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
import { additiveAttention, createAdditiveAttention, projectKeys } from '../../nn/attention';
import { createGruDecoder, createGruEncoder, decodeTeacherForced, decoderStep, encode } from '../../nn/gruSeq2Seq';
import { linear } from '../../nn/linear';
import { matMulBias } from '../../nn/matmul';
import type { Parameters } from '../../nn/parameters';
import { BOS_ID } from '../../tasks/vocab';
import type { BatchTensors, GreedyOutput, ModelSizes, Seq2SeqModel, TeacherForcedOutput } from '../types';

export function createAttentionSeq2SeqModel(parameters: Parameters, sizes: ModelSizes): Seq2SeqModel {
  const encoder = createGruEncoder(parameters, sizes.sourceVocabSize, sizes.embeddingSize, sizes.hiddenSize);
  const decoder = createGruDecoder(parameters, sizes.targetVocabSize, sizes.embeddingSize, sizes.hiddenSize);
  const attention = createAdditiveAttention(
    parameters,
    'attention',
    sizes.hiddenSize,
    sizes.hiddenSize,
    sizes.attentionSize,
  );
  const outputKernel = parameters.glorot('output/kernel', 2 * sizes.hiddenSize, sizes.targetVocabSize); // [2·hidden, vocab]
  const outputBias = parameters.zeros('output/bias', [sizes.targetVocabSize]); // [vocab]

  function teacherForced(batch: BatchTensors): TeacherForcedOutput {
    const { sourceEmbeddings, encoderOutputs, finalState } = encode(encoder, batch.sourceIds, batch.sourceMask); // [batch, source_len, hidden]
    const { decoderEmbeddings, decoderOutputs } = decodeTeacherForced(decoder, batch.decoderInputIds, finalState); // [batch, target_len, hidden]
    const keys = projectKeys(encoderOutputs, attention); // [batch, source_len, attention]
    const { scores, weights, context } = additiveAttention(
      decoderOutputs,
      keys,
      encoderOutputs,
      batch.sourceMask,
      attention,
    );
    // scores, weights [batch, target_len, source_len]; context [batch, target_len, hidden]
    const combined = tf.concat([decoderOutputs, context], 2); // [batch, target_len, 2·hidden]
    const logits = linear(combined, outputKernel as tf.Tensor2D, outputBias as tf.Tensor1D) as tf.Tensor3D; // [batch, target_len, vocab]
    return {
      logits,
      attentionWeights: weights,
      named: {
        source_ids: batch.sourceIds,
        source_mask: batch.sourceMask,
        source_embeddings: sourceEmbeddings,
        encoder_outputs: encoderOutputs,
        encoder_final_state: finalState,
        decoder_input_ids: batch.decoderInputIds,
        decoder_embeddings: decoderEmbeddings,
        decoder_outputs: decoderOutputs,
        attention_keys: keys,
        attention_scores: scores,
        attention_weights: weights,
        context,
        decoder_output_and_context: combined,
        logits,
        target_ids: batch.targetIds,
      },
    };
  }

  function greedy(sourceIds: tf.Tensor2D, sourceMask: tf.Tensor2D, steps: number): GreedyOutput {
    return tf.tidy(() => {
      const { encoderOutputs, finalState } = encode(encoder, sourceIds, sourceMask); // [batch, source_len, hidden]
      const keys = projectKeys(encoderOutputs, attention); // projected once, reused at every step
      let state = finalState; // [batch, hidden]
      let previous = tf.fill([sourceIds.shape[0]], BOS_ID, 'int32') as tf.Tensor1D; // [batch]
      const tokens: tf.Tensor1D[] = [];
      const rows: tf.Tensor2D[] = [];
      for (let step = 0; step < steps; step++) {
        state = decoderStep(decoder, previous, state); // [batch, hidden]
        const query = tf.expandDims(state, 1) as tf.Tensor3D; // [batch, 1, hidden]
        const { weights, context } = additiveAttention(query, keys, encoderOutputs, sourceMask, attention); // [batch, 1, source_len], [batch, 1, hidden]
        const combined = tf.concat([state, tf.squeeze(context, [1])], 1) as tf.Tensor2D; // [batch, 2·hidden]
        const logits = matMulBias(combined, outputKernel as tf.Tensor2D, outputBias as tf.Tensor1D); // [batch, vocab]
        previous = tf.argMax(logits, 1) as tf.Tensor1D; // [batch]
        tokens.push(previous);
        rows.push(tf.squeeze(weights, [1]) as tf.Tensor2D); // [batch, source_len]
      }
      return { tokens: tf.stack(tokens, 1) as tf.Tensor2D, attentionWeights: tf.stack(rows, 1) as tf.Tensor3D }; // [batch, steps], [batch, steps, source_len]
    });
  }

  return { parameters, teacherForced, greedy };
}
