/**
 * Pictures of the lab as standalone SVG documents, the same from the panel (its SVG export, and the
 * source of its PNG export) and the CLI (`llm-tutor export --format svg`): an attention map with
 * its row and column tokens, masked cells hatched and the colour scale; a grid of maps (a probe's
 * heads, or the compared runs' maps); a line chart with its axes and legend. Only shapes and
 * text: no script, no link, nothing loaded (the host's check of an export refuses anything else).
 * Text widths are estimated (no DOM): a wide character counts double. Pure: no DOM, no Node.
 */
import { buildRamp, DEFAULT_MAP_BASE, rampHex, rampIndex } from './heatRamp';

export interface SvgPicture {
  svg: string;
  width: number;
  height: number;
}

export interface SvgMap {
  title: string;
  rowTokens: readonly string[];
  columnTokens: readonly string[];
  /** Row-major `rows × columns`, 0..1. */
  weights: ArrayLike<number>;
  /** Row-major, 1 = may attend; null when nothing is masked. */
  mask: ArrayLike<number> | null;
}

export interface SvgStyle {
  /** Page colours (the panel passes its theme's; the CLI uses these defaults). */
  background: string;
  foreground: string;
  muted: string;
  /** The heat ramp (RAMP_SIZE rgb triples, weight 0 → 1). */
  ramp: Uint8ClampedArray;
  font: string;
}

export const DEFAULT_SVG_STYLE: SvgStyle = {
  background: '#ffffff',
  foreground: '#1f1f1f',
  muted: '#616161',
  ramp: buildRamp(DEFAULT_MAP_BASE),
  font: 'system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif',
};

const FONT_SIZE = 12;
const TITLE_SIZE = 13;
const MARGIN = 16;

/** XML text: `&`, `<`, `>`, quotes escaped; characters XML 1.0 cannot hold dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Estimated width of `text` at `size` px: a wide (CJK, fullwidth) character counts about 1 em. */
export function textWidth(text: string, size = FONT_SIZE): number {
  let width = 0;
  for (const char of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/.test(char) ? 1 : 0.6;
  return Math.ceil(width * size);
}

const round = (value: number): string => String(Math.round(value * 100) / 100);

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${round(x)}" y="${round(y)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(content)}</text>`;
}

function documentOf(width: number, height: number, style: SvgStyle, title: string, body: string[]): SvgPicture {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  const svg = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="${escapeXml(style.font)}" font-size="${FONT_SIZE}">`,
    `<title>${escapeXml(title)}</title>`,
    '<defs><pattern id="masked" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      `<rect width="6" height="6" fill="${style.background}"/><line x1="0" y1="0" x2="0" y2="6" stroke="${style.muted}" stroke-width="2"/></pattern></defs>`,
    `<rect width="${w}" height="${h}" fill="${style.background}"/>`,
    ...body,
    '</svg>',
  ];
  return { svg: `${svg.join('\n')}\n`, width: w, height: h };
}

interface Block {
  width: number;
  height: number;
  /** The block's elements drawn with its top-left corner at (x, y). */
  draw(x: number, y: number): string[];
}

/** One map: title, row tokens at the left, column tokens below (slanted), cells. */
function mapBlock(map: SvgMap, style: SvgStyle, cell: number, size: number, cellTitles: boolean): Block {
  const rows = map.rowTokens.length;
  const columns = map.columnTokens.length;
  const rowLabel = Math.max(0, ...map.rowTokens.map((token) => textWidth(token, size))) + 6;
  // Column labels at −45°: their height is about their width / √2 plus a line.
  const columnLabel =
    (Math.max(0, ...map.columnTokens.map((token) => textWidth(token, size))) + 6) * Math.SQRT1_2 + size;
  const titleHeight = map.title ? TITLE_SIZE + 8 : 0;
  const width = Math.max(rowLabel + columns * cell + columnLabel * 0.8, textWidth(map.title, TITLE_SIZE));
  const height = titleHeight + rows * cell + columnLabel;
  return {
    width,
    height,
    draw(x, y) {
      const out: string[] = ['<g class="map">'];
      if (map.title)
        out.push(
          text(x, y + TITLE_SIZE, map.title, `font-size="${TITLE_SIZE}" font-weight="600" fill="${style.foreground}"`),
        );
      const left = x + rowLabel;
      const top = y + titleHeight;
      for (let r = 0; r < rows; r++) {
        out.push(
          text(
            left - 6,
            top + (r + 0.5) * cell,
            map.rowTokens[r],
            `class="row-token" font-size="${size}" text-anchor="end" dominant-baseline="central" fill="${style.foreground}"`,
          ),
        );
        for (let c = 0; c < columns; c++) {
          const i = r * columns + c;
          const masked = map.mask !== null && !map.mask[i];
          const weight = Number(map.weights[i]);
          const fill = masked ? 'url(#masked)' : rampHex(style.ramp, rampIndex(weight));
          const rect = `<rect x="${round(left + c * cell)}" y="${round(top + r * cell)}" width="${cell}" height="${cell}" fill="${fill}"`;
          const tip = `${map.rowTokens[r]} → ${map.columnTokens[c]}: ${masked ? 'masked' : weight.toFixed(4)}`;
          out.push(cellTitles ? `${rect}><title>${escapeXml(tip)}</title></rect>` : `${rect}/>`);
        }
      }
      const bottom = top + rows * cell + 6;
      for (let c = 0; c < columns; c++) {
        const cx = left + (c + 0.5) * cell;
        out.push(
          text(
            cx,
            bottom,
            map.columnTokens[c],
            `class="column-token" font-size="${size}" text-anchor="end" dominant-baseline="hanging" transform="rotate(-45 ${round(cx)} ${round(bottom)})" fill="${style.foreground}"`,
          ),
        );
      }
      out.push('</g>');
      return out;
    },
  };
}

/** The colour scale: the ramp from 0 to `max`, and a hatched swatch for masked cells when any. */
function scaleBlock(style: SvgStyle, masked: boolean, maskedLabel: string, max = 1): Block {
  const steps = 32;
  const bar = 160;
  const width = 20 + bar + 40 + (masked ? 24 + textWidth(maskedLabel) : 0);
  return {
    width,
    height: 34,
    draw(x, y) {
      const out = ['<g class="colour-scale">'];
      for (let i = 0; i < steps; i++) {
        const weight = (i + 0.5) / steps;
        out.push(
          `<rect x="${round(x + (i * bar) / steps)}" y="${y}" width="${round(bar / steps + 0.3)}" height="12" fill="${rampHex(style.ramp, rampIndex(weight))}"/>`,
        );
      }
      out.push(
        `<rect x="${x}" y="${y}" width="${bar}" height="12" fill="none" stroke="${style.muted}" stroke-width="0.5"/>`,
      );
      out.push(text(x, y + 26, '0', `fill="${style.muted}"`));
      out.push(text(x + bar, y + 26, round(max), `text-anchor="end" fill="${style.muted}"`));
      if (masked) {
        const sx = x + bar + 24;
        out.push(
          `<rect x="${sx}" y="${y}" width="12" height="12" fill="url(#masked)" stroke="${style.muted}" stroke-width="0.5"/>`,
        );
        out.push(text(sx + 16, y + 10, maskedLabel, `fill="${style.muted}"`));
      }
      out.push('</g>');
      return out;
    },
  };
}

export interface MapSvgOptions {
  style?: Partial<SvgStyle>;
  /** The word for masked cells in the scale's legend. */
  maskedLabel?: string;
  /** Cell size in px (default: 28, smaller for large maps). */
  cell?: number;
}

function cellSize(rows: number, columns: number): number {
  const largest = Math.max(rows, columns);
  return largest <= 12 ? 28 : largest <= 32 ? 16 : largest <= 64 ? 10 : 6;
}

/** One attention map with its tokens and colour scale. */
export function mapSvg(map: SvgMap, options: MapSvgOptions = {}): SvgPicture {
  return mapGridSvg(map.title, [{ ...map, title: '' }], 1, options);
}

/**
 * Several maps in a grid of `columns` (a probe's heads: one row per layer; compared runs side by
 * side), each with its title and tokens, one colour scale below, `title` above.
 */
export function mapGridSvg(
  title: string,
  maps: readonly SvgMap[],
  columns: number,
  options: MapSvgOptions = {},
): SvgPicture {
  const style = { ...DEFAULT_SVG_STYLE, ...options.style };
  const largest = Math.max(1, ...maps.map((map) => Math.max(map.rowTokens.length, map.columnTokens.length)));
  const single = maps.length === 1;
  const cell =
    options.cell ?? (single ? cellSize(largest, largest) : Math.max(6, Math.floor(cellSize(largest, largest) * 0.6)));
  const size = single ? FONT_SIZE : Math.max(8, Math.min(FONT_SIZE, cell));
  // A tooltip per cell for one map; a grid of many large maps stays small without them.
  const blocks = maps.map((map) => mapBlock(map, style, cell, size, single));
  const perRow = Math.max(1, Math.min(columns, blocks.length));
  const blockWidth = Math.max(0, ...blocks.map((block) => block.width));
  const blockHeight = Math.max(0, ...blocks.map((block) => block.height));
  const gap = 20;
  const rowsOfBlocks = Math.ceil(blocks.length / perRow);
  const masked = maps.some((map) => map.mask !== null && Array.from(map.mask).some((bit) => !bit));
  const scale = scaleBlock(style, masked, options.maskedLabel ?? 'masked');
  const titleHeight = title ? TITLE_SIZE + 14 : 0;
  const width =
    MARGIN * 2 + Math.max(perRow * blockWidth + (perRow - 1) * gap, scale.width, textWidth(title, TITLE_SIZE + 1));
  const gridHeight = rowsOfBlocks * blockHeight + (rowsOfBlocks - 1) * gap;
  const height = MARGIN * 2 + titleHeight + gridHeight + 12 + scale.height;
  const body: string[] = [];
  if (title)
    body.push(
      text(
        MARGIN,
        MARGIN + TITLE_SIZE + 1,
        title,
        `font-size="${TITLE_SIZE + 1}" font-weight="600" fill="${style.foreground}"`,
      ),
    );
  blocks.forEach((block, i) => {
    const x = MARGIN + (i % perRow) * (blockWidth + gap);
    const y = MARGIN + titleHeight + Math.floor(i / perRow) * (blockHeight + gap);
    body.push(...block.draw(x, y));
  });
  body.push(...scale.draw(MARGIN, MARGIN + titleHeight + gridHeight + 12));
  return documentOf(width, height, style, title || maps[0]?.title || 'attention', body);
}

// ── line charts ─────────────────────────────────────────────────────────────────────────────

export interface SvgSeries {
  label: string;
  colour: string;
  points: readonly { x: number; y: number | null }[];
  dashed?: boolean;
}

export interface LineChartSvg {
  title: string;
  xLabel: string;
  series: readonly SvgSeries[];
  /** Fixed y range (e.g. 0..1 for ratios); otherwise from the data (0 included when all ≥ 0). */
  yMin?: number;
  yMax?: number;
  /** A logarithmic y axis (values ≤ 0 are gaps). */
  yLog?: boolean;
  /** How an x tick reads (e.g. 2^x for an axis drawn in log2). */
  xTick?: (x: number) => string;
}

function niceStep(span: number): number {
  const raw = span / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

function tickText(value: number, step: number): string {
  const digits = Math.max(0, Math.min(6, -Math.floor(Math.log10(step))));
  return value.toFixed(digits);
}

/** A line chart: axes with ticks, one polyline per series (gaps where a value is missing), a legend. */
export function lineChartSvg(chart: LineChartSvg, options: { style?: Partial<SvgStyle> } = {}): SvgPicture {
  const style = { ...DEFAULT_SVG_STYLE, ...options.style };
  const yLog = chart.yLog === true;
  const series = chart.series
    .filter((s) => s.label !== '')
    .map((s) =>
      yLog
        ? { ...s, points: s.points.map((p) => ({ x: p.x, y: p.y !== null && p.y > 0 ? Math.log10(p.y) : null })) }
        : s,
    );
  const finite = (p: { y: number | null }): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y);
  const all = series.flatMap((s) => s.points.filter(finite));
  let xMin = Math.min(...all.map((p) => p.x));
  let xMax = Math.max(...all.map((p) => p.x));
  if (!Number.isFinite(xMin)) [xMin, xMax] = [0, 1];
  if (xMin === xMax) xMax = xMin + 1;
  let yMin = chart.yMin ?? Math.min(...all.map((p) => p.y));
  let yMax = chart.yMax ?? Math.max(...all.map((p) => p.y));
  if (!Number.isFinite(yMin)) [yMin, yMax] = [0, 1];
  if (chart.yMin === undefined && yMin > 0 && !yLog) yMin = 0;
  if (yMin === yMax) yMax = yMin + 1;
  const yStep = yLog ? Math.max(1, Math.round(niceStep(yMax - yMin))) : niceStep(yMax - yMin);
  const yText = (v: number): string => (yLog ? String(Number((10 ** v).toPrecision(3))) : tickText(v, yStep));
  yMax = chart.yMax ?? Math.ceil(yMax / yStep) * yStep;
  yMin = chart.yMin ?? Math.floor(yMin / yStep) * yStep;
  const xStep = Math.max(1, Math.round(niceStep(xMax - xMin)));
  const plotWidth = 480;
  const plotHeight = 240;
  const yTicks: number[] = [];
  for (let v = yMin; v <= yMax + yStep * 1e-6; v += yStep) yTicks.push(v);
  const left = MARGIN + Math.max(...yTicks.map((v) => textWidth(yText(v)))) + 8;
  const top = MARGIN + TITLE_SIZE + 14;
  const legendRows = series.length;
  const width = Math.max(
    left + plotWidth + MARGIN,
    MARGIN * 2 + Math.max(0, ...series.map((s) => 36 + textWidth(s.label))),
  );
  const height = top + plotHeight + 44 + legendRows * 18 + MARGIN;
  const px = (x: number): number => left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const py = (y: number): number => top + plotHeight - ((y - yMin) / (yMax - yMin)) * plotHeight;
  const body: string[] = [
    text(
      MARGIN,
      MARGIN + TITLE_SIZE,
      chart.title,
      `font-size="${TITLE_SIZE + 1}" font-weight="600" fill="${style.foreground}"`,
    ),
  ];
  body.push('<g class="axes">');
  for (const v of yTicks) {
    body.push(
      `<line x1="${left}" x2="${left + plotWidth}" y1="${round(py(v))}" y2="${round(py(v))}" stroke="${style.muted}" stroke-opacity="0.25"/>`,
    );
    body.push(text(left - 6, py(v), yText(v), `text-anchor="end" dominant-baseline="central" fill="${style.muted}"`));
  }
  for (let x = Math.ceil(xMin / xStep) * xStep; x <= xMax; x += xStep)
    body.push(
      text(
        px(x),
        top + plotHeight + 16,
        chart.xTick ? chart.xTick(x) : String(x),
        `text-anchor="middle" fill="${style.muted}"`,
      ),
    );
  body.push(
    `<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="${style.muted}" stroke-width="0.75"/>`,
  );
  body.push(
    text(left + plotWidth / 2, top + plotHeight + 34, chart.xLabel, `text-anchor="middle" fill="${style.muted}"`),
  );
  body.push('</g>');
  series.forEach((s, i) => {
    // One path, a new segment after every gap.
    let d = '';
    let pen = false;
    for (const p of s.points) {
      if (!finite(p)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${round(px(p.x))} ${round(py(Math.min(yMax, Math.max(yMin, p.y))))} `;
      pen = true;
    }
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    body.push(
      `<path class="series" d="${d.trim()}" fill="none" stroke="${s.colour}" stroke-width="2"${dash}><title>${escapeXml(s.label)}</title></path>`,
    );
    const ly = top + plotHeight + 52 + i * 18;
    body.push(
      `<line x1="${MARGIN}" x2="${MARGIN + 24}" y1="${ly}" y2="${ly}" stroke="${s.colour}" stroke-width="2"${dash}/>`,
    );
    body.push(text(MARGIN + 30, ly, s.label, `class="legend" dominant-baseline="central" fill="${style.foreground}"`));
  });
  return documentOf(width, height, style, chart.title, body);
}
