/**
 * Chapter seq2seq: the bottleneck. The encoder reads the whole source, but only its final hidden
 * state reaches the decoder, which must unfold the answer from that one vector.
 */
import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../../nn/linear';
import { matMulBias } from '../../nn/matmul';
import type { Parameters } from '../../nn/parameters';
import { createGruDecoder, createGruEncoder, decodeTeacherForced, decoderStep, encode } from '../../nn/gruSeq2Seq';
import { BOS_ID } from '../../tasks/vocab';
import type { BatchTensors, GreedyOutput, ModelSizes, Seq2SeqModel, TeacherForcedOutput } from '../types';

export function createSeq2SeqModel(parameters: Parameters, sizes: ModelSizes): Seq2SeqModel {
  const encoder = createGruEncoder(parameters, sizes.sourceVocabSize, sizes.embeddingSize, sizes.hiddenSize);
  const decoder = createGruDecoder(parameters, sizes.targetVocabSize, sizes.embeddingSize, sizes.hiddenSize);
  const outputKernel = parameters.glorot('output/kernel', sizes.hiddenSize, sizes.targetVocabSize); // [hidden, vocab]
  const outputBias = parameters.zeros('output/bias', [sizes.targetVocabSize]); // [vocab]

  function teacherForced(batch: BatchTensors): TeacherForcedOutput {
    const { sourceEmbeddings, encoderOutputs, finalState } = encode(encoder, batch.sourceIds, batch.sourceMask);
    // The bottleneck: the decoder starts from finalState and never sees encoderOutputs again.
    const { decoderEmbeddings, decoderOutputs } = decodeTeacherForced(decoder, batch.decoderInputIds, finalState); // [batch, target_len, hidden]
    const logits = linear(decoderOutputs, outputKernel as tf.Tensor2D, outputBias as tf.Tensor1D) as tf.Tensor3D; // [batch, target_len, vocab]
    return {
      logits,
      attentionWeights: null,
      named: {
        source_ids: batch.sourceIds,
        source_embeddings: sourceEmbeddings,
        encoder_outputs: encoderOutputs,
        encoder_final_state: finalState,
        decoder_input_ids: batch.decoderInputIds,
        decoder_embeddings: decoderEmbeddings,
        decoder_outputs: decoderOutputs,
        logits,
        target_ids: batch.targetIds,
      },
    };
  }

  function greedy(sourceIds: tf.Tensor2D, sourceMask: tf.Tensor2D, steps: number): GreedyOutput {
    const tokens = tf.tidy(() => {
      const { finalState } = encode(encoder, sourceIds, sourceMask);
      let state = finalState; // [batch, hidden]
      let previous = tf.fill([sourceIds.shape[0]], BOS_ID, 'int32') as tf.Tensor1D; // [batch]
      const tokens: tf.Tensor1D[] = [];
      for (let step = 0; step < steps; step++) {
        state = decoderStep(decoder, previous, state); // [batch, hidden]
        const logits = matMulBias(state, outputKernel as tf.Tensor2D, outputBias as tf.Tensor1D); // [batch, vocab]
        previous = tf.argMax(logits, 1) as tf.Tensor1D; // [batch]
        tokens.push(previous);
      }
      return tf.stack(tokens, 1) as tf.Tensor2D; // [batch, steps]
    });
    return { tokens, attentionWeights: null };
  }

  return { parameters, teacherForced, greedy };
}
