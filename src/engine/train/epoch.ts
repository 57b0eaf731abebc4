/**
 * The training steps of one epoch (or evaluation period): forward, masked cross-entropy (plus a
 * chapter's auxiliary loss), gradients, clipping, the optimiser. The loss is read back every few
 * steps, not every step (one sync for many steps); a `kind: 'step'` line every N steps also
 * carries the gradient norm of each weight group the chapter names (e.g. per layer).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StepRecord } from '../../shared/run/records';
import { clipByGlobalNorm, maskedCrossEntropy } from '../nn/loss';
import { disposeBatch } from './batches';
import { sendPreviewAfterFirstStep } from './preview';
import { TrainError } from './runConfig';
import { runSeconds, type Session } from './session';

/** The loss is read back from the backend every this many steps. */
const LOSS_READ_EVERY = 10;

export interface EpochTraining {
  stopped: boolean;
  meanLoss: number;
  /** Examples trained on, and the seconds the steps took. */
  trained: number;
  seconds: number;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `[groups]`: the L2 norm of each group's gradients, in the order of `names`. */
function groupNorms(
  gradients: tf.NamedTensorMap,
  groupOf: (name: string) => string | null,
  names: string[],
): tf.Tensor1D {
  const squares = new Map<string, tf.Scalar[]>();
  for (const [name, gradient] of Object.entries(gradients)) {
    const group = groupOf(name.replace(/^model\d+\//, ''));
    if (group === null) continue;
    if (!squares.has(group)) names.push(group);
    squares.set(group, [...(squares.get(group) ?? []), tf.sum(tf.square(gradient))]);
  }
  return tf.sqrt(tf.stack(names.map((group) => tf.addN(squares.get(group)!)))) as tf.Tensor1D; // [groups]
}

export async function trainEpoch(session: Session, epoch: number): Promise<EpochTraining> {
  const { chapter, data, model, optimizer, hyper } = session;
  const epochs = Number(hyper.epochs);
  const clipNorm = typeof hyper.clipNorm === 'number' ? hyper.clipNorm : null;
  const variables = session.parameters.list();
  const started = Date.now();
  const batches = data.epochBatches(epoch, Number(hyper.batchSize));
  let pending: tf.Scalar[] = [];
  let lossSum = 0;
  let lossCount = 0;
  let windowSum = 0;
  let windowCount = 0;
  let lastLoss = Number.NaN;
  let trained = 0;
  for (let b = 0; b < batches.length; b++) {
    if (session.shouldStop())
      return { stopped: true, meanLoss: Number.NaN, trained, seconds: (Date.now() - started) / 1000 };
    const batch = data.batch(batches[b]);
    session.step++;
    const step = session.step;
    const reportsStep = step % session.stepMetricsEvery === 0;
    const groups: string[] = [];
    let norms: tf.Tensor1D | null = null;
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const output = model.forward(batch, { training: true, seed: session.config.seed * 1000003 + step });
        const crossEntropy = maskedCrossEntropy(output.logits, batch.targets, batch.lossMask);
        return output.auxiliaryLoss ? (tf.add(crossEntropy, output.auxiliaryLoss) as tf.Scalar) : crossEntropy;
      }, variables);
      if (reportsStep && chapter.gradientGroups) norms = tf.keep(groupNorms(grads, chapter.gradientGroups, groups));
      optimizer.applyGradients(clipNorm === null ? grads : clipByGlobalNorm(grads, clipNorm), step);
      return value;
    });
    disposeBatch(batch);
    // Before the loss is read back: the maps (read with the new weights) reach the learner sooner.
    if (step === 1) sendPreviewAfterFirstStep(session);
    pending.push(loss);
    trained += batches[b].length;
    if (pending.length >= LOSS_READ_EVERY || b === batches.length - 1 || reportsStep) {
      const stacked = tf.stack(pending); // [steps]
      const values = await stacked.data();
      tf.dispose([stacked, ...pending]);
      pending = [];
      for (const value of values) {
        lossSum += value;
        windowSum += value;
      }
      lossCount += values.length;
      windowCount += values.length;
      lastLoss = values[values.length - 1];
      if (!Number.isFinite(lastLoss)) {
        tf.dispose(norms ?? []);
        throw new TrainError(
          `training diverged: loss is ${lastLoss} at epoch ${epoch}, step ${step} (try a smaller learning rate)`,
        );
      }
    }
    if (reportsStep && windowCount > 0) {
      const metrics: StepRecord = {
        kind: 'step',
        epoch,
        step,
        seconds: runSeconds(session),
        samples_per_second: trained / Math.max((Date.now() - started) / 1000, 1e-9),
        train_loss: windowSum / windowCount,
        learning_rate: optimizer.learningRate(step),
      };
      if (norms) {
        const values = await (norms as tf.Tensor1D).data();
        metrics.gradient_norms = Object.fromEntries(groups.map((group, i) => [group, values[i]]));
      }
      session.writer.appendMetrics(metrics);
      session.events.stepMetrics?.(metrics);
      windowSum = 0;
      windowCount = 0;
    }
    tf.dispose(norms ?? []);
    session.events.progress?.({ epoch, epochs, batch: b + 1, batches: batches.length, trainLoss: lastLoss });
    await yieldToEventLoop();
  }
  tf.dispose(pending);
  return {
    stopped: false,
    meanLoss: lossSum / Math.max(lossCount, 1),
    trained,
    seconds: (Date.now() - started) / 1000,
  };
}
