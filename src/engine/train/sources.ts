/**
 * The line of a chapter's source that creates each named tensor or weight, for the shape table's
 * links to the code. Found by scanning the chapter folder's files for the quoted name (models
 * name tensors where they create them, `tape('encoder_outputs', …)`, and weights where they
 * declare them, `parameters.glorot('output/kernel', …)` or a prefix such as `'encoder/gru'`
 * passed to a building block). The sources are read from `src/engine/chapters/<id>/` when run
 * from the repository, or from the copy the build puts beside the bundle (`dist/sources/`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceLine } from '../../shared/run/records';

/** Where a chapter's source files are, or null when they are not shipped. */
export function chapterSourceDir(chapter: string): string | null {
  const candidates = [
    path.join(__dirname, '..', 'chapters', chapter), // from source: src/engine/train → src/engine/chapters
    path.join(__dirname, 'sources', 'src', 'engine', 'chapters', chapter), // bundle: dist/engine.js
    path.join(__dirname, '..', 'src', 'engine', 'chapters', chapter), // bundle run inside the repository
  ];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'model.ts'))) ?? null;
}

const cache = new Map<string, { file: string; lines: string[] }[]>();

function sourceFiles(chapter: string): { file: string; lines: string[] }[] {
  const cached = cache.get(chapter);
  if (cached) return cached;
  const dir = chapterSourceDir(chapter);
  const files: { file: string; lines: string[] }[] = [];
  if (dir) {
    // model.ts first: it creates the tensors; then the others of the folder (not info.ts: it only describes them).
    const names = fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.ts') && name !== 'info.ts')
      .sort((a, b) => (a === 'model.ts' ? -1 : b === 'model.ts' ? 1 : a.localeCompare(b)));
    for (const name of names) {
      const lines = fs.readFileSync(path.join(dir, name), 'utf8').split('\n');
      files.push({ file: `src/engine/chapters/${chapter}/${name}`, lines });
    }
  }
  cache.set(chapter, files);
  return files;
}

/**
 * A pattern matching `name` as code writes it: quoted as it is, or in a template literal where a
 * number of the name (a layer) is an expression (`layer${n}/queries` for `layer2/queries`).
 */
export function namePattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const withNumbers = escaped.replace(/\d+/g, '(?:\\d+|\\$\\{[^}]*\\})');
  return new RegExp(`['"\`]${withNumbers}(?=['"\`/$])`);
}

/** Names to look for: the name itself, then (weights) its prefixes at `/` boundaries, longest first. */
export function candidates(name: string): string[] {
  const parts = name.split('/');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/'));
}

/** What the first line of a statement that creates a tensor or declares a weight looks like. */
export const CREATES = /tape\(|parameters\.\w+\(|create\w*\(|\bconst \w+ = |\blet \w+ = /;
/** A comment line (JSDoc or `//`): it may name a tensor, but it never creates one. */
const COMMENT = /^\s*(\/\/|\/\*|\*)/;
/** How far above the mentioning line the statement may start (a call the formatter wrapped). */
export const STATEMENT_LINES = 3;

/**
 * The line of `chapter`'s sources that creates `name` — the start of the statement whose text
 * quotes it — or undefined when none mentions it.
 */
export function sourceLineOf(chapter: string, name: string): SourceLine | undefined {
  for (const candidate of candidates(name)) {
    const pattern = namePattern(candidate);
    for (const { file, lines } of sourceFiles(chapter)) {
      const index = lines.findIndex((line) => !COMMENT.test(line) && pattern.test(line));
      if (index === -1) continue;
      let start = index;
      while (start > 0 && index - start < STATEMENT_LINES && !CREATES.test(lines[start])) start--;
      return { file, line: (CREATES.test(lines[start]) ? start : index) + 1 };
    }
  }
  return undefined;
}
