import type { TrainableChapter } from '../types';
import { attentionSeq2SeqInfo } from './contract';
import { createAttentionSeq2SeqModel } from './model';

export const attentionSeq2SeqChapter: TrainableChapter = {
  info: attentionSeq2SeqInfo,
  defaults: {
    task: 'dates',
    epochs: 10,
    batchSize: 64,
    learningRate: 0.01,
    hiddenSize: 64,
    embeddingSize: 32,
    attentionSize: 32,
    clipNorm: 5,
  },
  createModel: createAttentionSeq2SeqModel,
};
