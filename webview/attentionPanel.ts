/**
 * The attention section: probe selector, greedy / teacher-forced toggle, layer/head selector (when
 * there is more than one map), the epoch slider replaying past snapshots, and the map itself.
 * Moving the slider posts `requestAttention`; the host's `attention` answer replaces the map.
 * While the slider sits on the newest epoch it follows live training.
 */
import type { AttentionMap, AttentionSnapshot } from '../src/protocol/run';
import type { WebviewState } from '../src/protocol/webview';
import { AttentionMapView } from './attentionMap';
import { el, setText } from './dom';
import { t } from './i18n';
import type { LabModel } from './model';
import { IndexSelect } from './select';
import type { Theme } from './theme';
import { post } from './vscodeApi';

type Mode = WebviewState['mode'];
type Radio = HTMLElement & { checked: boolean; value: string };
const REQUEST_DELAY_MS = 120;

export type AttentionViewState = Pick<WebviewState, 'probeIndex' | 'epoch' | 'selectedRow' | 'selectedColumn' | 'mode'>;

export class AttentionPanel {
  readonly root: HTMLElement;
  private probeIndex = 0;
  private mode: Mode = 'greedy';
  private headIndex = 0;
  /** null = follow the newest epoch. */
  private epoch: number | null = null;
  private shown: AttentionSnapshot | null = null;
  private latest: AttentionSnapshot | null = null;
  private epochs: number[] = [];
  private requestTimer: ReturnType<typeof setTimeout> | undefined;
  private waitingFor: number | null = null;

  private readonly probeSelect: IndexSelect;
  private readonly headSelect: IndexSelect;
  private readonly radios: Record<Mode, Radio>;
  private readonly slider = el('input', {
    className: 'epoch-slider',
    attrs: {
      id: 'epoch-slider',
      type: 'range',
      min: 0,
      max: 0,
      step: 1,
      value: 0,
      'aria-label': t('attentionEpochAria'),
    },
  });
  private readonly epochLabel = el('output', {
    className: 'epoch-value',
    attrs: { id: 'epoch-value', for: 'epoch-slider' },
  });
  private readonly probeTokens = el('p', { className: 'probe-tokens muted' });
  private readonly map: AttentionMapView;

  constructor(
    private readonly separator: string,
    private readonly onStateChange: () => void,
  ) {
    this.map = new AttentionMapView('probe-map', () => this.onStateChange());
    this.probeSelect = new IndexSelect('probe-select', t('attentionProbe'), (index) => {
      this.probeIndex = index;
      this.map.setSelection({ row: null, column: null });
      this.render();
      this.onStateChange();
    });
    this.headSelect = new IndexSelect('head-select', t('attentionHead'), (index) => {
      this.headIndex = index;
      this.render();
    });
    const radio = (mode: Mode, label: string): Radio =>
      el('vscode-radio', { text: label, attrs: { name: 'attention-mode', value: mode, id: `mode-${mode}` } }) as Radio;
    this.radios = {
      greedy: radio('greedy', t('attentionModeGreedy')),
      teacherForced: radio('teacherForced', t('attentionModeTeacherForced')),
    };
    const group = el('vscode-radio-group', { attrs: { id: 'mode-group', 'aria-label': t('attentionRows') } }, [
      this.radios.greedy,
      this.radios.teacherForced,
    ]);
    group.addEventListener('change', (event) => {
      const value = (event.target as Radio).value;
      if ((value === 'greedy' || value === 'teacherForced') && value !== this.mode) {
        this.mode = value;
        this.render();
        this.onStateChange();
      }
    });
    this.slider.addEventListener('input', () => this.onSlide());

    this.root = el('div', { className: 'attention-panel' }, [
      el('div', { className: 'attention-controls' }, [
        this.probeSelect.root,
        el('div', { className: 'control' }, [
          el('span', { className: 'control-label', text: t('attentionRows') }),
          group,
        ]),
        this.headSelect.root,
        el('div', { className: 'control epoch-control' }, [
          el('label', { className: 'control-label', text: t('attentionEpoch'), attrs: { for: 'epoch-slider' } }),
          this.slider,
          this.epochLabel,
        ]),
      ]),
      this.probeTokens,
      this.map.root,
    ]);
  }

  /** Restores a saved view (same run only); returns the epoch to request, if any. */
  restore(saved: AttentionViewState, model: LabModel): void {
    this.probeIndex = saved.probeIndex;
    this.mode = saved.mode;
    this.map.setSelection({ row: saved.selectedRow, column: saved.selectedColumn });
    const latestEpoch = model.attentionEpochs[model.attentionEpochs.length - 1];
    if (saved.epoch !== null && saved.epoch !== latestEpoch && model.attentionEpochs.includes(saved.epoch)) {
      this.epoch = saved.epoch;
      this.request(saved.epoch, 0);
    }
  }

  state(): AttentionViewState {
    const selection = this.map.getSelection();
    return {
      probeIndex: this.probeIndex,
      epoch: this.epoch,
      selectedRow: selection.row,
      selectedColumn: selection.column,
      mode: this.mode,
    };
  }

  setTheme(theme: Theme): void {
    this.map.setTheme(theme);
  }

  /** New attention epochs or a new latest snapshot (init, live epochs). */
  update(model: LabModel): void {
    this.epochs = model.attentionEpochs;
    this.latest = model.latestAttention;
    // While an older epoch is on its way (e.g. restored after a reload) the newest one stays shown.
    if (this.epoch === null || this.shown === null) this.shown = this.latest;
    this.render();
  }

  /** The host's answer to `requestAttention`. */
  receiveSnapshot(snapshot: AttentionSnapshot): void {
    if (this.epoch === null || snapshot.epoch !== this.epoch) return;
    this.shown = snapshot;
    this.waitingFor = null;
    this.render();
  }

  private onSlide(): void {
    const epoch = this.epochs[Number(this.slider.value)];
    if (epoch === undefined) return;
    if (epoch === this.latest?.epoch || epoch === this.epochs[this.epochs.length - 1]) {
      this.epoch = null;
      this.waitingFor = null;
      clearTimeout(this.requestTimer);
      this.shown = this.latest;
    } else {
      this.epoch = epoch;
      this.request(epoch, REQUEST_DELAY_MS);
    }
    this.render();
    this.onStateChange();
  }

  private request(epoch: number, delay: number): void {
    this.waitingFor = epoch;
    clearTimeout(this.requestTimer);
    this.requestTimer = setTimeout(() => post({ type: 'requestAttention', epoch }), delay);
  }

  private join(tokens: readonly string[]): string {
    return tokens.join(this.separator);
  }

  private render(): void {
    const snapshot = this.shown;
    const probes = snapshot?.probes ?? [];
    this.probeIndex = Math.min(this.probeIndex, Math.max(0, probes.length - 1));
    this.probeSelect.update(
      probes.map((p, i) => t('attentionProbeOption', { index: i + 1, source: this.join(p.source) })),
      this.probeIndex,
    );
    this.radios.greedy.checked = this.mode === 'greedy';
    this.radios.teacherForced.checked = this.mode === 'teacherForced';

    const probe = probes[this.probeIndex];
    const maps: AttentionMap[] = probe ? (probe[this.mode] ?? []) : [];
    this.headIndex = Math.min(this.headIndex, Math.max(0, maps.length - 1));
    this.headSelect.update(
      maps.map((m) => t('attentionHeadOption', { layer: m.layer + 1, head: m.head + 1, label: m.label })),
      this.headIndex,
      2,
    );
    setText(
      this.probeTokens,
      probe
        ? t('attentionProbeTokens', {
            source: this.join(probe.source),
            target: this.join(probe.target),
            predicted: this.join(probe.predicted),
          })
        : '',
    );
    this.map.setMap(maps[this.headIndex] ?? null, snapshot ? t('attentionNone') : t('attentionNoSnapshot'));
    this.root.dataset.epoch = snapshot ? String(snapshot.epoch) : '';

    const last = this.epochs.length - 1;
    this.slider.max = String(Math.max(0, last));
    const index = this.epoch === null ? last : this.epochs.indexOf(this.epoch);
    this.slider.value = String(Math.max(0, index));
    this.slider.disabled = this.epochs.length < 2;
    const shownEpoch = this.epoch ?? this.epochs[last];
    let label =
      shownEpoch === undefined ? '—' : t('attentionEpochValue', { epoch: shownEpoch, last: this.epochs[last] });
    if (this.epoch === null && shownEpoch !== undefined) label += ` · ${t('attentionEpochFollowing')}`;
    if (this.waitingFor !== null) label += ` · ${t('attentionEpochLoading', { epoch: this.waitingFor })}`;
    setText(this.epochLabel, label);
    this.slider.setAttribute('aria-valuetext', label);
  }
}
