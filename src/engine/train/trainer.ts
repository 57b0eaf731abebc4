/**
 * The training loop. It knows a chapter only through `TrainableChapter` and reports through
 * events; the CLI prints them, the worker turns them into protocol messages. Everything it
 * learns is written to the run folder as it goes, so a stopped or crashed run stays readable.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  AttentionSnapshot,
  BackendName,
  EpochMetrics,
  RunConfig,
  RunStatus,
  SamplesSnapshot,
  ShapeEntry,
  StepMetrics,
  TrainOverrides,
} from '../../protocol/run';
import { describeShapes } from '../chapters/glossary';
import type { Seq2SeqModel, TrainableChapter } from '../chapters/types';
import { clipByGlobalNorm, maskedCrossEntropy } from '../nn/loss';
import { Parameters } from '../nn/parameters';
import { createRandom } from '../random';
import { readConfig, readStatus } from '../../runStore/reader';
import { createRunFolder, RunWriter } from '../../runStore/writer';
import { loadWeights, MODEL_WEIGHTS, OPTIMIZER_STATE, saveWeights } from '../checkpoint/weights';
import { DEFAULT_TASK_SIZES, generateTask, isTaskName, joinTokens } from '../tasks';
import type { TaskData } from '../tasks/types';
import { Vocab } from '../tasks/vocab';
import { disposeBatch, encodeExamples, makeBatch, shuffledBatches, type EncodedExample } from './batches';
import { bucketEdges, evaluate } from './evaluate';
import { probeAttention } from './probes';
import { copyHistory } from './resume';
import { formatEpochLine, formatSampleLine } from './format';

/** Extra knobs for tests and benchmarks (dataset sizes), on top of what a learner may change. */
export interface TrainKnobs extends TrainOverrides {
  trainSize?: number;
  validationSize?: number;
  testSize?: number;
  embeddingSize?: number;
  attentionSize?: number;
  clipNorm?: number;
}

export interface TrainSetup {
  chapter: TrainableChapter;
  runsDir: string;
  backend: BackendName;
  packageVersion: string;
  overrides: TrainKnobs;
  /** A run folder to continue from: its weights and optimiser state are loaded, its history copied. */
  resume?: string;
  /** Polled between steps; true stops the run cleanly (status `stopped`). */
  shouldStop?: () => boolean;
  /** Write a `kind: 'step'` metrics line every this many steps (default 50). */
  stepMetricsEvery?: number;
}

export interface TrainerEvents {
  runStarted(run: { runId: string; runDir: string; config: RunConfig; shapes: ShapeEntry[] }): void;
  progress(progress: { epoch: number; epochs: number; batch: number; batches: number; trainLoss: number }): void;
  stepMetrics(metrics: StepMetrics): void;
  epoch(metrics: EpochMetrics, attention: AttentionSnapshot | null, samples: SamplesSnapshot): void;
  log(line: string): void;
  ended(status: RunStatus): void;
}

export interface TrainResult {
  runId: string;
  runDir: string;
  status: RunStatus;
}

/** Validation examples shown as samples every epoch (the probes' attention is saved separately). */
const SAMPLE_COUNT = 8;
const LOSS_READ_EVERY = 10;

export class TrainError extends Error {}

async function resolveConfig(setup: TrainSetup): Promise<{
  config: Omit<RunConfig, 'runId' | 'sourceVocab' | 'targetVocab' | 'tokenLevel'>;
  startEpoch: number;
  previous?: RunConfig;
}> {
  const defaults = setup.chapter.defaults;
  const o = setup.overrides;
  if (setup.resume) {
    const previous = await readConfig(setup.resume);
    const status = await readStatus(setup.resume);
    if (previous.chapter !== setup.chapter.info.id)
      throw new TrainError(`cannot resume: ${setup.resume} is a ${previous.chapter} run, not ${setup.chapter.info.id}`);
    const epochs = o.epochs ?? previous.epochs;
    if (epochs <= status.epochsCompleted) {
      throw new TrainError(
        `cannot resume: the run already has ${status.epochsCompleted} epochs; ask for more with --epochs N (N > ${status.epochsCompleted})`,
      );
    }
    const { runId: _runId, sourceVocab: _s, targetVocab: _t, tokenLevel: _l, ...rest } = previous;
    return {
      config: {
        ...rest,
        epochs,
        learningRate: o.learningRate ?? previous.learningRate,
        backend: setup.backend,
        packageVersion: setup.packageVersion,
        createdAt: new Date().toISOString(),
        resumedFrom: previous.runId,
      },
      startEpoch: status.epochsCompleted + 1,
      previous,
    };
  }
  const task = o.task ?? defaults.task;
  if (!isTaskName(task) || !setup.chapter.info.tasks.includes(task)) {
    throw new TrainError(
      `unknown task '${task}' for chapter ${setup.chapter.info.id}; choose one of: ${setup.chapter.info.tasks.join(', ')}`,
    );
  }
  const sizes = DEFAULT_TASK_SIZES[task];
  return {
    config: {
      chapter: setup.chapter.info.id,
      task,
      epochs: o.epochs ?? defaults.epochs,
      batchSize: o.batchSize ?? defaults.batchSize,
      learningRate: o.learningRate ?? defaults.learningRate,
      hiddenSize: o.hiddenSize ?? defaults.hiddenSize,
      embeddingSize: o.embeddingSize ?? defaults.embeddingSize,
      attentionSize: o.attentionSize ?? defaults.attentionSize,
      clipNorm: o.clipNorm ?? defaults.clipNorm,
      seed: o.seed ?? 42,
      trainSize: o.trainSize ?? sizes.trainSize,
      validationSize: o.validationSize ?? sizes.validationSize,
      testSize: o.testSize ?? sizes.testSize,
      backend: setup.backend,
      packageVersion: setup.packageVersion,
      createdAt: new Date().toISOString(),
    },
    startEpoch: 1,
  };
}

function sameVocab(a: Vocab, tokens: string[]): boolean {
  return a.tokens.length === tokens.length && a.tokens.every((t, i) => t === tokens[i]);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Trains a chapter's model and writes the run folder. Resolves when the run ends (completed, stopped or failed). */
export async function train(setup: TrainSetup, events: Partial<TrainerEvents> = {}): Promise<TrainResult> {
  const { config: base, startEpoch, previous } = await resolveConfig(setup);
  const task: TaskData = generateTask(base.task as 'dates' | 'phrases', {
    seed: base.seed,
    trainSize: base.trainSize,
    validationSize: base.validationSize,
    testSize: base.testSize,
  });
  if (
    previous &&
    (!sameVocab(task.sourceVocab, previous.sourceVocab) || !sameVocab(task.targetVocab, previous.targetVocab))
  ) {
    throw new TrainError(
      'cannot resume: the regenerated task has a different vocabulary than the saved run (another version of the task generator?)',
    );
  }
  const { runId, dir: runDir } = createRunFolder(setup.runsDir, base.chapter);
  const config: RunConfig = {
    ...base,
    runId,
    sourceVocab: [...task.sourceVocab.tokens],
    targetVocab: [...task.targetVocab.tokens],
    tokenLevel: task.level,
  };
  const writer = new RunWriter(runDir);
  const startedAt = new Date().toISOString();
  let status: RunStatus = { state: 'running', startedAt, epochsCompleted: startEpoch - 1 };
  writer.writeConfig(config);
  const log = (line: string) => {
    writer.appendLog(line);
    events.log?.(line);
  };

  const parameters = new Parameters(createRandom(config.seed));
  let optimizer: tf.Optimizer | null = null;
  try {
    let secondsBefore = 0;
    let step = 0;
    if (previous && setup.resume) {
      const history = await copyHistory(setup.resume, writer, startEpoch - 1);
      secondsBefore = history.seconds;
      step = history.step;
    }
    writer.writeStatus(status);
    const model = setup.chapter.createModel(parameters, {
      sourceVocabSize: task.sourceVocab.size,
      targetVocabSize: task.targetVocab.size,
      embeddingSize: config.embeddingSize,
      hiddenSize: config.hiddenSize,
      attentionSize: config.attentionSize,
    });
    optimizer = tf.train.adam(config.learningRate);
    if (previous && setup.resume) await restoreState(setup.resume, parameters, optimizer);

    const train = encodeExamples(task.train, task.sourceVocab, task.targetVocab);
    const validation = encodeExamples(task.validation, task.sourceVocab, task.targetVocab);
    const probes = encodeExamples(task.probes, task.sourceVocab, task.targetVocab);
    const sourceLengths = train.map((item) => item.sourceIds.length);
    const edges = bucketEdges(validation.map((item) => item.sourceIds.length));
    const shapes = recordShapes(model, train.slice(0, config.batchSize));
    writer.writeShapes(shapes);
    events.runStarted?.({ runId, runDir, config, shapes });
    log(
      `run=${runId} chapter=${config.chapter} task=${config.task} backend=${config.backend} parameters=${parameters.count()}`,
    );
    log(
      `train=${train.length} validation=${validation.length} test=${task.test.length} batch_size=${config.batchSize} lr=${config.learningRate} hidden=${config.hiddenSize} seed=${config.seed} epochs=${config.epochs}${config.resumedFrom ? ` resumed_from=${config.resumedFrom} start_epoch=${startEpoch}` : ''}`,
    );

    const runStart = Date.now();
    const variables = parameters.list();
    const stepEvery = setup.stepMetricsEvery ?? 50;
    let stopped = false;
    for (let epoch = startEpoch; epoch <= config.epochs && !stopped; epoch++) {
      const epochStart = Date.now();
      const batches = shuffledBatches(sourceLengths, config.batchSize, createRandom(config.seed * 7919 + epoch));
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
        const batch = makeBatch(batches[b].map((i) => train[i]));
        const loss = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const { logits } = model.teacherForced(batch);
            return maskedCrossEntropy(logits, batch.targetIds, batch.targetMask);
          }, variables);
          optimizer!.applyGradients(clipByGlobalNorm(grads, config.clipNorm));
          return value;
        });
        disposeBatch(batch);
        pending.push(loss);
        trained += batches[b].length;
        step++;
        // Read the loss back only every few steps: one sync for many steps.
        if (pending.length >= LOSS_READ_EVERY || b === batches.length - 1) {
          const stacked = tf.stack(pending); // [steps]
          const values = await stacked.data();
          tf.dispose([stacked, ...pending]);
          pending = [];
          for (const v of values) {
            epochLossSum += v;
            windowLossSum += v;
          }
          epochLossBatches += values.length;
          windowBatches += values.length;
          lastLoss = values[values.length - 1];
          if (!Number.isFinite(lastLoss))
            throw new TrainError(
              `training diverged: loss is ${lastLoss} at epoch ${epoch}, step ${step} (try a smaller --lr)`,
            );
        }
        if (step % stepEvery === 0 && windowBatches > 0) {
          const metrics: StepMetrics = {
            kind: 'step',
            epoch,
            step,
            train_loss: windowLossSum / windowBatches,
            seconds: secondsBefore + (Date.now() - runStart) / 1000,
            samples_per_second: trained / Math.max((Date.now() - epochStart) / 1000, 1e-9),
          };
          writer.appendMetrics(metrics);
          events.stepMetrics?.(metrics);
          windowLossSum = 0;
          windowBatches = 0;
        }
        events.progress?.({ epoch, epochs: config.epochs, batch: b + 1, batches: batches.length, trainLoss: lastLoss });
        await yieldToEventLoop();
      }
      tf.dispose(pending);
      if (stopped) break;
      const trainSeconds = (Date.now() - epochStart) / 1000;

      const evaluation = evaluate(model, validation, task.targetVocab, edges);
      const metrics: EpochMetrics = {
        kind: 'epoch',
        epoch,
        step,
        train_loss: epochLossSum / Math.max(epochLossBatches, 1),
        val_loss: evaluation.loss,
        val_token_accuracy: evaluation.tokenAccuracy,
        val_exact_match: evaluation.exactMatch,
        seconds: secondsBefore + (Date.now() - runStart) / 1000,
        samples_per_second: trained / Math.max(trainSeconds, 1e-9),
        buckets: evaluation.buckets,
      };
      const probeMaps = probeAttention(model, probes, task.targetVocab);
      const attention: AttentionSnapshot | null = probeMaps.some((p) => p.greedy.length > 0)
        ? { epoch, probes: probeMaps }
        : null;
      const samples: SamplesSnapshot = {
        epoch,
        samples: validation.slice(0, SAMPLE_COUNT).map((item, i) => ({
          source: joinTokens(item.example.source, task.level),
          target: joinTokens(item.example.target, task.level),
          predicted: joinTokens(evaluation.decoded[i].tokens, task.level),
          sourceTokens: item.example.source,
          targetTokens: item.example.target,
          predictedTokens: evaluation.decoded[i].tokens,
          correct: evaluation.correct[i],
        })),
      };
      if (attention) writer.writeAttention(attention);
      writer.writeSamples(samples);
      await saveState(writer.modelDir, parameters, optimizer, config);
      writer.appendMetrics(metrics);
      status = { ...status, epochsCompleted: epoch };
      writer.writeStatus(status);
      log(formatEpochLine(metrics, config.epochs));
      events.epoch?.(metrics, attention, samples);
    }

    if (stopped) {
      await saveState(writer.modelDir, parameters, optimizer, config);
      log(`stopped after ${status.epochsCompleted} complete epoch(s)`);
    } else {
      finalReport(model, task, encodeExamples(task.test, task.sourceVocab, task.targetVocab), validation, shapes, log);
    }
    status = { ...status, state: stopped ? 'stopped' : 'completed', endedAt: new Date().toISOString() };
    writer.writeStatus(status);
    events.ended?.(status);
    return { runId, runDir, status };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    status = { ...status, state: 'failed', endedAt: new Date().toISOString(), error: message };
    writer.writeStatus(status);
    log(`failed: ${message}`);
    events.ended?.(status);
    throw error;
  } finally {
    parameters.dispose();
    optimizer?.dispose();
  }
}

/** One teacher-forced forward pass: every named tensor's shape for `shapes.json`. */
function recordShapes(model: Seq2SeqModel, items: EncodedExample[]): ShapeEntry[] {
  const batch = makeBatch(items);
  try {
    let entries: ShapeEntry[] = [];
    tf.tidy(() => {
      entries = describeShapes(model.teacherForced(batch).named, model.parameters);
    });
    return entries;
  } finally {
    disposeBatch(batch);
  }
}

async function saveState(
  dir: string,
  parameters: Parameters,
  optimizer: tf.Optimizer,
  config: RunConfig,
): Promise<void> {
  const generatedBy = `llm-tutor ${config.packageVersion} (${config.chapter})`;
  await saveWeights(
    dir,
    MODEL_WEIGHTS,
    parameters.entries().map(([name, tensor]) => ({ name, tensor })),
    generatedBy,
  );
  // [iterations, ...first moments, ...second moments]; the iterations scalar is created for us.
  const optimizerWeights = await optimizer.getWeights();
  try {
    await saveWeights(
      dir,
      OPTIMIZER_STATE,
      optimizerWeights.map((w, i) => ({ name: `optimizer/${i}`, tensor: w.tensor })),
      generatedBy,
    );
  } finally {
    optimizerWeights[0]?.tensor.dispose();
  }
}

async function restoreState(runDir: string, parameters: Parameters, optimizer: tf.Optimizer): Promise<void> {
  const modelDir = new RunWriter(runDir).modelDir;
  const weights = loadWeights(modelDir, MODEL_WEIGHTS);
  try {
    parameters.assign(weights);
  } finally {
    tf.dispose([...weights.values()]);
  }
  const state = loadWeights(modelDir, OPTIMIZER_STATE);
  const ordered = [...state.entries()].sort((a, b) => Number(a[0].split('/')[1]) - Number(b[0].split('/')[1]));
  try {
    await optimizer.setWeights(ordered.map(([name, tensor]) => ({ name, tensor }))); // variables share the data
  } finally {
    tf.dispose(ordered.map(([, tensor]) => tensor));
  }
}

/** The closing lines: test accuracy, the course's three shapes, attention row sums and samples. */
function finalReport(
  model: Seq2SeqModel,
  task: TaskData,
  test: EncodedExample[],
  validation: EncodedExample[],
  shapes: ShapeEntry[],
  log: (line: string) => void,
): void {
  const testEvaluation = evaluate(
    model,
    test,
    task.targetVocab,
    bucketEdges(test.map((item) => item.sourceIds.length)),
  );
  log(
    `test_loss=${testEvaluation.loss.toFixed(4)} test_token_acc=${testEvaluation.tokenAccuracy.toFixed(4)} test_exact=${testEvaluation.exactMatch.toFixed(4)}`,
  );
  const shapeOf = (name: string) => shapes.find((s) => s.name === name);
  const describe = (entry: ShapeEntry | undefined) =>
    entry ? `(${entry.dims.join(', ')})=(${entry.shape.join(', ')})` : 'none';
  const attention = shapeOf('attention_weights');
  log(
    `attention_shape=${attention ? describe(attention) : 'none (this chapter has no attention)'} logits_shape=${describe(shapeOf('logits'))}`,
  );
  if (attention) {
    const batch = makeBatch(validation.slice(0, 64));
    const sums = tf.tidy(() => {
      const weights = model.teacherForced(batch).attentionWeights!; // [batch, target_len, source_len]
      const rowSums = tf.sum(weights, 2); // [batch, target_len]
      return tf.stack([tf.min(rowSums), tf.max(rowSums)]);
    });
    const [min, max] = sums.dataSync();
    sums.dispose();
    disposeBatch(batch);
    log(`attention_row_sums min=${min.toFixed(6)} max=${max.toFixed(6)}`);
  }
  for (let i = 0; i < Math.min(5, test.length); i++) {
    log(formatSampleLine(test[i].example, testEvaluation.decoded[i].tokens, task.level));
  }
}
