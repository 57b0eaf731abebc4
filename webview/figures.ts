/**
 * A run's figures (`run.figures`, diagnostics computed once per run), drawn generically: the
 * panel knows nothing of any chapter. `lines` figures are line charts (x linear or log2, y linear
 * or log, dashed series dashed); `matrix` figures are heat maps with a sequential or diverging
 * colour scale, axis labels, a legend with the value range, and a hover readout.
 */
import { unpackFloat32 } from '../src/shared/run/packed';
import type { Figure } from '../src/shared/run/records';
import { applyChartTheme, Chart, lineDataset, type LineChart, type Point } from './chartKit';
import { clear, el, setText, show } from './dom';
import { buildDivergingRamp, buildRamp, divergingColour, rampIndex, RAMP_SIZE, type DivergingRamp } from './heatColor';
import { drawHeatmap, drawLegend, type CellPainter } from './heatmapCanvas';
import { list, pick, t } from './i18n';
import { compact } from './numbers';
import type { Theme } from './theme';

type LinesFigure = Extract<Figure, { type: 'lines' }>;
type MatrixFigure = Extract<Figure, { type: 'matrix' }>;

const MIN_CELL = 4;
const MAX_CELL = 28;

/** The x value as drawn: log2 figures are drawn on a linear axis of log2(x). */
function xOf(figure: LinesFigure, x: number): number {
  return figure.xScale === 'log2' ? (x > 0 ? Math.log2(x) : Number.NaN) : x;
}

/** What the figure shows or how it was measured, under it (null when it has no note). */
function noteOf(figure: Figure): HTMLElement | null {
  const note = figure.note ? pick(figure.note) : '';
  return note ? el('p', { className: 'figure-note muted', text: note }) : null;
}

class LinesFigureView {
  readonly root: HTMLElement;
  private readonly chart: LineChart;

  constructor(readonly figure: LinesFigure) {
    const title = pick(figure.title);
    const canvas = el('canvas', {
      className: 'chart-canvas figure-canvas',
      attrs: {
        id: `figure-${figure.id}`,
        role: 'img',
        'data-figure': figure.id,
        'data-x-scale': figure.xScale,
        'data-y-scale': figure.yScale,
        'aria-label': t('figureLinesAria', {
          title,
          x: pick(figure.xLabel),
          y: pick(figure.yLabel),
          series: list(figure.series.map((s) => pick(s.label))),
        }),
      },
    });
    this.root = el('figure', { className: 'chart-figure figure lines-figure', attrs: { 'data-figure': figure.id } }, [
      el('figcaption', { text: title }),
      el('div', { className: 'chart-box' }, [canvas]),
      noteOf(figure),
    ]);
    const logY = figure.yScale === 'log';
    const datasets = figure.series.map((series, i) => {
      const data: Point[] = series.points.map(([x, y]) => ({
        x: xOf(figure, x),
        y: logY && !(y > 0) ? Number.NaN : y,
      }));
      return lineDataset(pick(series.label), i, { data, borderDash: series.dashed ? [6, 4] : [] });
    });
    canvas.dataset.points = JSON.stringify(
      datasets.map((d) => d.data.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).length),
    );
    const log2 = figure.xScale === 'log2';
    this.chart = new Chart<'line', Point[]>(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: {
            type: 'linear',
            title: { display: true, text: pick(figure.xLabel) },
            ticks: log2
              ? {
                  stepSize: 1,
                  callback: (value) => (Number.isInteger(Number(value)) ? compact(2 ** Number(value), 6) : ''),
                }
              : {},
          },
          y: { type: logY ? 'logarithmic' : 'linear', title: { display: true, text: pick(figure.yLabel) } },
        },
        plugins: {
          legend: { position: 'bottom', labels: { usePointStyle: true, boxHeight: 8 } },
          tooltip: {
            callbacks: {
              title: (items) => {
                const x = items[0]?.parsed.x ?? Number.NaN;
                return `${pick(figure.xLabel)} = ${compact(log2 ? 2 ** x : x, 6)}`;
              },
              label: (item) => `${item.dataset.label}: ${compact(item.parsed.y ?? Number.NaN, 4)}`,
            },
          },
        },
      },
    });
  }

  setTheme(theme: Theme): void {
    applyChartTheme(
      this.chart,
      theme,
      this.figure.series.map((_, i) => i),
    );
  }

  destroy(): void {
    this.chart.destroy();
  }
}

class MatrixFigureView {
  readonly root: HTMLElement;
  private readonly canvas = el('canvas', { className: 'matrix-canvas' });
  private readonly legendCanvas = el('canvas', { className: 'map-legend-ramp', attrs: { 'aria-hidden': 'true' } });
  private readonly low = el('span', { className: 'legend-low' });
  private readonly high = el('span', { className: 'legend-high' });
  private readonly readout = el('p', { className: 'map-readout' });
  private readonly values: Float32Array | null;
  private readonly min: number;
  private readonly max: number;
  private theme: Theme | null = null;
  private cellSize = 12;
  private hover: { row: number; column: number } | null = null;

  constructor(readonly figure: MatrixFigure) {
    const { rows, columns } = figure.values;
    const unpacked = unpackFloat32(figure.values.data);
    this.values = unpacked && unpacked.length === rows * columns ? unpacked : null;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const value of this.values ?? []) {
      if (!Number.isFinite(value)) continue;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    if (figure.scale === 'diverging') {
      const extent = Math.max(Math.abs(min), Math.abs(max));
      [min, max] = [-extent, extent];
    }
    this.min = min;
    this.max = max;
    const title = pick(figure.title);
    const rowLabel = pick(figure.rowLabel);
    const columnLabel = pick(figure.columnLabel);
    Object.assign(this.canvas.dataset, {
      figure: figure.id,
      rows: String(rows),
      columns: String(columns),
      scale: figure.scale,
      min: String(min),
      max: String(max),
    });
    this.canvas.id = `figure-${figure.id}`;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', t('figureMatrixAria', { title, rows, columns, rowLabel, columnLabel }));
    const body = this.values
      ? [
          el('div', { className: 'matrix-frame' }, [
            el('span', { className: 'matrix-row-label map-axis', text: `${rowLabel} ↓` }),
            el('div', {}, [
              el('span', { className: 'matrix-column-label map-axis', text: `${columnLabel} →` }),
              this.canvas,
            ]),
          ]),
          this.readout,
          el('div', { className: 'map-legend' }, [this.low, this.legendCanvas, this.high]),
        ]
      : [el('p', { className: 'map-message map-damaged', text: t('figureDamaged') })];
    this.root = el('figure', { className: 'figure matrix-figure', attrs: { 'data-figure': figure.id } }, [
      el('figcaption', { text: title }),
      ...body,
      noteOf(figure),
    ]);
    this.canvas.addEventListener('mousemove', (event) => {
      const rect = this.canvas.getBoundingClientRect();
      const column = Math.floor((event.clientX - rect.left) / this.cellSize);
      const row = Math.floor((event.clientY - rect.top) / this.cellSize);
      this.hover = row >= 0 && column >= 0 && row < rows && column < columns ? { row, column } : null;
      this.draw();
    });
    this.canvas.addEventListener('mouseleave', () => {
      this.hover = null;
      this.draw();
    });
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.draw();
  }

  private draw(): void {
    const values = this.values;
    const theme = this.theme;
    if (!values || !theme) return;
    const { rows, columns } = this.figure.values;
    const dark = theme.kind === 'dark' || theme.kind === 'high-contrast';
    const { min, max } = this;
    let paint: CellPainter;
    let legend: Uint8ClampedArray;
    if (this.figure.scale === 'diverging') {
      const ramp: DivergingRamp = buildDivergingRamp(theme.divergingBases[0], theme.divergingBases[1], dark);
      const extent = max > 0 ? max : 1;
      paint = (pixels) => {
        for (let i = 0; i < values.length; i++) {
          divergingColour(ramp, Number.isFinite(values[i]) ? values[i] / extent : 0, pixels, i * 4);
          pixels[i * 4 + 3] = 255;
        }
      };
      legend = new Uint8ClampedArray(RAMP_SIZE * 2 * 3);
      for (let i = 0; i < RAMP_SIZE * 2; i++) divergingColour(ramp, (i / (RAMP_SIZE * 2 - 1)) * 2 - 1, legend, i * 3);
    } else {
      const ramp = buildRamp(theme.mapBase, dark);
      const span = max > min ? max - min : 1;
      paint = (pixels) => {
        for (let i = 0; i < values.length; i++) {
          const index = rampIndex(Number.isFinite(values[i]) ? (values[i] - min) / span : 0) * 3;
          pixels.set([ramp[index], ramp[index + 1], ramp[index + 2], 255], i * 4);
        }
      };
      legend = ramp;
    }
    const width = this.root.clientWidth || 480;
    this.cellSize = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor((width - 80) / Math.max(1, columns))));
    drawHeatmap(this.canvas, {
      rows,
      columns,
      cellSize: this.cellSize,
      paint,
      mask: null,
      background: theme.background,
      hatch: theme.hatch,
      separator: theme.background,
      selectionColor: theme.focus,
      hoverColor: theme.foreground,
      selectedRow: null,
      selectedColumn: null,
      hover: this.hover,
    });
    drawLegend(this.legendCanvas, legend);
    setText(this.low, Number.isFinite(min) ? compact(min, 3) : '–');
    setText(this.high, Number.isFinite(max) ? compact(max, 3) : '–');
    const hover = this.hover;
    setText(
      this.readout,
      hover
        ? t('figureCell', {
            rowLabel: pick(this.figure.rowLabel),
            row: hover.row + 1,
            columnLabel: pick(this.figure.columnLabel),
            column: hover.column + 1,
            value: compact(values[hover.row * columns + hover.column], 4),
          })
        : t('figureHint'),
    );
  }
}

export class FiguresView {
  readonly root = el('div', { className: 'figures', attrs: { id: 'figures' } });
  private views: (LinesFigureView | MatrixFigureView)[] = [];
  private theme: Theme | null = null;
  private shown: readonly Figure[] = [];

  update(figures: readonly Figure[]): void {
    if (figures === this.shown) return;
    this.shown = figures;
    this.destroy();
    clear(this.root);
    this.views = figures.map((figure) =>
      figure.type === 'lines' ? new LinesFigureView(figure) : new MatrixFigureView(figure),
    );
    for (const view of this.views) this.root.appendChild(view.root);
    show(this.root, figures.length > 0);
    if (this.theme) this.setTheme(this.theme);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    for (const view of this.views) view.setTheme(theme);
  }

  destroy(): void {
    for (const view of this.views) if (view instanceof LinesFigureView) view.destroy();
    this.views = [];
  }
}
