/**
 * Chapter seq2seq: the bottleneck. The encoder reads the whole source, but only its final hidden
 * state reaches the decoder, which must unfold the answer from that one vector.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../../shared/course/chapter';
import { createGruDecoder, createGruEncoder, decodeTeacherForced, decoderStep, encode } from '../../nn/gruSeq2Seq';
import { linear } from '../../nn/linear';
import { matMulBias } from '../../nn/matmul';
import type { Parameters } from '../../nn/parameters';
import { createTape } from '../../nn/tape';
import type { Batch, ChapterModel, DecoderState, ForwardOutput, RunData, StepOutput } from '../contract';

export function createSeq2SeqModel(parameters: Parameters, hyper: Hyperparameters, data: RunData): ChapterModel {
  const embeddingSize = Number(hyper.embeddingSize);
  const hiddenSize = Number(hyper.hiddenSize);
  const encoder = createGruEncoder(parameters, 'encoder', data.sourceVocab.size, embeddingSize, hiddenSize);
  const decoder = createGruDecoder(parameters, 'decoder', data.targetVocab.size, embeddingSize, hiddenSize);
  const outputKernel = parameters.glorot('output/kernel', hiddenSize, data.targetVocab.size) as tf.Tensor2D; // [hidden, vocab]
  const outputBias = parameters.zeros('output/bias', [data.targetVocab.size]) as tf.Tensor1D; // [vocab]

  function forward(batch: Batch): ForwardOutput {
    const tape = createTape();
    const sourceIds = tape('source_ids', batch.inputs.source_ids as tf.Tensor2D); // [batch, source_len]
    const encoded = encode(encoder, sourceIds, batch.inputs.source_mask as tf.Tensor2D);
    tape('source_embeddings', encoded.sourceEmbeddings); // [batch, source_len, embedding]
    tape('encoder_outputs', encoded.encoderOutputs); // [batch, source_len, hidden]
    // The bottleneck: the decoder starts from the final state and never sees encoder_outputs again.
    const finalState = tape('encoder_final_state', encoded.finalState); // [batch, hidden]
    const decoderInputIds = tape('decoder_input_ids', batch.inputs.decoder_input_ids as tf.Tensor2D); // [batch, target_len]
    const decoded = decodeTeacherForced(decoder, decoderInputIds, finalState);
    tape('decoder_embeddings', decoded.decoderEmbeddings); // [batch, target_len, embedding]
    const decoderOutputs = tape('decoder_outputs', decoded.decoderOutputs); // [batch, target_len, hidden]
    const logits = tape('logits', linear(decoderOutputs, outputKernel, outputBias) as tf.Tensor3D); // [batch, target_len, vocab]
    tape('target_ids', batch.targets); // [batch, target_len]
    return { logits, named: tape.named, attention: [] };
  }

  return {
    parameters,
    forward,
    decoder: {
      start(inputs): DecoderState {
        const { finalState } = encode(encoder, inputs.source_ids as tf.Tensor2D, inputs.source_mask as tf.Tensor2D);
        return { state: finalState }; // [batch, hidden]
      },
      step(state, previous): StepOutput {
        const next = decoderStep(decoder, previous, state.state as tf.Tensor2D); // [batch, hidden]
        const logits = matMulBias(next, outputKernel, outputBias); // [batch, vocab]
        return { logits, state: { state: next }, attention: [] };
      },
    },
  };
}
