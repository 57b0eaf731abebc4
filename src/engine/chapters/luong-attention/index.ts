/** Chapter luong-attention: its info, its model, the seq2seq kit's data, Adam. */
import type { Chapter } from '../contract';
import { seq2seqData } from '../../kits/seq2seq/data';
import { adamOptimizer } from '../../train/optimizers';
import { info } from './info';
import { createLuongAttentionModel } from './model';

export const chapter: Chapter = {
  info,
  prepare: seq2seqData,
  createModel: createLuongAttentionModel,
  createOptimizer: (hyper) => adamOptimizer(Number(hyper.learningRate)),
};
