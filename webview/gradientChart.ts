/**
 * Gradient norms through training, for any chapter whose step records carry `gradient_norms`
 * (the L2 norm of each weight group's gradients, e.g. per layer): one line per group, x = training
 * progress in epochs (or evaluations, `trainingUnit`), y on a log scale (norms of different layers
 * differ by orders of magnitude). Hidden while no step record has gradient norms. The canvas
 * exposes its groups (`data-series`, JSON in order), point counts (`data-points`, by group) and
 * the theme colours of its series (`data-colours`).
 */
import type { ChapterInfo } from '../src/shared/course/chapter';
import type { Bilingual } from '../src/shared/schema';
import type { StepRecord } from '../src/shared/run/records';
import { applyChartTheme, Chart, lineDataset, type LineChart, type Point } from './chartKit';
import { el, show } from './dom';
import { list, pick, t } from './i18n';
import type { LabModel } from './model';
import { plannedEpochs } from './model';
import { compact } from './numbers';
import type { Theme } from './theme';

const TITLE: Bilingual = { en: 'Gradient norm of each weight group', 'zh-cn': '各组权重的梯度范数' };
const Y_AXIS: Bilingual = { en: 'gradient norm (log scale)', 'zh-cn': '梯度范数（对数刻度）' };
const NOTE: Bilingual = {
  en: 'The L2 norm of each group’s gradients at a training step, before clipping: one point every N steps.',
  'zh-cn': '某一训练步上每组权重梯度的 L2 范数（裁剪之前）：每 N 步一个点。',
};

/** The groups of the step records, in the order they first appear. */
export function gradientGroups(steps: readonly StepRecord[]): string[] {
  const groups: string[] = [];
  for (const step of steps)
    for (const group of Object.keys(step.gradient_norms ?? {})) if (!groups.includes(group)) groups.push(group);
  return groups;
}

export class GradientChart {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly chart: LineChart;
  private groups: string[] = [];
  private theme: Theme | null = null;

  constructor(chapter: ChapterInfo) {
    const axis = t(chapter.trainingUnit === 'evaluation' ? 'chartEvaluationAxis' : 'chartEpochAxis');
    this.canvas = el('canvas', {
      className: 'chart-canvas',
      attrs: { id: 'chart-gradient-norms', role: 'img', 'data-x-axis': axis },
    });
    this.root = el('figure', { className: 'chart-figure gradient-figure', attrs: { id: 'gradient-norms' } }, [
      el('figcaption', { text: pick(TITLE) }),
      el('div', { className: 'chart-box' }, [this.canvas]),
      el('p', { className: 'chart-summary gradient-note', text: pick(NOTE) }),
    ]);
    this.chart = new Chart<'line', Point[]>(this.canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: axis } },
          y: { type: 'logarithmic', title: { display: true, text: pick(Y_AXIS) } },
        },
        plugins: {
          legend: { position: 'bottom', labels: { usePointStyle: true, boxHeight: 8 } },
          tooltip: {
            callbacks: { label: (item) => `${item.dataset.label}: ${compact(item.parsed.y ?? Number.NaN, 4)}` },
          },
        },
      },
    });
    this.root.style.marginTop = '16px';
    show(this.root, false);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    const colours = this.groups.map((_, i) => i);
    applyChartTheme(this.chart, theme, colours);
    this.canvas.dataset.colours = JSON.stringify(colours.map((i) => theme.series[i % theme.series.length]));
  }

  destroy(): void {
    this.chart.destroy();
  }

  /** Redraws from the model's step records (called at most once per animation frame). */
  update(model: LabModel): void {
    const steps = model.steps.filter((step) => step.gradient_norms && Object.keys(step.gradient_norms).length > 0);
    const groups = gradientGroups(steps);
    show(this.root, groups.length > 0);
    if (groups.join('\n') !== this.groups.join('\n')) {
      this.groups = groups;
      this.chart.data.datasets = groups.map((group, i) => lineDataset(group, i, { pointRadius: 2 }));
      this.canvas.setAttribute('aria-label', t('chartAria', { title: pick(TITLE), series: list(groups) }));
      this.canvas.dataset.series = JSON.stringify(groups);
      if (this.theme) this.setTheme(this.theme);
    }
    // x in epochs (evaluations), as the loss chart's step-level line.
    const evaluations = model.evaluations;
    const last = evaluations[evaluations.length - 1];
    const stepsPerEvaluation = last && last.epoch > 0 ? last.step / last.epoch : (model.progress?.batches ?? 0);
    const xOf = (step: StepRecord) => (stepsPerEvaluation > 0 ? step.step / stepsPerEvaluation : step.epoch);
    const counts: Record<string, number> = {};
    groups.forEach((group, i) => {
      const data: Point[] = steps.map((step) => {
        const value = step.gradient_norms?.[group];
        return { x: xOf(step), y: typeof value === 'number' && value > 0 ? value : Number.NaN };
      });
      this.chart.data.datasets[i].data = data;
      counts[group] = data.filter((point) => Number.isFinite(point.y)).length;
    });
    const x = this.chart.options.scales?.x;
    if (x) {
      x.min = 0;
      x.max = Math.max(plannedEpochs(model), last?.epoch ?? 0, 1);
    }
    this.chart.update('none');
    this.canvas.dataset.points = JSON.stringify(counts);
  }
}
