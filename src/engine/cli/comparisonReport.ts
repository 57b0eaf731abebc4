/**
 * The comparison as the CLI prints it (`llm-tutor compare`, and after `train --variant all`):
 * the runs (A, B, …), the final value of every shared metric side by side and the metrics that
 * are not shared, the configs with their differences marked, and for every shared probe and map
 * the largest and the mean absolute difference of the attention weights between each pair of
 * runs (masked cells excluded). Built on `summarizeComparison` (src/shared/run/comparison.ts).
 */
import { chapterInfo } from '../../shared/course/catalogue';
import type { MetricUnit } from '../../shared/course/chapter';
import {
  lastEvaluation,
  metricValue,
  packedMapDifference,
  runLetter,
  summarizeComparison,
  type ComparedRun,
  type NotShared,
} from '../../shared/run/comparison';
import type { LoadedRun } from '../../runStore';
import { renderTable } from './table';

function formatValue(value: number, unit: MetricUnit): string {
  if (!Number.isFinite(value)) return '-';
  if (unit === 'ratio') return `${(value * 100).toFixed(1)}%`;
  if (unit === 'count') return value.toFixed(0);
  return value.toFixed(4);
}

function letters(runs: number[]): string {
  return runs.map(runLetter).join(', ');
}

function tokensText(tokens: readonly string[], separator: string, limit = 40): string {
  const text = tokens.join(separator);
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

function describeNotShared(item: NotShared, separator: string): string {
  switch (item.kind) {
    case 'chapter':
      return `different chapters (${item.values.join(', ')}): only what they share is compared`;
    case 'task':
      return `different tasks (${item.values.join(', ')}): the data differ`;
    case 'seed':
      return `different seeds (${item.values.join(', ')}): the data and initial weights differ`;
    case 'metric':
      return `metric ${item.key} (only ${letters(item.runs)})`;
    case 'noAttention':
      return `attention: no snapshot yet in ${letters(item.runs)}`;
    case 'probe':
      return `probe "${tokensText(item.source, separator)}" (only ${letters(item.runs)})`;
    case 'map':
      return `map ${item.key} ${item.mode} of probe "${tokensText(item.source, separator)}" (${item.reason === 'tokens' ? 'different tokens' : 'not in every run'})`;
  }
}

/** The readable runs of `loaded`, each with its chapter's declarations. */
export function comparedRuns(loaded: readonly LoadedRun[]): ComparedRun[] {
  return loaded.flatMap((entry) =>
    entry.ok ? [{ run: entry.run, chapter: chapterInfo(entry.run.config.chapter) }] : [],
  );
}

/** Prints the comparison of `loaded` (runs that cannot be read are listed with their reason). */
export function printComparison(out: NodeJS.WritableStream, loaded: readonly LoadedRun[]): void {
  const runs = comparedRuns(loaded);
  const summary = summarizeComparison(runs);
  const separator = runs[0]?.run.config.data.tokenLevel === 'word' ? ' ' : '';
  const same = [
    summary.chapter ? `chapter ${summary.chapter}` : null,
    summary.task ? `task ${summary.task}` : null,
    summary.seed !== null ? `seed ${summary.seed}` : null,
  ].filter(Boolean);
  out.write(`comparison of ${runs.length} run(s)${same.length ? ` · ${same.join(' · ')}` : ''}\n`);
  out.write(
    renderTable(
      ['', 'run', 'chapter', 'task', 'variant', 'seed', 'status', 'epochs'],
      runs.map(({ run }, i) => [
        runLetter(i),
        run.runId,
        run.config.chapter,
        run.config.task,
        run.config.variant,
        String(run.config.seed),
        run.status.state,
        `${run.status.epochsCompleted}/${String(run.config.hyperparameters.epochs ?? '?')}`,
      ]),
    ) + '\n',
  );
  for (const entry of loaded) if (!entry.ok) out.write(`not compared: ${entry.runId}: ${entry.reason}\n`);
  if (runs.length < 2) {
    out.write('nothing to compare: fewer than two runs can be read\n');
    return;
  }

  const last = runs.map(({ run }) => lastEvaluation(run));
  out.write('\nfinal metrics (the last evaluation of each run):\n');
  const metricRows = [
    ['epoch', ...last.map((record) => (record ? String(record.epoch) : '-'))],
    ...summary.metrics.map((metric) => [
      metric.spec.cli ?? metric.key,
      ...last.map((record) => formatValue(metricValue(record, metric.key), metric.spec.unit)),
    ]),
  ];
  const columns = runs.map((_, i) => runLetter(i));
  out.write(
    renderTable(
      ['metric', ...columns],
      metricRows,
      columns.map((_, i) => i + 1),
    ) + '\n',
  );
  const otherMetrics = summary.notShared.filter((item) => item.kind === 'metric');
  if (otherMetrics.length > 0)
    out.write(`not shared: ${otherMetrics.map((item) => describeNotShared(item, separator)).join('; ')}\n`);

  const differing = summary.config.filter((row) => row.differs).length;
  out.write(`\nconfig (${differing === 0 ? 'no differences' : `${differing} difference(s), marked *`}):\n`);
  out.write(
    renderTable(
      ['', 'setting', ...columns],
      summary.config.map((row) => [
        row.differs ? '*' : '',
        row.key,
        ...row.values.map((value) => (value === null ? '-' : String(value))),
      ]),
    ) + '\n',
  );

  const epochs = runs.map(({ run }) => (run.attention ? String(run.attention.epoch) : '-'));
  out.write(
    `\nattention (the newest snapshot of each run, epochs ${epochs.join(', ')}): |difference| of the weights, masked cells excluded\n`,
  );
  const attentionRows: string[][] = [];
  summary.probes.forEach((probe, p) => {
    for (const map of probe.maps) {
      for (let a = 0; a < runs.length; a++) {
        for (let b = a + 1; b < runs.length; b++) {
          const left = map.maps[a];
          const right = map.maps[b];
          if (!left || !right) continue;
          const difference = packedMapDifference(left, right);
          attentionRows.push([
            String(p + 1),
            tokensText(probe.source, separator, 24),
            map.key,
            map.mode,
            `${runLetter(a)}-${runLetter(b)}`,
            difference ? formatValue(difference.maxAbs, 'none') : 'damaged',
            difference ? formatValue(difference.meanAbs, 'none') : 'damaged',
          ]);
        }
      }
    }
  });
  if (attentionRows.length === 0) out.write('no shared attention maps\n');
  else
    out.write(renderTable(['probe', 'source', 'map', 'mode', 'runs', 'max', 'mean'], attentionRows, [0, 5, 6]) + '\n');
  const other = summary.notShared.filter((item) => item.kind !== 'metric' && item.kind !== 'map');
  for (const item of other) out.write(`not shared: ${describeNotShared(item, separator)}\n`);
  for (const line of mapLines(summary.notShared, separator)) out.write(`not shared: ${line}\n`);
}

/**
 * The maps not in every run, one line per probe and reason: runs of two chapters (the
 * Transformer beside attention-seq2seq) differ in dozens of maps, counted here by family and mode.
 */
function mapLines(items: readonly NotShared[], separator: string): string[] {
  const groups = new Map<string, Extract<NotShared, { kind: 'map' }>[]>();
  for (const item of items) {
    if (item.kind !== 'map') continue;
    const id = `${item.reason}\u0000${item.source.join('\u0001')}`;
    groups.set(id, [...(groups.get(id) ?? []), item]);
  }
  return [...groups.values()].map((group) => {
    if (group.length === 1) return describeNotShared(group[0], separator);
    const families = new Map<string, number>();
    for (const item of group) {
      const family = `${item.key.split('/').slice(0, 2).join('/')} ${item.mode}`;
      families.set(family, (families.get(family) ?? 0) + 1);
    }
    const { source, reason } = group[0];
    const counted = [...families].map(([family, count]) => `${family} ×${count}`).join(', ');
    return `${group.length} maps of probe "${tokensText(source, separator)}" (${reason === 'tokens' ? 'different tokens' : 'not in every run'}): ${counted}`;
  });
}
