/**
 * `llm-tutor compare RUN RUN… [--save NAME]` and `llm-tutor compare --open FILE`: the runs side by
 * side (comparisonReport.ts). Bad input (fewer than two runs, a RUN that is no run, a bad or taken
 * NAME, a FILE that is no saved comparison) is one line and exit 2, and nothing is written. A run
 * that cannot be read (deleted or damaged since) is reported and the others are still compared;
 * the exit code is then 1.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { MAX_COMPARED_RUNS, MIN_COMPARED_RUNS } from '../../shared/run/comparison';
import {
  DamagedRunError,
  checkSaveComparison,
  loadComparedRuns,
  readRun,
  readSavedComparison,
  resolveComparisonArgument,
  resolveRunArgument,
  runsDirOfComparison,
  saveComparison,
  type LoadedRun,
} from '../../runStore';
import { printComparison } from './comparisonReport';
import { EXIT_FAILED, EXIT_OK, UsageError } from './usage';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads run folders given on the command line; each that cannot be read is reported, never thrown. */
export async function loadRunDirs(dirs: readonly string[]): Promise<LoadedRun[]> {
  return Promise.all(
    dirs.map(async (dir): Promise<LoadedRun> => {
      const runId = path.basename(dir);
      try {
        return { runId, ok: true, run: await readRun(dir) };
      } catch (error) {
        return { runId, ok: false, reason: error instanceof DamagedRunError ? error.reason : message(error) };
      }
    }),
  );
}

export async function compareCommand(
  args: string[],
  out: NodeJS.WriteStream,
  err: NodeJS.WriteStream,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'runs-dir': { type: 'string' }, save: { type: 'string' }, open: { type: 'string' } },
  });
  let loaded: LoadedRun[];
  let save: { runsDir: string; name: string; runIds: string[] } | null = null;
  if (values.open !== undefined) {
    if (positionals.length > 0) throw new UsageError('--open reopens a saved comparison; do not name runs with it');
    if (values.save !== undefined) throw new UsageError('--open and --save cannot be combined');
    let file: string;
    let comparison;
    try {
      file = resolveComparisonArgument(values.open, path.resolve(values['runs-dir'] ?? 'runs'));
      comparison = await readSavedComparison(file);
    } catch (error) {
      throw new UsageError(`--open: ${message(error)}`);
    }
    const runsDir = values['runs-dir'] !== undefined ? path.resolve(values['runs-dir']) : runsDirOfComparison(file);
    out.write(`comparison "${comparison.name}" (${file})\n`);
    loaded = await loadComparedRuns(runsDir ?? path.resolve('runs'), comparison.runs);
  } else {
    if (positionals.length < MIN_COMPARED_RUNS)
      throw new UsageError(`compare takes at least ${MIN_COMPARED_RUNS} runs, e.g. 'llm-tutor compare RUN RUN'`);
    if (positionals.length > MAX_COMPARED_RUNS)
      throw new UsageError(`compare takes at most ${MAX_COMPARED_RUNS} runs (got ${positionals.length})`);
    const runsDir = path.resolve(values['runs-dir'] ?? 'runs');
    const dirs = positionals.map((arg) => {
      try {
        return resolveRunArgument(arg, runsDir);
      } catch (error) {
        throw new UsageError(message(error));
      }
    });
    if (new Set(dirs).size !== dirs.length) throw new UsageError('compare names the same run twice');
    if (values.save !== undefined) {
      // A saved comparison names runs by id inside the runs folder: check everything before reading.
      const outside = dirs.find((dir) => path.dirname(dir) !== runsDir);
      if (outside !== undefined)
        throw new UsageError(`--save: ${outside} is not a run inside the runs folder ${runsDir} (see --runs-dir)`);
      const runIds = dirs.map((dir) => path.basename(dir));
      try {
        checkSaveComparison(runsDir, values.save, runIds);
      } catch (error) {
        throw new UsageError(`--save: ${message(error)}`);
      }
      save = { runsDir, name: values.save, runIds };
    }
    loaded = await loadRunDirs(dirs);
  }

  printComparison(out, loaded);
  const unreadable = loaded.filter((entry) => !entry.ok);
  if (save) {
    if (unreadable.length > 0) {
      err.write(`llm-tutor compare: not saved: ${unreadable.length} run(s) cannot be read\n`);
      return EXIT_FAILED;
    }
    const file = saveComparison(save.runsDir, save.name, save.runIds);
    out.write(`saved=${file}\n`);
  }
  if (unreadable.length > 0) {
    err.write(
      `llm-tutor compare: ${unreadable.length} run(s) could not be read: ${unreadable.map((e) => e.runId).join(', ')}\n`,
    );
    return EXIT_FAILED;
  }
  return EXIT_OK;
}
