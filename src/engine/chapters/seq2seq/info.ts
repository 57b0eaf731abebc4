/**
 * Chapter seq2seq: what it teaches and declares (plain data, no TensorFlow; read by the engine, the
 * extension and the CLI through the course catalogue).
 */
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
  'source_embeddings',
  'encoder_outputs',
  'encoder_final_state',
  'decoder_input_ids',
  'decoder_embeddings',
  'decoder_outputs',
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
  'output/kernel',
  'output/bias',
];

export const info: ChapterInfo = {
  id: 'seq2seq',
  title: { en: 'Seq2Seq: the bottleneck', 'zh-cn': 'Seq2Seq：信息瓶颈' },
  summary: {
    en: 'A GRU encoder squeezes the whole source into one vector; a GRU decoder unfolds the answer from it.',
    'zh-cn': 'GRU 编码器把整个源序列压缩成一个向量，GRU 解码器再从这个向量展开出答案。',
  },
  kind: 'encoder-decoder',
  trainable: true,
  tasks: [DATES_TASK, PHRASES_TASK],
  defaultTask: 'dates',
  trainingUnit: 'epoch',
  hyperparameters: [
    ...trainingHyperparameters({ epochs: 10, batchSize: 64, learningRate: 0.01, clipNorm: 5 }),
    integer('hiddenSize', { en: 'hidden size (GRU)', 'zh-cn': '隐藏层大小（GRU）' }, 128, 1, 1024),
    integer('embeddingSize', { en: 'embedding size', 'zh-cn': '嵌入维度' }, 32, 1, 1024, 'model', false),
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
  selfChecks: [],
  contract: {
    newConcepts: [
      {
        en: 'encoder and decoder: one RNN reads the source, another writes the target',
        'zh-cn': '编码器与解码器：一个 RNN 读源序列，另一个 RNN 写目标序列',
      },
      {
        en: 'the final hidden state as the only summary of the source (the bottleneck)',
        'zh-cn': '最终隐藏状态是源序列唯一的摘要（信息瓶颈）',
      },
      {
        en: 'teacher forcing in training; feeding each prediction back (greedy, autoregressive) at inference',
        'zh-cn': '训练时使用 teacher forcing；推理时把每一步的预测送回输入（贪心、自回归）',
      },
      {
        en: '<bos> starts decoding (the material also calls it <GO>); <eos> ends it',
        'zh-cn': '<bos> 开始解码（教材也称 <GO>），<eos> 结束解码',
      },
    ],
    verifies: [
      {
        en: 'a fixed-size vector can carry a short source well enough to translate it: on phrases the shortest sources (2–5 words) are the first translated exactly, and stay the best',
        'zh-cn':
          '对于短的源序列，一个固定长度的向量足以携带翻译所需的信息：在短语任务上，最短的源序列（2–5 个词）最先被完全译对，并且一直最好',
      },
      {
        en: 'on phrases, the longest sources suffer most: their length bucket has the lowest exact match while the model learns (in between, longer is not always harder: each bucket mixes constructions)',
        'zh-cn':
          '在短语任务上，最长的源序列受影响最大：模型学习的过程中，它们所在的长度分桶完全匹配率最低（中间的分桶不一定越长越难：每个分桶混合了不同的句式）',
      },
    ],
    doesNotVerify: [
      {
        en: 'that this is how modern translation works: historical tricks such as reversing the source (Sutskever et al. 2014) or a bidirectional encoder are not used here',
        'zh-cn': '这并不是现代翻译系统的做法；这里没有使用反转源序列（Sutskever 等 2014）或双向编码器等历史技巧',
      },
      {
        en: 'anything about attention: there is none in this model',
        'zh-cn': '任何关于注意力的结论：这个模型里没有注意力',
      },
      {
        en: 'that longer dates are harder: on dates the shortest forms (19980503, 5/3/98: no separators, or a two-digit year) make the hardest bucket; the long forms spell the month out and add a weekday, which only repeats the date',
        'zh-cn':
          '更长的日期更难：在日期任务上，最短的写法（19980503、5/3/98：没有分隔符或只有两位年份）所在的分桶最难；长写法拼出月份并附上星期，只是重复了日期信息',
      },
    ],
    lookAt: [
      {
        en: 'encoder_final_state [batch, hidden]: the whole source in one vector',
        'zh-cn': 'encoder_final_state [batch, hidden]：整个源序列只剩一个向量',
      },
      {
        en: 'validation exact match per source-length bucket: on phrases the longest bucket suffers most; on dates the shortest does',
        'zh-cn': '按源长度分桶的验证集完全匹配率：在短语任务上最长的分桶受影响最大；在日期任务上则是最短的分桶',
      },
      { en: 'the next chapter adds attention and removes the bottleneck', 'zh-cn': '下一章加入注意力，去掉这个瓶颈' },
    ],
    compare: [],
  },
};
