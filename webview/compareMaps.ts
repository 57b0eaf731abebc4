/**
 * The comparison's attention: for a probe the runs share, the same map of every run side by side
 * (one probe / mode / layer-and-head selector for all), all on one colour scale (weight 0 → light,
 * 1 → dark, the lab's ramp), masked cells hatched; and, optionally, the difference of two runs'
 * maps on a diverging scale (blue: the first attends more, red: the second does) scaled to the
 * largest |difference|, with its largest and mean |difference| (masked cells excluded, drawn as
 * masked). Focus any map and the arrow keys move one cell, framed in every map and read out for
 * every run (Home/End: first/last column, Escape: none). The snapshot control replays the epochs
 * every run has (replay.ts): each step asks the host for every run's snapshot of that epoch in one
 * `requestCompareAttention`, the next step waits for the answer.
 */
import { unpackMap, type UnpackedMap } from '../src/shared/run/attention';
import type { SvgMap } from '../src/shared/render/mapSvg';
import { mapDifference, runLetter, type SharedMap, type SharedProbe } from '../src/shared/run/comparison';
import type { AttentionMode } from '../src/shared/run/records';
import type { CompareState } from '../src/shared/protocol/webview';
import { runLegend } from './compareCharts';
import { clearReplay, sharedEpochs, shownAttention, type CompareModel, type CompareRun } from './compareModel';
import { displayToken, el, setText, show } from './dom';
import { buildDivergingRamp, buildRamp, divergingColour, type DivergingRamp } from './heatColor';
import { drawHatchSwatch, drawHeatmap, drawLegend, rampPainter, type CellPainter } from './heatmapCanvas';
import { list, pick, t } from './i18n';
import { groupTitle } from './mapOverview';
import { compact, fixed } from './numbers';
import { scheduleRender } from './scheduler';
import { ReplayControls } from './replay';
import { IndexSelect } from './select';
import type { Theme } from './theme';
import { post } from './vscodeApi';

const REQUEST_DELAY_MS = 120;

type Checkbox = HTMLElement & { checked: boolean };
type Cell = { row: number; column: number };

export type CompareMapsState = Pick<
  CompareState,
  'probeIndex' | 'mode' | 'mapKey' | 'difference' | 'differenceFrom' | 'differenceTo'
>;

const MIN_CELL = 8;
const MAX_CELL = 30;
const LABEL_WIDTH = 56;

const decoded = new WeakMap<object, UnpackedMap | null>();
function decode(map: Parameters<typeof unpackMap>[0]): UnpackedMap | null {
  if (!decoded.has(map)) {
    let data: UnpackedMap | null = null;
    try {
      data = unpackMap(map);
    } catch {
      data = null;
    }
    decoded.set(map, data);
  }
  return decoded.get(map) ?? null;
}

function divergingPainter(values: Float32Array, scale: number, ramp: DivergingRamp): CellPainter {
  return (pixels) => {
    for (let i = 0; i < values.length; i++) {
      divergingColour(ramp, Math.max(-1, Math.min(1, values[i] / scale)), pixels, i * 4);
      pixels[i * 4 + 3] = 255;
    }
  };
}

/** One map of the row: a caption, token labels and a focusable canvas. */
class CompareMapView {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly caption = el('figcaption', { className: 'compare-map-caption' });
  private readonly columnLabels = el('div', {
    className: 'compare-column-labels token-text',
    attrs: { 'aria-hidden': 'true' },
  });
  private readonly rowLabels = el('div', {
    className: 'compare-row-labels token-text',
    attrs: { 'aria-hidden': 'true' },
  });
  private readonly message = el('p', { className: 'compare-map-message muted' });
  private readonly body: HTMLElement;
  private labelKey = '';

  constructor(id: string, onKey: (event: KeyboardEvent) => void, onCell: (cell: Cell | null, click: boolean) => void) {
    this.canvas = el('canvas', {
      className: 'compare-map-canvas',
      attrs: { id: `${id}-canvas`, tabindex: 0, role: 'img' },
    });
    this.canvas.addEventListener('keydown', onKey);
    this.canvas.addEventListener('mousemove', (event) => onCell(this.cellAt(event), false));
    this.canvas.addEventListener('click', (event) => onCell(this.cellAt(event), true));
    this.body = el('div', { className: 'compare-map-grid' }, [
      el('span', { className: 'compare-map-corner' }),
      this.columnLabels,
      this.rowLabels,
      this.canvas,
    ]);
    this.root = el('figure', { className: 'compare-map', attrs: { id } }, [this.caption, this.message, this.body]);
  }

  private cellAt(event: MouseEvent): Cell | null {
    const size = Number(this.canvas.dataset.cellSize);
    const rows = Number(this.canvas.dataset.rows);
    const columns = Number(this.canvas.dataset.columns);
    if (!(size > 0)) return null;
    const rect = this.canvas.getBoundingClientRect();
    const column = Math.floor((event.clientX - rect.left) / size);
    const row = Math.floor((event.clientY - rect.top) / size);
    return row >= 0 && column >= 0 && row < rows && column < columns ? { row, column } : null;
  }

  showMessage(caption: string, message: string): void {
    setText(this.caption, caption);
    setText(this.message, message);
    show(this.message, true);
    show(this.body, false);
  }

  draw(
    caption: string,
    rowTokens: readonly string[],
    columnTokens: readonly string[],
    paint: CellPainter,
    mask: Uint8Array | null,
    cellSize: number,
    theme: Theme | null,
    cursor: Cell | null,
    aria: string,
  ): void {
    setText(this.caption, caption);
    show(this.message, false);
    show(this.body, true);
    const key = JSON.stringify([rowTokens, columnTokens, cellSize]);
    if (key !== this.labelKey) {
      this.labelKey = key;
      const size = `${cellSize}px`;
      this.columnLabels.style.gridTemplateColumns = `repeat(${columnTokens.length}, ${size})`;
      this.rowLabels.style.gridTemplateRows = `repeat(${rowTokens.length}, ${size})`;
      this.columnLabels.replaceChildren(
        ...columnTokens.map((token) =>
          el('span', { className: 'compare-label', text: displayToken(token), attrs: { title: token } }),
        ),
      );
      this.rowLabels.replaceChildren(
        ...rowTokens.map((token) =>
          el('span', { className: 'compare-label', text: displayToken(token), attrs: { title: token } }),
        ),
      );
    }
    const background = theme?.background ?? '#ffffff';
    drawHeatmap(this.canvas, {
      rows: rowTokens.length,
      columns: columnTokens.length,
      cellSize,
      paint,
      mask,
      background,
      hatch: theme?.hatch ?? '#616161',
      separator: background,
      selectionColor: theme?.focus ?? '#0090f1',
      hoverColor: theme?.foreground ?? '#333333',
      selectedRow: null,
      selectedColumn: null,
      hover: cursor,
    });
    this.canvas.dataset.rows = String(rowTokens.length);
    this.canvas.dataset.columns = String(columnTokens.length);
    this.canvas.dataset.cellSize = String(cellSize);
    this.canvas.setAttribute('aria-label', aria);
  }
}

export class CompareMaps {
  readonly root: HTMLElement;
  private readonly probeSelect: IndexSelect;
  private readonly modeSelect: IndexSelect;
  private readonly mapSelect: IndexSelect;
  private readonly differenceBox = el('vscode-checkbox', {
    text: t('compareDifference'),
    attrs: { id: 'compare-difference-toggle', 'aria-label': t('compareDifference') },
  }) as Checkbox;
  private readonly fromSelect: IndexSelect;
  private readonly toSelect: IndexSelect;
  private readonly differenceControls: HTMLElement;
  private readonly empty = el('p', { className: 'compare-maps-empty muted', text: t('compareMapsNone') });
  private readonly body: HTMLElement;
  private readonly row = el('div', { className: 'compare-maps-row', attrs: { id: 'compare-maps' } });
  private readonly differenceBox_ = el('div', { className: 'compare-difference', attrs: { id: 'compare-difference' } });
  private readonly differenceStats = el('p', {
    className: 'compare-difference-stats',
    attrs: { id: 'compare-difference-stats' },
  });
  private readonly differenceLegendText = el('span', { className: 'compare-difference-legend-text' });
  private readonly differenceLegend = el('canvas', { className: 'map-legend-ramp', attrs: { 'aria-hidden': 'true' } });
  private readonly rampLegend = el('canvas', { className: 'map-legend-ramp', attrs: { 'aria-hidden': 'true' } });
  private readonly maskSwatch = el('canvas', { className: 'map-legend-mask', attrs: { 'aria-hidden': 'true' } });
  private readonly maskLegend: HTMLElement;
  private readonly readout = el('p', {
    className: 'compare-readout',
    attrs: { id: 'compare-readout', 'aria-live': 'polite' },
  });
  private views: CompareMapView[] = [];
  private readonly differenceView: CompareMapView;
  private theme: Theme | null = null;
  private ramp: Uint8ClampedArray = buildRamp({ r: 26, g: 133, b: 255 });
  private diverging: DivergingRamp = buildDivergingRamp({ r: 26, g: 133, b: 255 }, { r: 229, g: 20, b: 0 });
  private model: CompareModel | null = null;
  private cursor: Cell | null = null;
  readonly replay: ReplayControls;
  /** The epoch the replay shows (null: each run's newest) and the one asked of the host. */
  private epoch: number | null = null;
  private waitingFor: number | null = null;
  private requestTimer: ReturnType<typeof setTimeout> | undefined;
  private state: CompareMapsState = {
    probeIndex: 0,
    mode: 'forward',
    mapKey: null,
    difference: false,
    differenceFrom: 0,
    differenceTo: 1,
  };

  constructor(private readonly onStateChange: () => void) {
    const changed = (): void => {
      this.cursor = null;
      this.invalidate();
      this.onStateChange();
    };
    // A select may report its own value again after a redraw: only a real change counts.
    this.probeSelect = new IndexSelect('compare-probe', t('attentionProbe'), (index) => {
      if (index === this.state.probeIndex) return;
      this.state.probeIndex = index;
      changed();
    });
    this.modeSelect = new IndexSelect('compare-mode', t('attentionMode'), (index) => {
      const mode = this.modes()[index] ?? this.state.mode;
      if (mode === this.state.mode) return;
      this.state.mode = mode;
      changed();
    });
    this.mapSelect = new IndexSelect('compare-map', t('compareMapsMap'), (index) => {
      const key = this.maps()[index]?.key ?? null;
      if (key === this.state.mapKey) return;
      this.state.mapKey = key;
      changed();
    });
    this.fromSelect = new IndexSelect('compare-difference-from', t('compareDifferenceFrom'), (index) => {
      if (index === this.state.differenceFrom) return;
      this.state.differenceFrom = index;
      changed();
    });
    this.toSelect = new IndexSelect('compare-difference-to', t('compareDifferenceTo'), (index) => {
      if (index === this.state.differenceTo) return;
      this.state.differenceTo = index;
      changed();
    });
    this.differenceBox.addEventListener('change', () => {
      if (this.differenceBox.checked === this.state.difference) return;
      this.state.difference = this.differenceBox.checked;
      changed();
    });
    this.replay = new ReplayControls({
      id: 'compare-epoch',
      label: t('compareEpoch'),
      ariaLabel: t('compareEpochAria'),
      onSeek: (index, playing) => this.seek(index, playing),
    });
    this.differenceControls = el('div', { className: 'control compare-difference-controls' }, [
      this.differenceBox,
      this.fromSelect.root,
      this.toSelect.root,
    ]);
    this.differenceView = new CompareMapView(
      'compare-difference-map',
      (event) => this.onKey(event),
      (cell, click) => this.onCell(cell, click),
    );
    this.differenceBox_.append(
      this.differenceView.root,
      this.differenceStats,
      el('div', { className: 'map-legend compare-difference-legend' }, [
        this.differenceLegend,
        this.differenceLegendText,
      ]),
    );
    this.maskLegend = el('span', { className: 'map-legend-masked' }, [
      this.maskSwatch,
      el('span', { text: t('mapLegendMasked') }),
    ]);
    this.body = el('div', { className: 'compare-maps-body' }, [
      el('div', { className: 'attention-controls' }, [
        this.probeSelect.root,
        this.modeSelect.root,
        this.mapSelect.root,
        this.replay.root,
        this.differenceControls,
      ]),
      el('p', { className: 'muted compare-maps-hint', text: t('compareMapsHint') }),
      this.row,
      el('div', { className: 'map-legend' }, [
        el('span', { text: t('mapLegendLow') }),
        this.rampLegend,
        el('span', { text: t('mapLegendHigh') }),
        el('span', { className: 'map-legend-text', text: t('mapLegend') }),
        this.maskLegend,
      ]),
      this.readout,
      this.differenceBox_,
    ]);
    this.root = el('div', { className: 'compare-attention' }, [this.empty, this.body]);
    new ResizeObserver(() => this.invalidate()).observe(this.root);
  }

  getState(): CompareMapsState {
    return { ...this.state };
  }

  restore(state: CompareMapsState): void {
    this.state = { ...state };
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    const dark = theme.kind === 'dark' || theme.kind === 'high-contrast';
    this.ramp = buildRamp(theme.mapBase, dark);
    this.diverging = buildDivergingRamp(theme.divergingBases[0], theme.divergingBases[1], dark);
    this.invalidate();
  }

  update(model: CompareModel): void {
    this.model = model;
    this.invalidate();
  }

  /** Whether the replay waits for the host's snapshots of `epoch` (a late answer is dropped). */
  wants(epoch: number): boolean {
    return this.waitingFor === epoch;
  }

  /** The host refused or failed a request: a replay waiting for snapshots stops. */
  settle(): void {
    if (this.waitingFor === null) return;
    this.waitingFor = null;
    this.replay.pause();
    this.invalidate();
  }

  /** Shows the snapshots of shared epoch `index` (the last: each run's newest, following live runs). */
  private seek(index: number, playing: boolean): void {
    const model = this.model;
    const epochs = model ? sharedEpochs(model) : [];
    const epoch = epochs[index];
    if (!model || epoch === undefined) return;
    clearTimeout(this.requestTimer);
    if (index === epochs.length - 1) {
      this.epoch = null;
      this.waitingFor = null;
      clearReplay(model);
      this.invalidate();
      this.replay.shown();
      return;
    }
    this.epoch = epoch;
    this.waitingFor = epoch;
    this.requestTimer = setTimeout(
      () => post({ type: 'requestCompareAttention', epoch }),
      playing ? 0 : REQUEST_DELAY_MS,
    );
    this.invalidate();
  }

  private renderReplay(model: CompareModel): void {
    const epochs = sharedEpochs(model);
    if (this.waitingFor !== null && model.replay?.epoch === this.waitingFor) {
      this.waitingFor = null;
      // Drawn in this frame: the replay may take its next step.
      queueMicrotask(() => this.replay.shown());
    }
    const last = epochs.length - 1;
    const index = this.epoch === null ? last : epochs.indexOf(this.epoch);
    const shown = this.epoch ?? epochs[last];
    let label =
      shown === undefined
        ? '—'
        : this.epoch === null
          ? t('compareEpochLatest')
          : t('compareEpochValue', { epoch: shown, last: epochs[last] });
    if (this.waitingFor !== null) label += ` · ${t('attentionEpochLoading', { epoch: this.waitingFor })}`;
    this.replay.update(epochs.length, Math.max(0, index), label);
    this.root.dataset.epoch = model.replay ? String(model.replay.epoch) : '';
  }

  private invalidate(): void {
    scheduleRender('compare-maps', () => this.render());
  }

  private probes(): SharedProbe[] {
    return this.model?.summary.probes.filter((probe) => probe.maps.length > 0) ?? [];
  }

  private probe(): SharedProbe | null {
    const probes = this.probes();
    return probes[Math.min(this.state.probeIndex, probes.length - 1)] ?? null;
  }

  private modes(): AttentionMode[] {
    const probe = this.probe();
    const modes: AttentionMode[] = [];
    for (const map of probe?.maps ?? []) if (!modes.includes(map.mode)) modes.push(map.mode);
    return modes;
  }

  private maps(): SharedMap[] {
    const modes = this.modes();
    const mode = modes.includes(this.state.mode) ? this.state.mode : modes[0];
    return this.probe()?.maps.filter((map) => map.mode === mode) ?? [];
  }

  private current(): SharedMap | null {
    const maps = this.maps();
    return maps.find((map) => map.key === this.state.mapKey) ?? maps[0] ?? null;
  }

  /** Runs that have a map to subtract (those with an attention snapshot), as indices into the model's runs. */
  private withMaps(map: SharedMap): number[] {
    return map.maps.flatMap((item, i) => (item ? [i] : []));
  }

  private onKey(event: KeyboardEvent): void {
    const map = this.current();
    const first = map?.maps.find((item) => item !== null);
    if (!first) return;
    const rows = first.rowTokens.length;
    const columns = first.columnTokens.length;
    const at = this.cursor ?? { row: 0, column: 0 };
    let next: Cell | null = at;
    switch (event.key) {
      case 'ArrowDown':
        next = this.cursor ? { row: Math.min(rows - 1, at.row + 1), column: at.column } : at;
        break;
      case 'ArrowUp':
        next = this.cursor ? { row: Math.max(0, at.row - 1), column: at.column } : at;
        break;
      case 'ArrowRight':
        next = this.cursor ? { row: at.row, column: Math.min(columns - 1, at.column + 1) } : at;
        break;
      case 'ArrowLeft':
        next = this.cursor ? { row: at.row, column: Math.max(0, at.column - 1) } : at;
        break;
      case 'Home':
        next = { row: at.row, column: 0 };
        break;
      case 'End':
        next = { row: at.row, column: columns - 1 };
        break;
      case 'Escape':
        next = null;
        break;
      default:
        return;
    }
    event.preventDefault();
    this.cursor = next;
    this.invalidate();
  }

  private onCell(cell: Cell | null, click: boolean): void {
    if (!cell && !click) return;
    if (cell?.row === this.cursor?.row && cell?.column === this.cursor?.column) return;
    this.cursor = cell;
    this.invalidate();
  }

  private cellSize(columns: number, count: number): number {
    const width = this.root.clientWidth || 900;
    const perMap = (width - 24 * count) / Math.max(1, count) - LABEL_WIDTH;
    const fitted = Math.floor(perMap / Math.max(1, columns));
    return Math.max(MIN_CELL, Math.min(MAX_CELL, Number.isFinite(fitted) && fitted > 0 ? fitted : MAX_CELL));
  }

  private render(): void {
    const model = this.model;
    if (!model) return;
    this.renderReplay(model);
    const probes = this.probes();
    const map = this.current();
    show(this.empty, !map);
    show(this.body, !!map);
    this.root.dataset.maps = '0';
    if (!map) return;
    const probe = this.probe() as SharedProbe;
    const separator = model.runs[0]?.run.config.data.tokenLevel === 'word' ? ' ' : '';
    this.state.probeIndex = probes.indexOf(probe);
    this.probeSelect.update(
      probes.map((p, i) => t('attentionProbeOption', { index: i + 1, source: p.source.join(separator) })),
      this.state.probeIndex,
    );
    const modes = this.modes();
    this.state.mode = map.mode;
    this.modeSelect.update(
      modes.map((mode) => t(mode === 'forward' ? 'attentionModeForward' : 'attentionModeGenerated')),
      modes.indexOf(map.mode),
      2,
    );
    const maps = this.maps();
    this.state.mapKey = map.key;
    this.mapSelect.update(
      maps.map((item) => t('mapTitle', { group: groupTitle(item), layer: item.layer + 1, head: item.head + 1 })),
      maps.indexOf(map),
    );

    const runs = model.runs;
    const first = map.maps.find((item) => item !== null);
    const rowTokens = first?.rowTokens ?? [];
    const columnTokens = first?.columnTokens ?? [];
    const cellSize = this.cellSize(columnTokens.length, runs.length);
    if (this.cursor && (this.cursor.row >= rowTokens.length || this.cursor.column >= columnTokens.length))
      this.cursor = null;
    while (this.views.length < runs.length) {
      const view = new CompareMapView(
        `compare-map-${this.views.length}`,
        (event) => this.onKey(event),
        (cell, click) => this.onCell(cell, click),
      );
      this.views.push(view);
    }
    // Re-inserting a map would take the keyboard focus away from it: only when the runs change.
    const shown = this.views.slice(0, runs.length).map((view) => view.root);
    if (shown.length !== this.row.children.length || shown.some((root, i) => this.row.children[i] !== root))
      this.row.replaceChildren(...shown);
    let drawn = 0;
    const data = map.maps.map((item) => (item ? decode(item) : null));
    runs.forEach((run, i) => {
      const view = this.views[i];
      const variant = this.variantName(run);
      const item = map.maps[i];
      const unpacked = data[i];
      view.root.dataset.runId = run.runId;
      if (!item) {
        view.showMessage(t('compareMapMissing', { letter: runLetter(i), variant }), t('attentionNoSnapshot'));
        return;
      }
      if (!unpacked) {
        view.showMessage(runLegend(run, i), t('mapDamaged'));
        return;
      }
      view.draw(
        t('compareMapCaption', { letter: runLetter(i), variant, epoch: shownAttention(model, run)?.epoch ?? '–' }),
        rowTokens,
        columnTokens,
        rampPainter(unpacked.weights, this.ramp),
        unpacked.mask,
        cellSize,
        this.theme,
        this.cursor,
        t('compareMapAria', { letter: runLetter(i), variant, rows: rowTokens.length, columns: columnTokens.length }),
      );
      drawn++;
    });
    this.root.dataset.maps = String(drawn);
    this.root.dataset.mapKey = map.key;
    drawLegend(this.rampLegend, this.ramp);
    const masked = data.some((d) => d?.mask?.some((v) => !v));
    show(this.maskLegend, !!masked);
    if (masked) drawHatchSwatch(this.maskSwatch, this.theme?.background ?? '#ffffff', this.theme?.hatch ?? '#616161');

    // The difference of two runs' maps.
    const candidates = this.withMaps(map);
    const names = candidates.map((i) => runLegend(runs[i], i));
    show(this.differenceControls, candidates.length >= 2);
    const from = Math.min(this.state.differenceFrom, Math.max(0, candidates.length - 1));
    let to = Math.min(this.state.differenceTo, Math.max(0, candidates.length - 1));
    if (to === from && candidates.length >= 2) to = from === 0 ? 1 : 0;
    this.state.differenceFrom = from;
    this.state.differenceTo = to;
    this.fromSelect.update(names, from);
    this.toSelect.update(names, to);
    this.differenceBox.checked = this.state.difference;
    const showDifference = this.state.difference && candidates.length >= 2;
    show(this.differenceBox_, showDifference);
    let differenceValue: Float32Array | null = null;
    let differenceMask: Uint8Array | null = null;
    const a = candidates[from];
    const b = candidates[to];
    if (showDifference) {
      const left = data[a];
      const right = data[b];
      const difference = left && right ? mapDifference(left, right) : null;
      const fromName = runLetter(a);
      const toName = runLetter(b);
      const title = t('compareDifferenceTitle', { from: fromName, to: toName });
      if (!difference) {
        this.differenceView.showMessage(title, t('compareDifferenceNone'));
        setText(this.differenceStats, '');
      } else {
        const scale = Number.isFinite(difference.maxAbs) && difference.maxAbs > 0 ? difference.maxAbs : 1;
        this.differenceView.draw(
          title,
          rowTokens,
          columnTokens,
          divergingPainter(difference.difference, scale, this.diverging),
          difference.mask,
          cellSize,
          this.theme,
          this.cursor,
          t('compareDifferenceAria', {
            from: fromName,
            to: toName,
            rows: rowTokens.length,
            columns: columnTokens.length,
          }),
        );
        setText(
          this.differenceStats,
          t('compareDifferenceStats', {
            max: fixed(difference.maxAbs, 4),
            mean: fixed(difference.meanAbs, 4),
            cells: difference.cells,
          }),
        );
        this.differenceStats.dataset.max = String(difference.maxAbs);
        this.differenceStats.dataset.mean = String(difference.meanAbs);
        this.differenceStats.dataset.cells = String(difference.cells);
        const legend = new Uint8ClampedArray(2 * this.diverging.negative.length);
        const half = this.diverging.negative.length / 3;
        for (let i = 0; i < half; i++) {
          legend.set(this.diverging.negative.subarray((half - 1 - i) * 3, (half - i) * 3), i * 3);
          legend.set(this.diverging.positive.subarray(i * 3, i * 3 + 3), (half + i) * 3);
        }
        drawLegend(this.differenceLegend, legend);
        setText(
          this.differenceLegendText,
          t('compareDifferenceLegend', { from: fromName, to: toName, scale: compact(scale, 2) }),
        );
        differenceValue = difference.difference;
        differenceMask = difference.mask;
      }
    }
    this.renderReadout(
      map,
      data,
      rowTokens,
      columnTokens,
      showDifference ? { a, b, differenceValue, differenceMask } : null,
    );
    this.root.dataset.difference = String(showDifference);
  }

  /** The shown map of every run that has it, as the exports draw them (compareExports.ts). */
  exportSource(): { key: string; mode: AttentionMode; maps: SvgMap[] } | null {
    const model = this.model;
    const map = this.current();
    if (!model || !map) return null;
    const maps: SvgMap[] = [];
    model.runs.forEach((run, i) => {
      const item = map.maps[i];
      const unpacked = item ? decode(item) : null;
      if (!item || !unpacked) return;
      maps.push({
        title: t('compareMapCaption', {
          letter: runLetter(i),
          variant: this.variantName(run),
          epoch: shownAttention(model, run)?.epoch ?? '–',
        }),
        rowTokens: item.rowTokens,
        columnTokens: item.columnTokens,
        weights: unpacked.weights,
        mask: unpacked.mask,
      });
    });
    return maps.length > 0 ? { key: map.key, mode: map.mode, maps } : null;
  }

  private variantName(run: CompareRun): string {
    const variant = run.chapter.variants.find((item) => item.id === run.run.config.variant);
    return (variant && pick(variant.title)) || run.run.config.variant;
  }

  private renderReadout(
    map: SharedMap,
    data: (UnpackedMap | null)[],
    rowTokens: readonly string[],
    columnTokens: readonly string[],
    difference: {
      a: number;
      b: number;
      differenceValue: Float32Array | null;
      differenceMask: Uint8Array | null;
    } | null,
  ): void {
    const cursor = this.cursor;
    if (!cursor) {
      setText(this.readout, '');
      this.readout.dataset.values = '';
      return;
    }
    const i = cursor.row * columnTokens.length + cursor.column;
    const values: string[] = [];
    const raw: (number | null)[] = [];
    map.maps.forEach((item, run) => {
      const unpacked = data[run];
      if (!item || !unpacked) return;
      if (unpacked.mask && !unpacked.mask[i]) {
        values.push(t('compareCellMasked', { letter: runLetter(run) }));
        raw.push(null);
      } else {
        values.push(t('compareCellValue', { letter: runLetter(run), value: fixed(unpacked.weights[i]) }));
        raw.push(unpacked.weights[i]);
      }
    });
    if (difference?.differenceValue && (!difference.differenceMask || difference.differenceMask[i]))
      values.push(
        t('compareCellDifference', {
          from: runLetter(difference.a),
          to: runLetter(difference.b),
          value: fixed(difference.differenceValue[i]),
        }),
      );
    setText(
      this.readout,
      t('compareCell', {
        row: displayToken(rowTokens[cursor.row] ?? ''),
        column: displayToken(columnTokens[cursor.column] ?? ''),
        values: list(values),
      }),
    );
    this.readout.dataset.values = JSON.stringify(raw);
    this.readout.dataset.row = String(cursor.row);
    this.readout.dataset.column = String(cursor.column);
  }
}
