/**
 * Chapter mini-gpt: a decoder-only Transformer (GPT) that predicts the next character.
 *
 *   x = token embedding + position embedding              [batch, len, d_model]
 *   for each of N blocks (pre-LN, as GPT-2):
 *     x = x + dropout(CausalSelfAttention(LN₁(x)))       every position sees itself and the past
 *     x = x + dropout(FFN(LN₂(x)))                       GELU, 4·d_model wide
 *   logits = LN_f(x) · W_out                              [batch, len, vocab]
 *
 * W_out is the token embedding table transposed when the weights are tied (GPT-2, nanoGPT): the
 * same vector says "this token" on the way in and scores it on the way out.
 *
 * Generation (`decoder`) keeps every layer's keys and values (the KV cache): `start` reads the
 * prompt once, each `step` computes only the new token's query, key and value and attends to the
 * cache, so the t-th token costs O(t) instead of a whole forward pass over t tokens. Positions are
 * learned and there are only `context` of them: when the window is full the oldest token drops out
 * and the window is read again (as nanoGPT's generate crops it), so beyond the context the cache
 * saves nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../../shared/course/chapter';
import { dropout, dropoutSeed } from '../../nn/dropout';
import { createFeedForward, feedForward, type FeedForwardWeights } from '../../nn/feedForward';
import { createLayerNorm, layerNorm, type LayerNormWeights } from '../../nn/layerNorm';
import { createSelfAttention, type SelfAttentionWeights } from '../../nn/multiHeadAttention';
import type { Parameters } from '../../nn/parameters';
import { createLearnedPositions } from '../../nn/positions';
import { createTape } from '../../nn/tape';
import { tidy } from '../../nn/tidy';
import type {
  AttentionOutput,
  Batch,
  ChapterModel,
  Decoder,
  DecoderState,
  ForwardContext,
  ForwardOutput,
  RunData,
  StepAttention,
  StepOutput,
} from '../contract';
import { matMul } from '../../nn/matmul';
import { cachedSelfAttention, causalBand, causalKeep, causalSelfAttention, type WindowAttention } from './attention';
import { embedRows } from './ops';
import { slideWindow, startWindow } from '../../kits/languageModel/window';

export interface MiniGptConfig {
  vocabSize: number;
  /** Positions the model has: the longest window it reads. */
  context: number;
  layers: number;
  heads: number;
  modelSize: number;
  dropout: number;
  tieWeights: boolean;
}

export function configOf(hyper: Hyperparameters, vocabSize: number): MiniGptConfig {
  return {
    vocabSize,
    context: Number(hyper.context),
    layers: Number(hyper.layers),
    heads: Number(hyper.heads),
    modelSize: Number(hyper.dModel),
    dropout: Number(hyper.dropout),
    tieWeights: hyper.tieWeights === true,
  };
}

/**
 * The operations the training forward pass is built from. The chapter uses DEFAULT_FORMULATION;
 * formulations.ts holds the alternatives docs/performance-mini-gpt.md measured against it.
 */
export interface Formulation {
  attention: (x: tf.Tensor3D, w: SelfAttentionWeights, band: tf.Tensor2D) => WindowAttention;
  feedForward: (x: tf.Tensor3D, w: FeedForwardWeights) => tf.Tensor3D;
  /** `table [vocab, d_model]`, `ids [...]` → `[..., d_model]`. */
  embed: (table: tf.Tensor2D, ids: tf.Tensor) => tf.Tensor;
  /** 2-D product `[rows, d_model]·[d_model, vocab]` of the output layer. */
  product: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
}

/** The position-wise FFN of a block: nn/feedForward with GELU. */
function geluFeedForward<T extends tf.Tensor>(x: T, w: FeedForwardWeights): T {
  return feedForward(x, w, { activation: 'gelu' });
}

export const DEFAULT_FORMULATION: Formulation = {
  attention: causalSelfAttention,
  feedForward: geluFeedForward,
  embed: embedRows,
  product: matMul,
};

interface Block {
  norm1: LayerNormWeights;
  attention: SelfAttentionWeights;
  norm2: LayerNormWeights;
  ffn: FeedForwardWeights;
}

/** The model's view of one chapter's parameters; built by createMiniGpt. */
export interface MiniGpt extends ChapterModel {
  readonly config: MiniGptConfig;
  decoder: Decoder;
}

/** `x [..., d_model]` · W_out → `[..., vocab]`: the tied embedding table transposed, or the head's own kernel. */
function outputScores(
  x: tf.Tensor2D,
  tokenTable: tf.Tensor2D,
  head: tf.Tensor2D | null,
  product: Formulation['product'] = matMul,
): tf.Tensor2D {
  // An explicit transpose and a plain matmul: wasm's matmul with a transposed operand is 5–15× slower.
  return product(x, head ?? tf.transpose(tokenTable)); // [rows, vocab]
}

export function createMiniGpt(
  parameters: Parameters,
  config: MiniGptConfig,
  formulation: Formulation = DEFAULT_FORMULATION,
): MiniGpt {
  const { vocabSize, context, layers, heads, modelSize } = config;
  if (modelSize % heads !== 0) throw new Error(`d_model ${modelSize} must split into ${heads} equal heads`);
  const tokenTable = parameters.normal('embeddings', vocabSize, modelSize, 0.02) as tf.Tensor2D; // [vocab, d_model]
  const positionTable = createLearnedPositions(parameters, 'positions', context, modelSize) as tf.Tensor2D; // [context, d_model]
  const blocks: Block[] = [];
  for (let n = 0; n < layers; n++) {
    blocks.push({
      norm1: createLayerNorm(parameters, `layer${n}/ln1`, modelSize),
      attention: createSelfAttention(parameters, `layer${n}/attention`, { modelSize, heads }),
      norm2: createLayerNorm(parameters, `layer${n}/ln2`, modelSize),
      ffn: createFeedForward(parameters, `layer${n}/ffn`, modelSize, 4 * modelSize),
    });
  }
  const finalNorm = createLayerNorm(parameters, 'final_ln', modelSize);
  const head = config.tieWeights ? null : (parameters.normal('head/kernel', modelSize, vocabSize, 0.02) as tf.Tensor2D); // [d_model, vocab]

  function forward(batch: Batch, { training, seed }: ForwardContext): ForwardOutput {
    const tape = createTape();
    const tokenIds = tape('token_ids', batch.inputs.token_ids as tf.Tensor2D); // [batch, len]
    const [batchSize, length] = tokenIds.shape;
    if (length > context) throw new Error(`the window has ${length} tokens; the model has ${context} positions`);
    const band = causalBand(length); // [1, len·len]: 0 or −1e9, a constant
    const keep = causalKeep(length); // [1, 1, len, len]: the maps' keep mask
    const drop = (x: tf.Tensor3D, site: number) =>
      dropout(x, { rate: config.dropout, training, seed: dropoutSeed(seed, site) });
    const tokens = tape('token_embeddings', formulation.embed(tokenTable, tokenIds) as tf.Tensor3D); // [batch, len, d_model]
    const positions = length === context ? positionTable : tf.slice(positionTable, [0, 0], [length, modelSize]); // [len, d_model]
    let x = tape('block_inputs', drop(tf.add(tokens, positions) as tf.Tensor3D, 0)); // [batch, len, d_model]
    const attention: AttentionOutput[] = [];
    blocks.forEach((block, n) => {
      const attended = formulation.attention(layerNorm(x, block.norm1), block.attention, band);
      tape(`layer${n}/queries`, attended.queries); // [batch, heads, len, d_head]
      tape(`layer${n}/attention_weights`, attended.weights); // [batch, heads, queries, keys]
      x = tf.add(x, drop(attended.output, 2 * n + 1)) as tf.Tensor3D; // [batch, len, d_model]
      const fed = formulation.feedForward(layerNorm(x, block.norm2), block.ffn); // [batch, len, d_model]
      x = tape(`layer${n}/output`, tf.add(x, drop(fed, 2 * n + 2)) as tf.Tensor3D); // [batch, len, d_model]
      attention.push({
        kind: 'causal-self',
        stack: 'decoder',
        layer: n,
        weights: attended.weights,
        keep,
        rows: 'source',
        columns: 'source',
      });
    });
    const normed = tape('final_hidden', layerNorm(x, finalNorm)); // [batch, len, d_model]
    const flat = tf.reshape(normed, [batchSize * length, modelSize]) as tf.Tensor2D; // [batch·len, d_model]
    const logits = tape(
      'logits',
      tf.reshape(outputScores(flat, tokenTable, head, formulation.product), [
        batchSize,
        length,
        vocabSize,
      ]) as tf.Tensor3D,
    ); // [batch, len, vocab]
    tape('target_ids', batch.targets); // [batch, len]
    return { logits, named: tape.named, attention };
  }

  /** The keys and values of every layer for `ids [batch, t]` (t ≤ context − 1), and the ids themselves. */
  function readWindow(ids: tf.Tensor2D): DecoderState {
    return tf.tidy(() => {
      const [batchSize, length] = ids.shape;
      const state: DecoderState = { token_ids: tf.clone(ids) }; // [batch, t]
      const headSize = modelSize / heads;
      if (length === 0) {
        for (let n = 0; n < layers; n++) {
          state[`layer${n}/keys`] = tf.zeros([batchSize * heads, 0, headSize]); // [batch·heads, 0, d_head]
          state[`layer${n}/values`] = tf.zeros([batchSize * heads, 0, headSize]); // [batch·heads, 0, d_head]
        }
        return state;
      }
      const band = causalBand(length); // [1, t·t]
      let x = tf.add(embedRows(tokenTable, ids), tf.slice(positionTable, [0, 0], [length, modelSize])) as tf.Tensor3D; // [batch, t, d_model]
      blocks.forEach((block, n) => {
        const attended = causalSelfAttention(layerNorm(x, block.norm1), block.attention, band);
        state[`layer${n}/keys`] = attended.keys; // [batch·heads, t, d_head]
        state[`layer${n}/values`] = attended.values; // [batch·heads, t, d_head]
        x = tf.add(x, attended.output) as tf.Tensor3D;
        x = tf.add(x, geluFeedForward(layerNorm(x, block.norm2), block.ffn)) as tf.Tensor3D;
      });
      return state;
    });
  }

  const decoder: Decoder = {
    /** Reads `token_ids [batch, t]` into the cache: the prompt before the token the first step feeds (its last context − 1 tokens). */
    start(inputs) {
      return startWindow(inputs.token_ids as tf.Tensor2D, context, readWindow); // [batch, t] in
    },
    /**
     * Feeds `previous [batch]` after the cached tokens. Its position is the cache's length (the
     * `position` argument counts steps and is not needed); a full window is first read again
     * without its oldest token.
     */
    step(state, previous): StepOutput {
      return tidy(() => {
        const cache = slideWindow(state, context, readWindow);
        const position = (cache.token_ids as tf.Tensor2D).shape[1];
        const batchSize = previous.shape[0];
        const next: DecoderState = {
          token_ids: tf.concat([cache.token_ids, tf.reshape(previous, [batchSize, 1])], 1), // [batch, t + 1]
        };
        const positionRow = tf.slice(positionTable, [position, 0], [1, modelSize]); // [1, d_model]
        let x = tf.add(embedRows(tokenTable, previous), positionRow) as tf.Tensor2D; // [batch, d_model]
        const attention: StepAttention[] = [];
        blocks.forEach((block, n) => {
          const attended = cachedSelfAttention(
            layerNorm(x, block.norm1),
            block.attention,
            cache[`layer${n}/keys`] as tf.Tensor3D,
            cache[`layer${n}/values`] as tf.Tensor3D,
          );
          next[`layer${n}/keys`] = attended.keys; // [batch·heads, t + 1, d_head]
          next[`layer${n}/values`] = attended.values; // [batch·heads, t + 1, d_head]
          x = tf.add(x, attended.output) as tf.Tensor2D;
          x = tf.add(x, geluFeedForward(layerNorm(x, block.norm2), block.ffn)) as tf.Tensor2D;
          attention.push({
            kind: 'causal-self',
            stack: 'decoder',
            layer: n,
            weights: attended.weights,
            columns: 'source',
          });
        });
        const logits = outputScores(layerNorm(x, finalNorm), tokenTable, head); // [batch, vocab]
        return { logits, state: next, attention };
      });
    },
  };

  return {
    config,
    parameters,
    forward,
    decoder,
  };
}

export function createMiniGptModel(parameters: Parameters, hyper: Hyperparameters, data: RunData): MiniGpt {
  return createMiniGpt(parameters, configOf(hyper, data.sourceVocab.size));
}
