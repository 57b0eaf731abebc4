/**
 * Chapter transformer: what it teaches and declares (plain data, no TensorFlow; read by the
 * engine, the extension and the CLI through the course catalogue).
 */
import type { ChapterInfo, GlossaryEntry, SelfCheckSpec } from '../../../shared/course/chapter';
import { MASKED_ZERO, ROWS_SUM_TO_ONE } from '../../../shared/course/checks';
import {
  ACCURACY_CHART,
  DATES_TASK,
  LOSS_CHART,
  PHRASES_TASK,
  VAL_EXACT_MATCH,
  VAL_LOSS,
  VAL_TOKEN_ACCURACY,
  choice,
  datasetSizes,
  flag,
  integer,
  number,
  trainingHyperparameters,
} from '../../../shared/course/specs';

export const POSITIONAL_ENCODING: SelfCheckSpec = {
  id: 'positional-encoding',
  label: { en: 'positional encoding = its closed form', 'zh-cn': '位置编码 = 其闭式公式' },
  description: {
    en: 'the largest |PE − closed form| over the positions and features the model added in a pass over the longest validation source, with PE[pos, 2i] = sin(pos/10000^(2i/d_model)), PE[pos, 2i+1] = cos(…) computed in float64 (passes at 1e-6)',
    'zh-cn':
      '在最长的验证源序列上做一次前向传播，模型所加位置编码与闭式公式之差的最大绝对值，闭式公式 PE[pos, 2i] = sin(pos/10000^(2i/d_model))、PE[pos, 2i+1] = cos(…) 用 float64 计算（1e-6 以内通过）',
  },
};

export const CAUSAL_PERTURBATION: SelfCheckSpec = {
  id: 'causal-perturbation',
  label: { en: 'the future does not change the past', 'zh-cn': '未来不改变过去' },
  description: {
    en: 'on your own model: the decoder inputs after position t are replaced by random tokens, for every t of 16 validation examples; the largest change of any logit at positions ≤ t (passes at 1e-6: with the causal mask it is exactly 0)',
    'zh-cn':
      '在你自己的模型上：对 16 个验证样本的每个 t，把位置 t 之后的解码器输入换成随机词元；位置 ≤ t 的任何 logit 的最大变化（1e-6 以内通过：有因果掩码时恰好为 0）',
  },
};

export const LEAKED_MASS: SelfCheckSpec = {
  id: 'leaked-mass',
  label: { en: 'no attention on future positions', 'zh-cn': '没有注意力落在未来位置' },
  description: {
    en: 'leaked mass: the attention probability each decoder self-attention row t puts on positions after t, averaged over layers, heads and the real target positions of the validation set; passes only at exactly 0',
    'zh-cn':
      '泄漏质量：解码器自注意力第 t 行落在 t 之后位置上的注意力概率，对各层、各头和验证集所有真实目标位置取平均；只有恰好为 0 才通过',
  },
};

const entry = (dims: string[], en: string, zh: string): GlossaryEntry => ({ dims, meaning: { en, 'zh-cn': zh } });

const TENSORS: Record<string, GlossaryEntry> = {
  source_ids: entry(
    ['batch', 'source_len'],
    'source token ids, padded with <pad> = 0',
    '源序列的词 id，用 <pad> = 0 填充',
  ),
  source_padding_mask: entry(
    ['batch', '1', '1', 'source_len'],
    'keep mask built from the source ids: 1 for a real token, 0 for <pad>; no query of any head may read a padded key',
    '由源序列 id 构造的保留掩码：真实词为 1，<pad> 为 0；任何头的任何查询都不能读取填充的键',
  ),
  position_encoding: entry(
    ['source_len', 'd_model'],
    'sinusoidal positional encoding PE[pos, 2i] = sin(pos/10000^(2i/d_model)), PE[pos, 2i+1] = cos(…), fixed',
    '正弦位置编码 PE[pos, 2i] = sin(pos/10000^(2i/d_model))，PE[pos, 2i+1] = cos(…)，固定不学习',
  ),
  source_embeddings: entry(
    ['batch', 'source_len', 'd_model'],
    'source token embeddings × √d_model',
    '源词嵌入 × √d_model',
  ),
  encoder_inputs: entry(
    ['batch', 'source_len', 'd_model'],
    'embeddings + positional encoding: what the first encoder layer reads',
    '嵌入 + 位置编码：第一个编码器层读入的内容',
  ),
  'encoder/layer{n}/self_attention_weights': entry(
    ['batch', 'heads', 'source_len', 'source_len'],
    'encoder self-attention of layer n: each source position over every source position; padded keys get exactly 0',
    '第 n 层编码器自注意力：每个源位置对所有源位置的权重；填充的键恰好为 0',
  ),
  'encoder/layer{n}/output': entry(
    ['batch', 'source_len', 'd_model'],
    'output of encoder layer n (after self-attention and FFN, each with residual and layer norm)',
    '第 n 层编码器的输出（经过自注意力和前馈网络，各带残差与层归一化）',
  ),
  encoder_outputs: entry(
    ['batch', 'source_len', 'd_model'],
    'the encoder’s output (the memory): keys and values of every decoder layer’s cross-attention',
    '编码器的输出（记忆）：每个解码器层交叉注意力的键和值',
  ),
  decoder_input_ids: entry(
    ['batch', 'target_len'],
    '<bos> followed by the target tokens (teacher forcing)',
    '<bos> 加上目标词（teacher forcing）',
  ),
  decoder_self_attention_mask: entry(
    ['batch', '1', 'target_len', 'target_len'],
    'keep mask of the decoder’s self-attention, from the decoder input ids: padding × causal (query t may read keys 0…t); without the causal mask only padding, [batch, 1, 1, target_len]',
    '解码器自注意力的保留掩码，由解码器输入 id 构造：填充 × 因果（查询 t 只能读键 0…t）；去掉因果掩码时只剩填充，形状 [batch, 1, 1, target_len]',
  ),
  decoder_embeddings: entry(
    ['batch', 'target_len', 'd_model'],
    'decoder input embeddings × √d_model',
    '解码器输入嵌入 × √d_model',
  ),
  decoder_inputs: entry(
    ['batch', 'target_len', 'd_model'],
    'embeddings + positional encoding: what the first decoder layer reads',
    '嵌入 + 位置编码：第一个解码器层读入的内容',
  ),
  'decoder/layer{n}/causal_self_attention_weights': entry(
    ['batch', 'heads', 'target_len', 'target_len'],
    'masked self-attention of decoder layer n: row t over the decoder inputs; positions after t get exactly 0 under the causal mask',
    '第 n 层解码器的掩码自注意力：第 t 行对解码器输入的权重；有因果掩码时 t 之后的位置恰好为 0',
  ),
  'decoder/layer{n}/cross_attention_weights': entry(
    ['batch', 'heads', 'target_len', 'source_len'],
    'cross-attention of decoder layer n: queries from the decoder, keys and values from the encoder output',
    '第 n 层解码器的交叉注意力：查询来自解码器，键和值来自编码器输出',
  ),
  'decoder/layer{n}/output': entry(
    ['batch', 'target_len', 'd_model'],
    'output of decoder layer n (masked self-attention, cross-attention, FFN)',
    '第 n 层解码器的输出（掩码自注意力、交叉注意力、前馈网络）',
  ),
  attention_weights: entry(
    ['batch', 'heads', 'target_len', 'source_len'],
    'the last decoder layer’s cross-attention (the same tensor as decoder/layer{last}/cross_attention_weights): where each target position looks in the source',
    '最后一个解码器层的交叉注意力（与 decoder/layer{最后一层}/cross_attention_weights 是同一个张量）：每个目标位置看向源序列的哪里',
  ),
  decoder_outputs: entry(['batch', 'target_len', 'd_model'], 'the decoder’s output', '解码器的输出'),
  logits: entry(
    ['batch', 'target_len', 'vocab_size'],
    'scores over the target vocabulary at every position: the only tensor that enters the cross-entropy',
    '每个位置在目标词表上的分数：只有它进入交叉熵',
  ),
  target_ids: entry(
    ['batch', 'target_len'],
    'target + <eos>: the token each position must predict',
    '目标 + <eos>：每个位置应当预测的词',
  ),
};

const WEIGHTS: Record<string, GlossaryEntry> = {
  'encoder/embeddings': entry(['source_vocab', 'd_model'], 'source embedding table', '源词嵌入表'),
  'decoder/embeddings': entry(['target_vocab', 'd_model'], 'target embedding table', '目标词嵌入表'),
  'output/kernel': entry(
    ['d_model', 'vocab_size'],
    'output layer: decoder output → vocabulary scores',
    '输出层：解码器输出 → 词表分数',
  ),
  'output/bias': entry(['vocab_size'], 'output layer bias', '输出层偏置'),
};
for (const stack of ['encoder', 'decoder']) {
  const prefix = `${stack}/layer{n}`;
  Object.assign(WEIGHTS, {
    [`${prefix}/self_attention/qkv_kernel`]: entry(
      ['d_model', '3·d_model'],
      'W_Q, W_K, W_V of every head side by side: one matmul makes Q, K and V',
      '所有头的 W_Q、W_K、W_V 并排：一次矩阵乘法得到 Q、K、V',
    ),
    [`${prefix}/self_attention/qkv_bias`]: entry(['3·d_model'], 'biases of Q, K and V', 'Q、K、V 的偏置'),
    [`${prefix}/self_attention/output_kernel`]: entry(
      ['d_model', 'd_model'],
      'W_O: the heads concatenated → d_model',
      'W_O：拼接各头 → d_model',
    ),
    [`${prefix}/self_attention/output_bias`]: entry(['d_model'], 'bias of W_O', 'W_O 的偏置'),
    [`${prefix}/ffn/hidden_kernel`]: entry(['d_model', 'd_ff'], 'FFN W₁', '前馈网络 W₁'),
    [`${prefix}/ffn/hidden_bias`]: entry(['d_ff'], 'FFN b₁', '前馈网络 b₁'),
    [`${prefix}/ffn/output_kernel`]: entry(['d_ff', 'd_model'], 'FFN W₂', '前馈网络 W₂'),
    [`${prefix}/ffn/output_bias`]: entry(['d_model'], 'FFN b₂', '前馈网络 b₂'),
    [`${stack}/final_norm/gain`]: entry(
      ['d_model'],
      'final layer norm gain (pre-LN only)',
      '最终层归一化的增益（仅 Pre-LN）',
    ),
    [`${stack}/final_norm/bias`]: entry(
      ['d_model'],
      'final layer norm bias (pre-LN only)',
      '最终层归一化的偏置（仅 Pre-LN）',
    ),
  });
  for (const norm of ['self_attention_norm', 'cross_attention_norm', 'ffn_norm']) {
    if (stack === 'encoder' && norm === 'cross_attention_norm') continue;
    WEIGHTS[`${prefix}/${norm}/gain`] = entry(['d_model'], 'layer norm gain', '层归一化增益');
    WEIGHTS[`${prefix}/${norm}/bias`] = entry(['d_model'], 'layer norm bias', '层归一化偏置');
  }
}
Object.assign(WEIGHTS, {
  'decoder/layer{n}/cross_attention/query_kernel': entry(
    ['d_model', 'd_model'],
    'W_Q of every head: queries from the decoder',
    '所有头的 W_Q：查询来自解码器',
  ),
  'decoder/layer{n}/cross_attention/query_bias': entry(['d_model'], 'bias of the queries', '查询的偏置'),
  'decoder/layer{n}/cross_attention/kv_kernel': entry(
    ['d_model', '2·d_model'],
    'W_K, W_V of every head side by side: keys and values from the encoder output',
    '所有头的 W_K、W_V 并排：键和值来自编码器输出',
  ),
  'decoder/layer{n}/cross_attention/kv_bias': entry(['2·d_model'], 'biases of the keys and values', '键和值的偏置'),
  'decoder/layer{n}/cross_attention/output_kernel': entry(
    ['d_model', 'd_model'],
    'W_O: the heads concatenated → d_model',
    'W_O：拼接各头 → d_model',
  ),
  'decoder/layer{n}/cross_attention/output_bias': entry(['d_model'], 'bias of W_O', 'W_O 的偏置'),
});

export const info: ChapterInfo = {
  id: 'transformer',
  title: { en: 'The Transformer: encoder–decoder', 'zh-cn': 'Transformer：编码器–解码器' },
  summary: {
    en: 'Masked self-attention, cross-attention and FFN in every decoder block; the causal mask shown by breaking it.',
    'zh-cn': '每个解码器块都有掩码自注意力、交叉注意力和前馈网络；通过破坏因果掩码来展示它的作用。',
  },
  kind: 'encoder-decoder',
  trainable: true,
  tasks: [DATES_TASK, PHRASES_TASK],
  defaultTask: 'dates',
  trainingUnit: 'epoch',
  hyperparameters: [
    ...trainingHyperparameters({ epochs: 10, batchSize: 64, learningRate: 0.005, clipNorm: 1 }),
    integer('warmupSteps', { en: 'warm-up steps', 'zh-cn': '预热步数' }, 100, 0, 100000, 'training', false),
    number('weightDecay', { en: 'weight decay (AdamW)', 'zh-cn': '权重衰减（AdamW）' }, 0.01, 0, 1, 'training', false),
    integer('dModel', { en: 'd_model', 'zh-cn': 'd_model' }, 64, 8, 512),
    integer('heads', { en: 'attention heads', 'zh-cn': '注意力头数' }, 4, 1, 16),
    integer('encoderLayers', { en: 'encoder layers', 'zh-cn': '编码器层数' }, 2, 1, 8),
    integer('decoderLayers', { en: 'decoder layers', 'zh-cn': '解码器层数' }, 2, 1, 8),
    integer('ffnSize', { en: 'FFN width (d_ff)', 'zh-cn': '前馈网络宽度（d_ff）' }, 128, 8, 4096, 'model', false),
    number('dropout', { en: 'dropout', 'zh-cn': 'dropout' }, 0, 0, 0.9, 'model', false),
    choice('layerNorm', { en: 'layer norm placement', 'zh-cn': '层归一化位置' }, 'pre', ['pre', 'post']),
    flag('causalMask', { en: 'causal mask in the decoder', 'zh-cn': '解码器中的因果掩码' }, true),
    number(
      'maskValue',
      { en: 'score added where the decoder mask forbids', 'zh-cn': '解码器掩码禁止处加上的分数' },
      -1e9,
      -1e9,
      0,
      'model',
      false,
    ),
    ...datasetSizes({ trainSize: 10000, validationSize: 1000, testSize: 1000 }),
  ],
  variants: [
    {
      id: 'default',
      title: { en: 'default (pre-LN, causal mask)', 'zh-cn': '默认（Pre-LN，因果掩码）' },
      description: {
        en: 'pre-LN (layer norm before each sub-layer), the decoder’s self-attention masked with −1e9 where the future is',
        'zh-cn': 'Pre-LN（层归一化放在每个子层之前），解码器自注意力在未来位置加上 −1e9',
      },
      overrides: {},
    },
    {
      id: 'no-causal-mask',
      title: { en: 'no causal mask', 'zh-cn': '无因果掩码' },
      description: {
        en: 'the decoder’s self-attention sees every decoder input, including the next one, which is the token it must predict: training loss collapses, greedy decoding fails',
        'zh-cn': '解码器自注意力能看到所有解码器输入，包括下一个，而那正是它要预测的词：训练损失骤降，贪心解码失败',
      },
      overrides: { causalMask: false },
    },
    {
      id: 'weak-mask',
      title: { en: 'weak mask (−5)', 'zh-cn': '弱掩码（−5）' },
      description: {
        en: 'the causal mask adds −5 instead of −1e9: future positions keep a little weight, and a model can learn to raise their scores above it',
        'zh-cn': '因果掩码加 −5 而不是 −1e9：未来位置保留少量权重，模型还能学着把它们的分数抬高到超过这个惩罚',
      },
      overrides: { maskValue: -5 },
    },
    {
      id: 'post-ln',
      title: { en: 'post-LN (the original)', 'zh-cn': 'Post-LN（原论文）' },
      description: {
        en: 'layer norm after each residual addition, LN(x + f(x)), as Vaswani et al. 2017; no final norm',
        'zh-cn': '层归一化放在每次残差相加之后，LN(x + f(x))，与 Vaswani 等人 2017 年的论文相同；没有最终归一化',
      },
      overrides: { layerNorm: 'post' },
    },
  ],
  defaultVariant: 'default',
  comparison: { task: 'dates', variants: ['default', 'no-causal-mask'], withChapter: { chapter: 'attention-seq2seq' } },
  metrics: [
    VAL_LOSS,
    VAL_TOKEN_ACCURACY,
    VAL_EXACT_MATCH,
    {
      key: 'leaked_mass',
      label: { en: 'leaked mass (attention on future positions)', 'zh-cn': '泄漏质量（落在未来位置上的注意力）' },
      unit: 'ratio',
      better: 'lower',
      chart: 'leak',
      cli: 'leaked',
    },
  ],
  primaryMetric: 'val_exact_match',
  charts: [
    LOSS_CHART,
    ACCURACY_CHART,
    {
      id: 'leak',
      title: {
        en: 'Decoder attention on future positions (validation)',
        'zh-cn': '解码器落在未来位置上的注意力（验证集）',
      },
      unit: 'ratio',
    },
  ],
  glossary: { ...TENSORS, ...WEIGHTS },
  selfChecks: [ROWS_SUM_TO_ONE, MASKED_ZERO, POSITIONAL_ENCODING, CAUSAL_PERTURBATION, LEAKED_MASS],
  contract: {
    newConcepts: [
      {
        en: 'the encoder–decoder Transformer: N encoder layers (self-attention, FFN) and N decoder layers (masked self-attention, cross-attention, FFN), each sub-layer inside a residual connection with layer norm; here pre-LN x + f(LN(x)) with a final norm per stack (post-LN LN(x + f(x)), the original, as a variant)',
        'zh-cn':
          '编码器–解码器 Transformer：N 个编码器层（自注意力、前馈网络）与 N 个解码器层（掩码自注意力、交叉注意力、前馈网络），每个子层都包在带层归一化的残差连接里；本章默认 pre-LN x + f(LN(x))，每个堆栈末尾再归一化一次（原论文的 post-LN LN(x + f(x)) 作为变体）',
      },
      {
        en: 'masks built from token ids: the padding keep mask [batch, 1, 1, len] (1 for a real token, 0 for <pad>) and the causal keep mask [1, 1, len, len] (query t may read keys 0…t), multiplied; −1e9 is added to the forbidden scores, so after the softmax they weigh exactly 0',
        'zh-cn':
          '由词 id 构造的掩码：填充保留掩码 [batch, 1, 1, len]（真实词为 1，<pad> 为 0）与因果保留掩码 [1, 1, len, len]（查询 t 只能读键 0…t）相乘；被禁止的分数加上 −1e9，softmax 之后权重恰好为 0',
      },
      {
        en: 'cross-attention: queries from the decoder, keys and values from the encoder’s output (every decoder layer reads the same output through its own projections)',
        'zh-cn': '交叉注意力：查询来自解码器，键和值来自编码器的输出（每个解码器层用自己的投影读取同一份输出）',
      },
      {
        en: 'teacher forcing: the decoder reads <bos> + target and predicts target + <eos> at every position in one pass, which is honest only if position t cannot read the positions after it; greedy decoding then feeds back its own tokens one at a time, keeping each layer’s keys and values (a KV cache)',
        'zh-cn':
          'teacher forcing：解码器读入 <bos> + 目标，在一次前向传播中预测每个位置的 目标 + <eos>；只有位置 t 读不到它之后的位置，这才是诚实的。贪心解码则把自己生成的词逐个送回，并保留每层的键和值（KV 缓存）',
      },
      {
        en: 'leaked mass: the attention probability a decoder self-attention row t puts on positions after t; and the causal perturbation: change the decoder inputs after t, and the logits at positions ≤ t must not move',
        'zh-cn':
          '泄漏质量：解码器自注意力第 t 行落在 t 之后位置上的注意力概率；因果扰动：改变 t 之后的解码器输入，位置 ≤ t 的 logit 必须不动',
      },
    ],
    verifies: [
      {
        en: 'every logit and attention map of the model (post-LN and pre-LN; hard, weak and no causal mask) equals a plain-JS Transformer written from the definitions, on cpu and wasm; every weight’s gradient equals central finite differences',
        'zh-cn':
          '模型的每个 logit 与每张注意力图（post-LN 与 pre-LN；硬、弱与无因果掩码）都与按定义手写的纯 JS Transformer 一致（cpu 与 wasm）；每个权重的梯度都与中心差分一致',
      },
      {
        en: 'the masks the model records equal hand-written values for a padded batch; masked cells weigh exactly 0 (a self-check on every run); the shapes of every named tensor for two batch sizes and two lengths',
        'zh-cn':
          '模型记录的掩码与一个带填充批次的手写值一致；被遮住的格子权重恰好为 0（每次运行的自检）；两种批大小、两种长度下每个命名张量的形状',
      },
      {
        en: 'with the causal mask, changing the decoder inputs after t leaves every logit at positions ≤ t exactly unchanged (largest difference 0, a self-check on every run); without it they change',
        'zh-cn':
          '有因果掩码时，改变 t 之后的解码器输入，位置 ≤ t 的每个 logit 完全不变（最大差为 0，每次运行的自检）；没有它时就会改变',
      },
      {
        en: 'greedy decoding with the KV cache gives the logits and attention rows of decoding without a cache and of a teacher-forced pass over the same tokens',
        'zh-cn':
          '带 KV 缓存的贪心解码，与不带缓存的解码、以及对相同词元做 teacher forcing 的前向传播，给出相同的 logit 与注意力行',
      },
      {
        en: 'dates with the default model and schedule on other data sizes (12800 examples × 2 epochs, 400 steps of 64, 300 validation examples, seed 1, wasm): ≥ 95% validation exact match by greedy decoding, and on the trained model the causal perturbation is exactly 0 and the leaked mass exactly 0',
        'zh-cn':
          '用默认模型与学习率安排、不同的数据规模学 dates（12800 个样本 × 2 轮，每步 64 个，共 400 步，300 个验证样本，种子 1，wasm）：贪心解码的验证完全匹配率 ≥ 95%；训练后的模型上因果扰动恰好为 0，泄漏质量恰好为 0',
      },
      {
        en: 'no-causal-mask in half the steps (2 epochs of the first 6400 of the same training examples, 200 steps; the same validation set): its training loss ends below the masked model’s after its 400 steps, yet its greedy exact match stays below 10%, more than 0.3 of its decoder self-attention falls on future positions, and its causal-perturbation and leaked-mass checks fail',
        'zh-cn':
          'no-causal-mask 只训练一半的步数（在同一批训练样本的前 6400 个上训练 2 轮，共 200 步；验证集相同）：训练损失最终低于有掩码模型 400 步后的损失，但贪心解码的完全匹配率低于 10%，解码器自注意力有超过 0.3 落在未来位置，因果扰动与泄漏质量两项自检都失败',
      },
    ],
    doesNotVerify: [
      {
        en: 'how a trained weak-mask model leaks: a test shows only that at initialisation a little mass leaks through −5, and more once the query and key projections grow; no learning test trains the weak-mask variant',
        'zh-cn':
          '训练后的弱掩码模型会泄漏多少：测试只表明初始化时有少量质量穿过 −5 泄漏，查询与键的投影变大后泄漏更多；没有学习测试训练弱掩码变体',
      },
      {
        en: 'post-LN against pre-LN in this chapter, and the phrases task: offered, but no test measures how well they learn',
        'zh-cn': '本章中 post-LN 与 pre-LN 的对比，以及 phrases 任务：都可以运行，但没有测试衡量它们学得多好',
      },
      {
        en: 'that the Transformer learns dates faster or better than attention-seq2seq: the two can be compared run by run (llm-tutor compare), and the benchmark measures seconds to 95% on one machine, but no test asserts which is faster',
        'zh-cn':
          'Transformer 学 dates 比 attention-seq2seq 更快或更好：两者可以逐次运行对比（llm-tutor compare），基准测试也在一台机器上测量达到 95% 的秒数，但没有测试断言哪个更快',
      },
      {
        en: 'that an attention map explains the computation: with several layers and heads the answer can be routed through any of them',
        'zh-cn': '注意力图能解释计算过程：有多层多头时，答案可以经过其中任何一条路径',
      },
    ],
    lookAt: [
      {
        en: 'the three families of maps, by layer and head: encoder self-attention (padding keys at 0), decoder masked self-attention (everything above the diagonal at exactly 0) and cross-attention (decoder rows over source columns), each with its mask drawn; the generated rows are those greedy decoding recorded token by token',
        'zh-cn':
          '按层和头查看三类注意力图：编码器自注意力（填充的键为 0）、解码器掩码自注意力（对角线以上恰好为 0）和交叉注意力（解码器的行对源序列的列），每张都画出了掩码；generated 行是贪心解码逐词记录的',
      },
      {
        en: 'the checks: causal perturbation with its largest difference, leaked mass per decoder layer, masked cells exactly 0, the positional encoding against its closed form; and the leaked mass of each decoder self-attention map of a probe, in the corner of its thumbnail and under the large map (in the teacher-forced pass; while generating there is no future to read)',
        'zh-cn':
          '自检：因果扰动及其最大差、各解码器层的泄漏质量、被遮住的格子恰好为 0、位置编码与闭式公式的差；以及探针每张解码器自注意力图的泄漏质量，标在缩略图一角和放大图下方（在 teacher forcing 的前向传播中；生成时没有未来可读）',
      },
      {
        en: 'the leak chart (leaked mass on the validation set after every epoch), and the figures: the positional encoding and the learning-rate schedule',
        'zh-cn': '泄漏图（每轮之后验证集上的泄漏质量），以及两张图：位置编码与学习率安排',
      },
    ],
    compare: [
      {
        en: 'default against no-causal-mask on dates with one seed (the declared comparison): no-causal-mask’s training loss ends lower, but its exact match stays near 0: teacher forcing let it read the next decoder input, the token it must predict, which greedy decoding does not have yet; its leak chart is far above the default’s 0 (the learning test shows this on 12800 and 6400 training examples, not the default 10000)',
        'zh-cn':
          '在 dates 上用同一个种子比较 default 与 no-causal-mask（本章声明的对比）：no-causal-mask 的训练损失最终更低，但完全匹配率接近 0：teacher forcing 让它读到下一个解码器输入，也就是它要预测的词，而贪心解码时这个词还不存在；它的泄漏曲线远高于 default 的 0（学习测试在 12800 与 6400 个训练样本上展示了这一点，而不是默认的 10000 个）',
      },
      {
        en: 'against attention-seq2seq on dates with the same seed, the other chapter of this comparison: Train Variants… (or llm-tutor train transformer --variant all) trains its default run after the variants with the same data, epochs and batch size (or, when the runs folder already holds that finished run on the same backend, reuses it without training), and compares them all; llm-tutor compare RUN RUN or Compare Runs… put any two runs side by side. Look at the shared curves (loss, token accuracy, exact match), the config side by side, and the cross-attention of the same probe; leaked mass is this chapter’s own',
        'zh-cn':
          '与相同种子的 attention-seq2seq 在 dates 上对比，它是本章对比中的另一章：“训练变体…”（或 llm-tutor train transformer --variant all）在各变体之后用相同的数据、轮数和批大小训练它的默认运行（如果运行文件夹里已有在同一后端上完成的这次运行，就直接复用而不再训练），并把它们放在一起比较；llm-tutor compare RUN RUN 或“比较运行…”可以并排比较任意两次运行。请看共有的曲线（损失、逐词准确率、完全匹配率）、并排的配置，以及同一个探针的交叉注意力；泄漏质量是本章独有的',
      },
    ],
  },
};
