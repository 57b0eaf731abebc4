/**
 * The course catalogue: every chapter in teaching order, read from the chapters' own `info.ts`
 * files (`src/engine/chapters/<id>/info.ts`, plain data, no TensorFlow). The require below is
 * resolved by esbuild as a glob over those files, and by Node when run from source, so adding a
 * chapter folder adds it here without editing this file. A chapter without a folder yet is listed
 * from `upcoming.ts` with what it will teach.
 */
import { CHAPTER_IDS, type ChapterId } from '../ids';
import { parseWith } from '../schema';
import { ChapterInfoSchema, type ChapterInfo } from './chapter';
import { upcomingChapter } from './upcoming';

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return code === 'MODULE_NOT_FOUND' || message.startsWith('Module not found in bundle');
}

function loadInfo(id: ChapterId): ChapterInfo | null {
  let loaded: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(`../../engine/chapters/${id}/info.ts`);
  } catch (error) {
    if (isModuleNotFound(error)) return null;
    throw error;
  }
  const parsed = parseWith(ChapterInfoSchema, (loaded as { info?: unknown }).info, `src/engine/chapters/${id}/info.ts`);
  if (!parsed.ok) throw new Error(parsed.reason);
  if (parsed.value.id !== id) throw new Error(`src/engine/chapters/${id}/info.ts declares id ${parsed.value.id}`);
  return parsed.value;
}

export const CHAPTERS: readonly ChapterInfo[] = CHAPTER_IDS.map((id) => loadInfo(id) ?? upcomingChapter(id));

export function chapterInfo(id: ChapterId): ChapterInfo {
  const info = CHAPTERS.find((chapter) => chapter.id === id);
  if (!info) throw new Error(`unknown chapter ${id}`);
  return info;
}

export function trainableChapters(): ChapterInfo[] {
  return CHAPTERS.filter((chapter) => chapter.trainable);
}

/**
 * The other chapter whose default run joins `info`'s comparison on `task` (`comparison.withChapter`),
 * or null: none declared, not trainable, or without that task. The engine trains it after the
 * variants (src/engine/train/variants.ts); the extension waits for it in the comparison.
 */
export function comparisonCompanion(info: ChapterInfo, task: string): ChapterId | null {
  const declared = info.comparison?.withChapter;
  if (!declared) return null;
  const other = chapterInfo(declared.chapter);
  return other.trainable && other.tasks.some((candidate) => candidate.id === task) ? other.id : null;
}
