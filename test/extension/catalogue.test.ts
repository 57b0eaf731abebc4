/**
 * The course catalogue the host reads (src/shared/course/catalogue.ts) lists every chapter in the
 * course's order, and a chapter is trainable exactly when the engine has a folder for it. The
 * folder list is read with fs (the host never imports the engine), and the catalogue is checked
 * both from source and as esbuild bundles it into dist/extension.js (a glob over the info files).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { CHAPTERS, trainableChapters } from '../../src/shared/course/catalogue';
import type { ChapterInfo } from '../../src/shared/course/chapter';
import { chapterInfoProblems } from '../../src/shared/course/hyperparameters';
import { CHAPTER_IDS } from '../../src/shared/ids';

const root = path.join(__dirname, '..', '..');

/** The engine's chapter folders: `src/engine/chapters/<id>/`. */
function engineChapterFolders(): string[] {
  const dir = path.join(root, 'src', 'engine', 'chapters');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function checkCatalogue(chapters: readonly ChapterInfo[], where: string): void {
  assert.deepEqual(
    chapters.map((chapter) => chapter.id),
    [...CHAPTER_IDS],
    `${where}: every chapter, in the course's order`,
  );
  const folders = engineChapterFolders();
  assert.ok(folders.length >= 2, 'the engine has chapter folders');
  for (const folder of folders)
    assert.ok((CHAPTER_IDS as readonly string[]).includes(folder), `${folder} is a chapter id`);
  assert.deepEqual(
    chapters
      .filter((chapter) => chapter.trainable)
      .map((chapter) => chapter.id)
      .sort(),
    folders,
    `${where}: trainable exactly when src/engine/chapters/<id>/ exists`,
  );
}

describe('course catalogue', () => {
  it('lists the chapters in order, trainable exactly for the engine’s chapter folders (from source)', () => {
    checkCatalogue(CHAPTERS, 'source');
    assert.deepEqual(
      trainableChapters().map((chapter) => chapter.id),
      CHAPTERS.filter((chapter) => chapter.trainable).map((chapter) => chapter.id),
    );
  });

  it('gives every trainable chapter what the host needs: tasks, variants, a primary metric, both languages', () => {
    for (const chapter of trainableChapters()) {
      assert.deepEqual(chapterInfoProblems(chapter), [], chapter.id);
      assert.ok(chapter.tasks.length > 0 && chapter.variants.length > 0, chapter.id);
      assert.ok(
        chapter.metrics.some((metric) => metric.key === chapter.primaryMetric),
        chapter.id,
      );
      for (const text of [chapter.title, chapter.summary, ...chapter.tasks.flatMap((t) => [t.title, t.description])]) {
        assert.ok(text.en.trim() && text['zh-cn'].trim(), `${chapter.id}: ${text.en}`);
      }
    }
  });

  it('is the same once bundled the way dist/extension.js bundles it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-catalogue-'));
    try {
      const outfile = path.join(dir, 'catalogue.js');
      await esbuild.build({
        entryPoints: [path.join(root, 'src/shared/course/catalogue.ts')],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        logLevel: 'silent',
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const bundled = require(outfile) as { CHAPTERS: readonly ChapterInfo[] };
      checkCatalogue(bundled.CHAPTERS, 'bundle');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
