/**
 * Chapter transformer-encoder: its info, model, figures and checks; the positions kit's data on a
 * sequence task of varied length; AdamW with a linear warm-up, then a cosine decay to 0 (the
 * default) or a constant rate; gradient norms per layer.
 */
import type { Hyperparameters } from '../../../shared/course/chapter';
import type { SelfCheckResult } from '../../../shared/run/records';
import { positionData } from '../../kits/positions/data';
import { generateSequenceTask, isSequenceTask, type AlphabetName } from '../../tasks/sequences';
import { adamwOptimizer } from '../../train/optimizers';
import { warmupConstantSchedule, warmupCosineSchedule, type LearningRateSchedule } from '../../nn/schedule';
import type { Chapter } from '../contract';
import { alignmentCheck, positionEncodingCheck } from './checks';
import { positionFigures } from './figures';
import { info } from './info';
import { createTransformerEncoder, gradientGroupOf } from './model';

/** Adam's moments as the original Transformer set them (β₂ 0.98, ε 1e-9). */
export const ADAM_BETA2 = 0.98;
export const ADAM_EPSILON = 1e-9;

/**
 * Linear warm-up over `warmupSteps`, then constant, or (`schedule: cosine`) half a cosine down to 0
 * at the run's last step (epochs × steps per epoch; a resumed run with more epochs stretches it).
 */
export function learningRateSchedule(hyper: Hyperparameters, stepsPerEpoch: number): LearningRateSchedule {
  const peak = Number(hyper.learningRate);
  const warmup = Number(hyper.warmupSteps);
  const total = Number(hyper.epochs) * stepsPerEpoch;
  return hyper.schedule === 'cosine' && total > warmup
    ? warmupCosineSchedule(peak, warmup, total)
    : warmupConstantSchedule(peak, warmup);
}

export const chapter: Chapter = {
  info,
  prepare({ task, hyperparameters: hyper, seed }) {
    if (!isSequenceTask(task)) throw new Error(`unknown task ${task}`);
    const minLength = Number(hyper.minLength);
    const maxLength = Number(hyper.maxLength);
    if (minLength > maxLength) throw new Error(`minLength ${minLength} exceeds maxLength ${maxLength}`);
    const generated = generateSequenceTask(task, {
      seed,
      trainSize: Number(hyper.trainSize),
      validationSize: Number(hyper.validationSize),
      testSize: Number(hyper.testSize),
      minLength,
      maxLength,
      alphabet: hyper.alphabet as AlphabetName,
    });
    return positionData(generated, seed, maxLength);
  },
  createModel: createTransformerEncoder,
  createOptimizer: (hyper, { parameters, stepsPerEpoch }) =>
    adamwOptimizer(parameters, learningRateSchedule(hyper, stepsPerEpoch), {
      beta2: ADAM_BETA2,
      epsilon: ADAM_EPSILON,
      weightDecay: Number(hyper.weightDecay),
    }),
  checks(context): SelfCheckResult[] {
    return [...positionEncodingCheck(context), ...alignmentCheck(context)];
  },
  gradientGroups: gradientGroupOf,
  figures: (hyper) => positionFigures(Number(hyper.maxLength), Number(hyper.dModel), String(hyper.positions)),
};
