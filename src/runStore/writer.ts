/**
 * Writing a run folder (docs/architecture.md "A run on disk"). Synchronous: it runs in the engine
 * process between training steps. Whole files are written to a temporary name and renamed;
 * `metrics.jsonl` and `log.txt` are appended; checkpoints are switched in with one rename
 * (checkpoint.ts). Every write is a fault point for the fault-injection tests (faults.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  configToFile,
  type AttentionSnapshot,
  type Figure,
  type MetricsRecord,
  type RunConfig,
  type RunStatus,
  type SamplesSnapshot,
  type ShapeEntry,
} from '../shared/run/records';
import { writeCheckpoint, type CheckpointFiles } from './checkpoint';
import { faultPoint } from './faults';
import { RunStoreError, describeFsError, errorCode, temporaryNameFor, writeJsonAtomic } from './files';
import {
  attentionDirPath,
  attentionPath,
  configPath,
  logPath,
  metricsPath,
  figuresPath,
  runIdFor,
  samplesDirPath,
  samplesPath,
  shapesPath,
  statusPath,
} from './paths';

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

/**
 * A new run folder built under a hidden temporary name in `runsDir` (`.<run-id>.tmp-…`, never
 * listed) and published under its final name `<YYYYMMDD-HHMMSS>-<chapter>[-n]` with one rename
 * once its first files are written: a kill at any moment before leaves nothing listed as a run.
 * `runId` is the name it will most likely get; `publish` says which it got.
 */
export class StagedRunFolder {
  private constructor(
    private readonly root: string,
    private readonly baseId: string,
    readonly runId: string,
    /** The hidden folder to write into until `publish`. */
    readonly dir: string,
  ) {}

  /** Creates `runsDir` if needed and the hidden staging folder. RunStoreError when it cannot. */
  static create(runsDir: string, chapter: string, now: Date = new Date()): StagedRunFolder {
    const root = path.resolve(runsDir);
    try {
      fs.mkdirSync(root, { recursive: true });
    } catch (error) {
      throw cannotWrite(root, error);
    }
    const baseId = runIdFor(now, chapter);
    const runId = StagedRunFolder.freeName(root, baseId, 1);
    const dir = temporaryNameFor(path.join(root, `.${runId}`));
    try {
      fs.mkdirSync(dir);
    } catch (error) {
      throw cannotWrite(root, error);
    }
    return new StagedRunFolder(root, baseId, runId, dir);
  }

  private static freeName(root: string, baseId: string, from: number): string {
    for (let attempt = from; attempt < 10_000; attempt++) {
      const runId = attempt === 1 ? baseId : `${baseId}-${attempt}`;
      if (!exists(path.join(root, runId))) return runId;
    }
    throw cannotWrite(root, `too many runs named ${baseId}`);
  }

  /**
   * Renames the staging folder to its final name. When `runId` was taken meanwhile (by another
   * process), `rename(runId)` is called to rewrite what names the run (config.json) before the next
   * free name is tried. Returns the final id and folder.
   */
  publish(rename: (runId: string) => void): { runId: string; dir: string } {
    let runId = this.runId;
    for (let attempt = 1; attempt < 10_000; attempt++) {
      const dir = path.join(this.root, runId);
      // rename(2) replaces an empty folder: never take a name that exists, even empty.
      if (!exists(dir)) {
        try {
          fs.renameSync(this.dir, dir);
          faultPoint('published');
          return { runId, dir };
        } catch (error) {
          if (!exists(dir)) throw cannotWrite(this.root, error);
        }
      }
      const suffix = /-(\d+)$/.exec(runId.slice(this.baseId.length));
      runId = StagedRunFolder.freeName(this.root, this.baseId, suffix ? Number(suffix[1]) + 1 : 2);
      rename(runId);
    }
    throw cannotWrite(this.root, `too many runs named ${this.baseId}`);
  }

  /** Removes the staging folder (the run was refused before it was published). */
  discard(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Writes the files of one run folder (which must exist, see StagedRunFolder and createRunFolder). */
export class RunWriter {
  constructor(readonly dir: string) {}

  /** `config.json`, atomically; the hyperparameters go under the chapter's own key. */
  writeConfig(config: RunConfig): void {
    writeJsonAtomic(configPath(this.dir), configToFile(config));
    faultPoint('config');
  }

  /** `status.json`, atomically. */
  writeStatus(status: RunStatus): void {
    writeJsonAtomic(statusPath(this.dir), status);
    faultPoint('status');
  }

  /** Appends one line to `metrics.jsonl`. NaN / Infinity are written as `null` (read back as NaN). */
  appendMetrics(record: MetricsRecord): void {
    fs.appendFileSync(metricsPath(this.dir), `${JSON.stringify(record)}\n`, 'utf8');
    faultPoint('metrics');
  }

  /** Appends `line` (a newline is added unless it already ends with one) to `log.txt`. */
  appendLog(line: string): void {
    fs.appendFileSync(logPath(this.dir), line.endsWith('\n') ? line : `${line}\n`, 'utf8');
  }

  /** `shapes.json`, atomically. */
  writeShapes(shapes: ShapeEntry[]): void {
    writeJsonAtomic(shapesPath(this.dir), shapes);
    faultPoint('shapes');
  }

  /** `figures.json`, atomically. */
  writeFigures(figures: Figure[]): void {
    writeJsonAtomic(figuresPath(this.dir), { figures });
    faultPoint('figures');
  }

  /** `attention/epoch-NNN.json` for `snapshot.epoch`, atomically. */
  writeAttention(snapshot: AttentionSnapshot): void {
    fs.mkdirSync(attentionDirPath(this.dir), { recursive: true });
    writeJsonAtomic(attentionPath(this.dir, snapshot.epoch), snapshot);
    faultPoint('attention');
  }

  /** `samples/epoch-NNN.json` for `snapshot.epoch`, atomically. */
  writeSamples(snapshot: SamplesSnapshot): void {
    fs.mkdirSync(samplesDirPath(this.dir), { recursive: true });
    writeJsonAtomic(samplesPath(this.dir, snapshot.epoch), snapshot);
    faultPoint('samples');
  }

  /** A checkpoint of `epoch` (weights and optimiser state as one unit; see checkpoint.ts). */
  writeCheckpoint(epoch: number, step: number, files: CheckpointFiles): void {
    writeCheckpoint(this.dir, epoch, step, files);
  }
}
