/**
 * What the chapters without a folder yet will teach, so learners see the whole course. Once a
 * chapter's folder exists its own info.ts replaces the entry here (see catalogue.ts).
 */
import type { ChapterId } from '../ids';
import type { Bilingual } from '../schema';
import type { ChapterInfo } from './chapter';

const KINDS: Record<ChapterId, ChapterInfo['kind']> = {
  seq2seq: 'encoder-decoder',
  'attention-seq2seq': 'encoder-decoder',
  'luong-attention': 'encoder-decoder',
  'self-attention': 'encoder-only',
  'multi-head-attention': 'encoder-only',
  'transformer-encoder': 'encoder-only',
  transformer: 'encoder-decoder',
  'mini-gpt': 'decoder-only',
  'bert-mlm': 'encoder-only',
  'modern-attention': 'decoder-only',
};

function upcoming(id: ChapterId, title: Bilingual, summary: Bilingual, concepts: Bilingual[]): ChapterInfo {
  return {
    id,
    title,
    summary,
    kind: KINDS[id],
    trainable: false,
    tasks: [],
    defaultTask: '',
    trainingUnit: 'epoch',
    hyperparameters: [],
    variants: [],
    defaultVariant: '',
    comparison: null,
    metrics: [],
    primaryMetric: '',
    charts: [],
    glossary: {},
    selfChecks: [],
    contract: {
      newConcepts: concepts,
      verifies: [
        {
          en: 'not yet available: this chapter cannot be trained in this version',
          'zh-cn': '尚未提供：此版本还不能训练这一章',
        },
      ],
      doesNotVerify: [],
      lookAt: [],
      compare: [],
    },
  };
}

const UPCOMING: ChapterInfo[] = ([] = [
  upcoming(
    'luong-attention',
    { en: 'Luong attention', 'zh-cn': 'Luong 注意力' },
    {
      en: 'Scores from the decoder’s current state: dot, general and concat.',
      'zh-cn': '用解码器当前状态打分：dot、general 与 concat 三种形式。',
    },
    [
      {
        en: 'dot s·h, general sᵀWh, concat vᵀtanh(W[s;h]); attentional hidden state tanh(W_c[c;s])',
        'zh-cn': 'dot s·h、general sᵀWh、concat vᵀtanh(W[s;h])；注意力隐藏状态 tanh(W_c[c;s])',
      },
    ],
  ),
  upcoming(
    'self-attention',
    { en: 'Scaled dot-product self-attention', 'zh-cn': '缩放点积自注意力' },
    {
      en: 'softmax(QKᵀ/√d_k)V over one sequence, with causal and padding masks.',
      'zh-cn': '在同一序列上计算 softmax(QKᵀ/√d_k)V，并使用因果掩码与填充掩码。',
    },
    [
      {
        en: 'why √d_k: without it softmax saturates as d_k grows',
        'zh-cn': '为什么除以 √d_k：否则 d_k 变大时 softmax 会饱和',
      },
    ],
  ),
  upcoming(
    'multi-head-attention',
    { en: 'Multi-head attention', 'zh-cn': '多头注意力' },
    {
      en: 'Several heads attend in parallel, each to a different relation.',
      'zh-cn': '多个头并行计算注意力，各自关注不同的关系。',
    },
    [
      {
        en: 'd_k = d_model / h; [batch, heads, seq, d_k]; concatenate and project with W_O',
        'zh-cn': 'd_k = d_model / h；[batch, heads, seq, d_k]；拼接后用 W_O 投影',
      },
    ],
  ),
  upcoming(
    'transformer-encoder',
    { en: 'Transformer encoder', 'zh-cn': 'Transformer 编码器' },
    {
      en: 'Positional encoding, self-attention, FFN, residuals and layer norm (Post-LN vs Pre-LN).',
      'zh-cn': '位置编码、自注意力、前馈网络、残差连接与层归一化（Post-LN 与 Pre-LN）。',
    },
    [{ en: 'sinusoidal positional encoding; Post-LN needs warm-up', 'zh-cn': '正弦位置编码；Post-LN 需要学习率预热' }],
  ),
  upcoming(
    'transformer',
    { en: 'Transformer encoder–decoder', 'zh-cn': 'Transformer 编码器–解码器' },
    {
      en: 'Masked self-attention, cross-attention and FFN in every decoder block.',
      'zh-cn': '每个解码器块包含掩码自注意力、交叉注意力与前馈网络。',
    },
    [{ en: 'source padding mask and target causal mask', 'zh-cn': '源序列填充掩码与目标序列因果掩码' }],
  ),
  upcoming(
    'mini-gpt',
    { en: 'Mini GPT (decoder only)', 'zh-cn': '迷你 GPT（仅解码器）' },
    {
      en: 'Causal self-attention trained to predict the next character; sampling with temperature and top-k.',
      'zh-cn': '用因果自注意力预测下一个字符；带温度与 top-k 的采样。',
    },
    [{ en: 'next-token prediction; temperature; top-k', 'zh-cn': '下一个词预测；温度；top-k' }],
  ),
  upcoming(
    'bert-mlm',
    { en: 'BERT masked language model (encoder only)', 'zh-cn': 'BERT 掩码语言模型（仅编码器）' },
    {
      en: '[CLS]/[SEP], segment embeddings, 15% masking with the 80/10/10 rule.',
      'zh-cn': '[CLS]/[SEP]、片段嵌入、按 80/10/10 规则遮盖 15% 的词。',
    },
    [{ en: 'masked LM; next-sentence prediction', 'zh-cn': '掩码语言模型；下一句预测' }],
  ),
  upcoming(
    'modern-attention',
    { en: 'Modern attention: RoPE, GQA/MQA, KV cache', 'zh-cn': '现代注意力：RoPE、GQA/MQA、KV 缓存' },
    {
      en: 'Rotary positions, shared key/value heads and cached keys for fast generation.',
      'zh-cn': '旋转位置编码、共享键/值头，以及为快速生成缓存键值。',
    },
    [
      {
        en: 'RoPE; GQA/MQA; KV cache; FlashAttention’s tiling idea',
        'zh-cn': 'RoPE；GQA/MQA；KV 缓存；FlashAttention 的分块思想',
      },
    ],
  ),
]);

/** The listing of a chapter that has no folder yet (a chapter id the course has not planned is an error). */
export function upcomingChapter(id: ChapterId): ChapterInfo {
  const found = UPCOMING.find((chapter) => chapter.id === id);
  if (found) return found;
  return upcoming(id, { en: id, 'zh-cn': id }, { en: 'Coming later.', 'zh-cn': '即将推出。' }, []);
}
