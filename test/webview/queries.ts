/** Reads what the webview shows, for the browser tests. */
import type { Page } from 'playwright-core';

export interface DetailView {
  axis: string;
  index: number;
  values: number[];
  tokens: string[];
  sumText: string;
  topText: string;
}

export function detail(page: Page, mapId = 'probe-map'): Promise<DetailView> {
  return page.evaluate((id) => {
    const root = document.querySelector(`#${id}-detail`) as HTMLElement;
    const bars = [...root.querySelectorAll<HTMLElement>('.detail-bar')];
    return {
      axis: root.dataset.axis ?? '',
      index: Number(root.dataset.index),
      values: bars.map((bar) => Number(bar.dataset.value)),
      tokens: bars.map((bar) => bar.querySelector('.detail-token')?.textContent ?? ''),
      sumText: root.querySelector('.detail-sum')?.textContent ?? '',
      topText: root.querySelector('.detail-top')?.textContent ?? '',
    };
  }, mapId);
}

function toLinear(channel: number): number {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** rgb of the pixel at the centre of cell (row, column) of a map canvas, and its luminance. */
export async function cellPixel(
  page: Page,
  row: number,
  column: number,
  mapId = 'probe-map',
): Promise<{ rgb: number[]; luminance: number }> {
  // (no named helpers inside evaluate callbacks: tsx would wrap them in a missing __name)
  const rgb = await page.evaluate(
    ({ id, row, column }) => {
      const canvas = document.querySelector(`#${id}-canvas`) as HTMLCanvasElement;
      const cell = Number(canvas.dataset.cellSize);
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      const x = Math.floor((column + 0.5) * cell * scale);
      const y = Math.floor((row + 0.5) * cell * scale);
      return [...canvas.getContext('2d')!.getImageData(x, y, 1, 1).data.slice(0, 3)];
    },
    { id: mapId, row, column },
  );
  return { rgb, luminance: 0.2126 * toLinear(rgb[0]) + 0.7152 * toLinear(rgb[1]) + 0.0722 * toLinear(rgb[2]) };
}

export function text(page: Page, selector: string): Promise<string> {
  return page.evaluate((s) => document.querySelector(s)?.textContent ?? '', selector);
}

export function dataset(page: Page, selector: string): Promise<Record<string, string>> {
  return page.evaluate(
    (s) =>
      Object.fromEntries(
        Object.entries((document.querySelector(s) as HTMLElement | null)?.dataset ?? {}).map(([k, v]) => [k, v ?? '']),
      ),
    selector,
  );
}

/** Chooses an option of a vscode-single-select the way a click on an option ends: value + change. */
export function choose(page: Page, selector: string, value: string): Promise<void> {
  return page.evaluate(
    ({ s, v }) => {
      const select = document.querySelector(s) as HTMLElement & { value: string };
      select.value = v;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    },
    { s: selector, v: value },
  );
}

/** The distinct colours inside cell (row, column) of a map canvas, 2 px in from its edges. */
export function cellColours(page: Page, row: number, column: number, mapId = 'probe-map'): Promise<string[]> {
  return page.evaluate(
    ({ id, row, column }) => {
      const canvas = document.querySelector(`#${id}-canvas`) as HTMLCanvasElement;
      const cell = Number(canvas.dataset.cellSize);
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      const x = Math.ceil((column * cell + 2) * scale);
      const y = Math.ceil((row * cell + 2) * scale);
      const size = Math.floor((cell - 4) * scale);
      const data = canvas.getContext('2d')!.getImageData(x, y, size, size).data;
      const colours = new Set<string>();
      for (let i = 0; i < data.length; i += 4) colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      return [...colours];
    },
    { id: mapId, row, column },
  );
}

/** The keys of the overview's thumbnails, in order, and the selected one. */
export function thumbnails(page: Page, overviewId = 'probe-overview'): Promise<{ keys: string[]; selected: string[] }> {
  return page.evaluate((id) => {
    const thumbs = [...document.querySelectorAll<HTMLElement>(`#${id} .map-thumb`)];
    return {
      keys: thumbs.map((thumb) => thumb.dataset.key ?? ''),
      selected: thumbs.filter((thumb) => thumb.getAttribute('aria-pressed') === 'true').map((t) => t.dataset.key ?? ''),
    };
  }, overviewId);
}

/** Luminance of an rgb triple (WCAG relative luminance). */
export function luminanceOf(rgb: number[]): number {
  return 0.2126 * toLinear(rgb[0]) + 0.7152 * toLinear(rgb[1]) + 0.0722 * toLinear(rgb[2]);
}
