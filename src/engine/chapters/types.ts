/**
 * What the trainer needs from a chapter's model. The trainer knows nothing else about chapters.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ChapterInfo, RunConfig } from '../../protocol/run';
import type { Parameters } from '../nn/parameters';

/** One batch as tensors. Sources and targets are padded with `<pad>` (id 0) to the batch's longest. */
export interface BatchTensors {
  sourceIds: tf.Tensor2D; // [batch, source_len] int32
  sourceMask: tf.Tensor2D; // [batch, source_len] 1 = token, 0 = padding
  decoderInputIds: tf.Tensor2D; // [batch, target_len] int32: <bos> + target
  targetIds: tf.Tensor2D; // [batch, target_len] int32: target + <eos>
  targetMask: tf.Tensor2D; // [batch, target_len] 1 = token (incl. <eos>), 0 = padding
}

/** The tensors of one teacher-forced forward pass, by the names `shapes.json` uses. */
export type NamedTensors = Record<string, tf.Tensor>;

export interface TeacherForcedOutput {
  logits: tf.Tensor3D; // [batch, target_len, target_vocab]
  /** `[batch, target_len, source_len]`, or null for a model without attention. */
  attentionWeights: tf.Tensor3D | null;
  /** Every named intermediate tensor, for the shape table. */
  named: NamedTensors;
}

export interface GreedyOutput {
  tokens: tf.Tensor2D; // [batch, steps] int32, predicted ids (continuing after <eos>; readers cut there)
  attentionWeights: tf.Tensor3D | null; // [batch, steps, source_len]: one row per generated token
}

export interface Seq2SeqModel {
  readonly parameters: Parameters;
  /** Training and validation forward pass (call inside tf.tidy or variableGrads). */
  teacherForced(batch: BatchTensors): TeacherForcedOutput;
  /** Inference: feeds each prediction back, for `steps` steps, with no read-back from the backend. */
  greedy(sourceIds: tf.Tensor2D, sourceMask: tf.Tensor2D, steps: number): GreedyOutput;
}

export interface ModelSizes {
  sourceVocabSize: number;
  targetVocabSize: number;
  embeddingSize: number;
  hiddenSize: number;
  attentionSize: number;
}

/** Hyperparameters with chapter defaults (as recorded in config.json); CLI flags and settings override them. */
export type ChapterDefaults = Pick<
  RunConfig,
  'task' | 'epochs' | 'batchSize' | 'learningRate' | 'hiddenSize' | 'embeddingSize' | 'attentionSize' | 'clipNorm'
>;

export interface TrainableChapter {
  info: ChapterInfo;
  defaults: ChapterDefaults;
  createModel(parameters: Parameters, sizes: ModelSizes): Seq2SeqModel;
}
