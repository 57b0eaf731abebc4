/**
 * One attention map, large: a focusable <canvas> heat map with row labels (queries) and column
 * labels (keys) as text buttons, each row's sum beside it, a hover readout, a legend (colour
 * ramp, and the hatch of masked cells when the map has a mask), and the selected row or column
 * as bars. Masked cells (may not attend) are hatched, never drawn as a weight of 0.
 * Up/Down move the selected row, Left/Right the selected column, Home/End jump, Escape clears.
 * Shift-click (or Shift+Up/Down) selects several query rows, Ctrl/⌘-click adds or removes one: the
 * bars then show their summed and mean attention. The last row and column moved to make a cell
 * cursor (framed), read out to screen readers in an aria-live line: row token, column token, weight.
 * A map whose packed data cannot be read says so instead of drawing anything.
 */
import { mapKey, type UnpackedMap } from '../src/shared/run/attention';
import type { AttentionMap } from '../src/shared/run/records';
import { AttentionDetail } from './attentionDetail';
import { clear, displayToken, el, setText, show } from './dom';
import { buildRamp } from './heatColor';
import { drawHatchSwatch, drawHeatmap, drawLegend, rampPainter } from './heatmapCanvas';
import { list, t } from './i18n';
import { maskedCount, rowSums } from './mapData';
import { fixed } from './numbers';
import { scheduleRender } from './scheduler';
import type { Theme } from './theme';

export interface MapSelection {
  row: number | null;
  column: number | null;
  /** Several selected query rows (ascending, two or more; `row` is the last one chosen). */
  rows?: number[];
}

/** The rows from `a` to `b`, both included, ascending. */
function range(a: number, b: number): number[] {
  const [low, high] = a <= b ? [a, b] : [b, a];
  return Array.from({ length: high - low + 1 }, (_, i) => low + i);
}

/** What the large view shows: the map, its decoded data (null = damaged), a title and an optional note. */
export interface MapInput {
  map: AttentionMap;
  data: UnpackedMap | null;
  title: string;
  /** What these weights are when it is not obvious (a preview): shown with the title, read before the map. */
  note?: string;
}

const MIN_CELL = 12;
const MAX_CELL = 34;
/** Above this panel width the detail bars sit beside the map (see styles.css). */
const DETAIL_BESIDE_WIDTH = 760;
const DETAIL_WIDTH = 300;
const SUMS_WIDTH = 56;
/** A row whose weights do not add up to 1 within this is marked (e.g. a fully masked row). */
const SUM_TOLERANCE = 1e-3;

export class AttentionMapView {
  readonly root: HTMLElement;
  private input: MapInput | null = null;
  private selection: MapSelection = { row: null, column: null };
  private hover: { row: number; column: number } | null = null;
  /** The cell cursor: the last row and the last column chosen (either may be unknown). */
  private cursor: MapSelection = { row: null, column: null };
  /** Where a Shift range starts. */
  private anchor: number | null = null;
  private theme: Theme | null = null;
  private ramp: Uint8ClampedArray = buildRamp({ r: 26, g: 133, b: 255 });
  private labelKey = '';
  private sumsFor: UnpackedMap | null = null;
  private cellSize = 20;

  private readonly message = el('p', { className: 'map-message' });
  private readonly caption = el('p', { className: 'map-caption' });
  private readonly columnLabels = el('div', { className: 'map-column-labels' });
  private readonly rowLabels = el('div', { className: 'map-row-labels' });
  private readonly sums = el('div', { className: 'map-row-sums' });
  private readonly canvas = el('canvas', { className: 'map-canvas', attrs: { tabindex: 0, role: 'img' } });
  private readonly readout = el('p', { className: 'map-readout' });
  private readonly announce = el('p', {
    className: 'visually-hidden map-announce',
    attrs: { role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
  });
  private readonly legendCanvas = el('canvas', { className: 'map-legend-ramp', attrs: { 'aria-hidden': 'true' } });
  private readonly maskSwatch = el('canvas', { className: 'map-legend-mask', attrs: { 'aria-hidden': 'true' } });
  private readonly maskLegend: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly body: HTMLElement;
  private readonly detail: AttentionDetail;

  constructor(
    private readonly id: string,
    private readonly onSelect: (selection: MapSelection) => void = () => undefined,
  ) {
    this.detail = new AttentionDetail(`${id}-detail`);
    this.canvas.id = `${id}-canvas`;
    this.canvas.setAttribute('aria-describedby', `${id}-detail`);
    this.announce.id = `${id}-announce`;
    const corner = el('div', { className: 'map-corner' }, [
      el('span', { className: 'map-axis', text: t('mapColumnsAxis') }),
      el('span', { className: 'map-axis', text: t('mapRowsAxis') }),
    ]);
    const sumsHeader = el('span', {
      className: 'map-row-sums-header',
      text: t('mapRowSums'),
      attrs: { title: t('mapRowSumsLabel'), 'aria-label': t('mapRowSumsLabel') },
    });
    this.grid = el('div', { className: 'map-grid' }, [
      corner,
      this.columnLabels,
      sumsHeader,
      this.rowLabels,
      this.canvas,
      this.sums,
    ]);
    this.maskLegend = el('span', { className: 'map-legend-masked' }, [
      this.maskSwatch,
      el('span', { text: t('mapLegendMasked') }),
    ]);
    const legend = el('div', { className: 'map-legend' }, [
      el('span', { text: t('mapLegendLow') }),
      this.legendCanvas,
      el('span', { text: t('mapLegendHigh') }),
      el('span', { className: 'map-legend-text', text: t('mapLegend') }),
      this.maskLegend,
    ]);
    const mapColumn = el('div', { className: 'map-column' }, [
      this.caption,
      el('div', { className: 'map-scroll' }, [this.grid]),
      this.readout,
      this.announce,
      el('p', { className: 'map-multi-hint muted', text: t('mapMultiHint') }),
      legend,
    ]);
    this.body = el('div', { className: 'map-body' }, [mapColumn, this.detail.root]);
    this.root = el('div', { className: 'attention-map', attrs: { id } }, [this.message, this.body]);

    this.columnLabels.addEventListener('click', (event) => this.onLabelClick(event, 'column'));
    this.rowLabels.addEventListener('click', (event) => this.onLabelClick(event, 'row'));
    // Shift-click would also select the labels' text: keep the click for the selection.
    this.rowLabels.addEventListener('mousedown', (event) => {
      if (event.shiftKey) event.preventDefault();
    });
    this.canvas.addEventListener('keydown', (event) => this.onKey(event));
    this.canvas.addEventListener('mousemove', (event) => this.onHover(event));
    this.canvas.addEventListener('mouseleave', () => {
      this.hover = null;
      this.invalidate();
    });
    this.canvas.addEventListener('click', (event) => {
      const cell = this.cellAt(event);
      if (!cell) return;
      this.cursor.column = cell.column;
      this.pickRow(cell.row, event);
    });
    new ResizeObserver(() => this.invalidate()).observe(this.root);
    this.showBody();
  }

  setTheme(theme: Theme, ramp: Uint8ClampedArray): void {
    this.theme = theme;
    this.ramp = ramp;
    this.invalidate();
  }

  /** Redraws on the next animation frame (once, however many changes come before it). */
  invalidate(): void {
    scheduleRender(`map:${this.id}`, () => this.render());
  }

  /** Shows `input`, or `emptyText` when there is no map. Keeps the selection if it still fits. */
  setMap(input: MapInput | null, emptyText = ''): void {
    const usable = input && input.map.rowTokens.length > 0 && input.map.columnTokens.length > 0 ? input : null;
    if (usable?.map !== this.input?.map) this.hover = null;
    this.input = usable;
    setText(this.message, !usable ? emptyText : !usable.data ? t('mapDamaged') : '');
    this.root.dataset.damaged = String(!!usable && !usable.data);
    this.message.classList.toggle('map-damaged', !!usable && !usable.data);
    this.selection = this.clamp(this.selection);
    this.clampCursor();
    this.showBody();
    this.invalidate();
  }

  getSelection(): MapSelection {
    const { row, column, rows } = this.selection;
    return rows ? { row, column, rows: [...rows] } : { row, column };
  }

  setSelection(selection: MapSelection): void {
    this.selection = this.clamp(selection);
    this.cursor = { row: this.selection.row, column: this.selection.column };
    this.anchor = this.selection.rows ? this.selection.rows[0] : this.selection.row;
    this.invalidate();
  }

  private drawable(): { map: AttentionMap; data: UnpackedMap } | null {
    return this.input?.data ? { map: this.input.map, data: this.input.data } : null;
  }

  private showBody(): void {
    const drawable = !!this.drawable();
    show(this.message, !drawable);
    show(this.body, drawable);
  }

  /** Fits a selection to the current map; without a map it is kept for the next one. */
  private clamp(selection: MapSelection): MapSelection {
    const current = this.drawable();
    if (!current) return { ...selection, ...(selection.rows ? { rows: [...selection.rows] } : {}) };
    const { rows, columns } = current.data;
    const row = selection.row !== null && selection.row < rows ? selection.row : null;
    const column = row === null && selection.column !== null && selection.column < columns ? selection.column : null;
    const several = [...new Set(selection.rows ?? [])].filter((r) => r < rows).sort((a, b) => a - b);
    if (row === null || several.length < 2) return { row, column };
    return { row, column: null, rows: several.includes(row) ? several : [...several, row].sort((a, b) => a - b) };
  }

  private clampCursor(): void {
    const current = this.drawable();
    if (!current) return;
    if (this.cursor.row !== null && this.cursor.row >= current.data.rows) this.cursor.row = null;
    if (this.cursor.column !== null && this.cursor.column >= current.data.columns) this.cursor.column = null;
  }

  private select(selection: MapSelection): void {
    this.selection = this.clamp(selection);
    if (this.selection.row !== null) this.cursor.row = this.selection.row;
    if (this.selection.column !== null) this.cursor.column = this.selection.column;
    if (this.selection.row === null && this.selection.column === null) this.cursor = { row: null, column: null };
    if (!this.selection.rows && this.selection.row !== null) this.anchor = this.selection.row;
    this.invalidate();
    this.onSelect(this.getSelection());
  }

  /** A row chosen with the mouse: alone, a range from the anchor (Shift), or added or removed (Ctrl/⌘). */
  private pickRow(index: number, event: MouseEvent | KeyboardEvent): void {
    if (event.shiftKey && this.anchor !== null) {
      this.select({ row: index, column: null, rows: range(this.anchor, index) });
      return;
    }
    if ((event.ctrlKey || event.metaKey) && this.selection.row !== null) {
      const current = this.selection.rows ?? [this.selection.row];
      const rows = current.includes(index) ? current.filter((r) => r !== index) : [...current, index];
      if (rows.length === 0) return this.select({ row: null, column: null });
      this.select({ row: rows.includes(index) ? index : rows[rows.length - 1], column: null, rows });
      return;
    }
    this.anchor = index;
    this.select({ row: index, column: null });
  }

  private onLabelClick(event: MouseEvent, axis: 'row' | 'column'): void {
    const button = (event.target as HTMLElement).closest<HTMLElement>('.map-label');
    if (!button) return;
    const index = Number(button.dataset.index);
    if (axis === 'row') this.pickRow(index, event);
    else this.select({ row: null, column: index });
  }

  private onKey(event: KeyboardEvent): void {
    const current = this.drawable();
    if (!current) return;
    const { rows, columns } = current.data;
    const { row, column } = this.selection;
    // Moving continues from the cell cursor: Down after Right goes back to the remembered row.
    const atRow = row ?? this.cursor.row;
    const atColumn = column ?? this.cursor.column;
    const step = (at: number | null, delta: number, size: number): number =>
      at === null ? (delta > 0 ? 0 : size - 1) : Math.max(0, Math.min(size - 1, at + delta));
    let next: MapSelection | null = null;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        const target = step(atRow, event.key === 'ArrowDown' ? 1 : -1, rows);
        if (event.shiftKey && row !== null) {
          this.anchor ??= row;
          next = { row: target, column: null, rows: range(this.anchor, target) };
        } else {
          this.anchor = target;
          next = { row: target, column: null };
        }
        break;
      }
      case 'ArrowRight':
        next = { row: null, column: step(atColumn, 1, columns) };
        break;
      case 'ArrowLeft':
        next = { row: null, column: step(atColumn, -1, columns) };
        break;
      case 'Home':
        next = column !== null ? { row: null, column: 0 } : { row: 0, column: null };
        break;
      case 'End':
        next = column !== null ? { row: null, column: columns - 1 } : { row: rows - 1, column: null };
        break;
      case 'Escape':
        next = { row: null, column: null };
        this.anchor = null;
        break;
      case 'Enter':
        next = row === null && column === null ? { row: 0, column: null } : this.getSelection();
        if (row === null && column === null) this.anchor = 0;
        break;
      default:
        return;
    }
    event.preventDefault();
    this.select(next);
  }

  private cellAt(event: MouseEvent): { row: number; column: number } | null {
    const current = this.drawable();
    if (!current) return null;
    const rect = this.canvas.getBoundingClientRect();
    const column = Math.floor((event.clientX - rect.left) / this.cellSize);
    const row = Math.floor((event.clientY - rect.top) / this.cellSize);
    if (row < 0 || column < 0 || row >= current.data.rows || column >= current.data.columns) return null;
    return { row, column };
  }

  private onHover(event: MouseEvent): void {
    const cell = this.cellAt(event);
    if (cell?.row === this.hover?.row && cell?.column === this.hover?.column) return;
    this.hover = cell;
    this.invalidate();
  }

  private rebuildLabels(map: AttentionMap): void {
    const key = JSON.stringify([map.rowTokens, map.columnTokens]);
    if (key === this.labelKey) return;
    this.labelKey = key;
    clear(this.rowLabels);
    clear(this.columnLabels);
    map.rowTokens.forEach((token, index) =>
      this.rowLabels.appendChild(
        el('button', {
          className: 'map-label row-label token-text',
          text: displayToken(token),
          attrs: {
            type: 'button',
            tabindex: -1,
            'data-index': index,
            'aria-label': t('mapRowLabel', { index: index + 1, token }),
          },
        }),
      ),
    );
    const vertical = map.columnTokens.some((token) => [...token].length > 2);
    this.columnLabels.classList.toggle('vertical', vertical);
    map.columnTokens.forEach((token, index) =>
      this.columnLabels.appendChild(
        el('button', {
          className: 'map-label column-label token-text',
          text: displayToken(token),
          attrs: {
            type: 'button',
            tabindex: -1,
            'data-index': index,
            'aria-label': t('mapColumnLabel', { index: index + 1, token }),
          },
        }),
      ),
    );
  }

  private rebuildSums(data: UnpackedMap): void {
    if (this.sumsFor === data) return;
    this.sumsFor = data;
    const totals = rowSums(data);
    const children: HTMLElement[] = [];
    for (let r = 0; r < data.rows; r++) {
      const sum = totals[r];
      const off = !(Math.abs(sum - 1) <= SUM_TOLERANCE);
      children.push(
        el('span', {
          className: off ? 'row-sum off' : 'row-sum',
          text: fixed(sum),
          attrs: {
            'data-index': r,
            'data-sum': String(sum),
            'aria-label': t('mapRowSum', { index: r + 1, sum: fixed(sum) }),
          },
        }),
      );
    }
    this.sums.replaceChildren(...children);
  }

  /** The aria-live line: the selected rows, or the cursor's cell (row token, column token, weight), or the row or column. */
  private announceSelection(map: AttentionMap, data: UnpackedMap): void {
    const { row, column } = this.cursor;
    const token = (tokens: readonly string[], index: number): string => displayToken(tokens[index] ?? '');
    let text = '';
    let value = '';
    if (this.selection.rows) {
      text = t('mapAnnounceRows', {
        count: this.selection.rows.length,
        tokens: list(this.selection.rows.map((r) => `“${token(map.rowTokens, r)}”`)),
      });
    } else if (row !== null && column !== null) {
      const i = row * data.columns + column;
      const names = { row: token(map.rowTokens, row), column: token(map.columnTokens, column) };
      const masked = data.mask !== null && !data.mask[i];
      text = masked ? t('mapCellMasked', names) : t('mapCellReadout', { ...names, weight: fixed(data.weights[i]) });
      value = masked ? 'masked' : String(data.weights[i]);
    } else if (row !== null) {
      text = t('mapAnnounceRow', { index: row + 1, token: token(map.rowTokens, row) });
    } else if (column !== null) {
      text = t('mapAnnounceColumn', { index: column + 1, token: token(map.columnTokens, column) });
    }
    setText(this.announce, text);
    this.announce.dataset.row = row === null ? '' : String(row);
    this.announce.dataset.column = column === null ? '' : String(column);
    this.announce.dataset.value = value;
  }

  private render(): void {
    const current = this.drawable();
    this.root.dataset.selectedRow = this.selection.row === null ? '' : String(this.selection.row);
    this.root.dataset.selectedColumn = this.selection.column === null ? '' : String(this.selection.column);
    this.root.dataset.selectedRows = this.selection.rows ? this.selection.rows.join(',') : '';
    this.root.dataset.mapKey = this.input ? mapKey(this.input.map) : '';
    if (!current) {
      this.labelKey = '';
      this.sumsFor = null;
      this.detail.render(null, null, null, null);
      setText(this.announce, '');
      return;
    }
    const { map, data } = current;
    const started = performance.now();
    this.rebuildLabels(map);
    this.rebuildSums(data);
    const { rows, columns } = data;
    const width = this.root.clientWidth;
    const available =
      width - this.rowLabels.offsetWidth - SUMS_WIDTH - (width >= DETAIL_BESIDE_WIDTH ? DETAIL_WIDTH : 0) - 40;
    const fitted = Math.floor(available / columns);
    this.cellSize = Math.max(MIN_CELL, Math.min(MAX_CELL, Number.isFinite(fitted) && fitted > 0 ? fitted : MAX_CELL));
    const cell = `${this.cellSize}px`;
    this.grid.style.gridTemplateColumns = `max-content ${columns * this.cellSize}px max-content`;
    this.columnLabels.style.gridTemplateColumns = `repeat(${columns}, ${cell})`;
    this.rowLabels.style.gridTemplateRows = `repeat(${rows}, ${cell})`;
    this.sums.style.gridTemplateRows = `repeat(${rows}, ${cell})`;

    const selectedRows = this.selection.rows ?? (this.selection.row === null ? [] : [this.selection.row]);
    for (const label of this.rowLabels.children) {
      const index = Number((label as HTMLElement).dataset.index);
      label.classList.toggle('selected', selectedRows.includes(index));
      label.setAttribute('aria-pressed', String(selectedRows.includes(index)));
    }
    for (const label of this.columnLabels.children) {
      const index = Number((label as HTMLElement).dataset.index);
      label.classList.toggle('selected', index === this.selection.column);
      label.setAttribute('aria-pressed', String(index === this.selection.column));
    }
    for (const sum of this.sums.children)
      sum.classList.toggle('selected', selectedRows.includes(Number((sum as HTMLElement).dataset.index)));

    const theme = this.theme;
    const background = theme?.background ?? '#ffffff';
    const hatch = theme?.hatch ?? '#616161';
    drawHeatmap(this.canvas, {
      rows,
      columns,
      cellSize: this.cellSize,
      paint: rampPainter(data.weights, this.ramp),
      mask: data.mask,
      background,
      hatch,
      separator: background,
      selectionColor: theme?.focus ?? '#0090f1',
      hoverColor: theme?.foreground ?? '#333333',
      selectedRow: this.selection.row,
      selectedRows: this.selection.rows,
      selectedColumn: this.selection.column,
      hover: this.hover,
      cursor:
        this.cursor.row !== null && this.cursor.column !== null
          ? { row: this.cursor.row, column: this.cursor.column }
          : null,
    });
    drawLegend(this.legendCanvas, this.ramp);
    const masked = maskedCount(data);
    show(this.maskLegend, masked > 0);
    if (masked > 0) drawHatchSwatch(this.maskSwatch, background, hatch);
    const aria = t('mapAria', { rows, columns });
    const note = this.input?.note;
    this.canvas.setAttribute('aria-label', note ? t('mapAriaWithNote', { note, map: aria }) : aria);
    this.canvas.dataset.rows = String(rows);
    this.canvas.dataset.columns = String(columns);
    this.canvas.dataset.cellSize = String(this.cellSize);
    this.canvas.dataset.maskedCells = String(masked);
    setText(
      this.caption,
      note ? t('mapTitleWithNote', { title: this.input?.title ?? '', note }) : (this.input?.title ?? ''),
    );

    const focus = this.hover;
    let readout = t('mapHint');
    let value = '';
    if (focus) {
      const i = focus.row * columns + focus.column;
      const names = {
        row: displayToken(map.rowTokens[focus.row] ?? ''),
        column: displayToken(map.columnTokens[focus.column] ?? ''),
      };
      const isMasked = data.mask !== null && !data.mask[i];
      readout = isMasked
        ? t('mapCellMasked', names)
        : t('mapCellReadout', { ...names, weight: fixed(data.weights[i]) });
      value = isMasked ? 'masked' : String(data.weights[i]);
    }
    setText(this.readout, readout);
    this.readout.dataset.value = value;

    const axis = this.selection.row !== null ? 'row' : this.selection.column !== null ? 'column' : null;
    this.detail.render(
      map,
      data,
      axis,
      axis === 'row' ? this.selection.row : this.selection.column,
      this.selection.rows,
    );
    this.announceSelection(map, data);
    this.canvas.dataset.drawMs = (performance.now() - started).toFixed(2);
  }
}
