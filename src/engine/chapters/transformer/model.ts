/**
 * Chapter transformer: the encoder–decoder Transformer (Vaswani et al. 2017), built from the
 * blocks of src/engine/nn.
 *
 *   encoder input  = embedding(source) · √d_model + PE            [batch, source_len, d_model]
 *   encoder layer  = self-attention (padding mask) → FFN            each with residual + layer norm
 *   decoder input  = embedding(<bos> + target) · √d_model + PE      [batch, target_len, d_model]
 *   decoder layer  = masked self-attention (padding × causal mask)
 *                    → cross-attention (queries from the decoder, keys/values from the encoder output)
 *                    → FFN                                          each with residual + layer norm
 *   logits         = decoder output W_out + b                      [batch, target_len, vocab]
 *
 * Layer norm is post-LN (LN(x + f(x)), the original) or pre-LN (x + f(LN(x)), then one final norm
 * per stack). Training is teacher-forced: the decoder reads `<bos>` + target and must predict
 * target + `<eos>` at every position at once, which is only honest if position t cannot read
 * positions after t. The causal keep mask is what forbids it; the variants break it:
 * `causalMask: false` drops it (the decoder sees the token it must predict), `maskValue: −5` adds
 * −5 instead of −1e9 where it forbids (the future keeps a little weight).
 *
 * Greedy decoding (`decoder.start` / `step`): with the hard causal mask, each decoder layer keeps
 * the keys and values of the tokens generated so far (a KV cache), so a step projects only its own
 * token and attends over the cache: O(len) per step, and the same logits as a teacher-forced pass
 * over the prefix. Without it (no-causal-mask, weak-mask) earlier positions depend on later
 * tokens, so a cache would be wrong: each step runs the decoder again over the whole prefix.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../../shared/course/chapter';
import { dropout, dropoutSeed, type DropoutOptions } from '../../nn/dropout';
import { embed, embedStep } from '../../nn/embedding';
import { createFeedForward, feedForward, type FeedForwardWeights } from '../../nn/feedForward';
import { createLayerNorm, layerNorm, type LayerNormWeights } from '../../nn/layerNorm';
import { linear } from '../../nn/linear';
import { causalKeepMask, combineKeepMasks, MASKED_SCORE, paddingKeepMask } from '../../nn/masks';
import {
  attendHeads,
  createCrossAttention,
  createSelfAttention,
  crossAttention,
  mergeHeads,
  selfAttention,
  splitHeads,
  type CrossAttentionWeights,
  type SelfAttentionWeights,
} from '../../nn/multiHeadAttention';
import type { Parameters } from '../../nn/parameters';
import { PAD_ID } from '../../tasks/vocab';
import { sinusoidalTable } from '../../nn/positions';
import { sublayerConnection, type LayerNormPlacement } from '../../nn/sublayer';
import { createTape, type Tape } from '../../nn/tape';
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

export interface TransformerConfig {
  modelSize: number; // d_model
  heads: number; // h
  encoderLayers: number;
  decoderLayers: number;
  ffnSize: number; // d_ff
  dropout: number;
  placement: LayerNormPlacement;
  /** Whether the decoder's self-attention hides later positions. */
  causalMask: boolean;
  /** Added to the decoder self-attention's forbidden scores: −1e9 gives them exactly 0 weight. */
  maskValue: number;
  sourceVocab: number;
  targetVocab: number;
}

export function transformerConfig(hyper: Hyperparameters, data: Pick<RunData, 'sourceVocab' | 'targetVocab'>) {
  return {
    modelSize: Number(hyper.dModel),
    heads: Number(hyper.heads),
    encoderLayers: Number(hyper.encoderLayers),
    decoderLayers: Number(hyper.decoderLayers),
    ffnSize: Number(hyper.ffnSize),
    dropout: Number(hyper.dropout),
    placement: hyper.layerNorm === 'pre' ? 'pre' : 'post',
    causalMask: hyper.causalMask !== false,
    maskValue: Number(hyper.maskValue),
    sourceVocab: data.sourceVocab.size,
    targetVocab: data.targetVocab.size,
  } satisfies TransformerConfig;
}

interface EncoderLayerWeights {
  selfAttention: SelfAttentionWeights;
  selfAttentionNorm: LayerNormWeights;
  ffn: FeedForwardWeights;
  ffnNorm: LayerNormWeights;
}

interface DecoderLayerWeights {
  selfAttention: SelfAttentionWeights;
  selfAttentionNorm: LayerNormWeights;
  crossAttention: CrossAttentionWeights;
  crossAttentionNorm: LayerNormWeights;
  ffn: FeedForwardWeights;
  ffnNorm: LayerNormWeights;
}

/** The sinusoidal tables by length, in float32 (the tensor is uploaded per pass: no tensor outlives a call). */
const tables = new Map<string, Float32Array>();

/** PE `[length, d_model]` as the model adds it: nn/positions.ts's closed form rounded to float32. */
export function positionEncoding(length: number, modelSize: number): tf.Tensor2D {
  const key = `${length}x${modelSize}`;
  let table = tables.get(key);
  if (!table) {
    table = Float32Array.from(sinusoidalTable(length, modelSize));
    tables.set(key, table);
  }
  return tf.tensor2d(table, [length, modelSize]); // [len, d_model]
}

/** Rows `from..from+length−1` of PE, for one decoding step at position `from`. */
function positionRows(from: number, length: number, modelSize: number): tf.Tensor2D {
  const table = positionEncoding(from + length, modelSize); // [from + len, d_model]
  return from === 0 ? table : (tf.slice(table, [from, 0], [length, modelSize]) as tf.Tensor2D); // [len, d_model]
}

export interface TransformerModel extends ChapterModel {
  readonly config: TransformerConfig;
  decoder: Decoder;
  /** Whether greedy decoding keeps a KV cache (only with the hard causal mask). */
  readonly cachedDecoding: boolean;
  /** Greedy decoding that runs the decoder over the whole prefix at every step (no cache), for comparison. */
  readonly uncachedDecoder: Decoder;
}

export function createTransformerModel(
  parameters: Parameters,
  hyper: Hyperparameters,
  data: RunData,
): TransformerModel {
  const config = transformerConfig(hyper, data);
  const { modelSize: d, heads, placement } = config;
  const attention = { modelSize: d, heads };
  const embeddingStd = 1 / Math.sqrt(d); // × √d_model on the way in: unit-variance inputs, as the original
  const sourceEmbeddings = parameters.normal('encoder/embeddings', config.sourceVocab, d, embeddingStd) as tf.Tensor2D; // [source_vocab, d_model]
  const targetEmbeddings = parameters.normal('decoder/embeddings', config.targetVocab, d, embeddingStd) as tf.Tensor2D; // [target_vocab, d_model]
  const encoderLayers: EncoderLayerWeights[] = Array.from({ length: config.encoderLayers }, (_, n) => {
    const prefix = `encoder/layer${n}`; // 'encoder/layer{n}/…'
    return {
      selfAttention: createSelfAttention(parameters, `${prefix}/self_attention`, attention),
      selfAttentionNorm: createLayerNorm(parameters, `${prefix}/self_attention_norm`, d),
      ffn: createFeedForward(parameters, `${prefix}/ffn`, d, config.ffnSize),
      ffnNorm: createLayerNorm(parameters, `${prefix}/ffn_norm`, d),
    };
  });
  const decoderLayers: DecoderLayerWeights[] = Array.from({ length: config.decoderLayers }, (_, n) => {
    const prefix = `decoder/layer${n}`; // 'decoder/layer{n}/…'
    return {
      selfAttention: createSelfAttention(parameters, `${prefix}/self_attention`, attention),
      selfAttentionNorm: createLayerNorm(parameters, `${prefix}/self_attention_norm`, d),
      crossAttention: createCrossAttention(parameters, `${prefix}/cross_attention`, attention),
      crossAttentionNorm: createLayerNorm(parameters, `${prefix}/cross_attention_norm`, d),
      ffn: createFeedForward(parameters, `${prefix}/ffn`, d, config.ffnSize),
      ffnNorm: createLayerNorm(parameters, `${prefix}/ffn_norm`, d),
    };
  });
  // Pre-LN leaves each stack's output un-normalised: one final norm per stack.
  const encoderNorm = placement === 'pre' ? createLayerNorm(parameters, 'encoder/final_norm', d) : null;
  const decoderNorm = placement === 'pre' ? createLayerNorm(parameters, 'decoder/final_norm', d) : null;
  const outputKernel = parameters.glorot('output/kernel', d, config.targetVocab) as tf.Tensor2D; // [d_model, target_vocab]
  const outputBias = parameters.zeros('output/bias', [config.targetVocab]) as tf.Tensor1D; // [target_vocab]
  const hardCausal = config.causalMask && config.maskValue === MASKED_SCORE;

  /** Dropout at site `site` of a pass (a different mask at every site and step); undefined = none. */
  function dropoutAt(context: ForwardContext, site: number): DropoutOptions | undefined {
    if (!context.training || config.dropout === 0) return undefined;
    return { rate: config.dropout, training: true, seed: dropoutSeed(context.seed, site) };
  }

  /** ids `[batch, len]` → embedding · √d_model + PE (then dropout): `[batch, len, d_model]`. */
  function embedWithPositions(
    ids: tf.Tensor2D,
    table: tf.Tensor2D,
    positions: tf.Tensor2D,
    dropoutOptions: DropoutOptions | undefined,
  ): { tokens: tf.Tensor3D; inputs: tf.Tensor3D } {
    const tokens = tf.mul(embed(ids, table), Math.sqrt(d)) as tf.Tensor3D; // [batch, len, d_model]
    const summed = tf.add(tokens, positions) as tf.Tensor3D; // [batch, len, d_model]
    return { tokens, inputs: dropoutOptions ? dropout(summed, dropoutOptions) : summed };
  }

  /** The encoder over `sourceIds [batch, source_len]` → memory `[batch, source_len, d_model]` and its maps. */
  function encode(sourceIds: tf.Tensor2D, sourceKeep: tf.Tensor4D, context: ForwardContext, tape: Tape) {
    const length = sourceIds.shape[1];
    const positions = tape('position_encoding', positionEncoding(length, d)); // [source_len, d_model]
    const embedded = embedWithPositions(sourceIds, sourceEmbeddings, positions, dropoutAt(context, 0));
    tape('source_embeddings', embedded.tokens); // [batch, source_len, d_model]
    let x = tape('encoder_inputs', embedded.inputs); // [batch, source_len, d_model]
    const maps: AttentionOutput[] = [];
    encoderLayers.forEach((layer, n) => {
      const attended = sublayerConnection(
        x,
        layer.selfAttentionNorm,
        (input) => selfAttention(input, layer.selfAttention, { keep: sourceKeep }),
        { placement, dropout: dropoutAt(context, 10 + 2 * n) },
      ); // output [batch, source_len, d_model]
      tape(`encoder/layer${n}/self_attention_weights`, attended.weights); // [batch, heads, source_len, source_len]
      x = sublayerConnection(attended.output, layer.ffnNorm, (input) => feedForward(input, layer.ffn), {
        placement,
        dropout: dropoutAt(context, 11 + 2 * n),
      }); // [batch, source_len, d_model]
      tape(`encoder/layer${n}/output`, x); // [batch, source_len, d_model]
      maps.push({
        kind: 'self',
        stack: 'encoder',
        layer: n,
        weights: attended.weights, // [batch, heads, source_len, source_len]
        keep: sourceKeep, // [batch, 1, 1, source_len]
        rows: 'source',
        columns: 'source',
      });
    });
    const memory = tape('encoder_outputs', encoderNorm ? layerNorm(x, encoderNorm) : x); // [batch, source_len, d_model]
    return { memory, maps };
  }

  /** The decoder's self-attention keep mask for `ids [batch, len]`: padding × causal (or padding alone). */
  function decoderKeepMask(ids: tf.Tensor2D): tf.Tensor4D {
    const padding = paddingKeepMask(ids); // [batch, 1, 1, len]: a <pad> key is never read
    if (!config.causalMask) return padding;
    return combineKeepMasks(padding, causalKeepMask(ids.shape[1])) as tf.Tensor4D; // [batch, 1, len, len]
  }

  /**
   * The decoder over `decoderIds [batch, target_len]` (teacher forcing, or a whole prefix when
   * decoding without a cache) → logits `[batch, target_len, vocab]` and its maps.
   */
  function decode(
    decoderIds: tf.Tensor2D,
    memory: tf.Tensor3D,
    sourceKeep: tf.Tensor4D,
    context: ForwardContext,
    tape: Tape,
  ) {
    const length = decoderIds.shape[1];
    const decoderKeep = tape('decoder_self_attention_mask', decoderKeepMask(decoderIds)); // [batch, 1, target_len | 1, target_len]
    const embedded = embedWithPositions(
      decoderIds,
      targetEmbeddings,
      positionEncoding(length, d),
      dropoutAt(context, 1),
    );
    tape('decoder_embeddings', embedded.tokens); // [batch, target_len, d_model]
    let y = tape('decoder_inputs', embedded.inputs); // [batch, target_len, d_model]
    const maps: AttentionOutput[] = [];
    decoderLayers.forEach((layer, n) => {
      const self = sublayerConnection(
        y,
        layer.selfAttentionNorm,
        (input) =>
          selfAttention(input, layer.selfAttention, {
            keep: decoderKeep,
            maskValue: config.causalMask ? config.maskValue : MASKED_SCORE,
          }),
        { placement, dropout: dropoutAt(context, 100 + 3 * n) },
      ); // output [batch, target_len, d_model]
      tape(`decoder/layer${n}/causal_self_attention_weights`, self.weights); // [batch, heads, target_len, target_len]
      const cross = sublayerConnection(
        self.output,
        layer.crossAttentionNorm,
        (input) => crossAttention(input, memory, layer.crossAttention, { keep: sourceKeep }),
        { placement, dropout: dropoutAt(context, 101 + 3 * n) },
      ); // output [batch, target_len, d_model]
      tape(`decoder/layer${n}/cross_attention_weights`, cross.weights); // [batch, heads, target_len, source_len]
      y = sublayerConnection(cross.output, layer.ffnNorm, (input) => feedForward(input, layer.ffn), {
        placement,
        dropout: dropoutAt(context, 102 + 3 * n),
      }); // [batch, target_len, d_model]
      tape(`decoder/layer${n}/output`, y); // [batch, target_len, d_model]
      maps.push(
        {
          kind: 'causal-self',
          stack: 'decoder',
          layer: n,
          weights: self.weights, // [batch, heads, target_len, target_len]
          keep: decoderKeep,
          rows: 'decoderInput',
          columns: 'decoderInput',
        },
        {
          kind: 'cross',
          stack: 'decoder',
          layer: n,
          weights: cross.weights, // [batch, heads, target_len, source_len]
          keep: sourceKeep, // [batch, 1, 1, source_len]
          rows: 'target',
          columns: 'source',
        },
      );
    });
    // The last layer's cross-attention, under the name the earlier chapters' reports print.
    tape('attention_weights', maps[maps.length - 1].weights); // [batch, heads, target_len, source_len]
    const outputs = tape('decoder_outputs', decoderNorm ? layerNorm(y, decoderNorm) : y); // [batch, target_len, d_model]
    const logits = tape('logits', linear(outputs, outputKernel, outputBias) as tf.Tensor3D); // [batch, target_len, vocab]
    return { logits, maps };
  }

  function forward(batch: Batch, context: ForwardContext): ForwardOutput {
    const tape = createTape();
    const sourceIds = tape('source_ids', batch.inputs.source_ids as tf.Tensor2D); // [batch, source_len]
    // Masks come from the token ids: only an id says "this is <pad>".
    const sourceKeep = tape('source_padding_mask', paddingKeepMask(sourceIds)); // [batch, 1, 1, source_len]
    const encoded = encode(sourceIds, sourceKeep, context, tape);
    const decoderIds = tape('decoder_input_ids', batch.inputs.decoder_input_ids as tf.Tensor2D); // [batch, target_len]
    const decoded = decode(decoderIds, encoded.memory, sourceKeep, context, tape);
    tape('target_ids', batch.targets); // [batch, target_len]
    return { logits: decoded.logits, named: tape.named, attention: [...encoded.maps, ...decoded.maps] };
  }

  const evaluation: ForwardContext = { training: false, seed: 0 };

  function start(inputs: Record<string, tf.Tensor>): DecoderState {
    const sourceIds = inputs.source_ids as tf.Tensor2D; // [batch, source_len]
    const sourceKeep = paddingKeepMask(sourceIds); // [batch, 1, 1, source_len]
    const { memory } = encode(sourceIds, sourceKeep, evaluation, createTape()); // [batch, source_len, d_model]
    return { memory, sourceKeep };
  }

  /** No cache: the decoder runs again over `<bos>` + every token generated so far; the last row is this step's. */
  const uncachedDecoder: Decoder = {
    start,
    step(state, previous, position): StepOutput {
      const token = tf.reshape(previous, [-1, 1]) as tf.Tensor2D; // [batch, 1]
      const ids = (state.ids ? tf.concat([state.ids as tf.Tensor2D, token], 1) : token) as tf.Tensor2D; // [batch, position + 1]
      const { logits, maps } = decode(
        ids,
        state.memory as tf.Tensor3D,
        state.sourceKeep as tf.Tensor4D,
        evaluation,
        createTape(),
      );
      const lastRow = (x: tf.Tensor4D) =>
        tf.squeeze(tf.slice(x, [0, 0, position, 0], [-1, -1, 1, -1]), [2]) as tf.Tensor3D; // [batch, heads, keys]
      return {
        logits: tf.reshape(tf.slice(logits, [0, position, 0], [-1, 1, -1]), [-1, config.targetVocab]) as tf.Tensor2D, // [batch, vocab]
        state: { ...state, ids },
        attention: maps.map((map): StepAttention => ({
          kind: map.kind,
          stack: map.stack,
          layer: map.layer,
          weights: lastRow(map.weights),
          columns: map.columns === 'decoderInput' ? 'decoderInput' : 'source',
        })),
      };
    },
  };

  /**
   * KV cache: start projects every layer's cross-attention keys and values from the encoder output
   * once; each step projects its own token's query, key and value, appends key and value to the
   * layer's cache and attends over it. Only the padding mask: every cached key is at or before this position.
   */
  const cachedDecoder: Decoder = {
    start(inputs) {
      const state = start(inputs);
      const memory = state.memory as tf.Tensor3D; // [batch, source_len, d_model]
      decoderLayers.forEach((layer, n) => {
        const cross = layer.crossAttention;
        const projected = linear(memory, cross.kvKernel as tf.Tensor2D, cross.kvBias as tf.Tensor1D) as tf.Tensor3D; // [batch, source_len, 2·d_model]
        const [key, value] = tf.split(splitHeads(projected, 2 * heads), 2, 1) as tf.Tensor4D[]; // [batch, heads, source_len, d_head] each
        state[`cross_key_${n}`] = key;
        state[`cross_value_${n}`] = value;
      });
      return state;
    },
    step(state, previous, position): StepOutput {
      const next: DecoderState = { ...state };
      const attention: StepAttention[] = [];
      const sourceKeep = state.sourceKeep as tf.Tensor4D; // [batch, 1, 1, source_len]
      // Which cached keys are real tokens: a generated <pad> is masked, as the teacher-forced pass masks it.
      const isToken = tf.reshape(tf.cast(tf.notEqual(previous, PAD_ID), 'float32'), [-1, 1, 1, 1]); // [batch, 1, 1, 1]
      const selfKeep = (state.self_keep ? tf.concat([state.self_keep, isToken], 3) : isToken) as tf.Tensor4D; // [batch, 1, 1, position + 1]
      next.self_keep = selfKeep;
      const token = tf.expandDims(tf.mul(embedStep(previous, targetEmbeddings), Math.sqrt(d)), 1) as tf.Tensor3D; // [batch, 1, d_model]
      let y = tf.add(token, positionRows(position, 1, d)) as tf.Tensor3D; // [batch, 1, d_model]
      decoderLayers.forEach((layer, n) => {
        const self = sublayerConnection(
          y,
          layer.selfAttentionNorm,
          (input) => {
            const weights = layer.selfAttention;
            const projected = linear(
              input,
              weights.qkvKernel as tf.Tensor2D,
              weights.qkvBias as tf.Tensor1D,
            ) as tf.Tensor3D; // [batch, 1, 3·d_model]
            const [query, key, value] = tf.split(splitHeads(projected, 3 * heads), 3, 1) as tf.Tensor4D[]; // [batch, heads, 1, d_head] each
            const keys = (state[`self_key_${n}`] ? tf.concat([state[`self_key_${n}`], key], 2) : key) as tf.Tensor4D; // [batch, heads, position + 1, d_head]
            const values = (
              state[`self_value_${n}`] ? tf.concat([state[`self_value_${n}`], value], 2) : value
            ) as tf.Tensor4D; // [batch, heads, position + 1, d_head]
            const attended = attendHeads(query, keys, values, { keep: selfKeep }); // context [batch, heads, 1, d_head]
            const output = linear(
              mergeHeads(attended.context),
              weights.outputKernel as tf.Tensor2D,
              weights.outputBias as tf.Tensor1D,
            ) as tf.Tensor3D; // [batch, 1, d_model]
            return { output, weights: attended.weights, keys, values };
          },
          { placement },
        );
        next[`self_key_${n}`] = self.keys;
        next[`self_value_${n}`] = self.values;
        const cross = sublayerConnection(
          self.output,
          layer.crossAttentionNorm,
          (input) => {
            const weights = layer.crossAttention;
            const projected = linear(
              input,
              weights.queryKernel as tf.Tensor2D,
              weights.queryBias as tf.Tensor1D,
            ) as tf.Tensor3D; // [batch, 1, d_model]
            const attended = attendHeads(
              splitHeads(projected, heads),
              state[`cross_key_${n}`] as tf.Tensor4D,
              state[`cross_value_${n}`] as tf.Tensor4D,
              { keep: sourceKeep },
            ); // context [batch, heads, 1, d_head], weights [batch, heads, 1, source_len]
            const output = linear(
              mergeHeads(attended.context),
              weights.outputKernel as tf.Tensor2D,
              weights.outputBias as tf.Tensor1D,
            ) as tf.Tensor3D; // [batch, 1, d_model]
            return { output, weights: attended.weights };
          },
          { placement },
        );
        y = sublayerConnection(cross.output, layer.ffnNorm, (input) => feedForward(input, layer.ffn), { placement }); // [batch, 1, d_model]
        const row = (x: tf.Tensor4D) => tf.squeeze(x, [2]) as tf.Tensor3D; // [batch, heads, keys]
        attention.push(
          { kind: 'causal-self', stack: 'decoder', layer: n, weights: row(self.weights), columns: 'decoderInput' },
          { kind: 'cross', stack: 'decoder', layer: n, weights: row(cross.weights), columns: 'source' },
        );
      });
      const outputs = decoderNorm ? layerNorm(y, decoderNorm) : y; // [batch, 1, d_model]
      const logits = linear(tf.reshape(outputs, [-1, d]), outputKernel, outputBias) as tf.Tensor2D; // [batch, vocab]
      return { logits, state: next, attention };
    },
  };

  return {
    parameters,
    config,
    forward,
    cachedDecoding: hardCausal,
    decoder: hardCausal ? cachedDecoder : uncachedDecoder,
    uncachedDecoder,
  };
}
