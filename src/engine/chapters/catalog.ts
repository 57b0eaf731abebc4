/**
 * Every chapter of the course, in order, as plain data (no TensorFlow import: the extension
 * reads this too).
 */
import { CHAPTER_IDS, type ChapterId, type ChapterInfo } from '../../protocol/run';
import { attentionSeq2SeqInfo } from './attention-seq2seq/contract';
import { seq2seqInfo } from './seq2seq/contract';
import { upcomingChapters } from './upcoming';

export const CHAPTERS: ChapterInfo[] = [seq2seqInfo, attentionSeq2SeqInfo, ...upcomingChapters].sort(
  (a, b) => CHAPTER_IDS.indexOf(a.id) - CHAPTER_IDS.indexOf(b.id),
);

export function isChapterId(x: string): x is ChapterId {
  return (CHAPTER_IDS as readonly string[]).includes(x);
}

export function chapterInfo(id: ChapterId): ChapterInfo {
  const info = CHAPTERS.find((chapter) => chapter.id === id);
  if (!info) throw new Error(`unknown chapter ${id}`);
  return info;
}
