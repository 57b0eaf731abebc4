/**
 * chart.js set up once for the panel's line charts (training curves and `lines` figures): the
 * registered parts, a dataset with non-colour cues (dash and point style by series), and the
 * theme applied to a chart (colours from VS Code's theme, no animation).
 */
import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import type { Theme } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Filler);

export { Chart };
export type Point = { x: number; y: number };
export type LineChart = Chart<'line', Point[]>;
export type LineDataset = ChartDataset<'line', Point[]>;

const POINT_STYLES = ['circle', 'rectRot', 'triangle', 'rect', 'star', 'crossRot'] as const;
const DASHES: number[][] = [[], [6, 4], [2, 3], [10, 3, 2, 3]];

/** A line series; `index` picks its dash and point style (colour comes with the theme). */
export function lineDataset(label: string, index: number, extra: Partial<LineDataset> = {}): LineDataset {
  return {
    label,
    data: [],
    borderWidth: 2,
    pointRadius: 3,
    pointHoverRadius: 5,
    tension: 0,
    spanGaps: false,
    borderDash: DASHES[index % DASHES.length],
    pointStyle: POINT_STYLES[index % POINT_STYLES.length],
    ...extra,
  };
}

/** A CSS colour with an alpha (hex colours only; others are returned as they are). */
export function withAlpha(colour: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour.trim());
  if (!hex) return colour;
  const n = parseInt(hex[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * Colours a chart's datasets (`colourIndex[i]` picks dataset i's colour from the theme's series
 * colours; a `faint` dataset is drawn lighter) and its axes, legend and titles.
 */
export function applyChartTheme(chart: LineChart, theme: Theme, colourIndex: number[], faint: boolean[] = []): void {
  Chart.defaults.font.family = theme.fontFamily;
  Chart.defaults.font.size = Math.max(11, theme.fontSize - 1);
  chart.data.datasets.forEach((dataset, i) => {
    const colour = theme.series[(colourIndex[i] ?? i) % theme.series.length];
    const line = faint[i] ? withAlpha(colour, theme.kind.startsWith('high-contrast') ? 1 : 0.45) : colour;
    dataset.borderColor = line;
    dataset.backgroundColor = colour;
    dataset.pointBorderColor = colour;
    dataset.pointBackgroundColor = colour;
  });
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
