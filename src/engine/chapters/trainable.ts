/** The chapters the engine can train, by id. */
import type { ChapterId } from '../../protocol/run';
import { attentionSeq2SeqChapter } from './attention-seq2seq/chapter';
import { seq2seqChapter } from './seq2seq/chapter';
import type { TrainableChapter } from './types';

const TRAINABLE: Partial<Record<ChapterId, TrainableChapter>> = {
  seq2seq: seq2seqChapter,
  'attention-seq2seq': attentionSeq2SeqChapter,
};

export function trainableChapter(id: ChapterId): TrainableChapter | null {
  return TRAINABLE[id] ?? null;
}
