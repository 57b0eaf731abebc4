import type { TrainableChapter } from '../types';
import { seq2seqInfo } from './contract';
import { createSeq2SeqModel } from './model';

export const seq2seqChapter: TrainableChapter = {
  info: seq2seqInfo,
  defaults: {
    task: 'dates',
    epochs: 10,
    batchSize: 64,
    learningRate: 0.01,
    hiddenSize: 128,
    embeddingSize: 32,
    attentionSize: 0,
    clipNorm: 5,
  },
  createModel: createSeq2SeqModel,
};
