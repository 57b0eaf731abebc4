/** `llm-tutor train <chapter>`. */
import * as path from 'path';
import { chapterInfo } from '../../shared/course/catalogue';
import { BACKEND_CHOICES, CHAPTER_IDS, isChapterId, type BackendChoice } from '../../shared/ids';
import { checkWritableDir, resolveRunArgument } from '../../runStore';
import { BackendUnavailableError, selectBackend } from '../backend';
import { trainableChapter } from '../chapters/registry';
import { DEFAULT_SEED, planNewRun, planResume, TrainError } from '../train/runConfig';
import { train } from '../train/trainer';
import { planVariants, trainVariants } from '../train/variants';
import type { VariantOutcome } from '../../shared/protocol/engine';
import { PACKAGE_VERSION } from '../version';
import { loadRunDirs } from './compare';
import { printComparison } from './comparisonReport';
import { chapterArgument, parseTrainOptions, type TrainOptions } from './options';
import { ProgressBar } from './progress';
import { renderTable } from './table';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError } from './usage';
import type { Chapter } from '../chapters/contract';

/** `--variant all`: every variant of the chapter, one after another, same seed and data. */
export const ALL_VARIANTS = 'all';

/** The exit code of a `--variant all` sequence: 130 when stopped, 1 when a variant failed, else 0. */
export function variantsExitCode(outcomes: readonly VariantOutcome[]): number {
  if (outcomes.some((o) => o.state === 'stopped' || o.state === 'skipped')) return EXIT_INTERRUPTED;
  if (outcomes.some((o) => o.state === 'failed')) return EXIT_FAILED;
  return EXIT_OK;
}

/**
 * Ctrl-C, SIGTERM (a `kill`), SIGHUP (a closing terminal) and a closed output (`… | head -3`) stop
 * cleanly: the run ends `stopped`. A second Ctrl-C quits at once.
 */
function interruptions(
  bar: ProgressBar,
  out: NodeJS.WriteStream,
  err: NodeJS.WriteStream,
): { count: () => number; release: () => void } {
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      bar.clear();
      err.write('stopping after this step… (Ctrl-C again to quit at once)\n');
    } else {
      process.exit(EXIT_INTERRUPTED);
    }
  };
  const onTerminate = () => {
    interrupts = Math.max(interrupts, 1);
  };
  const onOutputError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'EIO') onTerminate();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  process.on('SIGHUP', onTerminate);
  out.on('error', onOutputError);
  return {
    count: () => interrupts,
    release: () => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
      process.off('SIGHUP', onTerminate);
      out.off('error', onOutputError);
    },
  };
}

/** "variant X", or "<chapter> X" for the comparison's other chapter. */
const runName = (outcome: VariantOutcome): string =>
  outcome.chapter ? `${outcome.chapter} ${outcome.variant}` : `variant ${outcome.variant}`;

/**
 * `train <chapter> --variant all`. Every variant (and the comparison's other chapter, if the
 * chapter declares one) is planned first: bad input writes nothing.
 */
async function trainAllVariants(
  chapter: Chapter,
  options: TrainOptions,
  backend: BackendChoice,
  runsDir: string,
  out: NodeJS.WriteStream,
  err: NodeJS.WriteStream,
): Promise<number> {
  if (options.resume !== undefined)
    throw new UsageError('--variant all trains new runs; it cannot be combined with --resume');
  const variants = chapter.info.variants.map((variant) => variant.id);
  const setup = {
    chapter,
    runsDir,
    backend,
    packageVersion: PACKAGE_VERSION,
    task: options.task,
    seed: options.seed ?? DEFAULT_SEED,
    overrides: options.overrides,
    variants,
  };
  try {
    planVariants(setup);
  } catch (error) {
    if (error instanceof TrainError) throw new UsageError(error.message);
    throw error;
  }
  await checkBackend(backend);

  const bar = new ProgressBar(out);
  const print = (line: string) => {
    bar.clear();
    out.write(line + '\n');
  };
  const signals = interruptions(bar, out, err);
  let outcomes: VariantOutcome[];
  try {
    outcomes = await trainVariants(
      { ...setup, shouldStop: () => signals.count() > 0 },
      {
        variantStarting: (variant, index, count, other) =>
          print(
            other
              ? `── ${other.info.id} ${variant}, the comparison's other chapter (${index + 1}/${count}) seed=${setup.seed} ──`
              : `── variant ${variant} (${index + 1}/${count}) seed=${setup.seed} ──`,
          ),
        runReused: (run) =>
          print(
            `── ${run.config.chapter} ${run.config.variant}, the comparison's other chapter: reusing run ${run.runId} (finished, same task, seed and settings) ──`,
          ),
        variantEnded: (outcome) => {
          bar.clear();
          if (outcome.state === 'failed')
            err.write(`llm-tutor: ${runName(outcome)} failed: ${outcome.error ?? 'unknown error'}\n`);
          else print(`status=${outcome.state} run_dir=${outcome.runDir ?? '-'}`);
        },
        log: (line) => {
          if (!options.quiet || !/^(epoch|eval)=/.test(line)) print(line);
        },
        progress: (p) => {
          if (!options.quiet) bar.update(p.epoch, p.epochs, p.batch, p.batches, p.trainLoss);
        },
        runStarted: (run) => {
          print(`backend=${run.config.backend}`);
          print(`run_dir=${run.runDir}`);
        },
      },
    );
  } finally {
    bar.clear();
    signals.release();
  }
  print('');
  print(
    renderTable(
      ['variant', 'status', 'run'],
      outcomes.map((o) => [
        o.chapter ? `${o.chapter} ${o.variant}` : o.variant,
        o.reused ? `${o.state} (reused)` : o.state,
        o.runId ?? (o.error ? `- (${o.error})` : '-'),
      ]),
    ),
  );
  const dirs = outcomes.flatMap((o) => (o.runDir ? [o.runDir] : []));
  if (dirs.length >= 2) {
    print('');
    printComparison(out, await loadRunDirs(dirs));
  }
  return variantsExitCode(outcomes);
}

/** An explicit backend that is not available is bad input (exit 2); `auto` is decided by the trainer. */
async function checkBackend(backend: BackendChoice): Promise<void> {
  if (backend === 'auto') return;
  try {
    await selectBackend(backend);
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw new UsageError(error.message);
    throw error;
  }
}

export async function trainCommand(args: string[], out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
  const chapterId = chapterArgument(args);
  if (chapterId === undefined)
    throw new UsageError(`train takes one chapter, e.g. 'llm-tutor train attention-seq2seq'`);
  if (!isChapterId(chapterId))
    throw new UsageError(`unknown chapter '${chapterId}'; chapters: ${CHAPTER_IDS.join(', ')}`);
  const chapter = trainableChapter(chapterId);
  if (!chapter) {
    const trainable = CHAPTER_IDS.filter((id) => chapterInfo(id).trainable).join(', ');
    throw new UsageError(`chapter '${chapterId}' cannot be trained by this version yet; trainable: ${trainable}`);
  }
  const options = parseTrainOptions(args, chapter.info);
  const backend = (options.backend ?? 'auto') as BackendChoice;
  if (!(BACKEND_CHOICES as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${options.backend}'`);
  }
  const runsDir = path.resolve(options.outputDir ?? 'runs');
  try {
    checkWritableDir(runsDir);
  } catch (error) {
    throw new UsageError(`--output-dir: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (options.variant === ALL_VARIANTS) return trainAllVariants(chapter, options, backend, runsDir, out, err);
  let resume: string | undefined;
  const request = {
    task: options.task,
    variant: options.variant,
    seed: options.seed,
    overrides: options.overrides,
    corpus: options.corpus,
  };
  try {
    // Refuse bad input before anything is written (the trainer checks again).
    if (options.resume !== undefined) {
      try {
        resume = resolveRunArgument(options.resume, runsDir);
      } catch (error) {
        throw new UsageError(`--resume: ${error instanceof Error ? error.message : String(error)}`);
      }
      await planResume(chapter, resume, request);
    } else {
      planNewRun(chapter, request);
    }
  } catch (error) {
    if (error instanceof TrainError) throw new UsageError(error.message);
    throw error;
  }
  // `auto` is decided by the trainer, which times a few steps of this run's model on each backend that loads.
  await checkBackend(backend);

  let started = false;
  const bar = new ProgressBar(out);
  const print = (line: string) => {
    bar.clear();
    out.write(line + '\n');
  };
  // SIGTERM (a `kill`) and SIGHUP (a closing terminal) stop the same way as Ctrl-C: the run ends
  // `stopped`. So does a closed output (`llm-tutor train … | head -3`): nobody reads what follows.
  const signals = interruptions(bar, out, err);
  try {
    const result = await train(
      {
        chapter,
        runsDir,
        backend,
        packageVersion: PACKAGE_VERSION,
        ...request,
        resume,
        shouldStop: () => signals.count() > 0,
      },
      {
        log: (line) => {
          if (!options.quiet || !/^(epoch|eval)=/.test(line)) print(line);
        },
        progress: (p) => {
          if (!options.quiet) bar.update(p.epoch, p.epochs, p.batch, p.batches, p.trainLoss);
        },
        runStarted: (run) => {
          started = true;
          print(`backend=${run.config.backend}`);
          print(`run_dir=${run.runDir}`);
        },
      },
    );
    bar.clear();
    print(`status=${result.status.state} run_dir=${result.runDir}`);
    return result.status.state === 'stopped' ? EXIT_INTERRUPTED : EXIT_OK;
  } catch (error) {
    bar.clear();
    if (error instanceof TrainError) {
      err.write(`llm-tutor train: ${error.message.split('\n')[0]}\n`);
      // Refused before the run folder existed (nothing written): bad input, exit 2.
      return started ? EXIT_FAILED : EXIT_USAGE;
    }
    err.write(`llm-tutor: training failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    return EXIT_FAILED;
  } finally {
    signals.release();
  }
}
