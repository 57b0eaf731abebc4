/**
 * The trainable chapters, found by folder: `./<id>/index.ts` exports `chapter`. The require is a
 * glob for esbuild and a plain require from source, so adding a chapter folder edits nothing here.
 */
import { chapterInfo } from '../../shared/course/catalogue';
import type { ChapterId } from '../../shared/ids';
import type { Chapter } from './contract';

const loaded = new Map<ChapterId, Chapter | null>();

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return code === 'MODULE_NOT_FOUND' || message.startsWith('Module not found in bundle');
}

/** The chapter's engine module, or null when this version cannot train it. */
export function trainableChapter(id: ChapterId): Chapter | null {
  if (loaded.has(id)) return loaded.get(id) ?? null;
  let chapter: Chapter | null = null;
  if (chapterInfo(id).trainable) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = require(`./${id}/index.ts`) as { chapter?: Chapter };
      if (!module.chapter || module.chapter.info.id !== id)
        throw new Error(`src/engine/chapters/${id}/index.ts must export its chapter`);
      chapter = module.chapter;
    } catch (error) {
      if (!isModuleNotFound(error)) throw error;
    }
  }
  loaded.set(id, chapter);
  return chapter;
}
