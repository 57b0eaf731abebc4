/**
 * Chapter transformer-encoder: what it teaches and declares (plain data, no TensorFlow).
 */
import type { ChapterInfo, GlossaryEntry, SelfCheckSpec } from '../../../shared/course/chapter';
import { MASKED_ZERO, ROWS_SUM_TO_ONE } from '../../../shared/course/checks';
import {
  ACCURACY_CHART,
  LOSS_CHART,
  VAL_EXACT_MATCH,
  VAL_LOSS,
  choice,
  datasetSizes,
  integer,
  number,
  trainingHyperparameters,
} from '../../../shared/course/specs';

export const POSITION_CLOSED_FORM: SelfCheckSpec = {
  id: 'position-closed-form',
  label: {
    en: 'position encoding matches its closed form',
    'zh-cn': '位置编码与解析式一致',
  },
  description: {
    en: 'the largest |PE[pos, i] − closed form| over every position and feature the model adds, against sin(pos/10000^(2i/d_model)) and cos(…) in float64 (sinusoidal positions; passes at 1e-6)',
    'zh-cn':
      '模型加上的每个位置、每个特征上 |PE[pos, i] − 解析式| 的最大值，与 float64 的 sin(pos/10000^(2i/d_model))、cos(…) 比较（正弦位置编码；1e-6 及以下通过）',
  },
};

export const ALIGNMENT: SelfCheckSpec = {
  id: 'alignment',
  label: {
    en: 'one layer looks where the answer is',
    'zh-cn': '有一层看向答案所在的位置',
  },
  description: {
    en: 'the largest, over the layers, share of validation rows for which some head of that layer puts its largest weight where the row’s output comes from: position n − 1 − i for reverse, a position holding the token the row must output for sort (passes at 0.9; the detail names the layer and lists every layer’s share)',
    'zh-cn':
      '对每一层，计算验证集中该层有某个头把最大权重放在该行输出来源处的行所占比例，取各层中的最大值：reverse 是位置 n − 1 − i，sort 是持有该行应输出词元的位置（0.9 及以上通过；详情给出是哪一层以及每层的比例）',
  },
};

const bi = (en: string, zh: string) => ({ en, 'zh-cn': zh });
const entry = (dims: string[], en: string, zh: string): GlossaryEntry => ({ dims, meaning: bi(en, zh) });

const GLOSSARY: Record<string, GlossaryEntry> = {
  source_ids: entry(['batch', 'len'], 'input token ids (0 = padding)', '输入词元的 id（0 为填充）'),
  token_embeddings: entry(
    ['batch', 'len', 'd_model'],
    'one learned vector per token, the same wherever the token stands',
    '每个词元一个可学习的向量，无论它在哪个位置都一样',
  ),
  position_encoding: entry(
    ['len', 'd_model'],
    'the rows added for positions 0..len − 1: sinusoidal (fixed) or learned',
    '为位置 0..len − 1 加上的行：正弦（固定）或可学习',
  ),
  encoder_inputs: entry(
    ['batch', 'len', 'd_model'],
    'dropout(token embedding + position encoding): what layer 1 reads',
    'dropout(词元嵌入 + 位置编码)：第 1 层读入的内容',
  ),
  'layer{n}/queries': entry(
    ['batch', 'heads', 'len', 'd_head'],
    'Q of every head of layer n (x W_q, or LN(x) W_q in pre-LN), split into heads',
    '第 n 层每个头的 Q（x W_q，pre-LN 时为 LN(x) W_q），按头切开',
  ),
  'layer{n}/keys': entry(['batch', 'heads', 'len', 'd_head'], 'K of every head of layer n', '第 n 层每个头的 K'),
  'layer{n}/values': entry(['batch', 'heads', 'len', 'd_head'], 'V of every head of layer n', '第 n 层每个头的 V'),
  'layer{n}/attention_scores': entry(
    ['batch', 'heads', 'queries', 'keys'],
    'Q Kᵀ / √d_head of every head of layer n, before the padding mask',
    '第 n 层每个头的 Q Kᵀ / √d_head，尚未加填充掩码',
  ),
  'layer{n}/attention_weights': entry(
    ['batch', 'heads', 'queries', 'keys'],
    'softmax over the keys: every row sums to 1, padding keys get exactly 0',
    '在键上做 softmax：每行之和为 1，填充位置的键恰好为 0',
  ),
  'layer{n}/after_attention': entry(
    ['batch', 'len', 'd_model'],
    'the attention sub-layer’s output: LN(x + dropout(MHA(x))) post-LN, x + dropout(MHA(LN(x))) pre-LN',
    '注意力子层的输出：post-LN 为 LN(x + dropout(MHA(x)))，pre-LN 为 x + dropout(MHA(LN(x)))',
  ),
  'layer{n}/output': entry(
    ['batch', 'len', 'd_model'],
    'layer n’s output, after the feed-forward sub-layer and its residual connection and norm',
    '第 n 层的输出：经过前馈子层及其残差连接与归一化之后',
  ),
  encoder_outputs: entry(
    ['batch', 'len', 'd_model'],
    'the last layer’s output (pre-LN: after the final layer norm)',
    '最后一层的输出（pre-LN：经过最后的层归一化之后）',
  ),
  logits: entry(
    ['batch', 'len', 'vocab_size'],
    'scores over the vocabulary at each position',
    '每个位置在词表上的分数',
  ),
  target_ids: entry(['batch', 'len'], 'the token each position should output', '每个位置应当输出的词元'),
  embeddings: entry(
    ['vocab_size', 'd_model'],
    'embedding table: row i is token i’s vector',
    '嵌入表：第 i 行是第 i 个词元的向量',
  ),
  'positions/position_embeddings': entry(
    ['max_len', 'd_model'],
    'learned position embeddings: one trained vector per position',
    '可学习的位置嵌入：每个位置一个训练出来的向量',
  ),
  'layer{n}/attention/qkv_kernel': entry(
    ['d_model', '3·d_model'],
    'W_q, W_k, W_v of all heads side by side: one matmul makes Q, K and V',
    '所有头的 W_q、W_k、W_v 并排：一次矩阵乘法得到 Q、K、V',
  ),
  'layer{n}/attention/qkv_bias': entry(['3·d_model'], 'biases of Q, K and V', 'Q、K、V 的偏置'),
  'layer{n}/attention/output_kernel': entry(
    ['d_model', 'd_model'],
    'W_O: mixes the concatenated heads back into d_model features',
    'W_O：把拼接起来的各头重新混合成 d_model 个特征',
  ),
  'layer{n}/attention/output_bias': entry(['d_model'], 'bias of W_O', 'W_O 的偏置'),
  'layer{n}/attention_norm/gain': entry(
    ['d_model'],
    'layer norm of the attention sub-layer: scale (starts at 1)',
    '注意力子层的层归一化：缩放（初始为 1）',
  ),
  'layer{n}/attention_norm/bias': entry(
    ['d_model'],
    'layer norm of the attention sub-layer: shift (starts at 0)',
    '注意力子层的层归一化：平移（初始为 0）',
  ),
  'layer{n}/ffn/hidden_kernel': entry(['d_model', 'd_ff'], 'W₁ of the feed-forward network', '前馈网络的 W₁'),
  'layer{n}/ffn/hidden_bias': entry(['d_ff'], 'b₁ of the feed-forward network', '前馈网络的 b₁'),
  'layer{n}/ffn/output_kernel': entry(['d_ff', 'd_model'], 'W₂ of the feed-forward network', '前馈网络的 W₂'),
  'layer{n}/ffn/output_bias': entry(['d_model'], 'b₂ of the feed-forward network', '前馈网络的 b₂'),
  'layer{n}/ffn_norm/gain': entry(
    ['d_model'],
    'layer norm of the feed-forward sub-layer: scale',
    '前馈子层的层归一化：缩放',
  ),
  'layer{n}/ffn_norm/bias': entry(
    ['d_model'],
    'layer norm of the feed-forward sub-layer: shift',
    '前馈子层的层归一化：平移',
  ),
  'final_norm/gain': entry(['d_model'], 'pre-LN’s final layer norm: scale', 'pre-LN 最后的层归一化：缩放'),
  'final_norm/bias': entry(['d_model'], 'pre-LN’s final layer norm: shift', 'pre-LN 最后的层归一化：平移'),
  'output/kernel': entry(
    ['d_model', 'vocab_size'],
    'output layer: encoder output → vocabulary scores',
    '输出层：编码器输出 → 词表分数',
  ),
  'output/bias': entry(['vocab_size'], 'output layer bias', '输出层偏置'),
};

/**
 * The preset the layer-norm comparison runs with (named in the contract): at the default 2 layers
 * and learning rate the three variants train alike, so it takes 4 layers and a learning rate of
 * 0.01, constant after warm-up (warm-up is then the only difference between post-ln and
 * post-ln-warmup), on a small model and budget (378 steps) so the three runs are quick.
 */
export const COMPARISON_PRESET = {
  layers: 4,
  dModel: 32,
  ffnSize: 64,
  learningRate: 0.01,
  schedule: 'constant',
  batchSize: 32,
  epochs: 6,
  maxLength: 8,
  trainSize: 2000,
  validationSize: 200,
};

export const info: ChapterInfo = {
  id: 'transformer-encoder',
  title: { en: 'Transformer encoder', 'zh-cn': 'Transformer 编码器' },
  summary: {
    en: 'Embeddings + positions, then N layers of multi-head self-attention and a feed-forward network, each with a residual connection, dropout and layer norm (post-LN or pre-LN).',
    'zh-cn':
      '嵌入 + 位置编码，然后是 N 层多头自注意力与前馈网络，每个子层都有残差连接、dropout 与层归一化（post-LN 或 pre-LN）。',
  },
  kind: 'encoder-only',
  trainable: true,
  tasks: [
    {
      id: 'reverse',
      title: { en: 'reverse', 'zh-cn': '反转' },
      description: {
        en: 'output the input backwards, lengths varying within a batch: position i must find position n − 1 − i, and first learn n',
        'zh-cn': '倒序输出输入序列，同一批中长度不一：位置 i 要找到位置 n − 1 − i，先得知道 n',
      },
      defaults: {},
    },
    {
      id: 'sort',
      title: { en: 'sort', 'zh-cn': '排序' },
      description: {
        en: 'output the input in ascending order, lengths varying: position i must find the token of rank i',
        'zh-cn': '按升序输出输入序列，长度不一：位置 i 要找到名次为 i 的词元',
      },
      defaults: {},
    },
  ],
  defaultTask: 'reverse',
  trainingUnit: 'epoch',
  hyperparameters: [
    ...trainingHyperparameters({ epochs: 6, batchSize: 32, learningRate: 0.003, clipNorm: 5 }),
    integer(
      'warmupSteps',
      { en: 'learning-rate warm-up (steps)', 'zh-cn': '学习率预热（步数）' },
      0,
      0,
      100000,
      'training',
    ),
    choice('schedule', { en: 'after warm-up', 'zh-cn': '预热之后' }, 'cosine', ['cosine', 'constant'], 'training'),
    number('weightDecay', { en: 'AdamW weight decay λ', 'zh-cn': 'AdamW 权重衰减 λ' }, 0.01, 0, 1, 'training', false),
    choice('norm', { en: 'layer norm placement', 'zh-cn': '层归一化的位置' }, 'pre', ['post', 'pre']),
    choice('positions', { en: 'position encoding', 'zh-cn': '位置编码' }, 'sinusoidal', [
      'sinusoidal',
      'learned',
      'none',
    ]),
    integer('layers', { en: 'layers N', 'zh-cn': '层数 N' }, 2, 1, 12),
    integer('heads', { en: 'heads h (must divide d_model)', 'zh-cn': '头数 h（须整除 d_model）' }, 4, 1, 16),
    integer('dModel', { en: 'd_model', 'zh-cn': 'd_model' }, 32, 4, 256),
    integer('ffnSize', { en: 'feed-forward width d_ff', 'zh-cn': '前馈网络宽度 d_ff' }, 128, 4, 1024),
    number('dropout', { en: 'dropout', 'zh-cn': 'dropout' }, 0, 0, 0.9, 'model'),
    integer('minLength', { en: 'shortest sequence', 'zh-cn': '最短序列长度' }, 3, 1, 32, 'data'),
    integer(
      'maxLength',
      { en: 'longest sequence (= positions)', 'zh-cn': '最长序列长度（= 位置数）' },
      8,
      2,
      32,
      'data',
    ),
    choice('alphabet', { en: 'symbols', 'zh-cn': '符号' }, 'digits', ['digits', 'letters'], 'data'),
    ...datasetSizes({ trainSize: 4000, validationSize: 500, testSize: 500 }),
  ],
  variants: [
    {
      id: 'pre-ln',
      title: { en: 'pre-LN', 'zh-cn': 'pre-LN' },
      description: {
        en: 'x + dropout(sublayer(LN(x))), a final layer norm, no warm-up (GPT-2 and most models since)',
        'zh-cn': 'x + dropout(sublayer(LN(x)))，最后再加一层归一化，不预热（GPT-2 及之后的多数模型）',
      },
      overrides: { norm: 'pre', warmupSteps: 0 },
    },
    {
      id: 'post-ln',
      title: { en: 'post-LN, no warm-up', 'zh-cn': 'post-LN，不预热' },
      description: {
        en: 'LN(x + dropout(sublayer(x))) as in the original Transformer, at the full learning rate from the first step',
        'zh-cn': '与原始 Transformer 相同的 LN(x + dropout(sublayer(x)))，从第一步起就用完整的学习率',
      },
      overrides: { norm: 'post', warmupSteps: 0 },
    },
    {
      id: 'post-ln-warmup',
      title: { en: 'post-LN with warm-up', 'zh-cn': 'post-LN，预热' },
      description: {
        en: 'the original Transformer: post-LN, the learning rate rising linearly over the first 150 steps',
        'zh-cn': '原始 Transformer：post-LN，学习率在前 150 步线性上升',
      },
      overrides: { norm: 'post', warmupSteps: 150 },
    },
  ],
  defaultVariant: 'pre-ln',
  comparison: { task: 'reverse', variants: ['post-ln', 'post-ln-warmup', 'pre-ln'], overrides: COMPARISON_PRESET },
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
  ],
  primaryMetric: 'val_exact_match',
  charts: [LOSS_CHART, ACCURACY_CHART],
  glossary: GLOSSARY,
  selfChecks: [ROWS_SUM_TO_ONE, MASKED_ZERO, POSITION_CLOSED_FORM, ALIGNMENT],
  contract: {
    newConcepts: [
      {
        en: 'the encoder layer: multi-head self-attention, then a position-wise feed-forward network W₂·ReLU(W₁x + b₁) + b₂, each inside a residual connection with dropout and layer norm; N such layers, then an output projection per position',
        'zh-cn':
          '编码器层：多头自注意力，然后是逐位置的前馈网络 W₂·ReLU(W₁x + b₁) + b₂，每个子层都包在带 dropout 与层归一化的残差连接里；叠 N 层，最后每个位置做一次输出投影',
      },
      {
        en: 'residual connections: x + sublayer(x) keeps a straight path for the signal and its gradient through every layer',
        'zh-cn': '残差连接：x + sublayer(x) 让信号和梯度在每一层都有一条直通的路径',
      },
      {
        en: 'where the layer norm goes: post-LN LN(x + sublayer(x)) (the original) against pre-LN x + sublayer(LN(x)) with one final LN (GPT-2 and most models since)',
        'zh-cn':
          '层归一化放在哪里：post-LN 为 LN(x + sublayer(x))（原始设计），pre-LN 为 x + sublayer(LN(x))，最后再加一层 LN（GPT-2 及之后的多数模型）',
      },
      {
        en: 'learning-rate warm-up: the rate rises linearly over the first steps; here AdamW (β₁ 0.9, β₂ 0.98, ε 1e-9, weight decay 0.01 on matrices) with linear warm-up, then a cosine decay to 0 at the last step (or a constant rate: schedule = constant)',
        'zh-cn':
          '学习率预热：学习率在最初若干步线性上升；本章用 AdamW（β₁ 0.9、β₂ 0.98、ε 1e-9、矩阵权重衰减 0.01），线性预热后按余弦降到最后一步的 0（或保持不变：schedule = constant）',
      },
      {
        en: 'sinusoidal positions PE[pos, 2i] = sin(pos/10000^(2i/d_model)), PE[pos, 2i+1] = cos(…): PE[0] = [0, 1, 0, 1, …], and PE[p]·PE[q] = Σᵢ cos((p − q)ωᵢ) depends only on the offset',
        'zh-cn':
          '正弦位置编码 PE[pos, 2i] = sin(pos/10000^(2i/d_model))，PE[pos, 2i+1] = cos(…)：PE[0] = [0, 1, 0, 1, …]，而 PE[p]·PE[q] = Σᵢ cos((p − q)ωᵢ) 只取决于距离',
      },
      {
        en: 'why two layers: to reverse sequences of varied length, position i needs the length n to find n − 1 − i; no single attention layer knows n before it has looked',
        'zh-cn':
          '为什么要两层：反转长度不一的序列时，位置 i 要知道长度 n 才能找到 n − 1 − i；单层注意力在“看”之前并不知道 n',
      },
    ],
    verifies: [
      {
        en: 'every named tensor of the model, post-LN and pre-LN, with sinusoidal, learned or no positions, equals a plain-JS encoder written from the closed forms; every weight’s gradient equals central finite differences',
        'zh-cn':
          '模型的每个命名张量（post-LN 与 pre-LN，正弦、可学习或无位置编码）都与按解析式手写的纯 JS 编码器一致；每个权重的梯度都与中心差分一致',
      },
      {
        en: 'the sinusoidal rows the model adds equal the closed form to within 1e-6 (a self-check), and the figures’ dot products equal Σᵢ cos((p − q)ωᵢ), d_model/2 on the diagonal',
        'zh-cn':
          '模型加上的正弦位置行与解析式之差在 1e-6 以内（自检），图中的点积等于 Σᵢ cos((p − q)ωᵢ)，对角线为 d_model/2',
      },
      {
        en: 'at initialisation (seeds 1–3, the default 2 layers and the preset’s 4), the last layer’s gradient norm over the first’s is larger post-LN than pre-LN',
        'zh-cn': '初始化时（种子 1–3，默认的 2 层与预设的 4 层），最后一层与第一层梯度范数之比，post-LN 大于 pre-LN',
      },
      {
        en: 'reverse of lengths 3–8 with the default model, data size and schedule (4000 examples × 6 epochs, seed 3): sinusoidal positions reach ≥ 90% exact match, the second layer looking at n − 1 − i in ≥ 90% of rows; without positions < 5% exact match',
        'zh-cn':
          '用默认的模型、数据量与学习率安排反转长度 3–8 的序列（4000 个样本 × 6 轮，种子 3）：正弦位置编码的完全匹配率 ≥ 90%，第二层在 ≥ 90% 的行上看向 n − 1 − i；没有位置编码时完全匹配率 < 5%',
      },
      {
        en: 'the comparison’s preset (4 layers, d_model 32, learning rate 0.01 constant after warm-up, 378 steps, seed 1): post-LN without warm-up stays near chance (validation loss ≥ 1.9, per-position accuracy < 30%), while post-LN with 150 warm-up steps and pre-LN without any learn (loss ≤ 1.3, per-position accuracy ≥ 45%)',
        'zh-cn':
          '对比预设（4 层，d_model 32，预热后学习率恒为 0.01，378 步，种子 1）：不预热的 post-LN 停在接近随机的水平（验证损失 ≥ 1.9，逐位置准确率 < 30%），而预热 150 步的 post-LN 与不预热的 pre-LN 都能学起来（损失 ≤ 1.3，逐位置准确率 ≥ 45%）',
      },
      {
        en: 'in that comparison, at step 10 the last layer’s gradient norm over the first’s is more than ten times larger for post-LN without warm-up than for pre-LN (the test records gradient norms every 10 steps; runs from the CLI or the panel record them every 50)',
        'zh-cn':
          '在这组对比中，第 10 步时最后一层与第一层梯度范数之比，不预热的 post-LN 是 pre-LN 的十倍以上（测试每 10 步记录一次梯度范数；从命令行或面板启动的运行每 50 步记录一次）',
      },
    ],
    doesNotVerify: [
      {
        en: 'that post-LN always needs warm-up or that pre-LN trains better in general: one preset, one seed, a small model; at the default 2 layers and learning rate 0.003 the three variants train alike',
        'zh-cn':
          'post-LN 总是需要预热，或 pre-LN 普遍训练得更好：这只是一个预设、一个种子、一个小模型；在默认的 2 层、学习率 0.003 下，三种变体训练得差不多',
      },
      {
        en: 'why post-LN without warm-up stalls: the gradient-norm chart shows what happens, not the cause (Xiong et al. 2020 and Liu et al. 2020 give explanations this chapter does not test)',
        'zh-cn':
          'post-LN 不预热为何停滞：梯度范数图只展示现象，不说明原因（Xiong 等 2020、Liu 等 2020 给出的解释本章没有检验）',
      },
      {
        en: 'sort: the task is offered, but no test measures how well this encoder learns it',
        'zh-cn': 'sort：提供了这个任务，但没有测试衡量本编码器把它学得多好',
      },
      {
        en: 'that an attention map explains the computation: a deeper model may route the answer through several layers; the alignment check only counts where each head’s largest weight falls',
        'zh-cn': '注意力图能解释计算过程：更深的模型可能把答案经过好几层传递；对齐检查只统计每个头最大权重落在哪里',
      },
      {
        en: 'anything about lengths longer than the model’s positions (maxLength): learned positions have no row for them, and no test trains on one length and evaluates on another',
        'zh-cn':
          '任何关于超过模型位置数（maxLength）的长度的结论：可学习位置没有对应的行，也没有测试在一种长度上训练、在另一种长度上评估',
      },
    ],
    lookAt: [
      {
        en: 'the maps of layer 2 for reverse: each probe’s anti-diagonal over its own length, padding keys at exactly 0',
        'zh-cn': 'reverse 的第 2 层注意力图：每个探针在它自己长度上的反对角线，填充位置的键恰好为 0',
      },
      {
        en: 'the two position figures: the heat map of PE[pos, i], and the dot products, constant along each diagonal',
        'zh-cn': '两张位置图：PE[pos, i] 的热力图，以及沿每条对角线都不变的点积',
      },
      {
        en: 'the gradient-norm chart: one line per layer (and the embeddings and output), every 50 steps',
        'zh-cn': '梯度范数图：每层（以及嵌入与输出）一条线，每 50 步一个点',
      },
      {
        en: 'the shape table: layer{n}/attention_weights [batch, heads, queries, keys], and the weights of every layer',
        'zh-cn': '形状表：layer{n}/attention_weights [batch, heads, queries, keys]，以及每层的权重',
      },
    ],
    compare: [
      {
        en: 'post-ln, post-ln-warmup and pre-ln on reverse with the comparison’s preset (CLI: --layers 4 --d-model 32 --ffn-size 64 --learning-rate 0.01 --schedule constant --batch-size 32 --epochs 6 --max-length 8 --train-size 2000 --validation-size 200): post-ln’s loss stays near ln 10 while the other two fall',
        'zh-cn':
          '用对比预设在 reverse 上比较 post-ln、post-ln-warmup 与 pre-ln（CLI：--layers 4 --d-model 32 --ffn-size 64 --learning-rate 0.01 --schedule constant --batch-size 32 --epochs 6 --max-length 8 --train-size 2000 --validation-size 200）：post-ln 的损失停在 ln 10 附近，另外两个在下降',
      },
      {
        en: 'the gradient-norm charts of the three runs side by side: the first points of each layer, and how they move while post-ln-warmup’s rate rises over its 150 steps',
        'zh-cn':
          '把三次运行的梯度范数图并排看：每层最初的几个点，以及 post-ln-warmup 的学习率在 150 步内上升时它们如何变化',
      },
    ],
  },
};
