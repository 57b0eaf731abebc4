/**
 * The data of an encoder with one output per input position (self-attention, multi-head
 * attention, transformer-encoder) on a generated sequence task: batching, evaluation (loss,
 * per-position accuracy, exact match of the whole sequence), probes and prediction.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Prediction, Sample } from '../../../shared/run/records';
import type { Batch, ChapterModel, ProbeSet, RunData } from '../../chapters/contract';
import { maskedCrossEntropy } from '../../nn/loss';
import { tidy } from '../../nn/tidy';
import { createRandom } from '../../random';
import { joinTokens, tokenize } from '../../tasks';
import type { Example, TaskData } from '../../tasks/types';
import { PAD_ID } from '../../tasks/vocab';
import { disposeBatch } from '../../train/batches';
import { formatSampleLine } from '../../train/format';
import { packFinalMap } from '../../train/snapshot';
import { attentionStats, forwardMaps, readAttention } from '../../train/probeMaps';
import { chunks, shuffledBatches } from '../seq2seq/batch';
import { encodeLearnerTokens } from '../learnerText';

export interface PositionItem {
  example: Example;
  ids: number[];
  targetIds: number[];
}

const SAMPLE_COUNT = 8;

function padded(rows: number[][], width: number): Int32Array {
  const out = new Int32Array(rows.length * width).fill(PAD_ID);
  rows.forEach((row, i) => out.set(row, i * width));
  return out;
}

/** Inputs `source_ids [batch, len]` and `source_mask`; targets one per position; padding out of the loss. */
export function makePositionBatch(items: PositionItem[]): Batch {
  const batch = items.length;
  const length = Math.max(...items.map((item) => item.ids.length));
  const sourceIds = tf.tensor2d(
    padded(
      items.map((item) => item.ids),
      length,
    ),
    [batch, length],
    'int32',
  ); // [batch, len]
  const targets = tf.tensor2d(
    padded(
      items.map((item) => item.targetIds),
      length,
    ),
    [batch, length],
    'int32',
  ); // [batch, len]
  const sourceMask = tf.tidy(() => tf.cast(tf.notEqual(sourceIds, PAD_ID), 'float32')) as tf.Tensor2D; // [batch, len]
  return { inputs: { source_ids: sourceIds, source_mask: sourceMask }, targets, lossMask: tf.clone(sourceMask) };
}

export interface PositionEvaluation {
  loss: number;
  positionAccuracy: number;
  exactMatch: number;
  predicted: string[][];
  correct: boolean[];
}

export function evaluatePositions(
  model: ChapterModel,
  items: PositionItem[],
  data: RunData,
  batchSize = 256,
): PositionEvaluation {
  let lossSum = 0;
  let positions = 0;
  let hitsTotal = 0;
  const predicted: string[][] = [];
  const correct: boolean[] = [];
  for (const chunk of chunks(items, batchSize)) {
    const batch = makePositionBatch(chunk);
    const [argmax, hits, summary] = tidy(() => {
      const { logits } = model.forward(batch, { training: false, seed: 0 }); // [batch, len, vocab]
      const best = tf.argMax(logits, 2); // [batch, len]
      const right = tf.mul(tf.cast(tf.equal(best, batch.targets), 'float32'), batch.lossMask); // [batch, len]
      const count = tf.sum(batch.lossMask);
      const loss = tf.mul(maskedCrossEntropy(logits, batch.targets, batch.lossMask), count);
      return [best, tf.sum(right, 1), tf.stack([loss, count, tf.sum(right)])];
    });
    const [loss, count, right] = summary.dataSync();
    lossSum += loss;
    positions += count;
    hitsTotal += right;
    const ids = argmax.arraySync() as number[][];
    const perExample = hits.dataSync();
    chunk.forEach((item, i) => {
      predicted.push(ids[i].slice(0, item.ids.length).map((id) => data.targetVocab.token(id)));
      correct.push(perExample[i] === item.ids.length);
    });
    tf.dispose([argmax, hits, summary]);
    disposeBatch(batch);
  }
  return {
    loss: lossSum / Math.max(positions, 1),
    positionAccuracy: hitsTotal / Math.max(positions, 1),
    exactMatch: correct.filter(Boolean).length / Math.max(items.length, 1),
    predicted,
    correct,
  };
}

function probePositions(model: ChapterModel, probes: PositionItem[], data: RunData): ProbeSet {
  const batch = makePositionBatch(probes);
  try {
    const output = tidy(() => {
      const result = model.forward(batch, { training: false, seed: 0 });
      return { attention: result.attention, best: tf.argMax(result.logits, 2) };
    });
    const read = readAttention(output.attention);
    const ids = output.best.arraySync() as number[][];
    tf.dispose([output.best, ...output.attention.flatMap((a) => [a.weights, ...(a.keep ? [a.keep] : [])])]);
    return {
      probes: probes.map((item, i) => ({
        source: item.example.source,
        target: item.example.target,
        predicted: ids[i].slice(0, item.ids.length).map((id) => data.targetVocab.token(id)),
        maps: forwardMaps(read, i, { source: item.example.source }),
      })),
      stats: read.length > 0 ? attentionStats(read) : null,
    };
  } finally {
    disposeBatch(batch);
  }
}

export interface PositionData extends RunData {
  readonly task: TaskData;
  readonly train: PositionItem[];
  readonly validation: PositionItem[];
}

/**
 * Builds the run's data from a generated task. `maxLength` bounds what `predict` accepts (the
 * positions the model has).
 */
export function positionData(task: TaskData, seed: number, maxLength: number): PositionData {
  const encode = (examples: Example[]): PositionItem[] =>
    examples.map((example) => ({
      example,
      ids: task.sourceVocab.encode(example.source),
      targetIds: task.targetVocab.encode(example.target),
    }));
  const train = encode(task.train);
  const validation = encode(task.validation);
  const probes = encode(task.probes);
  const lengths = train.map((item) => item.ids.length);
  const data: PositionData = {
    task,
    train,
    validation,
    level: task.level,
    sourceVocab: task.sourceVocab,
    targetVocab: task.targetVocab,
    summary: `train=${train.length} validation=${validation.length} test=${task.test.length}`,
    epochBatches: (epoch, batchSize) =>
      shuffledBatches(lengths, batchSize, createRandom(seed * 7919 + epoch)).map((indices) =>
        indices.map((i) => train[i]),
      ),
    batch: (items) => makePositionBatch(items as PositionItem[]),
    firstBatch: (size) => makePositionBatch(train.slice(0, size)),
    evaluate(model) {
      const evaluation = evaluatePositions(model, validation, data);
      const samples: Sample[] = validation.slice(0, SAMPLE_COUNT).map((item, i) => ({
        source: joinTokens(item.example.source, task.level),
        target: joinTokens(item.example.target, task.level),
        predicted: joinTokens(evaluation.predicted[i], task.level),
        sourceTokens: item.example.source,
        targetTokens: item.example.target,
        predictedTokens: evaluation.predicted[i],
        correct: evaluation.correct[i],
      }));
      return {
        values: {
          val_loss: evaluation.loss,
          val_token_accuracy: evaluation.positionAccuracy,
          val_exact_match: evaluation.exactMatch,
        },
        samples,
      };
    },
    probe: (model) => probePositions(model, probes, data),
    finalReport(model, shapes, log) {
      const test = encode(task.test);
      const evaluation = evaluatePositions(model, test, data);
      log(
        `test_loss=${evaluation.loss.toFixed(4)} test_position_acc=${evaluation.positionAccuracy.toFixed(4)} test_exact=${evaluation.exactMatch.toFixed(4)}`,
      );
      const weights = shapes.find((entry) => entry.name === 'attention_weights');
      if (weights) log(`attention_shape=(${weights.dims.join(', ')})=(${weights.shape.join(', ')})`);
      for (let i = 0; i < Math.min(5, test.length); i++)
        log(formatSampleLine(test[i].example, evaluation.predicted[i], task.level));
    },
    predict(model, text): Prediction {
      const source = tokenize(text, task.level);
      if (source.length === 0) throw new Error('the text is empty');
      if (source.length > maxLength)
        throw new Error(`the model has ${maxLength} positions; the text has ${source.length} tokens`);
      const { ids, unknownTokens } = encodeLearnerTokens(source, task.sourceVocab);
      const item: PositionItem = { example: { source, target: [] }, ids, targetIds: ids };
      const set = probePositions(model, [item], data);
      const probe = set.probes[0];
      return { source, predicted: probe.predicted, maps: probe.maps.map(packFinalMap), unknownTokens };
    },
  };
  return data;
}
