/**
 * Chapter modern-attention: what it teaches and declares (plain data, no TensorFlow).
 */
import type { ChapterInfo, MetricSpec, SelfCheckSpec } from '../../../shared/course/chapter';
import { MASKED_ZERO, ROWS_SUM_TO_ONE } from '../../../shared/course/checks';
import { CHARACTER_DECODER_GLOSSARY } from '../../../shared/course/glossary';
import {
  CHARACTER_LM_METRICS,
  LOSS_CHART,
  choice,
  integer,
  number,
  trainingHyperparameters,
} from '../../../shared/course/specs';

export const KV_CACHE: SelfCheckSpec = {
  id: 'kv-cache',
  label: { en: 'the KV cache changes nothing', 'zh-cn': 'KV 缓存不改变结果' },
  description: {
    en: 'the largest difference between the logits of a cached greedy generation and those of one full forward pass over the same characters, divided by the largest logit (passes at 1e-5); with RoPE each new token is rotated at its own position',
    'zh-cn':
      '用缓存逐步贪心生成得到的 logits 与对同一串字符做一次完整前向计算得到的 logits 之间的最大差，除以最大的 logit（1e-5 以内通过）；使用 RoPE 时每个新词元按它自己的位置旋转',
  },
};

export const ROPE_RELATIVE: SelfCheckSpec = {
  id: 'rope-relative',
  label: { en: 'RoPE is relative: q_m · k_n depends on m − n', 'zh-cn': 'RoPE 是相对的：q_m · k_n 只取决于 m − n' },
  description: {
    en: 'the first block’s own queries and keys of the probe text, rotated at positions 0..len−1 and again with both positions shifted by 7 and by 40: the largest change of any q_m · k_n, divided by the largest |q_m · k_n| (passes at 1e-5; RoPE variants only)',
    'zh-cn':
      '第一个块对探针文本算出的查询和键，按位置 0..len−1 旋转，再把两者的位置同时平移 7 和 40 后旋转：任一 q_m · k_n 的最大变化，除以最大的 |q_m · k_n|（1e-5 以内通过；仅 RoPE 变体）',
  },
};

export const TILED_EQUALS: SelfCheckSpec = {
  id: 'tiled-equals-full',
  label: { en: 'tiled attention = ordinary attention', 'zh-cn': '分块注意力 = 普通注意力' },
  description: {
    en: 'the first block’s causal attention of the probe text computed in 8 × 8 tiles with an online softmax (never the whole score matrix) against the ordinary computation: the largest difference of the outputs, divided by their largest value (passes at 1e-5)',
    'zh-cn':
      '第一个块对探针文本的因果注意力，用 8 × 8 的分块和在线 softmax 计算（从不持有整个分数矩阵），与普通计算对比：输出的最大差除以输出的最大值（1e-5 以内通过）',
  },
};

export const BEATS_BIGRAM: SelfCheckSpec = {
  id: 'beats-bigram',
  label: { en: 'better than the bigram baseline', 'zh-cn': '优于二元语法基线' },
  description: {
    en: 'nats the validation loss is below the bigram baseline on the same characters (passes above 0)',
    'zh-cn': '验证集损失比同一批字符上的二元语法基线低多少奈特（大于 0 通过）',
  },
};

/** The chart of the KV-cache metrics: what a run of each variant keeps per token and for its context. */
const KV_CACHE_CHART = 'kv-cache';

/**
 * The KV cache of the model as it runs, measured at every evaluation from the bytes of the keys and
 * values its decoder caches (so a comparison of MHA, GQA and MQA shows it next to the loss each reached).
 */
export const KV_CACHE_METRICS: MetricSpec[] = [
  {
    key: 'kv_cache_bytes_per_token',
    label: { en: 'KV cache per token (bytes)', 'zh-cn': '每个词元的 KV 缓存（字节）' },
    unit: 'count',
    better: 'lower',
    chart: KV_CACHE_CHART,
    cli: 'kv_bytes_per_token',
  },
  {
    key: 'kv_cache_context_bytes',
    label: { en: 'KV cache for the whole context (bytes)', 'zh-cn': '整个上下文的 KV 缓存（字节）' },
    unit: 'count',
    better: 'lower',
    chart: KV_CACHE_CHART,
    cli: 'kv_bytes_context',
  },
];

const layerWeight = (en: string, zh: string, dims: string[]) => ({ dims, meaning: { en, 'zh-cn': zh } });

// mini-gpt's decoder (its untied output layer aside: this model always ties), with what RoPE and
// grouped key/value heads change.
const { 'head/kernel': _untiedHead, ...DECODER_GLOSSARY } = CHARACTER_DECODER_GLOSSARY;

const GLOSSARY = {
  ...DECODER_GLOSSARY,
  block_inputs: {
    dims: ['batch', 'len', 'd_model'],
    meaning: {
      en: 'the residual stream entering the first block: the token embeddings alone with RoPE (positions enter inside attention), plus a learned position vector in the learned variant',
      'zh-cn':
        '进入第一个块的残差流：使用 RoPE 时只有词元嵌入（位置在注意力内部加入）；learned 变体再加上可学习的位置向量',
    },
  },
  'layer{n}/queries': {
    dims: ['batch', 'heads', 'len', 'd_head'],
    meaning: {
      en: 'Q / √d_head of every query head, rotated by its position (RoPE)',
      'zh-cn': '每个查询头的 Q / √d_head，按位置旋转（RoPE）',
    },
  },
  'layer{n}/keys': {
    dims: ['batch', 'kv_heads', 'len', 'd_head'],
    meaning: {
      en: 'K of every key/value head, rotated by its position (RoPE): what the KV cache keeps, with the values; kv_heads = heads (MHA), fewer (GQA), 1 (MQA)',
      'zh-cn':
        '每个键/值头的 K，按位置旋转（RoPE）：KV 缓存保存的就是它和值；kv_heads = heads（MHA）、更少（GQA）、1（MQA）',
    },
  },
  'layer{n}/attention_weights': {
    dims: ['batch', 'heads', 'queries', 'keys'],
    meaning: {
      en: 'causal softmax(Q Kᵀ / √d_head), query head h against key head ⌊h / (heads / kv_heads)⌋; later keys get exactly 0',
      'zh-cn': '因果 softmax(Q Kᵀ / √d_head)，查询头 h 对应键头 ⌊h / (heads / kv_heads)⌋；之后的键恰好为 0',
    },
  },
  logits: {
    dims: ['batch', 'len', 'vocab_size'],
    meaning: { en: 'scores of the next character at every position', 'zh-cn': '每个位置上“下一个字符”的分数' },
  },
  target_ids: {
    dims: ['batch', 'len'],
    meaning: { en: 'the next character: the window shifted by one', 'zh-cn': '下一个字符：窗口向后移一位' },
  },
  embeddings: {
    dims: ['vocab_size', 'd_model'],
    meaning: {
      en: 'token embedding table, also the output layer (transposed)',
      'zh-cn': '词元嵌入表，转置后也是输出层',
    },
  },
  'positions/position_embeddings': {
    dims: ['context', 'd_model'],
    meaning: {
      en: 'one learned vector per position (learned variant only; RoPE has no position weights)',
      'zh-cn': '每个位置一个可学习的向量（仅 learned 变体；RoPE 没有位置权重）',
    },
  },
  'layer{n}/attention/qkv_kernel': layerWeight(
    'W_q of every query head, then W_k and W_v of every key/value head, side by side: one matmul makes Q, K and V',
    '所有查询头的 W_q，接着所有键/值头的 W_k 和 W_v 并排：一次矩阵乘法得到 Q、K、V',
    ['d_model', '(heads + 2·kv_heads)·d_head'],
  ),
  'layer{n}/attention/qkv_bias': layerWeight('biases of Q, K and V', 'Q、K、V 的偏置', ['(heads + 2·kv_heads)·d_head']),
};

export const info: ChapterInfo = {
  id: 'modern-attention',
  title: { en: 'Modern attention: RoPE, GQA/MQA, KV cache', 'zh-cn': '现代注意力：RoPE、GQA/MQA、KV 缓存' },
  summary: {
    en: 'Mini GPT turned into the shape of Llama 3 and Qwen 2: rotary positions, key/value heads shared by groups of query heads, a KV cache checked against full passes, and FlashAttention’s tiling idea — each measured on your own model.',
    'zh-cn':
      '把迷你 GPT 改成 Llama 3、Qwen 2 的样子：旋转位置编码、由一组查询头共享的键/值头、与完整前向计算核对过的 KV 缓存，以及 FlashAttention 的分块思想——每一项都在你自己的模型上测量。',
  },
  kind: 'decoder-only',
  trainable: true,
  tasks: [
    {
      id: 'next-char',
      title: { en: 'next character', 'zh-cn': '下一个字符' },
      description: {
        en: 'predict the next character of a text, as in mini-gpt: the built-in English (CIA World Factbook) or Chinese (Song ci) corpus, or your own file (--corpus)',
        'zh-cn':
          '与迷你 GPT 一样预测文本的下一个字符：内置英文语料（CIA《世界概况》）或中文语料（宋词），也可以用你自己的文件（--corpus）',
      },
      defaults: {},
    },
  ],
  defaultTask: 'next-char',
  trainingUnit: 'evaluation',
  hyperparameters: [
    ...trainingHyperparameters({ epochs: 10, batchSize: 32, learningRate: 2e-3, clipNorm: 1 }),
    integer(
      'stepsPerEvaluation',
      { en: 'training steps per evaluation', 'zh-cn': '每次评估之间的训练步数' },
      100,
      1,
      100000,
      'training',
    ),
    integer('warmupSteps', { en: 'learning-rate warm-up steps', 'zh-cn': '学习率预热步数' }, 50, 0, 100000, 'training'),
    number('weightDecay', { en: 'AdamW weight decay', 'zh-cn': 'AdamW 权重衰减' }, 0.1, 0, 1, 'training', false),
    number('dropout', { en: 'dropout (training only)', 'zh-cn': 'dropout（仅训练时）' }, 0, 0, 0.9, 'training'),
    integer('layers', { en: 'blocks (layers)', 'zh-cn': '块数（层数）' }, 2, 1, 12),
    integer('heads', { en: 'query heads', 'zh-cn': '查询头数' }, 4, 1, 16),
    integer(
      'kvHeads',
      {
        en: 'key/value heads (= heads: MHA; fewer: GQA; 1: MQA)',
        'zh-cn': '键/值头数（= 查询头数：MHA；更少：GQA；1：MQA）',
      },
      2,
      1,
      16,
    ),
    choice('positions', { en: 'positions', 'zh-cn': '位置编码' }, 'rope', ['rope', 'learned', 'sinusoidal']),
    integer('dModel', { en: 'd_model (width)', 'zh-cn': 'd_model（宽度）' }, 64, 8, 512),
    integer('context', { en: 'context (positions)', 'zh-cn': '上下文长度（位置数）' }, 32, 4, 256),
    integer(
      'maxChars',
      { en: 'vocabulary: most frequent characters kept', 'zh-cn': '词表：保留的最常见字符数' },
      3000,
      8,
      20000,
      'data',
      false,
    ),
    integer(
      'validationTokens',
      { en: 'validation characters per evaluation', 'zh-cn': '每次评估的验证字符数' },
      16384,
      64,
      1000000,
      'data',
      false,
    ),
  ],
  variants: [
    {
      id: 'gqa',
      title: { en: 'GQA + RoPE (4 query heads, 2 key/value heads)', 'zh-cn': 'GQA + RoPE（4 个查询头，2 个键/值头）' },
      description: {
        en: 'the default: 2 blocks, 64 wide, 4 query heads sharing 2 key/value heads in pairs, rotary positions; the KV cache is half that of MHA',
        'zh-cn': '默认：2 个块、宽 64，4 个查询头两两共享 2 个键/值头，旋转位置编码；KV 缓存是 MHA 的一半',
      },
      overrides: {},
    },
    {
      id: 'mha',
      title: { en: 'MHA + RoPE (4 key/value heads)', 'zh-cn': 'MHA + RoPE（4 个键/值头）' },
      description: {
        en: 'every query head has its own key/value head (multi-head attention, as mini-gpt)',
        'zh-cn': '每个查询头都有自己的键/值头（多头注意力，与迷你 GPT 相同）',
      },
      overrides: { kvHeads: 4 },
    },
    {
      id: 'mqa',
      title: { en: 'MQA + RoPE (1 key/value head)', 'zh-cn': 'MQA + RoPE（1 个键/值头）' },
      description: {
        en: 'all 4 query heads share one key/value head: a quarter of MHA’s KV cache',
        'zh-cn': '4 个查询头共享一个键/值头：KV 缓存是 MHA 的四分之一',
      },
      overrides: { kvHeads: 1 },
    },
    {
      id: 'learned-positions',
      title: { en: 'GQA + learned positions', 'zh-cn': 'GQA + 可学习位置' },
      description: {
        en: 'the default with GPT-2’s learned position vectors added to the embeddings instead of RoPE',
        'zh-cn': '默认模型改用 GPT-2 的可学习位置向量（加到嵌入上），而不是 RoPE',
      },
      overrides: { positions: 'learned' },
    },
    {
      id: 'sinusoidal-positions',
      title: { en: 'GQA + sinusoidal positions', 'zh-cn': 'GQA + 正弦位置' },
      description: {
        en: 'the default with the original Transformer’s fixed sinusoidal position vectors added to the embeddings instead of RoPE',
        'zh-cn': '默认模型改用原始 Transformer 的固定正弦位置向量（加到嵌入上），而不是 RoPE',
      },
      overrides: { positions: 'sinusoidal' },
    },
  ],
  defaultVariant: 'gqa',
  comparison: { task: 'next-char', variants: ['mha', 'gqa', 'mqa'] },
  metrics: [...CHARACTER_LM_METRICS, ...KV_CACHE_METRICS],
  primaryMetric: 'val_loss',
  charts: [
    LOSS_CHART,
    { id: 'baseline', title: { en: 'Below the bigram baseline', 'zh-cn': '低于二元语法基线的幅度' }, unit: 'nats' },
    { id: 'bits', title: { en: 'Bits per character', 'zh-cn': '每字符比特数' }, unit: 'bits' },
    { id: 'perplexity', title: { en: 'Perplexity', 'zh-cn': '困惑度' }, unit: 'perplexity' },
    {
      id: KV_CACHE_CHART,
      title: { en: 'KV cache (bytes, float32, one sequence)', 'zh-cn': 'KV 缓存（字节，float32，单个序列）' },
      unit: 'count',
    },
  ],
  glossary: GLOSSARY,
  selfChecks: [ROWS_SUM_TO_ONE, MASKED_ZERO, KV_CACHE, ROPE_RELATIVE, TILED_EQUALS, BEATS_BIGRAM],
  contract: {
    newConcepts: [
      {
        en: 'RoPE: each pair of dimensions (i, i + d_head/2) of a query or key is turned by the angle position · θ_i, θ_i = 10000^(−2i/d_head); a rotation keeps lengths, and q_m · k_n then depends only on m − n, so positions become relative and nothing is added to the embeddings',
        'zh-cn':
          'RoPE：查询或键的每一对维度 (i, i + d_head/2) 旋转 位置 · θ_i 的角度，θ_i = 10000^(−2i/d_head)；旋转不改变长度，于是 q_m · k_n 只取决于 m − n，位置变成相对的，嵌入上也不再加任何东西',
      },
      {
        en: 'GQA and MQA: n_kv_heads key/value heads, each shared by heads / n_kv_heads query heads (MHA: as many as query heads; MQA: one); fewer K/V weights and a proportionally smaller KV cache',
        'zh-cn':
          'GQA 与 MQA：n_kv_heads 个键/值头，每个由 heads / n_kv_heads 个查询头共享（MHA：与查询头一样多；MQA：一个）；K/V 权重更少，KV 缓存按比例变小',
      },
      {
        en: 'the KV cache: generation keeps every layer’s past keys and values, 2 · layers · kv_heads · d_head · bytes per token; with RoPE a new token must be rotated at its own position, not at 0',
        'zh-cn':
          'KV 缓存：生成时保存每一层过去的键和值，每个词元 2 · 层数 · kv_heads · d_head · 字节数；使用 RoPE 时新词元必须按它自己的位置旋转，而不是按 0',
      },
      {
        en: 'FlashAttention’s idea: attention in tiles with an online softmax (running maximum and running sum, rescaled as each tile arrives) gives the same output without ever holding the whole score matrix; here on a CPU it is a lesson in memory, not a speed-up',
        'zh-cn':
          'FlashAttention 的思想：用分块和在线 softmax（运行中的最大值和累加和，每来一块就重新缩放）计算注意力，结果相同，却从不持有整个分数矩阵；在这里的 CPU 上它是关于内存的一课，而不是提速',
      },
    ],
    verifies: [
      {
        en: 'on the English corpus, the default GQA + RoPE model (here 1 block, 32 wide, 300 steps, seed 3) ends below the bigram baseline’s validation loss, and its KV-cache, RoPE and tiled-attention self-checks pass (learning test)',
        'zh-cn':
          '在英文语料上，默认的 GQA + RoPE 模型（这里为 1 个块、宽 32、300 步、种子 3）最终的验证集损失低于二元语法基线，并且它的 KV 缓存、RoPE 和分块注意力自检都通过（学习测试）',
      },
      {
        en: 'RoPE keeps lengths and q_m · k_n is unchanged when both positions shift (tests against hand-computed rotations, and a self-check on the model’s own queries and keys)',
        'zh-cn':
          'RoPE 不改变长度，两个位置同时平移时 q_m · k_n 不变（测试对照手算的旋转，并在模型自己的查询和键上自检）',
      },
      {
        en: 'with n_kv_heads = n_heads the model is multi-head attention (the same logits as mini-gpt with the same weights); GQA equals MHA whose key/value heads are copies of the shared ones',
        'zh-cn':
          'n_kv_heads = n_heads 时模型就是多头注意力（相同权重下与迷你 GPT 的 logits 相同）；GQA 等于键/值头是共享头副本的 MHA',
      },
      {
        en: 'the KV cache gives the scores of a full forward pass within 1e-5 of their size at every step of a 64-character generation, with RoPE, learned and sinusoidal positions, and its size is 2 · layers · kv_heads · d_head · 4 bytes per token, the bytes of the cached tensors',
        'zh-cn':
          'KV 缓存在 64 个字符的生成中每一步都给出与完整前向计算相同的分数（在其大小的 1e-5 以内），RoPE、可学习位置和正弦位置都如此；它的大小是每个词元 2 · 层数 · kv_heads · d_head · 4 字节，正是缓存张量的字节数',
      },
      {
        en: 'tiled attention with an online softmax equals ordinary attention within 1e-5, with and without the causal mask, for tiles that do not divide the length',
        'zh-cn': '带在线 softmax 的分块注意力与普通注意力相差不超过 1e-5，有无因果掩码、分块不能整除长度时都如此',
      },
    ],
    doesNotVerify: [
      {
        en: 'that RoPE or GQA trains better than learned positions or MHA: the comparison trains each once, with one seed, for a few minutes; what GQA saves is memory, and what it may cost in quality needs larger models to see',
        'zh-cn':
          'RoPE 或 GQA 比可学习位置或 MHA 训练得更好：对比中每个变体只用一个种子训练几分钟；GQA 省下的是内存，它可能带来的质量损失要在更大的模型上才看得出',
      },
      {
        en: 'that RoPE lets this model read beyond its context: it was trained on windows of `context` characters, and generation slides the window as mini-gpt does',
        'zh-cn':
          'RoPE 让这个模型能读超出上下文长度的文本：它是在 context 个字符的窗口上训练的，生成时与迷你 GPT 一样滑动窗口',
      },
      {
        en: 'that tiling is faster here: it adds operations, and on this CPU backend operations are what cost; the models train with ordinary attention',
        'zh-cn':
          '分块在这里更快：它增加了运算次数，而在这个 CPU 后端上花时间的正是运算次数；模型训练使用的是普通注意力',
      },
      {
        en: 'the rest of Llama: RMSNorm, SwiGLU and bias-free projections are not used (layer norm, GELU and biases, as mini-gpt)',
        'zh-cn':
          'Llama 的其余部分：这里没有使用 RMSNorm、SwiGLU 和无偏置投影（与迷你 GPT 一样用层归一化、GELU 和偏置）',
      },
    ],
    lookAt: [
      {
        en: 'the figures: RoPE’s angles by position and pair (fast pairs turn many times, slow pairs barely move), the KV cache per token for each number of key/value heads, the score matrix’s memory against one tile’s as the context grows, and generation speed with and without the cache on your machine (timed again on your trained model after the last evaluation)',
        'zh-cn':
          '图表：RoPE 按位置和维度对的角度（快的维度对转很多圈，慢的几乎不动）、不同键/值头数下每个词元的 KV 缓存、上下文变长时分数矩阵与一个分块的内存，以及你的机器上有无缓存时的生成速度（最后一次评估后在你训练好的模型上再计时一次）',
      },
      {
        en: 'the self-check badges: KV cache, RoPE relative property and tiled attention, at every evaluation',
        'zh-cn': '自检徽章：每次评估时的 KV 缓存、RoPE 相对性和分块注意力',
      },
      {
        en: 'the maps: query heads that share a key/value head (GQA) often look alike',
        'zh-cn': '注意力图：共享同一个键/值头的查询头（GQA）往往看起来相似',
      },
    ],
    compare: [
      {
        en: 'MHA vs GQA vs MQA (the comparison): the validation loss each reaches for the same steps, next to the KV cache its running model keeps per token and for the whole context (4, 2 and 1 key/value heads), in the table of values each run reached',
        'zh-cn':
          'MHA、GQA 与 MQA（对比）：相同步数下各自达到的验证集损失，以及它运行中的模型每个词元和整个上下文保存的 KV 缓存（4、2、1 个键/值头），见各运行达到的值的表格',
      },
      {
        en: 'gqa vs learned-positions vs sinusoidal-positions (train each with --variant): RoPE against position vectors added to the embeddings, on the same data and seed',
        'zh-cn':
          'gqa、learned-positions 与 sinusoidal-positions（用 --variant 分别训练）：同样的数据和种子下，RoPE 与加到嵌入上的位置向量的对比',
      },
    ],
  },
};
