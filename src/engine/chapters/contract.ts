/**
 * The chapter contract: what the trainer, the evaluation, the probes and the CLI need from a
 * chapter, for every kind of model of the course (encoder–decoder, encoder-only with one output
 * per position, decoder-only language model). docs/architecture.md explains it with diagrams.
 *
 * A chapter is one folder `src/engine/chapters/<id>/`: `info.ts` (plain data: title, contract,
 * tasks, hyperparameters, variants, metrics, glossary; no TensorFlow), `model.ts` (the model, one
 * function or class per block) and `index.ts` exporting `chapter: Chapter`. The trainer knows
 * chapters only through this file.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ChapterInfo, Hyperparameters } from '../../shared/course/chapter';
import type {
  AttentionKind,
  AttentionMode,
  AttentionStack,
  Figure,
  LengthBucket,
  Prediction,
  Sample,
  SelfCheckResult,
  ShapeEntry,
  RunConfig,
} from '../../shared/run/records';
import type { Parameters } from '../nn/parameters';
import type { Vocab } from '../tasks/vocab';

/**
 * One batch: named input tensors plus `targets` and a `lossMask`, so one masked cross-entropy
 * serves seq2seq targets, next-token prediction and masked positions alike.
 */
export interface Batch {
  /** e.g. `source_ids [batch, source_len]`, `decoder_input_ids [batch, target_len]`. */
  inputs: Record<string, tf.Tensor>;
  /** `[batch, positions]` int32: the token each output position should predict. */
  targets: tf.Tensor2D;
  /** `[batch, positions]` float32: 1 where the position counts in the loss, 0 elsewhere (padding, unmasked tokens…). */
  lossMask: tf.Tensor2D;
}

/** Which token list labels the rows or the columns of an attention map. */
export type TokenAxis = 'source' | 'target' | 'decoderInput';

/** One attention of a forward pass, for the probes, the checks and the shape table. */
export interface AttentionOutput {
  kind: AttentionKind;
  stack: AttentionStack;
  /** 0-based layer. */
  layer: number;
  /** `[batch, heads, queries, keys]`: every row sums to 1 over its allowed keys. */
  weights: tf.Tensor4D;
  /** Broadcastable to `weights`: 1 = may attend, 0 = masked (padding, future); null when nothing is masked. */
  keep: tf.Tensor | null;
  rows: TokenAxis;
  columns: TokenAxis;
  /** Grouped-query attention: the key/value head each query head reads. */
  kvHeadOf?: number[];
}

export interface ForwardContext {
  /** Dropout is active only when training. */
  training: boolean;
  /** A seed for this forward pass's randomness (dropout), different at every step. */
  seed: number;
}

export interface ForwardOutput {
  /** `[batch, positions, vocab]`: the only tensor that enters the cross-entropy. */
  logits: tf.Tensor3D;
  /** Every named tensor of the pass, by the names of the chapter's glossary (the shape table). */
  named: Record<string, tf.Tensor>;
  attention: AttentionOutput[];
  /** A second training objective added to the cross-entropy (e.g. next-sentence prediction). */
  auxiliaryLoss?: tf.Scalar;
}

/** The tensors a decoder carries from one step to the next (encoder outputs, recurrent state, a KV cache…). */
export type DecoderState = Record<string, tf.Tensor>;

/** The attention of one decoding step: one row per map. */
export interface StepAttention {
  kind: AttentionKind;
  stack: AttentionStack;
  layer: number;
  /** `[batch, heads, keys]` (keys grow step by step for self-attention). */
  weights: tf.Tensor3D;
  columns: TokenAxis;
  kvHeadOf?: number[];
}

export interface StepOutput {
  /** `[batch, vocab]`: scores of the next token. */
  logits: tf.Tensor2D;
  state: DecoderState;
  attention: StepAttention[];
}

/**
 * Autoregressive decoding as one start/step pair, shared by greedy decoding, sampling and a KV
 * cache (src/engine/train/decode.ts runs the loop).
 */
export interface Decoder {
  /** Reads the inputs (encodes the source, or the prompt) and returns the first state. */
  start(inputs: Record<string, tf.Tensor>): DecoderState;
  /** One step: `previous [batch]` (int32, the token fed back), `position` its 0-based index. */
  step(state: DecoderState, previous: tf.Tensor1D, position: number): StepOutput;
}

export interface ChapterModel {
  readonly parameters: Parameters;
  /** One forward pass over a whole batch (teacher forcing for decoders); call inside tf.tidy or variableGrads. */
  forward(batch: Batch, context: ForwardContext): ForwardOutput;
  decoder?: Decoder;
}

/** An attention map at full precision, before it is rounded into a snapshot (checks read these). */
export interface FullMap {
  kind: AttentionKind;
  stack: AttentionStack;
  layer: number;
  head: number;
  kvHead?: number;
  mode: AttentionMode;
  rowTokens: string[];
  columnTokens: string[];
  /** Row-major `rows × columns`. */
  weights: Float32Array;
  /** Row-major, 1 = may attend; null when nothing is masked. */
  keep: Uint8Array | null;
}

/** The largest |Σ row − 1| and the largest weight on a masked cell, over whole (padded) batches, in float32. */
export interface AttentionStats {
  maxRowDeviation: number;
  maxMaskedWeight: number;
  /** How many masked cells there were (0: the masked-zero check had nothing to check). */
  maskedCells: number;
}

/** The probes of one snapshot, and the attention statistics of their forward pass (null: no attention). */
export interface ProbeSet {
  probes: ProbeResult[];
  stats: AttentionStats | null;
}

/** One probe example's attention at full precision. */
export interface ProbeResult {
  source: string[];
  target: string[];
  predicted: string[];
  maps: FullMap[];
}

export interface Evaluation {
  /** Every metric the chapter declares, by key. */
  values: Record<string, number>;
  buckets?: LengthBucket[];
  /** A handful of validation examples with what the model predicted. */
  samples: Sample[];
  /**
   * What the chapter measured on the way that its own checks may reuse for the same weights (the
   * transformer's leaked mass per layer), handed back in `CheckContext.evaluation`; never written.
   */
  measured?: unknown;
}

/**
 * A run's data and everything that depends on it (batching, evaluation, probes, prediction).
 * Built by a chapter's `prepare`, usually through one of the shared kits (src/engine/kits).
 */
export interface RunData {
  readonly level: 'char' | 'word';
  readonly sourceVocab: Vocab;
  readonly targetVocab: Vocab;
  /** The corpus a language model read: its name, size, sha256 and where it came from (`en`, `zh` or a path). */
  readonly corpus?: { name: string; bytes: number; sha256: string; source: string };
  /** `train=… validation=… test=…`: the sizes for the log. */
  readonly summary: string;
  /** The batches of one epoch (or evaluation period), each a list of items the trainer passes back to `batch`. */
  epochBatches(epoch: number, batchSize: number): unknown[][];
  /** The tensors of one batch; the caller disposes them (`disposeBatch`). */
  batch(items: unknown[]): Batch;
  /** A batch of the first training items (for the shape table). */
  firstBatch(size: number): Batch;
  /** The declared metrics on the validation split. */
  evaluate(model: ChapterModel): Evaluation;
  /** The fixed probe examples' attention. */
  probe(model: ChapterModel): ProbeSet;
  /** Lines the CLI prints when training ends (test metrics, the course's shapes, samples). */
  finalReport(model: ChapterModel, shapes: ShapeEntry[], log: (line: string) => void): void;
  /** Decodes what a learner typed. */
  predict(model: ChapterModel, text: string): Prediction;
}

/** What a chapter's self-checks see at each snapshot. */
export interface CheckContext {
  model: ChapterModel;
  data: RunData;
  hyperparameters: Hyperparameters;
  task: string;
  probes: ProbeSet;
  /** The evaluation just made on the same weights, when the checks follow one (not for a preview). */
  evaluation?: Evaluation;
}

/** A tensor with the name it is saved under. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** A learning-rate schedule and the optimiser state the trainer saves with the weights. */
export interface TrainOptimizer {
  /** Applies gradients for optimiser step `step` (1-based). */
  applyGradients(gradients: tf.NamedTensorMap, step: number): void;
  /** The learning rate at `step`. */
  learningRate(step: number): number;
  /** The optimiser's state as new tensors, which the caller disposes. */
  getWeights(): Promise<NamedTensor[]>;
  setWeights(weights: NamedTensor[]): Promise<void>;
  dispose(): void;
}

export interface OptimizerContext {
  parameters: Parameters;
  /** Optimiser steps in one epoch (or evaluation period) of this run. */
  stepsPerEpoch: number;
}

export interface PrepareOptions {
  task: string;
  hyperparameters: Hyperparameters;
  seed: number;
  /**
   * The text a language model trains on: a built-in corpus id (`en`, `zh`) or a file or folder
   * path (src/engine/corpus). Chapters on generated tasks ignore it.
   */
  corpus?: string;
  /**
   * Set when the data is prepared to use a saved model (predict, sample, fill), not to train: the
   * saved run's data record, so a chapter may take its vocabularies from it instead of reading
   * its corpus again (the corpus may have moved or changed since).
   */
  saved?: RunConfig['data'];
}

export interface Chapter {
  info: ChapterInfo;
  /** The run's data, deterministic under the seed. */
  prepare(options: PrepareOptions): RunData;
  createModel(parameters: Parameters, hyperparameters: Hyperparameters, data: RunData): ChapterModel;
  /** The optimiser and its learning-rate schedule (`stepsPerEpoch` lets a schedule end with the run). */
  createOptimizer(hyperparameters: Hyperparameters, context: OptimizerContext): TrainOptimizer;
  /** Chapter-specific self-checks, beside the generic ones (rows sum to 1, masked weight 0). */
  checks?(context: CheckContext): SelfCheckResult[];
  /**
   * The group a weight's gradient is reported in (e.g. `layer2`), or null: the trainer records the
   * gradient norm of each group in its step lines (`gradient_norms`), so the panel can chart, say,
   * how the gradients of each layer change through training.
   */
  gradientGroups?(weightName: string): string | null;
  /**
   * Diagnostics of the run (figures.json), computed when it starts, from its hyperparameters and
   * data and the model it trains (a new run's initial weights, a resumed run's saved ones; the
   * trainer always passes it, a caller that only wants the run's declared figures may not).
   */
  figures?(hyperparameters: Hyperparameters, data: RunData, model?: ChapterModel): Figure[];
  /**
   * Figures measured on the model as trained so far (e.g. its generation speed), asked after every
   * evaluation; none returned changes nothing. Each one returned replaces the figure of the same id
   * (or is added): figures.json is rewritten before the evaluation's metrics line and the new list
   * travels with the evaluation to the panel.
   */
  trainedFigures?(context: TrainedFiguresContext): Figure[];
}

/** What `trainedFigures` sees after an evaluation. */
export interface TrainedFiguresContext {
  hyperparameters: Hyperparameters;
  data: RunData;
  model: ChapterModel;
  /** The evaluation just made (1-based), and whether it is the run's last planned one. */
  epoch: number;
  final: boolean;
}
