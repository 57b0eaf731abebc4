/**
 * The lab panel's exports (exporter.ts): the attention map on screen and every head of its probe
 * (PNG, SVG), the probe's attention (JSON, as `llm-tutor export --format json` writes it), each
 * training chart and the self-check history chart (PNG, SVG), and the metrics (CSV, one row per
 * evaluation). A row of buttons under each view; the host's "Export…" command lists the same.
 */
import { mapKey, unpackMap } from '../src/shared/run/attention';
import { mapGridSvg, mapSvg, type SvgMap } from '../src/shared/render/mapSvg';
import { exportName, metricsCsv, probeExport, probeExportJson } from '../src/shared/run/export';
import type { AttentionMap } from '../src/shared/run/records';
import { Chart, type LineChart } from './chartKit';
import { exportButtons, registerExport, chartPicture } from './exporter';
import { t } from './i18n';
import type { LabUi } from './layout';
import { groupTitle } from './mapOverview';
import type { LabModel } from './model';

function mapTitle(map: AttentionMap): string {
  return t('mapTitle', { group: groupTitle(map), layer: map.layer + 1, head: map.head + 1 });
}

function svgMap(map: AttentionMap): SvgMap | null {
  const unpacked = unpackMap(map);
  if (!unpacked) return null;
  return {
    title: mapTitle(map),
    rowTokens: map.rowTokens,
    columnTokens: map.columnTokens,
    weights: unpacked.weights,
    mask: unpacked.mask,
  };
}

const ORDER = { encoder: 0, decoder: 1 } as const;
const KIND_ORDER = { self: 0, 'causal-self': 1, cross: 2 } as const;

/** Registers the lab's exports and puts their buttons under the views. */
export function addLabExports(ui: LabUi, model: () => LabModel | null): void {
  const runId = (): string => model()?.run?.runId ?? 'run';
  const source = () => {
    const { snapshot, probeIndex, mode } = ui.attention.exportSource();
    const probe = snapshot?.probes[probeIndex] ?? null;
    return { snapshot, probeIndex, mode, probe };
  };
  const probeLabel = (): string => {
    const { snapshot, probeIndex, probe } = source();
    if (!snapshot || !probe) return '';
    return `${t(model()?.chapter.trainingUnit === 'evaluation' ? 'attentionEvaluationValue' : 'attentionEpochValue', {
      epoch: snapshot.epoch,
      last: snapshot.epoch,
    }).replace(
      / \(.*\)|（.*）/,
      '',
    )} · ${t('attentionProbeOption', { index: probeIndex + 1, source: probe.source.join(' ') })}`;
  };
  const masked = t('exportMasked');

  registerExport({
    id: 'map',
    available: () => source().snapshot !== null && ui.attention.explorer.current() !== null,
    label: () => {
      const map = ui.attention.explorer.current();
      return t('exportMapLabel', { title: map ? mapTitle(map) : '' });
    },
    formats: ['png', 'svg'],
    produce: () => {
      const { snapshot, probeIndex } = source();
      const map = ui.attention.explorer.current();
      if (!snapshot || !map) return null;
      const drawn = svgMap(map);
      if (!drawn) return null;
      return {
        name: exportName(runId(), `e${snapshot.epoch}`, `probe${probeIndex + 1}`, mapKey(map), map.mode),
        picture: mapSvg({ ...drawn, title: `${probeLabel()} · ${drawn.title}` }, { maskedLabel: masked }),
      };
    },
  });
  registerExport({
    id: 'heads',
    available: () => source().probe !== null,
    label: () => t('exportHeadsLabel', { probe: source().probeIndex + 1 }),
    formats: ['png', 'svg'],
    produce: () => {
      const { snapshot, probeIndex, mode, probe } = source();
      if (!snapshot || !probe) return null;
      const maps = probe.maps
        .filter((map) => map.mode === mode)
        .sort(
          (a, b) =>
            ORDER[a.stack] - ORDER[b.stack] ||
            KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
            a.layer - b.layer ||
            a.head - b.head,
        );
      const drawn = maps.map(svgMap).filter((map): map is SvgMap => map !== null);
      if (drawn.length === 0) return null;
      const heads = Math.max(...maps.map((map) => map.head)) + 1;
      return {
        name: exportName(runId(), `e${snapshot.epoch}`, `probe${probeIndex + 1}`, 'heads', mode),
        picture: mapGridSvg(probeLabel(), drawn, heads, { maskedLabel: masked }),
      };
    },
  });
  registerExport({
    id: 'probe',
    available: () => source().probe !== null && !!model()?.run,
    label: () => t('exportProbeLabel', { probe: source().probeIndex + 1 }),
    formats: ['json'],
    produce: () => {
      const { snapshot, probeIndex, probe } = source();
      const run = model()?.run;
      if (!snapshot || !probe || !run) return null;
      return {
        name: exportName(runId(), `e${snapshot.epoch}`, `probe${probeIndex + 1}`),
        text: probeExportJson(
          probeExport(
            {
              runId: run.runId,
              chapter: run.config.chapter,
              epoch: snapshot.epoch,
              step: snapshot.step,
              probe: probeIndex,
            },
            probe,
          ),
        ),
      };
    },
  });
  const attentionRow = el2(
    exportButtons('map', ['png', 'svg'], t('exportMapShort')),
    exportButtons('heads', ['png', 'svg'], t('exportHeadsShort')),
    exportButtons('probe', ['json'], t('exportProbeShort')),
  );
  ui.attention.root.appendChild(attentionRow);

  // "Try it": the map of the learner's own input.
  registerExport({
    id: 'try-map',
    available: () => ui.tryIt.explorer.current() !== null,
    label: () => {
      const map = ui.tryIt.explorer.current();
      return t('exportMapLabel', { title: map ? mapTitle(map) : '' });
    },
    formats: ['png', 'svg'],
    produce: () => {
      const map = ui.tryIt.explorer.current();
      const drawn = map ? svgMap(map) : null;
      if (!map || !drawn) return null;
      return {
        name: exportName(runId(), 'try', mapKey(map), map.mode),
        picture: mapSvg({ ...drawn, title: `${map.columnTokens.join(' ')} · ${drawn.title}` }, { maskedLabel: masked }),
      };
    },
  });
  ui.tryIt.explorer.root.appendChild(exportButtons('try-map', ['png', 'svg'], t('exportMapShort')));

  // Charts: each declared chart, found by its canvas (charts.ts builds them), and the metrics.
  for (const canvas of ui.charts.root.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')) {
    const id = `chart-${canvas.dataset.chart ?? ''}`;
    const title = (): string => canvas.closest('figure')?.querySelector('figcaption')?.textContent ?? id;
    registerExport({
      id,
      available: () => hasData(canvas),
      label: () => t('exportChartLabel', { title: title() }),
      formats: ['png', 'svg'],
      produce: () => chartProduct(canvas, title(), canvas.dataset.xAxis ?? '', exportName(runId(), id)),
    });
    canvas.closest('figure')?.appendChild(exportButtons(id, ['png', 'svg']));
  }
  registerExport({
    id: 'metrics',
    available: () => (model()?.evaluations.length ?? 0) > 0,
    label: () => t('exportMetricsLabel'),
    formats: ['csv'],
    produce: () => {
      const current = model();
      if (!current || current.evaluations.length === 0) return null;
      return { name: exportName(runId(), 'metrics'), text: metricsCsv(current.chapter, current.evaluations) };
    },
  });
  ui.charts.root.appendChild(exportButtons('metrics', ['csv'], t('exportMetricsShort')));

  const history = ui.attention.checkChart;
  registerExport({
    id: 'check-history',
    available: () => hasData(history.canvas),
    label: () => t('exportChartLabel', { title: t('checkHistoryTitle') }),
    formats: ['png', 'svg'],
    produce: () =>
      chartProduct(
        history.canvas,
        `${t('checkHistoryTitle')}: ${Chart.getChart(history.canvas)?.data.datasets[0]?.label ?? ''}`,
        t(model()?.chapter.trainingUnit === 'evaluation' ? 'chartEvaluationAxis' : 'chartEpochAxis'),
        exportName(runId(), 'check', history.canvas.dataset.check ?? ''),
      ),
  });
  history.root.appendChild(exportButtons('check-history', ['png', 'svg']));
}

function el2(...rows: HTMLElement[]): HTMLElement {
  const box = document.createElement('div');
  box.className = 'export-rows';
  box.append(...rows);
  return box;
}

/** The run's figures drawn as charts (`lines` figures: the √d_k sweep…), after figures.ts built them. */
export function addFigureExports(ui: LabUi, model: () => LabModel | null): void {
  for (const canvas of ui.figures.root.querySelectorAll<HTMLCanvasElement>('canvas.figure-canvas[data-figure]')) {
    const figure = canvas.closest('figure');
    if (!figure || figure.querySelector('.export-row')) continue;
    const id = `figure-${canvas.dataset.figure ?? ''}`;
    const title = (): string => figure.querySelector('figcaption')?.textContent ?? id;
    registerExport({
      id,
      available: () => hasData(canvas),
      label: () => t('exportChartLabel', { title: title() }),
      formats: ['png', 'svg'],
      produce: () => {
        const chart = Chart.getChart(canvas) as LineChart | undefined;
        if (!chart || !hasData(canvas)) return null;
        const x = chart.options.scales?.x;
        const xLabel = x && 'title' in x && x.title && typeof x.title.text === 'string' ? x.title.text : '';
        const log2 = canvas.dataset.xScale === 'log2';
        return {
          name: exportName(model()?.run?.runId ?? 'run', id),
          picture: chartPicture(chart, title(), xLabel, undefined, {
            yLog: canvas.dataset.yScale === 'log',
            xTick: log2 ? (v) => String(2 ** v) : undefined,
          }),
        };
      },
    });
    figure.appendChild(exportButtons(id, ['png', 'svg']));
  }
}

function hasData(canvas: HTMLCanvasElement): boolean {
  return Chart.getChart(canvas)?.data.datasets.some((dataset) => dataset.data.length > 0) ?? false;
}

function chartProduct(canvas: HTMLCanvasElement, title: string, xLabel: string, name: string) {
  const chart = Chart.getChart(canvas) as LineChart | undefined;
  if (!chart || !chart.data.datasets.some((dataset) => dataset.data.length > 0)) return null;
  const y = chart.options.scales?.y;
  const range: [number, number] | undefined =
    y && typeof y.min === 'number' && typeof y.max === 'number' ? [y.min, y.max] : undefined;
  return { name, picture: chartPicture(chart, title, xLabel, range) };
}
