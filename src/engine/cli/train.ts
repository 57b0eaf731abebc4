/** `llm-tutor train <chapter>`. */
import * as path from 'path';
import { chapterInfo } from '../../shared/course/catalogue';
import { BACKEND_CHOICES, CHAPTER_IDS, isChapterId, type BackendChoice } from '../../shared/ids';
import { checkWritableDir, resolveRunArgument } from '../../runStore';
import { BackendUnavailableError, selectBackend } from '../backend';
import { trainableChapter } from '../chapters/registry';
import { planNewRun, planResume, TrainError } from '../train/runConfig';
import { train } from '../train/trainer';
import { PACKAGE_VERSION } from '../version';
import { chapterArgument, parseTrainOptions } from './options';
import { ProgressBar } from './progress';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError } from './usage';

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
  let resume: string | undefined;
  const request = { task: options.task, variant: options.variant, seed: options.seed, overrides: options.overrides };
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
  // An explicit backend that is not available is bad input (exit 2); `auto` is decided by the
  // trainer, which times a few steps of this run's model on each backend that loads.
  if (backend !== 'auto') {
    try {
      await selectBackend(backend);
    } catch (error) {
      if (error instanceof BackendUnavailableError) throw new UsageError(error.message);
      throw error;
    }
  }

  const bar = new ProgressBar(out);
  const print = (line: string) => {
    bar.clear();
    out.write(line + '\n');
  };
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
  // SIGTERM (a `kill`) and SIGHUP (a closing terminal) stop the same way as Ctrl-C: the run ends
  // `stopped`. So does a closed output (`llm-tutor train … | head -3`): nobody reads what follows.
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
  let started = false;
  try {
    const result = await train(
      {
        chapter,
        runsDir,
        backend,
        packageVersion: PACKAGE_VERSION,
        ...request,
        resume,
        shouldStop: () => interrupts > 0,
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
      err.write(`llm-tutor: ${error.message.split('\n')[0]}\n`);
      // Refused before the run folder existed (e.g. a resume whose weights do not fit): bad input, nothing written.
      return started ? EXIT_FAILED : EXIT_USAGE;
    }
    err.write(`llm-tutor: training failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    return EXIT_FAILED;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    process.off('SIGHUP', onTerminate);
    out.off('error', onOutputError);
  }
}
