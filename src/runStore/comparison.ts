/**
 * Saved comparisons on disk: `<runs>/.comparisons/<name>.json` (a hidden folder, so `listRuns`
 * never lists it as a run), each naming its runs by run id, relative to the runs folder
 * (src/shared/run/comparison.ts has the schema). Loading a comparison reads every run with
 * `readRun`; a run deleted or damaged since is reported with its reason and the others still load.
 * Node only; reading never writes.
 */
import * as fs from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as v from 'valibot';
import {
  COMPARISON_FORMAT_VERSION,
  ComparedRunIdsSchema,
  ComparisonNameSchema,
  SavedComparisonSchema,
  isRunId,
  type SavedComparison,
} from '../shared/run/comparison';
import type { RunSnapshot } from '../shared/run/records';
import { describeIssues } from '../shared/schema';
import { DamagedRunError, RunStoreError, describeFsError, errorCode, oneLine, writeJsonAtomic } from './files';
import { isHiddenOrTemporary, isInside } from './paths';
import { readRun } from './run';

/** The folder of saved comparisons inside a runs folder (hidden: never listed as a run). */
export const COMPARISONS_DIR = '.comparisons';
const EXTENSION = '.json';
/** A saved comparison names a few runs: anything larger is not one. */
const MAX_COMPARISON_BYTES = 64 * 1024;

export function comparisonsDirPath(runsDir: string): string {
  return path.join(path.resolve(runsDir), COMPARISONS_DIR);
}

/** `<runs>/.comparisons/<name>.json`. RunStoreError (one line) when `name` cannot name a comparison. */
export function comparisonPath(runsDir: string, name: string): string {
  const parsed = v.safeParse(ComparisonNameSchema, name);
  if (!parsed.success) throw new RunStoreError(`comparison name ${describeIssues(parsed.issues)}`);
  return path.join(comparisonsDirPath(runsDir), `${name}${EXTENSION}`);
}

/** The runs folder a saved comparison belongs to: the parent of its `.comparisons` folder, else null. */
export function runsDirOfComparison(file: string): string | null {
  const dir = path.dirname(path.resolve(file));
  return path.basename(dir) === COMPARISONS_DIR ? path.dirname(dir) : null;
}

/** One run of a comparison as loaded: its snapshot, or why it cannot be read (deleted, damaged). */
export type LoadedRun = { runId: string; ok: true; run: RunSnapshot } | { runId: string; ok: false; reason: string };

/** The folder of `runId` inside `runsDir`, or null when the id is not a folder name inside it. */
export function runDirOf(runsDir: string, runId: string): string | null {
  if (!isRunId(runId)) return null;
  const root = path.resolve(runsDir);
  const dir = path.join(root, runId);
  return isInside(root, dir) && path.dirname(dir) === root ? dir : null;
}

/** Reads every run of a comparison; each that cannot be read is reported, never thrown. */
export async function loadComparedRuns(runsDir: string, runIds: readonly string[]): Promise<LoadedRun[]> {
  return Promise.all(
    runIds.map(async (runId): Promise<LoadedRun> => {
      const dir = runDirOf(runsDir, runId);
      if (!dir) return { runId, ok: false, reason: 'not a run folder inside the runs folder' };
      try {
        return { runId, ok: true, run: await readRun(dir) };
      } catch (error) {
        const reason =
          error instanceof DamagedRunError
            ? error.reason
            : oneLine(error instanceof Error ? error.message : String(error));
        return { runId, ok: false, reason };
      }
    }),
  );
}

/** A saved comparison file, validated. RunStoreError (one line naming the file) when it is not one. */
export async function readSavedComparison(file: string): Promise<SavedComparison> {
  const name = path.basename(file);
  let stats: fs.Stats;
  try {
    stats = await lstat(file);
  } catch (error) {
    throw new RunStoreError(
      errorCode(error) === 'ENOENT' ? `${name} does not exist` : `${name} cannot be read (${describeFsError(error)})`,
      file,
      errorCode(error),
    );
  }
  if (stats.isSymbolicLink()) throw new RunStoreError(`${name} is a symbolic link`, file);
  if (!stats.isFile()) throw new RunStoreError(`${name} is not a file`, file);
  if (stats.size > MAX_COMPARISON_BYTES) throw new RunStoreError(`${name} is too large to be a comparison`, file);
  let value: unknown;
  try {
    value = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (error) {
    throw new RunStoreError(
      `${name} is not valid JSON (${oneLine(error instanceof Error ? error.message : String(error), 80)})`,
      file,
    );
  }
  const parsed = v.safeParse(SavedComparisonSchema, value);
  if (!parsed.success) throw new RunStoreError(`${name}: ${describeIssues(parsed.issues)}`, file);
  return parsed.output;
}

/**
 * Checks that a comparison of `runIds` named `name` can be saved in `runsDir`: a valid name, 2…6
 * distinct run ids, each a folder inside the runs folder, and (unless `overwrite`) no comparison
 * of that name yet. Returns the file it would write. Writes nothing.
 */
export function checkSaveComparison(
  runsDir: string,
  name: string,
  runIds: readonly string[],
  overwrite = false,
): string {
  const file = comparisonPath(runsDir, name);
  const ids = v.safeParse(ComparedRunIdsSchema, runIds);
  if (!ids.success) throw new RunStoreError(`runs ${describeIssues(ids.issues)}`);
  for (const runId of runIds) {
    const dir = runDirOf(runsDir, runId);
    let folder = false;
    try {
      folder = dir !== null && fs.statSync(dir).isDirectory();
    } catch {
      folder = false;
    }
    if (!folder) throw new RunStoreError(`${oneLine(runId, 80)} is not a run folder in ${path.resolve(runsDir)}`);
  }
  if (!overwrite && fs.existsSync(file)) throw new RunStoreError(`a comparison named "${name}" already exists`, file);
  return file;
}

/** Saves the comparison (atomically); returns its file. RunStoreError (one line) when it cannot. */
export function saveComparison(
  runsDir: string,
  name: string,
  runIds: readonly string[],
  options: { overwrite?: boolean; now?: Date } = {},
): string {
  const file = checkSaveComparison(runsDir, name, runIds, options.overwrite);
  const saved: SavedComparison = {
    formatVersion: COMPARISON_FORMAT_VERSION,
    name,
    createdAt: (options.now ?? new Date()).toISOString(),
    runs: [...runIds],
  };
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeJsonAtomic(file, saved);
  } catch (error) {
    throw new RunStoreError(`cannot save the comparison: ${describeFsError(error)}`, file, errorCode(error));
  }
  return file;
}

export type SavedComparisonEntry =
  | { ok: true; name: string; file: string; comparison: SavedComparison }
  | { ok: false; name: string; file: string; reason: string };

/** The saved comparisons of a runs folder, by name; unreadable ones with their reason. [] when there are none. */
export async function listComparisons(runsDir: string): Promise<SavedComparisonEntry[]> {
  const dir = comparisonsDirPath(runsDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files = names.filter((name) => name.endsWith(EXTENSION) && !isHiddenOrTemporary(name)).sort();
  return Promise.all(
    files.map(async (fileName): Promise<SavedComparisonEntry> => {
      const file = path.join(dir, fileName);
      const name = fileName.slice(0, -EXTENSION.length);
      try {
        return { ok: true, name, file, comparison: await readSavedComparison(file) };
      } catch (error) {
        return { ok: false, name, file, reason: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

/**
 * For the CLI: the file `arg` names — `arg` itself when it is a file, else the comparison of that
 * name in `runsDir`. RunStoreError `no saved comparison: <arg>`.
 */
export function resolveComparisonArgument(arg: string, runsDir: string): string {
  if (arg.trim() !== '' && !arg.includes('\0')) {
    const candidates = [path.resolve(arg)];
    if (v.is(ComparisonNameSchema, arg)) candidates.push(comparisonPath(runsDir, arg));
    for (const candidate of candidates) {
      try {
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // try the next
      }
    }
  }
  throw new RunStoreError(`no saved comparison: ${oneLine(arg, 200)}`);
}
