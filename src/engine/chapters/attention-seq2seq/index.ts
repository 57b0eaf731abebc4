/** Chapter attention-seq2seq: its info, its model, the seq2seq kit's data, Adam. */
import type { Chapter } from '../contract';
import { seq2seqData } from '../../kits/seq2seq/data';
import { adamOptimizer } from '../../train/optimizers';
import { info } from './info';
import { createAttentionSeq2SeqModel } from './model';

export const chapter: Chapter = {
  info,
  prepare: seq2seqData,
  createModel: createAttentionSeq2SeqModel,
  createOptimizer: (hyper) => adamOptimizer(Number(hyper.learningRate)),
};
