/**
 * Live loss and accuracy curves (chart.js). One point per epoch for train and validation loss,
 * plus a finer train curve from `kind:'step'` records. Colours come from the theme; no animation.
 * Each canvas exposes its point counts as data attributes (`data-points-train`, …) for tests.
 */
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import { el, setText } from './dom';
import { fixed, t } from './i18n';
import type { LabModel } from './model';
import type { Theme } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

type Point = { x: number; y: number };
type LineDataset = ChartDataset<'line', Point[]>;

function lineDataset(label: string, extra: Partial<LineDataset> = {}): LineDataset {
  return { label, data: [], borderWidth: 2, pointRadius: 3, pointHoverRadius: 5, tension: 0, ...extra };
}

function makeChart(canvas: HTMLCanvasElement, datasets: LineDataset[], percent: boolean): Chart<'line', Point[]> {
  return new Chart<'line', Point[]>(canvas, {
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
        x: { type: 'linear', title: { display: true, text: t('chartEpochAxis') }, ticks: { precision: 0 } },
        y: percent
          ? { type: 'linear', min: 0, max: 1, ticks: { callback: (value) => `${Math.round(Number(value) * 100)}%` } }
          : { type: 'linear', beginAtZero: true },
      },
      plugins: {
        legend: { position: 'bottom', labels: { usePointStyle: true, boxHeight: 8 } },
        tooltip: {
          callbacks: { label: (item) => `${item.dataset.label}: ${fixed(item.parsed.y ?? NaN, percent ? 3 : 4)}` },
        },
      },
    },
  });
}

export class TrainingCharts {
  readonly root: HTMLElement;
  private readonly lossCanvas = el('canvas', {
    className: 'chart-canvas',
    attrs: { id: 'loss-chart', role: 'img', 'aria-label': t('chartLossAria') },
  });
  private readonly accuracyCanvas = el('canvas', {
    className: 'chart-canvas',
    attrs: { id: 'accuracy-chart', role: 'img', 'aria-label': t('chartAccuracyAria') },
  });
  private readonly summary = el('p', { className: 'chart-summary', attrs: { 'aria-live': 'off' } });
  private readonly empty = el('p', { className: 'chart-empty', text: t('chartEmpty') });
  private readonly loss: Chart<'line', Point[]>;
  private readonly accuracy: Chart<'line', Point[]>;

  constructor() {
    this.root = el('div', { className: 'charts' }, [
      this.empty,
      el('div', { className: 'chart-grid' }, [
        el('figure', { className: 'chart-figure' }, [
          el('figcaption', { text: t('chartLossTitle') }),
          el('div', { className: 'chart-box' }, [this.lossCanvas]),
        ]),
        el('figure', { className: 'chart-figure' }, [
          el('figcaption', { text: t('chartAccuracyTitle') }),
          el('div', { className: 'chart-box' }, [this.accuracyCanvas]),
        ]),
      ]),
      this.summary,
    ]);
    this.loss = makeChart(
      this.lossCanvas,
      [
        lineDataset(t('chartTrainLoss')),
        lineDataset(t('chartValLoss'), { borderDash: [6, 4], pointStyle: 'rectRot', pointRadius: 4 }),
        lineDataset(t('chartTrainLossSteps'), {
          borderWidth: 1,
          pointRadius: 0,
          pointHoverRadius: 0,
          pointStyle: 'line',
        }),
      ],
      false,
    );
    this.accuracy = makeChart(
      this.accuracyCanvas,
      [
        lineDataset(t('chartValTokenAccuracy')),
        lineDataset(t('chartValExactMatch'), { borderDash: [6, 4], pointStyle: 'triangle', pointRadius: 4 }),
      ],
      true,
    );
  }

  setTheme(theme: Theme): void {
    Chart.defaults.font.family = theme.fontFamily;
    Chart.defaults.font.size = Math.max(11, theme.fontSize - 1);
    const colours: [Chart<'line', Point[]>, string[]][] = [
      [this.loss, [theme.trainColor, theme.validationColor, theme.trainColor]],
      [this.accuracy, [theme.tokenAccuracyColor, theme.exactMatchColor]],
    ];
    for (const [chart, lineColours] of colours) {
      chart.data.datasets.forEach((dataset, i) => {
        dataset.borderColor = lineColours[i];
        dataset.backgroundColor = lineColours[i];
        dataset.pointBorderColor = lineColours[i];
        dataset.pointBackgroundColor = lineColours[i];
      });
      const faint = chart.data.datasets[2];
      if (faint) faint.borderColor = withAlpha(lineColours[2], theme.kind.startsWith('high-contrast') ? 1 : 0.45);
      const options = chart.options;
      for (const axis of ['x', 'y'] as const) {
        const scale = options.scales?.[axis];
        if (!scale) continue;
        scale.ticks = { ...scale.ticks, color: theme.foreground };
        scale.grid = { ...scale.grid, color: theme.grid };
        scale.border = { ...scale.border, color: theme.border };
        if ('title' in scale && scale.title) scale.title.color = theme.mutedForeground;
      }
      if (options.plugins?.legend?.labels) options.plugins.legend.labels.color = theme.foreground;
      chart.update('none');
    }
  }

  destroy(): void {
    this.loss.destroy();
    this.accuracy.destroy();
  }

  /** Rebuilds the datasets from the model (called at most once per animation frame). */
  update(model: LabModel): void {
    const epochs = model.epochs;
    const train = epochs.map((m) => ({ x: m.epoch, y: m.train_loss }));
    const validation = epochs.map((m) => ({ x: m.epoch, y: m.val_loss }));
    const last = epochs[epochs.length - 1];
    const stepsPerEpoch = last && last.epoch > 0 ? last.step / last.epoch : (model.progress?.batches ?? 0);
    const steps = stepsPerEpoch > 0 ? model.steps.map((m) => ({ x: m.step / stepsPerEpoch, y: m.train_loss })) : [];
    const lastEpoch = Math.max(model.run?.config.epochs ?? 0, last?.epoch ?? 0, 1);

    this.loss.data.datasets[0].data = train;
    this.loss.data.datasets[1].data = validation;
    this.loss.data.datasets[2].data = steps;
    this.loss.data.datasets[2].hidden = steps.length === 0;
    this.accuracy.data.datasets[0].data = epochs.map((m) => ({ x: m.epoch, y: m.val_token_accuracy }));
    this.accuracy.data.datasets[1].data = epochs.map((m) => ({ x: m.epoch, y: m.val_exact_match }));
    for (const chart of [this.loss, this.accuracy]) {
      const x = chart.options.scales?.x;
      if (x) {
        x.min = steps.length && chart === this.loss ? 0 : 1;
        x.max = lastEpoch;
      }
      chart.update('none');
    }

    Object.assign(this.lossCanvas.dataset, {
      pointsTrain: String(train.length),
      pointsValidation: String(validation.length),
      pointsSteps: String(steps.length),
    });
    Object.assign(this.accuracyCanvas.dataset, {
      pointsTokenAccuracy: String(epochs.length),
      pointsExactMatch: String(epochs.length),
    });
    this.empty.hidden = epochs.length > 0 || steps.length > 0;
    setText(
      this.summary,
      last
        ? t('chartSummary', {
            epoch: last.epoch,
            train: fixed(last.train_loss, 4),
            val: fixed(last.val_loss, 4),
            token: fixed(last.val_token_accuracy),
            exact: fixed(last.val_exact_match),
          })
        : '',
    );
  }
}

function withAlpha(colour: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour.trim());
  if (!hex) return colour;
  const n = parseInt(hex[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
