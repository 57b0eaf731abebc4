/**
 * Chapter attention-seq2seq: what it teaches and declares (plain data, no TensorFlow; read by the engine, the
 * extension and the CLI through the course catalogue).
 */
import { MASKED_ZERO, ROWS_SUM_TO_ONE } from '../../../shared/course/checks';
import type { ChapterInfo } from '../../../shared/course/chapter';
import { SEQ2SEQ_TENSORS, SEQ2SEQ_WEIGHTS } from '../../../shared/course/glossary';
import {
  ACCURACY_CHART,
  DATES_TASK,
  LOSS_CHART,
  PHRASES_TASK,
  VAL_EXACT_MATCH,
  VAL_LOSS,
  VAL_TOKEN_ACCURACY,
  datasetSizes,
  integer,
  trainingHyperparameters,
} from '../../../shared/course/specs';

const TENSORS = [
  'source_ids',
  'source_mask',
  'source_embeddings',
  'encoder_outputs',
  'encoder_final_state',
  'decoder_input_ids',
  'decoder_embeddings',
  'decoder_outputs',
  'attention_keys',
  'attention_scores',
  'attention_weights',
  'context',
  'decoder_output_and_context',
  'logits',
  'target_ids',
];
const WEIGHTS = [
  'encoder/embeddings',
  'encoder/gru/input_kernel',
  'encoder/gru/recurrent_kernel',
  'encoder/gru/bias',
  'encoder/gru/recurrent_bias',
  'decoder/embeddings',
  'decoder/gru/input_kernel',
  'decoder/gru/recurrent_kernel',
  'decoder/gru/bias',
  'decoder/gru/recurrent_bias',
  'attention/query_kernel',
  'attention/key_kernel',
  'attention/bias',
  'attention/score_vector',
  'output/kernel',
  'output/bias',
];

export const info: ChapterInfo = {
  id: 'attention-seq2seq',
  title: { en: 'Attention Seq2Seq: additive (Bahdanau) attention', 'zh-cn': '注意力 Seq2Seq：加性（Bahdanau）注意力' },
  summary: {
    en: 'For every target token the decoder looks back at all encoder positions and retrieves a context vector.',
    'zh-cn': '每生成一个目标词，解码器都回看编码器的所有位置，并取回一个上下文向量。',
  },
  kind: 'encoder-decoder',
  trainable: true,
  tasks: [DATES_TASK, PHRASES_TASK],
  defaultTask: 'dates',
  trainingUnit: 'epoch',
  hyperparameters: [
    ...trainingHyperparameters({ epochs: 10, batchSize: 64, learningRate: 0.01, clipNorm: 5 }),
    integer('hiddenSize', { en: 'hidden size (GRU)', 'zh-cn': '隐藏层大小（GRU）' }, 64, 1, 1024),
    integer('embeddingSize', { en: 'embedding size', 'zh-cn': '嵌入维度' }, 32, 1, 1024, 'model', false),
    integer(
      'attentionSize',
      { en: 'attention size (additive score)', 'zh-cn': '注意力维度（加性打分）' },
      32,
      1,
      1024,
      'model',
      false,
    ),
    ...datasetSizes({ trainSize: 10000, validationSize: 1000, testSize: 1000 }),
  ],
  variants: [
    {
      id: 'default',
      title: { en: 'default', 'zh-cn': '默认' },
      description: { en: 'the model as the course describes it', 'zh-cn': '教材所描述的模型' },
      overrides: {},
    },
  ],
  defaultVariant: 'default',
  comparison: null,
  metrics: [VAL_LOSS, VAL_TOKEN_ACCURACY, VAL_EXACT_MATCH],
  primaryMetric: 'val_exact_match',
  charts: [LOSS_CHART, ACCURACY_CHART],
  glossary: {
    ...Object.fromEntries(TENSORS.map((name) => [name, SEQ2SEQ_TENSORS[name]])),
    ...Object.fromEntries(WEIGHTS.map((name) => [name, SEQ2SEQ_WEIGHTS[name]])),
  },
  selfChecks: [ROWS_SUM_TO_ONE, MASKED_ZERO],
  contract: {
    newConcepts: [
      {
        en: 'attention score: how well a decoder state (query) matches an encoder output (key), score = vᵀ tanh(W_q q + W_k k + b)',
        'zh-cn': '注意力分数：解码器状态（查询）与编码器输出（键）的匹配程度，score = vᵀ tanh(W_q q + W_k k + b)',
      },
      {
        en: 'attention weight: softmax of the scores over source positions; a proportion of retrieval, not an answer',
        'zh-cn': '注意力权重：分数在源位置上做 softmax；它是“取回多少”的比例，不是答案',
      },
      {
        en: 'context vector: the weighted sum of encoder outputs, what the target position retrieved',
        'zh-cn': '上下文向量：编码器输出的加权和，即当前目标位置取回的内容',
      },
      {
        en: 'Q/K/V intuition of cross-attention: the decoder state asks “what do I need from the source?”; encoder outputs are both what is matched (keys) and what is retrieved (values)',
        'zh-cn':
          '交叉注意力中的 Q/K/V 直觉：解码器状态在问“我需要源序列里的什么？”；编码器输出既是被匹配的键，也是被取回的值',
      },
    ],
    verifies: [
      {
        en: 'for every target token the decoder can look back at all encoder positions',
        'zh-cn': '每个目标词都能回看编码器的所有位置',
      },
      { en: 'padding is never attended: its weight is exactly 0', 'zh-cn': '填充位置永远不会被关注：它的权重恰好为 0' },
    ],
    doesNotVerify: [
      {
        en: 'that this is a Transformer (it is an RNN with attention on top)',
        'zh-cn': '这不是 Transformer（它是在 RNN 之上加了注意力）',
      },
      {
        en: 'that it is a good translation system, or that attention must improve this small toy task',
        'zh-cn': '这不是好的翻译系统，注意力也不一定会改善这个小玩具任务',
      },
      {
        en: 'Bahdanau’s exact decoder: here the whole decoder runs first and the context does not feed the next RNN step, a simplification the course makes too',
        'zh-cn': 'Bahdanau 原始的解码器：这里先运行完整个解码器，上下文不会送入下一步 RNN，这是教材同样采用的简化',
      },
    ],
    lookAt: [
      {
        en: 'attention_weights [batch, target_len, source_len]: where each target position looks',
        'zh-cn': 'attention_weights [batch, target_len, source_len]：每个目标位置看向哪里',
      },
      {
        en: 'context [batch, target_len, hidden]: what it retrieved; logits [batch, target_len, vocab_size]: scores over the vocabulary, the only tensor that enters the cross-entropy',
        'zh-cn':
          'context [batch, target_len, hidden]：取回的内容；logits [batch, target_len, vocab_size]：词表上的分数，只有它进入交叉熵',
      },
      { en: 'every attention row sums to ≈ 1', 'zh-cn': '每一行注意力权重之和都约等于 1' },
      {
        en: 'which source tokens each target token attends to: on dates the answer starts with the year, which 12 of the 14 formats write last, so the year’s digits attend to the end of the source and the month and day to what comes before: the alignment crosses (only 19980503 and 1998.05.03 give a map near the diagonal); on phrases alignments cross where Chinese word order reverses (the small bird that sings → 唱 歌 的 小 鸟)',
        'zh-cn':
          '每个目标词关注哪些源词：日期任务的答案以年份开头，而 14 种写法中有 12 种把年份写在最后，所以年份的数字关注源序列的末尾，月和日关注它前面的部分：对齐是交叉的（只有 19980503 和 1998.05.03 的注意力图接近对角线）；短语任务上中文语序反转的地方对齐会交叉（the small bird that sings → 唱 歌 的 小 鸟）',
      },
      {
        en: 'next: cross-attention (query from the decoder, key/value from the encoder) versus self-attention (all three from one sequence), which leads to the Transformer',
        'zh-cn':
          '下一步：交叉注意力（查询来自解码器，键/值来自编码器）与自注意力（三者来自同一序列）的区别，由此走向 Transformer',
      },
    ],
    compare: [],
  },
};
