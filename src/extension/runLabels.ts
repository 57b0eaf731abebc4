/**
 * How a run is named in the Runs view and the Open Saved Run quick pick: its task, its variant and
 * the best value of its chapter's primary metric, labelled as the chapter's metric spec says
 * (a ratio as a percentage). No vscode import.
 */
import type { ChapterInfo, MetricSpec } from '../shared/course/chapter';
import { chapterInfo } from '../shared/course/catalogue';
import { variantOf } from '../shared/course/hyperparameters';
import type { RunListEntry, RunState } from '../shared/run/records';
import { pick, t, type MessageKey } from './language';

type GoodEntry = Extract<RunListEntry, { ok: true }>;

const STATE_NAMES: Record<RunState, MessageKey> = {
  running: 'stateRunning',
  completed: 'stateCompleted',
  stopped: 'stateStopped',
  failed: 'stateFailed',
};

export function stateName(state: RunState): string {
  return t(STATE_NAMES[state]);
}

/** A metric value in its unit: a ratio as `93.1%`, a count whole, anything else with 3 decimals; `—` when missing. */
export function formatMetricValue(unit: MetricSpec['unit'] | undefined, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'ratio':
      return `${(value * 100).toFixed(1)}%`;
    case 'count':
      return String(Math.round(value));
    case 'perplexity':
      return value.toFixed(2);
    default:
      return value.toFixed(3);
  }
}

function metricSpec(info: ChapterInfo, key: string): MetricSpec | undefined {
  return info.metrics.find((metric) => metric.key === key);
}

/** `exact match 93.1%`: the best value of the chapter's primary metric (`—` before the first evaluation). */
export function bestMetricText(entry: GoodEntry): string {
  const info = chapterInfo(entry.chapter);
  const key = entry.best?.key ?? info.primaryMetric;
  const spec = metricSpec(info, key);
  const label = spec ? pick(spec.label) : key;
  return t('bestMetric', { metric: label, value: formatMetricValue(spec?.unit, entry.best?.value) });
}

/** The task's title in the current language (its id when the chapter does not declare it). */
export function taskName(entry: GoodEntry): string {
  const task = chapterInfo(entry.chapter).tasks.find((candidate) => candidate.id === entry.task);
  return task ? pick(task.title) : entry.task;
}

/** The variant's title in the current language (its id when the chapter does not declare it). */
export function variantName(entry: GoodEntry): string {
  const variant = variantOf(chapterInfo(entry.chapter), entry.variant);
  return variant ? pick(variant.title) : entry.variant;
}

/** `dates → ISO · default · exact match 93.1% · 10/10`, or `damaged`. */
export function runDescription(entry: RunListEntry): string {
  if (!entry.ok) return t('damaged');
  return t('runDescription', {
    task: taskName(entry),
    variant: variantName(entry),
    best: bestMetricText(entry),
    done: entry.epochsCompleted,
    epochs: entry.epochs,
  });
}

/** The tooltip's lines (after the chapter's title). */
export function runTooltipLines(entry: GoodEntry): string[] {
  return [
    t('tooltipTask', { task: taskName(entry) }),
    t('tooltipVariant', { variant: variantName(entry) }),
    t('tooltipState', { state: stateName(entry.state) }),
    t('tooltipEpochs', { done: entry.epochsCompleted, epochs: entry.epochs }),
    t('tooltipBest', { best: bestMetricText(entry) }),
    t('tooltipStarted', { time: entry.startedAt }),
    entry.dir,
  ];
}
