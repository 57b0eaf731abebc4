/**
 * The run data of a masked language model on a text corpus (chapter bert-mlm): the corpus read and
 * split (training text, then the last 10% for validation, never trained on), a word vocabulary of
 * the training text's most frequent words, sentence pairs drawn per evaluation period, masks drawn
 * per batch from a seeded generator, the selection histogram of the batches actually trained on,
 * evaluation (MLM loss, masked-token accuracy, the most-frequent-token baseline, NSP accuracy),
 * probes, samples and fill-in.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Prediction, RunConfig, Sample } from '../../../shared/run/records';
import type { FillResult } from '../../../shared/protocol/engine';
import type { Batch, ChapterModel, Evaluation, ProbeSet, RunData } from '../../chapters/contract';
import { CorpusError, buildWordVocab, loadCorpus, splitText, type Corpus } from '../../corpus';
import { dropoutSeed } from '../../nn/dropout';
import { maskedCrossEntropy } from '../../nn/loss';
import { tidy } from '../../nn/tidy';
import { createRandom, type Random } from '../../random';
import { joinTokens } from '../../tasks';
import { UNK_ID, Vocab } from '../../tasks/vocab';
import { disposeBatch } from '../../train/batches';
import { formatSampleLine } from '../../train/format';
import { attentionStats, forwardMaps, readAttention } from '../../train/probeMaps';
import { TrainError } from '../../train/runConfig';
import { packFinalMap } from '../../train/snapshot';
import { makeMlmBatch, predictionPositions, type MlmExample } from './batch';
import { DEFAULT_FILL_TOP, FillError, fillMasks, readFill } from './fill';
import {
  REPLACED_BY_MASK,
  addCounts,
  countSelection,
  emptyCounts,
  maskSequence,
  type MaskingOptions,
  type SelectionCounts,
} from './masking';
import {
  encodeSentences,
  makePair,
  pairInput,
  pairStarts,
  splitSentences,
  type Sentence,
  type SentencePair,
} from './pairs';

/** The keys of the values `evaluate` returns; the chapter declares them as its metrics. */
export const MLM_METRICS = {
  loss: 'val_loss',
  maskedAccuracy: 'val_masked_accuracy',
  baseline: 'val_baseline_accuracy',
  nspAccuracy: 'val_nsp_accuracy',
  tokens: 'mlm_tokens',
  selected: 'mlm_selected',
  masked: 'mlm_masked',
  randomised: 'mlm_randomised',
  kept: 'mlm_kept',
} as const;

export const DEFAULT_CORPUS = 'en';
const SAMPLE_COUNT = 8;
const PROBE_COUNT = 3;
/** Probes are chosen among validation examples at most this long (readable maps). */
const PROBE_MAX_LENGTH = 32;
const EVALUATION_BATCH = 64;

export interface MaskedLmSettings {
  /** `en`, `zh` or a path (PrepareOptions.corpus); default `en`. */
  corpus?: string;
  seed: number;
  /** Words kept in the vocabulary (the most frequent of the training text); the others are `<unk>`. */
  maxWords: number;
  /** Positions of the model: a pair `[CLS] A [SEP] B [SEP]` is cut to fit. */
  maxLength: number;
  /** BERT's 15%: the probability that an ordinary token is selected. */
  selectionProbability: number;
  /** Next-sentence prediction: half the pairs get a random B. */
  nsp: boolean;
  /** Validation examples (validation pairs, each with its own fixed masks; cycled when there are fewer pairs). */
  validationSize: number;
  /** Optimiser steps per evaluation period (the chapter's training unit). */
  stepsPerEvaluation: number;
  /** A saved run's data (fill, predict): the vocabulary comes from it and the corpus is not read. */
  saved?: RunConfig['data'];
}

/** One training example before masking; its batch's masks are drawn from `batchSeed`. */
export interface TrainingItem {
  pair: SentencePair;
  epoch: number;
  batchIndex: number;
  batchSeed: number;
}

export interface MaskedLmData extends RunData {
  readonly settings: MaskedLmSettings;
  /** Training sentences (empty when prepared from a saved run). */
  readonly trainSentences: readonly Sentence[];
  /** Validation examples with their fixed masks. */
  readonly validation: readonly MlmExample[];
  /** The most frequent token of the training text (the baseline's constant guess). */
  readonly mostFrequentId: number;
  /** The masked examples of a batch of training items (what `batch` turns into tensors). */
  maskItems(items: readonly TrainingItem[]): MlmExample[];
  /** The selection histogram of the batches made since the last evaluation (each batch counted once). */
  selectionSinceEvaluation(): SelectionCounts | null;
  /** Top predictions and attention at each `[MASK]` of `text` (FillError for a text that cannot be asked). */
  fill(model: ChapterModel, text: string, top?: number): FillResult;
}

export function isMaskedLmData(data: RunData): data is MaskedLmData {
  return typeof (data as Partial<MaskedLmData>).fill === 'function';
}

function readCorpus(spec: string): Corpus {
  try {
    return loadCorpus(spec);
  } catch (error) {
    // One line, before the run folder exists: the CLI's exit 2.
    if (error instanceof CorpusError) throw new TrainError(error.message);
    throw error;
  }
}

function tokenStrings(ids: readonly number[], vocab: Vocab): string[] {
  return ids.map((id) => vocab.token(id));
}

/** The most frequent id of some sentences. */
function mostFrequent(sentences: readonly Sentence[]): number {
  const counts = new Map<number, number>();
  for (const sentence of sentences) for (const id of sentence.ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  let best = UNK_ID;
  let bestCount = -1;
  for (const [id, count] of counts)
    if (count > bestCount || (count === bestCount && id < best)) [best, bestCount] = [id, count];
  return best;
}

/**
 * The log of each token's share of the training text, add-one smoothed so a token never seen (the
 * special ones) gets a finite, very low value: `[vocab]`. The MLM head's output bias starts from it.
 */
export function logUnigramPriors(sentences: readonly Sentence[], vocabSize: number): Float32Array {
  const counts = new Float64Array(vocabSize).fill(1);
  let total = vocabSize;
  for (const sentence of sentences)
    for (const id of sentence.ids) {
      counts[id]++;
      total++;
    }
  return Float32Array.from(counts, (count) => Math.log(count / total));
}

/** Masks the pairs with one generator (the batch's, or the validation set's). */
function maskPairs(
  pairs: readonly SentencePair[],
  random: Random,
  masking: MaskingOptions,
  maxLength: number,
): MlmExample[] {
  return pairs.map((pair) => {
    const input = pairInput(pair, maxLength);
    return { ...maskSequence(input.ids, random, masking), segments: input.segments, isNext: pair.isNext };
  });
}

interface Measured {
  loss: number;
  maskedAccuracy: number;
  baselineAccuracy: number;
  nspAccuracy: number | null;
  /** Per example, the argmax at each of its prediction positions (`predictionPositions`). */
  best: number[][];
}

/** MLM loss over selected positions; accuracy and baseline over the positions replaced by `[MASK]`; NSP accuracy. */
function measure(model: ChapterModel, examples: readonly MlmExample[], mostFrequentId: number): Measured {
  let lossSum = 0;
  let selected = 0;
  let maskedPositions = 0;
  let hits = 0;
  let baselineHits = 0;
  let nspRight = 0;
  let nspCount = 0;
  const best: number[][] = [];
  for (let start = 0; start < examples.length; start += EVALUATION_BATCH) {
    const chunk = examples.slice(start, start + EVALUATION_BATCH);
    const batch = makeMlmBatch(chunk);
    const output = tidy(() => {
      const result = model.forward(batch, { training: false, seed: 0 });
      const count = tf.sum(batch.lossMask);
      const loss = tf.mul(maskedCrossEntropy(result.logits, batch.targets, batch.lossMask), count);
      const nspLogits = result.named.nsp_logits;
      return {
        argmax: tf.argMax(result.logits, 2), // [batch, predictions]
        summary: tf.stack([loss, count]), // [2]
        nsp: nspLogits ? tf.argMax(nspLogits, 1) : null, // [batch]
      };
    });
    const ids = output.argmax.arraySync() as number[][];
    const [loss, count] = output.summary.dataSync();
    const nsp = output.nsp ? output.nsp.dataSync() : null;
    tf.dispose([output.argmax, output.summary, ...(output.nsp ? [output.nsp] : [])]);
    disposeBatch(batch);
    lossSum += loss;
    selected += count;
    chunk.forEach((example, i) => {
      const positions = predictionPositions(example);
      best.push(ids[i].slice(0, positions.length));
      positions.forEach((position, slot) => {
        if (example.selection[position] !== REPLACED_BY_MASK) return;
        maskedPositions++;
        if (ids[i][slot] === example.original[position]) hits++;
        if (example.original[position] === mostFrequentId) baselineHits++;
      });
      if (nsp) {
        nspCount++;
        if ((nsp[i] === 1) === example.isNext) nspRight++;
      }
    });
  }
  return {
    loss: lossSum / Math.max(selected, 1),
    maskedAccuracy: hits / Math.max(maskedPositions, 1),
    baselineAccuracy: baselineHits / Math.max(maskedPositions, 1),
    nspAccuracy: nspCount > 0 ? nspRight / nspCount : null,
    best,
  };
}

/** The input with each selected position replaced by the model's prediction there (`best`: one per prediction position). */
function predictedIds(example: MlmExample, best: readonly number[]): number[] {
  const ids = [...example.input];
  predictionPositions(example).forEach((position, slot) => (ids[position] = best[slot]));
  return ids;
}

function sampleOf(example: MlmExample, best: readonly number[], vocab: Vocab): Sample {
  const sourceTokens = tokenStrings(example.input, vocab);
  const targetTokens = tokenStrings(example.original, vocab);
  const predictedTokens = tokenStrings(predictedIds(example, best), vocab);
  return {
    source: joinTokens(sourceTokens, 'word'),
    target: joinTokens(targetTokens, 'word'),
    predicted: joinTokens(predictedTokens, 'word'),
    sourceTokens,
    targetTokens,
    predictedTokens,
    correct: predictionPositions(example).every((position, slot) => best[slot] === example.original[position]),
  };
}

function probeExamples(model: ChapterModel, examples: readonly MlmExample[], vocab: Vocab): ProbeSet {
  if (examples.length === 0) return { probes: [], stats: null };
  const batch = makeMlmBatch(examples);
  try {
    const output = tidy(() => {
      const result = model.forward(batch, { training: false, seed: 0 });
      return { attention: result.attention, best: tf.argMax(result.logits, 2) };
    });
    const read = readAttention(output.attention);
    const best = output.best.arraySync() as number[][]; // [batch, predictions]
    tf.dispose([output.best, ...output.attention.flatMap((a) => [a.weights, ...(a.keep ? [a.keep] : [])])]);
    return {
      probes: examples.map((example, i) => {
        const source = tokenStrings(example.input, vocab);
        return {
          source,
          target: tokenStrings(example.original, vocab),
          predicted: tokenStrings(predictedIds(example, best[i]), vocab),
          maps: forwardMaps(read, i, { source }),
        };
      }),
      stats: read.length > 0 ? attentionStats(read) : null,
    };
  } finally {
    disposeBatch(batch);
  }
}

/** The shortest-enough validation examples with at least one `[MASK]`, for the probes. */
function chooseProbes(validation: readonly MlmExample[]): MlmExample[] {
  const readable = validation.filter(
    (example) => example.input.length <= PROBE_MAX_LENGTH && example.selection.includes(REPLACED_BY_MASK),
  );
  return (readable.length >= PROBE_COUNT ? readable : [...validation]).slice(0, PROBE_COUNT);
}

/** Data prepared from a saved run: the vocabulary only (fill, predict); nothing to train or evaluate on. */
function savedOnly(settings: MaskedLmSettings, saved: RunConfig['data']): MaskedLmData {
  const vocab = Vocab.fromJSON(saved.sourceVocab);
  const unavailable = (): never => {
    throw new Error('this data was prepared from a saved run for fill-in: it has no corpus to train or evaluate on');
  };
  return {
    settings,
    trainSentences: [],
    validation: [],
    mostFrequentId: UNK_ID,
    level: 'word',
    sourceVocab: vocab,
    targetVocab: vocab,
    ...(saved.corpus ? { corpus: saved.corpus } : {}),
    summary: `vocab=${vocab.size} (from the saved run)`,
    epochBatches: unavailable,
    batch: unavailable,
    firstBatch: unavailable,
    evaluate: unavailable,
    probe: unavailable,
    finalReport: unavailable,
    maskItems: unavailable,
    selectionSinceEvaluation: () => null,
    predict: (model, text) => predictFromFill(model, vocab, settings.maxLength, text),
    fill: (model, text, top) => fillMasks(model, vocab, settings.maxLength, text, top ?? DEFAULT_FILL_TOP),
  };
}

/** `predict` for a masked language model: each `[MASK]` filled with its most probable token, and every map. */
function predictFromFill(model: ChapterModel, vocab: Vocab, maxLength: number, text: string): Prediction {
  const read = readFill(model, vocab, maxLength, text);
  const predicted = [...read.typedTokens];
  read.maskPositions.forEach((position, i) => {
    let best = 0;
    read.probabilities[i].forEach((p, id) => {
      if (p > read.probabilities[i][best]) best = id;
    });
    predicted[position] = vocab.token(best);
  });
  return { source: read.typedTokens, predicted, maps: read.maps.map(packFinalMap), unknownTokens: read.unknownTokens };
}

/** Builds the run data; a corpus that cannot be read or is too small is a one-line TrainError. */
export function maskedLmData(settings: MaskedLmSettings): MaskedLmData {
  if (settings.saved) return savedOnly(settings, settings.saved);
  const spec = settings.corpus ?? DEFAULT_CORPUS;
  const corpus = readCorpus(spec);
  const { seed, maxLength } = settings;
  const text = splitText(corpus.text);
  const trainDocuments = splitSentences(text.train);
  const validationDocuments = splitSentences(text.validation);
  const vocab = buildWordVocab(trainDocuments.flat(2), settings.maxWords);
  const trainSentences = encodeSentences(trainDocuments, vocab);
  const validationSentences = encodeSentences(validationDocuments, vocab);
  const trainStarts = pairStarts(trainSentences);
  const validationStarts = pairStarts(validationSentences);
  if (trainStarts.length === 0 || validationStarts.length === 0) {
    throw new TrainError(
      `corpus too small: ${corpus.name} needs two consecutive sentences in its first 90% and in its last 10% (validation); it has ${trainSentences.length} and ${validationSentences.length} sentences`,
    );
  }
  if (vocab.size <= 7) throw new TrainError(`corpus too small: ${corpus.name} has no words to learn`);
  const masking: MaskingOptions = { probability: settings.selectionProbability, vocabSize: vocab.size };
  const mostFrequentId = mostFrequent(trainSentences);

  // Validation: fixed pairs and masks, the same at every evaluation.
  const validationRandom = createRandom(dropoutSeed(seed, 0x5eed, 1));
  const validationOrder = validationRandom.shuffle([...validationStarts]);
  const validationPairs = Array.from({ length: settings.validationSize }, (_, i) =>
    makePair(validationSentences, validationOrder[i % validationOrder.length], settings.nsp, validationRandom),
  );
  const validation = maskPairs(validationPairs, validationRandom, masking, maxLength);
  const probes = chooseProbes(validation);

  // The selection histogram: counts of each batch made, by evaluation period and batch index (a
  // batch made twice, e.g. for the backend's timing steps, has the same masks and is counted once).
  const periods = new Map<number, Map<number, SelectionCounts>>();

  const maskItems = (items: readonly TrainingItem[]): MlmExample[] => {
    const random = createRandom(items[0].batchSeed);
    return maskPairs(
      items.map((item) => item.pair),
      random,
      masking,
      maxLength,
    );
  };

  const tokensTotal = trainSentences.reduce((sum, sentence) => sum + sentence.ids.length, 0);
  const unknown = trainSentences.reduce((sum, s) => sum + s.ids.filter((id) => id === UNK_ID).length, 0);
  const data: MaskedLmData = {
    settings,
    trainSentences,
    validation,
    mostFrequentId,
    level: 'word',
    sourceVocab: vocab,
    targetVocab: vocab,
    corpus: { name: corpus.name, bytes: corpus.bytes, sha256: corpus.sha256, source: spec },
    summary:
      `corpus=${corpus.name} train_sentences=${trainSentences.length} train_tokens=${tokensTotal} ` +
      `validation=${validation.length} (from ${validationSentences.length} sentences) vocab=${vocab.size} ` +
      `unk=${((100 * unknown) / Math.max(tokensTotal, 1)).toFixed(1)}% most_frequent='${vocab.token(mostFrequentId)}'`,
    epochBatches(epoch, batchSize) {
      const random = createRandom(dropoutSeed(seed, epoch, 2));
      const order = random.shuffle([...trainStarts]);
      return Array.from({ length: settings.stepsPerEvaluation }, (_, batchIndex) => {
        const batchSeed = dropoutSeed(seed, epoch, batchIndex, 3);
        return Array.from({ length: batchSize }, (_, k) => {
          const start = order[(batchIndex * batchSize + k) % order.length];
          const item: TrainingItem = {
            pair: makePair(trainSentences, start, settings.nsp, random),
            epoch,
            batchIndex,
            batchSeed,
          };
          return item;
        });
      });
    },
    batch(items): Batch {
      const training = items as TrainingItem[];
      const examples = maskItems(training);
      const { epoch, batchIndex } = training[0];
      if (!periods.has(epoch)) periods.set(epoch, new Map());
      periods.get(epoch)!.set(batchIndex, countSelection(examples));
      return makeMlmBatch(examples);
    },
    firstBatch: (size) => makeMlmBatch(validation.slice(0, Math.max(1, Math.min(size, validation.length)))),
    maskItems,
    selectionSinceEvaluation() {
      if (periods.size === 0) return null;
      const latest = Math.max(...periods.keys());
      let total = emptyCounts();
      for (const counts of periods.get(latest)!.values()) total = addCounts(total, counts);
      periods.clear();
      return total;
    },
    evaluate(model): Evaluation {
      const measured = measure(model, validation, mostFrequentId);
      const values: Record<string, number> = {
        [MLM_METRICS.loss]: measured.loss,
        [MLM_METRICS.maskedAccuracy]: measured.maskedAccuracy,
        [MLM_METRICS.baseline]: measured.baselineAccuracy,
      };
      if (measured.nspAccuracy !== null) values[MLM_METRICS.nspAccuracy] = measured.nspAccuracy;
      const histogram = data.selectionSinceEvaluation();
      if (histogram) {
        values[MLM_METRICS.tokens] = histogram.tokens;
        values[MLM_METRICS.selected] = histogram.selected;
        values[MLM_METRICS.masked] = histogram.masked;
        values[MLM_METRICS.randomised] = histogram.randomised;
        values[MLM_METRICS.kept] = histogram.kept;
      }
      const samples = validation.slice(0, SAMPLE_COUNT).map((example, i) => sampleOf(example, measured.best[i], vocab));
      return { values, samples };
    },
    probe: (model) => probeExamples(model, probes, vocab),
    finalReport(model, shapes, log) {
      const measured = measure(model, validation, mostFrequentId);
      log(
        `final val_loss=${measured.loss.toFixed(4)} val_masked_acc=${measured.maskedAccuracy.toFixed(4)} ` +
          `baseline_acc=${measured.baselineAccuracy.toFixed(4)} (always '${vocab.token(mostFrequentId)}')` +
          (measured.nspAccuracy !== null ? ` val_nsp_acc=${measured.nspAccuracy.toFixed(4)} (chance 0.5)` : ''),
      );
      const weights = shapes.find((entry) => entry.name === 'encoder/layer0/attention_weights');
      const logits = shapes.find((entry) => entry.name === 'logits');
      if (weights && logits) {
        log(
          `attention_shape=(${weights.dims.join(', ')})=(${weights.shape.join(', ')}) logits_shape=(${logits.dims.join(', ')})=(${logits.shape.join(', ')})`,
        );
      }
      for (let i = 0; i < Math.min(5, validation.length); i++) {
        const example = validation[i];
        log(
          formatSampleLine(
            { source: tokenStrings(example.input, vocab), target: tokenStrings(example.original, vocab) },
            tokenStrings(predictedIds(example, measured.best[i]), vocab),
            'word',
          ),
        );
      }
    },
    predict: (model, text) => predictFromFill(model, vocab, maxLength, text),
    fill: (model, text, top) => fillMasks(model, vocab, maxLength, text, top ?? DEFAULT_FILL_TOP),
  };
  return data;
}

export { FillError };
