/**
 * Whole runs: everything the panel needs to draw one (`readRun`), the list of a runs folder
 * (`listRuns`), and the CLI's way of naming a run (`resolveRunArgument`). Node only; never writes.
 */
import * as fs from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { chapterInfo } from '../shared/course/catalogue';
import type { MetricsRecord, RunConfig, RunListEntry, RunSnapshot, RunStatus } from '../shared/run/records';
import { readCheckpoint, type Checkpoint } from './checkpoint';
import { DamagedRunError, RunStoreError, describeFsError, errorCode, oneLine } from './files';
import {
  ATTENTION_DIR,
  CONFIG_FILE,
  SAMPLES_DIR,
  STATUS_FILE,
  epochFileName,
  isHiddenOrTemporary,
  timeFromRunId,
} from './paths';
import {
  listEpochFiles,
  readAttentionFile,
  readConfigAndStatus,
  readFigures,
  readMetricsForStatus,
  assertNoSymlink,
  readSamplesFile,
  readShapes,
  type Optional,
} from './reader';

async function assertFolder(dir: string): Promise<void> {
  try {
    const stats = await stat(dir);
    if (!stats.isDirectory()) throw new DamagedRunError(dir, 'not a folder');
  } catch (error) {
    if (error instanceof DamagedRunError) throw error;
    if (errorCode(error) === 'ENOENT') throw new DamagedRunError(dir, 'folder does not exist');
    throw new DamagedRunError(dir, `cannot be read (${describeFsError(error)})`);
  }
}

/**
 * The run's checkpoint checked against its status: a format-2 run that completed epochs must have
 * one, and it may not be older than the last completed epoch. Null when there are no weights yet.
 */
export async function checkedCheckpoint(
  dir: string,
  config: RunConfig,
  status: RunStatus,
  verifyContent = true,
): Promise<Checkpoint | null> {
  const checkpoint = await readCheckpoint(dir, verifyContent);
  if (config.formatVersion === 2 && status.epochsCompleted > 0) {
    if (!checkpoint) {
      throw new DamagedRunError(
        dir,
        `model/ has no checkpoint but ${STATUS_FILE} says ${status.epochsCompleted} epoch(s) completed`,
      );
    }
    if (checkpoint.epoch !== null && checkpoint.epoch < status.epochsCompleted) {
      throw new DamagedRunError(
        dir,
        `model/ holds the checkpoint of epoch ${checkpoint.epoch} but ${STATUS_FILE} says ${status.epochsCompleted} epoch(s) completed`,
      );
    }
  }
  return checkpoint;
}

/** The newest readable snapshot among `epochs` (ascending); unreadable newer ones are reported in `warnings`. */
async function newestReadable<T>(
  epochs: number[],
  read: (epoch: number) => Promise<Optional<T>>,
  warnings: string[],
): Promise<{ value: T | null; bad: Set<number> }> {
  const bad = new Set<number>();
  for (let index = epochs.length - 1; index >= 0; index--) {
    const result = await read(epochs[index]);
    if (result.ok) return { value: result.value, bad };
    bad.add(epochs[index]);
    warnings.push(`${result.reason}; skipped`);
  }
  return { value: null, bad };
}

/**
 * Everything the panel needs to draw the run in `dir`, the weights verified against their
 * checksums. DamagedRunError (reason in one line) when the folder is not a readable run. A
 * `running` status is returned as is, even if the process that wrote it is gone.
 */
export async function readRun(dir: string): Promise<RunSnapshot> {
  const runDir = path.resolve(dir);
  await assertNoSymlink(runDir);
  await assertFolder(runDir);
  const { config, status } = await readConfigAndStatus(runDir);
  const warnings: string[] = [];
  const metrics = await readMetricsForStatus(runDir, status, config.formatVersion);
  warnings.push(...metrics.warnings);
  const checkpoint = await checkedCheckpoint(runDir, config, status);

  const [shapes, figures, attentionFiles, samplesFiles] = await Promise.all([
    readShapes(runDir, config.formatVersion),
    readFigures(runDir),
    listEpochFiles(runDir, ATTENTION_DIR, warnings),
    listEpochFiles(runDir, SAMPLES_DIR, warnings),
  ]);
  if (!shapes.ok)
    warnings.push(shapes.missing ? `${shapes.reason}: no tensor shapes to show` : `${shapes.reason}; ignored`);
  if (!figures.ok && !figures.missing) warnings.push(`${figures.reason}; ignored`);
  // Every epoch the status counts wrote its samples (and, for a model with maps, its attention)
  // before its checkpoint: one that is not there is reported, not silently left out.
  for (const [folder, epochs] of [
    [SAMPLES_DIR, samplesFiles],
    [ATTENTION_DIR, attentionFiles],
  ] as const) {
    if (folder === ATTENTION_DIR && epochs.length === 0) continue; // a chapter without maps
    const missing = [];
    for (let epoch = 1; epoch <= status.epochsCompleted; epoch++) if (!epochs.includes(epoch)) missing.push(epoch);
    if (missing.length > 0) {
      const first = `${folder}/${epochFileName(missing[0])}`;
      warnings.push(`${first} is missing${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}`);
    }
  }
  const attention = await newestReadable(
    attentionFiles,
    (epoch) => readAttentionFile(runDir, epoch, config.formatVersion),
    warnings,
  );
  const samples = await newestReadable(samplesFiles, (epoch) => readSamplesFile(runDir, epoch), warnings);
  return {
    runId: path.basename(runDir),
    dir: runDir,
    config,
    status,
    metrics: metrics.records,
    shapes: shapes.ok ? shapes.value : [],
    figures: figures.ok ? figures.value : [],
    attentionEpochs: attentionFiles.filter((epoch) => !attention.bad.has(epoch)),
    attention: attention.value,
    samples: samples.value,
    weights: checkpoint === null ? 'missing' : checkpoint.format === 2 ? 'verified' : 'unverified',
    warnings,
  };
}

/** The best value of the chapter's primary metric over the evaluation records (NaN ignored). */
function bestOf(config: RunConfig, records: MetricsRecord[]): { key: string; value: number } | null {
  const info = chapterInfo(config.chapter);
  const key = info.primaryMetric;
  const higher = info.metrics.find((metric) => metric.key === key)?.better !== 'lower'; // 'neither' is not a primary metric
  let best: number | null = null;
  for (const record of records) {
    if (record.kind !== 'epoch') continue;
    const value = record.values[key];
    if (value === undefined || !Number.isFinite(value)) continue;
    if (best === null || (higher ? value > best : value < best)) best = value;
  }
  return best === null ? null : { key, value: best };
}

/**
 * The entries of earlier listings, reused while a run's files are unchanged: the Runs view lists
 * the folder again on every change of a run (several times an epoch while one trains), and reading
 * and validating every run again took 240–500 ms for 69 runs, most of it parsing and checking on
 * the extension host's thread (65 ms with the cache, mostly file-system calls off it). An
 * entry is reused only while the signature of everything `listEntry` reads is the same: the
 * folder, each of its files (size, mtime, ctime, inode) and every file below `model/`.
 */
export class RunListCache {
  private readonly entries = new Map<string, { signature: string; entry: RunListEntry }>();
  /** Listings of a run answered from the cache, and read again. */
  hits = 0;
  misses = 0;

  async entry(dir: string, runId: string): Promise<RunListEntry> {
    const signature = await runSignature(dir);
    const cached = this.entries.get(dir);
    if (cached && cached.signature === signature) {
      this.hits++;
      return cached.entry;
    }
    this.misses++;
    const entry = await listEntry(dir, runId);
    // Read again after the entry: a run written meanwhile is read anew next time.
    if ((await runSignature(dir)) === signature) this.entries.set(dir, { signature, entry });
    else this.entries.delete(dir);
    return entry;
  }

  /** Forgets the runs not in `dirs` (deleted since). */
  keepOnly(dirs: ReadonlySet<string>): void {
    for (const dir of this.entries.keys()) if (!dirs.has(dir)) this.entries.delete(dir);
  }
}

/** What identifies one version of a file or folder: its kind, size, times and inode; or why it cannot be seen. */
async function fileSignature(file: string): Promise<string> {
  try {
    const s = await lstat(file);
    return `${s.isDirectory() ? 'd' : s.isSymbolicLink() ? 'l' : 'f'}${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}`;
  } catch (error) {
    return `!${errorCode(error) ?? 'error'}`;
  }
}

/** The signature of `dir` and of each entry in it, recursively below the folders `deep` names. */
async function runSignature(
  dir: string,
  deep: (name: string) => boolean = (name) => name === 'model',
): Promise<string> {
  const parts = [await fileSignature(dir)];
  let names: fs.Dirent[] = [];
  try {
    names = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    return `${parts[0]}|!${errorCode(error) ?? 'error'}`;
  }
  for (const entry of names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const file = path.join(dir, entry.name);
    parts.push(`${entry.name}=${await fileSignature(file)}`);
    if (entry.isDirectory() && deep(entry.name)) parts.push(`${entry.name}/[${await runSignature(file, () => true)}]`);
  }
  return parts.join('|');
}

async function listEntry(dir: string, runId: string): Promise<RunListEntry> {
  try {
    const { config, status } = await readConfigAndStatus(dir);
    const { records } = await readMetricsForStatus(dir, status, config.formatVersion);
    await checkedCheckpoint(dir, config, status, false);
    const epochs = config.hyperparameters.epochs;
    return {
      ok: true,
      runId,
      dir,
      chapter: config.chapter,
      task: config.task,
      variant: config.variant,
      state: status.state,
      epochsCompleted: status.epochsCompleted,
      epochs: typeof epochs === 'number' ? epochs : status.epochsCompleted,
      best: bestOf(config, records),
      startedAt: status.startedAt,
    };
  } catch (error) {
    const reason =
      error instanceof DamagedRunError ? error.reason : oneLine(error instanceof Error ? error.message : String(error));
    return { ok: false, runId, dir, reason };
  }
}

async function mapLimited<T, R>(items: T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function sortTime(entry: RunListEntry): number {
  if (entry.ok) {
    const started = Date.parse(entry.startedAt);
    if (!Number.isNaN(started)) return started;
  }
  return timeFromRunId(entry.runId) ?? Number.NEGATIVE_INFINITY;
}

/**
 * Every sub-folder of `runsDir` as a list entry, newest first. A damaged or foreign folder is
 * `{ ok: false, reason }` and never stops the others from being listed, as is a symbolic link in
 * place of a folder (runs are never read through one); plain files and hidden or temporary names
 * are ignored; a missing `runsDir` gives []. The weights are checked
 * against their manifest and status, and verified in full when a run is read, shown or used.
 * With a `cache`, a run whose files are unchanged since its last listing is not read again.
 * RunStoreError when `runsDir` exists but cannot be read as a folder.
 */
export async function listRuns(runsDir: string, cache?: RunListCache): Promise<RunListEntry[]> {
  const root = path.resolve(runsDir);
  let entries: fs.Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw new RunStoreError(`cannot read ${root}: ${describeFsError(error)}`, root, errorCode(error));
  }
  // Folders, and symbolic links to folders or to nothing (listed as damaged: a run is never read
  // through a link); plain files and hidden or temporary names are not runs.
  const names = entries
    .filter((entry) => !isHiddenOrTemporary(entry.name))
    .filter((entry) => entry.isDirectory() || (entry.isSymbolicLink() && !isFile(path.join(root, entry.name))))
    .map((entry) => entry.name);
  const list = await mapLimited(names, 8, (name) =>
    cache ? cache.entry(path.join(root, name), name) : listEntry(path.join(root, name), name),
  );
  cache?.keepOnly(new Set(names.map((name) => path.join(root, name))));
  const times = new Map(list.map((entry) => [entry, sortTime(entry)]));
  return list.sort((a, b) => {
    const difference = (times.get(b) ?? 0) - (times.get(a) ?? 0);
    if (difference !== 0 && !Number.isNaN(difference)) return difference;
    return a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
  });
}

function isFolder(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

function isFile(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isFile();
  } catch {
    return false;
  }
}

function hasConfig(candidate: string): boolean {
  try {
    return fs.lstatSync(path.join(candidate, CONFIG_FILE)).isFile();
  } catch {
    return false;
  }
}

/**
 * For the CLI: the run folder that `arg` names — `arg` itself when it is a folder holding a
 * config.json, else `<runsDir>/<arg>`. Returns an absolute path. RunStoreError `not a run: <arg>`.
 */
export function resolveRunArgument(arg: string, runsDir: string): string {
  if (arg.trim() !== '' && !arg.includes('\0')) {
    for (const candidate of [path.resolve(arg), path.resolve(runsDir, arg)]) {
      if (isFolder(candidate) && hasConfig(candidate)) return candidate;
    }
  }
  throw new RunStoreError(`not a run: ${oneLine(arg, 200)}`);
}
