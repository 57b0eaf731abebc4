/**
 * The comparison panel's exports (exporter.ts): the compared runs' map side by side (PNG, SVG, one
 * colour scale) and each chart of the compared metrics (PNG, SVG). The charts appear as runs
 * report metrics, so their buttons are added whenever the view is updated.
 */
import { mapGridSvg } from '../src/shared/render/mapSvg';
import { exportName } from '../src/shared/run/export';
import { Chart, type LineChart } from './chartKit';
import type { CompareView } from './compareView';
import { chartPicture, exportButtons, registerExport } from './exporter';
import { t } from './i18n';

/** Registers the map export and puts its buttons under the maps. */
export function addCompareExports(view: CompareView): void {
  registerExport({
    id: 'compare-maps',
    available: () => view.maps.exportSource() !== null,
    label: () => t('exportCompareLabel'),
    formats: ['png', 'svg'],
    produce: () => {
      const source = view.maps.exportSource();
      if (!source) return null;
      return {
        name: exportName('comparison', source.key, source.mode),
        picture: mapGridSvg(`${t('exportCompareLabel')} · ${source.key}`, source.maps, source.maps.length, {
          maskedLabel: t('exportMasked'),
        }),
      };
    },
  });
  view.maps.root.appendChild(exportButtons('compare-maps', ['png', 'svg']));
}

/** Buttons for every compared chart drawn so far (once each). */
export function refreshCompareExports(view: CompareView): void {
  for (const canvas of view.charts.root.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')) {
    const figure = canvas.closest('figure');
    if (!figure || figure.querySelector('.export-row')) continue;
    const id = `compare-chart-${canvas.dataset.chart ?? ''}`;
    const title = (): string => figure.querySelector('figcaption')?.textContent ?? id;
    registerExport({
      id,
      available: () => Chart.getChart(canvas)?.data.datasets.some((dataset) => dataset.data.length > 0) ?? false,
      label: () => t('exportChartLabel', { title: title() }),
      formats: ['png', 'svg'],
      produce: () => {
        const chart = Chart.getChart(canvas) as LineChart | undefined;
        if (!chart || !chart.data.datasets.some((dataset) => dataset.data.length > 0)) return null;
        const y = chart.options.scales?.y;
        const range: [number, number] | undefined =
          y && typeof y.min === 'number' && typeof y.max === 'number' ? [y.min, y.max] : undefined;
        const x = chart.options.scales?.x;
        const xLabel = x && 'title' in x && x.title && typeof x.title.text === 'string' ? x.title.text : '';
        return {
          name: exportName('comparison', canvas.dataset.chart ?? 'chart'),
          picture: chartPicture(chart, title(), xLabel, range),
        };
      },
    });
    figure.appendChild(exportButtons(id, ['png', 'svg']));
  }
}
