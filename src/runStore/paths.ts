/**
 * Names of everything inside a run folder, in one place (docs/architecture.md "A run on disk"), plus the
 * run id format and the "is this path inside the runs directory" check.
 *
 * Pure Node (`fs`, `path`): imported by the engine, the CLI and the VS Code extension.
 * docs/architecture.md ("A run on disk") describes the layout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `config.json`: the RunConfig. */
export const CONFIG_FILE = 'config.json';
/** `status.json`: the RunStatus. */
export const STATUS_FILE = 'status.json';
/** `metrics.jsonl`: one MetricsRecord per line, append-only. */
export const METRICS_FILE = 'metrics.jsonl';
/** `log.txt`: the lines the CLI prints. */
export const LOG_FILE = 'log.txt';
/** `shapes.json`: ShapeEntry[] of one forward pass. */
export const SHAPES_FILE = 'shapes.json';
/** `attention/`: one AttentionSnapshot per epoch, `epoch-NNN.json`. */
export const ATTENTION_DIR = 'attention';
/** `samples/`: one SamplesSnapshot per epoch, `epoch-NNN.json`. */
export const SAMPLES_DIR = 'samples';
/** `model/`: checkpoints (weights and optimiser state saved together) in TensorFlow.js format. */
export const MODEL_DIR = 'model';
/** `figures.json`: diagnostics computed once per run (run format 2). */
export const FIGURES_FILE = 'figures.json';
/** `model/latest.json`: names the current checkpoint folder (`model/epoch-NNN/`); switched with one rename. */
export const LATEST_CHECKPOINT_FILE = 'latest.json';
/** `model/epoch-NNN/manifest.json`: epoch, step and the size and sha256 of every file of the checkpoint. */
export const CHECKPOINT_MANIFEST = 'manifest.json';

const EPOCH_FILE_PATTERN = /^epoch-(\d{3,})\.json$/;

/**
 * `epoch-NNN.json`: the epoch zero padded to 3 digits (`epoch-007.json`), more digits past 999
 * (`epoch-1000.json`). Throws a RangeError for a negative or fractional epoch.
 */
export function epochFileName(epoch: number): string {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError(`epoch must be a non-negative integer, got ${epoch}`);
  }
  return `epoch-${String(epoch).padStart(3, '0')}.json`;
}

/** Hidden or temporary names (`.llm-tutor-write-check-…`, `x.tmp-…`): never listed as runs or snapshots. */
export function isHiddenOrTemporary(name: string): boolean {
  return name.startsWith('.') || name.includes('.tmp-');
}

/** The epoch of an `epoch-NNN.json` file name, or null for any other name (e.g. a temporary file). */
export function parseEpochFileName(name: string): number | null {
  const match = EPOCH_FILE_PATTERN.exec(name);
  if (!match) return null;
  const epoch = Number(match[1]);
  return Number.isSafeInteger(epoch) ? epoch : null;
}

export function configPath(runDir: string): string {
  return path.join(runDir, CONFIG_FILE);
}
export function statusPath(runDir: string): string {
  return path.join(runDir, STATUS_FILE);
}
export function metricsPath(runDir: string): string {
  return path.join(runDir, METRICS_FILE);
}
export function logPath(runDir: string): string {
  return path.join(runDir, LOG_FILE);
}
export function shapesPath(runDir: string): string {
  return path.join(runDir, SHAPES_FILE);
}
export function attentionDirPath(runDir: string): string {
  return path.join(runDir, ATTENTION_DIR);
}
export function samplesDirPath(runDir: string): string {
  return path.join(runDir, SAMPLES_DIR);
}
export function modelDirPath(runDir: string): string {
  return path.join(runDir, MODEL_DIR);
}
export function figuresPath(runDir: string): string {
  return path.join(runDir, FIGURES_FILE);
}
/** `<runDir>/model/epoch-NNN`: one checkpoint. */
export function checkpointDirPath(runDir: string, epoch: number): string {
  return path.join(runDir, MODEL_DIR, epochFileName(epoch).replace(/\.json$/, ''));
}
/** `<runDir>/attention/epoch-NNN.json`. */
export function attentionPath(runDir: string, epoch: number): string {
  return path.join(runDir, ATTENTION_DIR, epochFileName(epoch));
}
/** `<runDir>/samples/epoch-NNN.json`. */
export function samplesPath(runDir: string, epoch: number): string {
  return path.join(runDir, SAMPLES_DIR, epochFileName(epoch));
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** `YYYYMMDD-HHMMSS-<chapter>` in local time, e.g. `20250314-091502-attention-seq2seq`. */
export function runIdFor(date: Date, chapter: string): string {
  const day = `${date.getFullYear()}${pad2(date.getMonth() + 1)}${pad2(date.getDate())}`;
  const time = `${pad2(date.getHours())}${pad2(date.getMinutes())}${pad2(date.getSeconds())}`;
  return `${day}-${time}-${chapter}`;
}

const RUN_ID_TIME_PATTERN = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/;

/** The local start time encoded in a run folder name (ms since epoch), or null if it has none. */
export function timeFromRunId(runId: string): number | null {
  const match = RUN_ID_TIME_PATTERN.exec(runId);
  if (!match) return null;
  const [year, month, day, hours, minutes, seconds] = match.slice(1).map(Number);
  const time = new Date(year, month - 1, day, hours, minutes, seconds).getTime();
  return Number.isNaN(time) ? null : time;
}

/**
 * The real path of `target`: symlinks resolved for the part that exists; the part that does not
 * exist yet is appended unchanged (it cannot be a symlink). Null when a component is a symlink
 * that cannot be resolved (dangling, or a loop): such a path counts as outside everything.
 */
function realPathOf(target: string): string | null {
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    try {
      const real = fs.realpathSync.native(existing);
      return missing.length === 0 ? real : path.join(real, ...missing.reverse());
    } catch {
      try {
        // It exists as a name but cannot be resolved: a dangling or looping symlink.
        fs.lstatSync(existing);
        return null;
      } catch {
        // Really absent: go up.
      }
      const parent = path.dirname(existing);
      if (parent === existing) return target;
      missing.push(path.basename(existing));
      existing = parent;
    }
  }
}

/**
 * True only if `candidate` is `parentDir` itself or lies below it, after resolving both with
 * `path.resolve` and following symlinks (`fs.realpathSync`) for the parts that exist.
 * A relative `candidate` is resolved against `parentDir`.
 * `..` escapes, absolute paths elsewhere, prefix tricks (`/runs-evil` vs `/runs`), symlinks
 * pointing out of `parentDir` and symlinks that cannot be resolved (dangling) are all false.
 * Never throws.
 */
export function isInside(parentDir: string, candidate: string): boolean {
  if (typeof parentDir !== 'string' || typeof candidate !== 'string') return false;
  if (parentDir === '' || candidate === '' || candidate.includes('\0') || parentDir.includes('\0')) {
    return false;
  }
  const parent = realPathOf(path.resolve(parentDir));
  const child = realPathOf(path.resolve(parentDir, candidate));
  if (parent === null || child === null) return false;
  const relative = path.relative(parent, child);
  if (relative === '') return true;
  if (path.isAbsolute(relative)) return false; // another drive on Windows
  return relative !== '..' && !relative.startsWith(`..${path.sep}`);
}
