/**
 * Chapter modern-attention: mini-gpt's decoder turned into the shape of Llama 3 or Qwen 2.
 *
 *   x = token embedding (+ a position vector, only in the learned and sinusoidal variants)  [batch, len, d_model]
 *   for each of N blocks (pre-LN):
 *     Q = x W_q (heads), K = x W_k, V = x W_v (kv_heads ≤ heads: grouped-query attention)
 *     Q, K rotated by their positions (RoPE, nn/rope.ts) — nothing added to the embeddings
 *     x = x + dropout(CausalSelfAttention(LN₁(x)))     query head h reads key/value head ⌊h / (heads / kv_heads)⌋
 *     x = x + dropout(FFN(LN₂(x)))                     GELU, 4·d_model wide
 *   logits = LN_f(x) · embeddingsᵀ                       [batch, len, vocab] (tied weights)
 *
 * `kvHeads` = heads is multi-head attention (MHA), 1 < kvHeads < heads grouped-query attention
 * (GQA, Llama 3, Qwen 2), kvHeads = 1 multi-query attention (MQA). The attention itself is mini-gpt's
 * (chapters/mini-gpt/attention.ts), which groups the query heads against their shared key/value head
 * in one batched matmul. What Llama also changes and this chapter does not: RMSNorm instead of layer
 * norm, SwiGLU instead of GELU, no biases.
 *
 * Generation (`decoder`) keeps every layer's keys and values (the KV cache: `[batch·kv_heads, t,
 * d_head]` per layer, so GQA/MQA shrink it by heads / kv_heads). Keys are cached already rotated;
 * the new token is rotated at its own position t (the cache's length), never at 0. As in mini-gpt,
 * a full window is read again without its oldest token.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../../shared/course/chapter';
import { dropout, dropoutSeed } from '../../nn/dropout';
import { createFeedForward, feedForward, type FeedForwardWeights } from '../../nn/feedForward';
import { createLayerNorm, layerNorm, type LayerNormWeights } from '../../nn/layerNorm';
import { linear } from '../../nn/linear';
import { matMul } from '../../nn/matmul';
import { createSelfAttention, type SelfAttentionWeights } from '../../nn/multiHeadAttention';
import type { Parameters } from '../../nn/parameters';
import { createLearnedPositions, sinusoidalTable } from '../../nn/positions';
import { ROPE_BASE, rotaryTables, type RotaryTables } from '../../nn/rope';
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
import { cachedSelfAttention, causalBand, causalKeep, causalSelfAttention } from '../mini-gpt/attention';
import { embedRows } from '../mini-gpt/ops';
import { slideWindow, startWindow } from '../../kits/languageModel/window';

/** RoPE (rotates Q and K), GPT-2's learned vectors or the Transformer's fixed sinusoids (both added to the embeddings). */
export type PositionKind = 'rope' | 'learned' | 'sinusoidal';

export interface ModernConfig {
  vocabSize: number;
  /** The longest window the model reads (the learned variant has this many position vectors). */
  context: number;
  layers: number;
  /** Query heads. */
  heads: number;
  /** Key/value heads: heads (MHA), a divisor of heads (GQA), 1 (MQA). */
  kvHeads: number;
  modelSize: number;
  dropout: number;
  positions: PositionKind;
  ropeBase: number;
}

export function configOf(hyper: Hyperparameters, vocabSize: number): ModernConfig {
  return {
    vocabSize,
    context: Number(hyper.context),
    layers: Number(hyper.layers),
    heads: Number(hyper.heads),
    kvHeads: Number(hyper.kvHeads),
    modelSize: Number(hyper.dModel),
    dropout: Number(hyper.dropout),
    positions: hyper.positions === 'learned' || hyper.positions === 'sinusoidal' ? hyper.positions : 'rope',
    ropeBase: ROPE_BASE,
  };
}

/** Why a configuration cannot be built, in one line, or null. */
export function configProblem(config: Pick<ModernConfig, 'modelSize' | 'heads' | 'kvHeads'>): string | null {
  const { modelSize, heads, kvHeads } = config;
  if (modelSize % heads !== 0) return `d_model ${modelSize} must split into ${heads} equal heads`;
  if (heads % kvHeads !== 0) return `${heads} query heads cannot share ${kvHeads} key/value heads equally`;
  if ((modelSize / heads) % 2 !== 0) return `RoPE rotates pairs: d_head = ${modelSize / heads} must be even`;
  return null;
}

interface Block {
  norm1: LayerNormWeights;
  attention: SelfAttentionWeights;
  norm2: LayerNormWeights;
  ffn: FeedForwardWeights;
}

/** The first block's queries, keys and values of a text before any rotation (the checks rotate them themselves). */
export type RawQueryKeys = {
  queries: tf.Tensor3D; // [heads, len, d_head]
  keys: tf.Tensor3D; // [kv_heads, len, d_head]
  values: tf.Tensor3D; // [kv_heads, len, d_head]
};

export interface ModernModel extends ChapterModel {
  readonly config: ModernConfig;
  decoder: Decoder;
  /** The key/value head each query head reads: `⌊h / (heads / kv_heads)⌋`. */
  readonly kvHeadOf: number[];
  /** Layer 0's Q, K and V of `ids` (one text) as the model computes them, before RoPE. */
  rawQueryKeys(ids: Int32Array): RawQueryKeys;
}

function geluFeedForward<T extends tf.Tensor>(x: T, w: FeedForwardWeights): T {
  return feedForward(x, w, { activation: 'gelu' });
}

export function createModernModel(parameters: Parameters, config: ModernConfig): ModernModel {
  const { vocabSize, context, layers, heads, kvHeads, modelSize } = config;
  const problem = configProblem(config);
  if (problem) throw new Error(problem);
  const headSize = modelSize / heads;
  const rope = config.positions === 'rope';
  const kvHeadOf = Array.from({ length: heads }, (_, h) => Math.floor(h / (heads / kvHeads)));
  const tokenTable = parameters.normal('embeddings', vocabSize, modelSize, 0.02) as tf.Tensor2D; // [vocab, d_model]
  const positionTable =
    config.positions === 'learned'
      ? (createLearnedPositions(parameters, 'positions', context, modelSize) as tf.Tensor2D) // [context, d_model]
      : null;
  // The sinusoidal table is a constant: float32 values computed once, uploaded per use (nn/positions.ts).
  const sinusoids = config.positions === 'sinusoidal' ? Float32Array.from(sinusoidalTable(context, modelSize)) : null; // [context·d_model]
  const blocks: Block[] = [];
  for (let n = 0; n < layers; n++) {
    blocks.push({
      norm1: createLayerNorm(parameters, `layer${n}/ln1`, modelSize),
      attention: createSelfAttention(parameters, `layer${n}/attention`, { modelSize, heads, kvHeads }),
      norm2: createLayerNorm(parameters, `layer${n}/ln2`, modelSize),
      ffn: createFeedForward(parameters, `layer${n}/ffn`, modelSize, 4 * modelSize),
    });
  }
  const finalNorm = createLayerNorm(parameters, 'final_ln', modelSize);

  /** The rotation tables of positions start .. start + count − 1, or none (learned positions). */
  const tablesOf = (start: number, count: number): RotaryTables | undefined =>
    rope ? rotaryTables(start, count, headSize, config.ropeBase) : undefined;

  /** The position vectors added to the embeddings at positions start .. start + len − 1, or null (RoPE). */
  function positionRows(start: number, length: number): tf.Tensor2D | null {
    if (positionTable) {
      return start === 0 && length === context
        ? positionTable
        : (tf.slice(positionTable, [start, 0], [length, modelSize]) as tf.Tensor2D); // [len, d_model]
    }
    if (sinusoids) {
      return tf.tensor2d(sinusoids.subarray(start * modelSize, (start + length) * modelSize), [length, modelSize]); // [len, d_model]
    }
    return null;
  }

  /** Token embeddings (+ position vectors start .. start + len − 1 unless RoPE) of `ids [...]`. */
  function embed(ids: tf.Tensor, start: number): tf.Tensor {
    const tokens = embedRows(tokenTable, ids); // [..., d_model]
    const length = ids.rank === 1 ? 1 : ids.shape[1]!;
    const rows = positionRows(start, length); // [len, d_model]
    if (!rows) return tokens;
    return tf.add(tokens, ids.rank === 1 ? tf.reshape(rows, [modelSize]) : rows); // [..., d_model]
  }

  /** `x [rows, d_model]` → scores `[rows, vocab]` by the tied table (explicit transpose: nn/matmul.ts). */
  function scoresOf(x: tf.Tensor2D): tf.Tensor2D {
    return matMul(x, tf.transpose(tokenTable)) as tf.Tensor2D; // [rows, vocab]
  }

  function forward(batch: Batch, { training, seed }: ForwardContext): ForwardOutput {
    const tape = createTape();
    const tokenIds = tape('token_ids', batch.inputs.token_ids as tf.Tensor2D); // [batch, len]
    const [batchSize, length] = tokenIds.shape;
    if (length > context) throw new Error(`the window has ${length} tokens; the model has ${context} positions`);
    const band = causalBand(length); // [1, len·len]: 0 or −1e9, a constant
    const keep = causalKeep(length); // [1, 1, len, len]
    const tables = tablesOf(0, length); // cos, sin [len, d_head] (RoPE) or none
    const drop = (x: tf.Tensor3D, site: number) =>
      dropout(x, { rate: config.dropout, training, seed: dropoutSeed(seed, site) });
    const tokens = tape('token_embeddings', embedRows(tokenTable, tokenIds) as tf.Tensor3D); // [batch, len, d_model]
    const rows = positionRows(0, length); // [len, d_model], or null with RoPE
    const positioned = rows ? (tf.add(tokens, rows) as tf.Tensor3D) : tokens; // [batch, len, d_model]
    let x = tape('block_inputs', drop(positioned, 0)); // [batch, len, d_model]
    const attention: AttentionOutput[] = [];
    blocks.forEach((block, n) => {
      const attended = causalSelfAttention(layerNorm(x, block.norm1), block.attention, band, tables);
      tape(`layer${n}/queries`, attended.queries); // [batch, heads, len, d_head]
      tape(`layer${n}/keys`, tf.reshape(attended.keys, [batchSize, kvHeads, length, headSize]) as tf.Tensor4D); // [batch, kv_heads, len, d_head]
      tape(`layer${n}/attention_weights`, attended.weights); // [batch, heads, queries, keys]
      x = tf.add(x, drop(attended.output, 2 * n + 1)) as tf.Tensor3D; // [batch, len, d_model]
      const fed = geluFeedForward(layerNorm(x, block.norm2), block.ffn); // [batch, len, d_model]
      x = tape(`layer${n}/output`, tf.add(x, drop(fed, 2 * n + 2)) as tf.Tensor3D); // [batch, len, d_model]
      attention.push({
        kind: 'causal-self',
        stack: 'decoder',
        layer: n,
        weights: attended.weights,
        keep,
        rows: 'source',
        columns: 'source',
        kvHeadOf,
      });
    });
    const normed = tape('final_hidden', layerNorm(x, finalNorm)); // [batch, len, d_model]
    const flat = tf.reshape(normed, [batchSize * length, modelSize]) as tf.Tensor2D; // [batch·len, d_model]
    const logits = tape('logits', tf.reshape(scoresOf(flat), [batchSize, length, vocabSize]) as tf.Tensor3D); // [batch, len, vocab]
    tape('target_ids', batch.targets); // [batch, len]
    return { logits, named: tape.named, attention };
  }

  /** The keys and values of every layer for `ids [batch, t]` (t ≤ context − 1) at positions 0..t−1, and the ids. */
  function readWindow(ids: tf.Tensor2D): DecoderState {
    return tf.tidy(() => {
      const [batchSize, length] = ids.shape;
      const state: DecoderState = { token_ids: tf.clone(ids) }; // [batch, t]
      if (length === 0) {
        for (let n = 0; n < layers; n++) {
          state[`layer${n}/keys`] = tf.zeros([batchSize * kvHeads, 0, headSize]); // [batch·kv_heads, 0, d_head]
          state[`layer${n}/values`] = tf.zeros([batchSize * kvHeads, 0, headSize]); // [batch·kv_heads, 0, d_head]
        }
        return state;
      }
      const band = causalBand(length); // [1, t·t]
      const tables = tablesOf(0, length); // [t, d_head] each
      let x = embed(ids, 0) as tf.Tensor3D; // [batch, t, d_model]
      blocks.forEach((block, n) => {
        const attended = causalSelfAttention(layerNorm(x, block.norm1), block.attention, band, tables);
        state[`layer${n}/keys`] = attended.keys; // [batch·kv_heads, t, d_head], rotated
        state[`layer${n}/values`] = attended.values; // [batch·kv_heads, t, d_head]
        x = tf.add(x, attended.output) as tf.Tensor3D; // [batch, t, d_model]
        x = tf.add(x, geluFeedForward(layerNorm(x, block.norm2), block.ffn)) as tf.Tensor3D; // [batch, t, d_model]
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
     * Feeds `previous [batch]` after the cached tokens, at position = the cache's length (the
     * `position` argument counts generated steps, not positions in the window).
     */
    step(state, previous): StepOutput {
      return tidy(() => {
        const cache = slideWindow(state, context, readWindow);
        const position = (cache.token_ids as tf.Tensor2D).shape[1];
        const batchSize = previous.shape[0];
        const next: DecoderState = {
          token_ids: tf.concat([cache.token_ids, tf.reshape(previous, [batchSize, 1])], 1), // [batch, t + 1]
        };
        const tables = tablesOf(position, 1); // [1, d_head] each: the new token's own angle
        let x = embed(previous, position) as tf.Tensor2D; // [batch, d_model]
        const attention: StepAttention[] = [];
        blocks.forEach((block, n) => {
          const attended = cachedSelfAttention(
            layerNorm(x, block.norm1),
            block.attention,
            cache[`layer${n}/keys`] as tf.Tensor3D,
            cache[`layer${n}/values`] as tf.Tensor3D,
            tables,
          );
          next[`layer${n}/keys`] = attended.keys; // [batch·kv_heads, t + 1, d_head]
          next[`layer${n}/values`] = attended.values; // [batch·kv_heads, t + 1, d_head]
          x = tf.add(x, attended.output) as tf.Tensor2D; // [batch, d_model]
          x = tf.add(x, geluFeedForward(layerNorm(x, block.norm2), block.ffn)) as tf.Tensor2D; // [batch, d_model]
          attention.push({
            kind: 'causal-self',
            stack: 'decoder',
            layer: n,
            weights: attended.weights,
            columns: 'source',
            kvHeadOf,
          });
        });
        const logits = scoresOf(layerNorm(x, finalNorm)); // [batch, vocab]
        return { logits, state: next, attention };
      });
    },
  };

  function rawQueryKeys(ids: Int32Array): RawQueryKeys {
    return tf.tidy(() => {
      const length = ids.length;
      const input = tf.tensor2d(ids, [1, length], 'int32'); // [1, len]
      const x = layerNorm(embed(input, 0) as tf.Tensor3D, blocks[0].norm1); // [1, len, d_model]
      const w = blocks[0].attention;
      const qkv = linear(tf.reshape(x, [length, modelSize]), w.qkvKernel as tf.Tensor2D, w.qkvBias as tf.Tensor1D); // [len, (heads + 2·kv_heads)·d_head]
      const headsFirst = tf.transpose(tf.reshape(qkv, [length, heads + 2 * kvHeads, headSize]), [1, 0, 2]); // [heads + 2·kv_heads, len, d_head]
      const [queries, keys, values] = tf.split(headsFirst, [heads, kvHeads, kvHeads], 0) as tf.Tensor3D[]; // [heads | kv_heads, len, d_head]
      return { queries, keys, values };
    });
  }

  return { config, parameters, forward, decoder, kvHeadOf, rawQueryKeys };
}

export function createModernAttentionModel(parameters: Parameters, hyper: Hyperparameters, data: RunData): ModernModel {
  return createModernModel(parameters, configOf(hyper, data.sourceVocab.size));
}
