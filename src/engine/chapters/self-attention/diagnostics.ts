/**
 * The course's argument for dividing by √d_k, measured rather than asserted, and its two worked
 * examples computed by the engine. For queries and keys with unit-variance components (the
 * argument's assumption), q·k has variance d_k: softmax over such scores becomes nearly one-hot
 * as d_k grows, its entropy falls and the gradient reaching the scores vanishes; dividing by √d_k
 * keeps the variance at 1 and all three flat. Monte Carlo with a fixed seed; saved in the run
 * (figures.json) and charted in the panel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Figure } from '../../../shared/run/records';
import { packFloat32 } from '../../../shared/run/packed';
import { createRandom } from '../../random';

export const DIAGNOSTIC_WIDTHS = [4, 8, 16, 32, 64, 128, 256];
const SAMPLES = 2000;

export interface ScaleMeasure {
  depth: number;
  /** Variance of q·k (unscaled) and of q·k/√d_k (scaled). */
  variance: { unscaled: number; scaled: number };
  /** Mean entropy (nats) of softmax over `keys` scores. */
  entropy: { unscaled: number; scaled: number };
  /** Mean norm of the gradient reaching the scores through softmax, for a unit-normal upstream gradient. */
  gradient: { unscaled: number; scaled: number };
}

function softmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function entropyOf(p: number[]): number {
  return p.reduce((sum, x) => (x > 0 ? sum - x * Math.log(x) : sum), 0);
}

/** ‖J g‖ for softmax's Jacobian J = diag(p) − p pᵀ: (J g)_i = p_i (g_i − p·g). */
function gradientNorm(p: number[], g: number[]): number {
  const dot = p.reduce((sum, x, i) => sum + x * g[i], 0);
  return Math.sqrt(p.reduce((sum, x, i) => sum + (x * (g[i] - dot)) ** 2, 0));
}

/** The three measures for each width, `keys` keys per query, seeded. */
export function measureScaling(keys: number, seed = 1, widths = DIAGNOSTIC_WIDTHS, samples = SAMPLES): ScaleMeasure[] {
  const random = createRandom(seed);
  return widths.map((depth) => {
    const sums = { vu: 0, vs: 0, eu: 0, es: 0, gu: 0, gs: 0 };
    for (let s = 0; s < samples; s++) {
      const query = Array.from({ length: depth }, () => random.normal());
      const scores = Array.from({ length: keys }, () => {
        let dot = 0;
        for (let i = 0; i < depth; i++) dot += query[i] * random.normal();
        return dot;
      });
      // q and every k are independent with mean 0: E[q·k] = 0, so the mean square is the variance.
      sums.vu += scores[0] ** 2;
      sums.vs += scores[0] ** 2 / depth;
      const upstream = Array.from({ length: keys }, () => random.normal());
      const unscaled = softmax(scores);
      const scaled = softmax(scores.map((x) => x / Math.sqrt(depth)));
      sums.eu += entropyOf(unscaled);
      sums.es += entropyOf(scaled);
      sums.gu += gradientNorm(unscaled, upstream);
      sums.gs += gradientNorm(scaled, upstream);
    }
    return {
      depth,
      variance: { unscaled: sums.vu / samples, scaled: sums.vs / samples },
      entropy: { unscaled: sums.eu / samples, scaled: sums.es / samples },
      gradient: { unscaled: sums.gu / samples, scaled: sums.gs / samples },
    };
  });
}

const UNSCALED = { en: 'unscaled: softmax(q·k)', 'zh-cn': '不缩放：softmax(q·k)' };
const SCALED = { en: 'scaled: softmax(q·k / √d_k)', 'zh-cn': '缩放：softmax(q·k / √d_k)' };
const DK = { en: 'd_k (width of queries and keys)', 'zh-cn': 'd_k（查询与键的维度）' };

/** The three √d_k figures for `keys` keys per row (the run's sequence length). */
export function scalingFigures(keys: number): Figure[] {
  const measures = measureScaling(keys);
  const series = (label: typeof SCALED, pick: (m: ScaleMeasure) => number, dashed = false) => ({
    label,
    dashed,
    points: measures.map((m) => [m.depth, pick(m)] as [number, number]),
  });
  return [
    {
      type: 'lines',
      id: 'sqrt-dk-variance',
      title: { en: 'Variance of the scores against d_k', 'zh-cn': '分数的方差随 d_k 的变化' },
      note: {
        en: `unit-variance queries and keys, ${SAMPLES} samples per width; the closed form is d_k unscaled and 1 scaled`,
        'zh-cn': `查询与键的各分量方差为 1，每种维度采样 ${SAMPLES} 次；理论值：不缩放为 d_k，缩放后为 1`,
      },
      xLabel: DK,
      yLabel: { en: 'variance of the score', 'zh-cn': '分数的方差' },
      xScale: 'log2',
      yScale: 'log',
      series: [
        series(UNSCALED, (m) => m.variance.unscaled),
        series(SCALED, (m) => m.variance.scaled),
        series({ en: 'closed form: d_k', 'zh-cn': '理论值：d_k' }, (m) => m.depth, true),
        series({ en: 'closed form: 1', 'zh-cn': '理论值：1' }, () => 1, true),
      ],
    },
    {
      type: 'lines',
      id: 'sqrt-dk-entropy',
      title: { en: `Entropy of a softmax row over ${keys} keys`, 'zh-cn': `对 ${keys} 个键做 softmax 后一行的熵` },
      note: {
        en: `log ${keys} = ${Math.log(keys).toFixed(3)} nats is uniform attention; near 0 is one-hot`,
        'zh-cn': `log ${keys} = ${Math.log(keys).toFixed(3)} 奈特表示均匀注意力；接近 0 表示几乎独热`,
      },
      xLabel: DK,
      yLabel: { en: 'entropy (nats)', 'zh-cn': '熵（奈特）' },
      xScale: 'log2',
      yScale: 'linear',
      series: [
        series(UNSCALED, (m) => m.entropy.unscaled),
        series(SCALED, (m) => m.entropy.scaled),
        series({ en: 'uniform attention', 'zh-cn': '均匀注意力' }, () => Math.log(keys), true),
      ],
    },
    {
      type: 'lines',
      id: 'sqrt-dk-gradient',
      title: { en: 'Gradient reaching the scores', 'zh-cn': '传到分数上的梯度' },
      note: {
        en: 'mean norm of the gradient through softmax for a unit-normal upstream gradient: a saturated softmax passes almost none',
        'zh-cn': '上游梯度为标准正态时，经过 softmax 后梯度的平均范数：饱和的 softmax 几乎不传梯度',
      },
      xLabel: DK,
      yLabel: { en: 'gradient norm', 'zh-cn': '梯度范数' },
      xScale: 'log2',
      yScale: 'log',
      series: [series(UNSCALED, (m) => m.gradient.unscaled), series(SCALED, (m) => m.gradient.scaled)],
    },
  ];
}

export interface WorkedExamples {
  /** Weights [[.6,.2,.2],[.2,.6,.2],[.2,.2,.6]] applied to values 1, 2, 3. */
  outputs: number[];
  /** The query's scores against the two keys. */
  scores: number[];
  /** softmax([0.36, 2.4, 0.36, 0.36]). */
  softmax: number[];
}

/** The course's two worked examples, computed with TensorFlow.js like the model's own attention. */
export function workedExamples(): WorkedExamples {
  return tf.tidy(() => {
    const weights = tf.tensor2d([
      [0.6, 0.2, 0.2],
      [0.2, 0.6, 0.2],
      [0.2, 0.2, 0.6],
    ]); // [queries, keys]: 我 爱 你
    const values = tf.tensor2d([[1], [2], [3]]); // [keys, d_model = 1]
    const outputs = Array.from(tf.matMul(weights, values).dataSync()); // [queries, 1]
    const query = tf.tensor2d([[0.6, 1.2, -1.2, 1.8]]); // [1, d_k]
    const keys = tf.tensor2d([
      [-0.2, 0.4, 1.2, 0.8],
      [0.2, 0.4, -0.6, 0.6],
    ]); // [keys, d_k]
    const scores = Array.from(tf.matMul(query, tf.transpose(keys)).dataSync()); // [1, keys]
    const softmax = Array.from(tf.softmax(tf.tensor1d([0.36, 2.4, 0.36, 0.36])).dataSync());
    return { outputs, scores, softmax };
  });
}

/** The worked examples as figures, each with the course's printed value beside the computed one. */
export function workedExampleFigures(): Figure[] {
  const { outputs, scores, softmax } = workedExamples();
  const fixed = (xs: number[], digits: number) => xs.map((x) => x.toFixed(digits)).join(', ');
  return [
    {
      type: 'matrix',
      id: 'worked-example-weights',
      title: { en: 'Worked example: each token’s view of “我 爱 你”', 'zh-cn': '例题：每个词对“我 爱 你”的看法' },
      note: {
        en: `with values 1, 2, 3 (d_model = 1) these weights give outputs ${fixed(outputs, 1)}; the course prints 1.4, 1.8, 2.2, which its own numbers do not support (0.6·1 + 0.2·2 + 0.2·3 = 1.6)`,
        'zh-cn': `取值 1、2、3（d_model = 1）时，这些权重给出的输出为 ${fixed(outputs, 1)}；教材印的是 1.4、1.8、2.2，与它自己的数字不符（0.6·1 + 0.2·2 + 0.2·3 = 1.6）`,
      },
      rowLabel: { en: 'query', 'zh-cn': '查询' },
      columnLabel: { en: 'key', 'zh-cn': '键' },
      rowLabels: ['我', '爱', '你'],
      columnLabels: ['我', '爱', '你'],
      values: { rows: 3, columns: 3, data: packFloat32([0.6, 0.2, 0.2, 0.2, 0.6, 0.2, 0.2, 0.2, 0.6]) },
      scale: 'sequential',
    },
    {
      type: 'matrix',
      id: 'worked-example-softmax',
      title: { en: 'Worked example: scores and softmax', 'zh-cn': '例题：分数与 softmax' },
      note: {
        en: `query [0.6, 1.2, −1.2, 1.8] scores ${fixed(scores, 2)} against its two keys; softmax of [0.36, 2.4, 0.36, 0.36] gives ${softmax[1].toFixed(4)} to the second key (the book prints 0.756, which its own scores do not support)`,
        'zh-cn': `查询 [0.6, 1.2, −1.2, 1.8] 对两个键的分数为 ${fixed(scores, 2)}；对 [0.36, 2.4, 0.36, 0.36] 做 softmax，第二个键得到 ${softmax[1].toFixed(4)}（书中印的是 0.756，与它自己的分数不符）`,
      },
      rowLabel: { en: 'query', 'zh-cn': '查询' },
      columnLabel: { en: 'key (score)', 'zh-cn': '键（分数）' },
      rowLabels: ['q'],
      columnLabels: ['k1 (0.36)', 'k2 (2.4)', 'k3 (0.36)', 'k4 (0.36)'],
      values: { rows: 1, columns: 4, data: packFloat32(softmax) },
      scale: 'sequential',
    },
  ];
}
