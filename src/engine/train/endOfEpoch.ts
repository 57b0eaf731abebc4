/**
 * The end of an epoch: evaluation, the probes' attention and the self-checks, then everything
 * written in the order that keeps the run folder readable and resumable at every point (a
 * checkpoint only after its epoch's metrics line; the status counts an epoch only once its
 * checkpoint exists).
 */
import type { EvaluationRecord, Figure, SamplesSnapshot } from '../../shared/run/records';
import { checkpointFiles } from '../checkpoint/weights';
import type { EpochTraining } from './epoch';
import { formatChecksLine, formatEvaluationLine } from './format';
import { runSeconds, type Session } from './session';
import { buildSnapshot, snapshotChecks } from './snapshot';

export async function endEpoch(session: Session, epoch: number, training: EpochTraining): Promise<void> {
  const { chapter, data, model, optimizer, writer, config } = session;
  const evaluation = data.evaluate(model);
  const metrics: EvaluationRecord = {
    kind: 'epoch',
    epoch,
    step: session.step,
    seconds: runSeconds(session),
    samples_per_second: training.trained / Math.max(training.seconds, 1e-9),
    train_loss: training.meanLoss,
    learning_rate: optimizer.learningRate(session.step),
    values: evaluation.values,
  };
  if (evaluation.buckets) metrics.buckets = evaluation.buckets;
  const probes = data.probe(model);
  const context = { model, data, hyperparameters: session.hyper, task: config.task, probes, evaluation };
  const checks = snapshotChecks(chapter, context);
  const hasMaps = probes.probes.some((probe) => probe.maps.length > 0);
  const attention = hasMaps ? buildSnapshot(epoch, session.step, context, checks) : null;
  const samples: SamplesSnapshot = { epoch, samples: evaluation.samples };
  const figures = trainedFigures(session, epoch);
  if (attention) writer.writeAttention(attention);
  writer.writeSamples(samples);
  if (figures) writer.writeFigures(figures);
  writer.appendMetrics(metrics);
  const files = await checkpointFiles(
    session.parameters,
    optimizer,
    `llm-tutor ${config.packageVersion} (${config.chapter})`,
  );
  writer.writeCheckpoint(epoch, session.step, files);
  session.status = { ...session.status, epochsCompleted: epoch };
  writer.writeStatus(session.status);
  session.log(formatEvaluationLine(metrics, chapter.info, Number(session.hyper.epochs)));
  if (checks.length > 0) session.log(formatChecksLine(checks));
  session.events.epoch?.(metrics, attention, samples, figures ?? undefined);
}

/** The run's figures with those the chapter measured on the model after this evaluation, or null when none. */
function trainedFigures(session: Session, epoch: number): Figure[] | null {
  const { chapter, hyper, data, model } = session;
  const measured =
    chapter.trainedFigures?.({ hyperparameters: hyper, data, model, epoch, final: epoch >= Number(hyper.epochs) }) ??
    [];
  if (measured.length === 0) return null;
  const kept = session.figures.map((figure) => measured.find((m) => m.id === figure.id) ?? figure);
  const added = measured.filter((m) => !session.figures.some((figure) => figure.id === m.id));
  session.figures = [...kept, ...added];
  return session.figures;
}
