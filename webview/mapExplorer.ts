/**
 * Every map of one example: the overview of thumbnails and the chosen map large, with a line on
 * grouped-query attention when the map's key/value head is shared. Used for the probes and for
 * "Try it". The chosen map is remembered by key (`<stack>/<kind>/<layer>/<head>`), so it stays
 * chosen across epochs, probes and modes; when an example lacks it the default map is shown.
 * A masked self-attention map shown large says its leaked mass (mass above the diagonal).
 */
import { mapKey } from '../src/shared/run/attention';
import type { AttentionMap } from '../src/shared/run/records';
import { AttentionMapView, type MapSelection } from './attentionMap';
import { el, setText, show } from './dom';
import { buildRamp } from './heatColor';
import { list, t } from './i18n';
import { decode, defaultMap, findByKey, headsSharingKv, leakedMass, showsLeak } from './mapData';
import { compact } from './numbers';
import { groupTitle, MapOverview } from './mapOverview';
import type { Theme } from './theme';

export class MapExplorer {
  readonly root: HTMLElement;
  readonly overview: MapOverview;
  readonly view: AttentionMapView;
  private readonly sharing = el('p', { className: 'map-sharing' });
  private readonly leak = el('p', { className: 'map-leak' });
  private maps: readonly AttentionMap[] = [];
  private emptyText = '';
  private note = '';
  /** The learner's choice (null: the default map). */
  private chosen: string | null = null;

  constructor(
    readonly id: string,
    private readonly onChange: () => void = () => undefined,
  ) {
    this.view = new AttentionMapView(id, () => this.onChange());
    this.overview = new MapOverview(`${id.replace(/-map$/, '')}-overview`, (key) => {
      this.chosen = key;
      this.show(this.maps, '');
      this.onChange();
    });
    this.sharing.id = `${id}-sharing`;
    this.leak.id = `${id}-leak`;
    this.root = el('div', { className: 'map-explorer' }, [this.overview.root, this.sharing, this.leak, this.view.root]);
  }

  setTheme(theme: Theme): void {
    const ramp = buildRamp(theme.mapBase, theme.kind === 'dark' || theme.kind === 'high-contrast');
    this.overview.setTheme(theme, ramp);
    this.view.setTheme(theme, ramp);
    this.show(this.maps, this.emptyText);
  }

  /**
   * Shows `maps` (overview and the chosen map large), or `emptyText` when there are none. `note`
   * (e.g. "preview after step 1") is said with the large map's title and screen-reader text.
   */
  show(maps: readonly AttentionMap[], emptyText: string, note?: string): void {
    const started = performance.now();
    this.maps = maps;
    if (emptyText) this.emptyText = emptyText;
    if (note !== undefined) this.note = note;
    const shown = this.current();
    show(this.overview.root, maps.length > 0);
    this.overview.update(maps, shown ? mapKey(shown) : null);
    this.view.setMap(
      shown
        ? {
            map: shown,
            data: decode(shown),
            title: t('mapTitle', { group: groupTitle(shown), layer: shown.layer + 1, head: shown.head + 1 }),
            ...(this.note ? { note: this.note } : {}),
          }
        : null,
      this.emptyText,
    );
    let sharing = '';
    if (shown && shown.kvHead !== undefined) {
      const heads = headsSharingKv(maps, shown).map((head) => head + 1);
      sharing = t(heads.length > 1 ? 'gqaShared' : 'gqaOwn', { heads: list(heads), kv: shown.kvHead + 1 });
    }
    setText(this.sharing, sharing);
    show(this.sharing, sharing !== '');
    this.showLeak(shown);
    this.root.dataset.renderMs = (performance.now() - started).toFixed(2);
  }

  /** The leaked mass of a masked self-attention map shown large (what the engine's metric averages). */
  private showLeak(shown: AttentionMap | null): void {
    const data = shown && showsLeak(shown) ? decode(shown) : null;
    if (!shown || !data) {
      setText(this.leak, '');
      delete this.leak.dataset.mean;
      delete this.leak.dataset.max;
      show(this.leak, false);
      return;
    }
    const leak = leakedMass(data);
    const values = { mean: compact(leak.mean, 3), max: compact(leak.max, 3) };
    setText(this.leak, t(shown.mode === 'generated' ? 'leakGenerated' : 'leakLine', values));
    this.leak.dataset.mean = String(leak.mean);
    this.leak.dataset.max = String(leak.max);
    show(this.leak, true);
  }

  /** The map shown large. */
  current(): AttentionMap | null {
    return findByKey(this.maps, this.chosen) ?? defaultMap(this.maps);
  }

  /** The key of the map shown large (what the panel saves). */
  currentKey(): string | null {
    const shown = this.current();
    return shown ? mapKey(shown) : null;
  }

  choose(key: string | null): void {
    this.chosen = key;
  }

  getSelection(): MapSelection {
    return this.view.getSelection();
  }

  setSelection(selection: MapSelection): void {
    this.view.setSelection(selection);
  }
}
