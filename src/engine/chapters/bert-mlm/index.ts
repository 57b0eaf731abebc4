/**
 * Chapter bert-mlm: its info and model; the masked language model kit's data on a text corpus
 * (kits/maskedLm); AdamW with linear warm-up then cosine decay; gradient norms per layer.
 */
import { maskedLmData } from '../../kits/maskedLm/data';
import { warmupCosineSchedule } from '../../nn/schedule';
import { adamwOptimizer } from '../../train/optimizers';
import { TrainError } from '../../train/runConfig';
import type { Chapter } from '../contract';
import { MASKED_WORDS_TASK, info } from './info';
import { createBertModel } from './model';

export const chapter: Chapter = {
  info,
  prepare({ task, hyperparameters: hyper, seed, corpus, saved }) {
    if (task !== MASKED_WORDS_TASK)
      throw new TrainError(`unknown task ${task} for bert-mlm: it has ${MASKED_WORDS_TASK}`);
    const modelSize = Number(hyper.dModel);
    const heads = Number(hyper.heads);
    if (modelSize % heads !== 0) {
      throw new TrainError(
        `d_model ${modelSize} must split into ${heads} equal heads (choose --heads dividing --d-model)`,
      );
    }
    return maskedLmData({
      corpus,
      seed,
      maxWords: Number(hyper.vocabSize),
      maxLength: Number(hyper.maxLength),
      selectionProbability: Number(hyper.maskProbability),
      nsp: hyper.nsp === true,
      validationSize: Number(hyper.validationSize),
      stepsPerEvaluation: Number(hyper.evalSteps),
      saved,
    });
  },
  createModel: createBertModel,
  createOptimizer(hyper, { parameters, stepsPerEpoch }) {
    // Warm-up, then half a cosine down to 0 at the last step of the run (epochs = evaluations).
    const total = Math.max(2, Number(hyper.epochs) * stepsPerEpoch);
    const warmup = Math.min(Number(hyper.warmupSteps), total - 1);
    return adamwOptimizer(parameters, warmupCosineSchedule(Number(hyper.learningRate), warmup, total), {
      weightDecay: Number(hyper.weightDecay),
    });
  },
  gradientGroups(name) {
    const layer = /^encoder\/layer(\d+)\//.exec(name);
    if (layer) return `layer${layer[1]}`;
    if (name.startsWith('embeddings/')) return 'embeddings';
    if (name.startsWith('mlm/')) return 'mlm_head';
    if (name.startsWith('nsp/')) return 'nsp_head';
    return null;
  },
};
