/**
 * Exports of the panel's views. Each view registers what it can export (`registerExport`: an id,
 * a label, its formats and how to produce each); a row of buttons beside the view (`exportButtons`)
 * and the host's "Export…" command (`exportList` → `exportViews`, `exportView` → `export`) both
 * end in one `export` message: a proposed file name and the content (PNG as base64). The host
 * checks it and asks the learner where to save it; the webview never touches files. SVGs come from
 * src/shared/render/mapSvg.ts (also the CLI's); a PNG is that SVG drawn at twice its size on a
 * canvas, so both show the same tokens and colour scale. Exports use a light page whatever the
 * theme, so a file reads the same in any document. Charts come from their chart.js datasets.
 */
import type { ExportFormat } from '../src/shared/run/export';
import { lineChartSvg, type SvgPicture, type SvgSeries } from '../src/shared/render/mapSvg';
import type { LineChart } from './chartKit';
import { el } from './dom';
import { t } from './i18n';
import { post } from './vscodeApi';

/** PNG pixels per SVG pixel. */
export const PNG_SCALE = 2;

export interface ExportProduct {
  /** A file name without extension (letters, digits, `.`, `_`, `-`). */
  name: string;
  /** An SVG picture (also the source of the PNG), or the text of a CSV / JSON. */
  picture?: SvgPicture;
  text?: string;
}

export interface ExportView {
  id: string;
  label: () => string;
  formats: readonly ExportFormat[];
  /** Whether the view has something to export now (cheap: the Export… list asks every view). */
  available: () => boolean;
  /** What to export now; null when the view has nothing to show. */
  produce: (format: ExportFormat) => ExportProduct | null;
}

const views = new Map<string, ExportView>();
let reportError: (reason: string) => void = () => undefined;

/** Where a failed export is reported (the panel's message line). */
export function onExportError(report: (reason: string) => void): void {
  reportError = report;
}

/** Adds (or replaces) a view that can be exported. */
export function registerExport(view: ExportView): void {
  views.set(view.id, view);
}

/** Forgets every view (a new init builds the panel again). */
export function clearExports(): void {
  views.clear();
}

/** What can be exported now, for the host's "Export…" command. */
export function exportableViews(): { id: string; label: string; formats: ExportFormat[] }[] {
  return [...views.values()]
    .filter((view) => view.available())
    .map((view) => ({ id: view.id, label: view.label().slice(0, 200), formats: [...view.formats] }));
}

function base64OfText(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The PNG (base64, no data-URL prefix) of an SVG picture, `PNG_SCALE` times its size. */
export function svgToPng(picture: SvgPicture): Promise<string> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = picture.width * PNG_SCALE;
      canvas.height = picture.height * PNG_SCALE;
      const context = canvas.getContext('2d');
      if (!context) return reject(new Error('no 2D canvas'));
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      resolve(canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, ''));
    };
    image.onerror = () => reject(new Error('the picture could not be drawn'));
    image.src = `data:image/svg+xml;base64,${base64OfText(picture.svg)}`;
  });
}

/** Produces view `id` in `format` and posts the `export` message; false when there is nothing to export. */
export async function runExport(id: string, format: ExportFormat): Promise<boolean> {
  const view = views.get(id);
  if (!view || !view.formats.includes(format)) return false;
  const product = view.produce(format);
  if (!product) return false;
  let content: string;
  if (format === 'png' && product.picture) content = await svgToPng(product.picture);
  else if (format === 'svg' && product.picture) content = product.picture.svg;
  else if (product.text !== undefined) content = product.text;
  else return false;
  post({ type: 'export', format, name: product.name, content });
  return true;
}

/** A row of buttons, one per format: “PNG”, “SVG”… with an accessible name naming the view. */
export function exportButtons(
  id: string,
  formats: readonly ExportFormat[],
  visibleLabel = t('exportLabel'),
): HTMLElement {
  const buttons = formats.map((format) => {
    const button = el('button', {
      className: 'export-button',
      text: format.toUpperCase(),
      attrs: {
        type: 'button',
        id: `export-${id}-${format}`,
        'data-export': id,
        'data-format': format,
      },
    });
    button.addEventListener('click', () => {
      button.disabled = true;
      runExport(id, format)
        .catch((error: unknown) => reportError(error instanceof Error ? error.message : String(error)))
        .finally(() => {
          button.disabled = false;
        });
    });
    return button;
  });
  const row = el('div', { className: 'export-row', attrs: { role: 'group' } }, [
    el('span', { className: 'control-label export-label', text: visibleLabel }),
    ...buttons,
  ]);
  /** Labels follow the view's (a probe or map change renames it). */
  const relabel = (): void => {
    const view = views.get(id);
    const name = view?.label() ?? id;
    row.setAttribute('aria-label', t('exportGroupAria', { view: name }));
    for (const button of buttons)
      button.setAttribute(
        'aria-label',
        t('exportButtonAria', { view: name, format: (button.dataset.format ?? '').toUpperCase() }),
      );
  };
  row.addEventListener('focusin', relabel);
  row.addEventListener('pointerenter', relabel);
  queueMicrotask(relabel);
  return row;
}

const EXPORT_PALETTE = ['#1a85ff', '#d41159', '#1b9e77', '#b36b00', '#7570b3', '#555555', '#e7298a', '#66a61e'];

/** A chart.js line chart as an SVG: its visible series with their labels and dashes (the envelope's band is left out). */
export function chartPicture(
  chart: LineChart,
  title: string,
  xLabel: string,
  yRange?: [number, number],
  axes: { yLog?: boolean; xTick?: (x: number) => string } = {},
): SvgPicture {
  const series: SvgSeries[] = [];
  chart.data.datasets.forEach((dataset, i) => {
    if (!dataset.label || dataset.borderWidth === 0 || !chart.isDatasetVisible(i)) return;
    const points = (dataset.data as { x: number; y: number | null }[]).map((p) => ({ x: p.x, y: p.y }));
    if (points.length === 0) return;
    // Each series its own colour (in the panel, raw and smoothed loss share one and differ by width).
    const dash = dataset.borderDash;
    const colour = EXPORT_PALETTE[series.length % EXPORT_PALETTE.length];
    series.push({ label: dataset.label, colour, points, dashed: Array.isArray(dash) && dash.length > 0 });
  });
  return lineChartSvg({ title, xLabel, series, yMin: yRange?.[0], yMax: yRange?.[1], ...axes });
}
