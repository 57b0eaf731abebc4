/** `llm-tutor chapters`, `runs`, `show`. */
import { parseArgs } from 'util';
import * as path from 'path';
import type { EpochMetrics } from '../../protocol/run';
import { CHAPTERS } from '../chapters/catalog';
import { DamagedRunError, listRuns, readRun, resolveRunArgument } from '../../runStore';
import { renderTable } from './table';
import { EXIT_FAILED, EXIT_OK, UsageError } from './usage';

export async function chaptersCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  parseArgs({ args, options: {} });
  const rows = CHAPTERS.map((c) => [c.id, c.title.en, c.trainable ? 'yes' : 'not yet']);
  out.write(renderTable(['id', 'title', 'trainable'], rows) + '\n');
  return EXIT_OK;
}

const percent = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

export async function runsCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length > 1) throw new UsageError('runs takes at most one directory');
  const dir = path.resolve(positionals[0] ?? 'runs');
  const entries = await listRuns(dir);
  if (entries.length === 0) {
    out.write(`no runs in ${dir}\n`);
    return EXIT_OK;
  }
  const rows = entries.map((e) =>
    e.ok
      ? [e.runId, e.chapter, e.state, `${e.epochsCompleted}/${e.epochs}`, percent(e.bestValExact)]
      : [e.runId, '-', 'damaged', '-', '-', e.reason],
  );
  out.write(renderTable(['id', 'chapter', 'status', 'epochs', 'best val exact', ''], rows, [3, 4]) + '\n');
  return EXIT_OK;
}

export async function showCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'runs-dir': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('show takes one RUN (a run folder or id)');
  let dir: string;
  try {
    dir = resolveRunArgument(positionals[0], path.resolve(values['runs-dir'] ?? 'runs'));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  let run;
  try {
    run = await readRun(dir);
  } catch (error) {
    if (error instanceof DamagedRunError) {
      process.stderr.write(`llm-tutor: damaged run: ${error.reason}\n`);
      return EXIT_FAILED;
    }
    throw error;
  }
  const c = run.config;
  out.write(`run ${run.runId}  (${run.dir})\n`);
  out.write(
    `status=${run.status.state} epochs=${run.status.epochsCompleted}/${c.epochs} started=${run.status.startedAt}${run.status.endedAt ? ` ended=${run.status.endedAt}` : ''}${run.status.error ? ` error=${run.status.error}` : ''}\n`,
  );
  out.write(
    `config: chapter=${c.chapter} task=${c.task} backend=${c.backend} batch_size=${c.batchSize} lr=${c.learningRate} hidden=${c.hiddenSize} embedding=${c.embeddingSize} attention=${c.attentionSize} seed=${c.seed} train=${c.trainSize} validation=${c.validationSize} version=${c.packageVersion}${c.resumedFrom ? ` resumed_from=${c.resumedFrom}` : ''}\n`,
  );
  const last = run.metrics.filter((m): m is EpochMetrics => m.kind === 'epoch').pop();
  if (last) {
    out.write(
      `final: epoch=${last.epoch} train_loss=${last.train_loss.toFixed(4)} val_loss=${last.val_loss.toFixed(4)} val_token_acc=${last.val_token_accuracy.toFixed(4)} val_exact=${last.val_exact_match.toFixed(4)} seconds=${last.seconds.toFixed(1)}\n`,
    );
    out.write(
      renderTable(
        ['source length', 'examples', 'val exact', 'val token acc'],
        last.buckets.map((b) => [
          `${b.minLength}-${b.maxLength}`,
          String(b.count),
          percent(b.exactMatch),
          percent(b.tokenAccuracy),
        ]),
        [1, 2, 3],
      ) + '\n',
    );
  } else {
    out.write('final: no completed epoch\n');
  }
  if (run.samples) {
    out.write(`samples (epoch ${run.samples.epoch}):\n`);
    for (const s of run.samples.samples)
      out.write(`${s.correct ? '✓' : '✗'} src='${s.source}' target='${s.target}' pred='${s.predicted}'\n`);
  }
  for (const warning of run.warnings) out.write(`warning: ${warning}\n`);
  return EXIT_OK;
}
