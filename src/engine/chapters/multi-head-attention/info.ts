/**
 * Chapter multi-head-attention: what it teaches and declares (plain data, no TensorFlow).
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
  integer,
  trainingHyperparameters,
} from '../../../shared/course/specs';

export const HEADS_DIFFER: SelfCheckSpec = {
  id: 'heads-differ',
  label: { en: 'the heads look at different places', 'zh-cn': '各个头关注不同的位置' },
  description: {
    en: 'mean Jensen–Shannon divergence (nats, 0 to ln 2 ≈ 0.693) between the rows of every pair of heads, over the real rows of the first 256 validation examples; the baseline is the same measure for the model as initialised (a fresh model from the run’s seed and hyperparameters), and the check passes when the trained value is greater than the baseline (with one head there is no pair: 0, and it fails)',
    'zh-cn':
      '每一对头的注意力行之间的平均 Jensen–Shannon 散度（奈特，0 到 ln 2 ≈ 0.693），在前 256 个验证样本的真实行上计算；基线是初始化时模型的同一度量（用本次运行的种子和超参数新建的模型），训练后的值大于基线即通过（只有一个头时没有可比的一对：值为 0，不通过）',
  },
};

export const NEIGHBOURS: SelfCheckSpec = {
  id: 'neighbours',
  label: { en: 'the heads read the two neighbours', 'zh-cn': '各个头读取两个邻居' },
  description: {
    en: 'share of the attention weight on the left neighbour i − 1 and the right neighbour i + 1 (the sequence read as a ring), averaged over the heads and the real rows of the first 256 validation examples (passes at 0.9); the detail gives each head’s mean weight on each side, which shows how the heads share the work',
    'zh-cn':
      '注意力权重落在左邻居 i − 1 和右邻居 i + 1 上的比例（序列首尾相接成环），对所有头以及前 256 个验证样本的真实行取平均（0.9 及以上通过）；详情列出每个头在左右两边的平均权重，可以看出各头如何分工',
  },
};

const TENSORS = {
  source_ids: { dims: ['batch', 'len'], meaning: { en: 'input digit ids', 'zh-cn': '输入数字的 id' } },
  token_embeddings: {
    dims: ['batch', 'len', 'd_model'],
    meaning: {
      en: 'one learned vector per digit: the same wherever the digit stands',
      'zh-cn': '每个数字一个可学习的向量：无论它在哪个位置都一样',
    },
  },
  attention_inputs: {
    dims: ['batch', 'len', 'd_model'],
    meaning: {
      en: 'token embedding + position encoding: what every head reads',
      'zh-cn': '词元嵌入 + 位置编码：每个头读入的内容',
    },
  },
  qkv: {
    dims: ['batch', 'len', '3·d_model'],
    meaning: {
      en: 'x W_qkv: the queries, keys and values of all heads from one matmul, side by side [Q heads | K heads | V heads]',
      'zh-cn': 'x W_qkv：一次矩阵乘法得到所有头的查询、键和值，并排排列 [Q 各头 | K 各头 | V 各头]',
    },
  },
  queries: {
    dims: ['batch', 'heads', 'len', 'd_k'],
    meaning: {
      en: 'Q split into heads: what each position is looking for, one d_k = d_model / h slice per head',
      'zh-cn': '按头拆开的 Q：每个位置在找什么，每个头一段 d_k = d_model / h',
    },
  },
  keys: {
    dims: ['batch', 'heads', 'len', 'd_k'],
    meaning: {
      en: 'K split into heads: what each position offers to be matched, per head',
      'zh-cn': '按头拆开的 K：每个位置在每个头里提供给别人匹配的内容',
    },
  },
  values: {
    dims: ['batch', 'heads', 'len', 'd_k'],
    meaning: {
      en: 'V split into heads: what each position hands over when a head attends to it',
      'zh-cn': '按头拆开的 V：某个头关注该位置时它交出的内容',
    },
  },
  attention_scores: {
    dims: ['batch', 'heads', 'queries', 'keys'],
    meaning: {
      en: 'Q_j K_jᵀ / √d_k for every head j at once (one batched matmul, heads folded into the batch)',
      'zh-cn': '所有头 j 的 Q_j K_jᵀ / √d_k 一起算出（头并入批维度，一次批量矩阵乘法）',
    },
  },
  attention_weights: {
    dims: ['batch', 'heads', 'queries', 'keys'],
    meaning: {
      en: 'softmax over the keys, per head: one map per head, every row sums to 1, padding gets 0',
      'zh-cn': '每个头在键上做 softmax：每个头一张图，每行之和为 1，填充位置为 0',
    },
  },
  head_outputs: {
    dims: ['batch', 'heads', 'len', 'd_k'],
    meaning: {
      en: 'head_j = weights_j V_j: what each head retrieved for each position',
      'zh-cn': 'head_j = weights_j V_j：每个头为每个位置取回的内容',
    },
  },
  concatenated_heads: {
    dims: ['batch', 'len', 'd_model'],
    meaning: {
      en: 'concat(head_1, …, head_h): the heads side by side again, h · d_k = d_model wide',
      'zh-cn': 'concat(head_1, …, head_h)：各头的结果重新并排，宽 h · d_k = d_model',
    },
  },
  attention_output: {
    dims: ['batch', 'len', 'd_model'],
    meaning: {
      en: 'concat(heads) W_O: the output projection mixes what the heads found',
      'zh-cn': 'concat(heads) W_O：输出投影把各头找到的内容混合起来',
    },
  },
  logits: {
    dims: ['batch', 'len', 'outputs'],
    meaning: { en: 'scores over the possible outputs at each position', 'zh-cn': '每个位置在所有可能输出上的分数' },
  },
  target_ids: {
    dims: ['batch', 'len'],
    meaning: { en: 'the output each position should give', 'zh-cn': '每个位置应当给出的输出' },
  },
  embeddings: {
    dims: ['vocab_size', 'd_model'],
    meaning: { en: 'embedding table: row i is digit i’s vector', 'zh-cn': '嵌入表：第 i 行是第 i 个数字的向量' },
  },
  'positions/position_embeddings': {
    dims: ['len', 'd_model'],
    meaning: {
      en: 'learned position embeddings: one trained vector per position',
      'zh-cn': '可学习的位置嵌入：每个位置一个训练出来的向量',
    },
  },
  'attention/qkv_kernel': {
    dims: ['d_model', '3·d_model'],
    meaning: {
      en: 'W_q, W_k and W_v of all heads side by side: head j’s queries are columns j·d_k … (j+1)·d_k − 1 of the first third',
      'zh-cn': '所有头的 W_q、W_k、W_v 并排：第 j 个头的查询是前三分之一中的第 j·d_k … (j+1)·d_k − 1 列',
    },
  },
  'attention/qkv_bias': {
    dims: ['3·d_model'],
    meaning: { en: 'biases of Q, K and V, all heads', 'zh-cn': '所有头的 Q、K、V 偏置' },
  },
  'attention/output_kernel': {
    dims: ['d_model', 'd_model'],
    meaning: {
      en: 'W_O: from the concatenated heads back to d_model',
      'zh-cn': 'W_O：把拼接后的各头映射回 d_model',
    },
  },
  'attention/output_bias': { dims: ['d_model'], meaning: { en: 'bias of W_O', 'zh-cn': 'W_O 的偏置' } },
  'output/kernel': {
    dims: ['d_model', 'outputs'],
    meaning: { en: 'output layer: attention output → output scores', 'zh-cn': '输出层：注意力输出 → 输出分数' },
  },
  'output/bias': { dims: ['outputs'], meaning: { en: 'output layer bias', 'zh-cn': '输出层偏置' } },
};

export const info: ChapterInfo = {
  id: 'multi-head-attention',
  title: { en: 'Multi-head attention', 'zh-cn': '多头注意力' },
  summary: {
    en: 'h heads of d_model / h attend in parallel, each to a different relation; their outputs are concatenated and mixed by W_O.',
    'zh-cn': 'h 个宽 d_model / h 的头并行计算注意力，各自关注不同的关系；它们的输出拼接后由 W_O 混合。',
  },
  kind: 'encoder-only',
  trainable: true,
  tasks: [
    {
      id: 'difference',
      title: { en: 'right − left neighbour', 'zh-cn': '右邻 − 左邻' },
      description: {
        en: 'digits separated by spaces, read as a ring (the first and last digits are neighbours); each position outputs its right neighbour minus its left one, −9 to 9',
        'zh-cn':
          '以空格分隔的数字，首尾相接成环（第一个和最后一个数字互为邻居）；每个位置输出右邻居减左邻居，范围 −9 到 9',
      },
      defaults: {},
    },
    {
      id: 'sum',
      title: { en: 'left + right neighbour', 'zh-cn': '左邻 + 右邻' },
      description: {
        en: 'the same ring of digits; each position outputs the sum of its two neighbours, 0 to 18 (symmetric: the order of the two does not matter)',
        'zh-cn': '同样首尾相接的数字环；每个位置输出两个邻居之和，范围 0 到 18（对称：两个邻居谁左谁右无关紧要）',
      },
      defaults: {},
    },
  ],
  defaultTask: 'difference',
  trainingUnit: 'epoch',
  hyperparameters: [
    ...trainingHyperparameters({ epochs: 10, batchSize: 64, learningRate: 0.005, clipNorm: 5 }),
    integer('dModel', { en: 'd_model (all heads together)', 'zh-cn': 'd_model（所有头合计）' }, 32, 2, 256),
    integer(
      'heads',
      {
        en: 'heads h (must divide d_model; d_k = d_model / h)',
        'zh-cn': '头数 h（须整除 d_model；d_k = d_model / h）',
      },
      4,
      1,
      16,
    ),
    choice('positions', { en: 'position encoding', 'zh-cn': '位置编码' }, 'learned', ['learned', 'sinusoidal', 'none']),
    integer('length', { en: 'sequence length (fixed)', 'zh-cn': '序列长度（固定）' }, 8, 3, 32, 'data'),
    ...datasetSizes({ trainSize: 4000, validationSize: 500, testSize: 500 }),
  ],
  variants: [
    {
      id: 'heads-4',
      title: { en: '4 heads (d_k = 8)', 'zh-cn': '4 个头（d_k = 8）' },
      description: {
        en: 'four heads of d_model / 4, four maps per position: each head can weigh the two neighbours differently',
        'zh-cn': '四个宽 d_model / 4 的头，每个位置四张注意力图：每个头可以用不同的比例看两个邻居',
      },
      overrides: { heads: 4 },
    },
    {
      id: 'heads-1',
      title: { en: '1 head (d_k = 32)', 'zh-cn': '1 个头（d_k = 32）' },
      description: {
        en: 'one head as wide as the model, the same number of weights: it has one map per position to share between the two neighbours',
        'zh-cn': '一个与模型同宽的头，权重数量相同：每个位置只有一张注意力图，要在两个邻居之间分配',
      },
      overrides: { heads: 1 },
    },
  ],
  defaultVariant: 'heads-4',
  comparison: { task: 'difference', variants: ['heads-1', 'heads-4'] },
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
      key: 'head_divergence',
      label: { en: 'divergence between heads (mean JS)', 'zh-cn': '头之间的差异（平均 JS 散度）' },
      unit: 'nats',
      better: 'neither',
      chart: 'divergence',
      cli: 'head_js',
    },
  ],
  primaryMetric: 'val_exact_match',
  charts: [
    LOSS_CHART,
    ACCURACY_CHART,
    {
      id: 'divergence',
      title: { en: 'How different the heads’ maps are', 'zh-cn': '各头注意力图的差异' },
      unit: 'nats',
    },
  ],
  glossary: TENSORS,
  selfChecks: [ROWS_SUM_TO_ONE, MASKED_ZERO, HEADS_DIFFER, NEIGHBOURS],
  contract: {
    newConcepts: [
      {
        en: 'h heads of d_k = d_model / h: each head has its own queries, keys and values (its slice of one projection), so four heads have exactly the weights of one d_model-wide head',
        'zh-cn':
          'h 个头，每个宽 d_k = d_model / h：每个头有自己的查询、键和值（同一个投影中属于它的一段），所以四个头的权重与一个宽 d_model 的头完全一样多',
      },
      {
        en: 'Q, K and V of all heads in one matmul, split into [batch, heads, seq, d_k]; every head’s attention in one batched matmul, the heads folded into the batch axis',
        'zh-cn':
          '一次矩阵乘法得到所有头的 Q、K、V，拆成 [batch, heads, seq, d_k]；所有头的注意力在一次批量矩阵乘法中完成，头并入批维度',
      },
      {
        en: 'concat(head_1, …, head_h) W_O: the heads’ outputs side by side again, mixed by the output projection',
        'zh-cn': 'concat(head_1, …, head_h) W_O：各头的输出重新并排，再由输出投影混合',
      },
      {
        en: 'one map per head: a head hands over a weighted mix of the values it attends to, so one head gives each position one mix of what it reads; several heads give several different mixes, which the layers after them can tell apart',
        'zh-cn':
          '每个头一张注意力图：一个头交出的是它所关注的值的加权混合，所以一个头只能给每个位置一种混合；多个头给出多种不同的混合，后面的层可以把它们区分开',
      },
      {
        en: 'how different two heads are: the Jensen–Shannon divergence between their rows, 0 for identical rows, ln 2 ≈ 0.693 for rows with no key in common',
        'zh-cn': '两个头有多不同：它们注意力行之间的 Jensen–Shannon 散度，完全相同为 0，没有共同的键时为 ln 2 ≈ 0.693',
      },
    ],
    verifies: [
      {
        en: 'four heads learn difference: at least 99% per-position accuracy after 6 of the default 10 epochs on the default 4000 examples (seed 1), at least 90% of the heads’ weight on the two neighbours, and heads whose maps differ more than at initialisation (mean Jensen–Shannon divergence at least twice its initial value)',
        'zh-cn':
          '四个头能学会 difference：用默认的 4000 个样本训练 6 轮后（默认 10 轮；种子 1）逐位置准确率至少 99%，各头至少 90% 的权重落在两个邻居上，且各头注意力图的差异大于初始化时（平均 Jensen–Shannon 散度至少是初始值的两倍）',
      },
      {
        en: 'one head of the same width (d_k = 32; the same weights, data, seed and epochs) stays below 30% per-position accuracy on difference, although it too puts at least 90% of its weight on the two neighbours',
        'zh-cn':
          '同样宽度的一个头（d_k = 32；权重、数据、种子和轮数都相同）在 difference 上逐位置准确率低于 30%，尽管它同样把至少 90% 的权重放在两个邻居上',
      },
      {
        en: 'on sum, where the order of the two neighbours does not matter, one head is enough: at least 95% per-position accuracy with the same settings',
        'zh-cn': '在 sum 上两个邻居的先后无关紧要，一个头就够了：相同设置下逐位置准确率至少 95%',
      },
      {
        en: 'the mechanics: with h = 1 the layer is exactly single-head scaled dot-product attention with the same weights; splitting into heads and concatenating back is the identity; every head’s rows sum to 1 and padding gets exactly 0; the gradients match finite differences',
        'zh-cn':
          '计算本身：h = 1 时，这一层与使用相同权重的单头缩放点积注意力完全相同；拆分成多个头再拼接回来等于原样；每个头的每行之和为 1，填充位置恰好为 0；梯度与有限差分一致',
      },
    ],
    doesNotVerify: [
      {
        en: 'that one head can never learn difference: its weights can depend on the digits, and longer training or a wider model might take it further; only that at this size and budget it does not',
        'zh-cn':
          '一个头永远学不会 difference：它的权重可以随数字而变，更长的训练或更宽的模型也许能走得更远；这里只说明在这个规模和训练量下它学不会',
      },
      {
        en: 'that the heads split into a “left head” and a “right head”: they may instead each mix both sides in their own proportion, which serves as well (the neighbours badge’s detail shows each head’s split)',
        'zh-cn':
          '各头一定分成“看左边的头”和“看右边的头”：它们也可能各自以不同比例混合两边，效果一样（neighbours 徽章的详情列出每个头的分配）',
      },
      {
        en: 'sorting, which the course’s Transformer chapters use: it needs each digit’s rank among all the others, which one attention layer with no feed-forward layer after it cannot compute; it needs several layers. A neighbour task needs only a fixed look-up per head, which one layer can do',
        'zh-cn':
          '排序（课程的 Transformer 章节会用到）：它需要知道每个数字在所有数字中的名次，一层后面没有前馈层的注意力算不出来，需要多层。邻居任务每个头只需固定地查看某个位置，一层就能做到',
      },
      {
        en: 'anything about residual connections, feed-forward layers, layer norm or stacked layers: there are none here (and so no task that needs a non-linearity after attention, such as a sum modulo 10)',
        'zh-cn':
          '任何关于残差连接、前馈层、层归一化或多层堆叠的结论：这里都没有（因此也没有需要在注意力之后做非线性变换的任务，例如模 10 求和）',
      },
      {
        en: 'that more heads are always better: with d_model fixed, more heads are narrower heads; only one head against four is tested',
        'zh-cn': '头越多越好：d_model 固定时，头越多每个头越窄；这里只比较了一个头和四个头',
      },
    ],
    lookAt: [
      {
        en: 'the overview’s thumbnail of each head: on difference, weight on the two off-diagonals i − 1 and i + 1 (wrapping round at the corners), split differently by each head',
        'zh-cn':
          '概览中每个头的缩略图：在 difference 上，权重落在两条次对角线 i − 1 和 i + 1 上（在角上绕回），每个头的分配各不相同',
      },
      {
        en: 'the shapes from qkv [batch, len, 3·d_model] to queries [batch, heads, len, d_k], attention_weights [batch, heads, queries, keys], head_outputs and back to concatenated_heads [batch, len, d_model]',
        'zh-cn':
          '形状的变化：从 qkv [batch, len, 3·d_model] 到 queries [batch, heads, len, d_k]、attention_weights [batch, heads, queries, keys]、head_outputs，再回到 concatenated_heads [batch, len, d_model]',
      },
      {
        en: 'the divergence chart and the heads-differ badge beside its baseline; the neighbours badge’s detail: each head’s mean weight on the left and on the right',
        'zh-cn': '差异曲线，以及 heads-differ 徽章与它的基线；neighbours 徽章的详情：每个头在左边和右边的平均权重',
      },
    ],
    compare: [
      {
        en: 'heads-1 against heads-4 on difference: the same d_model, weights, data and seed. Four heads learn it; one head stays below 30% although its map also sits on the two neighbours: one mix of the two digits per position does not say which was on the left',
        'zh-cn':
          '在 difference 上比较 heads-1 与 heads-4：d_model、权重、数据和种子都相同。四个头学会了；一个头的注意力图同样落在两个邻居上，准确率却低于 30%：每个位置只有两个数字的一种混合，说不出哪个在左边',
      },
      {
        en: 'the divergence chart: 0 throughout for one head (there is no pair of heads), rising well above its initial value for four',
        'zh-cn': '差异曲线：一个头时始终为 0（没有可比的一对头），四个头时升到远高于初始值',
      },
    ],
  },
};
