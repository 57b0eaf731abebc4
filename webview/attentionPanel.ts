/**
 * The attention section: probe selector, forward / generated toggle (when a probe has both), the
 * snapshot slider replaying past evaluations, the self-check badges of the snapshot and of the
 * probe, and every map of the probe (overview + the chosen map large). Moving the slider posts
 * `requestAttention`; the host's `attention` answer replaces the maps. While the slider sits on
 * the newest snapshot it follows live training. The play button (replay.ts) moves through every
 * snapshot at a chosen speed, one request in flight; under it, a self-check's value through
 * training (checkHistory.ts), from every snapshot seen and the host's `checkHistory`.
 * Before the first evaluation, the run's preview (the maps after its first step) is shown,
 * labelled as such (on screen and in the map's screen-reader text); it is not an epoch of the
 * slider, of the checks' history or of the exports, and the first evaluation replaces it.
 */
import type { WebviewState } from '../src/shared/protocol/webview';
import type { AttentionMode, AttentionSnapshot, SelfCheckResult } from '../src/shared/run/records';
import { CheckHistoryChart } from './checkHistory';
import { renderChecks } from './checks';
import { el, show } from './dom';
import { t } from './i18n';
import { modesOf } from './mapData';
import { MapExplorer } from './mapExplorer';
import type { LabModel } from './model';
import { ReplayControls } from './replay';
import { IndexSelect } from './select';
import type { Theme } from './theme';
import { post } from './vscodeApi';

type Radio = HTMLElement & { checked: boolean; value: string };
const REQUEST_DELAY_MS = 120;
const MODES: readonly AttentionMode[] = ['forward', 'generated'];

export type AttentionViewState = Omit<WebviewState, 'runDir'>;

export class AttentionPanel {
  readonly root: HTMLElement;
  readonly explorer: MapExplorer;
  private probeIndex = 0;
  /** The learner's choice; a probe without maps in this mode shows the other one. */
  private mode: AttentionMode = 'generated';
  /** null = follow the newest epoch. */
  private epoch: number | null = null;
  private shown: AttentionSnapshot | null = null;
  private latest: AttentionSnapshot | null = null;
  /** The run's preview while it has no evaluation snapshot. */
  private preview: AttentionSnapshot | null = null;
  private epochs: number[] = [];
  private requestTimer: ReturnType<typeof setTimeout> | undefined;
  private waitingFor: number | null = null;
  private unit: 'epoch' | 'evaluation' = 'epoch';

  private readonly probeSelect: IndexSelect;
  private readonly radios: Record<AttentionMode, Radio>;
  private readonly modeControl: HTMLElement;
  readonly replay: ReplayControls;
  readonly checkChart = new CheckHistoryChart();
  /** The snapshot-level checks of every snapshot seen, by epoch. */
  private readonly checkHistory = new Map<number, SelfCheckResult[]>();
  private readonly previewNote = el('p', { className: 'attention-preview-note', attrs: { id: 'attention-preview' } });
  private readonly probeTokens = el('div', { className: 'probe-tokens' });
  private readonly snapshotChecks = el('div', { className: 'checks', attrs: { id: 'snapshot-checks' } });
  private readonly probeChecks = el('div', { className: 'checks', attrs: { id: 'probe-checks' } });
  private readonly checksBox: HTMLElement;

  constructor(
    private readonly separator: string,
    private readonly onStateChange: () => void,
  ) {
    this.explorer = new MapExplorer('probe-map', () => this.onStateChange());
    this.probeSelect = new IndexSelect('probe-select', t('attentionProbe'), (index) => {
      this.probeIndex = index;
      this.explorer.setSelection({ row: null, column: null });
      this.render();
      this.onStateChange();
    });
    const radio = (mode: AttentionMode, label: string): Radio =>
      el('vscode-radio', { text: label, attrs: { name: 'attention-mode', value: mode, id: `mode-${mode}` } }) as Radio;
    this.radios = {
      forward: radio('forward', t('attentionModeForward')),
      generated: radio('generated', t('attentionModeGenerated')),
    };
    const group = el('vscode-radio-group', { attrs: { id: 'mode-group', 'aria-label': t('attentionMode') } }, [
      this.radios.generated,
      this.radios.forward,
    ]);
    group.addEventListener('change', (event) => {
      const value = (event.target as Radio).value;
      if ((value === 'forward' || value === 'generated') && value !== this.mode) {
        this.mode = value;
        this.render();
        this.onStateChange();
      }
    });
    this.modeControl = el('div', { className: 'control mode-control' }, [
      el('span', { className: 'control-label', text: t('attentionMode') }),
      group,
    ]);
    this.replay = new ReplayControls({
      id: 'epoch',
      label: t('attentionEpoch'),
      ariaLabel: t('attentionEpochAria'),
      onSeek: (index, playing) => this.onSeek(index, playing),
    });
    this.checksBox = el('div', { className: 'checks-box', attrs: { role: 'region', 'aria-label': t('checksTitle') } }, [
      el('h3', { className: 'checks-heading', text: t('checksTitle') }),
      el('div', { className: 'checks-lists' }, [this.snapshotChecks, this.probeChecks]),
    ]);

    this.root = el('div', { className: 'attention-panel' }, [
      el('div', { className: 'attention-controls' }, [this.probeSelect.root, this.modeControl, this.replay.root]),
      this.checkChart.root,
      this.previewNote,
      this.probeTokens,
      this.checksBox,
      this.explorer.root,
    ]);
  }

  /** Restores a saved view (same run only); requests the saved epoch when it is not the newest. */
  restore(saved: AttentionViewState, model: LabModel): void {
    this.probeIndex = saved.probeIndex;
    this.mode = saved.mode;
    this.explorer.choose(saved.mapKey);
    this.explorer.setSelection({ row: saved.selectedRow, column: saved.selectedColumn, rows: saved.selectedRows });
    const latestEpoch = model.attentionEpochs[model.attentionEpochs.length - 1];
    if (saved.epoch !== null && saved.epoch !== latestEpoch && model.attentionEpochs.includes(saved.epoch)) {
      this.epoch = saved.epoch;
      this.request(saved.epoch, 0);
    }
  }

  state(): AttentionViewState {
    const selection = this.explorer.getSelection();
    const state: AttentionViewState = {
      probeIndex: this.probeIndex,
      epoch: this.epoch,
      selectedRow: selection.row,
      selectedColumn: selection.column,
      mode: this.shownMode(),
      mapKey: this.explorer.currentKey(),
    };
    if (selection.rows) state.selectedRows = selection.rows;
    return state;
  }

  /** What the exports (labExports.ts) draw: the snapshot on screen, its probe and mode. */
  exportSource(): { snapshot: AttentionSnapshot | null; probeIndex: number; mode: AttentionMode } {
    // A preview is no evaluation: nothing to export until the first one.
    const snapshot = this.showsPreview() ? null : this.shown;
    return { snapshot, probeIndex: this.probeIndex, mode: this.shownMode() };
  }

  setTheme(theme: Theme): void {
    this.explorer.setTheme(theme);
    this.checkChart.setTheme(theme);
  }

  destroy(): void {
    this.replay.pause();
    this.checkChart.destroy();
  }

  /** The host's `checkHistory`: the checks of every saved snapshot. */
  receiveChecks(snapshots: readonly { epoch: number; checks: SelfCheckResult[] }[]): void {
    for (const { epoch, checks } of snapshots) this.checkHistory.set(epoch, checks);
    this.render();
  }

  /** The host refused or failed a request: a replay waiting for a snapshot stops. */
  settle(): void {
    if (this.waitingFor === null) return;
    this.waitingFor = null;
    this.replay.pause();
    this.render();
  }

  /** New attention epochs or a new latest snapshot (init, live epochs). */
  update(model: LabModel): void {
    this.unit = model.chapter.trainingUnit;
    this.epochs = model.attentionEpochs;
    this.latest = model.latestAttention;
    this.preview = this.latest ? null : model.preview;
    if (this.latest) this.checkHistory.set(this.latest.epoch, this.latest.checks);
    // While an older epoch is on its way (e.g. restored after a reload) the newest one stays shown.
    if (this.epoch === null || this.shown === null || this.shown === this.preview)
      this.shown = this.latest ?? this.preview;
    this.render();
  }

  /** The host's answer to `requestAttention`. */
  receiveSnapshot(snapshot: AttentionSnapshot): void {
    if (this.epoch === null || snapshot.epoch !== this.epoch) return;
    this.shown = snapshot;
    this.waitingFor = null;
    this.checkHistory.set(snapshot.epoch, snapshot.checks);
    this.render();
    this.replay.shown();
  }

  /** Shows snapshot `index` (the slider or a step of the replay). */
  private onSeek(index: number, playing: boolean): void {
    const epoch = this.epochs[index];
    if (epoch === undefined) return;
    if (epoch === this.latest?.epoch || epoch === this.epochs[this.epochs.length - 1]) {
      this.epoch = null;
      this.waitingFor = null;
      clearTimeout(this.requestTimer);
      this.shown = this.latest;
      this.render();
      this.replay.shown();
    } else {
      this.epoch = epoch;
      this.request(epoch, playing ? 0 : REQUEST_DELAY_MS);
      this.render();
    }
    this.onStateChange();
  }

  private request(epoch: number, delay: number): void {
    this.waitingFor = epoch;
    clearTimeout(this.requestTimer);
    this.requestTimer = setTimeout(() => post({ type: 'requestAttention', epoch }), delay);
  }

  /** Whether the maps shown are the preview (before the first evaluation). */
  private showsPreview(): boolean {
    return this.shown !== null && this.shown === this.preview;
  }

  private join(tokens: readonly string[]): string {
    return tokens.join(this.separator);
  }

  /** The mode shown: the chosen one when the probe has maps in it, else the one it has. */
  private shownMode(): AttentionMode {
    const probe = this.shown?.probes[this.probeIndex];
    const modes = probe ? modesOf(probe.maps) : [];
    return modes.includes(this.mode) || modes.length === 0 ? this.mode : modes[0];
  }

  private render(): void {
    const snapshot = this.shown;
    const probes = snapshot?.probes ?? [];
    this.probeIndex = Math.min(this.probeIndex, Math.max(0, probes.length - 1));
    this.probeSelect.update(
      probes.map((p, i) => t('attentionProbeOption', { index: i + 1, source: this.join(p.source) })),
      this.probeIndex,
    );
    const probe = probes[this.probeIndex];
    const modes = probe ? modesOf(probe.maps) : [];
    const mode = this.shownMode();
    for (const m of MODES) this.radios[m].checked = m === mode;
    show(this.modeControl, modes.length > 1);

    const tokenLines = probe
      ? [
          t('probeSource', { tokens: this.join(probe.source) }),
          probe.target.length ? t('probeTarget', { tokens: this.join(probe.target) }) : '',
          probe.predicted.length ? t('probePredicted', { tokens: this.join(probe.predicted) }) : '',
        ].filter(Boolean)
      : [];
    this.probeTokens.replaceChildren(
      ...tokenLines.map((line) => el('p', { className: 'probe-line token-text', text: line })),
    );

    const preview = this.showsPreview();
    const note = preview && snapshot ? t('attentionPreview', { step: snapshot.step }) : '';
    this.previewNote.textContent = note;
    show(this.previewNote, preview);
    show(this.checksBox, !!snapshot);
    if (snapshot) {
      renderChecks(
        this.snapshotChecks,
        'snapshot-checks',
        preview
          ? note
          : t(this.unit === 'evaluation' ? 'checksSnapshotEvaluation' : 'checksSnapshot', { epoch: snapshot.epoch }),
        snapshot.checks,
      );
      renderChecks(this.probeChecks, 'probe-checks', t('checksProbe'), probe?.checks ?? []);
    }

    const maps = probe ? probe.maps.filter((map) => map.mode === mode) : [];
    this.explorer.show(maps, snapshot ? t('attentionNone') : t('attentionNoSnapshot'), note);
    this.root.dataset.epoch = snapshot && !preview ? String(snapshot.epoch) : '';
    this.root.dataset.preview = String(preview);
    this.root.dataset.mode = mode;

    const last = this.epochs.length - 1;
    const index = this.epoch === null ? last : this.epochs.indexOf(this.epoch);
    const shownEpoch = this.epoch ?? this.epochs[last];
    const valueKey = this.unit === 'evaluation' ? 'attentionEvaluationValue' : 'attentionEpochValue';
    let label = shownEpoch === undefined ? '—' : t(valueKey, { epoch: shownEpoch, last: this.epochs[last] });
    if (this.epoch === null && shownEpoch !== undefined) label += ` · ${t('attentionEpochFollowing')}`;
    if (this.waitingFor !== null) label += ` · ${t('attentionEpochLoading', { epoch: this.waitingFor })}`;
    this.replay.update(this.epochs.length, Math.max(0, index), label);
    this.checkChart.update(this.checkHistory, preview ? null : (snapshot?.epoch ?? null), this.unit);
  }
}
