/**
 * Writing a run folder (DESIGN.md "A run on disk"). Synchronous: it runs in the engine process
 * between training steps, and every file is small. Whole files are written to a temporary name and
 * renamed; `metrics.jsonl` and `log.txt` are appended.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  AttentionSnapshot,
  MetricsRecord,
  RunConfig,
  RunStatus,
  SamplesSnapshot,
  ShapeEntry,
} from '../protocol/run';
import {
  attentionDirPath,
  attentionPath,
  configPath,
  logPath,
  metricsPath,
  modelDirPath,
  runIdFor,
  samplesDirPath,
  samplesPath,
  shapesPath,
  statusPath,
} from './paths';

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

const CODE_EXPLANATIONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'exists and is not a folder',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
};

function errorCode(error: unknown): string | undefined {
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
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/\r?\n/)[0];
}

function cannotWrite(dir: string, cause: unknown): RunStoreError {
  const description = typeof cause === 'string' ? cause : describeFsError(cause);
  const code = typeof cause === 'string' ? undefined : errorCode(cause);
  return new RunStoreError(`cannot write to ${dir}: ${description}`, dir, code);
}

/**
 * Throws RunStoreError (`cannot write to <dir>: <cause>`) unless files can be created in `dir`.
 * Creates nothing that stays: an existing folder is probed with a temporary folder that is removed
 * at once; a folder that does not exist yet is NOT created — its nearest existing ancestor must be
 * a writable folder instead. Used by the CLI to validate `--output-dir` before training.
 */
export function checkWritableDir(dir: string): void {
  const target = path.resolve(dir);
  let existing = target;
  for (;;) {
    let stats: fs.Stats;
    try {
      stats = fs.statSync(existing);
    } catch (error) {
      const code = errorCode(error);
      const parent = path.dirname(existing);
      if ((code === 'ENOENT' || code === 'ENOTDIR') && parent !== existing) {
        existing = parent;
        continue;
      }
      throw cannotWrite(target, error);
    }
    if (!stats.isDirectory()) {
      throw cannotWrite(
        target,
        existing === target ? 'ENOTDIR (it is a file, not a folder)' : `ENOTDIR (${existing} is a file, not a folder)`,
      );
    }
    break;
  }
  let probe: string;
  try {
    probe = fs.mkdtempSync(path.join(existing, '.llm-tutor-write-check-'));
  } catch (error) {
    throw cannotWrite(target, error);
  }
  try {
    fs.rmdirSync(probe);
  } catch {
    // The probe is an empty folder we just made; failing to remove it is not the caller's problem.
  }
}

/**
 * Creates `runsDir` if needed and a new run folder `<YYYYMMDD-HHMMSS>-<chapter>` in it, adding
 * `-2`, `-3`… when the name is taken. The final `mkdirSync` is not recursive, so two processes
 * can never get the same folder. Throws RunStoreError when `runsDir` cannot be created or written.
 */
export function createRunFolder(
  runsDir: string,
  chapter: string,
  now: Date = new Date(),
): { runId: string; dir: string } {
  const root = path.resolve(runsDir);
  try {
    fs.mkdirSync(root, { recursive: true });
  } catch (error) {
    throw cannotWrite(root, error);
  }
  const baseId = runIdFor(now, chapter);
  for (let attempt = 1; attempt < 10_000; attempt++) {
    const runId = attempt === 1 ? baseId : `${baseId}-${attempt}`;
    const dir = path.join(root, runId);
    try {
      fs.mkdirSync(dir);
      return { runId, dir };
    } catch (error) {
      if (errorCode(error) === 'EEXIST') continue;
      throw cannotWrite(root, error);
    }
  }
  throw cannotWrite(root, `too many runs named ${baseId}`);
}

let temporaryCounter = 0;

/**
 * Writes `data` as pretty-printed JSON with a trailing newline to `<file>.tmp-<pid>-<n>`, then
 * renames it over `file`, so a reader sees the old file or the new one, never half of one.
 * Note that JSON has no NaN or Infinity: `JSON.stringify` writes them as `null`.
 */
export function writeJsonAtomic(file: string, data: unknown): void {
  temporaryCounter += 1;
  const temporary = `${file}.tmp-${process.pid}-${temporaryCounter}`;
  const text = `${JSON.stringify(data, null, 2)}\n`;
  try {
    fs.writeFileSync(temporary, text, 'utf8');
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

/** Writes the files of one run folder (which must exist, see createRunFolder). */
export class RunWriter {
  constructor(readonly dir: string) {}

  /** `config.json`, atomically. */
  writeConfig(config: RunConfig): void {
    writeJsonAtomic(configPath(this.dir), config);
  }

  /** `status.json`, atomically. */
  writeStatus(status: RunStatus): void {
    writeJsonAtomic(statusPath(this.dir), status);
  }

  /** Appends one line to `metrics.jsonl`. NaN / Infinity are written as `null` (read back as NaN). */
  appendMetrics(record: MetricsRecord): void {
    fs.appendFileSync(metricsPath(this.dir), `${JSON.stringify(record)}\n`, 'utf8');
  }

  /** Appends `line` (a newline is added unless it already ends with one) to `log.txt`. */
  appendLog(line: string): void {
    fs.appendFileSync(logPath(this.dir), line.endsWith('\n') ? line : `${line}\n`, 'utf8');
  }

  /** `shapes.json`, atomically. */
  writeShapes(shapes: ShapeEntry[]): void {
    writeJsonAtomic(shapesPath(this.dir), shapes);
  }

  /** `attention/epoch-NNN.json` for `snapshot.epoch`, atomically. */
  writeAttention(snapshot: AttentionSnapshot): void {
    fs.mkdirSync(attentionDirPath(this.dir), { recursive: true });
    writeJsonAtomic(attentionPath(this.dir, snapshot.epoch), snapshot);
  }

  /** `samples/epoch-NNN.json` for `snapshot.epoch`, atomically. */
  writeSamples(snapshot: SamplesSnapshot): void {
    fs.mkdirSync(samplesDirPath(this.dir), { recursive: true });
    writeJsonAtomic(samplesPath(this.dir, snapshot.epoch), snapshot);
  }

  /** `<dir>/model`, where the weights are saved in TensorFlow.js format; created on first access. */
  get modelDir(): string {
    const dir = modelDirPath(this.dir);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }
}
