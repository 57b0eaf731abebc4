/**
 * Autoregressive decoding over a chapter's start/step pair: one loop for greedy decoding of every
 * generative chapter (sampling and the KV cache use the same pair). No read-back inside the loop:
 * the tokens of every step are fed back as tensors and read once at the end.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Decoder, StepAttention, TokenAxis } from '../chapters/contract';
import { tidy } from '../nn/tidy';

/** The rows one attention map recorded over all steps. */
export interface DecodedAttention {
  kind: StepAttention['kind'];
  stack: StepAttention['stack'];
  layer: number;
  columns: TokenAxis;
  kvHeadOf?: number[];
  /** `[batch, heads, steps, keys]`: row t is step t's attention, right-padded with 0 to the most keys any step had. */
  weights: tf.Tensor4D;
  /** How many keys step t could see (self-attention grows by one key a step). */
  keysPerStep: number[];
}

export interface GreedyResult {
  /** `[batch, steps]` int32: the argmax token of every step (decoding continues after `<eos>`; readers cut there). */
  tokens: tf.Tensor2D;
  attention: DecodedAttention[];
}

/**
 * Greedy decoding for `steps` steps from `startId` (`<bos>`). `withAttention` also returns the
 * attention rows of every step (for the probes and "Try it"). The caller disposes the tensors.
 */
export function greedyDecode(
  decoder: Decoder,
  inputs: Record<string, tf.Tensor>,
  batchSize: number,
  steps: number,
  startId: number,
  withAttention: boolean,
): GreedyResult {
  return tidy(() => {
    let state = decoder.start(inputs);
    let previous = tf.fill([batchSize], startId, 'int32') as tf.Tensor1D; // [batch]
    const tokens: tf.Tensor1D[] = [];
    const rows: StepAttention[][] = [];
    for (let step = 0; step < steps; step++) {
      const output = decoder.step(state, previous, step);
      state = output.state;
      previous = tf.argMax(output.logits, 1) as tf.Tensor1D; // [batch]
      tokens.push(previous);
      if (withAttention) output.attention.forEach((attention, index) => (rows[index] ??= []).push(attention));
    }
    const attention = rows.map((recorded): DecodedAttention => {
      const first = recorded[0];
      const keysPerStep = recorded.map((row) => row.weights.shape[2]);
      const maxKeys = Math.max(...keysPerStep);
      const padded = recorded.map((row) =>
        tf.pad(row.weights, [
          [0, 0],
          [0, 0],
          [0, maxKeys - row.weights.shape[2]],
        ]),
      ); // [batch, heads, keys]
      const decoded: DecodedAttention = {
        kind: first.kind,
        stack: first.stack,
        layer: first.layer,
        columns: first.columns,
        weights: tf.stack(padded, 2) as tf.Tensor4D, // [batch, heads, steps, keys]
        keysPerStep,
      };
      if (first.kvHeadOf) decoded.kvHeadOf = first.kvHeadOf;
      return decoded;
    });
    return { tokens: tf.stack(tokens, 1) as tf.Tensor2D, attention }; // tokens [batch, steps]
  });
}
