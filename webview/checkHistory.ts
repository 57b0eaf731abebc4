/**
 * Under the replay: a small chart of how one self-check of the snapshots (the learner picks which,
 * e.g. the anti-diagonal share or the leaked mass) changed through training, its threshold dashed
 * and the snapshot on screen marked. The values come from every snapshot the panel has seen and
 * from the host's `checkHistory` (the checks of every saved snapshot). The canvas exposes
 * `data-check` and `data-points` (JSON `[epoch, value]` pairs) for tests.
 */
import type { SelfCheckResult } from '../src/shared/run/records';
import { applyChartTheme, Chart, lineDataset, type LineChart, type Point } from './chartKit';
import { el, setText, show } from './dom';
import { pick, t } from './i18n';
import { compact } from './numbers';
import { IndexSelect } from './select';
import type { Theme } from './theme';

/** Checks every attention chapter has: a chapter's own check is shown first when there is one. */
const GENERIC = ['rows-sum-to-one', 'masked-zero'];

export class CheckHistoryChart {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly chart: LineChart;
  private readonly select: IndexSelect;
  private readonly caption = el('p', { className: 'check-history-caption muted' });
  private ids: string[] = [];
  /** The learner's choice (null: the default). */
  private chosen: string | null = null;
  private history: ReadonlyMap<number, readonly SelfCheckResult[]> = new Map();
  private shownEpoch: number | null = null;

  constructor(private unit: 'epoch' | 'evaluation' = 'epoch') {
    this.canvas = el('canvas', {
      className: 'chart-canvas check-history-canvas',
      attrs: { id: 'check-history-chart', role: 'img' },
    });
    this.select = new IndexSelect('check-history-select', t('checkHistoryCheck'), (index) => {
      const id = this.ids[index];
      if (id === undefined || id === this.current()) return;
      this.chosen = id;
      this.render();
    });
    this.root = el('figure', { className: 'check-history', attrs: { id: 'check-history' } }, [
      el('figcaption', { className: 'check-history-title', text: t('checkHistoryTitle') }),
      this.select.root,
      el('div', { className: 'check-history-box' }, [this.canvas]),
      this.caption,
    ]);
    const marker = (context: { dataIndex: number; dataset: { data: unknown[] } }): number => {
      const point = context.dataset.data[context.dataIndex] as Point | undefined;
      return point && point.x === this.shownEpoch ? 6 : 2.5;
    };
    this.chart = new Chart<'line', Point[]>(this.canvas, {
      type: 'line',
      data: {
        datasets: [
          lineDataset('', 0, { pointRadius: marker, pointHoverRadius: 6 }),
          lineDataset(t('checkHistoryThreshold'), 1, { borderWidth: 1, pointRadius: 0, borderDash: [5, 4] }),
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', ticks: { precision: 0 }, title: { display: true, text: '' } },
          y: { type: 'linear', ticks: { callback: (value) => compact(Number(value), 3) } },
        },
        plugins: {
          legend: { position: 'bottom', labels: { usePointStyle: true, boxHeight: 8 } },
          tooltip: {
            callbacks: { label: (item) => `${item.dataset.label}: ${compact(item.parsed.y ?? Number.NaN, 4)}` },
          },
        },
      },
    });
  }

  setTheme(theme: Theme): void {
    applyChartTheme(this.chart, theme, [3, 4]);
  }

  destroy(): void {
    this.chart.destroy();
  }

  /** Every snapshot's checks by epoch, and the epoch on screen. */
  update(
    history: ReadonlyMap<number, readonly SelfCheckResult[]>,
    shownEpoch: number | null,
    unit: 'epoch' | 'evaluation',
  ): void {
    this.history = history;
    this.shownEpoch = shownEpoch;
    this.unit = unit;
    this.render();
  }

  /** The check on the chart: the learner's, else the chapter's own first, else the first. */
  private current(): string | null {
    if (this.chosen !== null && this.ids.includes(this.chosen)) return this.chosen;
    return this.ids.find((id) => !GENERIC.includes(id)) ?? this.ids[0] ?? null;
  }

  private render(): void {
    const labels = new Map<string, string>();
    for (const checks of this.history.values())
      for (const check of checks) if (!labels.has(check.id)) labels.set(check.id, pick(check.label));
    this.ids = [...labels.keys()];
    const id = this.current();
    const epochs = [...this.history.keys()].sort((a, b) => a - b);
    show(this.root, id !== null && epochs.length > 0);
    if (id === null) return;
    this.select.update(
      this.ids.map((key) => labels.get(key) ?? key),
      this.ids.indexOf(id),
    );
    const points: Point[] = [];
    const thresholds: Point[] = [];
    for (const epoch of epochs) {
      const check = this.history.get(epoch)?.find((item) => item.id === id);
      if (!check) continue;
      points.push({ x: epoch, y: check.value });
      thresholds.push({ x: epoch, y: check.threshold });
    }
    const [values, threshold] = this.chart.data.datasets;
    values.label = labels.get(id) ?? id;
    values.data = points;
    threshold.data = thresholds;
    const x = this.chart.options.scales?.x;
    if (x && 'title' in x && x.title)
      x.title.text = t(this.unit === 'evaluation' ? 'chartEvaluationAxis' : 'chartEpochAxis');
    this.chart.update('none');
    const shown = points.find((point) => point.x === this.shownEpoch);
    setText(
      this.caption,
      shown
        ? t(this.unit === 'evaluation' ? 'checkHistoryShownEvaluation' : 'checkHistoryShownEpoch', {
            epoch: shown.x,
            value: compact(shown.y, 4),
          })
        : '',
    );
    this.canvas.dataset.check = id;
    this.canvas.dataset.points = JSON.stringify(
      points.map((point) => [point.x, Number.isFinite(point.y) ? point.y : null]),
    );
    this.canvas.dataset.shown = this.shownEpoch === null ? '' : String(this.shownEpoch);
    this.canvas.setAttribute(
      'aria-label',
      t('checkHistoryAria', {
        check: values.label,
        values: points.map((point) => `${point.x}: ${compact(point.y, 3)}`).join(t('listSeparator')),
      }),
    );
  }
}
