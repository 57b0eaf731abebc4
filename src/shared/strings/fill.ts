/**
 * The lab panel's strings for masked language models (chapter bert-mlm): fill-in and the selection
 * histogram, in English and Simplified Chinese. Spread into the webview's tables
 * (src/shared/strings/webview.ts), so they travel in `init.strings` like every other label.
 */
export const FILL_STRINGS_EN = {
  fillTitle: 'Fill in the blanks',
  fillIntro:
    'Type a sentence, then click words (or focus one and press Enter or Space) to mask them; you can also type [MASK]. The model guesses each masked word from the words on both sides.',
  fillLabel: 'Sentence',
  fillPlaceholder: 'the capital of the country is the largest city',
  fillWordsLabel: 'Words the model reads: click one to mask it',
  fillWordMask: 'Mask “{word}”',
  fillWordUnmask: 'Unmask (was “{word}”)',
  fillTypedMask: 'typed [MASK]',
  fillButton: 'Fill in',
  fillPending: 'Asking the model…',
  fillEmpty: 'Type a sentence first.',
  fillNoMask: 'Click a word (or type [MASK]) to choose what the model should guess.',
  fillTooLong: 'The sentence is longer than {max} characters.',
  fillNoRun: 'Fill-in needs a readable run with a saved model.',
  fillWaitFirstEvaluation:
    'Fill-in opens when the first evaluation ends: while training, it uses the weights saved at the latest evaluation.',
  fillLiveEvaluation: 'Training is running: guesses use the weights saved at evaluation {evaluation}.',
  fillAnswerFor: 'Guesses for: {text}',
  fillUnknown: 'Read as <unk>: {tokens}',
  fillMaskHeading: 'Mask {index} of {count} (position {position})',
  fillMaskWas: 'Mask {index} of {count} (position {position}, was “{word}”)',
  fillPredictionsTitle: 'Top guesses',
  fillOthers: 'all other words',
  fillProbabilityAria: '{token}: probability {probability}',
  fillShownSum: 'Listed guesses and all other words together: {sum}',
  fillAttentionTitle: 'Where the masked position looks, by layer and head (each row sums to 1)',
  fillLayerHead: 'layer {layer} · head {head}',
  fillRowSum: 'sum',
  fillCell: '{layerHead}: “{token}” {weight}',
  fillMaskColumn: 'the masked position itself',

  selectionTitle: 'Masking on the training batches',
  selectionIntro:
    'Measured on the batches actually trained on since the previous evaluation: of the selected words, how many became [MASK], a random word, or stayed as they were.',
  selectionEmpty: 'The histogram appears when the first evaluation ends.',
  selectionSummary: 'Evaluation {evaluation}: {selected} of {tokens} tokens selected ({share}; declared {declared}).',
  selectionMasked: '→ [MASK]',
  selectionRandomised: '→ a random word',
  selectionKept: '→ unchanged',
  selectionBar: '{label}: {count} ({share} of the selected; declared {expected})',
  selectionAria: 'Bar chart “{title}”: {values}',
} as const;

export type FillStringKey = keyof typeof FILL_STRINGS_EN;

export const FILL_STRINGS_ZH_CN: Record<FillStringKey, string> = {
  fillTitle: '完形填空',
  fillIntro:
    '输入一句话，然后点击词语（或选中后按 Enter 或空格）将其遮盖；也可以直接输入 [MASK]。模型根据两侧的词猜出每个被遮盖的词。',
  fillLabel: '句子',
  fillPlaceholder: '床前明月光，疑是地上霜',
  fillWordsLabel: '模型读到的词：点击一个词将其遮盖',
  fillWordMask: '遮盖“{word}”',
  fillWordUnmask: '取消遮盖（原为“{word}”）',
  fillTypedMask: '输入的 [MASK]',
  fillButton: '填空',
  fillPending: '正在询问模型…',
  fillEmpty: '请先输入一句话。',
  fillNoMask: '点击一个词（或输入 [MASK]），选择要让模型猜的位置。',
  fillTooLong: '句子超过了 {max} 个字符。',
  fillNoRun: '完形填空需要一个可读取且已保存模型的运行。',
  fillWaitFirstEvaluation: '第一次评估结束后即可使用完形填空：训练期间，它使用最近一次评估时保存的权重。',
  fillLiveEvaluation: '正在训练：猜测使用第 {evaluation} 次评估时保存的权重。',
  fillAnswerFor: '猜测对象：{text}',
  fillUnknown: '按 <unk> 读取：{tokens}',
  fillMaskHeading: '第 {index}/{count} 个掩码（位置 {position}）',
  fillMaskWas: '第 {index}/{count} 个掩码（位置 {position}，原为“{word}”）',
  fillPredictionsTitle: '最可能的词',
  fillOthers: '其他所有词',
  fillProbabilityAria: '{token}：概率 {probability}',
  fillShownSum: '列出的词与其他所有词合计：{sum}',
  fillAttentionTitle: '被遮盖的位置看向哪里，按层和头（每行之和为 1）',
  fillLayerHead: '第 {layer} 层 · 第 {head} 个头',
  fillRowSum: '合计',
  fillCell: '{layerHead}：“{token}” {weight}',
  fillMaskColumn: '被遮盖的位置本身',

  selectionTitle: '训练批次上的遮盖情况',
  selectionIntro: '在上次评估以来实际训练的批次上测量：被选中的词中，有多少换成了 [MASK]、换成了随机词，或保持不变。',
  selectionEmpty: '第一次评估结束后显示直方图。',
  selectionSummary: '第 {evaluation} 次评估：{tokens} 个词元中选中 {selected} 个（{share}；声明为 {declared}）。',
  selectionMasked: '→ [MASK]',
  selectionRandomised: '→ 随机词',
  selectionKept: '→ 保持不变',
  selectionBar: '{label}：{count}（占被选中的 {share}；声明为 {expected}）',
  selectionAria: '柱状图“{title}”：{values}',
};
