/**
 * The data of a source → target chapter (seq2seq, attention-seq2seq, luong-attention,
 * transformer) on a generated task (dates, phrases): batching, evaluation, probes, prediction.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Prediction, Sample } from '../../../shared/run/records';
import type { ChapterModel, FullMap, PrepareOptions, ProbeResult, RunData } from '../../chapters/contract';
import { createRandom } from '../../random';
import { generateTask, isTaskName, joinTokens, tokenize } from '../../tasks';
import type { TaskData } from '../../tasks/types';
import { BOS_ID, EOS_ID, SPECIAL_TOKENS } from '../../tasks/vocab';
import { tidy } from '../../nn/tidy';
import { disposeBatch } from '../../train/batches';
import { greedyDecode } from '../../train/decode';
import { packFinalMap } from '../../train/snapshot';
import { attentionStats, forwardMaps, generatedMaps, readAttention } from '../../train/probeMaps';
import { encodeLearnerTokens } from '../learnerText';
import { encodeExamples, makeSeq2SeqBatch, shuffledBatches, type EncodedExample } from './batch';
import { bucketEdges, decodingSteps, evaluateSeq2Seq } from './evaluate';
import { seq2seqFinalReport } from './report';

const EOS = SPECIAL_TOKENS[EOS_ID];
const BOS = SPECIAL_TOKENS[BOS_ID];
/** Validation examples shown as samples at every evaluation. */
const SAMPLE_COUNT = 8;
/** Longest answer `predict` generates before giving up on `<eos>`. */
const MAX_PREDICTED_TOKENS = 40;

function integerOf(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`${name} must be a whole number`);
  return value;
}

export interface Seq2SeqData extends RunData {
  readonly task: TaskData;
  readonly train: EncodedExample[];
  readonly validation: EncodedExample[];
}

/** The tokens that label an example's maps: source, target + `<eos>` (rows), `<bos>` + target (decoder inputs). */
function axisTokens(example: { source: string[]; target: string[] }) {
  return { source: example.source, target: [...example.target, EOS], decoderInput: [BOS, ...example.target] };
}

/**
 * The encoder's maps in generated mode: the encoder reads only the source, and greedy decoding's
 * `start` runs the same evaluation pass over it, so while the model generates its encoder attends
 * exactly as in the teacher-forced pass. Shown beside the decoder's rows, the three families
 * (encoder self, decoder masked self, cross) are there in both modes.
 */
function encoderMapsWhileGenerating(maps: FullMap[]): FullMap[] {
  return maps.filter((map) => map.stack === 'encoder').map((map) => ({ ...map, mode: 'generated' as const }));
}

/** Probes: the teacher-forced forward pass and greedy decoding, every map cut to the probe's tokens. */
function probeSeq2Seq(model: ChapterModel, probes: EncodedExample[], data: Seq2SeqData) {
  const batch = makeSeq2SeqBatch(probes);
  try {
    const read = tidy(() => model.forward(batch, { training: false, seed: 0 }).attention);
    const forward = readAttention(read);
    const stats = read.length > 0 ? attentionStats(forward) : null;
    tf.dispose(read.flatMap((a) => [a.weights, ...(a.keep ? [a.keep] : [])]));
    const generated = model.decoder
      ? greedyDecode(model.decoder, batch.inputs, probes.length, decodingSteps(probes), BOS_ID, true)
      : null;
    const ids = generated ? (generated.tokens.arraySync() as number[][]) : probes.map(() => []);
    const values = generated ? generated.attention.map((a) => a.weights.dataSync() as Float32Array) : [];
    const results: ProbeResult[] = probes.map((item, i) => {
      const eos = ids[i].indexOf(EOS_ID);
      const produced = eos === -1 ? ids[i] : ids[i].slice(0, eos + 1);
      const predicted = produced.map((id) => data.targetVocab.token(id));
      const tokens = axisTokens(item.example);
      const maps = forwardMaps(forward, i, tokens);
      if (generated) {
        const generatedTokens = { source: item.example.source, decoderInput: [BOS, ...predicted.slice(0, -1)] };
        maps.push(...encoderMapsWhileGenerating(maps));
        maps.push(...generatedMaps(generated.attention, values, i, predicted, generatedTokens));
      }
      return { source: item.example.source, target: item.example.target, predicted, maps };
    });
    if (generated) tf.dispose([generated.tokens, ...generated.attention.map((a) => a.weights)]);
    return { probes: results, stats };
  } finally {
    disposeBatch(batch);
  }
}

function predictSeq2Seq(model: ChapterModel, data: Seq2SeqData, text: string): Prediction {
  const source = tokenize(text, data.level);
  if (source.length === 0) throw new Error('the text is empty');
  const { ids, unknownTokens } = encodeLearnerTokens(source, data.sourceVocab);
  const item: EncodedExample = {
    example: { source, target: [] },
    sourceIds: ids,
    decoderInputIds: [BOS_ID],
    targetIds: [EOS_ID],
  };
  if (!model.decoder) throw new Error('this model cannot generate');
  const batch = makeSeq2SeqBatch([item]);
  try {
    const generated = greedyDecode(model.decoder, batch.inputs, 1, MAX_PREDICTED_TOKENS, BOS_ID, true);
    const row = (generated.tokens.arraySync() as number[][])[0];
    const values = generated.attention.map((a) => a.weights.dataSync() as Float32Array);
    const eos = row.indexOf(EOS_ID);
    const predicted = (eos === -1 ? row : row.slice(0, eos + 1)).map((id) => data.targetVocab.token(id));
    tf.dispose([generated.tokens, ...generated.attention.map((a) => a.weights)]);
    // The encoder's maps of this source (a forward pass; its decoder input is only <bos>).
    const read = tidy(() =>
      model.forward(batch, { training: false, seed: 0 }).attention.filter((a) => a.stack === 'encoder'),
    );
    const encoder = forwardMaps(readAttention(read), 0, { source });
    tf.dispose(read.flatMap((a) => [a.weights, ...(a.keep ? [a.keep] : [])]));
    const maps = [
      ...encoderMapsWhileGenerating(encoder),
      ...generatedMaps(generated.attention, values, 0, predicted, {
        source,
        decoderInput: [BOS, ...predicted.slice(0, -1)],
      }),
    ].map(packFinalMap);
    return { source, predicted, maps, unknownTokens };
  } finally {
    disposeBatch(batch);
  }
}

/** Generates the task and builds the run's data (deterministic under the seed). */
export function seq2seqData(options: PrepareOptions): Seq2SeqData {
  const { task: taskName, hyperparameters: hyper, seed } = options;
  if (!isTaskName(taskName)) throw new Error(`unknown task ${taskName}`);
  const task = generateTask(taskName, {
    seed,
    trainSize: integerOf(hyper.trainSize, 'trainSize'),
    validationSize: integerOf(hyper.validationSize, 'validationSize'),
    testSize: integerOf(hyper.testSize, 'testSize'),
  });
  const encode = (examples: typeof task.train) => encodeExamples(examples, task.sourceVocab, task.targetVocab);
  const train = encode(task.train);
  const validation = encode(task.validation);
  const probes = encode(task.probes);
  const sourceLengths = train.map((item) => item.sourceIds.length);
  const edges = bucketEdges(validation.map((item) => item.sourceIds.length));
  const data: Seq2SeqData = {
    task,
    train,
    validation,
    level: task.level,
    sourceVocab: task.sourceVocab,
    targetVocab: task.targetVocab,
    summary: `train=${train.length} validation=${validation.length} test=${task.test.length}`,
    epochBatches: (epoch, batchSize) =>
      shuffledBatches(sourceLengths, batchSize, createRandom(seed * 7919 + epoch)).map((indices) =>
        indices.map((i) => train[i]),
      ),
    batch: (items) => makeSeq2SeqBatch(items as EncodedExample[]),
    firstBatch: (size) => makeSeq2SeqBatch(train.slice(0, size)),
    evaluate(model) {
      const evaluation = evaluateSeq2Seq(model, validation, task.targetVocab, edges);
      const samples: Sample[] = validation.slice(0, SAMPLE_COUNT).map((item, i) => ({
        source: joinTokens(item.example.source, task.level),
        target: joinTokens(item.example.target, task.level),
        predicted: joinTokens(evaluation.decoded[i].tokens, task.level),
        sourceTokens: item.example.source,
        targetTokens: item.example.target,
        predictedTokens: evaluation.decoded[i].tokens,
        correct: evaluation.correct[i],
      }));
      return {
        values: {
          val_loss: evaluation.loss,
          val_token_accuracy: evaluation.tokenAccuracy,
          val_exact_match: evaluation.exactMatch,
        },
        buckets: evaluation.buckets,
        samples,
      };
    },
    probe: (model) => probeSeq2Seq(model, probes, data),
    finalReport: (model, shapes, log) => seq2seqFinalReport(model, data, encode(task.test), shapes, log),
    predict: (model, text) => predictSeq2Seq(model, data, text),
  };
  return data;
}
