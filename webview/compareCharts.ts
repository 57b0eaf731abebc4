/**
 * The comparison's curves: one chart per declared chart the runs share (the first run's charts
 * holding a shared metric), one line per run — its colour, dash and point style, and a legend with
 * its letter, variant and seed — for the metric chosen on that chart (a chart declaring several,
 * such as exact match and token accuracy, has a metric selector). Lines grow as live evaluations
 * arrive. Each canvas exposes `data-series` (how many lines) and `data-points` (points per run).
 */
import type { ChartSpec } from '../src/shared/course/chapter';
import { metricValue, runLetter, type SharedMetric } from '../src/shared/run/comparison';
import { applyChartTheme, Chart, lineDataset, type LineChart, type Point } from './chartKit';
import { formatMetric } from './charts';
import { clear, el, show } from './dom';
import { list, pick, t } from './i18n';
import { plannedEpochs, type CompareModel, type CompareRun } from './compareModel';
import { IndexSelect } from './select';
import type { Theme } from './theme';

interface ChartView {
  spec: ChartSpec;
  metrics: SharedMetric[];
  chosen: number;
  canvas: HTMLCanvasElement;
  chart: LineChart;
  select: IndexSelect | null;
}

/** How a run is named in a legend: letter, variant (the chapter's title for it) and seed. */
export function runLegend(run: CompareRun, index: number): string {
  const variant = run.chapter.variants.find((item) => item.id === run.run.config.variant);
  return t('compareRunLegend', {
    letter: runLetter(index),
    variant: (variant && pick(variant.title)) || run.run.config.variant,
    seed: run.run.config.seed,
  });
}

/** The metric a chart shows first: its first declared one (the train loss only when it has nothing else). */
function defaultMetric(metrics: SharedMetric[]): number {
  const index = metrics.findIndex((metric) => metric.key !== 'train_loss');
  return Math.max(0, index);
}

export class CompareCharts {
  readonly root: HTMLElement;
  private readonly grid = el('div', { className: 'chart-grid compare-chart-grid' });
  private readonly empty = el('p', { className: 'chart-empty', text: t('compareChartEmpty') });
  private views: ChartView[] = [];
  private key = '';
  private theme: Theme | null = null;
  private model: CompareModel | null = null;
  /** The metric chosen on each chart (by chart id), kept across rebuilds. */
  private readonly chosen = new Map<string, string>();

  constructor() {
    this.root = el('div', { className: 'charts compare-charts' }, [this.empty, this.grid]);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    for (const view of this.views) this.applyTheme(view);
  }

  destroy(): void {
    for (const view of this.views) view.chart.destroy();
    this.views = [];
    this.key = '';
  }

  update(model: CompareModel): void {
    this.model = model;
    const key = JSON.stringify([
      model.summary.charts.map((chart) => chart.id),
      model.summary.metrics.map((metric) => metric.key),
      model.runs.map((run) => run.runId),
    ]);
    if (key !== this.key) {
      this.key = key;
      this.build(model);
    }
    const runs = model.runs;
    const last = Math.max(1, ...runs.map((run) => Math.max(plannedEpochs(run), run.evaluations.at(-1)?.epoch ?? 0)));
    for (const view of this.views) {
      const metric = view.metrics[view.chosen];
      const counts: Record<string, number> = {};
      runs.forEach((run, i) => {
        const data: Point[] = run.evaluations.map((record) => ({
          x: record.epoch,
          y: metricValue(record, metric.key),
        }));
        view.chart.data.datasets[i].data = data;
        counts[runLetter(i)] = data.filter((point) => Number.isFinite(point.y)).length;
      });
      const x = view.chart.options.scales?.x;
      if (x) {
        x.min = 1;
        x.max = last;
      }
      view.chart.update('none');
      view.canvas.dataset.points = JSON.stringify(counts);
      view.canvas.dataset.series = String(view.chart.data.datasets.length);
      view.canvas.dataset.metric = metric.key;
      view.canvas.setAttribute(
        'aria-label',
        t('compareChartAria', {
          title: pick(view.spec.title) || t('chartLossTitle'),
          metric: pick(metric.spec.label),
          runs: list(runs.map((run, i) => runLegend(run, i))),
        }),
      );
    }
    show(this.empty, !runs.some((run) => run.evaluations.length > 0));
  }

  private applyTheme(view: ChartView): void {
    if (!this.theme) return;
    applyChartTheme(
      view.chart,
      this.theme,
      view.chart.data.datasets.map((_, i) => i),
    );
  }

  private build(model: CompareModel): void {
    this.destroy();
    this.key = JSON.stringify([
      model.summary.charts.map((chart) => chart.id),
      model.summary.metrics.map((metric) => metric.key),
      model.runs.map((run) => run.runId),
    ]);
    clear(this.grid);
    const axis = t(model.runs[0]?.chapter.trainingUnit === 'evaluation' ? 'chartEvaluationAxis' : 'chartEpochAxis');
    for (const spec of model.summary.charts) {
      const metrics = model.summary.metrics.filter((metric) => metric.spec.chart === spec.id);
      if (metrics.length === 0) continue;
      const remembered = metrics.findIndex((metric) => metric.key === this.chosen.get(spec.id));
      const title = pick(spec.title) || t('chartLossTitle');
      const canvas = el('canvas', {
        className: 'chart-canvas',
        attrs: { id: `compare-chart-${spec.id}`, role: 'img', 'data-chart': spec.id },
      });
      const datasets = model.runs.map((run, i) => lineDataset(runLegend(run, i), i));
      const unit = spec.unit;
      const chart: LineChart = new Chart<'line', Point[]>(canvas, {
        type: 'line',
        data: { datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          parsing: false,
          normalized: true,
          interaction: { mode: 'nearest', axis: 'x', intersect: false },
          scales: {
            x: { type: 'linear', title: { display: true, text: axis }, ticks: { precision: 0 } },
            y:
              unit === 'ratio'
                ? {
                    type: 'linear',
                    min: 0,
                    max: 1,
                    ticks: { callback: (value) => `${Math.round(Number(value) * 100)}%` },
                  }
                : { type: 'linear', beginAtZero: true },
          },
          plugins: {
            legend: { position: 'bottom', labels: { usePointStyle: true, boxHeight: 8 } },
            tooltip: {
              callbacks: {
                label: (item) => `${item.dataset.label}: ${formatMetric(item.parsed.y ?? Number.NaN, unit)}`,
              },
            },
          },
        },
      });
      const view: ChartView = {
        spec,
        metrics,
        chosen: remembered >= 0 ? remembered : defaultMetric(metrics),
        canvas,
        chart,
        select: null,
      };
      if (metrics.length > 1) {
        view.select = new IndexSelect(`compare-metric-${spec.id}`, t('compareChartMetric'), (index) => {
          view.chosen = Math.min(index, metrics.length - 1);
          this.chosen.set(spec.id, metrics[view.chosen].key);
          if (this.model) this.update(this.model);
        });
        view.select.update(
          metrics.map((metric) => pick(metric.spec.label)),
          view.chosen,
        );
      }
      this.grid.appendChild(
        el('figure', { className: 'chart-figure compare-chart-figure', attrs: { 'data-chart': spec.id } }, [
          el('figcaption', { text: title }),
          view.select?.root ?? null,
          el('div', { className: 'chart-box' }, [canvas]),
        ]),
      );
      this.views.push(view);
      this.applyTheme(view);
    }
  }
}
