/**
 * Chapter mini-gpt: its info, model and optimiser; the language-model kit's data (a corpus,
 * random windows, validation against the bigram baseline, probes, samples, sampling); AdamW with
 * warm-up and cosine decay; the KV-cache and bigram self-checks; the learning-rate figure.
 */
import type { Hyperparameters } from '../../../shared/course/chapter';
import type { Figure, SelfCheckResult } from '../../../shared/run/records';
import { isLanguageModelData, languageModelData } from '../../kits/languageModel/data';
import { kvCacheDeviation } from '../../kits/languageModel/probe';
import { warmupCosineSchedule, type LearningRateSchedule } from '../../nn/schedule';
import { adamwOptimizer } from '../../train/optimizers';
import { TrainError } from '../../train/runConfig';
import { checkResult } from '../../train/snapshot';
import type { Chapter } from '../contract';
import { BEATS_BIGRAM, KV_CACHE, info } from './info';
import { createMiniGptModel } from './model';

/** The schedule's floor: a tenth of the peak, as nanoGPT's min_lr. */
const FLOOR_RATIO = 0.1;
/** AdamW's β₂ (nanoGPT's for small character models; PyTorch's default 0.999 adapts more slowly). */
const BETA2 = 0.99;
/** Tolerance of the KV-cache check, relative to the logits' scale. */
export const KV_CACHE_TOLERANCE = 1e-5;

/** Warm-up to the peak, then half a cosine down to a tenth of it at the last step of the run. */
export function learningRateSchedule(hyper: Hyperparameters, totalSteps: number): LearningRateSchedule {
  const peak = Number(hyper.learningRate);
  const total = Math.max(1, totalSteps);
  return warmupCosineSchedule(peak, Math.min(Number(hyper.warmupSteps), total - 1), total, peak * FLOOR_RATIO);
}

function scheduleFigure(hyper: Hyperparameters): Figure {
  const total = Number(hyper.epochs) * Number(hyper.stepsPerEvaluation);
  const schedule = learningRateSchedule(hyper, total);
  const points = Math.min(total, 200);
  return {
    type: 'lines',
    id: 'learning-rate',
    title: { en: 'Learning rate: warm-up, then cosine decay', 'zh-cn': '学习率：先预热，再余弦衰减' },
    note: {
      en: `Linear warm-up over ${Math.min(Number(hyper.warmupSteps), total - 1)} steps to ${String(hyper.learningRate)}, then half a cosine down to a tenth of it at step ${total}.`,
      'zh-cn': `先用 ${Math.min(Number(hyper.warmupSteps), total - 1)} 步线性预热到 ${String(hyper.learningRate)}，再按半个余弦周期在第 ${total} 步降到它的十分之一。`,
    },
    xLabel: { en: 'step', 'zh-cn': '步' },
    yLabel: { en: 'learning rate', 'zh-cn': '学习率' },
    xScale: 'linear',
    yScale: 'linear',
    series: [
      {
        label: { en: 'learning rate', 'zh-cn': '学习率' },
        dashed: false,
        points: Array.from({ length: points }, (_, i) => {
          const step = Math.max(1, Math.round(((i + 1) * total) / points));
          return [step, schedule(step)] as [number, number];
        }),
      },
    ],
  };
}

export const chapter: Chapter = {
  info,
  prepare(options) {
    const hyper = options.hyperparameters;
    if (options.task !== 'next-char') throw new TrainError(`unknown task '${options.task}' for mini-gpt`);
    if (Number(hyper.dModel) % Number(hyper.heads) !== 0) {
      throw new TrainError(
        `d_model ${String(hyper.dModel)} must split into ${String(hyper.heads)} equal heads (choose --d-model a multiple of --heads)`,
      );
    }
    return languageModelData(options, {
      context: Number(hyper.context),
      stepsPerEvaluation: Number(hyper.stepsPerEvaluation),
      maxChars: Number(hyper.maxChars),
      validationTokens: Number(hyper.validationTokens),
    });
  },
  createModel: createMiniGptModel,
  createOptimizer: (hyper, { parameters, stepsPerEpoch }) =>
    adamwOptimizer(parameters, learningRateSchedule(hyper, Number(hyper.epochs) * stepsPerEpoch), {
      beta2: BETA2,
      weightDecay: Number(hyper.weightDecay),
    }),
  checks({ model, data }): SelfCheckResult[] {
    if (!isLanguageModelData(data) || !data.probeTexts) return [];
    const texts = data.probeTexts;
    const cache = kvCacheDeviation(model, data.vocab, data.context, texts.prompt, texts.generated);
    const results = [
      checkResult(KV_CACHE, cache.deviation, 'at-most', KV_CACHE_TOLERANCE, {
        detail: {
          en: `${cache.steps} cached steps against one forward pass`,
          'zh-cn': `${cache.steps} 步缓存生成与一次前向计算对比`,
        },
      }),
    ];
    if (data.latest) {
      const below = data.latest.nats_below_bigram;
      results.push(
        checkResult(BEATS_BIGRAM, below, 'at-least', 0, {
          detail: {
            en: `validation ${data.latest.val_loss.toFixed(3)} nats, bigram ${data.latest.bigram_loss.toFixed(3)} nats`,
            'zh-cn': `验证集 ${data.latest.val_loss.toFixed(3)} 奈特，二元语法 ${data.latest.bigram_loss.toFixed(3)} 奈特`,
          },
        }),
      );
    }
    return results;
  },
  gradientGroups(name) {
    const layer = /^layer(\d+)\//.exec(name);
    if (layer) return `layer${layer[1]}`;
    if (name === 'embeddings' || name.startsWith('positions/')) return 'embeddings';
    return 'output';
  },
  figures: (hyper) => [scheduleFigure(hyper)],
};
