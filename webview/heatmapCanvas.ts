/**
 * Draws an attention matrix onto a canvas: one cell per weight, coloured by the heat ramp, with
 * thin separators, the selected row or column outlined and the hovered cell framed. The matrix
 * is written to a small ImageData (one pixel per cell) and scaled up without smoothing, so a
 * 40×40 map draws in about a millisecond.
 */
import { rampIndex } from './heatColor';

export interface HeatmapDrawing {
  weights: number[][];
  rows: number;
  columns: number;
  cellSize: number;
  ramp: Uint8ClampedArray;
  separator: string;
  selectionColor: string;
  hoverColor: string;
  selectedRow: number | null;
  selectedColumn: number | null;
  hover: { row: number; column: number } | null;
}

const scratch = document.createElement('canvas');

export function drawHeatmap(canvas: HTMLCanvasElement, d: HeatmapDrawing): void {
  const dpr = Math.max(1, Math.round(window.devicePixelRatio || 1));
  const width = d.columns * d.cellSize;
  const height = d.rows * d.cellSize;
  if (canvas.width !== width * dpr || canvas.height !== height * dpr) {
    canvas.width = width * dpr;
    canvas.height = height * dpr;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx || d.rows === 0 || d.columns === 0) return;

  scratch.width = d.columns;
  scratch.height = d.rows;
  const scratchCtx = scratch.getContext('2d');
  if (!scratchCtx) return;
  const image = scratchCtx.createImageData(d.columns, d.rows);
  for (let r = 0; r < d.rows; r++) {
    const row = d.weights[r] ?? [];
    for (let c = 0; c < d.columns; c++) {
      const index = rampIndex(row[c] ?? 0) * 3;
      const offset = (r * d.columns + c) * 4;
      image.data[offset] = d.ramp[index];
      image.data[offset + 1] = d.ramp[index + 1];
      image.data[offset + 2] = d.ramp[index + 2];
      image.data[offset + 3] = 255;
    }
  }
  scratchCtx.putImageData(image, 0, 0);

  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, width, height);
  ctx.drawImage(scratch, 0, 0, width, height);

  if (d.cellSize >= 8) {
    ctx.strokeStyle = d.separator;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let c = 1; c < d.columns; c++) {
      ctx.moveTo(c * d.cellSize + 0.5, 0);
      ctx.lineTo(c * d.cellSize + 0.5, height);
    }
    for (let r = 1; r < d.rows; r++) {
      ctx.moveTo(0, r * d.cellSize + 0.5);
      ctx.lineTo(width, r * d.cellSize + 0.5);
    }
    ctx.stroke();
  }

  ctx.lineWidth = 2;
  ctx.strokeStyle = d.selectionColor;
  if (d.selectedRow !== null && d.selectedRow < d.rows)
    ctx.strokeRect(1, d.selectedRow * d.cellSize + 1, width - 2, d.cellSize - 2);
  if (d.selectedColumn !== null && d.selectedColumn < d.columns)
    ctx.strokeRect(d.selectedColumn * d.cellSize + 1, 1, d.cellSize - 2, height - 2);
  if (d.hover) {
    ctx.strokeStyle = d.hoverColor;
    ctx.strokeRect(d.hover.column * d.cellSize + 1, d.hover.row * d.cellSize + 1, d.cellSize - 2, d.cellSize - 2);
  }
}

/** Draws the ramp as a horizontal legend strip. */
export function drawLegend(canvas: HTMLCanvasElement, ramp: Uint8ClampedArray): void {
  const steps = ramp.length / 3;
  canvas.width = steps;
  canvas.height = 1;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(steps, 1);
  for (let i = 0; i < steps; i++) {
    image.data.set([ramp[i * 3], ramp[i * 3 + 1], ramp[i * 3 + 2], 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
}
