/**
 * The training loop, for every chapter. It knows a chapter only through the chapter contract
 * (chapters/contract.ts) and reports through events; the CLI prints them, the worker turns them
 * into protocol messages. Everything it learns is written to the run folder as it goes, in an
 * order that keeps the folder readable and resumable whenever the process dies (docs/architecture.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  AttentionSnapshot,
  EvaluationRecord,
  Figure,
  RunConfig,
  RunStatus,
  SamplesSnapshot,
  ShapeEntry,
  StepRecord,
} from '../../shared/run/records';
import type { BackendChoice } from '../../shared/ids';
import { chooseBackend } from '../backend';
import { createRunFolder, RunWriter } from '../../runStore';
import type { Hyperparameters } from '../../shared/course/chapter';
import type { Chapter, ChapterModel, RunData, TrainOptimizer } from '../chapters/contract';
import { checkpointFiles, restoreOptimizer, restoreWeights } from '../checkpoint/weights';
import { clipByGlobalNorm, maskedCrossEntropy } from '../nn/loss';
import { Parameters } from '../nn/parameters';
import { createRandom } from '../random';
import { disposeBatch } from './batches';
import { formatChecksLine, formatEvaluationLine } from './format';
import { copyHistory } from './resume';
import { planNewRun, planResume, TrainError, type TrainRequestOptions } from './runConfig';
import { describeShapes } from './shapes';
import { trainingStepWorkload } from './stepWorkload';
import { buildSnapshot, snapshotChecks } from './snapshot';

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

export interface TrainerEvents {
  runStarted(run: { runId: string; runDir: string; config: RunConfig; shapes: ShapeEntry[]; figures: Figure[] }): void;
  progress(p: { epoch: number; epochs: number; batch: number; batches: number; trainLoss: number }): void;
  stepMetrics(metrics: StepRecord): void;
  epoch(metrics: EvaluationRecord, attention: AttentionSnapshot | null, samples: SamplesSnapshot): void;
  log(line: string): void;
  ended(status: RunStatus): void;
}

export interface TrainResult {
  runId: string;
  runDir: string;
  status: RunStatus;
}

/** The loss is read back from the backend every this many steps: one sync for many steps. */
const LOSS_READ_EVERY = 10;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
  const epochs = Number(hyper.epochs);
  const batchSize = Number(hyper.batchSize);
  const clipNorm = typeof hyper.clipNorm === 'number' ? hyper.clipNorm : null;
  const data = chapter.prepare({ task: plan.task, hyperparameters: hyper, seed: plan.seed });
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

  const parameters = new Parameters(createRandom(plan.seed));
  let optimizer: TrainOptimizer | null = null;
  let model: ChapterModel;
  try {
    model = chapter.createModel(parameters, hyper, data);
    optimizer = chapter.createOptimizer(hyper);
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

  const { runId, dir: runDir } = createRunFolder(setup.runsDir, chapter.info.id);
  const config: RunConfig = {
    formatVersion: 2,
    runId,
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
  const writer = new RunWriter(runDir);
  const startEpoch = (resume?.epochsDone ?? 0) + 1;
  let status: RunStatus = { state: 'running', startedAt: new Date().toISOString(), epochsCompleted: startEpoch - 1 };
  writer.writeConfig(config);
  const log = (line: string) => {
    writer.appendLog(line);
    events.log?.(line);
  };

  try {
    let secondsBefore = 0;
    let step = 0;
    if (resume && setup.resume) {
      await copyHistory(setup.resume, writer, resume.history, resume.epochsDone, log);
      const last = resume.history.filter((r) => r.kind === 'epoch').pop();
      secondsBefore = last?.seconds ?? 0;
      step = resume.step;
    }
    writer.writeStatus(status);
    const shapes = recordShapes(chapter, model, data, batchSize);
    writer.writeShapes(shapes);
    const figures = chapter.figures?.(hyper, data) ?? [];
    if (figures.length > 0) writer.writeFigures(figures);
    events.runStarted?.({ runId, runDir, config, shapes, figures });
    log(
      `run=${runId} chapter=${config.chapter} task=${config.task} variant=${config.variant} backend=${config.backend} parameters=${parameters.count()}`,
    );
    const modelSettings = chapter.info.hyperparameters
      .filter((spec) => spec.group === 'model')
      .map((spec) => `${spec.key}=${String(hyper[spec.key])}`);
    log(
      `${data.summary} batch_size=${batchSize} lr=${String(hyper.learningRate)} ${modelSettings.join(' ')} seed=${config.seed} epochs=${epochs}` +
        (resume ? ` resumed_from=${resume.previous.runId} start_epoch=${startEpoch}` : ''),
    );

    const runStart = Date.now();
    const variables = parameters.list();
    const stepEvery = setup.stepMetricsEvery ?? 50;
    let stopped = false;
    for (let epoch = startEpoch; epoch <= epochs && !stopped; epoch++) {
      const epochStart = Date.now();
      const batches = data.epochBatches(epoch, batchSize);
      let pending: tf.Scalar[] = [];
      let epochLossSum = 0;
      let epochLossBatches = 0;
      let windowLossSum = 0;
      let windowBatches = 0;
      let lastLoss = Number.NaN;
      let trained = 0;
      for (let b = 0; b < batches.length; b++) {
        if (setup.shouldStop?.()) {
          stopped = true;
          break;
        }
        const batch = data.batch(batches[b]);
        step++;
        const stepSeed = config.seed * 1000003 + step;
        const loss = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const output = model.forward(batch, { training: true, seed: stepSeed });
            const crossEntropy = maskedCrossEntropy(output.logits, batch.targets, batch.lossMask);
            return output.auxiliaryLoss ? (tf.add(crossEntropy, output.auxiliaryLoss) as tf.Scalar) : crossEntropy;
          }, variables);
          optimizer!.applyGradients(clipNorm === null ? grads : clipByGlobalNorm(grads, clipNorm), step);
          return value;
        });
        disposeBatch(batch);
        pending.push(loss);
        trained += batches[b].length;
        if (pending.length >= LOSS_READ_EVERY || b === batches.length - 1) {
          const stacked = tf.stack(pending); // [steps]
          const values = await stacked.data();
          tf.dispose([stacked, ...pending]);
          pending = [];
          for (const value of values) {
            epochLossSum += value;
            windowLossSum += value;
          }
          epochLossBatches += values.length;
          windowBatches += values.length;
          lastLoss = values[values.length - 1];
          if (!Number.isFinite(lastLoss)) {
            throw new TrainError(
              `training diverged: loss is ${lastLoss} at epoch ${epoch}, step ${step} (try a smaller learning rate)`,
            );
          }
        }
        if (step % stepEvery === 0 && windowBatches > 0) {
          const metrics: StepRecord = {
            kind: 'step',
            epoch,
            step,
            seconds: secondsBefore + (Date.now() - runStart) / 1000,
            samples_per_second: trained / Math.max((Date.now() - epochStart) / 1000, 1e-9),
            train_loss: windowLossSum / windowBatches,
            learning_rate: optimizer.learningRate(step),
          };
          writer.appendMetrics(metrics);
          events.stepMetrics?.(metrics);
          windowLossSum = 0;
          windowBatches = 0;
        }
        events.progress?.({ epoch, epochs, batch: b + 1, batches: batches.length, trainLoss: lastLoss });
        await yieldToEventLoop();
      }
      tf.dispose(pending);
      if (stopped) break;
      const trainSeconds = (Date.now() - epochStart) / 1000;

      const evaluation = data.evaluate(model);
      const metrics: EvaluationRecord = {
        kind: 'epoch',
        epoch,
        step,
        seconds: secondsBefore + (Date.now() - runStart) / 1000,
        samples_per_second: trained / Math.max(trainSeconds, 1e-9),
        train_loss: epochLossSum / Math.max(epochLossBatches, 1),
        learning_rate: optimizer.learningRate(step),
        values: evaluation.values,
      };
      if (evaluation.buckets) metrics.buckets = evaluation.buckets;
      const probes = data.probe(model);
      const context = { model, data, hyperparameters: hyper, task: config.task, probes };
      const checks = snapshotChecks(chapter, context);
      const hasMaps = probes.probes.some((probe) => probe.maps.length > 0);
      const attention = hasMaps ? buildSnapshot(epoch, step, context, checks) : null;
      const samples: SamplesSnapshot = { epoch, samples: evaluation.samples };
      // The order keeps the folder resumable at every point: a checkpoint is written only after
      // its epoch's metrics line, and the status counts an epoch only once its checkpoint exists.
      if (attention) writer.writeAttention(attention);
      writer.writeSamples(samples);
      writer.appendMetrics(metrics);
      writer.writeCheckpoint(
        epoch,
        step,
        await checkpointFiles(parameters, optimizer, `llm-tutor ${config.packageVersion} (${config.chapter})`),
      );
      status = { ...status, epochsCompleted: epoch };
      writer.writeStatus(status);
      log(formatEvaluationLine(metrics, chapter.info, epochs));
      if (checks.length > 0) log(formatChecksLine(checks));
      events.epoch?.(metrics, attention, samples);
    }

    if (stopped)
      log(
        `stopped after ${status.epochsCompleted} complete epoch(s); the saved model is that of epoch ${status.epochsCompleted}`,
      );
    else data.finalReport(model, shapes, log);
    status = { ...status, state: stopped ? 'stopped' : 'completed', endedAt: new Date().toISOString() };
    writer.writeStatus(status);
    events.ended?.(status);
    return { runId, runDir, status };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    status = { ...status, state: 'failed', endedAt: new Date().toISOString(), error: message.split('\n')[0] };
    writer.writeStatus(status);
    log(`failed: ${message}`);
    events.ended?.(status);
    throw error;
  } finally {
    parameters.dispose();
    optimizer?.dispose();
  }
}
