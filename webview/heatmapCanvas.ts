/**
 * Draws matrices onto canvases: the large attention map (one cell per weight, coloured by the
 * heat ramp, masked cells hatched, thin separators, the selected row or column outlined, the
 * hovered cell framed), the overview's thumbnails (one pixel per cell) and colour-scale legends.
 * The matrix is written to a small ImageData (one pixel per cell) and scaled up without
 * smoothing, so a 64×64 map draws in about a millisecond.
 */
import { rampIndex } from './heatColor';

/** Writes the RGBA of every cell (row-major) into `pixels` (4 bytes a cell). */
export type CellPainter = (pixels: Uint8ClampedArray) => void;

export interface HeatmapDrawing {
  rows: number;
  columns: number;
  cellSize: number;
  paint: CellPainter;
  /** Row-major, 1 = may attend, 0 = masked; null when nothing is masked. */
  mask: Uint8Array | null;
  background: string;
  hatch: string;
  separator: string;
  selectionColor: string;
  hoverColor: string;
  selectedRow: number | null;
  /** Several selected rows, each outlined (optional). */
  selectedRows?: readonly number[];
  selectedColumn: number | null;
  hover: { row: number; column: number } | null;
  /** The keyboard's cell cursor, framed (optional). */
  cursor?: { row: number; column: number } | null;
}

const scratch = document.createElement('canvas');

/** Paints weights in 0..1 with `ramp` (RAMP_SIZE rgb triples). */
export function rampPainter(weights: ArrayLike<number>, ramp: Uint8ClampedArray): CellPainter {
  return (pixels) => {
    for (let i = 0; i < weights.length; i++) {
      const index = rampIndex(weights[i]) * 3;
      const offset = i * 4;
      pixels[offset] = ramp[index];
      pixels[offset + 1] = ramp[index + 1];
      pixels[offset + 2] = ramp[index + 2];
      pixels[offset + 3] = 255;
    }
  };
}

function paintScratch(rows: number, columns: number, paint: CellPainter): HTMLCanvasElement | null {
  scratch.width = columns;
  scratch.height = rows;
  const context = scratch.getContext('2d');
  if (!context) return null;
  const image = context.createImageData(columns, rows);
  paint(image.data);
  context.putImageData(image, 0, 0);
  return scratch;
}

const patterns = new Map<string, HTMLCanvasElement>();

/** A small tile of diagonal lines (the hatch of masked cells). */
export function hatchTile(background: string, hatch: string): HTMLCanvasElement {
  const key = `${background}|${hatch}`;
  let tile = patterns.get(key);
  if (!tile) {
    tile = document.createElement('canvas');
    tile.width = 6;
    tile.height = 6;
    const context = tile.getContext('2d');
    if (context) {
      context.fillStyle = background;
      context.fillRect(0, 0, 6, 6);
      context.strokeStyle = hatch;
      context.lineWidth = 1.5;
      context.beginPath();
      context.moveTo(-1, 7);
      context.lineTo(7, -1);
      context.moveTo(-1, 1);
      context.lineTo(1, -1);
      context.moveTo(5, 7);
      context.lineTo(7, 5);
      context.stroke();
    }
    patterns.set(key, tile);
  }
  return tile;
}

/** Sizes a canvas for `width × height` CSS pixels at the device pixel ratio; returns its context. */
function sized(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const dpr = Math.max(1, Math.round(window.devicePixelRatio || 1));
  if (canvas.width !== width * dpr || canvas.height !== height * dpr) {
    canvas.width = width * dpr;
    canvas.height = height * dpr;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const context = canvas.getContext('2d');
  context?.setTransform(dpr, 0, 0, dpr, 0, 0);
  return context;
}

export function drawHeatmap(canvas: HTMLCanvasElement, d: HeatmapDrawing): void {
  const width = d.columns * d.cellSize;
  const height = d.rows * d.cellSize;
  const context = sized(canvas, width, height);
  if (!context || d.rows === 0 || d.columns === 0) return;
  const image = paintScratch(d.rows, d.columns, d.paint);
  if (!image) return;
  context.imageSmoothingEnabled = false;
  context.clearRect(0, 0, width, height);
  context.drawImage(image, 0, 0, width, height);

  if (d.mask) {
    const masked = new Path2D();
    for (let r = 0; r < d.rows; r++) {
      for (let c = 0; c < d.columns; c++) {
        if (!d.mask[r * d.columns + c]) masked.rect(c * d.cellSize, r * d.cellSize, d.cellSize, d.cellSize);
      }
    }
    const pattern = context.createPattern(hatchTile(d.background, d.hatch), 'repeat');
    context.fillStyle = pattern ?? d.background;
    context.fill(masked);
  }

  if (d.cellSize >= 8) {
    context.strokeStyle = d.separator;
    context.lineWidth = 1;
    context.beginPath();
    for (let c = 1; c < d.columns; c++) {
      context.moveTo(c * d.cellSize + 0.5, 0);
      context.lineTo(c * d.cellSize + 0.5, height);
    }
    for (let r = 1; r < d.rows; r++) {
      context.moveTo(0, r * d.cellSize + 0.5);
      context.lineTo(width, r * d.cellSize + 0.5);
    }
    context.stroke();
  }

  context.lineWidth = 2;
  context.strokeStyle = d.selectionColor;
  for (const row of d.selectedRows ?? (d.selectedRow === null ? [] : [d.selectedRow]))
    if (row < d.rows) context.strokeRect(1, row * d.cellSize + 1, width - 2, d.cellSize - 2);
  if (d.cursor && d.cursor.row < d.rows && d.cursor.column < d.columns) {
    context.setLineDash([3, 2]);
    context.strokeRect(d.cursor.column * d.cellSize + 3, d.cursor.row * d.cellSize + 3, d.cellSize - 6, d.cellSize - 6);
    context.setLineDash([]);
  }
  if (d.selectedColumn !== null && d.selectedColumn < d.columns)
    context.strokeRect(d.selectedColumn * d.cellSize + 1, 1, d.cellSize - 2, height - 2);
  if (d.hover) {
    context.strokeStyle = d.hoverColor;
    context.strokeRect(d.hover.column * d.cellSize + 1, d.hover.row * d.cellSize + 1, d.cellSize - 2, d.cellSize - 2);
  }
}

/**
 * A thumbnail: `k × k` canvas pixels per cell (k = the whole number that fits `box`, at least 1),
 * scaled by CSS to fit `box` pixels without smoothing. Masked cells are diagonal lines of
 * `hatch` on `background`, one pixel in four: the same hatch as the large map, light at any size.
 */
export function drawThumbnail(
  canvas: HTMLCanvasElement,
  rows: number,
  columns: number,
  paint: CellPainter,
  mask: Uint8Array | null,
  background: [number, number, number],
  hatch: [number, number, number],
  box: number,
): void {
  const k = Math.max(1, Math.floor(box / Math.max(rows, columns, 1)));
  const width = Math.max(1, columns * k);
  const height = Math.max(1, rows * k);
  canvas.width = width;
  canvas.height = height;
  const scale = box / Math.max(rows, columns, 1) / k;
  canvas.style.width = `${Math.max(1, Math.round(width * scale))}px`;
  canvas.style.height = `${Math.max(1, Math.round(height * scale))}px`;
  const context = canvas.getContext('2d');
  if (!context || rows === 0 || columns === 0) return;
  const cells = new Uint8ClampedArray(rows * columns * 4);
  paint(cells);
  const image = context.createImageData(width, height);
  const pixels = image.data;
  for (let y = 0; y < height; y++) {
    const r = Math.floor(y / k);
    for (let x = 0; x < width; x++) {
      const c = Math.floor(x / k);
      const cell = r * columns + c;
      const out = (y * width + x) * 4;
      if (mask && !mask[cell]) {
        const colour = (x + y) % 4 === 0 ? hatch : background;
        pixels[out] = colour[0];
        pixels[out + 1] = colour[1];
        pixels[out + 2] = colour[2];
      } else {
        pixels[out] = cells[cell * 4];
        pixels[out + 1] = cells[cell * 4 + 1];
        pixels[out + 2] = cells[cell * 4 + 2];
      }
      pixels[out + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
}

/** Draws a horizontal legend strip: `colours` is rgb triples from the low to the high end. */
export function drawLegend(canvas: HTMLCanvasElement, colours: Uint8ClampedArray): void {
  const steps = colours.length / 3;
  canvas.width = steps;
  canvas.height = 1;
  const context = canvas.getContext('2d');
  if (!context) return;
  const image = context.createImageData(steps, 1);
  for (let i = 0; i < steps; i++) {
    image.data.set([colours[i * 3], colours[i * 3 + 1], colours[i * 3 + 2], 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}

/** Fills a small swatch canvas with the masked-cell hatch (for the legend). */
export function drawHatchSwatch(canvas: HTMLCanvasElement, background: string, hatch: string): void {
  const context = sized(canvas, 24, 12);
  if (!context) return;
  context.fillStyle = context.createPattern(hatchTile(background, hatch), 'repeat') ?? background;
  context.fillRect(0, 0, 24, 12);
}
