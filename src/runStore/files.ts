/**
 * File access for run folders: one-line descriptions of file-system errors, atomic whole-file
 * writes, and reads that refuse what a run never contains (symbolic links, invalid UTF-8), so a
 * damaged or tampered folder is reported, never silently used. Node only.
 */
import * as fs from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import * as path from 'node:path';

/** A runs directory (or a file in it) cannot be created, written or read. The message is one line. */
export class RunStoreError extends Error {
  override readonly name = 'RunStoreError';
  constructor(
    message: string,
    /** The directory or file concerned, when there is one. */
    readonly dir?: string,
    /** The Node error code (`EACCES`, `ENOTDIR`…), when there is one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The run folder `dir` cannot be read as a run; `reason` says why, in one line. */
export class DamagedRunError extends Error {
  override readonly name = 'DamagedRunError';
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`${dir}: ${reason}`);
  }
}

const CODE_EXPLANATIONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'exists and is not a folder',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'a symbolic link where a file was expected',
  EISDIR: 'is a folder, not a file',
};

export function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `EACCES (permission denied)`, or the first line of the error's message. */
export function describeFsError(error: unknown): string {
  const code = errorCode(error);
  if (code) {
    const explanation = CODE_EXPLANATIONS[code];
    return explanation ? `${code} (${explanation})` : code;
  }
  return oneLine(error instanceof Error ? error.message : String(error));
}

/** Whitespace collapsed, cut to `limit` characters: safe to print on one line. */
export function oneLine(text: string, limit = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

let temporaryCounter = 0;

/** A temporary name beside `file` that listings ignore (`isHiddenOrTemporary`). */
export function temporaryNameFor(file: string): string {
  temporaryCounter += 1;
  return `${file}.tmp-${process.pid}-${temporaryCounter}`;
}

/**
 * Writes `data` to a temporary name beside `file`, flushes it, then renames it over `file`, so a
 * reader sees the old file or the new one, never half of one.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temporary = temporaryNameFor(file);
  try {
    const handle = fs.openSync(temporary, 'w');
    try {
      fs.writeFileSync(handle, data);
      fs.fsyncSync(handle);
    } finally {
      fs.closeSync(handle);
    }
    fs.renameSync(temporary, file);
  } catch (error) {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // Best effort: the original error is what matters.
    }
    throw error;
  }
}

/**
 * `data` as pretty-printed JSON with a trailing newline, written atomically. JSON has no NaN or
 * Infinity: `JSON.stringify` writes them as `null`, which readers turn back into NaN.
 */
export function writeJsonAtomic(file: string, data: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
}

export type FileRead = { kind: 'missing' } | { kind: 'bad'; problem: string } | { kind: 'ok'; bytes: Buffer };

/**
 * The largest file a reader loads (bounded work on a damaged or hostile folder): far above the
 * biggest checkpoint the chapters' ranges allow (tens of MB) and any snapshot.
 */
export const MAX_RUN_FILE_BYTES = 512 * 1024 * 1024;

/** The folders of a run that hold files (`model/<checkpoint>/` below `model/`), for `findSymlink`. */
const RUN_SUBFOLDERS = new Set(['attention', 'samples', 'model']);

/**
 * The first symbolic link in the run folder `runDir` (the folder itself, its files, its
 * sub-folders and theirs, two levels down), as a path relative to it (`.` for the folder itself),
 * or null. A run never contains one: a link could make a reader use files outside the run.
 */
export async function findSymlink(runDir: string): Promise<string | null> {
  try {
    if ((await lstat(runDir)).isSymbolicLink()) return '.';
  } catch {
    return null; // a missing folder is reported by the caller
  }
  const scan = async (relative: string, depth: number): Promise<string | null> => {
    let entries: fs.Dirent[];
    try {
      entries = await readdir(path.join(runDir, relative), { withFileTypes: true });
    } catch {
      return null; // unreadable folders are reported by the reads that need them
    }
    const name = (entry: fs.Dirent) => (relative === '' ? entry.name : `${relative}/${entry.name}`);
    const link = entries.find((entry) => entry.isSymbolicLink());
    if (link) return name(link);
    const folders = entries.filter(
      (entry) => entry.isDirectory() && depth < 2 && (depth > 0 || RUN_SUBFOLDERS.has(entry.name)),
    );
    const found = await Promise.all(folders.map((entry) => scan(name(entry), depth + 1)));
    return found.find((child) => child !== null) ?? null;
  };
  return scan('', 0);
}

/**
 * Reads `<runDir>/<relative>` as bytes, refusing a symbolic link anywhere below `runDir` (a run
 * never contains one: a link could point at files outside the run). `problem` reads after the
 * file's name.
 */
export async function readRunFile(runDir: string, relative: string): Promise<FileRead> {
  const parts = relative.split('/');
  let current = runDir;
  for (let index = 0; index < parts.length; index++) {
    current = path.join(current, parts[index]);
    try {
      const stats = await lstat(current);
      if (stats.isSymbolicLink()) {
        const where = parts.slice(0, index + 1).join('/');
        return {
          kind: 'bad',
          problem: where === relative ? 'is a symbolic link' : `is inside ${where}/, a symbolic link`,
        };
      }
      if (index === parts.length - 1 && stats.isDirectory()) return { kind: 'bad', problem: 'is a folder, not a file' };
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
      return { kind: 'bad', problem: `cannot be read (${describeFsError(error)})` };
    }
  }
  try {
    const handle = await open(current, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      const { size } = await handle.stat();
      if (size > MAX_RUN_FILE_BYTES) {
        return { kind: 'bad', problem: `is too large (${size} bytes; a run file holds at most ${MAX_RUN_FILE_BYTES})` };
      }
      return { kind: 'ok', bytes: await handle.readFile() };
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'bad', problem: `cannot be read (${describeFsError(error)})` };
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export type TextRead = { kind: 'missing' } | { kind: 'bad'; problem: string } | { kind: 'ok'; text: string };

/** A run file as UTF-8 text (BOM dropped); invalid UTF-8 is a problem, never replaced. */
export async function readRunText(runDir: string, relative: string): Promise<TextRead> {
  const read = await readRunFile(runDir, relative);
  if (read.kind !== 'ok') return read;
  let text: string;
  try {
    text = UTF8.decode(read.bytes);
  } catch {
    return { kind: 'bad', problem: 'is not valid UTF-8 text' };
  }
  return { kind: 'ok', text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

export type JsonRead = { kind: 'missing' } | { kind: 'bad'; problem: string } | { kind: 'ok'; value: unknown };

/** A run file as JSON: `is missing`, `is empty`, `is not valid JSON (…)`, or the value. */
export async function readRunJson(runDir: string, relative: string): Promise<JsonRead> {
  const read = await readRunText(runDir, relative);
  if (read.kind !== 'ok') return read;
  if (read.text.trim() === '') return { kind: 'bad', problem: 'is empty' };
  try {
    return { kind: 'ok', value: JSON.parse(read.text) };
  } catch (error) {
    return {
      kind: 'bad',
      problem: `is not valid JSON (${oneLine(error instanceof Error ? error.message : String(error), 80)})`,
    };
  }
}
