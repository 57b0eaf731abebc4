/**
 * Glossary entries that several chapters share (dimension names and meanings, English /
 * 简体中文): a chapter's info.ts picks what its model names and adds its own. Entries here are
 * only added to, never changed for one chapter's sake.
 */
import type { GlossaryEntry } from './chapter';

/** Tensors of the GRU encoder–decoder chapters (seq2seq, attention-seq2seq, luong-attention). */
export const SEQ2SEQ_TENSORS: Record<string, GlossaryEntry> = {
  source_ids: {
    dims: ['batch', 'source_len'],
    meaning: { en: 'source token ids, padded with <pad> = 0', 'zh-cn': '源序列的词 id，用 <pad> = 0 填充' },
  },
  source_mask: {
    dims: ['batch', 'source_len'],
    meaning: {
      en: '1 for a real source token, 0 for padding (padding never receives attention)',
      'zh-cn': '真实源词为 1，填充为 0（填充永远不会被关注）',
    },
  },
  source_embeddings: {
    dims: ['batch', 'source_len', 'embedding'],
    meaning: { en: 'one learned vector per source token', 'zh-cn': '每个源词对应一个可学习的向量' },
  },
  encoder_outputs: {
    dims: ['batch', 'source_len', 'hidden'],
    meaning: {
      en: 'the encoder GRU’s state at every source position: the keys and values of attention',
      'zh-cn': '编码器 GRU 在每个源位置的状态：注意力的键和值',
    },
  },
  encoder_final_state: {
    dims: ['batch', 'hidden'],
    meaning: {
      en: 'the encoder’s state after the last real token; the decoder starts from it',
      'zh-cn': '编码器读完最后一个真实词后的状态；解码器从它开始',
    },
  },
  decoder_input_ids: {
    dims: ['batch', 'target_len'],
    meaning: {
      en: '<bos> followed by the target tokens (teacher forcing)',
      'zh-cn': '<bos> 加上目标词（teacher forcing）',
    },
  },
  decoder_embeddings: {
    dims: ['batch', 'target_len', 'embedding'],
    meaning: { en: 'one learned vector per decoder input token', 'zh-cn': '每个解码器输入词对应一个可学习的向量' },
  },
  decoder_outputs: {
    dims: ['batch', 'target_len', 'hidden'],
    meaning: {
      en: 'the decoder GRU’s state at every target position: the queries of attention',
      'zh-cn': '解码器 GRU 在每个目标位置的状态：注意力的查询',
    },
  },
  attention_keys: {
    dims: ['batch', 'source_len', 'attention'],
    meaning: {
      en: 'projected encoder outputs W_k·h + b, computed once per source',
      'zh-cn': '投影后的编码器输出 W_k·h + b，每个源序列只算一次',
    },
  },
  attention_scores: {
    dims: ['batch', 'target_len', 'source_len'],
    meaning: {
      en: 'vᵀ tanh(W_q·s + W_k·h + b): how well each target position matches each source position',
      'zh-cn': 'vᵀ tanh(W_q·s + W_k·h + b)：每个目标位置与每个源位置的匹配程度',
    },
  },
  attention_weights: {
    dims: ['batch', 'target_len', 'source_len'],
    meaning: {
      en: 'softmax of the scores over source positions: where each target position looks; every row sums to 1',
      'zh-cn': '分数在源位置上的 softmax：每个目标位置看向哪里；每行之和为 1',
    },
  },
  context: {
    dims: ['batch', 'target_len', 'hidden'],
    meaning: {
      en: 'attention_weights @ encoder_outputs: what each target position retrieved from the source',
      'zh-cn': 'attention_weights @ encoder_outputs：每个目标位置从源序列取回的内容',
    },
  },
  decoder_output_and_context: {
    dims: ['batch', 'target_len', '2·hidden'],
    meaning: {
      en: '[decoder_output, context] side by side, the input of the output layer',
      'zh-cn': '[decoder_output, context] 拼接在一起，是输出层的输入',
    },
  },
  logits: {
    dims: ['batch', 'target_len', 'vocab_size'],
    meaning: {
      en: 'scores over the target vocabulary; the only tensor that enters the cross-entropy',
      'zh-cn': '目标词表上的分数；唯一进入交叉熵的张量',
    },
  },
  target_ids: {
    dims: ['batch', 'target_len'],
    meaning: {
      en: 'the target tokens followed by <eos>: what each position should predict',
      'zh-cn': '目标词加上 <eos>：每个位置应当预测的词',
    },
  },
};

/** The embedding table and fused GRU weights of one side of a GRU encoder–decoder. */
export const gruWeights = (side: 'encoder' | 'decoder'): Record<string, GlossaryEntry> => ({
  [`${side}/embeddings`]: {
    dims: ['vocab_size', 'embedding'],
    meaning: {
      en: `${side} embedding table: row i is token i’s vector`,
      'zh-cn': `${side === 'encoder' ? '编码器' : '解码器'}嵌入表：第 i 行是第 i 个词的向量`,
    },
  },
  [`${side}/gru/input_kernel`]: {
    dims: ['embedding', '3·hidden'],
    meaning: {
      en: 'GRU input weights of the reset, update and candidate gates, fused into one matrix',
      'zh-cn': 'GRU 输入权重：重置门、更新门与候选状态合并为一个矩阵',
    },
  },
  [`${side}/gru/recurrent_kernel`]: {
    dims: ['hidden', '3·hidden'],
    meaning: { en: 'GRU recurrent weights of the three gates, fused', 'zh-cn': 'GRU 循环权重：三个门合并在一起' },
  },
  [`${side}/gru/bias`]: { dims: ['3·hidden'], meaning: { en: 'GRU input bias', 'zh-cn': 'GRU 输入偏置' } },
  [`${side}/gru/recurrent_bias`]: {
    dims: ['3·hidden'],
    meaning: { en: 'GRU recurrent bias', 'zh-cn': 'GRU 循环偏置' },
  },
});

/** The weights of the seq2seq chapters: both GRUs, the additive attention, the output layer. */
export const SEQ2SEQ_WEIGHTS: Record<string, GlossaryEntry> = {
  ...gruWeights('encoder'),
  ...gruWeights('decoder'),
  'attention/query_kernel': {
    dims: ['hidden', 'attention'],
    meaning: {
      en: 'W_q: projects a decoder state (the query) into the attention space',
      'zh-cn': 'W_q：把解码器状态（查询）投影到注意力空间',
    },
  },
  'attention/key_kernel': {
    dims: ['hidden', 'attention'],
    meaning: {
      en: 'W_k: projects an encoder output (the key) into the attention space',
      'zh-cn': 'W_k：把编码器输出（键）投影到注意力空间',
    },
  },
  'attention/bias': { dims: ['attention'], meaning: { en: 'b of the additive score', 'zh-cn': '加性打分中的 b' } },
  'attention/score_vector': {
    dims: ['attention', '1'],
    meaning: {
      en: 'v: turns tanh(W_q·s + W_k·h + b) into one score',
      'zh-cn': 'v：把 tanh(W_q·s + W_k·h + b) 变成一个分数',
    },
  },
  'output/kernel': {
    dims: ['features', 'vocab_size'],
    meaning: {
      en: 'output layer: decoder features (hidden, or [decoder_output, context] = 2·hidden) → vocabulary scores',
      'zh-cn': '输出层：解码器特征（hidden，或 [decoder_output, context] = 2·hidden）→ 词表分数',
    },
  },
  'output/bias': { dims: ['vocab_size'], meaning: { en: 'output layer bias', 'zh-cn': '输出层偏置' } },
};

const decoderWeight = (en: string, zh: string, dims: string[]): GlossaryEntry => ({
  dims,
  meaning: { en, 'zh-cn': zh },
});

/** A character-level decoder-only Transformer's tensors and weights (mini-gpt; modern-attention starts from them). */
export const CHARACTER_DECODER_GLOSSARY: Record<string, GlossaryEntry> = {
  token_ids: {
    dims: ['batch', 'len'],
    meaning: { en: 'a window of characters as ids', 'zh-cn': '一段字符窗口，以 id 表示' },
  },
  token_embeddings: {
    dims: ['batch', 'len', 'd_model'],
    meaning: { en: 'one learned vector per character', 'zh-cn': '每个字符一个可学习的向量' },
  },
  block_inputs: {
    dims: ['batch', 'len', 'd_model'],
    meaning: {
      en: 'token embedding + position embedding: the residual stream entering the first block',
      'zh-cn': '词元嵌入 + 位置嵌入：进入第一个块的残差流',
    },
  },
  'layer{n}/queries': {
    dims: ['batch', 'heads', 'len', 'd_head'],
    meaning: {
      en: 'Q / √d_head of every head: what each position looks for',
      'zh-cn': '每个头的 Q / √d_head：每个位置在找什么',
    },
  },
  'layer{n}/attention_weights': {
    dims: ['batch', 'heads', 'queries', 'keys'],
    meaning: {
      en: 'causal softmax(Q Kᵀ / √d_head): row i spreads 1 over keys 0..i, later keys get exactly 0',
      'zh-cn': '因果 softmax(Q Kᵀ / √d_head)：第 i 行把 1 分配给键 0..i，之后的键恰好为 0',
    },
  },
  'layer{n}/output': {
    dims: ['batch', 'len', 'd_model'],
    meaning: {
      en: 'the residual stream after block n (attention and FFN added)',
      'zh-cn': '第 n 个块之后的残差流（加上了注意力与前馈网络的输出）',
    },
  },
  final_hidden: {
    dims: ['batch', 'len', 'd_model'],
    meaning: { en: 'the last layer norm of the stream', 'zh-cn': '残差流经过最后一次层归一化' },
  },
  logits: {
    dims: ['batch', 'len', 'vocab_size'],
    meaning: {
      en: 'scores of the next character at every position',
      'zh-cn': '每个位置上“下一个字符”的分数',
    },
  },
  target_ids: {
    dims: ['batch', 'len'],
    meaning: {
      en: 'the next character: the window shifted by one',
      'zh-cn': '下一个字符：窗口向后移一位',
    },
  },
  embeddings: {
    dims: ['vocab_size', 'd_model'],
    meaning: {
      en: 'token embedding table; with tied weights also the output layer (transposed)',
      'zh-cn': '词元嵌入表；权重共享时它（转置后）也是输出层',
    },
  },
  'positions/position_embeddings': {
    dims: ['context', 'd_model'],
    meaning: { en: 'one learned vector per position', 'zh-cn': '每个位置一个可学习的向量' },
  },
  'layer{n}/ln1/gain': decoderWeight('layer norm before attention: scale', '注意力前的层归一化：缩放', ['d_model']),
  'layer{n}/ln1/bias': decoderWeight('layer norm before attention: shift', '注意力前的层归一化：平移', ['d_model']),
  'layer{n}/ln2/gain': decoderWeight('layer norm before the FFN: scale', '前馈网络前的层归一化：缩放', ['d_model']),
  'layer{n}/ln2/bias': decoderWeight('layer norm before the FFN: shift', '前馈网络前的层归一化：平移', ['d_model']),
  'layer{n}/attention/qkv_kernel': decoderWeight(
    'W_q, W_k, W_v of all heads side by side: one matmul makes Q, K and V',
    '所有头的 W_q、W_k、W_v 并排：一次矩阵乘法得到 Q、K、V',
    ['d_model', '3·d_model'],
  ),
  'layer{n}/attention/qkv_bias': decoderWeight('biases of Q, K and V', 'Q、K、V 的偏置', ['3·d_model']),
  'layer{n}/attention/output_kernel': decoderWeight('W_O: merges the heads', 'W_O：合并各个头', ['d_model', 'd_model']),
  'layer{n}/attention/output_bias': decoderWeight('bias of W_O', 'W_O 的偏置', ['d_model']),
  'layer{n}/ffn/hidden_kernel': decoderWeight('FFN W₁ (then GELU)', '前馈网络 W₁（之后是 GELU）', ['d_model', 'd_ff']),
  'layer{n}/ffn/hidden_bias': decoderWeight('FFN b₁', '前馈网络 b₁', ['d_ff']),
  'layer{n}/ffn/output_kernel': decoderWeight('FFN W₂', '前馈网络 W₂', ['d_ff', 'd_model']),
  'layer{n}/ffn/output_bias': decoderWeight('FFN b₂', '前馈网络 b₂', ['d_model']),
  'final_ln/gain': decoderWeight('final layer norm: scale', '最后的层归一化：缩放', ['d_model']),
  'final_ln/bias': decoderWeight('final layer norm: shift', '最后的层归一化：平移', ['d_model']),
  'head/kernel': decoderWeight(
    'output layer (untied weights only): stream → scores of the next character',
    '输出层（仅在不共享权重时）：残差流 → 下一个字符的分数',
    ['d_model', 'vocab_size'],
  ),
};
