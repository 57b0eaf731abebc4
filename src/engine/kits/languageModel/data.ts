/**
 * The data of a language model (mini-gpt; later modern-attention): a character-level corpus,
 * random training windows (`stepsPerEvaluation` batches per "epoch", the chapter's
 * `trainingUnit: 'evaluation'`), validation loss, bits per character, perplexity and the bigram
 * baseline on fixed validation windows, the probes, a sample of generated text at every
 * evaluation (samples/epoch-NNN.json: the panel replays the text getting better), prediction and
 * sampling for what a learner types.
 */
import type { PrepareOptions, ProbeSet, RunData } from '../../chapters/contract';
import type { ChapterModel } from '../../chapters/contract';
import type { Prediction, Sample } from '../../../shared/run/records';
import { createRandom } from '../../random';
import type { Vocab } from '../../tasks/vocab';
import { TrainError } from '../../train/runConfig';
import { packFinalMap } from '../../train/snapshot';
import { loadLanguageText, savedVocabulary, type CorpusRecord, type LanguageText } from './corpus';
import {
  meanValidationLoss,
  measures,
  validationSet,
  type LanguageModelMeasures,
  type ValidationSet,
} from './evaluate';
import { generatedMapsOf, probeLanguageModel, probeTexts, type ProbeTexts } from './probe';
import { Sampler, sampleText, type SampleOptions, type SampleResult, type SampleStep } from './sample';
import { makeWindowBatch, randomWindows, type Window } from './windows';

export interface LanguageModelSettings {
  /** The model's positions: training windows have `context` inputs and `context` targets. */
  context: number;
  stepsPerEvaluation: number;
  /** Keep only this many of the most frequent characters (the rest read as `<unk>`). */
  maxChars: number;
  /** Validation predictions per evaluation (the first ones of the validation split). */
  validationTokens: number;
}

/** Characters generated for each evaluation's samples. */
export const SAMPLE_TOKENS = 120;
/** The temperature of the sampled text recorded at every evaluation (the other sample is greedy). */
export const SAMPLE_TEMPERATURE = 0.8;
/** Characters `predict` generates (greedy) for "Try it". */
export const PREDICT_TOKENS = 40;

export interface LanguageModelData extends RunData {
  readonly vocab: Vocab;
  readonly context: number;
  /** The corpus's text as ids; null when prepared from a saved run (predict, sample). */
  readonly text: LanguageText | null;
  /** The measures of the latest evaluation (the chapter's checks read them). */
  readonly latest: LanguageModelMeasures | null;
  readonly probeTexts: ProbeTexts | null;
  /** Generates a whole text at once; `onStep` sees each token as it is made. */
  sample(model: ChapterModel, options: SampleOptions, onStep?: (step: SampleStep) => void): SampleResult;
  /** A generation to drive token by token (the worker interleaves it with training); dispose it. */
  sampler(model: ChapterModel, options: SampleOptions): Sampler;
}

export function isLanguageModelData(data: RunData): data is LanguageModelData {
  return typeof (data as Partial<LanguageModelData>).sampler === 'function';
}

function quoted(text: string): string {
  return JSON.stringify(text);
}

export function languageModelData(options: PrepareOptions, settings: LanguageModelSettings): LanguageModelData {
  const { seed } = options;
  const { context, stepsPerEvaluation } = settings;
  const text = options.saved ? null : loadLanguageText(options.corpus, settings.maxChars, context + 1);
  const vocab = text ? text.vocab : savedVocabulary(options.saved!);
  const corpus: CorpusRecord | undefined = text?.record ?? options.saved?.corpus;
  const texts = text ? probeTexts(text.validation, vocab, context) : null;
  let validation: ValidationSet | null = null;
  let latest: LanguageModelMeasures | null = null;

  const needText = (what: string): LanguageText => {
    if (!text) throw new TrainError(`${what} needs the corpus; this run was prepared from a saved model`);
    return text;
  };
  const validationOf = (): ValidationSet => {
    const { train, validation: ids } = needText('evaluation');
    validation ??= validationSet(train, ids, vocab.size, context, settings.validationTokens);
    return validation;
  };
  const run = { vocab, context };
  const sample = (model: ChapterModel, sampleOptions: SampleOptions, onStep?: (step: SampleStep) => void) =>
    sampleText(model, run, sampleOptions, onStep);

  /** A recorded sample: the probe's prompt continued by the model, beside the real continuation. */
  const recordedSample = (model: ChapterModel, temperature: number): Sample => {
    const { validation: ids } = needText('a sample');
    const prompt = texts!.prompt;
    const promptLength = [...prompt].length;
    const real = Array.from(ids.subarray(promptLength, promptLength + SAMPLE_TOKENS), (id) => vocab.token(id));
    const generated = sample(model, {
      prompt,
      maxTokens: SAMPLE_TOKENS,
      temperature,
      topK: 0,
      topP: 1,
      seed,
      attention: false,
    });
    return {
      source: prompt,
      target: real.join(''),
      predicted: generated.text,
      sourceTokens: [...prompt],
      targetTokens: real,
      predictedTokens: generated.tokens,
      correct: null,
    };
  };

  const data: LanguageModelData = {
    level: 'char',
    sourceVocab: vocab,
    targetVocab: vocab,
    ...(corpus ? { corpus } : {}),
    vocab,
    context,
    text,
    get latest() {
      return latest;
    },
    probeTexts: texts,
    summary: text
      ? `corpus=${text.record.name} (${text.record.bytes} bytes) vocab=${vocab.size} train=${text.train.length} validation=${text.validation.length} characters`
      : `vocab=${vocab.size} (saved)`,
    epochBatches(epoch, batchSize) {
      const { train } = needText('training');
      const random = createRandom(seed * 7919 + epoch);
      return Array.from({ length: stepsPerEvaluation }, () => randomWindows(random, batchSize, train.length, context));
    },
    batch: (items) => makeWindowBatch(needText('training').train, items as Window[], context),
    firstBatch(size) {
      const { train } = needText('training');
      const starts = Math.max(1, Math.floor((train.length - 1) / context));
      const windows = Array.from({ length: size }, (_, i) => ({ start: (i % starts) * context, scoredFrom: 0 }));
      return makeWindowBatch(train, windows, Math.min(context, train.length - 1));
    },
    evaluate(model) {
      const set = validationOf();
      latest = measures(meanValidationLoss(model, set), set.bigram);
      return {
        values: { ...latest },
        samples: [recordedSample(model, SAMPLE_TEMPERATURE), recordedSample(model, 0)],
      };
    },
    probe(model): ProbeSet {
      if (!texts) throw new TrainError('probes need the corpus; this run was prepared from a saved model');
      return probeLanguageModel(model, vocab, context, texts);
    },
    finalReport(model, shapes, log) {
      const set = validationOf();
      const final = latest ?? measures(meanValidationLoss(model, set), set.bigram);
      log(
        `val_loss=${final.val_loss.toFixed(4)} val_bpc=${final.val_bpc.toFixed(4)} val_perplexity=${final.val_perplexity.toFixed(3)} ` +
          `bigram=${set.bigram.nats.toFixed(4)} unigram=${set.bigram.unigramNats.toFixed(4)} uniform=${set.bigram.uniformNats.toFixed(4)} ` +
          `nats_below_bigram=${final.nats_below_bigram.toFixed(4)} (${set.predictions} validation characters)`,
      );
      const weights = shapes.find((entry) => entry.name === 'layer0/attention_weights');
      if (weights) log(`attention_shape=(${weights.dims.join(', ')})=(${weights.shape.join(', ')}) per layer`);
      const generated = sample(model, {
        prompt: texts!.prompt,
        maxTokens: SAMPLE_TOKENS,
        temperature: SAMPLE_TEMPERATURE,
        topK: 0,
        topP: 1,
        seed,
        attention: false,
      });
      log(
        `sample (temperature ${SAMPLE_TEMPERATURE}, seed ${seed}): ${quoted(texts!.prompt)} → ${quoted(generated.text)}`,
      );
    },
    predict(model, typed): Prediction {
      if ([...typed].length === 0) throw new Error('the text is empty');
      const generation = sample(model, {
        prompt: typed,
        maxTokens: PREDICT_TOKENS,
        temperature: 0,
        topK: 0,
        topP: 1,
        seed: 0,
        topCount: 1,
      });
      const maps = generatedMapsOf(generation.promptTokens, generation.steps, generation.tokens);
      return {
        source: generation.promptTokens,
        predicted: generation.tokens,
        maps: maps.map(packFinalMap),
        unknownTokens: generation.unknownTokens,
      };
    },
    sample,
    sampler: (model, sampleOptions) => new Sampler(model, run, sampleOptions),
  };
  return data;
}
