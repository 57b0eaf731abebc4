/**
 * Training curves from the chapter's declarations: one chart per `chapter.charts` entry, each
 * metric of `chapter.metrics` on its chart from `EvaluationRecord.values[key]` (a missing or NaN
 * value leaves a gap), the train loss and the step-level train loss on the `loss` chart (added
 * when a chapter declares none). The x axis counts epochs or evaluations (`trainingUnit`).
 * Each canvas exposes its point counts per series as `data-points` (JSON, by series key).
 * The loss chart has a smoothing control: the train loss (every N steps when recorded, else per
 * evaluation) smoothed by a debiased moving average (smoothing.ts) drawn over the raw values, which
 * stay visible, with the band of the recent raw values (its envelope); `data-smoothed` holds the
 * smoothed values and `data-beta` the factor.
 */
import type { ChapterInfo, ChartSpec, MetricSpec, MetricUnit } from '../src/shared/course/chapter';
import type { EvaluationRecord } from '../src/shared/run/records';
import { applyChartTheme, Chart, lineDataset, withAlpha, type LineChart, type Point } from './chartKit';
import { clear, el, setText } from './dom';
import { list, pick, t } from './i18n';
import type { LabModel } from './model';
import { plannedEpochs } from './model';
import { fixed } from './numbers';
import { debiasedEma, envelope, smoothingWindow } from './smoothing';
import type { Theme } from './theme';

const LOSS_CHART = 'loss';
const TRAIN = 'train_loss';
const TRAIN_STEPS = 'train_loss_steps';
/** The smoothing factor a panel opens with (0 = off). */
export const DEFAULT_SMOOTHING = 0.6;
const MAX_SMOOTHING = 0.95;

interface Series {
  key: string;
  label: string;
  /** Index into the theme's series colours. */
  colour: number;
  faint: boolean;
}

interface ChartView {
  spec: ChartSpec;
  canvas: HTMLCanvasElement;
  chart: LineChart;
  series: Series[];
  /** The loss chart's smoothed line and envelope (low, high): datasets after `series`. */
  smoothing: { smoothed: number; low: number; high: number } | null;
}

/** A metric value as the summary prints it, by unit. */
export function formatMetric(value: number, unit: MetricUnit): string {
  switch (unit) {
    case 'ratio':
      return fixed(value, 3);
    case 'count':
      return fixed(value, 0);
    case 'perplexity':
      return fixed(value, 2);
    default:
      return fixed(value, 4);
  }
}

function axisTitle(chapter: ChapterInfo): string {
  return t(chapter.trainingUnit === 'evaluation' ? 'chartEvaluationAxis' : 'chartEpochAxis');
}

/** The charts to draw: the chapter's, plus a loss chart when it declares none. */
function chartSpecs(chapter: ChapterInfo): ChartSpec[] {
  const specs = [...chapter.charts];
  if (!specs.some((spec) => spec.id === LOSS_CHART))
    specs.unshift({ id: LOSS_CHART, title: { en: '', 'zh-cn': '' }, unit: 'nats' });
  return specs;
}

export class TrainingCharts {
  readonly root: HTMLElement;
  private readonly grid = el('div', { className: 'chart-grid' });
  private readonly summary = el('p', { className: 'chart-summary', attrs: { 'aria-live': 'off' } });
  private readonly empty = el('p', { className: 'chart-empty', text: t('chartEmpty') });
  private views: ChartView[] = [];
  private beta = DEFAULT_SMOOTHING;
  private model: LabModel | null = null;
  private readonly smoothingInput = el('input', {
    className: 'smoothing-slider',
    attrs: { id: 'smoothing-loss', type: 'range', min: 0, max: MAX_SMOOTHING, step: 0.05, value: DEFAULT_SMOOTHING },
  });
  private readonly smoothingValue = el('output', {
    className: 'smoothing-value muted',
    attrs: { id: 'smoothing-loss-value', for: 'smoothing-loss' },
  });

  constructor(private readonly chapter: ChapterInfo) {
    this.root = el('div', { className: 'charts' }, [this.empty, this.grid, this.summary]);
    this.smoothingInput.addEventListener('input', () => {
      this.beta = Math.min(MAX_SMOOTHING, Math.max(0, Number(this.smoothingInput.value) || 0));
      if (this.model) this.update(this.model);
    });
    this.build();
  }

  /** The smoothing factor β of the loss chart (0 = off). */
  get smoothing(): number {
    return this.beta;
  }

  private build(): void {
    clear(this.grid);
    let colour = 1;
    for (const spec of chartSpecs(this.chapter)) {
      const metrics = this.chapter.metrics.filter((metric) => metric.chart === spec.id);
      const series: Series[] = [];
      if (spec.id === LOSS_CHART) series.push({ key: TRAIN, label: t('chartTrainLoss'), colour: 0, faint: false });
      for (const metric of metrics)
        series.push({ key: metric.key, label: pick(metric.label), colour: colour++, faint: false });
      if (spec.id === LOSS_CHART)
        series.push({ key: TRAIN_STEPS, label: t('chartTrainLossSteps'), colour: 0, faint: true });
      const title = pick(spec.title) || t('chartLossTitle');
      const canvas = el('canvas', {
        className: 'chart-canvas',
        attrs: {
          id: `chart-${spec.id}`,
          role: 'img',
          'data-chart': spec.id,
          'data-x-axis': axisTitle(this.chapter),
          'aria-label': t('chartAria', { title, series: list(series.map((s) => s.label)) }),
        },
      });
      this.grid.appendChild(
        el('figure', { className: 'chart-figure' }, [
          el('figcaption', { text: title }),
          el('div', { className: 'chart-box' }, [canvas]),
        ]),
      );
      const datasets = series.map((s, i) =>
        s.faint
          ? lineDataset(s.label, 0, { borderWidth: 1, pointRadius: 0, pointHoverRadius: 0, pointStyle: 'line' })
          : lineDataset(s.label, s.key === TRAIN ? 0 : i),
      );
      let smoothing: ChartView['smoothing'] = null;
      if (spec.id === LOSS_CHART) {
        const raw = t('chartTrainLoss');
        const quiet = { pointRadius: 0, pointHoverRadius: 0, pointStyle: 'line' as const };
        smoothing = { smoothed: datasets.length, low: datasets.length + 1, high: datasets.length + 2 };
        datasets.push(
          lineDataset(t('smoothingSeries', { series: raw }), 0, { ...quiet, borderWidth: 2.5, borderDash: [] }),
          // The envelope: a band between its low and high lines (the low one has no legend entry).
          lineDataset('', 0, { ...quiet, borderWidth: 0, borderDash: [] }),
          lineDataset(t('smoothingEnvelope', { series: raw }), 0, {
            ...quiet,
            borderWidth: 0,
            borderDash: [],
            pointStyle: 'rect',
            fill: '-1',
          }),
        );
      }
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
            x: { type: 'linear', title: { display: true, text: axisTitle(this.chapter) }, ticks: { precision: 0 } },
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
            legend: {
              position: 'bottom',
              labels: { usePointStyle: true, boxHeight: 8, filter: (item) => item.text !== '' },
            },
            tooltip: {
              filter: (item) => item.dataset.label !== '',
              callbacks: {
                label: (item) => `${item.dataset.label}: ${formatMetric(item.parsed.y ?? Number.NaN, unit)}`,
              },
            },
          },
        },
      });
      this.views.push({ spec, canvas, chart, series, smoothing });
      if (smoothing) canvas.closest('figure')?.appendChild(this.smoothingControl());
    }
  }

  private smoothingControl(): HTMLElement {
    return el('div', { className: 'chart-controls smoothing-control' }, [
      el('label', { className: 'control-label', text: t('smoothingLabel'), attrs: { for: 'smoothing-loss' } }),
      this.smoothingInput,
      this.smoothingValue,
    ]);
  }

  setTheme(theme: Theme): void {
    for (const view of this.views) {
      const extra = view.smoothing ? [0, 0, 0] : [];
      applyChartTheme(
        view.chart,
        theme,
        [...view.series.map((s) => s.colour), ...extra],
        [...view.series.map((s) => s.faint), ...extra.map(() => false)],
      );
      if (view.smoothing) {
        const colour = theme.series[0];
        const band = withAlpha(colour, theme.kind.startsWith('high-contrast') ? 0.35 : 0.16);
        for (const index of [view.smoothing.low, view.smoothing.high]) {
          const dataset = view.chart.data.datasets[index];
          dataset.borderColor = band;
          dataset.backgroundColor = band;
          dataset.pointBackgroundColor = band;
          dataset.pointBorderColor = band;
        }
        view.chart.update('none');
      }
    }
  }

  destroy(): void {
    for (const view of this.views) view.chart.destroy();
    this.views = [];
  }

  /** Rebuilds the datasets from the model (called at most once per animation frame). */
  update(model: LabModel): void {
    this.model = model;
    const evaluations = model.evaluations;
    const last = evaluations[evaluations.length - 1];
    const stepsPerEvaluation = last && last.epoch > 0 ? last.step / last.epoch : (model.progress?.batches ?? 0);
    const steps =
      stepsPerEvaluation > 0 ? model.steps.map((m) => ({ x: m.step / stepsPerEvaluation, y: m.train_loss })) : [];
    const lastEpoch = Math.max(plannedEpochs(model), last?.epoch ?? 0, 1);
    const valueOf = (record: EvaluationRecord, key: string): number => {
      if (key === TRAIN) return record.train_loss;
      const value = record.values[key];
      return typeof value === 'number' ? value : Number.NaN;
    };

    for (const view of this.views) {
      const counts: Record<string, number> = {};
      view.series.forEach((series, i) => {
        const data: Point[] =
          series.key === TRAIN_STEPS ? steps : evaluations.map((m) => ({ x: m.epoch, y: valueOf(m, series.key) }));
        view.chart.data.datasets[i].data = data;
        view.chart.data.datasets[i].hidden = series.key === TRAIN_STEPS && steps.length === 0;
        counts[series.key] = data.filter((point) => Number.isFinite(point.y)).length;
      });
      if (view.smoothing) this.smooth(view, steps.length ? steps : view.chart.data.datasets[0].data);
      const x = view.chart.options.scales?.x;
      if (x) {
        x.min = steps.length && view.spec.id === LOSS_CHART ? 0 : 1;
        x.max = lastEpoch;
      }
      view.chart.update('none');
      view.canvas.dataset.points = JSON.stringify(counts);
    }
    this.empty.hidden = evaluations.length > 0 || steps.length > 0;
    setText(this.summary, last ? this.summarise(last) : '');
  }

  /** The loss chart's smoothed train loss and its envelope, from `raw` (the points it smooths). */
  private smooth(view: ChartView, raw: readonly Point[]): void {
    const smoothing = view.smoothing;
    if (!smoothing) return;
    const beta = this.beta;
    const values = raw.map((point) => point.y);
    const smoothed = debiasedEma(values, beta);
    const band = envelope(values, beta);
    const points = (ys: number[]): Point[] => ys.map((y, i) => ({ x: raw[i].x, y }));
    const datasets = view.chart.data.datasets;
    datasets[smoothing.smoothed].data = points(smoothed);
    datasets[smoothing.low].data = points(band.low);
    datasets[smoothing.high].data = points(band.high);
    for (const index of [smoothing.smoothed, smoothing.low, smoothing.high]) datasets[index].hidden = beta === 0;
    view.canvas.dataset.beta = String(beta);
    view.canvas.dataset.smoothed = JSON.stringify(smoothed.map((y) => (Number.isFinite(y) ? y : null)));
    view.canvas.dataset.envelope = JSON.stringify(
      [band.low, band.high].map((ys) => ys.map((y) => (Number.isFinite(y) ? y : null))),
    );
    setText(
      this.smoothingValue,
      beta === 0 ? t('smoothingOff') : t('smoothingValue', { beta: fixed(beta, 2), window: smoothingWindow(beta) }),
    );
    this.smoothingInput.setAttribute('aria-valuetext', this.smoothingValue.textContent ?? '');
  }

  private summarise(record: EvaluationRecord): string {
    const metrics: MetricSpec[] = this.chapter.metrics;
    const values = [
      t('chartValue', { label: t('chartTrainLoss'), value: formatMetric(record.train_loss, 'nats') }),
      ...metrics.map((metric) =>
        t('chartValue', {
          label: pick(metric.label),
          value: formatMetric(record.values[metric.key] ?? Number.NaN, metric.unit),
        }),
      ),
    ];
    const key = this.chapter.trainingUnit === 'evaluation' ? 'chartSummaryEvaluation' : 'chartSummaryEpoch';
    return t(key, { epoch: record.epoch, values: list(values) });
  }
}
