/**
 * The chapter's figures, computed once when a run starts (figures.json):
 *
 * 1. RoPE's rotation: cos(m·θ_i) by position m and pair i (the angles the model turns Q and K by);
 * 2. the KV cache per token for every number of key/value heads the run's query heads allow, read
 *    from the cached tensors of the run's own model (its grouping) and of models built with the
 *    run's other hyperparameters (the other groupings);
 * 3. memory of one head's whole score matrix against one tile's as the context grows;
 * 4. generation speed with and without the KV cache for growing lengths, timed on this machine and
 *    backend on the run's own model: when the run starts, and again on the trained model after the
 *    run's last evaluation (`chapterTrainedFigures`, which replaces it).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../../shared/course/chapter';
import { packFloat32 } from '../../../shared/run/packed';
import type { Figure } from '../../../shared/run/records';
import { Parameters } from '../../nn/parameters';
import { ropeAngles } from '../../nn/rope';
import { scoreMemory } from '../../nn/tiledAttention';
import { createRandom } from '../../random';
import type { ChapterModel, RunData, TrainedFiguresContext } from '../contract';
import { isModernModel } from './checks';
import { measuredCacheBytesPerToken } from './measures';
import { configOf, createModernModel, type ModernConfig, type ModernModel } from './model';

/** The id of the generation-speed figure (replaced by the one timed on the trained model). */
export const GENERATION_SPEED_FIGURE = 'generation-speed';

/** The tile of the memory figure (FlashAttention's tiles are of this order: 64 to 128 rows). */
export const FIGURE_TILE = 64;

const bilingual = (en: string, zh: string) => ({ en, 'zh-cn': zh });

export function ropeAnglesFigure(config: ModernConfig): Figure {
  const headSize = config.modelSize / config.heads;
  const pairs = headSize / 2;
  const angles = ropeAngles(0, config.context, headSize, config.ropeBase); // [context, pairs], float64
  const uses =
    config.positions === 'rope'
      ? bilingual('This run rotates its queries and keys by these angles.', '本次运行按这些角度旋转查询和键。')
      : bilingual(
          `This run adds ${config.positions} position vectors to the embeddings instead; the table is shown for reference.`,
          `本次运行改为把${config.positions === 'learned' ? '可学习的' : '正弦'}位置向量加到嵌入上；这张表仅供参照。`,
        );
  return {
    type: 'matrix',
    id: 'rope-angles',
    title: bilingual('RoPE: cos(m·θ_i) by position and pair', 'RoPE：按位置和维度对的 cos(m·θ_i)'),
    note: bilingual(
      `Pair i of a query or key (dimensions i and i + ${pairs}) turns by m·θ_i at position m, θ_i = ${config.ropeBase}^(−2i/${headSize}): pair 0 turns one radian per position, pair ${pairs - 1} ${angles[pairs - 1].toPrecision(2)} radians at position 1. ${uses.en}`,
      `查询或键的第 i 对（维度 i 和 i + ${pairs}）在位置 m 旋转 m·θ_i，θ_i = ${config.ropeBase}^(−2i/${headSize})：第 0 对每个位置转 1 弧度，第 ${pairs - 1} 对在位置 1 只转 ${angles[pairs - 1].toPrecision(2)} 弧度。${uses['zh-cn']}`,
    ),
    rowLabel: bilingual('position m', '位置 m'),
    columnLabel: bilingual('pair i', '维度对 i'),
    rowLabels: Array.from({ length: config.context }, (_, m) => String(m)),
    columnLabels: Array.from({ length: pairs }, (_, i) => String(i)),
    values: { rows: config.context, columns: pairs, data: packFloat32(angles.map(Math.cos)) },
    scale: 'diverging',
  };
}

/** Numbers of key/value heads `heads` query heads can share equally, most first (MHA … MQA). */
export function kvHeadChoices(heads: number): number[] {
  return Array.from({ length: heads }, (_, i) => heads - i).filter((kv) => heads % kv === 0);
}

function variantName(heads: number, kvHeads: number): string {
  return kvHeads === heads ? 'MHA' : kvHeads === 1 ? 'MQA' : 'GQA';
}

function withModel<T>(config: ModernConfig, use: (model: ModernModel) => T): T {
  const parameters = new Parameters(createRandom(1));
  try {
    return use(createModernModel(parameters, config));
  } finally {
    parameters.dispose();
  }
}

/** `model`: the run's own, measured for its grouping (the others are measured on models of the same shapes). */
export function kvCacheFigure(config: ModernConfig, model?: ModernModel): Figure {
  const measured = kvHeadChoices(config.heads).map((kvHeads) => ({
    kvHeads,
    bytes:
      model && kvHeads === model.config.kvHeads
        ? measuredCacheBytesPerToken(model)
        : withModel({ ...config, kvHeads }, measuredCacheBytesPerToken),
  }));
  const lengths = Array.from({ length: 8 }, (_, i) => Math.max(1, Math.round(((i + 1) * config.context) / 8)));
  const list = measured.map(({ kvHeads, bytes }) => `${variantName(config.heads, kvHeads)} ${kvHeads}: ${bytes} B`);
  return {
    type: 'lines',
    id: 'kv-cache-bytes',
    title: bilingual('KV cache by number of key/value heads', '不同键/值头数下的 KV 缓存'),
    note: bilingual(
      `Measured from the cached tensors of this run’s model (${config.kvHeads} key/value heads) and of models with its other shapes (${config.layers} layers, d_head ${config.modelSize / config.heads}, float32), per token: ${list.join(', ')} = 2 · layers · kv_heads · d_head · 4 bytes. Per example of a batch. Each evaluation also records this run’s KV cache as a metric, so a comparison of MHA, GQA and MQA lists it next to the loss each reached.`,
      `由本次运行的模型（${config.kvHeads} 个键/值头）以及其他形状相同的模型的缓存张量测得（${config.layers} 层，d_head ${config.modelSize / config.heads}，float32），每个词元：${list.join('，')} = 2 · 层数 · kv_heads · d_head · 4 字节。按批中的每个样本计。每次评估也把本次运行的 KV 缓存记为一个指标，所以对比 MHA、GQA 和 MQA 时它与各自达到的损失并列。`,
    ),
    xLabel: bilingual('tokens in the cache', '缓存中的词元数'),
    yLabel: bilingual('KV cache (KB)', 'KV 缓存（KB）'),
    xScale: 'linear',
    yScale: 'linear',
    series: measured.map(({ kvHeads, bytes }) => ({
      label: bilingual(
        `${variantName(config.heads, kvHeads)}: ${kvHeads} key/value head${kvHeads === 1 ? '' : 's'}`,
        `${variantName(config.heads, kvHeads)}：${kvHeads} 个键/值头`,
      ),
      dashed: kvHeads !== config.kvHeads,
      points: lengths.map((tokens) => [tokens, (bytes * tokens) / 1024] as [number, number]),
    })),
  };
}

export function scoreMemoryFigure(config: ModernConfig): Figure {
  const lengths = [64, 128, 256, 512, 1024, 2048, 4096, 8192];
  return {
    type: 'lines',
    id: 'score-memory',
    title: bilingual('Scores held at once: the whole matrix against one tile', '同时持有的分数：整个矩阵与一个分块'),
    note: bilingual(
      `Per head and example, float32. Ordinary attention holds len × len scores (${config.context} × ${config.context} in this run); the tiled computation with an online softmax holds one ${FIGURE_TILE} × ${FIGURE_TILE} tile at a time and gives the same output (a self-check). On a GPU that is what saves time (fewer trips to slow memory); on this CPU backend it is a lesson in memory, not a speed-up.`,
      `每个头、每个样本，float32。普通注意力持有 len × len 个分数（本次运行为 ${config.context} × ${config.context}）；用在线 softmax 的分块计算一次只持有一个 ${FIGURE_TILE} × ${FIGURE_TILE} 的分块，结果相同（有自检）。在 GPU 上这正是省时间的地方（少访问慢速内存）；在这个 CPU 后端上，它是关于内存的一课，而不是提速。`,
    ),
    xLabel: bilingual('context length', '上下文长度'),
    yLabel: bilingual('bytes', '字节'),
    xScale: 'log2',
    yScale: 'log',
    series: [
      {
        label: bilingual('whole score matrix', '整个分数矩阵'),
        dashed: false,
        points: lengths.map((length) => [length, scoreMemory(length, FIGURE_TILE).full] as [number, number]),
      },
      {
        label: bilingual(`one ${FIGURE_TILE} × ${FIGURE_TILE} tile`, `一个 ${FIGURE_TILE} × ${FIGURE_TILE} 分块`),
        dashed: true,
        points: lengths.map((length) => [length, scoreMemory(length, FIGURE_TILE).tile] as [number, number]),
      },
    ],
  };
}

/** Milliseconds per generated token for `length` tokens, with the cache and with a full forward pass per token. */
export function timeGeneration(model: ModernModel, length: number): { cached: number; uncached: number } {
  const ids = Int32Array.from({ length: length + 1 }, (_, i) => 4 + (i % 3));
  let started = performance.now();
  let state = tf.tidy(() => model.decoder.start({ token_ids: tf.tensor2d([ids[0]], [1, 1], 'int32') }));
  for (let t = 1; t <= length; t++) {
    const previous = tf.tensor1d([ids[t]], 'int32');
    const output = model.decoder.step(state, previous, t - 1);
    output.logits.dataSync();
    tf.dispose([previous, output.logits, ...output.attention.map((a) => a.weights), ...Object.values(state)]);
    state = output.state;
  }
  tf.dispose(Object.values(state));
  const cached = (performance.now() - started) / length;
  started = performance.now();
  for (let t = 1; t <= length; t++) {
    tf.tidy(() => {
      const window = tf.tensor2d(ids.subarray(0, t), [1, t], 'int32'); // [1, t]: every token so far
      const batch = { inputs: { token_ids: window }, targets: window, lossMask: tf.ones([1, t]) as tf.Tensor2D };
      const { logits } = model.forward(batch, { training: false, seed: 0 }); // [1, t, vocab]
      tf.slice(logits, [0, t - 1, 0], [1, 1, logits.shape[2]]).dataSync();
    });
  }
  const uncached = (performance.now() - started) / length;
  return { cached, uncached };
}

/** The longest generation the speed figure times (it runs when a run starts: it must stay cheap). */
export const SPEED_MAX_LENGTH = 64;
/** Timings per length; the figure keeps the fastest (a shared machine only ever adds time). */
export const SPEED_REPEATS = 2;

/** Lengths the speed figure times: 8, 16, 32, 64, within the context. */
export function speedLengths(context: number): number[] {
  const longest = Math.min(context, SPEED_MAX_LENGTH);
  const lengths: number[] = [];
  for (let length = 8; length < longest; length *= 2) lengths.push(length);
  lengths.push(longest);
  return lengths;
}

/** When the speed figure was timed: on the run's model as it started, or trained, after evaluation `epoch`. */
export type SpeedTiming = { when: 'start' } | { when: 'trained'; epoch: number };

function timingText(timing: SpeedTiming): { en: string; 'zh-cn': string } {
  return timing.when === 'start'
    ? bilingual(
        'timed on this run’s model when the run started, and again on the trained model after its last evaluation',
        '在运行开始时用本次运行的模型计时，最后一次评估后再用训练好的模型计时',
      )
    : bilingual(
        `timed on this run’s trained model after evaluation ${timing.epoch}`,
        `在第 ${timing.epoch} 次评估后用本次运行训练好的模型计时`,
      );
}

/** Generation speed of `model` (or, without one, of a model with `config`'s shapes). */
export function generationSpeedFigure(
  config: ModernConfig,
  model?: ModernModel,
  timing: SpeedTiming = { when: 'start' },
): Figure {
  const lengths = speedLengths(config.context);
  const time = (timed: ModernModel) => {
    for (const length of lengths) timeGeneration(timed, length); // warm-up: the first calls of each shape are slower
    return lengths.map((length) => {
      const runs = Array.from({ length: SPEED_REPEATS }, () => timeGeneration(timed, length));
      return {
        length,
        cached: Math.min(...runs.map((run) => run.cached)),
        uncached: Math.min(...runs.map((run) => run.uncached)),
      };
    });
  };
  const rows = model ? time(model) : withModel(config, time);
  const when = timingText(timing);
  const perSecond = (ms: number) => 1000 / Math.max(ms, 1e-3);
  return {
    type: 'lines',
    id: GENERATION_SPEED_FIGURE,
    title: bilingual('Generation speed with and without the KV cache', '有无 KV 缓存时的生成速度'),
    note: bilingual(
      `Tokens per second generating that many tokens on this machine and backend (${when.en}; the fastest of ${SPEED_REPEATS} tries after a warm-up; a busy machine makes it noisy). With the cache each token computes only its own query, key and value; without it each token is a full forward pass over every token before it, so its cost grows with the length. On this backend every operation has a fixed cost: for a small model and short texts that cost dominates both ways and the two lines can be close; the gap opens as the text grows (npm run bench times 64, 256 and 512 tokens).`,
      `在本机和本后端上生成这么多词元时的每秒词元数（${when['zh-cn']}；预热之后取 ${SPEED_REPEATS} 次中最快的一次；繁忙的机器会让它有噪声）。有缓存时每个词元只计算自己的查询、键和值；没有缓存时每个词元都要对之前所有词元做一次完整前向计算，所以代价随长度增长。在这个后端上每个运算都有固定开销：模型小、文本短时，这项开销在两种方式中都占主导，两条线可能很接近；文本越长差距越大（npm run bench 测量 64、256 和 512 个词元）。`,
    ),
    xLabel: bilingual('tokens generated', '生成的词元数'),
    yLabel: bilingual('tokens per second', '每秒词元数'),
    xScale: 'log2',
    yScale: 'log',
    series: [
      {
        label: bilingual('with the KV cache', '使用 KV 缓存'),
        dashed: false,
        points: rows.map((row) => [row.length, perSecond(row.cached)] as [number, number]),
      },
      {
        label: bilingual('full forward pass per token', '每个词元一次完整前向计算'),
        dashed: true,
        points: rows.map((row) => [row.length, perSecond(row.uncached)] as [number, number]),
      },
    ],
  };
}

/** The figures of a run when it starts; `model` is the run's own (the trainer always passes it). */
export function chapterFigures(hyper: Hyperparameters, data: RunData, model?: ChapterModel): Figure[] {
  const config = configOf(hyper, data.sourceVocab.size);
  const own = model && isModernModel(model) ? model : undefined;
  return [
    ropeAnglesFigure(config),
    kvCacheFigure(config, own),
    scoreMemoryFigure(config),
    generationSpeedFigure(config, own),
  ];
}

/** After the run's last evaluation: the generation speed timed again, on the trained model. */
export function chapterTrainedFigures(context: TrainedFiguresContext): Figure[] {
  const { model, final, epoch } = context;
  if (!final || !isModernModel(model)) return [];
  return [generationSpeedFigure(model.config, model, { when: 'trained', epoch })];
}
