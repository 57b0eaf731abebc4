/**
 * Chapter self-attention: its info, model and diagnostics; the positions kit's data on a sequence
 * task of one fixed length; Adam; the diagonal / anti-diagonal self-checks.
 */
import type { SelfCheckResult } from '../../../shared/run/records';
import { argmaxShare, meanRowEntropy } from '../../checks/attention';
import { positionData, type PositionData } from '../../kits/positions/data';
import { makePositionBatch } from '../../kits/positions/data';
import { generateSequenceTask, isSequenceTask, type AlphabetName } from '../../tasks/sequences';
import { disposeBatch } from '../../train/batches';
import { adamOptimizer } from '../../train/optimizers';
import { checkResult } from '../../train/snapshot';
import type { Chapter, ChapterModel, RunData } from '../contract';
import { scalingFigures, workedExampleFigures } from './diagnostics';
import { ANTI_DIAGONAL, DIAGONAL, info } from './info';
import { createSelfAttentionModel } from './model';

/** Rows checked by the diagonal checks and the entropy metric: the first validation examples. */
const CHECKED_EXAMPLES = 256;

function onValidation<T>(data: RunData, measure: (batch: ReturnType<typeof makePositionBatch>) => T): T {
  const batch = makePositionBatch((data as PositionData).validation.slice(0, CHECKED_EXAMPLES));
  try {
    return measure(batch);
  } finally {
    disposeBatch(batch);
  }
}

export const chapter: Chapter = {
  info,
  prepare({ task, hyperparameters: hyper, seed }) {
    if (!isSequenceTask(task)) throw new Error(`unknown task ${task}`);
    const length = Number(hyper.length);
    const generated = generateSequenceTask(task, {
      seed,
      trainSize: Number(hyper.trainSize),
      validationSize: Number(hyper.validationSize),
      testSize: Number(hyper.testSize),
      minLength: length,
      maxLength: length,
      alphabet: hyper.alphabet as AlphabetName,
    });
    const data = positionData(generated, seed, length);
    return {
      ...data,
      // The entropy of the learner's own model at its own d_k, beside the declared accuracy metrics.
      evaluate(model: ChapterModel) {
        const evaluation = data.evaluate(model);
        evaluation.values.attention_entropy = onValidation(data, (batch) => meanRowEntropy(model, batch));
        return evaluation;
      },
    };
  },
  createModel: createSelfAttentionModel,
  createOptimizer: (hyper) => adamOptimizer(Number(hyper.learningRate)),
  checks({ model, data, task }): SelfCheckResult[] {
    if (task === 'copy') {
      // Copy can match content: any position holding the same token gives the right answer.
      const share = onValidation(data, (batch) =>
        argmaxShare(model, batch, ({ query, key, ids }) => ids[key] === ids[query]),
      );
      return [checkResult(DIAGONAL, share, 'at-least', 0.9)];
    }
    if (task === 'reverse') {
      const share = onValidation(data, (batch) =>
        argmaxShare(model, batch, ({ query, key, length }) => key === length - 1 - query),
      );
      return [checkResult(ANTI_DIAGONAL, share, 'at-least', 0.9)];
    }
    return [];
  },
  figures: (hyper) => [...scalingFigures(Number(hyper.length)), ...workedExampleFigures()],
};
