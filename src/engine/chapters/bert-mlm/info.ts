/**
 * Chapter bert-mlm: what it teaches and declares (plain data, no TensorFlow).
 */
import type { ChapterInfo, GlossaryEntry } from '../../../shared/course/chapter';
import { MASKED_ZERO, ROWS_SUM_TO_ONE } from '../../../shared/course/checks';
import {
  ACCURACY_CHART,
  LOSS_CHART,
  VAL_LOSS,
  choice,
  flag,
  integer,
  number,
  trainingHyperparameters,
} from '../../../shared/course/specs';

/** The chapter's one task: masked words of the corpus given with `--corpus` (default `en`). */
export const MASKED_WORDS_TASK = 'masked-words';

const entry = (dims: string[], en: string, zh: string): GlossaryEntry => ({ dims, meaning: { en, 'zh-cn': zh } });

const TENSORS: Record<string, GlossaryEntry> = {
  source_ids: entry(
    ['batch', 'len'],
    'input ids: [CLS] A [SEP] B [SEP], selected words replaced by [MASK] or a random word (or kept)',
    '输入 id：[CLS] A [SEP] B [SEP]，被选中的词换成 [MASK] 或随机词（或保持不变）',
  ),
  segment_ids: entry(
    ['batch', 'len'],
    'segment of each position: 0 for [CLS] A [SEP], 1 for B [SEP]',
    '每个位置所属的片段：[CLS] A [SEP] 为 0，B [SEP] 为 1',
  ),
  token_embeddings: entry(['batch', 'len', 'd_model'], 'one learned vector per token', '每个词元一个可学习的向量'),
  segment_embeddings: entry(
    ['batch', 'len', 'd_model'],
    'one learned vector per segment (A or B)',
    '每个片段（A 或 B）一个可学习的向量',
  ),
  embedding_output: entry(
    ['batch', 'len', 'd_model'],
    'LayerNorm(token + segment + position embeddings): what the first encoder layer reads',
    'LayerNorm(词元 + 片段 + 位置嵌入)：第一层编码器读入的内容',
  ),
  'encoder/layer{n}/attention_weights': entry(
    ['batch', 'heads', 'queries', 'keys'],
    'bidirectional self-attention of layer n: each position (a [MASK] too) looks left and right; padding keys get 0',
    '第 n 层的双向自注意力：每个位置（包括 [MASK]）向左右两边看；填充位置的键权重为 0',
  ),
  'encoder/layer{n}/output': entry(['batch', 'len', 'd_model'], 'output of encoder layer n', '第 n 层编码器的输出'),
  mlm_positions: entry(
    ['batch', 'predictions'],
    'the positions to predict: the selected ones (padding slots point at 0 with loss weight 0)',
    '要预测的位置：被选中的那些（填充槽指向 0，损失权重为 0）',
  ),
  mlm_hidden: entry(
    ['batch', 'predictions', 'd_model'],
    'the last layer’s output at the positions to predict: the MLM head scores only these (as BERT’s code)',
    '最后一层在要预测位置上的输出：MLM 头只对这些位置打分（与 BERT 的代码相同）',
  ),
  mlm_transformed: entry(
    ['batch', 'predictions', 'd_model'],
    'the MLM head’s LayerNorm(GELU(x W_t + b_t)), matched against every token embedding',
    'MLM 头的 LayerNorm(GELU(x W_t + b_t))，与每个词元嵌入做匹配',
  ),
  logits: entry(
    ['batch', 'predictions', 'vocab_size'],
    'scores of every word at each position to predict; only these enter the cross-entropy',
    '每个要预测的位置上每个词的分数；只有它们进入交叉熵',
  ),
  target_ids: entry(
    ['batch', 'predictions'],
    'the original token at each position to predict',
    '每个要预测的位置上原来的词元',
  ),
  loss_mask: entry(
    ['batch', 'predictions'],
    '1 for a selected position (about 15% of the words), 0 for a padding slot: [CLS], [SEP], padding and unselected words never get a weight',
    '被选中的位置（约 15% 的词）为 1，填充槽为 0：[CLS]、[SEP]、填充和未选中的词永远没有权重',
  ),
  cls_pooled: entry(
    ['batch', 'd_model'],
    'tanh(x_[CLS] W_p + b_p): the [CLS] vector pooled for NSP',
    'tanh(x_[CLS] W_p + b_p)：为 NSP 池化后的 [CLS] 向量',
  ),
  nsp_logits: entry(
    ['batch', '2'],
    'next-sentence scores: column 0 random B, column 1 next B',
    '下一句预测的分数：第 0 列为随机的 B，第 1 列为真正的下一句',
  ),
  is_next: entry(
    ['batch'],
    '1 when B follows A in the corpus, 0 when B was drawn at random',
    'B 在语料中紧跟 A 时为 1，随机抽取时为 0',
  ),
  'embeddings/tokens': entry(
    ['vocab_size', 'd_model'],
    'token embedding table; transposed, it is also the MLM output layer (tied weights)',
    '词元嵌入表；转置后也是 MLM 的输出层（权重共享）',
  ),
  'embeddings/segments': entry(['2', 'd_model'], 'segment embeddings (A, B)', '片段嵌入（A、B）'),
  'embeddings/positions/position_embeddings': entry(
    ['max_len', 'd_model'],
    'learned position embeddings (as BERT)',
    '可学习的位置嵌入（与 BERT 相同）',
  ),
  'embeddings/norm/gain': entry(['d_model'], 'gain of the embeddings’ layer norm', '嵌入层归一化的增益'),
  'embeddings/norm/bias': entry(['d_model'], 'bias of the embeddings’ layer norm', '嵌入层归一化的偏置'),
  'encoder/layer{n}/attention/qkv_kernel': entry(
    ['d_model', '3·d_model'],
    'W_q, W_k, W_v of every head side by side',
    '所有头的 W_q、W_k、W_v 并排',
  ),
  'encoder/layer{n}/attention/qkv_bias': entry(['3·d_model'], 'biases of Q, K and V', 'Q、K、V 的偏置'),
  'encoder/layer{n}/attention/output_kernel': entry(['d_model', 'd_model'], 'W_O: merges the heads', 'W_O：合并各个头'),
  'encoder/layer{n}/attention/output_bias': entry(['d_model'], 'bias of W_O', 'W_O 的偏置'),
  'encoder/layer{n}/attention_norm/gain': entry(
    ['d_model'],
    'gain of the layer norm after attention (post-LN)',
    '注意力之后的层归一化增益（post-LN）',
  ),
  'encoder/layer{n}/attention_norm/bias': entry(
    ['d_model'],
    'bias of the layer norm after attention',
    '注意力之后的层归一化偏置',
  ),
  'encoder/layer{n}/feed_forward/hidden_kernel': entry(
    ['d_model', 'd_ff'],
    'W₁ of the feed-forward network',
    '前馈网络的 W₁',
  ),
  'encoder/layer{n}/feed_forward/hidden_bias': entry(['d_ff'], 'b₁ of the feed-forward network', '前馈网络的 b₁'),
  'encoder/layer{n}/feed_forward/output_kernel': entry(
    ['d_ff', 'd_model'],
    'W₂ of the feed-forward network',
    '前馈网络的 W₂',
  ),
  'encoder/layer{n}/feed_forward/output_bias': entry(['d_model'], 'b₂ of the feed-forward network', '前馈网络的 b₂'),
  'encoder/layer{n}/output_norm/gain': entry(
    ['d_model'],
    'gain of the layer norm after the feed-forward network',
    '前馈网络之后的层归一化增益',
  ),
  'encoder/layer{n}/output_norm/bias': entry(
    ['d_model'],
    'bias of the layer norm after the feed-forward network',
    '前馈网络之后的层归一化偏置',
  ),
  'mlm/transform_kernel': entry(['d_model', 'd_model'], 'W_t of the MLM head', 'MLM 头的 W_t'),
  'mlm/transform_bias': entry(['d_model'], 'b_t of the MLM head', 'MLM 头的 b_t'),
  'mlm/norm/gain': entry(['d_model'], 'gain of the MLM head’s layer norm', 'MLM 头层归一化的增益'),
  'mlm/norm/bias': entry(['d_model'], 'bias of the MLM head’s layer norm', 'MLM 头层归一化的偏置'),
  'mlm/output_bias': entry(
    ['vocab_size'],
    'one bias per word (how frequent it is, before context); it starts as the word’s log-frequency in the training text',
    '每个词一个偏置（不看上下文时它有多常见）；初值是该词在训练文本中的对数频率',
  ),
  'nsp/pooler_kernel': entry(['d_model', 'd_model'], 'W_p of the [CLS] pooler', '[CLS] 池化层的 W_p'),
  'nsp/pooler_bias': entry(['d_model'], 'b_p of the [CLS] pooler', '[CLS] 池化层的 b_p'),
  'nsp/classifier_kernel': entry(
    ['d_model', '2'],
    'W_c: pooled [CLS] → next / random',
    'W_c：池化后的 [CLS] → 下一句 / 随机',
  ),
  'nsp/classifier_bias': entry(['2'], 'b_c of the NSP classifier', 'NSP 分类器的 b_c'),
};

const count = (key: string, cli: string, en: string, zh: string) => ({
  key,
  label: { en, 'zh-cn': zh },
  unit: 'count' as const,
  better: 'neither' as const,
  chart: 'selection',
  cli,
});

export const info: ChapterInfo = {
  id: 'bert-mlm',
  title: { en: 'BERT: masked language modelling', 'zh-cn': 'BERT：掩码语言模型' },
  summary: {
    en: 'An encoder that reads both ways learns words by filling in blanks: 15% selected, 80/10/10 masked, loss only there.',
    'zh-cn': '双向读取的编码器通过完形填空学习词语：选 15%，按 80/10/10 遮盖，只在这些位置计算损失。',
  },
  kind: 'encoder-only',
  trainable: true,
  tasks: [
    {
      id: MASKED_WORDS_TASK,
      title: { en: 'masked words', 'zh-cn': '完形填空' },
      description: {
        en: 'predict the masked words of a text corpus, word level (--corpus en | zh | a file or folder; default en)',
        'zh-cn': '预测文本语料中被遮盖的词，词级（--corpus en | zh | 文件或文件夹；默认 en）',
      },
      defaults: {},
    },
  ],
  defaultTask: MASKED_WORDS_TASK,
  trainingUnit: 'evaluation',
  hyperparameters: [
    ...trainingHyperparameters({ epochs: 10, batchSize: 32, learningRate: 0.001, clipNorm: 1 }),
    integer('evalSteps', { en: 'steps per evaluation', 'zh-cn': '每次评估之间的步数' }, 100, 1, 10000, 'training'),
    integer(
      'warmupSteps',
      { en: 'learning-rate warm-up (steps)', 'zh-cn': '学习率预热步数' },
      100,
      0,
      100000,
      'training',
    ),
    number('weightDecay', { en: 'AdamW weight decay λ', 'zh-cn': 'AdamW 权重衰减 λ' }, 0.01, 0, 1, 'training', false),
    integer('dModel', { en: 'd_model', 'zh-cn': 'd_model' }, 64, 8, 512),
    integer('layers', { en: 'encoder layers', 'zh-cn': '编码器层数' }, 2, 1, 12),
    integer('heads', { en: 'attention heads (divide d_model)', 'zh-cn': '注意力头数（须整除 d_model）' }, 4, 1, 16),
    integer('dFf', { en: 'feed-forward width d_ff', 'zh-cn': '前馈层宽度 d_ff' }, 256, 8, 4096),
    number('dropout', { en: 'dropout', 'zh-cn': 'dropout 比例' }, 0.1, 0, 0.9, 'model'),
    integer(
      'maxLength',
      { en: 'positions ([CLS] A [SEP] B [SEP] is cut to fit)', 'zh-cn': '位置数（[CLS] A [SEP] B [SEP] 超出时截断）' },
      64,
      8,
      512,
    ),
    choice('positions', { en: 'position embeddings', 'zh-cn': '位置嵌入' }, 'learned', ['learned', 'sinusoidal']),
    flag('nsp', { en: 'next-sentence prediction', 'zh-cn': '下一句预测' }, false),
    integer(
      'vocabSize',
      { en: 'words kept (the most frequent; the rest are <unk>)', 'zh-cn': '保留的词数（最常见的；其余为 <unk>）' },
      3000,
      50,
      20000,
      'data',
    ),
    number('maskProbability', { en: 'share of tokens selected', 'zh-cn': '被选中的词元比例' }, 0.15, 0.01, 0.5, 'data'),
    integer('validationSize', { en: 'validation examples', 'zh-cn': '验证样本数' }, 512, 3, 100000, 'data', false),
  ],
  variants: [
    {
      id: 'mlm',
      title: { en: 'masked LM only', 'zh-cn': '仅掩码语言模型' },
      description: {
        en: 'the masked-word objective alone, as RoBERTa (2019) trains: B is always the next sentence',
        'zh-cn': '只用掩码词目标，与 RoBERTa（2019）一样：B 总是真正的下一句',
      },
      overrides: {},
    },
    {
      id: 'nsp',
      title: { en: 'masked LM + next-sentence prediction', 'zh-cn': '掩码语言模型 + 下一句预测' },
      description: {
        en: 'original BERT: half the pairs get a random B, and a head on [CLS] learns to tell; later work (RoBERTa) dropped it',
        'zh-cn': '原始 BERT：一半句对的 B 是随机句子，[CLS] 上的分类头学习分辨；后来的工作（RoBERTa）去掉了它',
      },
      overrides: { nsp: true },
    },
  ],
  defaultVariant: 'mlm',
  comparison: { task: MASKED_WORDS_TASK, variants: ['mlm', 'nsp'] },
  metrics: [
    {
      ...VAL_LOSS,
      label: { en: 'validation MLM loss (selected positions)', 'zh-cn': '验证集 MLM 损失（被选中的位置）' },
    },
    {
      key: 'val_masked_accuracy',
      label: {
        en: 'masked-token accuracy (positions shown as [MASK])',
        'zh-cn': '掩码词准确率（显示为 [MASK] 的位置）',
      },
      unit: 'ratio',
      better: 'higher',
      chart: 'accuracy',
      cli: 'val_masked_acc',
    },
    {
      key: 'val_baseline_accuracy',
      label: {
        en: 'baseline: always the most frequent training word, same positions',
        'zh-cn': '基线：总是猜训练集中最常见的词，相同位置',
      },
      unit: 'ratio',
      better: 'neither',
      chart: 'accuracy',
      cli: 'baseline_acc',
    },
    {
      key: 'val_nsp_accuracy',
      label: {
        en: 'next-sentence accuracy (variant nsp; chance 0.5)',
        'zh-cn': '下一句预测准确率（nsp 变体；随机为 0.5）',
      },
      unit: 'ratio',
      better: 'higher',
      chart: 'accuracy',
      cli: 'val_nsp_acc',
    },
    count(
      'mlm_tokens',
      'tokens',
      'ordinary tokens in the training batches of this period',
      '本评估周期训练批次中的普通词元数',
    ),
    count('mlm_selected', 'selected', 'selected for prediction', '被选中预测的词元数'),
    count('mlm_masked', 'masked', 'selected → [MASK]', '被选中 → [MASK]'),
    count('mlm_randomised', 'randomised', 'selected → a random word', '被选中 → 随机词'),
    count('mlm_kept', 'kept', 'selected → left unchanged', '被选中 → 保持不变'),
  ],
  primaryMetric: 'val_masked_accuracy',
  charts: [
    LOSS_CHART,
    ACCURACY_CHART,
    {
      id: 'selection',
      title: {
        en: 'Selection histogram of the training batches (per evaluation period)',
        'zh-cn': '训练批次的选择直方图（每个评估周期）',
      },
      unit: 'count',
    },
  ],
  glossary: TENSORS,
  selfChecks: [ROWS_SUM_TO_ONE, MASKED_ZERO],
  contract: {
    newConcepts: [
      {
        en: 'the input [CLS] A [SEP] B [SEP]: a first token for the whole pair, a separator after each segment; token + segment + position embeddings',
        'zh-cn': '输入 [CLS] A [SEP] B [SEP]：一个代表整个句对的首词元，每个片段后一个分隔符；词元 + 片段 + 位置嵌入',
      },
      {
        en: 'masked language modelling: 15% of the words are selected; of those 80% become [MASK], 10% a random word, 10% stay as they are; the loss is computed at selected positions only',
        'zh-cn':
          '掩码语言模型：选中 15% 的词；其中 80% 换成 [MASK]，10% 换成随机词，10% 保持不变；只在被选中的位置计算损失',
      },
      {
        en: 'why not always [MASK]: [MASK] never appears when the model is used, so the random and unchanged 10%s keep every word’s own representation useful',
        'zh-cn': '为什么不总用 [MASK]：使用模型时不会出现 [MASK]，随机和不变的各 10% 让每个词自身的表示依然有用',
      },
      {
        en: 'bidirectional self-attention: a masked word is guessed from the words on both sides, unlike a left-to-right language model',
        'zh-cn': '双向自注意力：被遮盖的词由两侧的词共同推断，这与从左到右的语言模型不同',
      },
      {
        en: 'next-sentence prediction (variant nsp): a binary head on [CLS] tells whether B follows A; RoBERTa (2019) found it unnecessary and dropped it',
        'zh-cn': '下一句预测（nsp 变体）：[CLS] 上的二分类头判断 B 是否紧跟 A；RoBERTa（2019）发现它没有必要，将其去掉',
      },
      {
        en: 'a baseline: always guessing the most frequent word; beating it means the model uses the context',
        'zh-cn': '基线：总是猜最常见的词；超过它才说明模型用上了上下文',
      },
    ],
    verifies: [
      {
        en: 'masking as declared, measured on the batches actually trained on (the selection histogram at every evaluation): about 15% of the ordinary tokens selected, 80/10/10 among them; [CLS], [SEP] and padding are never selected (tested over 10,000 tokens with a fixed seed)',
        'zh-cn':
          '遮盖按声明进行，并在实际训练的批次上测量（每次评估的选择直方图）：约 15% 的普通词元被选中，其中 80/10/10；[CLS]、[SEP] 和填充从不被选中（用固定种子在 10,000 个词元上测试）',
      },
      {
        en: 'the loss counts selected positions only: the loss mask is 0 everywhere else (tested)',
        'zh-cn': '损失只计入被选中的位置：其他位置的损失掩码都是 0（已测试）',
      },
      {
        en: 'on the English corpus, a smaller and shorter run than the default (32 positions, 128-wide feed-forward, batch 32, no dropout, learning rate 0.002, 600 steps, seed 1) is above the baseline that always guesses the most frequent training word at every evaluation from step 250 on, by at least 0.02, and its validation loss falls: masked-token accuracy 0.135 against 0.099 after 600 steps (tested)',
        'zh-cn':
          '在英文语料上，一个比默认更小、更短的运行（32 个位置、前馈宽度 128、批大小 32、无 dropout、学习率 0.002、600 步、种子 1）从第 250 步起每次评估都比“总猜训练集中最常见的词”的基线至少高 0.02，验证损失下降：600 步后掩码词准确率 0.135 对 0.099（已测试）',
      },
      {
        en: 'the MLM output bias starts as each word’s log-frequency in the training text (add-one smoothed), so training starts from the frequency guess and the gradient is about the context (tested)',
        'zh-cn':
          'MLM 输出偏置的初值是每个词在训练文本中的对数频率（加一平滑），所以训练从按频率猜测开始，梯度只关乎上下文（已测试）',
      },
      {
        en: 'attention rows sum to 1 and padding gets exactly 0 weight (self-checks on the probes)',
        'zh-cn': '注意力每行之和为 1，填充位置权重恰好为 0（探针上的自检）',
      },
      {
        en: 'fill-in: a typed [MASK] is the mask, any other special token typed is read as an unknown word, and the probabilities shown with “others” sum to 1',
        'zh-cn': '完形填空：输入的 [MASK] 就是掩码，输入的其他特殊词元都当作未知词，显示的概率加上“其他”之和为 1',
      },
    ],
    doesNotVerify: [
      {
        en: 'that the model understands language: minutes on a CPU learn frequent words and local patterns, not facts',
        'zh-cn': '模型理解了语言：在 CPU 上训练几分钟只能学到常见词和局部规律，学不到知识',
      },
      {
        en: 'that next-sentence prediction helps, or that its accuracy rises above chance in a short run: compare the variants yourself',
        'zh-cn': '下一句预测有帮助，或它的准确率在短时间训练内高于随机：请自己比较两个变体',
      },
      {
        en: 'anything about subword tokenisation (BERT uses WordPiece): here a word outside the vocabulary is one <unk>, and <unk> is scored like any word, so a smaller vocabulary makes some targets easier',
        'zh-cn':
          '任何关于子词切分的结论（BERT 用 WordPiece）：这里词表外的词都是一个 <unk>，<unk> 和普通词一样计分，所以词表越小，有些目标越容易',
      },
      {
        en: 'what the default run (1,000 steps of a larger model) reaches: no test trains it; read its accuracy against the baseline on the accuracy chart',
        'zh-cn': '默认运行（更大的模型训练 1,000 步）能达到什么：没有测试训练它；请在准确率图上对比它与基线',
      },
      {
        en: 'that beating the baseline means using the context well: on the English validation text the best constant guess is <unk> (0.133), about what the tested run reaches',
        'zh-cn':
          '超过基线就说明很好地用上了上下文：在英文验证文本上，最好的常数猜测是 <unk>（0.133），与测试中的运行达到的水平相当',
      },
      {
        en: 'fine-tuning on a downstream task, which is how BERT is used',
        'zh-cn': '在下游任务上微调（BERT 的实际用法）',
      },
    ],
    lookAt: [
      {
        en: 'the masked-token accuracy against the baseline on the accuracy chart',
        'zh-cn': '准确率图上掩码词准确率与基线的对比',
      },
      {
        en: 'the selection histogram: selected ≈ 15% of the tokens; masked ≈ 80%, randomised ≈ 10%, kept ≈ 10% of the selected',
        'zh-cn': '选择直方图：被选中 ≈ 词元的 15%；其中 [MASK] ≈ 80%，随机 ≈ 10%，不变 ≈ 10%',
      },
      {
        en: 'a probe’s maps: the rows of [MASK] positions attend to words on both sides; [CLS] and [SEP] often collect attention',
        'zh-cn': '探针的注意力图：[MASK] 所在的行同时关注两侧的词；[CLS] 和 [SEP] 常常汇集注意力',
      },
      {
        en: 'llm-tutor fill RUN "the [MASK] of the country": the top words with their probabilities, and where the mask looked in every layer and head',
        'zh-cn': 'llm-tutor fill RUN "the [MASK] of the country"：最可能的词及其概率，以及掩码在每层每个头里看向哪里',
      },
    ],
    compare: [
      {
        en: 'mlm vs nsp with the same seed: the masked-token accuracy curves side by side; nsp adds a second loss and its own accuracy (chance 0.5)',
        'zh-cn': '相同种子下比较 mlm 与 nsp：并排的掩码词准确率曲线；nsp 多了第二个损失和它自己的准确率（随机为 0.5）',
      },
    ],
  },
};
