/** `llm-tutor train <chapter>`. */
import { parseArgs } from 'util';
import * as path from 'path';
import type { BackendChoice } from '../../protocol/run';
import { BackendUnavailableError, selectBackend } from '../backend';
import { isChapterId } from '../chapters/catalog';
import { trainableChapter } from '../chapters/trainable';
import { checkWritableDir, resolveRunArgument } from '../../runStore';
import { train, type TrainKnobs } from '../train/trainer';
import { PACKAGE_VERSION } from '../version';
import { ProgressBar } from './progress';
import {
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_OK,
  UsageError,
  nonNegativeInteger,
  positiveInteger,
  positiveNumber,
} from './usage';
import { CHAPTER_IDS } from '../../protocol/run';

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'];

export async function trainCommand(args: string[], out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      task: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      'hidden-size': { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      'output-dir': { type: 'string' },
      resume: { type: 'string' },
      'train-size': { type: 'string' },
      'validation-size': { type: 'string' },
      'test-size': { type: 'string' },
      quiet: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1)
    throw new UsageError(
      `train takes one chapter, e.g. 'llm-tutor train attention-seq2seq' (got ${positionals.length})`,
    );
  const chapterId = positionals[0];
  if (!isChapterId(chapterId))
    throw new UsageError(`unknown chapter '${chapterId}'; chapters: ${CHAPTER_IDS.join(', ')}`);
  const chapter = trainableChapter(chapterId);
  if (!chapter)
    throw new UsageError(
      `chapter '${chapterId}' cannot be trained by this version yet; trainable: seq2seq, attention-seq2seq`,
    );
  const backend = (values.backend ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(backend))
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${values.backend}'`);
  if (values.task !== undefined && !chapter.info.tasks.includes(values.task)) {
    throw new UsageError(`unknown task '${values.task}' for ${chapterId}; tasks: ${chapter.info.tasks.join(', ')}`);
  }
  const overrides: TrainKnobs = {
    task: values.task,
    epochs: positiveInteger('epochs', values.epochs),
    batchSize: positiveInteger('batch-size', values['batch-size']),
    learningRate: positiveNumber('lr', values.lr),
    hiddenSize: positiveInteger('hidden-size', values['hidden-size']),
    seed: nonNegativeInteger('seed', values.seed),
    trainSize: positiveInteger('train-size', values['train-size']),
    validationSize: positiveInteger('validation-size', values['validation-size']),
    testSize: positiveInteger('test-size', values['test-size']),
  };
  const runsDir = path.resolve(values['output-dir'] ?? 'runs');
  try {
    checkWritableDir(runsDir);
  } catch (error) {
    throw new UsageError(`--output-dir: ${error instanceof Error ? error.message : String(error)}`);
  }
  let resume: string | undefined;
  if (values.resume !== undefined) {
    try {
      resume = resolveRunArgument(values.resume, runsDir);
    } catch (error) {
      throw new UsageError(`--resume: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  let backendName;
  try {
    backendName = await selectBackend(backend);
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw new UsageError(error.message);
    throw error;
  }

  const quiet = Boolean(values.quiet);
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
  process.on('SIGINT', onInterrupt);
  print(`backend=${backendName}`);
  try {
    const result = await train(
      {
        chapter,
        runsDir,
        backend: backendName,
        packageVersion: PACKAGE_VERSION,
        overrides,
        resume,
        shouldStop: () => interrupts > 0,
      },
      {
        log: (line) => {
          if (!quiet || !line.startsWith('epoch=')) print(line);
        },
        progress: (p) => {
          if (!quiet) bar.update(p.epoch, p.epochs, p.batch, p.batches, p.trainLoss);
        },
        runStarted: (run) => print(`run_dir=${run.runDir}`),
      },
    );
    bar.clear();
    print(`status=${result.status.state} run_dir=${result.runDir}`);
    return result.status.state === 'stopped' ? EXIT_INTERRUPTED : EXIT_OK;
  } catch (error) {
    bar.clear();
    err.write(`llm-tutor: training failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
