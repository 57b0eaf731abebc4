import type { ChapterInfo } from '../../../protocol/run';

export const seq2seqInfo: ChapterInfo = {
  id: 'seq2seq',
  title: { en: 'Seq2Seq: the bottleneck', 'zh-cn': 'Seq2Seq：信息瓶颈' },
  summary: {
    en: 'A GRU encoder squeezes the whole source into one vector; a GRU decoder unfolds the answer from it.',
    'zh-cn': 'GRU 编码器把整个源序列压缩成一个向量，GRU 解码器再从这个向量展开出答案。',
  },
  trainable: true,
  tasks: ['dates', 'phrases'],
  defaultTask: 'dates',
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
        en: 'a fixed-size vector can carry a short source well enough to translate it',
        'zh-cn': '对于短的源序列，一个固定长度的向量足以携带翻译所需的信息',
      },
      {
        en: 'accuracy falls as sources get longer: compare the length buckets',
        'zh-cn': '源序列越长，准确率越低：对比各长度分桶的准确率',
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
    ],
    lookAt: [
      {
        en: 'encoder_final_state [batch, hidden]: the whole source in one vector',
        'zh-cn': 'encoder_final_state [batch, hidden]：整个源序列只剩一个向量',
      },
      {
        en: 'validation exact match per source-length bucket: the longest bucket suffers most',
        'zh-cn': '按源长度分桶的验证集完全匹配率：最长的分桶下降最多',
      },
      { en: 'the next chapter adds attention and removes the bottleneck', 'zh-cn': '下一章加入注意力，去掉这个瓶颈' },
    ],
  },
};
