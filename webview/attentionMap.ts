/**
 * One attention map: a focusable <canvas> heatmap with row labels (output tokens) and column
 * labels (source tokens) as text buttons, a hover readout, and the selected row or column as bars.
 * Up/Down move the selected row, Left/Right the selected column, Home/End jump, Escape clears.
 * Used for the probe examples and for "Try it".
 */
import type { AttentionMap } from '../src/protocol/run';
import { AttentionDetail } from './attentionDetail';
import { clear, displayToken, el, setText, show } from './dom';
import { buildRamp } from './heatColor';
import { drawHeatmap, drawLegend } from './heatmapCanvas';
import { fixed, t } from './i18n';
import { scheduleRender } from './scheduler';
import type { Theme } from './theme';

export interface MapSelection {
  row: number | null;
  column: number | null;
}

const MIN_CELL = 14;
const MAX_CELL = 34;
/** Above this panel width the detail bars sit beside the map (see styles.css). */
const DETAIL_BESIDE_WIDTH = 760;
const DETAIL_WIDTH = 300;

export class AttentionMapView {
  readonly root: HTMLElement;
  private map: AttentionMap | null = null;
  private selection: MapSelection = { row: null, column: null };
  private hover: { row: number; column: number } | null = null;
  private theme: Theme | null = null;
  private ramp: Uint8ClampedArray = buildRamp({ r: 26, g: 133, b: 255 });
  private labelKey = '';
  private cellSize = 20;

  private readonly message = el('p', { className: 'map-message' });
  private readonly caption = el('p', { className: 'map-caption' });
  private readonly columnLabels = el('div', { className: 'map-column-labels' });
  private readonly rowLabels = el('div', { className: 'map-row-labels' });
  private readonly canvas = el('canvas', { className: 'map-canvas', attrs: { tabindex: 0, role: 'img' } });
  private readonly readout = el('p', { className: 'map-readout' });
  private readonly legendCanvas = el('canvas', { className: 'map-legend-ramp', attrs: { 'aria-hidden': 'true' } });
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
    const corner = el('div', { className: 'map-corner' }, [
      el('span', { className: 'map-axis', text: t('mapColumnsAxis') }),
      el('span', { className: 'map-axis', text: t('mapRowsAxis') }),
    ]);
    this.grid = el('div', { className: 'map-grid' }, [corner, this.columnLabels, this.rowLabels, this.canvas]);
    const legend = el('div', { className: 'map-legend' }, [
      el('span', { text: t('mapLegendLow') }),
      this.legendCanvas,
      el('span', { text: t('mapLegendHigh') }),
      el('span', { className: 'map-legend-text', text: t('mapLegend') }),
    ]);
    const mapColumn = el('div', { className: 'map-column' }, [
      this.caption,
      el('div', { className: 'map-scroll' }, [this.grid]),
      this.readout,
      legend,
    ]);
    this.body = el('div', { className: 'map-body' }, [mapColumn, this.detail.root]);
    this.root = el('div', { className: 'attention-map', attrs: { id } }, [this.message, this.body]);

    this.columnLabels.addEventListener('click', (event) => this.onLabelClick(event, 'column'));
    this.rowLabels.addEventListener('click', (event) => this.onLabelClick(event, 'row'));
    this.canvas.addEventListener('keydown', (event) => this.onKey(event));
    this.canvas.addEventListener('mousemove', (event) => this.onHover(event));
    this.canvas.addEventListener('mouseleave', () => {
      this.hover = null;
      this.invalidate();
    });
    this.canvas.addEventListener('click', (event) => {
      const cell = this.cellAt(event);
      if (cell) this.select({ row: cell.row, column: null });
    });
    new ResizeObserver(() => this.invalidate()).observe(this.root);
    this.showMap();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.ramp = buildRamp(theme.mapBase, theme.kind === 'dark' || theme.kind === 'high-contrast');
    this.invalidate();
  }

  /** Shows `map`, or `emptyText` instead when there is no map. Keeps the selection if it still fits. */
  setMap(map: AttentionMap | null, emptyText = ''): void {
    this.map = map && map.rowTokens.length > 0 && map.columnTokens.length > 0 ? map : null;
    setText(this.message, this.map ? '' : emptyText);
    this.hover = null;
    this.selection = this.clamp(this.selection);
    this.showMap();
    this.invalidate();
  }

  getSelection(): MapSelection {
    return { ...this.selection };
  }

  setSelection(selection: MapSelection): void {
    this.selection = this.clamp(selection);
    this.invalidate();
  }

  private showMap(): void {
    show(this.message, !this.map);
    show(this.body, !!this.map);
  }

  /** Fits a selection to the current map; without a map it is kept for the next one. */
  private clamp(selection: MapSelection): MapSelection {
    if (!this.map) return { ...selection };
    const rows = this.map?.rowTokens.length ?? 0;
    const columns = this.map?.columnTokens.length ?? 0;
    const row = selection.row !== null && selection.row < rows ? selection.row : null;
    const column = row === null && selection.column !== null && selection.column < columns ? selection.column : null;
    return { row, column };
  }

  private select(selection: MapSelection): void {
    this.selection = this.clamp(selection);
    this.invalidate();
    this.onSelect(this.getSelection());
  }

  private onLabelClick(event: Event, axis: 'row' | 'column'): void {
    const button = (event.target as HTMLElement).closest<HTMLElement>('.map-label');
    if (!button) return;
    const index = Number(button.dataset.index);
    this.select(axis === 'row' ? { row: index, column: null } : { row: null, column: index });
  }

  private onKey(event: KeyboardEvent): void {
    if (!this.map) return;
    const rows = this.map.rowTokens.length;
    const columns = this.map.columnTokens.length;
    const { row, column } = this.selection;
    const step = (current: number | null, delta: number, size: number): number =>
      current === null ? (delta > 0 ? 0 : size - 1) : Math.max(0, Math.min(size - 1, current + delta));
    let next: MapSelection | null = null;
    switch (event.key) {
      case 'ArrowDown':
        next = { row: step(row, 1, rows), column: null };
        break;
      case 'ArrowUp':
        next = { row: step(row, -1, rows), column: null };
        break;
      case 'ArrowRight':
        next = { row: null, column: step(column, 1, columns) };
        break;
      case 'ArrowLeft':
        next = { row: null, column: step(column, -1, columns) };
        break;
      case 'Home':
        next = column !== null ? { row: null, column: 0 } : { row: 0, column: null };
        break;
      case 'End':
        next = column !== null ? { row: null, column: columns - 1 } : { row: rows - 1, column: null };
        break;
      case 'Escape':
        next = { row: null, column: null };
        break;
      default:
        return;
    }
    event.preventDefault();
    this.select(next);
  }

  private cellAt(event: MouseEvent): { row: number; column: number } | null {
    if (!this.map) return null;
    const rect = this.canvas.getBoundingClientRect();
    const column = Math.floor((event.clientX - rect.left) / this.cellSize);
    const row = Math.floor((event.clientY - rect.top) / this.cellSize);
    if (row < 0 || column < 0 || row >= this.map.rowTokens.length || column >= this.map.columnTokens.length)
      return null;
    return { row, column };
  }

  private onHover(event: MouseEvent): void {
    const cell = this.cellAt(event);
    if (cell?.row === this.hover?.row && cell?.column === this.hover?.column) return;
    this.hover = cell;
    this.invalidate();
  }

  private invalidate(): void {
    scheduleRender(`map:${this.id}`, () => this.render());
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

  private render(): void {
    const map = this.map;
    this.root.dataset.selectedRow = this.selection.row === null ? '' : String(this.selection.row);
    this.root.dataset.selectedColumn = this.selection.column === null ? '' : String(this.selection.column);
    if (!map) {
      this.labelKey = '';
      this.detail.render(null, null, null);
      return;
    }
    const started = performance.now();
    this.rebuildLabels(map);
    const rows = map.rowTokens.length;
    const columns = map.columnTokens.length;
    const width = this.root.clientWidth;
    const available = width - this.rowLabels.offsetWidth - (width >= DETAIL_BESIDE_WIDTH ? DETAIL_WIDTH : 0) - 32;
    const fitted = Math.floor(available / columns);
    this.cellSize = Math.max(MIN_CELL, Math.min(MAX_CELL, Number.isFinite(fitted) && fitted > 0 ? fitted : MAX_CELL));
    const cell = `${this.cellSize}px`;
    this.grid.style.gridTemplateColumns = `max-content ${columns * this.cellSize}px`;
    this.columnLabels.style.gridTemplateColumns = `repeat(${columns}, ${cell})`;
    this.rowLabels.style.gridTemplateRows = `repeat(${rows}, ${cell})`;

    for (const label of this.rowLabels.children) {
      const index = Number((label as HTMLElement).dataset.index);
      label.classList.toggle('selected', index === this.selection.row);
      label.setAttribute('aria-pressed', String(index === this.selection.row));
    }
    for (const label of this.columnLabels.children) {
      const index = Number((label as HTMLElement).dataset.index);
      label.classList.toggle('selected', index === this.selection.column);
      label.setAttribute('aria-pressed', String(index === this.selection.column));
    }

    const theme = this.theme;
    drawHeatmap(this.canvas, {
      weights: map.weights,
      rows,
      columns,
      cellSize: this.cellSize,
      ramp: this.ramp,
      separator: theme?.background ?? '#ffffff',
      selectionColor: theme?.focus ?? '#0090f1',
      hoverColor: theme?.foreground ?? '#333333',
      selectedRow: this.selection.row,
      selectedColumn: this.selection.column,
      hover: this.hover,
    });
    drawLegend(this.legendCanvas, this.ramp);
    this.canvas.setAttribute('aria-label', t('mapAria', { rows, columns }));
    this.canvas.dataset.rows = String(rows);
    this.canvas.dataset.columns = String(columns);
    this.canvas.dataset.cellSize = String(this.cellSize);
    setText(this.caption, map.label);

    const focus = this.hover;
    setText(
      this.readout,
      focus
        ? t('mapCellReadout', {
            row: displayToken(map.rowTokens[focus.row]),
            column: displayToken(map.columnTokens[focus.column]),
            weight: fixed(map.weights[focus.row]?.[focus.column] ?? 0),
          })
        : t('mapHint'),
    );
    this.readout.dataset.value = focus ? String(map.weights[focus.row]?.[focus.column] ?? 0) : '';

    const axis = this.selection.row !== null ? 'row' : this.selection.column !== null ? 'column' : null;
    this.detail.render(map, axis, axis === 'row' ? this.selection.row : this.selection.column);
    this.canvas.dataset.drawMs = (performance.now() - started).toFixed(2);
  }
}
