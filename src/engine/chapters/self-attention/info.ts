/**
 * Chapter self-attention: what it teaches and declares (plain data, no TensorFlow).
 */
import type { ChapterInfo, SelfCheckSpec } from '../../../shared/course/chapter';
import { MASKED_ZERO, ROWS_SUM_TO_ONE } from '../../../shared/course/checks';
import {
  ACCURACY_CHART,
  LOSS_CHART,
  VAL_EXACT_MATCH,
  VAL_LOSS,
  choice,
  datasetSizes,
  flag,
  integer,
  trainingHyperparameters,
} from '../../../shared/course/specs';

export const DIAGONAL: SelfCheckSpec = {
  id: 'diagonal',
  label: { en: 'copy looks up its own token (the diagonal)', 'zh-cn': 'copy 找到自己的词元（对角线）' },
  description: {
    en: 'share of validation rows whose largest weight is on a position holding the row’s own token: the diagonal, or the same token elsewhere, which copies just as well (task copy; passes at 0.9)',
    'zh-cn':
      '验证集中最大权重落在持有本行词元的位置上的行所占比例：对角线，或别处的相同词元，复制效果一样（copy 任务；0.9 及以上通过）',
  },
};

export const ANTI_DIAGONAL: SelfCheckSpec = {
  id: 'anti-diagonal',
  label: { en: 'reverse attends along the anti-diagonal', 'zh-cn': 'reverse 沿反对角线关注' },
  description: {
    en: 'share of validation rows i whose largest weight is on position n − 1 − i (task reverse; passes at 0.9)',
    'zh-cn': '验证集中第 i 行最大权重落在位置 n − 1 − i 上的比例（reverse 任务；0.9 及以上通过）',
  },
};

const TENSORS = {
  source_ids: { dims: ['batch', 'len'], meaning: { en: 'input token ids', 'zh-cn': '输入词元的 id' } },
  token_embeddings: {
    dims: ['batch', 'len', 'd_model'],
    meaning: {
      en: 'one learned vector per token: the same for a token wherever it stands',
      'zh-cn': '每个词元一个可学习的向量：无论它在哪个位置都一样',
    },
  },
  attention_inputs: {
    dims: ['batch', 'len', 'd_model'],
    meaning: {
      en: 'token embedding + position encoding: what the attention layer reads',
      'zh-cn': '词元嵌入 + 位置编码：注意力层读入的内容',
    },
  },
  queries: {
    dims: ['batch', 'len', 'd_k'],
    meaning: { en: 'Q = x W_q: what each position is looking for', 'zh-cn': 'Q = x W_q：每个位置在找什么' },
  },
  keys: {
    dims: ['batch', 'len', 'd_k'],
    meaning: {
      en: 'K = x W_k: what each position offers to be matched',
      'zh-cn': 'K = x W_k：每个位置提供给别人匹配的内容',
    },
  },
  values: {
    dims: ['batch', 'len', 'd_v'],
    meaning: {
      en: 'V = x W_v: what each position hands over when attended',
      'zh-cn': 'V = x W_v：被关注时每个位置交出的内容',
    },
  },
  attention_scores: {
    dims: ['batch', 'queries', 'keys'],
    meaning: {
      en: 'Q Kᵀ / √d_k (no √d_k in the unscaled variant): how well each query matches each key',
      'zh-cn': 'Q Kᵀ / √d_k（不缩放变体没有 √d_k）：每个查询与每个键的匹配程度',
    },
  },
  attention_weights: {
    dims: ['batch', 'queries', 'keys'],
    meaning: {
      en: 'softmax of the scores over the keys: every row sums to 1, padding gets 0',
      'zh-cn': '分数在键上做 softmax：每行之和为 1，填充位置为 0',
    },
  },
  context: {
    dims: ['batch', 'len', 'd_v'],
    meaning: {
      en: 'weights @ V: what each position retrieved from the whole sequence',
      'zh-cn': 'weights @ V：每个位置从整个序列中取回的内容',
    },
  },
  logits: {
    dims: ['batch', 'len', 'vocab_size'],
    meaning: { en: 'scores over the vocabulary at each position', 'zh-cn': '每个位置在词表上的分数' },
  },
  target_ids: {
    dims: ['batch', 'len'],
    meaning: { en: 'the token each position should output', 'zh-cn': '每个位置应当输出的词元' },
  },
  embeddings: {
    dims: ['vocab_size', 'd_model'],
    meaning: { en: 'embedding table: row i is token i’s vector', 'zh-cn': '嵌入表：第 i 行是第 i 个词元的向量' },
  },
  'positions/position_embeddings': {
    dims: ['len', 'd_model'],
    meaning: {
      en: 'learned position embeddings: one trained vector per position',
      'zh-cn': '可学习的位置嵌入：每个位置一个训练出来的向量',
    },
  },
  'attention/qkv_kernel': {
    dims: ['d_model', '3·d_k'],
    meaning: {
      en: 'W_q, W_k and W_v side by side: one matmul makes Q, K and V',
      'zh-cn': 'W_q、W_k、W_v 并排：一次矩阵乘法得到 Q、K、V',
    },
  },
  'attention/qkv_bias': { dims: ['3·d_k'], meaning: { en: 'biases of Q, K and V', 'zh-cn': 'Q、K、V 的偏置' } },
  'output/kernel': {
    dims: ['d_v', 'vocab_size'],
    meaning: { en: 'output layer: retrieved vector → vocabulary scores', 'zh-cn': '输出层：取回的向量 → 词表分数' },
  },
  'output/bias': { dims: ['vocab_size'], meaning: { en: 'output layer bias', 'zh-cn': '输出层偏置' } },
};

export const info: ChapterInfo = {
  id: 'self-attention',
  title: { en: 'Scaled dot-product self-attention', 'zh-cn': '缩放点积自注意力' },
  summary: {
    en: 'softmax(QKᵀ/√d_k)V over one sequence: every position looks at every other, and positions must be told where they are.',
    'zh-cn': '在同一序列上计算 softmax(QKᵀ/√d_k)V：每个位置看所有位置，而位置信息必须另外提供。',
  },
  kind: 'encoder-only',
  trainable: true,
  tasks: [
    {
      id: 'reverse',
      title: { en: 'reverse', 'zh-cn': '反转' },
      description: { en: 'output the input backwards (fixed length)', 'zh-cn': '倒序输出输入序列（固定长度）' },
      defaults: {},
    },
    {
      id: 'copy',
      title: { en: 'copy', 'zh-cn': '复制' },
      description: { en: 'output the input unchanged (fixed length)', 'zh-cn': '原样输出输入序列（固定长度）' },
      defaults: {},
    },
  ],
  defaultTask: 'reverse',
  trainingUnit: 'epoch',
  hyperparameters: [
    ...trainingHyperparameters({ epochs: 10, batchSize: 64, learningRate: 0.01, clipNorm: 5 }),
    integer('dModel', { en: 'd_model (= d_k, one head)', 'zh-cn': 'd_model（= d_k，单头）' }, 32, 2, 256),
    choice('positions', { en: 'position encoding', 'zh-cn': '位置编码' }, 'learned', ['learned', 'sinusoidal', 'none']),
    flag('scaled', { en: 'divide scores by √d_k', 'zh-cn': '分数除以 √d_k' }, true),
    integer('length', { en: 'sequence length (fixed)', 'zh-cn': '序列长度（固定）' }, 8, 2, 32, 'data'),
    choice('alphabet', { en: 'symbols', 'zh-cn': '符号' }, 'digits', ['digits', 'letters'], 'data'),
    ...datasetSizes({ trainSize: 4000, validationSize: 500, testSize: 500 }),
  ],
  variants: [
    {
      id: 'scaled',
      title: { en: 'scaled (÷√d_k)', 'zh-cn': '缩放（÷√d_k）' },
      description: {
        en: 'the Transformer’s attention: scores divided by √d_k, learned positions',
        'zh-cn': 'Transformer 的注意力：分数除以 √d_k，位置可学习',
      },
      overrides: {},
    },
    {
      id: 'unscaled',
      title: { en: 'unscaled', 'zh-cn': '不缩放' },
      description: {
        en: 'raw dot products: the softmax saturates sooner as d_k grows',
        'zh-cn': '直接用点积：d_k 越大，softmax 越早饱和',
      },
      overrides: { scaled: false },
    },
    {
      id: 'no-positions',
      title: { en: 'no positions', 'zh-cn': '无位置信息' },
      description: {
        en: 'token embeddings only: attention cannot tell positions apart, so reverse fails',
        'zh-cn': '只有词元嵌入：注意力分不清位置，所以 reverse 会失败',
      },
      overrides: { positions: 'none' },
    },
    {
      id: 'sinusoidal',
      title: { en: 'sinusoidal positions', 'zh-cn': '正弦位置编码' },
      description: {
        en: 'fixed sin/cos position encodings instead of learned ones',
        'zh-cn': '用固定的正弦/余弦位置编码代替可学习的',
      },
      overrides: { positions: 'sinusoidal' },
    },
  ],
  defaultVariant: 'scaled',
  comparison: { task: 'reverse', variants: ['scaled', 'unscaled', 'no-positions'] },
  metrics: [
    VAL_LOSS,
    { ...VAL_EXACT_MATCH, label: { en: 'exact match (whole sequence)', 'zh-cn': '完全匹配率（整个序列）' } },
    {
      key: 'val_token_accuracy',
      label: { en: 'per-position accuracy', 'zh-cn': '逐位置准确率' },
      unit: 'ratio',
      better: 'higher',
      chart: 'accuracy',
      cli: 'val_position_acc',
    },
    {
      key: 'attention_entropy',
      label: { en: 'attention entropy (mean per row)', 'zh-cn': '注意力熵（每行平均）' },
      unit: 'nats',
      better: 'neither',
      chart: 'entropy',
      cli: 'entropy',
    },
  ],
  primaryMetric: 'val_exact_match',
  charts: [
    LOSS_CHART,
    ACCURACY_CHART,
    { id: 'entropy', title: { en: 'Attention entropy on validation', 'zh-cn': '验证集上的注意力熵' }, unit: 'nats' },
  ],
  glossary: TENSORS,
  selfChecks: [ROWS_SUM_TO_ONE, MASKED_ZERO, DIAGONAL, ANTI_DIAGONAL],
  contract: {
    newConcepts: [
      {
        en: 'self-attention: queries, keys and values all come from one sequence',
        'zh-cn': '自注意力：查询、键和值都来自同一个序列',
      },
      {
        en: 'Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V, every position at once in two matmuls',
        'zh-cn': 'Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V，两次矩阵乘法算出所有位置',
      },
      {
        en: 'why √d_k: with unit-variance components q·k has variance d_k, so without the scale softmax saturates and its gradient vanishes as d_k grows',
        'zh-cn': '为什么除以 √d_k：分量方差为 1 时 q·k 的方差为 d_k，不缩放时 d_k 越大 softmax 越饱和、梯度越小',
      },
      {
        en: 'attention alone is blind to order: position encodings (learned or sinusoidal) tell it where each token stands',
        'zh-cn': '注意力本身不看顺序：位置编码（可学习或正弦）告诉它每个词在哪里',
      },
      {
        en: 'the padding mask: keys that are padding get exactly 0 weight',
        'zh-cn': '填充掩码：填充位置的键权重恰好为 0',
      },
    ],
    verifies: [
      {
        en: 'with positions, one attention layer learns reverse at a fixed length, attending along the anti-diagonal (task reverse)',
        'zh-cn': '有位置信息时，一层注意力能学会固定长度的 reverse，并沿反对角线关注（reverse 任务）',
      },
      {
        en: 'without positions it cannot: every position holding the same token asks the same question (variant no-positions, task reverse)',
        'zh-cn': '没有位置信息就做不到：持有相同词元的位置问的是同一个问题（no-positions 变体，reverse 任务）',
      },
      {
        en: 'copy looks up its own token, with or without positions: it can match content, so its map may pick the same token elsewhere instead of the diagonal (task copy)',
        'zh-cn':
          '无论有没有位置信息，copy 都能找到自己的词元：它可以按内容匹配，所以注意力图可能选中别处的相同词元而不是对角线（copy 任务）',
      },
      {
        en: 'the course’s worked examples: weights on values 1, 2, 3 give 1.6, 2.0, 2.4; softmax of [0.36, 2.4, 0.36, 0.36] gives 0.7194 to the second key',
        'zh-cn':
          '教材的例题：权重作用在 1、2、3 上得到 1.6、2.0、2.4；对 [0.36, 2.4, 0.36, 0.36] 做 softmax，第二个键得到 0.7194',
      },
    ],
    doesNotVerify: [
      {
        en: 'that one layer can reverse sequences of varied length or sort: a query at position i cannot know the length n, so it cannot find n − 1 − i, and sorting needs ranks; both need the multi-layer Transformer chapters',
        'zh-cn':
          '一层注意力能反转不同长度的序列或排序：位置 i 的查询不知道长度 n，找不到 n − 1 − i；排序需要名次；这两者都留给多层 Transformer 的章节',
      },
      {
        en: 'that scaling matters at this model’s own small d_k: the √d_k figures show the effect at d_k up to 256, the entropy chart what it is here',
        'zh-cn': '在本模型这么小的 d_k 下缩放一定重要：√d_k 图展示 d_k 到 256 时的效果，熵曲线展示本模型的实际情况',
      },
      {
        en: 'anything about multi-head attention, residual connections or feed-forward layers: there are none here',
        'zh-cn': '任何关于多头注意力、残差连接或前馈层的结论：这里都没有',
      },
    ],
    lookAt: [
      {
        en: 'the map of a probe: an anti-diagonal for reverse, a diagonal for copy, and the badge that measures it',
        'zh-cn': '探针的注意力图：reverse 是反对角线，copy 是对角线，以及测量它的徽章',
      },
      {
        en: 'attention_weights [batch, queries, keys]: one row per position, every row sums to 1',
        'zh-cn': 'attention_weights [batch, queries, keys]：每个位置一行，每行之和为 1',
      },
      {
        en: 'the three √d_k figures (variance, entropy, gradient against d_k) and the entropy of your own model through training',
        'zh-cn': '三张 √d_k 图（方差、熵、梯度随 d_k 的变化），以及你自己的模型训练过程中的熵',
      },
      {
        en: 'the worked examples, with the values the course prints beside the ones it computes',
        'zh-cn': '例题：教材印的数字与计算出的数字并列',
      },
    ],
    compare: [
      {
        en: 'scaled vs no-positions on reverse: the same data and seed, one learns and one stays near chance',
        'zh-cn': '在 reverse 上比较 scaled 与 no-positions：相同的数据和种子，一个学会，一个停在随机水平',
      },
      {
        en: 'scaled vs unscaled: at d_model 32 both learn; look at the entropy curves',
        'zh-cn': 'scaled 与 unscaled：d_model 为 32 时两者都能学会；看熵的曲线',
      },
    ],
  },
};
