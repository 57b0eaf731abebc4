/**
 * The sliding window of a decoder-only model's KV cache (mini-gpt, modern-attention): the first
 * step reads the prompt's last context − 1 tokens; a step on a full window first reads the window
 * again without its oldest token, so positions stay inside the context the model was trained on.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DecoderState } from '../../chapters/contract';

/** Reads `ids [batch, t]` (the tokens of the window) into a fresh cache. */
export type ReadWindow = (ids: tf.Tensor2D) => DecoderState;

/** The cache before the first step: the last context − 1 tokens of `ids [batch, t]` read. */
export function startWindow(ids: tf.Tensor2D, context: number, readWindow: ReadWindow): DecoderState {
  const [batchSize, length] = ids.shape;
  const kept = Math.min(length, context - 1);
  return tf.tidy(() => readWindow(tf.slice(ids, [0, length - kept], [batchSize, kept]) as tf.Tensor2D)); // [batch, kept]
}

/** The cache a step feeds its token after: `state` itself, or, on a full window, the window read again without its oldest token. */
export function slideWindow(state: DecoderState, context: number, readWindow: ReadWindow): DecoderState {
  const ids = state.token_ids as tf.Tensor2D; // [batch, t]
  const cached = ids.shape[1];
  if (cached < context) return state;
  return readWindow(tf.slice(ids, [0, cached - (context - 1)], [ids.shape[0], context - 1]) as tf.Tensor2D); // [batch, context − 1]
}
