/**
 * The training loop, for every chapter: it knows a chapter only through the chapter contract
 * (chapters/contract.ts) and reports through events; the CLI prints them, the worker turns them
 * into protocol messages. Everything it learns is written to the run folder as it goes, in an
 * order that keeps the folder readable and resumable whenever the process dies
 * (docs/architecture.md "A run on disk"). One epoch's steps are in epoch.ts, its end in endOfEpoch.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../shared/course/chapter';
import type { BackendChoice } from '../../shared/ids';
import type { Figure, RunConfig, RunStatus, ShapeEntry } from '../../shared/run/records';
import { RunWriter, StagedRunFolder } from '../../runStore';
import { chooseBackend } from '../backend';
import type { Chapter, ChapterModel, RunData, TrainOptimizer } from '../chapters/contract';
import { checkpointFiles, restoreOptimizer, restoreWeights, savedShapes } from '../checkpoint/weights';
import { Parameters } from '../nn/parameters';
import { createRandom } from '../random';
import { disposeBatch } from './batches';
import { endEpoch } from './endOfEpoch';
import { trainEpoch } from './epoch';
import { copyHistory } from './resume';
import { planNewRun, planResume, TrainError, type TrainRequestOptions } from './runConfig';
import type { Session, TrainerEvents } from './session';
import { describeShapes } from './shapes';
import { trainingStepWorkload } from './stepWorkload';

export { TrainError };

export interface TrainSetup extends TrainRequestOptions {
  chapter: Chapter;
  runsDir: string;
  /** `auto` times a few training steps of this run's model on each backend that loads (chooseBackend). */
  backend: BackendChoice;
  packageVersion: string;
  /** A run folder to continue from: its verified checkpoint is loaded, its history copied. */
  resume?: string;
  /** Polled between steps; true stops the run cleanly (status `stopped`). */
  shouldStop?: () => boolean;
  /** Write a `kind: 'step'` metrics line every this many steps (default 50). */
  stepMetricsEvery?: number;
}

export type { TrainerEvents };

export interface TrainResult {
  runId: string;
  runDir: string;
  status: RunStatus;
}

function sameVocab(tokens: readonly string[], saved: readonly string[]): boolean {
  return tokens.length === saved.length && tokens.every((t, i) => t === saved[i]);
}

/** One teacher-forced forward pass on a first batch: every named tensor's shape for `shapes.json`. */
function recordShapes(chapter: Chapter, model: ChapterModel, data: RunData, batchSize: number): ShapeEntry[] {
  const batch = data.firstBatch(batchSize);
  try {
    let entries: ShapeEntry[] = [];
    tf.tidy(() => {
      entries = describeShapes(
        chapter.info,
        model.forward(batch, { training: false, seed: 0 }).named,
        model.parameters,
      );
    });
    return entries;
  } finally {
    disposeBatch(batch);
  }
}

/** The backend of the run: the learner's choice, or for `auto` the faster on a few timed steps of this model. */
async function selectForRun(setup: TrainSetup, hyper: Hyperparameters, data: RunData, events: Partial<TrainerEvents>) {
  if (setup.backend !== 'auto') return chooseBackend(setup.backend);
  const workload = trainingStepWorkload(setup.chapter, hyper, data);
  try {
    return await chooseBackend('auto', workload.step, { log: (line) => events.log?.(line) });
  } finally {
    workload.dispose();
  }
}

/** The two opening lines of the log: what runs, and with which settings. */
function logStart(session: Session, startEpoch: number, resumedFrom: string | undefined): void {
  const { config, hyper, chapter, data } = session;
  session.log(
    `run=${config.runId} chapter=${config.chapter} task=${config.task} variant=${config.variant} backend=${config.backend} parameters=${session.parameters.count()}`,
  );
  const modelSettings = chapter.info.hyperparameters
    .filter((spec) => spec.group === 'model')
    .map((spec) => `${spec.key}=${String(hyper[spec.key])}`);
  session.log(
    `${data.summary} batch_size=${String(hyper.batchSize)} lr=${String(hyper.learningRate)} ${modelSettings.join(' ')} seed=${config.seed} epochs=${String(hyper.epochs)}` +
      (resumedFrom ? ` resumed_from=${resumedFrom} start_epoch=${startEpoch}` : ''),
  );
}

/** Trains a chapter's model and writes the run folder. Resolves when the run ends (completed, stopped or failed). */
export async function train(setup: TrainSetup, events: Partial<TrainerEvents> = {}): Promise<TrainResult> {
  const { chapter } = setup;
  // Everything that can refuse is checked before the run folder exists.
  const resume = setup.resume ? await planResume(chapter, setup.resume, setup) : null;
  const plan = resume
    ? {
        task: resume.previous.task,
        variant: resume.previous.variant,
        seed: resume.previous.seed,
        hyperparameters: resume.hyperparameters,
      }
    : planNewRun(chapter, setup);
  const hyper = plan.hyperparameters;
  const corpus = resume ? resume.previous.data.corpus?.source : setup.corpus;
  const data = chapter.prepare({ task: plan.task, hyperparameters: hyper, seed: plan.seed, corpus });
  if (resume?.previous.data.corpus && data.corpus?.sha256 !== resume.previous.data.corpus.sha256) {
    throw new TrainError(
      `cannot resume: its corpus ${resume.previous.data.corpus.source} has changed since the run was trained`,
    );
  }
  const backend = await selectForRun(setup, hyper, data, events);
  if (
    resume &&
    (!sameVocab(data.sourceVocab.tokens, resume.previous.data.sourceVocab) ||
      !sameVocab(data.targetVocab.tokens, resume.previous.data.targetVocab))
  ) {
    throw new TrainError(
      'cannot resume: the regenerated data has a different vocabulary than the saved run (another version of the task?)',
    );
  }

  let expected: Map<string, number[]> | undefined;
  try {
    expected = resume ? savedShapes(resume.checkpoint) : undefined;
  } catch (error) {
    throw new TrainError(`cannot resume ${setup.resume}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parameters = new Parameters(createRandom(plan.seed), expected);
  let optimizer: TrainOptimizer | null = null;
  let model: ChapterModel;
  try {
    model = chapter.createModel(parameters, hyper, data);
    const stepsPerEpoch = data.epochBatches(1, Number(hyper.batchSize)).length;
    optimizer = chapter.createOptimizer(hyper, { parameters, stepsPerEpoch });
    if (resume) {
      restoreWeights(resume.checkpoint, parameters);
      await restoreOptimizer(resume.checkpoint, optimizer);
    }
  } catch (error) {
    parameters.dispose();
    optimizer?.dispose();
    if (error instanceof Error && resume) throw new TrainError(`cannot resume ${setup.resume}: ${error.message}`);
    throw error;
  }

  // The folder is built under a hidden name and appears, with its config, status, history,
  // shapes and figures, in one rename: a kill before leaves nothing listed as a run.
  let staged: StagedRunFolder;
  try {
    staged = StagedRunFolder.create(setup.runsDir, chapter.info.id);
  } catch (error) {
    parameters.dispose();
    optimizer.dispose();
    throw error;
  }
  const config: RunConfig = {
    formatVersion: 2,
    runId: staged.runId,
    chapter: chapter.info.id,
    task: plan.task,
    variant: plan.variant,
    seed: plan.seed,
    backend: backend.backend,
    backendReason: backend.reason,
    packageVersion: setup.packageVersion,
    createdAt: new Date().toISOString(),
    data: {
      sourceVocab: [...data.sourceVocab.tokens],
      targetVocab: [...data.targetVocab.tokens],
      tokenLevel: data.level,
    },
    hyperparameters: hyper,
  };
  if (data.corpus) config.data.corpus = data.corpus;
  if (resume) config.resumedFrom = resume.previous.runId;
  const startEpoch = (resume?.epochsDone ?? 0) + 1;
  const session: Session = {
    chapter,
    hyper,
    data,
    model,
    parameters,
    optimizer,
    config,
    writer: new RunWriter(staged.dir),
    events,
    log: (line) => {
      session.writer.appendLog(line);
      events.log?.(line);
    },
    status: { state: 'running', startedAt: new Date().toISOString(), epochsCompleted: startEpoch - 1 },
    step: resume?.step ?? 0,
    secondsBefore: resume?.history.filter((r) => r.kind === 'epoch').pop()?.seconds ?? 0,
    startedAt: Date.now(),
    shouldStop: () => setup.shouldStop?.() ?? false,
    stepMetricsEvery: setup.stepMetricsEvery ?? 50,
    figures: [],
    previewAfterFirstStep: !resume,
  };

  let shapes: ShapeEntry[];
  let figures: Figure[];
  try {
    session.writer.writeConfig(config);
    if (resume && setup.resume) {
      await copyHistory(setup.resume, session.writer, resume.history, resume.epochsDone, session.log);
      // The weights and optimiser state it continues from, so that its status never counts an
      // epoch without a checkpoint: killed during its first epoch, it is resumable too.
      const files = await checkpointFiles(
        parameters,
        optimizer,
        `llm-tutor ${config.packageVersion} (${config.chapter})`,
      );
      session.writer.writeCheckpoint(resume.epochsDone, session.step, files);
    }
    session.writer.writeStatus(session.status);
    shapes = recordShapes(chapter, model, data, Number(hyper.batchSize));
    session.writer.writeShapes(shapes);
    figures = chapter.figures?.(hyper, data, model) ?? [];
    session.figures = figures;
    if (figures.length > 0) session.writer.writeFigures(figures);
    const published = staged.publish((runId) => {
      config.runId = runId;
      session.writer.writeConfig(config);
    });
    session.writer = new RunWriter(published.dir);
  } catch (error) {
    parameters.dispose();
    optimizer.dispose();
    staged.discard();
    throw error;
  }
  const { runId } = config;
  const runDir = session.writer.dir;
  const writer = session.writer;

  try {
    events.runStarted?.({ runId, runDir, config, shapes, figures });
    logStart(session, startEpoch, resume?.previous.runId);
    session.startedAt = Date.now();

    let stopped = false;
    for (let epoch = startEpoch; epoch <= Number(hyper.epochs) && !stopped; epoch++) {
      const training = await trainEpoch(session, epoch);
      stopped = training.stopped;
      if (!stopped) await endEpoch(session, epoch, training);
    }
    const done = session.status.epochsCompleted;
    if (stopped) session.log(`stopped after ${done} complete epoch(s); the saved model is that of epoch ${done}`);
    else data.finalReport(model, shapes, session.log);
    session.status = { ...session.status, state: stopped ? 'stopped' : 'completed', endedAt: new Date().toISOString() };
    writer.writeStatus(session.status);
    events.ended?.(session.status);
    return { runId, runDir, status: session.status };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    session.status = {
      ...session.status,
      state: 'failed',
      endedAt: new Date().toISOString(),
      error: message.split('\n')[0],
    };
    writer.writeStatus(session.status);
    session.log(`failed: ${message}`);
    events.ended?.(session.status);
    throw error;
  } finally {
    parameters.dispose();
    optimizer?.dispose();
  }
}
