/**
 * The GRU encoder and decoder shared by the seq2seq and attention-seq2seq chapters.
 */
import * as tf from '@tensorflow/tfjs-core';
import { embed, embedStep } from './embedding';
import { createGru, gruStep, projectGruInputs, runGru, stateAtLastToken, type GruWeights } from './gru';
import type { Parameters } from './parameters';

export interface GruEncoder {
  embeddings: tf.Variable; // [source_vocab, embedding]
  gru: GruWeights;
}

export interface GruDecoder {
  embeddings: tf.Variable; // [target_vocab, embedding]
  gru: GruWeights;
}

/** `prefix` names the weights (`<prefix>/embeddings`, `<prefix>/gru/…`), e.g. `'encoder'`. */
export function createGruEncoder(
  parameters: Parameters,
  prefix: string,
  vocabSize: number,
  embeddingSize: number,
  hiddenSize: number,
): GruEncoder {
  return {
    embeddings: parameters.normal(`${prefix}/embeddings`, vocabSize, embeddingSize, 0.1),
    gru: createGru(parameters, `${prefix}/gru`, embeddingSize, hiddenSize),
  };
}

/** `prefix` names the weights (`<prefix>/embeddings`, `<prefix>/gru/…`), e.g. `'decoder'`. */
export function createGruDecoder(
  parameters: Parameters,
  prefix: string,
  vocabSize: number,
  embeddingSize: number,
  hiddenSize: number,
): GruDecoder {
  return {
    embeddings: parameters.normal(`${prefix}/embeddings`, vocabSize, embeddingSize, 0.1),
    gru: createGru(parameters, `${prefix}/gru`, embeddingSize, hiddenSize),
  };
}

/**
 * Reads the source. `sourceIds [batch, source_len]`, `sourceMask [batch, source_len]` →
 * `sourceEmbeddings [batch, source_len, embedding]`, `encoderOutputs [batch, source_len, hidden]`
 * (one vector per source position) and `finalState [batch, hidden]` (the state after the last real token).
 */
export function encode(encoder: GruEncoder, sourceIds: tf.Tensor2D, sourceMask: tf.Tensor2D) {
  return tf.tidy(() => {
    const sourceEmbeddings = embed(sourceIds, encoder.embeddings as tf.Tensor2D); // [batch, source_len, embedding]
    const initialState = tf.zeros([sourceIds.shape[0], encoder.gru.hiddenSize]) as tf.Tensor2D; // [batch, hidden]
    const outputs = runGru(sourceEmbeddings, initialState, encoder.gru); // [batch, source_len, hidden]
    const finalState = stateAtLastToken(outputs, sourceMask); // [batch, hidden]
    return { sourceEmbeddings, encoderOutputs: outputs, finalState };
  });
}

/**
 * Teacher forcing: runs the decoder over every target position at once, its inputs being `<bos>`
 * followed by the true target tokens. `decoderInputIds [batch, target_len]`, `initialState
 * [batch, hidden]` → `decoderEmbeddings [batch, target_len, embedding]`, `decoderOutputs [batch, target_len, hidden]`.
 */
export function decodeTeacherForced(decoder: GruDecoder, decoderInputIds: tf.Tensor2D, initialState: tf.Tensor2D) {
  return tf.tidy(() => {
    const decoderEmbeddings = embed(decoderInputIds, decoder.embeddings as tf.Tensor2D); // [batch, target_len, embedding]
    const outputs = runGru(decoderEmbeddings, initialState, decoder.gru); // [batch, target_len, hidden]
    return { decoderEmbeddings, decoderOutputs: outputs }; // [batch, target_len, hidden]
  });
}

/** One decoding step: `previousIds [batch]` (int32), `state [batch, hidden]` → new state `[batch, hidden]`. */
export function decoderStep(decoder: GruDecoder, previousIds: tf.Tensor1D, state: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const input = tf.expandDims(embedStep(previousIds, decoder.embeddings as tf.Tensor2D), 1) as tf.Tensor3D; // [batch, 1, embedding]
    const { gates, candidates } = projectGruInputs(input, decoder.gru); // [batch, 1, 2·hidden], [batch, 1, hidden]
    return gruStep(
      tf.squeeze(gates, [1]) as tf.Tensor2D,
      tf.squeeze(candidates, [1]) as tf.Tensor2D,
      state,
      decoder.gru,
    ); // [batch, hidden]
  });
}
