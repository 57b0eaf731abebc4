/**
 * Chapter luong-attention: what it teaches and declares (plain data, no TensorFlow; read by the
 * engine, the extension and the CLI through the course catalogue).
 */
import type { ChapterInfo, GlossaryEntry } from '../../../shared/course/chapter';
import { MASKED_ZERO, ROWS_SUM_TO_ONE } from '../../../shared/course/checks';
import { SEQ2SEQ_TENSORS, gruWeights } from '../../../shared/course/glossary';
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
  integer,
  trainingHyperparameters,
} from '../../../shared/course/specs';

/** The tensors this chapter shares, with the same meaning, with the other GRU encoder–decoders. */
const SHARED_TENSORS = [
  'source_ids',
  'source_mask',
  'source_embeddings',
  'encoder_outputs',
  'encoder_final_state',
  'decoder_input_ids',
  'decoder_embeddings',
  'decoder_outputs',
  'attention_weights',
  'context',
  'logits',
  'target_ids',
];

/** This chapter's own tensors and weights (the shared glossary's `attention_scores` is the additive score). */
const OWN: Record<string, GlossaryEntry> = {
  attention_scores: {
    dims: ['batch', 'target_len', 'source_len'],
    meaning: {
      en: 'score(s, h) of each decoder state s (current, not previous) with each encoder output h: dot s·h, general sᵀWh or concat vᵀtanh(W[s; h]); padding is not yet penalised',
      'zh-cn':
        '每个解码器状态 s（当前的，而不是前一步的）与每个编码器输出 h 的分数：dot 为 s·h，general 为 sᵀWh，concat 为 vᵀtanh(W[s; h])；此时填充尚未被屏蔽',
    },
  },
  context_and_decoder_output: {
    dims: ['batch', 'target_len', '2·hidden'],
    meaning: {
      en: '[c; s]: the context and the decoder state side by side, the input of W_c',
      'zh-cn': '[c; s]：上下文与解码器状态拼接在一起，是 W_c 的输入',
    },
  },
  attentional_hidden: {
    dims: ['batch', 'target_len', 'hidden'],
    meaning: {
      en: 'the attentional hidden state h̃ = tanh(W_c [c; s]): what predicts the token (logits = h̃ W_out + b)',
      'zh-cn': '注意力隐藏状态 h̃ = tanh(W_c [c; s])：由它预测词（logits = h̃ W_out + b）',
    },
  },
  'attention/general_kernel': {
    dims: ['hidden', 'hidden'],
    meaning: {
      en: 'W of the general score sᵀWh (query rows, key columns): a learned bilinear form, so decoder and encoder spaces need not line up as dot requires',
      'zh-cn':
        'general 打分 sᵀWh 中的 W（行对应查询，列对应键）：可学习的双线性形式，解码器与编码器的空间不必像 dot 那样对齐',
    },
  },
  'attention/concat_kernel': {
    dims: ['2·hidden', 'attention'],
    meaning: {
      en: 'W of the concat score vᵀtanh(W[s; h]): its first hidden rows multiply s, the others h (no bias)',
      'zh-cn': 'concat 打分 vᵀtanh(W[s; h]) 中的 W：前 hidden 行乘 s，其余行乘 h（没有偏置）',
    },
  },
  'attention/score_vector': {
    dims: ['attention', '1'],
    meaning: { en: 'v: turns tanh(W[s; h]) into one score', 'zh-cn': 'v：把 tanh(W[s; h]) 变成一个分数' },
  },
  'attentional/kernel': {
    dims: ['2·hidden', 'hidden'],
    meaning: {
      en: 'W_c of h̃ = tanh(W_c [c; s]) (no bias): mixes what was retrieved with the decoder state',
      'zh-cn': 'h̃ = tanh(W_c [c; s]) 中的 W_c（没有偏置）：把取回的内容与解码器状态混合',
    },
  },
  'output/kernel': {
    dims: ['hidden', 'vocab_size'],
    meaning: {
      en: 'W_out: the attentional hidden state h̃ → vocabulary scores',
      'zh-cn': 'W_out：注意力隐藏状态 h̃ → 词表分数',
    },
  },
  'output/bias': { dims: ['vocab_size'], meaning: { en: 'output layer bias', 'zh-cn': '输出层偏置' } },
};

export const info: ChapterInfo = {
  id: 'luong-attention',
  title: {
    en: 'Luong attention: dot, general and concat scores',
    'zh-cn': 'Luong 注意力：dot、general 与 concat 打分',
  },
  summary: {
    en: 'The decoder’s current state scores every encoder output (dot, general or concat); tanh(W_c[c; s]) predicts the token.',
    'zh-cn': '解码器的当前状态给每个编码器输出打分（dot、general 或 concat）；由 tanh(W_c[c; s]) 预测词。',
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
    choice('score', { en: 'score function', 'zh-cn': '打分函数' }, 'general', ['dot', 'general', 'concat']),
    integer(
      'attentionSize',
      { en: 'attention size (concat score)', 'zh-cn': '注意力维度（concat 打分）' },
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
      id: 'dot',
      title: { en: 'dot: s·h', 'zh-cn': 'dot：s·h' },
      description: {
        en: 'no weights: the decoder state and the encoder output must live in the same space',
        'zh-cn': '没有权重：解码器状态与编码器输出必须处在同一个空间',
      },
      overrides: { score: 'dot' },
    },
    {
      id: 'general',
      title: { en: 'general: sᵀWh', 'zh-cn': 'general：sᵀWh' },
      description: {
        en: 'a learned matrix W between the decoder state and the encoder output',
        'zh-cn': '在解码器状态与编码器输出之间学习一个矩阵 W',
      },
      overrides: { score: 'general' },
    },
    {
      id: 'concat',
      title: { en: 'concat: vᵀtanh(W[s; h])', 'zh-cn': 'concat：vᵀtanh(W[s; h])' },
      description: {
        en: 'the additive score of the previous chapter (without its bias), on the current decoder state',
        'zh-cn': '上一章的加性打分（去掉偏置），作用在当前解码器状态上',
      },
      overrides: { score: 'concat' },
    },
  ],
  // general is the default: it is the chapter's new idea in full, a learned bilinear form that
  // holds dot as its special case W = I and still works where the two spaces differ. dot (no
  // weights) and concat (the previous chapter's additive score) are read as its neighbours.
  defaultVariant: 'general',
  comparison: { task: 'phrases', variants: ['dot', 'general', 'concat'] },
  metrics: [VAL_LOSS, VAL_TOKEN_ACCURACY, VAL_EXACT_MATCH],
  primaryMetric: 'val_exact_match',
  charts: [LOSS_CHART, ACCURACY_CHART],
  glossary: {
    ...Object.fromEntries(SHARED_TENSORS.map((name) => [name, SEQ2SEQ_TENSORS[name]])),
    ...gruWeights('encoder'),
    ...gruWeights('decoder'),
    ...OWN,
  },
  selfChecks: [ROWS_SUM_TO_ONE, MASKED_ZERO],
  contract: {
    newConcepts: [
      {
        en: 'multiplicative scores: dot s·h (no weights) and general sᵀWh (a learned bilinear form); concat vᵀtanh(W[s; h]) is the additive score of the previous chapter without its bias',
        'zh-cn':
          '乘性打分：dot 为 s·h（没有权重），general 为 sᵀWh（可学习的双线性形式）；concat 为 vᵀtanh(W[s; h])，即上一章的加性打分去掉偏置',
      },
      {
        en: 'general’s W: sᵀWh = (sᵀW)·h, so the decoder state is mapped into the encoder’s space before the dot product; dot needs both hidden sizes to match and their coordinates to mean the same, general does not (dot is general with W = I)',
        'zh-cn':
          'general 的 W：sᵀWh = (sᵀW)·h，先把解码器状态映射到编码器的空间再做点积；dot 要求两边隐藏层大小相同、各坐标含义一致，general 不需要（dot 就是 W = I 的 general）',
      },
      {
        en: 'the attentional hidden state h̃ = tanh(W_c [c; s]): the context and the decoder state are mixed by one more layer, and h̃ (not [s; c] directly) predicts the token',
        'zh-cn':
          '注意力隐藏状态 h̃ = tanh(W_c [c; s])：上下文与解码器状态再经过一层混合，由 h̃（而不是直接由 [s; c]）预测词',
      },
      {
        en: 'Luong versus Bahdanau: Bahdanau’s original model scores with the previous decoder state s_{t−1} and feeds the context into the RNN step; Luong scores with the current state s_t, after the RNN step, and the context only feeds h̃. This course’s attention-seq2seq chapter already scored with the current decoder outputs (its simplification), so what is new here is the multiplicative scores and h̃',
        'zh-cn':
          'Luong 与 Bahdanau 的区别：Bahdanau 原始模型用前一步的解码器状态 s_{t−1} 打分，并把上下文送入 RNN 的这一步；Luong 在 RNN 这一步之后用当前状态 s_t 打分，上下文只进入 h̃。本课程的 attention-seq2seq 一章已经（作为简化）用当前的解码器输出打分，所以这里新的是乘性打分和 h̃',
      },
    ],
    verifies: [
      {
        en: 'each score function (dot, general, concat) learns dates: at least 90% validation exact match with a fixed seed and a small budget',
        'zh-cn': '三种打分函数（dot、general、concat）都能学会日期任务：固定种子、小预算下验证集完全匹配率至少 90%',
      },
      {
        en: 'the scores equal the formulas computed by hand; dot equals general with W = I; concat equals the additive score with its bias at 0',
        'zh-cn': '分数与手算公式一致；dot 等于 W = I 的 general；concat 等于偏置为 0 的加性打分',
      },
      {
        en: 'general also works when the decoder and encoder sizes differ, where dot cannot be computed',
        'zh-cn': '解码器与编码器大小不同时 general 仍然可用，而 dot 无法计算',
      },
      {
        en: 'every attention row sums to 1 and padding gets exactly 0',
        'zh-cn': '每一行注意力之和为 1，填充位置的权重恰好为 0',
      },
    ],
    doesNotVerify: [
      {
        en: 'Luong’s input feeding (h̃ fed to the next decoder step): here the decoder GRU runs over all target positions first, as in the previous chapter',
        'zh-cn': 'Luong 的 input feeding（把 h̃ 送入下一步解码器）：这里和上一章一样，解码器 GRU 先跑完所有目标位置',
      },
      {
        en: 'Luong’s local attention (a window around a predicted position) and location-based score: only global attention is built',
        'zh-cn': 'Luong 的局部注意力（在预测位置附近的窗口）与基于位置的打分：这里只实现全局注意力',
      },
      {
        en: 'that one score function is better in general: the comparison is one seed on one small task',
        'zh-cn': '某一种打分函数普遍更好：比较只用了一个种子和一个小任务',
      },
      {
        en: 'that general needs the decaying learning rate, or that dot and concat do not: the schedule was chosen from a few measured runs on dates (recorded in the chapter’s index.ts), not proven by a test',
        'zh-cn':
          'general 需要衰减的学习率，或 dot 与 concat 不需要：这个调度是根据日期任务上几次测量的运行选的（记录在本章的 index.ts 中），没有经过测试证明',
      },
      {
        en: 'that general’s W learns anything dot could not here: both sides have the same hidden size and are trained together',
        'zh-cn': 'general 的 W 在这里学到了 dot 学不到的东西：两边隐藏层大小相同，而且一起训练',
      },
    ],
    lookAt: [
      {
        en: 'attention_scores [batch, target_len, source_len]: the score of every decoder state with every encoder output, before the softmax',
        'zh-cn': 'attention_scores [batch, target_len, source_len]：softmax 之前，每个解码器状态与每个编码器输出的分数',
      },
      {
        en: 'attention_weights: which source characters each output character reads; on dates, whether the year’s digits (written first) look at the end of the source, where most formats put the year',
        'zh-cn':
          'attention_weights：每个输出字符读取哪些源字符；日期任务上，（最先写出的）年份数字是否看向源序列末尾——多数格式把年份放在那里',
      },
      {
        en: 'attentional_hidden [batch, target_len, hidden] = tanh(W_c [c; s]): the only input of the output layer',
        'zh-cn': 'attentional_hidden [batch, target_len, hidden] = tanh(W_c [c; s])：输出层唯一的输入',
      },
      {
        en: 'the weights each score adds: dot none, general hidden × hidden, concat 2·hidden × attention + attention',
        'zh-cn': '每种打分增加的权重：dot 没有，general 为 hidden × hidden，concat 为 2·hidden × attention + attention',
      },
      {
        en: 'learning_rate in the step lines: Adam’s rate falls along half a cosine from the learning rate to 0 at the last step (the previous chapters keep it constant)',
        'zh-cn': '步骤记录中的 learning_rate：Adam 的学习率沿半个余弦从设定值降到最后一步的 0（前几章保持不变）',
      },
    ],
    compare: [
      {
        en: 'validation exact match and loss per epoch: whether the three score functions reach the same accuracy, and after how many epochs',
        'zh-cn': '每轮的验证集完全匹配率与损失：三种打分函数是否达到相同的准确率，各需要多少轮',
      },
      {
        en: 'seconds per epoch: concat scores over a [batch, target_len, source_len, attention] tensor, dot and general over [batch, target_len, source_len] only',
        'zh-cn':
          '每轮的秒数：concat 要在 [batch, target_len, source_len, attention] 张量上打分，dot 与 general 只用 [batch, target_len, source_len]',
      },
      {
        en: 'the attention maps of the same probe: whether the three align the same tokens, and how sharp each map is. The scores have different ranges: |s·h| ≤ hidden (GRU states lie in (−1, 1)), |vᵀtanh(W[s; h])| ≤ Σ|v|, while general’s W can scale sᵀWh without bound',
        'zh-cn':
          '同一探针的注意力图：三者是否对齐相同的词元，以及各自有多尖锐。三种分数的范围不同：|s·h| ≤ hidden（GRU 状态在 (−1, 1) 内），|vᵀtanh(W[s; h])| ≤ Σ|v|，而 general 的 W 可以把 sᵀWh 放大到没有上限',
      },
    ],
  },
};
