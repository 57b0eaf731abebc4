/**
 * Chapter modern-attention: its info, model and optimiser; mini-gpt's language-model kit for the
 * data (corpus, random windows, bigram baseline, probes, samples, sampling) and its learning-rate
 * schedule (AdamW, warm-up, cosine decay); the KV-cache, RoPE, tiled-attention and bigram
 * self-checks; the RoPE, KV-cache, score-memory and generation-speed figures (the speed timed
 * again on the trained model after the last evaluation); the KV cache as a metric of every evaluation.
 */
import type { SelfCheckResult } from '../../../shared/run/records';
import { isLanguageModelData, languageModelData } from '../../kits/languageModel/data';
import { kvCacheDeviation } from '../../kits/languageModel/probe';
import { adamwOptimizer } from '../../train/optimizers';
import { TrainError } from '../../train/runConfig';
import { checkResult } from '../../train/snapshot';
import type { Chapter } from '../contract';
import { KV_CACHE_TOLERANCE, learningRateSchedule } from '../mini-gpt/index';
import { isModernModel, ropeRelativeDeviation, tiledDeviation, ROPE_SHIFTS, CHECK_TILE } from './checks';
import { chapterFigures, chapterTrainedFigures } from './figures';
import { BEATS_BIGRAM, KV_CACHE, ROPE_RELATIVE, TILED_EQUALS, info } from './info';
import { kvCacheValues } from './measures';
import { configProblem, createModernAttentionModel } from './model';

/** AdamW's β₂, as mini-gpt's. */
const BETA2 = 0.99;
/** Tolerance of the RoPE and tiled-attention checks, relative to the scale of what they compare. */
export const CHECK_TOLERANCE = 1e-5;

export const chapter: Chapter = {
  info,
  prepare(options) {
    const hyper = options.hyperparameters;
    if (options.task !== 'next-char') throw new TrainError(`unknown task '${options.task}' for modern-attention`);
    const problem = configProblem({
      modelSize: Number(hyper.dModel),
      heads: Number(hyper.heads),
      kvHeads: Number(hyper.kvHeads),
    });
    if (problem) throw new TrainError(`${problem} (choose --d-model, --heads and --kv-heads to match)`);
    const data = languageModelData(options, {
      context: Number(hyper.context),
      stepsPerEvaluation: Number(hyper.stepsPerEvaluation),
      maxChars: Number(hyper.maxChars),
      validationTokens: Number(hyper.validationTokens),
    });
    // Each evaluation also records the KV cache the running model keeps (KV_CACHE_METRICS), so the
    // comparison of MHA, GQA and MQA shows it next to the loss each reached.
    const evaluate = data.evaluate.bind(data);
    data.evaluate = (model) => {
      const evaluation = evaluate(model);
      if (isModernModel(model)) Object.assign(evaluation.values, kvCacheValues(model));
      return evaluation;
    };
    return data;
  },
  createModel: createModernAttentionModel,
  createOptimizer: (hyper, { parameters, stepsPerEpoch }) =>
    adamwOptimizer(parameters, learningRateSchedule(hyper, Number(hyper.epochs) * stepsPerEpoch), {
      beta2: BETA2,
      weightDecay: Number(hyper.weightDecay),
    }),
  checks({ model, data }): SelfCheckResult[] {
    if (!isLanguageModelData(data) || !data.probeTexts || !isModernModel(model)) return [];
    const texts = data.probeTexts;
    const probeIds = texts.forward.subarray(0, texts.forward.length - 1);
    const cache = kvCacheDeviation(model, data.vocab, data.context, texts.prompt, texts.generated);
    const results = [
      checkResult(KV_CACHE, cache.deviation, 'at-most', KV_CACHE_TOLERANCE, {
        detail: {
          en: `${cache.steps} cached steps against one forward pass`,
          'zh-cn': `${cache.steps} 步缓存生成与一次前向计算对比`,
        },
      }),
    ];
    if (model.config.positions === 'rope') {
      results.push(
        checkResult(ROPE_RELATIVE, ropeRelativeDeviation(model, probeIds), 'at-most', CHECK_TOLERANCE, {
          detail: {
            en: `${probeIds.length} positions of the probe text, both shifted by ${ROPE_SHIFTS.join(' and ')}`,
            'zh-cn': `探针文本的 ${probeIds.length} 个位置，同时平移 ${ROPE_SHIFTS.join(' 和 ')}`,
          },
        }),
      );
    }
    results.push(
      checkResult(TILED_EQUALS, tiledDeviation(model, probeIds), 'at-most', CHECK_TOLERANCE, {
        detail: {
          en: `${probeIds.length} positions in ${CHECK_TILE} × ${CHECK_TILE} tiles`,
          'zh-cn': `${probeIds.length} 个位置，${CHECK_TILE} × ${CHECK_TILE} 分块`,
        },
      }),
    );
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
  figures: chapterFigures,
  trainedFigures: chapterTrainedFigures,
};
