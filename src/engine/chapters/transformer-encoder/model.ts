/**
 * Chapter transformer-encoder: the Transformer's encoder stack, one output per position, built
 * from the blocks of src/engine/nn (Vaswani et al. 2017, §3.1):
 *
 *   x₀ = dropout(token embedding + position encoding)          [batch, len, d_model]
 *   for n = 1..N:
 *     post-LN:  a = LN(x + dropout(MHA(x)))        x' = LN(a + dropout(FFN(a)))
 *     pre-LN:   a = x + dropout(MHA(LN(x)))        x' = a + dropout(FFN(LN(a)))
 *   h = LN_final(x_N) for pre-LN, x_N for post-LN (its last sub-layer already ends in a norm)
 *   logits = h W_out + b_out                                    [batch, len, vocab]
 *
 * MHA is multi-head self-attention with the padding keys masked (weights exactly 0); FFN is
 * W₂·ReLU(W₁x + b₁) + b₂. Names carry 1-based layer numbers (`layer1/…`, as the panel counts
 * layers); the attention maps carry the contract's 0-based `layer`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../../shared/course/chapter';
import { dropout, dropoutSeed, type DropoutOptions } from '../../nn/dropout';
import { embed } from '../../nn/embedding';
import { createFeedForward, feedForward, type FeedForwardWeights } from '../../nn/feedForward';
import { createLayerNorm, layerNorm, type LayerNormWeights } from '../../nn/layerNorm';
import { linear } from '../../nn/linear';
import { createSelfAttention, selfAttention, type SelfAttentionWeights } from '../../nn/multiHeadAttention';
import type { Parameters } from '../../nn/parameters';
import { addPositions, createLearnedPositions, sinusoidalPositions } from '../../nn/positions';
import { sublayerConnection, type LayerNormPlacement } from '../../nn/sublayer';
import { createTape, type Tape } from '../../nn/tape';
import type { AttentionOutput, Batch, ChapterModel, ForwardContext, ForwardOutput, RunData } from '../contract';

export type PositionKind = 'sinusoidal' | 'learned' | 'none';

export interface EncoderConfig {
  modelSize: number; // d_model
  heads: number; // h
  layers: number; // N
  ffnSize: number; // d_ff
  dropout: number;
  placement: LayerNormPlacement;
  positions: PositionKind;
  /** Positions the model has (the longest sequence of the task). */
  maxLength: number;
  vocab: number;
}

export function encoderConfig(hyper: Hyperparameters, vocab: number): EncoderConfig {
  return {
    modelSize: Number(hyper.dModel),
    heads: Number(hyper.heads),
    layers: Number(hyper.layers),
    ffnSize: Number(hyper.ffnSize),
    dropout: Number(hyper.dropout),
    placement: hyper.norm === 'pre' ? 'pre' : 'post',
    positions: hyper.positions as PositionKind,
    maxLength: Number(hyper.maxLength),
    vocab,
  };
}

/** The weights of one encoder layer (n is 1-based). */
export interface EncoderLayerWeights {
  attention: SelfAttentionWeights;
  attentionNorm: LayerNormWeights;
  ffn: FeedForwardWeights;
  ffnNorm: LayerNormWeights;
}

export function createEncoderLayer(parameters: Parameters, n: number, config: EncoderConfig): EncoderLayerWeights {
  const { modelSize, heads, ffnSize } = config;
  return {
    attention: createSelfAttention(parameters, `layer${n}/attention`, { modelSize, heads }), // qkv [d_model, 3·d_model], output [d_model, d_model]
    attentionNorm: createLayerNorm(parameters, `layer${n}/attention_norm`, modelSize), // gain, bias [d_model]
    ffn: createFeedForward(parameters, `layer${n}/ffn`, modelSize, ffnSize), // [d_model, d_ff], [d_ff, d_model]
    ffnNorm: createLayerNorm(parameters, `layer${n}/ffn_norm`, modelSize), // gain, bias [d_model]
  };
}

export interface LayerOptions {
  placement: LayerNormPlacement;
  /** Keep mask `[batch, 1, 1, keys]`: padding keys get exactly 0 weight. */
  keep: tf.Tensor4D;
  dropout: number;
  training: boolean;
  /** Seed of this layer's dropout masks (one per site is derived from it). */
  seed: number;
}

/**
 * One encoder layer: self-attention then FFN, each inside its residual connection with dropout
 * and layer norm (post-LN or pre-LN). `x [batch, len, d_model]` → `[batch, len, d_model]`, and the
 * attention weights `[batch, heads, queries, keys]`. Every intermediate is named on `tape` under
 * `layer{n}/`.
 */
export function encoderLayer(
  x: tf.Tensor3D,
  weights: EncoderLayerWeights,
  n: number,
  options: LayerOptions,
  tape: Tape,
): { output: tf.Tensor3D; attentionWeights: tf.Tensor4D } {
  const site = (index: number): DropoutOptions | undefined =>
    options.dropout > 0
      ? { rate: options.dropout, training: options.training, seed: dropoutSeed(options.seed, index) }
      : undefined;
  const placement = options.placement;
  const attended = sublayerConnection(
    x,
    weights.attentionNorm,
    (input) => selfAttention(input, weights.attention, { keep: options.keep }),
    { placement, dropout: site(1) },
  );
  tape(`layer${n}/queries`, attended.query); // [batch, heads, len, d_head]
  tape(`layer${n}/keys`, attended.key); // [batch, heads, len, d_head]
  tape(`layer${n}/values`, attended.value); // [batch, heads, len, d_head]
  tape(`layer${n}/attention_scores`, attended.scores); // [batch, heads, queries, keys]
  const attentionWeights = tape(`layer${n}/attention_weights`, attended.weights); // [batch, heads, queries, keys]
  const afterAttention = tape(`layer${n}/after_attention`, attended.output); // [batch, len, d_model]
  const output = sublayerConnection(afterAttention, weights.ffnNorm, (input) => feedForward(input, weights.ffn), {
    placement,
    dropout: site(2),
  }); // [batch, len, d_model]
  return { output: tape(`layer${n}/output`, output), attentionWeights };
}

export interface TransformerEncoder extends ChapterModel {
  readonly config: EncoderConfig;
}

export function createTransformerEncoder(
  parameters: Parameters,
  hyper: Hyperparameters,
  data: RunData,
): TransformerEncoder {
  const config = encoderConfig(hyper, data.sourceVocab.size);
  const { modelSize, maxLength, vocab } = config;
  // Unit-variance components: tokens enter at the scale of the sinusoidal table (components of
  // variance ½), as the original's √d_model factor on d_model^−½-scaled embeddings arranges.
  const embeddings = parameters.normal('embeddings', vocab, modelSize, 1) as tf.Tensor2D; // [vocab, d_model]
  const learned =
    config.positions === 'learned'
      ? (createLearnedPositions(parameters, 'positions', maxLength, modelSize) as tf.Tensor2D)
      : null; // [max_len, d_model]
  const layers = Array.from({ length: config.layers }, (_, i) => createEncoderLayer(parameters, i + 1, config));
  const finalNorm = config.placement === 'pre' ? createLayerNorm(parameters, 'final_norm', modelSize) : null; // gain, bias [d_model]
  const outputKernel = parameters.glorot('output/kernel', modelSize, vocab) as tf.Tensor2D; // [d_model, vocab]
  const outputBias = parameters.zeros('output/bias', [vocab]) as tf.Tensor1D; // [vocab]

  function forward(batch: Batch, context: ForwardContext): ForwardOutput {
    const tape = createTape();
    const sourceIds = tape('source_ids', batch.inputs.source_ids as tf.Tensor2D); // [batch, len]
    const sourceMask = batch.inputs.source_mask as tf.Tensor2D; // [batch, len]: 1 = token, 0 = padding
    const [batchSize, length] = sourceIds.shape;
    const tokenEmbeddings = tape('token_embeddings', embed(sourceIds, embeddings)); // [batch, len, d_model]
    // The sinusoidal table is a constant, rebuilt per pass (max_len·d_model sines in JS, a few µs).
    const table = learned ?? (config.positions === 'sinusoidal' ? sinusoidalPositions(maxLength, modelSize) : null); // [max_len, d_model]
    // The rows of positions 0..len−1, named as they are added (a reshape keeps a learned table's gradient path).
    const rows = table
      ? tape(
          'position_encoding',
          length === maxLength
            ? (tf.reshape(table, [length, modelSize]) as tf.Tensor2D)
            : (tf.slice(table, [0, 0], [length, modelSize]) as tf.Tensor2D),
        )
      : null; // [len, d_model]
    const embedded = rows ? addPositions(tokenEmbeddings, rows) : tokenEmbeddings; // [batch, len, d_model]
    const inputs = tape(
      'encoder_inputs',
      dropout(embedded, {
        rate: config.dropout,
        training: context.training,
        seed: dropoutSeed(context.seed, 0),
      }),
    ); // [batch, len, d_model]
    const keep = tf.reshape(sourceMask, [batchSize, 1, 1, length]) as tf.Tensor4D; // [batch, 1, 1, keys]
    let x = inputs; // [batch, len, d_model]
    const attention: AttentionOutput[] = [];
    layers.forEach((weights, i) => {
      const layer = encoderLayer(
        x,
        weights,
        i + 1,
        {
          placement: config.placement,
          keep,
          dropout: config.dropout,
          training: context.training,
          seed: dropoutSeed(context.seed, i + 1),
        },
        tape,
      );
      x = layer.output; // [batch, len, d_model]
      attention.push({
        kind: 'self',
        stack: 'encoder',
        layer: i,
        weights: layer.attentionWeights, // [batch, heads, queries, keys]
        keep: tf.reshape(sourceMask, [batchSize, 1, 1, length]), // [batch, 1, 1, keys]
        rows: 'source',
        columns: 'source',
      });
    });
    const encoded = tape('encoder_outputs', finalNorm ? layerNorm(x, finalNorm) : x); // [batch, len, d_model]
    const logits = tape('logits', linear(encoded, outputKernel, outputBias) as tf.Tensor3D); // [batch, len, vocab]
    tape('target_ids', batch.targets); // [batch, len]
    return { logits, named: tape.named, attention };
  }

  return { parameters, forward, config };
}

/**
 * The group a weight's gradient is reported in: `embeddings` (tokens and learned positions),
 * layer1 … layerN (one per layer), and `output` (the final norm and the output projection).
 */
export function gradientGroupOf(name: string): string | null {
  const layer = /^layer(\d+)\//.exec(name);
  if (layer) return `layer${layer[1]}`;
  if (name === 'embeddings' || name.startsWith('positions/')) return 'embeddings';
  if (name.startsWith('output/') || name.startsWith('final_norm/')) return 'output';
  return null;
}
