/**
 * The shape table's code links: a validated `{ file, line }` from the webview is mapped to one of
 * the chapters' own source files, and nothing else. `file` must read
 * `src/engine/chapters/<chapter>/<name>.ts` with a chapter of the course; the file is looked up, by
 * listing that chapter's folder (never by joining the request into a path), first in the
 * workspace folders (a checkout of the repository), then next to the extension's own sources
 * (the extension run from the repository), then in the read-only copy the build ships in
 * `dist/sources/`. A symbolic link, a folder outside its root or a missing file is refused.
 * No vscode import: labPanel.ts opens what this returns.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isChapterId } from '../shared/ids';
import type { Parsed } from '../shared/schema';

export interface SourceRoots {
  /** Workspace folders (file system paths). */
  workspaceFolders: readonly string[];
  /** The extension's folder (`context.extensionPath`). */
  extensionPath: string;
}

export interface ResolvedSource {
  /** The absolute path of the chapter source file. */
  path: string;
  /** 1-based, within the file. */
  line: number;
  /** True for the copy shipped in `dist/sources/` (opened read-only). */
  readOnly: boolean;
}

const FILE = /^src\/engine\/chapters\/([a-z0-9-]+)\/([A-Za-z0-9_-]+\.ts)$/;

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** The folders that may hold `src/engine/chapters/`, in the order they are tried. */
export function sourceRootsInOrder(roots: SourceRoots): { dir: string; readOnly: boolean }[] {
  return [
    ...roots.workspaceFolders.map((dir) => ({ dir, readOnly: false })),
    { dir: roots.extensionPath, readOnly: false },
    { dir: path.join(roots.extensionPath, 'dist', 'sources'), readOnly: true },
  ];
}

function realInside(root: string, candidate: string): boolean {
  try {
    const realRoot = fs.realpathSync(root);
    const real = fs.realpathSync(candidate);
    const relative = path.relative(realRoot, real);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  } catch {
    return false;
  }
}

/** Maps a requested source line to a known chapter file; refused with a one-line reason otherwise. */
export function resolveChapterSource(
  request: { file: string; line: number },
  roots: SourceRoots,
): Parsed<ResolvedSource> {
  const match = FILE.exec(request.file);
  if (!match) return refuse('openSource: not a chapter source file');
  const [, chapter, name] = match;
  if (!isChapterId(chapter)) return refuse('openSource: not a chapter of the course');
  if (!Number.isSafeInteger(request.line) || request.line < 1) return refuse('openSource: the line must be ≥ 1');
  for (const root of sourceRootsInOrder(roots)) {
    const dir = path.join(root.dir, 'src', 'engine', 'chapters', chapter);
    let names: string[];
    try {
      if (fs.lstatSync(dir).isSymbolicLink()) continue;
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    const known = names.find((candidate) => candidate === name);
    if (known === undefined) continue;
    const file = path.join(dir, known);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      continue;
    }
    if (!stat.isFile() || !realInside(root.dir, file)) continue;
    let lines: number;
    try {
      lines = fs.readFileSync(file, 'utf8').split('\n').length;
    } catch {
      continue;
    }
    return { ok: true, value: { path: file, line: Math.min(request.line, lines), readOnly: root.readOnly } };
  }
  return refuse('openSource: no such chapter source file in the workspace or the extension');
}
