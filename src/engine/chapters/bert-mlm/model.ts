/**
 * Chapter bert-mlm: BERT (Devlin et al. 2019) in miniature, encoder only, word level.
 *
 *   [CLS] A [SEP] B [SEP]  →  token + segment + position embeddings → LayerNorm     [batch, len, d_model]
 *   N encoder layers (post-LN, as BERT):
 *     x = LN(x + dropout(MultiHead(x, x, x)))      bidirectional: every token sees every other, padding masked
 *     x = LN(x + dropout(FFN(x)))                  FFN with GELU, d_ff wide
 *   x at the positions to predict (the selected ones)                  [batch, predictions, d_model]
 *   MLM head:  LN(GELU(x W_t + b_t)) Eᵀ + b_o       [batch, predictions, vocab]: scores of the original token
 *              (b_o starts as the training words' log-frequencies)
 *   NSP head (variant nsp):  tanh(x_[CLS] W_p + b_p) W_c + b_c    [batch, 2]: is B the sentence after A?
 *
 * The MLM head's output layer is the token embedding table transposed (tied weights, as BERT): a
 * token's input vector is also what its score is matched against. As in BERT's own code, the head
 * runs only at the positions to predict (`mlm_positions`, about 15% of them): scoring a vocabulary
 * of thousands of words at every position would cost several times the rest of the model, for
 * logits the loss never reads. The NSP loss is added as the auxiliary loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../../shared/course/chapter';
import { dropout, dropoutSeed, type DropoutOptions } from '../../nn/dropout';
import { embedLookup, oneHotFloat } from '../../nn/embedding';
import { createFeedForward, feedForward, gelu, type FeedForwardWeights } from '../../nn/feedForward';
import { createLayerNorm, layerNorm, type LayerNormWeights } from '../../nn/layerNorm';
import { linear } from '../../nn/linear';
import { matMul } from '../../nn/matmul';
import { paddingKeepMask } from '../../nn/masks';
import { createSelfAttention, selfAttention, type SelfAttentionWeights } from '../../nn/multiHeadAttention';
import type { Parameters } from '../../nn/parameters';
import { addPositions, createLearnedPositions, sinusoidalTable } from '../../nn/positions';
import { createTape } from '../../nn/tape';
import { isMaskedLmData, logUnigramPriors } from '../../kits/maskedLm/data';
import type { AttentionOutput, Batch, ChapterModel, ForwardContext, ForwardOutput, RunData } from '../contract';

/** BERT's initialisation: embeddings drawn from N(0, 0.02²). */
const EMBEDDING_STD = 0.02;
/** Weights of the encoder layers are named `encoder/layer{n}/…`. */
const ENCODER = 'encoder';
/** Two segments: A (with `[CLS]`) and B. */
export const SEGMENTS = 2;

/** `learned`: a trained vector per position (BERT); `sinusoidal`: the fixed sin/cos table of the Transformer. */
export type PositionKind = 'learned' | 'sinusoidal';

export interface BertSizes {
  positions: PositionKind;
  vocabSize: number;
  maxLength: number;
  modelSize: number;
  layers: number;
  heads: number;
  feedForwardSize: number;
}

export function bertSizes(hyper: Hyperparameters, data: Pick<RunData, 'sourceVocab'>): BertSizes {
  return {
    positions: hyper.positions === 'sinusoidal' ? 'sinusoidal' : 'learned',
    vocabSize: data.sourceVocab.size,
    maxLength: Number(hyper.maxLength),
    modelSize: Number(hyper.dModel),
    layers: Number(hyper.layers),
    heads: Number(hyper.heads),
    feedForwardSize: Number(hyper.dFf),
  };
}

// ── Embeddings ─────────────────────────────────────────────────────────────────────────────────

export interface BertEmbeddingWeights {
  tokens: tf.Variable; // [vocab, d_model]: also the MLM head's output layer (tied)
  segments: tf.Variable; // [2, d_model]
  positions: tf.Variable | null; // [max_len, d_model]; null for the fixed sinusoidal table
  maxLength: number;
  norm: LayerNormWeights;
}

export function createBertEmbeddings(parameters: Parameters, sizes: BertSizes): BertEmbeddingWeights {
  const d = sizes.modelSize;
  return {
    tokens: parameters.normal('embeddings/tokens', sizes.vocabSize, d, EMBEDDING_STD),
    segments: parameters.normal('embeddings/segments', SEGMENTS, d, EMBEDDING_STD),
    positions:
      sizes.positions === 'learned'
        ? createLearnedPositions(parameters, 'embeddings/positions', sizes.maxLength, d, EMBEDDING_STD)
        : null,
    maxLength: sizes.maxLength,
    norm: createLayerNorm(parameters, 'embeddings/norm', d),
  };
}

export type BertEmbeddingsResult = {
  tokenEmbeddings: tf.Tensor3D; // [batch, len, d_model]
  segmentEmbeddings: tf.Tensor3D; // [batch, len, d_model]
  output: tf.Tensor3D; // [batch, len, d_model]
};

/**
 * The fixed sinusoidal table `[max_len, d_model]`, scaled to the embeddings' spread (sin and cos
 * have variance ½, so × √2 · 0.02): added to embeddings of std 0.02 and normalised together, it
 * neither drowns the tokens nor is drowned by them. Rebuilt per pass (a few thousand sines).
 */
function scaledSinusoids(maxLength: number, modelSize: number): tf.Tensor2D {
  const table = sinusoidalTable(maxLength, modelSize).map((x) => x * Math.SQRT2 * EMBEDDING_STD);
  return tf.tensor2d(Float32Array.from(table), [maxLength, modelSize]); // [max_len, d_model]
}

/**
 * `ids`, `segmentIds [batch, len]` (int32) → LN(token + segment + position) `[batch, len, d_model]`,
 * then dropout when training.
 */
export function bertEmbeddings(
  ids: tf.Tensor2D,
  segmentIds: tf.Tensor2D,
  weights: BertEmbeddingWeights,
  dropoutOptions?: DropoutOptions,
): BertEmbeddingsResult {
  return tf.tidy(() => {
    const tokenEmbeddings = embedLookup(ids, weights.tokens as tf.Tensor2D); // [batch, len, d_model]
    const segmentEmbeddings = embedLookup(segmentIds, weights.segments as tf.Tensor2D); // [batch, len, d_model]
    const summed = addPositions(
      tf.add(tokenEmbeddings, segmentEmbeddings) as tf.Tensor3D,
      (weights.positions as tf.Tensor2D | null) ?? scaledSinusoids(weights.maxLength, tokenEmbeddings.shape[2]),
    ); // [batch, len, d_model]
    const normalised = layerNorm(summed, weights.norm); // [batch, len, d_model]
    const output = dropoutOptions ? dropout(normalised, dropoutOptions) : normalised; // [batch, len, d_model]
    return { tokenEmbeddings, segmentEmbeddings, output };
  });
}

// ── Encoder layer ──────────────────────────────────────────────────────────────────────────────

export interface EncoderLayerWeights {
  attention: SelfAttentionWeights;
  attentionNorm: LayerNormWeights;
  feedForward: FeedForwardWeights;
  outputNorm: LayerNormWeights;
}

export function createEncoderLayer(parameters: Parameters, layer: number, sizes: BertSizes): EncoderLayerWeights {
  const prefix = `${ENCODER}/layer${layer}`;
  const d = sizes.modelSize;
  return {
    attention: createSelfAttention(parameters, `${prefix}/attention`, { modelSize: d, heads: sizes.heads }),
    attentionNorm: createLayerNorm(parameters, `${prefix}/attention_norm`, d),
    feedForward: createFeedForward(parameters, `${prefix}/feed_forward`, d, sizes.feedForwardSize),
    outputNorm: createLayerNorm(parameters, `${prefix}/output_norm`, d),
  };
}

export type EncoderLayerResult = {
  output: tf.Tensor3D; // [batch, len, d_model]
  weights: tf.Tensor4D; // [batch, heads, queries, keys]
};

/**
 * One post-LN encoder layer. `x [batch, len, d_model]`, `keep [batch, 1, 1, len]` (1 = a real
 * token: padding keys are never attended) → output `[batch, len, d_model]` and the attention
 * weights `[batch, heads, len, len]`. `dropoutFor(site)` gives each sub-layer's dropout (or none).
 */
export function encoderLayer(
  x: tf.Tensor3D,
  keep: tf.Tensor4D,
  weights: EncoderLayerWeights,
  dropoutFor: (site: number) => DropoutOptions | undefined = () => undefined,
): EncoderLayerResult {
  return tf.tidy(() => {
    const attended = dropoutOr(selfAttention(x, weights.attention, { keep }), dropoutFor(0));
    const afterAttention = layerNorm(tf.add(x, attended.output) as tf.Tensor3D, weights.attentionNorm); // [batch, len, d_model]
    const transformed = dropoutOr(
      { output: feedForward(afterAttention, weights.feedForward, { activation: 'gelu' }) },
      dropoutFor(1),
    ).output; // [batch, len, d_model]
    const output = layerNorm(tf.add(afterAttention, transformed) as tf.Tensor3D, weights.outputNorm); // [batch, len, d_model]
    return { output, weights: attended.weights };
  });
}

function dropoutOr<R extends { output: tf.Tensor3D }>(result: R, options: DropoutOptions | undefined): R {
  return options ? { ...result, output: dropout(result.output, options) } : result;
}

// ── Heads ──────────────────────────────────────────────────────────────────────────────────────

/**
 * The hidden states at the positions to predict: `hidden [batch, len, d_model]`, `positions
 * [batch, predictions]` (int32) → `[batch, predictions, d_model]`, as a one-hot batched matmul
 * (a gather's gradient would need UnsortedSegmentSum, which wasm lacks).
 */
export function gatherPositions(hidden: tf.Tensor3D, positions: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const pick = oneHotFloat(positions, hidden.shape[1]) as tf.Tensor3D; // [batch, predictions, len]
    return matMul(pick, hidden); // [batch, predictions, d_model]
  });
}

export interface MlmHeadWeights {
  transformKernel: tf.Variable; // [d_model, d_model]
  transformBias: tf.Variable; // [d_model]
  norm: LayerNormWeights;
  outputBias: tf.Variable; // [vocab]
}

export function createMlmHead(parameters: Parameters, sizes: BertSizes): MlmHeadWeights {
  const d = sizes.modelSize;
  return {
    transformKernel: parameters.glorot('mlm/transform_kernel', d, d),
    transformBias: parameters.zeros('mlm/transform_bias', [d]),
    norm: createLayerNorm(parameters, 'mlm/norm', d),
    outputBias: parameters.zeros('mlm/output_bias', [sizes.vocabSize]),
  };
}

export type MlmHeadResult = {
  transformed: tf.Tensor3D; // [batch, predictions, d_model]
  logits: tf.Tensor3D; // [batch, predictions, vocab]
};

/**
 * `hidden [batch, predictions, d_model]` → `logits [batch, predictions, vocab]` through
 * LN(GELU(h W_t + b_t)), then the token table transposed (`tokenTable [vocab, d_model]`, tied) and
 * a bias per token.
 */
export function mlmHead(hidden: tf.Tensor3D, weights: MlmHeadWeights, tokenTable: tf.Tensor2D): MlmHeadResult {
  return tf.tidy(() => {
    const projected = linear(hidden, weights.transformKernel as tf.Tensor2D, weights.transformBias as tf.Tensor1D); // [batch, predictions, d_model]
    const transformed = layerNorm(gelu(projected) as tf.Tensor3D, weights.norm); // [batch, predictions, d_model]
    const outputKernel = tf.transpose(tokenTable) as tf.Tensor2D; // [d_model, vocab]: the embeddings, tied
    const logits = linear(transformed, outputKernel, weights.outputBias as tf.Tensor1D) as tf.Tensor3D; // [batch, predictions, vocab]
    return { transformed, logits };
  });
}

export interface NspHeadWeights {
  poolerKernel: tf.Variable; // [d_model, d_model]
  poolerBias: tf.Variable; // [d_model]
  classifierKernel: tf.Variable; // [d_model, 2]
  classifierBias: tf.Variable; // [2]
}

export function createNspHead(parameters: Parameters, sizes: BertSizes): NspHeadWeights {
  const d = sizes.modelSize;
  return {
    poolerKernel: parameters.glorot('nsp/pooler_kernel', d, d),
    poolerBias: parameters.zeros('nsp/pooler_bias', [d]),
    classifierKernel: parameters.glorot('nsp/classifier_kernel', d, 2),
    classifierBias: parameters.zeros('nsp/classifier_bias', [2]),
  };
}

export type NspHeadResult = {
  pooled: tf.Tensor2D; // [batch, d_model]
  logits: tf.Tensor2D; // [batch, 2]: column 0 "random", column 1 "next"
};

/** `hidden [batch, len, d_model]` → the `[CLS]` vector pooled by tanh(h W_p + b_p) → `logits [batch, 2]`. */
export function nspHead(hidden: tf.Tensor3D, weights: NspHeadWeights): NspHeadResult {
  return tf.tidy(() => {
    const [batch, , width] = hidden.shape;
    const cls = tf.reshape(tf.slice(hidden, [0, 0, 0], [batch, 1, width]), [batch, width]); // [batch, d_model]: position 0
    const pooled = tf.tanh(
      linear(cls, weights.poolerKernel as tf.Tensor2D, weights.poolerBias as tf.Tensor1D),
    ) as tf.Tensor2D; // [batch, d_model]
    const logits = linear(
      pooled,
      weights.classifierKernel as tf.Tensor2D,
      weights.classifierBias as tf.Tensor1D,
    ) as tf.Tensor2D; // [batch, 2]
    return { pooled, logits };
  });
}

/** Mean cross-entropy of `logits [batch, 2]` against `isNext [batch]` (int32, 1 = next). */
export function nspLoss(logits: tf.Tensor2D, isNext: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const truth = oneHotFloat(isNext, 2); // [batch, 2]
    return tf.neg(tf.mean(tf.sum(tf.mul(truth, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/**
 * Sets the MLM output bias to the log-frequencies of the training words (when the data has them; a
 * model made to load saved weights keeps its zeros), so training starts from the frequency guess.
 * From zeros, the frequencies had to be learned through the tied table, and the default run did not
 * get past that stage: on the English corpus its validation loss fell only to the frequency guess's
 * (about 5.4) while its answer, the same at every position, hopped between words ('the', `<unk>`,
 * another), ending its 500 steps below the baseline. The likely reason: Adam moves every embedding by about the
 * learning rate per step along the direction the head outputs, so within a hundred steps at 1e-3
 * that shared shift outweighs the N(0, 0.02²) start and the input words look alike. From the
 * priors the loss falls from the first evaluation and the guesses depend on the context.
 */
function startFromUnigram(mlm: MlmHeadWeights, data: RunData): void {
  if (!isMaskedLmData(data) || data.trainSentences.length === 0) return;
  const priors = logUnigramPriors(data.trainSentences, data.sourceVocab.size);
  tf.tidy(() => mlm.outputBias.assign(tf.tensor1d(priors))); // [vocab]
}

// ── The model ──────────────────────────────────────────────────────────────────────────────────

export function createBertModel(parameters: Parameters, hyper: Hyperparameters, data: RunData): ChapterModel {
  const sizes = bertSizes(hyper, data);
  const rate = Number(hyper.dropout);
  const nsp = hyper.nsp === true;
  const embeddings = createBertEmbeddings(parameters, sizes);
  const layers = Array.from({ length: sizes.layers }, (_, n) => createEncoderLayer(parameters, n, sizes));
  const mlm = createMlmHead(parameters, sizes);
  const nspWeights = nsp ? createNspHead(parameters, sizes) : null;
  startFromUnigram(mlm, data);

  function forward(batch: Batch, context: ForwardContext): ForwardOutput {
    const tape = createTape();
    const dropoutAt = (layer: number, site: number): DropoutOptions | undefined =>
      context.training && rate > 0 ? { rate, training: true, seed: dropoutSeed(context.seed, layer, site) } : undefined;
    const sourceIds = tape('source_ids', batch.inputs.source_ids as tf.Tensor2D); // [batch, len]
    const segmentIds = tape('segment_ids', batch.inputs.segment_ids as tf.Tensor2D); // [batch, len]
    const keep = paddingKeepMask(sourceIds); // [batch, 1, 1, len]: padding keys are never attended
    const embedded = bertEmbeddings(sourceIds, segmentIds, embeddings, dropoutAt(sizes.layers, 0));
    tape('token_embeddings', embedded.tokenEmbeddings); // [batch, len, d_model]
    tape('segment_embeddings', embedded.segmentEmbeddings); // [batch, len, d_model]
    let hidden = tape('embedding_output', embedded.output); // [batch, len, d_model]
    const attention: AttentionOutput[] = [];
    layers.forEach((weights, n) => {
      const layer = encoderLayer(hidden, keep, weights, (site) => dropoutAt(n, site));
      tape(`${ENCODER}/layer${n}/attention_weights`, layer.weights); // [batch, heads, queries, keys]
      hidden = tape(`${ENCODER}/layer${n}/output`, layer.output); // [batch, len, d_model]
      attention.push({
        kind: 'self',
        stack: 'encoder',
        layer: n,
        weights: layer.weights,
        keep,
        rows: 'source',
        columns: 'source',
      });
    });
    const positions = tape('mlm_positions', batch.inputs.mlm_positions as tf.Tensor2D); // [batch, predictions]
    const selected = tape('mlm_hidden', gatherPositions(hidden, positions)); // [batch, predictions, d_model]
    const head = mlmHead(selected, mlm, embeddings.tokens as tf.Tensor2D);
    tape('mlm_transformed', head.transformed); // [batch, predictions, d_model]
    const logits = tape('logits', head.logits); // [batch, predictions, vocab]
    tape('target_ids', batch.targets); // [batch, predictions]
    tape('loss_mask', batch.lossMask); // [batch, predictions]: 1 for a selected position, 0 for a padding slot
    let auxiliaryLoss: tf.Scalar | undefined;
    if (nspWeights) {
      const next = nspHead(hidden, nspWeights);
      tape('cls_pooled', next.pooled); // [batch, d_model]
      tape('nsp_logits', next.logits); // [batch, 2]
      const isNext = tape('is_next', batch.inputs.is_next as tf.Tensor1D); // [batch]
      auxiliaryLoss = nspLoss(next.logits, isNext);
    }
    return { logits, named: tape.named, attention, ...(auxiliaryLoss ? { auxiliaryLoss } : {}) };
  }

  return { parameters, forward };
}
