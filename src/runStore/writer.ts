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
import { RunStoreError, describeFsError, errorCode, writeJsonAtomic } from './files';
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

/** Writes the files of one run folder (which must exist, see createRunFolder). */
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
