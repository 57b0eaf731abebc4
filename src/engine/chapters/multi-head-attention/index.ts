/**
 * Chapter multi-head-attention: its info and model; the positions kit's data on a neighbour task
 * (src/engine/tasks/neighbours.ts) of one fixed length; Adam; the head-divergence metric and
 * self-checks (the heads differ more than at initialisation; they read the two neighbours).
 */
import type { Hyperparameters } from '../../../shared/course/chapter';
import type { SelfCheckResult } from '../../../shared/run/records';
import { makePositionBatch, positionData, type PositionData } from '../../kits/positions/data';
import { Parameters } from '../../nn/parameters';
import { createRandom } from '../../random';
import { generateNeighbourTask, isNeighbourTask } from '../../tasks/neighbours';
import { disposeBatch } from '../../train/batches';
import { adamOptimizer } from '../../train/optimizers';
import { checkResult } from '../../train/snapshot';
import type { Chapter, ChapterModel, RunData } from '../contract';
import { meanHeadDivergence, neighbourShare, neighbourWeights, readHeadWeights, type HeadWeights } from './heads';
import { HEADS_DIFFER, NEIGHBOURS, info } from './info';
import { createMultiHeadModel } from './model';

/** Rows measured by the head checks and the divergence metric: the first validation examples. */
export const CHECKED_EXAMPLES = 256;

/** The run's data, with the seed it was prepared under (the initial weights come from it). */
export interface MultiHeadData extends PositionData {
  readonly seed: number;
}

/** The attention weights of `model` on the first validation examples. */
export function validationHeads(model: ChapterModel, data: RunData): HeadWeights {
  const batch = makePositionBatch((data as PositionData).validation.slice(0, CHECKED_EXAMPLES));
  try {
    return readHeadWeights(model, batch);
  } finally {
    disposeBatch(batch);
  }
}

/**
 * The mean divergence between heads of the model as it was initialised: a fresh model built from
 * the run's seed and hyperparameters has exactly the initial weights (the trainer builds its own the
 * same way), measured on the same validation rows, then disposed. Computed, not stored, and kept
 * for the run once known.
 */
const baselines = new WeakMap<RunData, Map<string, number>>();

export function initialDivergence(data: MultiHeadData, hyper: Hyperparameters): number {
  const known = baselines.get(data) ?? new Map<string, number>();
  baselines.set(data, known);
  const key = JSON.stringify(hyper);
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  const parameters = new Parameters(createRandom(data.seed));
  try {
    const fresh = createMultiHeadModel(parameters, hyper, data);
    const value = meanHeadDivergence(validationHeads(fresh, data));
    known.set(key, value);
    return value;
  } finally {
    parameters.dispose();
  }
}

export const chapter: Chapter = {
  info,
  prepare({ task, hyperparameters: hyper, seed }): MultiHeadData {
    if (!isNeighbourTask(task)) throw new Error(`unknown task ${task}`);
    const length = Number(hyper.length);
    const generated = generateNeighbourTask(task, {
      seed,
      trainSize: Number(hyper.trainSize),
      validationSize: Number(hyper.validationSize),
      testSize: Number(hyper.testSize),
      minLength: length,
      maxLength: length,
    });
    const data = positionData(generated, seed, length);
    return {
      ...data,
      seed,
      // How different the heads' maps are, beside the declared accuracy metrics.
      evaluate(model: ChapterModel) {
        const evaluation = data.evaluate(model);
        evaluation.values.head_divergence = meanHeadDivergence(validationHeads(model, data));
        return evaluation;
      },
    };
  },
  createModel: createMultiHeadModel,
  createOptimizer: (hyper) => adamOptimizer(Number(hyper.learningRate)),
  checks({ model, data, hyperparameters }): SelfCheckResult[] {
    const heads = validationHeads(model, data);
    const value = meanHeadDivergence(heads);
    const baseline = initialDivergence(data as MultiHeadData, hyperparameters);
    const single = Number(hyperparameters.heads) === 1;
    const differ = {
      // Strictly greater: a model whose heads are no more different than at initialisation fails.
      ...checkResult(HEADS_DIFFER, value, 'at-least', baseline, {
        baseline,
        ...(single
          ? { detail: { en: 'one head: there is no other head to differ from', 'zh-cn': '只有一个头：没有别的头可比' } }
          : {}),
      }),
      pass: Number.isFinite(value) && value > baseline,
    };
    const neighbours = neighbourWeights(heads);
    const perHead = neighbours.left
      .map((left, h) => `${h + 1}: ← ${left.toFixed(2)} → ${neighbours.right[h].toFixed(2)}`)
      .join(' · ');
    return [
      differ,
      checkResult(NEIGHBOURS, neighbourShare(neighbours), 'at-least', 0.9, {
        detail: {
          en: `mean weight of each head on the left (←) and right (→) neighbour, head ${perHead}`,
          'zh-cn': `每个头在左邻居（←）和右邻居（→）上的平均权重，头 ${perHead}`,
        },
      }),
    ];
  },
};
