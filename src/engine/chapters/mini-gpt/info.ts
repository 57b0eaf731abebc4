/**
 * Chapter mini-gpt: what it teaches and declares (plain data, no TensorFlow).
 */
import type { ChapterInfo, SelfCheckSpec } from '../../../shared/course/chapter';
import { MASKED_ZERO, ROWS_SUM_TO_ONE } from '../../../shared/course/checks';
import { CHARACTER_DECODER_GLOSSARY } from '../../../shared/course/glossary';
import {
  CHARACTER_LM_METRICS,
  LOSS_CHART,
  flag,
  integer,
  number,
  trainingHyperparameters,
} from '../../../shared/course/specs';

export const KV_CACHE: SelfCheckSpec = {
  id: 'kv-cache',
  label: { en: 'the KV cache changes nothing', 'zh-cn': 'KV 缓存不改变结果' },
  description: {
    en: 'the largest difference between the logits of a cached greedy generation (32 steps) and those of one full forward pass over the same characters, divided by the largest logit (passes at 1e-5)',
    'zh-cn':
      '用缓存逐步贪心生成（32 步）得到的 logits 与对同一串字符做一次完整前向计算得到的 logits 之间的最大差，除以最大的 logit（1e-5 以内通过）',
  },
};

export const BEATS_BIGRAM: SelfCheckSpec = {
  id: 'beats-bigram',
  label: { en: 'better than the bigram baseline', 'zh-cn': '优于二元语法基线' },
  description: {
    en: 'nats the validation loss is below the bigram baseline on the same characters (passes above 0: the model has learned more than which character follows which)',
    'zh-cn':
      '验证集损失比同一批字符上的二元语法基线低多少奈特（大于 0 通过：模型学到的不只是“哪个字符跟在哪个字符后面”）',
  },
};

/** nanoGPT's CPU "baby" configuration (its README: 4 layers, 4 heads, 128 wide, context 64, batch 12). */
export const BABY = {
  layers: 4,
  heads: 4,
  dModel: 128,
  context: 64,
  batchSize: 12,
  learningRate: 1e-3,
  warmupSteps: 100,
  weightDecay: 0.1,
  dropout: 0,
  clipNorm: 1,
  stepsPerEvaluation: 100,
  epochs: 20,
};

export const info: ChapterInfo = {
  id: 'mini-gpt',
  title: { en: 'Mini GPT (decoder only)', 'zh-cn': '迷你 GPT（仅解码器）' },
  summary: {
    en: 'A decoder-only Transformer you train on a text and talk to while it learns: causal self-attention predicts the next character; sample with temperature, top-k and top-p.',
    'zh-cn':
      '一个只有解码器的 Transformer：你在一段文本上训练它，并在它学习的同时和它对话。因果自注意力预测下一个字符；用温度、top-k 与 top-p 采样。',
  },
  kind: 'decoder-only',
  trainable: true,
  tasks: [
    {
      id: 'next-char',
      title: { en: 'next character', 'zh-cn': '下一个字符' },
      description: {
        en: 'predict the next character of a text: the built-in English (CIA World Factbook) or Chinese (Song ci) corpus, or your own file (--corpus)',
        'zh-cn':
          '预测文本的下一个字符：内置英文语料（CIA《世界概况》）或中文语料（宋词），也可以用你自己的文件（--corpus）',
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
    integer('heads', { en: 'attention heads', 'zh-cn': '注意力头数' }, 4, 1, 16),
    integer('dModel', { en: 'd_model (width)', 'zh-cn': 'd_model（宽度）' }, 64, 8, 512),
    integer('context', { en: 'context (positions)', 'zh-cn': '上下文长度（位置数）' }, 32, 4, 256),
    flag('tieWeights', { en: 'tie input and output embeddings', 'zh-cn': '输入与输出嵌入共享权重' }, true),
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
      id: 'small',
      title: { en: 'small (2 × 64, context 32)', 'zh-cn': '小模型（2 层 × 64，上下文 32）' },
      description: {
        en: 'the default: 2 blocks of 4 heads, 64 wide, 32 positions, batch 32 (on a 2-core build machine about 0.2 s a step and 2.5 minutes to 0.5 nat below the bigram baseline: docs/performance-mini-gpt.md)',
        'zh-cn':
          '默认：2 个块、4 个头、宽 64、32 个位置、批大小 32（在一台双核构建机器上每步约 0.2 秒，约 2.5 分钟后验证损失比二元模型基线低 0.5 nat：见 docs/performance-mini-gpt.md）',
      },
      overrides: {},
    },
    {
      id: 'baby',
      title: { en: 'nanoGPT “baby” (4 × 128, context 64)', 'zh-cn': 'nanoGPT “baby”（4 层 × 128，上下文 64）' },
      description: {
        en: 'nanoGPT’s CPU configuration: 4 blocks of 4 heads, 128 wide, context 64, batch 12, lr 1e-3, 100 warm-up steps, 2000 steps: hold your results against the reference',
        'zh-cn':
          'nanoGPT 的 CPU 配置：4 个块、4 个头、宽 128、上下文 64、批大小 12、学习率 1e-3、预热 100 步、共 2000 步：可与参考结果对照',
      },
      overrides: BABY,
    },
    {
      id: 'untied',
      title: { en: 'untied output layer', 'zh-cn': '输出层不共享权重' },
      description: {
        en: 'the small model with its own output matrix instead of the embedding table transposed',
        'zh-cn': '小模型使用独立的输出矩阵，而不是转置的嵌入表',
      },
      overrides: { tieWeights: false },
    },
    {
      id: 'dropout',
      title: { en: 'dropout 0.2', 'zh-cn': 'dropout 0.2' },
      description: {
        en: 'the small model with dropout 0.2 on the embeddings and on each block’s attention and FFN outputs (training only)',
        'zh-cn': '小模型在嵌入以及每个块的注意力和前馈输出上使用 0.2 的 dropout（仅训练时）',
      },
      overrides: { dropout: 0.2 },
    },
  ],
  defaultVariant: 'small',
  comparison: { task: 'next-char', variants: ['small', 'untied', 'dropout'] },
  metrics: CHARACTER_LM_METRICS,
  primaryMetric: 'val_loss',
  charts: [
    LOSS_CHART,
    {
      id: 'baseline',
      title: { en: 'Below the bigram baseline', 'zh-cn': '低于二元语法基线的幅度' },
      unit: 'nats',
    },
    { id: 'bits', title: { en: 'Bits per character', 'zh-cn': '每字符比特数' }, unit: 'bits' },
    { id: 'perplexity', title: { en: 'Perplexity', 'zh-cn': '困惑度' }, unit: 'perplexity' },
  ],
  glossary: CHARACTER_DECODER_GLOSSARY,
  selfChecks: [ROWS_SUM_TO_ONE, MASKED_ZERO, KV_CACHE, BEATS_BIGRAM],
  contract: {
    newConcepts: [
      {
        en: 'decoder only: one stack of blocks reads a window of text and predicts, at every position at once, the character that comes next (the targets are the window shifted by one)',
        'zh-cn': '仅解码器：一叠块读入一段文本窗口，在每个位置同时预测下一个字符（目标就是窗口向后移一位）',
      },
      {
        en: 'the causal mask: position t attends only to positions 0..t, so training on every position at once never shows a position its own answer',
        'zh-cn': '因果掩码：位置 t 只关注位置 0..t，所以同时在所有位置上训练也不会让某个位置看到自己的答案',
      },
      {
        en: 'a GPT block: x + attention(LN(x)), then x + FFN(LN(x)) (pre-LN, GELU); learned positions; a final layer norm; output weights tied to the embeddings',
        'zh-cn':
          'GPT 块：x + attention(LN(x))，然后 x + FFN(LN(x))（Pre-LN，GELU）；可学习的位置嵌入；最后一层层归一化；输出层与嵌入共享权重',
      },
      {
        en: 'AdamW with linear warm-up and cosine decay to a tenth of the peak learning rate; dropout only while training',
        'zh-cn': 'AdamW，学习率线性预热后按余弦衰减到峰值的十分之一；dropout 只在训练时使用',
      },
      {
        en: 'loss in nats per character, bits per character (÷ ln 2), perplexity (eˡᵒˢˢ); the bigram baseline says what “learning something” means',
        'zh-cn':
          '每字符奈特数的损失、每字符比特数（÷ ln 2）、困惑度（e 的损失次方）；二元语法基线说明“学到东西”意味着什么',
      },
      {
        en: 'sampling: temperature reshapes the distribution, top-k and top-p cut its tail, the seed makes a draw repeatable',
        'zh-cn': '采样：温度改变分布的形状，top-k 和 top-p 截掉长尾，种子让抽样可以复现',
      },
      {
        en: 'the KV cache: generating keeps every layer’s past keys and values, so each new character costs O(length) instead of a full forward pass',
        'zh-cn': 'KV 缓存：生成时保存每一层过去的键和值，所以每个新字符的代价是 O(长度)，而不是一次完整的前向计算',
      },
    ],
    verifies: [
      {
        en: 'on the English corpus, a one-block model trained for a few hundred steps already gets a validation loss below the bigram baseline (learning test, fixed seed)',
        'zh-cn': '在英文语料上，一个只有一个块的模型训练几百步后，验证集损失就低于二元语法基线（学习测试，固定种子）',
      },
      {
        en: 'causality: changing the characters after position t never changes the scores at positions 0..t; the masked weights are exactly 0',
        'zh-cn': '因果性：改变位置 t 之后的字符，不会改变位置 0..t 上的分数；被遮盖的权重恰好为 0',
      },
      {
        en: 'the KV cache gives the same scores as a full forward pass, within 1e-5 of their size, at every step of a 64-character generation (and at every evaluation, as a check)',
        'zh-cn':
          'KV 缓存给出的分数与完整前向计算相同，在 64 个字符的生成中每一步都在其大小的 1e-5 以内（每次评估也作为自检）',
      },
      {
        en: 'sampling: top-k 1 and temperature 0 are greedy decoding; the same seed gives the same text; top-p keeps the smallest set of tokens whose probability reaches p; the probabilities shown sum to 1',
        'zh-cn':
          '采样：top-k 为 1 与温度为 0 都等于贪心解码；相同的种子给出相同的文本；top-p 保留概率之和达到 p 的最小词元集合；显示的概率之和为 1',
      },
    ],
    doesNotVerify: [
      {
        en: 'that what it writes is true or even sensible: a character model of a few hundred kilobytes learns spelling, punctuation and the style of its text, not facts',
        'zh-cn': '它写的内容是真实的甚至是通顺的：几百 KB 文本上的字符级模型学到的是拼写、标点和文风，而不是事实',
      },
      {
        en: 'that the baby variant reproduces nanoGPT’s numbers: the corpus and the framework differ; compare the settings, the speed and the shape of the curves',
        'zh-cn': 'baby 变体能复现 nanoGPT 的数字：语料和框架都不同；可以对照的是设置、速度和曲线的形状',
      },
      {
        en: 'how far a small model gets on Chinese: the Song ci corpus has about 4,100 distinct characters; nothing here measures it',
        'zh-cn': '小模型在中文上能学到什么程度：宋词语料约有 4,100 个不同的字符；这里没有对此做测量',
      },
      {
        en: 'what the heads have learned: the maps show where each head looks, not why',
        'zh-cn': '各个头学到了什么：注意力图只显示每个头看向哪里，不说明原因',
      },
    ],
    lookAt: [
      {
        en: 'the loss chart: validation loss crossing the bigram baseline, and how far below it goes',
        'zh-cn': '损失曲线：验证集损失何时穿过二元语法基线，以及能低多少',
      },
      {
        en: 'the samples of every evaluation, replayed in the panel: at which evaluation do random letters turn into words?',
        'zh-cn': '在面板中回放每次评估的样例：从第几次评估起，随机字母变成了单词？',
      },
      {
        en: 'the forward maps: an empty upper triangle; does some head look at the previous character, or at the start of the word?',
        'zh-cn': '前向注意力图：上三角为空；有没有哪个头在看前一个字符，或者看单词的开头？',
      },
      {
        en: 'sampling while it trains: the probability bars at temperature 0.5, 1 and 1.5, and what top-k and top-p cut',
        'zh-cn': '边训练边采样：温度为 0.5、1、1.5 时的概率条，以及 top-k 和 top-p 截掉了什么',
      },
    ],
    compare: [
      {
        en: 'small vs untied: the same model with its own output matrix has more weights; does it learn faster or slower per step?',
        'zh-cn': 'small 与 untied：使用独立输出矩阵的同一模型参数更多；它每一步学得更快还是更慢？',
      },
      {
        en: 'small vs dropout: on a few minutes of training, does dropout help the validation loss, or only slow the training loss?',
        'zh-cn': 'small 与 dropout：只训练几分钟时，dropout 对验证集损失有帮助吗，还是只会让训练损失下降得更慢？',
      },
    ],
  },
};
