/**
 * Chapter transformer: its info and model; the seq2seq kit's data with the leaked-mass metric
 * added; AdamW with linear warm-up and cosine decay; the causal-mask self-checks; the positional
 * encoding and the learning-rate schedule as figures.
 */
import type { Hyperparameters } from '../../../shared/course/chapter';
import type { Figure, SelfCheckResult } from '../../../shared/run/records';
import { packFloat32 } from '../../../shared/run/packed';
import type { EncodedExample } from '../../kits/seq2seq/batch';
import { seq2seqData, type Seq2SeqData } from '../../kits/seq2seq/data';
import { createRandom, type Random } from '../../random';
import { warmupCosineSchedule, type LearningRateSchedule } from '../../nn/schedule';
import { adamwOptimizer } from '../../train/optimizers';
import { checkResult } from '../../train/snapshot';
import type { Chapter, ChapterModel, Evaluation, RunData } from '../contract';
import { CAUSAL_PERTURBATION, LEAKED_MASS, POSITIONAL_ENCODING, info } from './info';
import { causalPerturbation, leakedMass, positionEncodingError, type LeakedMass } from './measures';
import { createTransformerModel, positionEncoding } from './model';

/** Validation examples the causal perturbation runs on (each with every cut t). */
const PERTURBED_EXAMPLES = 16;
/** The cosine ends at this share of the peak learning rate. */
const FINAL_RATE_SHARE = 0.1;
/** Causal perturbation and positional encoding pass at this largest difference. */
export const EXACT_TOLERANCE = 1e-6;

/**
 * The learning-rate schedule: linear warm-up over `warmupSteps` (at most a quarter of the run),
 * then half a cosine from the peak down to a tenth of it at the run's last step.
 */
export function transformerSchedule(hyper: Hyperparameters, totalSteps: number): LearningRateSchedule {
  const total = Math.max(totalSteps, 2);
  const warmup = Math.min(Number(hyper.warmupSteps), Math.floor(total / 4));
  const peak = Number(hyper.learningRate);
  return warmupCosineSchedule(peak, warmup, total, peak * FINAL_RATE_SHARE);
}

/**
 * The batches of one epoch, shuffled without grouping by length: every batch mixes the task's
 * formats. (The kit groups similar lengths to save padding, which suits the GRU chapters; here a
 * batch of one or two date formats made learning about twice as slow per step as mixed batches,
 * which cost more padding. Padding is masked either way.)
 */
function mixedBatches(train: EncodedExample[], batchSize: number, random: Random): EncodedExample[][] {
  const order = random.shuffle(train.map((_, i) => i));
  const batches: EncodedExample[][] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    batches.push(order.slice(start, start + batchSize).map((i) => train[i]));
  }
  return batches;
}

/** Steps in one epoch of this run's data at its batch size. */
function stepsPerEpoch(data: RunData, hyper: Hyperparameters): number {
  return data.epochBatches(1, Number(hyper.batchSize)).length;
}

const fixed = (x: number) => (x === 0 ? '0' : x < 1e-3 ? x.toExponential(2) : x.toFixed(4));

function figures(hyper: Hyperparameters, data: RunData): Figure[] {
  const validation = (data as Seq2SeqData).validation;
  const length = Math.max(...validation.map((item) => item.sourceIds.length));
  const modelSize = Number(hyper.dModel);
  const table = positionEncoding(length, modelSize);
  const values = table.dataSync();
  table.dispose();
  const steps = stepsPerEpoch(data, hyper) * Number(hyper.epochs);
  const schedule = transformerSchedule(hyper, steps);
  const every = Math.max(1, Math.floor(steps / 200));
  const points: [number, number][] = [];
  for (let step = 1; step <= steps; step += every) points.push([step, schedule(step)]);
  if (points[points.length - 1]?.[0] !== steps) points.push([steps, schedule(steps)]);
  return [
    {
      type: 'matrix',
      id: 'positional-encoding',
      title: { en: 'Sinusoidal positional encoding', 'zh-cn': '正弦位置编码' },
      note: {
        en: `PE[pos, 2i] = sin(pos / 10000^(2i/${modelSize})), PE[pos, 2i+1] = cos(…): row 0 is [0, 1, 0, 1, …]; the first columns turn fastest. These are the values the model adds to the scaled embeddings (float32).`,
        'zh-cn': `PE[pos, 2i] = sin(pos / 10000^(2i/${modelSize}))，PE[pos, 2i+1] = cos(…)：第 0 行是 [0, 1, 0, 1, …]；越靠前的列转得越快。这正是模型加到缩放后嵌入上的值（float32）。`,
      },
      rowLabel: { en: 'position', 'zh-cn': '位置' },
      columnLabel: { en: 'feature of d_model', 'zh-cn': 'd_model 的特征' },
      values: { rows: length, columns: modelSize, data: packFloat32(values) },
      scale: 'diverging',
    },
    {
      type: 'lines',
      id: 'learning-rate-schedule',
      title: { en: 'Learning rate: warm-up, then cosine decay', 'zh-cn': '学习率：预热，然后余弦衰减' },
      note: {
        en: `AdamW; linear warm-up over ${Math.min(Number(hyper.warmupSteps), Math.floor(Math.max(steps, 2) / 4))} steps to ${String(hyper.learningRate)}, then half a cosine down to a tenth of it at step ${steps}`,
        'zh-cn': `AdamW；在 ${Math.min(Number(hyper.warmupSteps), Math.floor(Math.max(steps, 2) / 4))} 步内线性预热到 ${String(hyper.learningRate)}，然后沿半个余弦下降，到第 ${steps} 步时降为它的十分之一`,
      },
      xLabel: { en: 'optimiser step', 'zh-cn': '优化步数' },
      yLabel: { en: 'learning rate', 'zh-cn': '学习率' },
      xScale: 'linear',
      yScale: 'linear',
      series: [{ label: { en: 'learning rate', 'zh-cn': '学习率' }, dashed: false, points }],
    },
  ];
}

/** The leaked mass the evaluation just measured on these weights, if it did. */
function measuredLeak(evaluation: Evaluation | undefined): LeakedMass | null {
  const measured = evaluation?.measured as Partial<LeakedMass> | undefined;
  return typeof measured?.mean === 'number' && Array.isArray(measured.perLayer) ? (measured as LeakedMass) : null;
}

function checks(model: ChapterModel, data: Seq2SeqData, evaluation?: Evaluation): SelfCheckResult[] {
  const validation = data.validation;
  const longest = [...validation].sort((a, b) => b.sourceIds.length - a.sourceIds.length).slice(0, 1);
  const positions = positionEncodingError(model, longest);
  const perturbation = causalPerturbation(model, validation.slice(0, PERTURBED_EXAMPLES), data.targetVocab.size);
  // The evaluation has just measured it on the same weights (1.4 s over 1000 examples at the defaults).
  const leak = measuredLeak(evaluation) ?? leakedMass(model, validation);
  const layers = leak.perLayer.map((value, n) => `${n}: ${fixed(value)}`).join(', ');
  return [
    checkResult(POSITIONAL_ENCODING, positions.error, 'at-most', EXACT_TOLERANCE, {
      detail: {
        en: `positions 0…${positions.positions - 1}, every feature`,
        'zh-cn': `位置 0…${positions.positions - 1}，全部特征`,
      },
    }),
    checkResult(CAUSAL_PERTURBATION, perturbation.maxDifference, 'at-most', EXACT_TOLERANCE, {
      detail: {
        en: `${perturbation.cuts} cuts (${PERTURBED_EXAMPLES} validation examples × every t): largest |Δ logit| at positions ≤ t is ${perturbation.maxDifference.toExponential(2)}`,
        'zh-cn': `${perturbation.cuts} 个切点（${PERTURBED_EXAMPLES} 个验证样本 × 每个 t）：位置 ≤ t 的 logit 最大变化为 ${perturbation.maxDifference.toExponential(2)}`,
      },
    }),
    checkResult(LEAKED_MASS, leak.mean, 'at-most', 0, {
      detail: {
        en: `mean per decoder layer ${layers}; largest row ${fixed(leak.max)} (${leak.rows} rows of the validation set)`,
        'zh-cn': `各解码器层平均 ${layers}；最大的一行 ${fixed(leak.max)}（验证集 ${leak.rows} 行）`,
      },
    }),
  ];
}

export const chapter: Chapter = {
  info,
  prepare(options) {
    const data = seq2seqData(options);
    return {
      ...data,
      epochBatches: (epoch, batchSize) =>
        mixedBatches(data.train, batchSize, createRandom(options.seed * 7919 + epoch)),
      evaluate(model) {
        const evaluation = data.evaluate(model);
        const leak = leakedMass(model, data.validation);
        evaluation.values.leaked_mass = leak.mean;
        return { ...evaluation, measured: leak };
      },
    } satisfies Seq2SeqData;
  },
  createModel: createTransformerModel,
  // AdamW with β₂ 0.98 and ε 1e-9 as the original Transformer; weight decay on matrices only.
  createOptimizer: (hyper, { parameters, stepsPerEpoch: steps }) =>
    adamwOptimizer(parameters, transformerSchedule(hyper, steps * Number(hyper.epochs)), {
      beta1: 0.9,
      beta2: 0.98,
      epsilon: 1e-9,
      weightDecay: Number(hyper.weightDecay),
    }),
  checks: ({ model, data, evaluation }) => checks(model, data as Seq2SeqData, evaluation),
  gradientGroups(name) {
    const layer = /^(encoder|decoder)\/layer(\d+)\//.exec(name);
    if (layer) return `${layer[1]}/layer${layer[2]}`;
    if (name.endsWith('/embeddings')) return 'embeddings';
    return 'output';
  },
  figures,
};
