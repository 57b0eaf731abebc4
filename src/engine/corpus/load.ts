/**
 * Loading a text corpus: a built-in one (`en`, `zh`: the files in the package's `corpora/` folder,
 * see corpora/README.md), a text file, or the text files of a folder. Synchronous, like the run
 * store: it runs in the engine process before training. Reading a corpus never writes anything.
 *
 * What is read is checked, and each problem is a CorpusError with a one-line message naming the
 * file: not found, not a file, too large (MAX_CORPUS_BYTES), binary (NUL bytes or many control
 * characters), not valid UTF-8, empty after trimming whitespace, a folder with no text files.
 * The text returned is the file's, with a leading BOM removed and CRLF / CR line ends made LF;
 * `bytes` and `sha256` are those of that text in UTF-8 (for the built-ins, the file's own).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeFsError } from '../../runStore/files';

export const BUILTIN_CORPORA = ['en', 'zh'] as const;
export type BuiltinCorpus = (typeof BUILTIN_CORPORA)[number];

/** What to load: a built-in corpus, or a path (a folder is read as a folder, anything else as a file). */
export type CorpusSpec = BuiltinCorpus | string | { file: string } | { folder: string };

export type CorpusSource =
  | { kind: 'builtin'; id: BuiltinCorpus; path: string }
  | { kind: 'file'; path: string }
  /** `files`: the text files read, relative to `path` with `/` separators, in the order concatenated. */
  | { kind: 'folder'; path: string; files: string[] };

export interface Corpus {
  /** `en` / `zh` for the built-ins, else the file's or folder's base name. */
  name: string;
  text: string;
  /** UTF-8 length of `text`. */
  bytes: number;
  /** SHA-256 of `text` in UTF-8, lower-case hex. */
  sha256: string;
  source: CorpusSource;
}

export interface LoadCorpusOptions {
  /** Largest file (or folder total) read, in bytes of the files on disk. Default MAX_CORPUS_BYTES. */
  maxBytes?: number;
  /** Where the built-in corpora are; default findCorporaDir(). */
  corporaDir?: string;
}

/** 20 MB: far more than a model trained on a CPU in front of a learner can use. */
export const MAX_CORPUS_BYTES = 20 * 1024 * 1024;
/** A folder's text files: these extensions (any case), in the folder and up to this many levels of subfolders. */
export const FOLDER_TEXT_EXTENSIONS = ['.txt', '.md'] as const;
export const FOLDER_MAX_DEPTH = 2;
/** Put between the texts of a folder's files (each with its trailing whitespace removed). */
export const FOLDER_SEPARATOR = '\n\n';
/** More than this share of control characters (other than tab, LF, CR, FF) means binary. */
export const MAX_CONTROL_SHARE = 0.1;

/** A corpus cannot be loaded. The message is one line and names the file or folder. */
export class CorpusError extends Error {
  override readonly name = 'CorpusError';
  constructor(
    message: string,
    /** The file or folder concerned. */
    readonly path?: string,
    /** The Node error code (`ENOENT`, `EACCES`…), when there is one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A path as shown in a message: control characters escaped, so the message stays one line. */
function shown(p: string): string {
  return p.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `812 bytes`, `37 KB`, `4.2 MB`, `25 MB`. */
function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KB'] : [bytes / (1024 * 1024), 'MB'];
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${unit}`;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function cannotRead(p: string, error: unknown): CorpusError {
  return new CorpusError(`cannot read corpus ${shown(p)}: ${describeFsError(error)}`, p, errorCode(error));
}

/**
 * Where the built-in corpora are: `corpora/` beside the package root, found from the engine bundle
 * (`dist/engine.js` → `dist/../corpora`) or from the sources when run with tsx
 * (`src/engine/corpus/` → `../../../corpora`). Mirrors findWasmDir in backend.ts.
 */
export function findCorporaDir(): string | null {
  const candidates = [
    path.join(__dirname, '..', 'corpora'),
    path.join(__dirname, 'corpora'),
    path.join(__dirname, '..', '..', 'corpora'),
    path.join(__dirname, '..', '..', '..', 'corpora'),
  ];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'en.txt'))) ?? null;
}

/** The count of bytes that are control characters other than tab, LF, CR and FF; -1 if there is a NUL. */
function controlBytes(buffer: Buffer): number {
  let count = 0;
  for (const byte of buffer) {
    if (byte === 0) return -1;
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) || byte === 0x7f) count++;
  }
  return count;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes → text: refuses binary and invalid UTF-8; strips a BOM; CRLF and lone CR become LF. */
function decode(buffer: Buffer, file: string): string {
  if (
    buffer.length >= 2 &&
    ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff))
  ) {
    throw new CorpusError(`corpus is not valid UTF-8: ${shown(file)} is UTF-16 (save it as UTF-8)`, file);
  }
  const control = controlBytes(buffer);
  if (control < 0)
    throw new CorpusError(`corpus is not text: ${shown(file)} contains NUL bytes (a binary file?)`, file);
  if (buffer.length > 0 && control / buffer.length > MAX_CONTROL_SHARE) {
    const percent = Math.round((100 * control) / buffer.length);
    throw new CorpusError(
      `corpus is not text: ${percent}% of ${shown(file)} is control characters (a binary file?)`,
      file,
    );
  }
  let text: string;
  try {
    text = utf8.decode(buffer);
  } catch {
    throw new CorpusError(`corpus is not valid UTF-8: ${shown(file)} (save it as UTF-8)`, file);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.replace(/\r\n?/g, '\n');
}

function stat(p: string): fs.Stats {
  if (p.trim() === '') throw new CorpusError('corpus not given: the path is empty');
  try {
    return fs.statSync(p);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new CorpusError(`corpus not found: ${shown(p)}`, p, code);
    throw cannotRead(p, error);
  }
}

function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw cannotRead(file, error);
  }
}

function tooLarge(p: string, bytes: number, maxBytes: number, folderFiles?: number): CorpusError {
  const what = folderFiles === undefined ? `${shown(p)} is` : `the ${folderFiles} text files in ${shown(p)} total`;
  return new CorpusError(`corpus too large: ${what} ${size(bytes)}, more than the ${size(maxBytes)} limit`, p);
}

function made(name: string, text: string, source: CorpusSource): Corpus {
  return {
    name,
    text,
    bytes: Buffer.byteLength(text, 'utf8'),
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    source,
  };
}

function readTextFile(file: string, maxBytes: number): string {
  const stats = stat(file);
  if (stats.isDirectory()) throw new CorpusError(`corpus is not a file: ${shown(file)} is a folder`, file);
  if (!stats.isFile()) throw new CorpusError(`corpus is not a file: ${shown(file)} is not a regular file`, file);
  if (stats.size > maxBytes) throw tooLarge(file, stats.size, maxBytes);
  const buffer = readBytes(file);
  if (buffer.length > maxBytes) throw tooLarge(file, buffer.length, maxBytes); // it grew since stat
  const text = decode(buffer, file);
  if (text.trim().length === 0) {
    throw new CorpusError(`corpus is empty: ${shown(file)} has no text (only whitespace or nothing)`, file);
  }
  return text;
}

function isTextFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return FOLDER_TEXT_EXTENSIONS.some((ext) => lower.endsWith(ext) && lower.length > ext.length);
}

/** Text files under `root` (relative, `/`-separated, sorted); hidden entries, node_modules and symbolic links skipped. */
function listTextFiles(root: string): string[] {
  const found: string[] = [];
  const visit = (relative: string, depth: number): void => {
    const dir = relative ? path.join(root, ...relative.split('/')) : root;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      throw cannotRead(dir, error);
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isFile() && isTextFileName(entry.name)) found.push(child);
      else if (entry.isDirectory() && depth < FOLDER_MAX_DEPTH) visit(child, depth + 1);
    }
  };
  visit('', 0);
  // Code-unit order of the relative paths: the same on every machine and locale.
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function readFolder(folder: string, maxBytes: number): Corpus {
  const stats = stat(folder);
  if (!stats.isDirectory()) {
    throw new CorpusError(`corpus is not a folder: ${shown(folder)}${stats.isFile() ? ' is a file' : ''}`, folder);
  }
  const names = listTextFiles(folder);
  const where = `*.txt or *.md files in it or up to ${FOLDER_MAX_DEPTH} levels of subfolders`;
  if (names.length === 0)
    throw new CorpusError(`no text files in folder ${shown(folder)} (looked for ${where})`, folder);
  const files = names.map((name) => ({ name, file: path.join(folder, ...name.split('/')) }));
  let total = 0;
  for (const entry of files) total += stat(entry.file).size;
  if (total > maxBytes) throw tooLarge(folder, total, maxBytes, names.length);
  const used: string[] = [];
  const texts: string[] = [];
  let read = 0;
  for (const { name, file } of files) {
    const buffer = readBytes(file);
    read += buffer.length;
    if (read > maxBytes) throw tooLarge(folder, read, maxBytes, names.length); // a file grew since stat
    const text = decode(buffer, file).trimEnd();
    if (text.trim().length === 0) continue; // an empty file adds nothing
    used.push(name);
    texts.push(text);
  }
  if (texts.length === 0) {
    throw new CorpusError(`corpus is empty: the ${names.length} text files in ${shown(folder)} have no text`, folder);
  }
  return made(path.basename(path.resolve(folder)), `${texts.join(FOLDER_SEPARATOR)}\n`, {
    kind: 'folder',
    path: folder,
    files: used,
  });
}

function isBuiltin(spec: string): spec is BuiltinCorpus {
  return (BUILTIN_CORPORA as readonly string[]).includes(spec);
}

/**
 * Loads a corpus. `'en'` and `'zh'` are the built-ins (a file named `en` is `'./en'` or
 * `{ file: 'en' }`); another string is a path, read as a folder when it is one; `{ file }` and
 * `{ folder }` say which is expected. A folder's text files (FOLDER_TEXT_EXTENSIONS, up to
 * FOLDER_MAX_DEPTH levels of subfolders, hidden entries, node_modules and symbolic links
 * skipped) are read in sorted order, empty ones skipped, and joined with FOLDER_SEPARATOR; a bad
 * file among them (binary, not UTF-8) is an error naming it. Throws CorpusError.
 */
export function loadCorpus(spec: CorpusSpec, options: LoadCorpusOptions = {}): Corpus {
  const maxBytes = options.maxBytes ?? MAX_CORPUS_BYTES;
  if (typeof spec === 'string' && isBuiltin(spec)) {
    const dir = options.corporaDir ?? findCorporaDir();
    if (!dir) throw new CorpusError(`built-in corpus '${spec}' not found: no corpora folder beside the engine`);
    const file = path.join(dir, `${spec}.txt`);
    return made(spec, readTextFile(file, maxBytes), { kind: 'builtin', id: spec, path: file });
  }
  if (typeof spec === 'string') {
    return stat(spec).isDirectory() ? readFolder(spec, maxBytes) : loadCorpus({ file: spec }, options);
  }
  if ('folder' in spec) return readFolder(spec.folder, maxBytes);
  const file = spec.file;
  return made(path.basename(file), readTextFile(file, maxBytes), { kind: 'file', path: file });
}
