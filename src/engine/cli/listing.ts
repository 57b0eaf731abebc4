/** `llm-tutor chapters`, `runs`, `show`. */
import { parseArgs } from 'util';
import * as path from 'path';
import { CHAPTERS, chapterInfo } from '../../shared/course/catalogue';
import type { EvaluationRecord } from '../../shared/run/records';
import { DamagedRunError, listRuns, readRun, resolveRunArgument } from '../../runStore';
import { formatChecksLine, formatEvaluationLine } from '../train/format';
import { renderTable } from './table';
import { EXIT_OK, EXIT_USAGE, UsageError } from './usage';

export async function chaptersCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  parseArgs({ args, options: {} });
  const rows = CHAPTERS.map((c) => [c.id, c.title.en, c.trainable ? 'yes' : 'not yet']);
  out.write(renderTable(['id', 'title', 'trainable'], rows) + '\n');
  return EXIT_OK;
}

const percent = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-');

export async function runsCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length > 1) throw new UsageError('runs takes at most one directory');
  const dir = path.resolve(positionals[0] ?? 'runs');
  const entries = await listRuns(dir);
  if (entries.length === 0) {
    out.write(`no runs in ${dir}\n`);
    return EXIT_OK;
  }
  const best = (e: Extract<(typeof entries)[number], { ok: true }>) => {
    if (!e.best) return '-';
    const metric = chapterInfo(e.chapter).metrics.find((m) => m.key === e.best?.key);
    const value = metric?.unit === 'ratio' ? percent(e.best.value) : e.best.value.toFixed(3);
    return `${metric?.cli ?? e.best.key}=${value}`;
  };
  const rows = entries.map((e) =>
    e.ok
      ? [e.runId, e.chapter, e.task, e.variant, e.state, `${e.epochsCompleted}/${e.epochs}`, best(e)]
      : [e.runId, '-', '-', '-', 'damaged', '-', '-', e.reason],
  );
  out.write(renderTable(['id', 'chapter', 'task', 'variant', 'status', 'epochs', 'best', ''], rows, [5]) + '\n');
  return EXIT_OK;
}

export async function showCommand(args: string[], out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
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
      err.write(`llm-tutor: damaged run ${dir}: ${error.reason}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const c = run.config;
  const info = chapterInfo(c.chapter);
  out.write(`run ${run.runId}  (${run.dir})\n`);
  out.write(
    `status=${run.status.state} epochs=${run.status.epochsCompleted}/${String(c.hyperparameters.epochs)} started=${run.status.startedAt}${run.status.endedAt ? ` ended=${run.status.endedAt}` : ''}${run.status.error ? ` error=${run.status.error}` : ''}\n`,
  );
  const settings = Object.entries(c.hyperparameters).map(([key, value]) => `${key}=${String(value)}`);
  out.write(
    `config: chapter=${c.chapter} task=${c.task} variant=${c.variant} backend=${c.backend} seed=${c.seed} ${settings.join(' ')} version=${c.packageVersion} format=${c.formatVersion} weights=${run.weights}${c.resumedFrom ? ` resumed_from=${c.resumedFrom}` : ''}\n`,
  );
  const last = run.metrics.filter((m): m is EvaluationRecord => m.kind === 'epoch').pop();
  if (last) {
    out.write(`final: ${formatEvaluationLine(last, info, Number(c.hyperparameters.epochs))}\n`);
    if (last.buckets) {
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
    }
  } else {
    out.write('final: no completed epoch\n');
  }
  if (run.attention && run.attention.checks.length > 0) out.write(`${formatChecksLine(run.attention.checks)}\n`);
  if (run.samples) {
    out.write(`samples (epoch ${run.samples.epoch}):\n`);
    for (const s of run.samples.samples) {
      const mark = s.correct === null ? '·' : s.correct ? '✓' : '✗';
      out.write(`${mark} src='${s.source}' target='${s.target}' pred='${s.predicted}'\n`);
    }
  }
  for (const warning of run.warnings) out.write(`warning: ${warning}\n`);
  return EXIT_OK;
}
