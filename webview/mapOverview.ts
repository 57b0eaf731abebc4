/**
 * The map overview: every map of the selected probe and mode as a thumbnail, grouped by stack and
 * kind ("encoder self", "decoder masked self", "cross"), rows = layers, columns = heads (a grid
 * even for a single map). A click, or Enter / Space on a focused thumbnail, shows that map large.
 * One tab stop (roving tabindex): arrow keys move between thumbnails, Home / End to the ends.
 * Thumbnails are drawn once per map object (a new snapshot brings new objects) and theme. Each
 * masked (causal) self-attention map carries its leaked mass in its top-right corner.
 */
import { mapKey } from '../src/shared/run/attention';
import type { AttentionMap } from '../src/shared/run/records';
import { clear, el, setAttrs } from './dom';
import { parseColor, type Theme } from './theme';
import { drawThumbnail, rampPainter } from './heatmapCanvas';
import { list, t } from './i18n';
import { decode, groupMaps, leakedMass, showsLeak, type MapGroup } from './mapData';
import { compact } from './numbers';

const THUMB_BOX = 56;

/** "encoder self", "decoder masked self", "cross (decoder → encoder)" in the current language. */
export function groupTitle(group: Pick<MapGroup, 'stack' | 'kind'>): string {
  if (group.kind === 'cross') return t('groupCross');
  return t('groupTitle', {
    stack: t(group.stack === 'encoder' ? 'stackEncoder' : 'stackDecoder'),
    kind: t(group.kind === 'self' ? 'kindSelf' : 'kindCausalSelf'),
  });
}

/** How a group's query heads read key/value heads: one each (MHA), one for all (MQA), or in groups (GQA). */
function sharingKey(sharing: { queries: number; kvHeads: number }): 'mhaGroup' | 'mqaGroup' | 'gqaGroup' {
  if (sharing.kvHeads >= sharing.queries) return 'mhaGroup';
  return sharing.kvHeads === 1 ? 'mqaGroup' : 'gqaGroup';
}

export class MapOverview {
  readonly root: HTMLElement;
  private readonly groupsBox = el('div', { className: 'overview-groups' });
  private thumbs: HTMLButtonElement[] = [];
  /** Grid rows across all groups, each a list of thumbnails in head order (for Up / Down). */
  private rows: HTMLButtonElement[][] = [];
  private structureKey = '';
  private drawn: readonly AttentionMap[] = [];
  private drawnTheme: Theme | null = null;
  private ramp: Uint8ClampedArray | null = null;
  private theme: Theme | null = null;

  constructor(
    id: string,
    private readonly onSelect: (key: string) => void,
  ) {
    const label = el('p', {
      className: 'overview-label muted',
      text: t('overviewLabel'),
      attrs: { id: `${id}-label` },
    });
    this.root = el(
      'div',
      { className: 'map-overview', attrs: { id, role: 'group', 'aria-labelledby': `${id}-label` } },
      [label, this.groupsBox, el('p', { className: 'overview-hint muted', text: t('overviewHint') })],
    );
    this.groupsBox.addEventListener('click', (event) => {
      const thumb = (event.target as HTMLElement).closest<HTMLButtonElement>('.map-thumb');
      if (thumb?.dataset.key) this.onSelect(thumb.dataset.key);
    });
    this.groupsBox.addEventListener('keydown', (event) => this.onKey(event));
  }

  setTheme(theme: Theme, ramp: Uint8ClampedArray): void {
    this.theme = theme;
    this.ramp = ramp;
  }

  /** Shows `maps` with `selected` marked; rebuilds the grid only when its structure changes. */
  update(maps: readonly AttentionMap[], selected: string | null): void {
    const groups = groupMaps(maps);
    const key = JSON.stringify(groups.map((g) => [g.id, g.layers, g.heads, g.maps.map(mapKey), g.sharing]));
    if (key !== this.structureKey) {
      this.structureKey = key;
      this.build(groups);
      this.drawn = [];
    }
    if (
      this.drawn.length !== maps.length ||
      this.drawn.some((map, i) => map !== maps[i]) ||
      this.drawnTheme !== this.theme
    ) {
      this.draw(groups);
      this.drawn = [...maps];
      this.drawnTheme = this.theme;
    }
    const focusable = this.thumbs.find((thumb) => thumb.dataset.key === selected) ?? this.thumbs[0];
    for (const thumb of this.thumbs) {
      const isSelected = thumb.dataset.key === selected;
      thumb.classList.toggle('selected', isSelected);
      thumb.setAttribute('aria-pressed', String(isSelected));
      // Keep the focused thumbnail the tab stop while the learner moves with the arrow keys.
      const active = document.activeElement;
      const focusInside = active instanceof HTMLElement && this.groupsBox.contains(active);
      thumb.tabIndex = (focusInside ? thumb === active : thumb === focusable) ? 0 : -1;
    }
    this.root.dataset.count = String(this.thumbs.length);
    this.root.dataset.selected = selected ?? '';
  }

  private build(groups: MapGroup[]): void {
    clear(this.groupsBox);
    this.thumbs = [];
    this.rows = [];
    for (const group of groups) {
      const title = groupTitle(group);
      const grid = el('div', { className: 'overview-grid' });
      grid.style.gridTemplateColumns = `max-content repeat(${group.heads.length}, max-content)`;
      grid.appendChild(el('span', { className: 'overview-corner' }));
      for (const head of group.heads)
        grid.appendChild(el('span', { className: 'overview-head muted', text: t('overviewHead', { head: head + 1 }) }));
      for (const layer of group.layers) {
        grid.appendChild(
          el('span', { className: 'overview-layer muted', text: t('overviewLayer', { layer: layer + 1 }) }),
        );
        const row: HTMLButtonElement[] = [];
        for (const head of group.heads) {
          const map = group.maps.find((m) => m.layer === layer && m.head === head);
          if (!map) {
            grid.appendChild(el('span', { className: 'overview-missing' }));
            continue;
          }
          const parts = [t('overviewThumb', { group: title, layer: layer + 1, head: head + 1 })];
          if (map.kvHead !== undefined) parts.push(t('overviewThumbKv', { kv: map.kvHead + 1 }));
          const thumb = el(
            'button',
            {
              className: 'map-thumb',
              attrs: {
                type: 'button',
                tabindex: -1,
                'data-key': mapKey(map),
                'data-group': group.id,
                'data-layer': layer,
                'data-head': head,
                'data-label': parts.join(t('listSeparator')),
                'aria-label': parts.join(t('listSeparator')),
              },
            },
            [
              el('canvas', { className: 'thumb-canvas', attrs: { 'aria-hidden': 'true' } }),
              map.kvHead !== undefined
                ? el('span', { className: 'thumb-kv', text: t('overviewKvShort', { kv: map.kvHead + 1 }) })
                : null,
            ],
          );
          grid.appendChild(thumb);
          row.push(thumb);
          this.thumbs.push(thumb);
        }
        this.rows.push(row);
      }
      const heading = el('h4', { className: 'overview-title', text: title });
      const note = group.sharing
        ? el('p', {
            className: 'overview-sharing muted',
            text: t(sharingKey(group.sharing), { queries: group.sharing.queries, kv: group.sharing.kvHeads }),
          })
        : null;
      this.groupsBox.appendChild(
        el('section', { className: 'overview-group', attrs: { 'data-group': group.id } }, [heading, note, grid]),
      );
    }
  }

  private draw(groups: MapGroup[]): void {
    const theme = this.theme;
    const ramp = this.ramp;
    if (!ramp) return;
    const background = parseColor(theme?.background ?? '#ffffff') ?? { r: 255, g: 255, b: 255 };
    const hatch = parseColor(theme?.hatch ?? '#808080') ?? { r: 128, g: 128, b: 128 };
    const backgroundRgb: [number, number, number] = [background.r, background.g, background.b];
    const hatchRgb: [number, number, number] = [hatch.r, hatch.g, hatch.b];
    const byKey = new Map(groups.flatMap((group) => group.maps.map((map) => [mapKey(map), map] as const)));
    for (const thumb of this.thumbs) {
      const map = byKey.get(thumb.dataset.key ?? '');
      const canvas = thumb.querySelector('canvas');
      if (!map || !canvas) continue;
      const data = decode(map);
      thumb.classList.toggle('damaged', !data);
      thumb.dataset.damaged = String(!data);
      thumb.querySelector('.thumb-damaged')?.remove();
      if (!data) {
        canvas.width = 1;
        canvas.height = 1;
        canvas.style.width = `${THUMB_BOX}px`;
        canvas.style.height = `${THUMB_BOX}px`;
        thumb.appendChild(el('span', { className: 'thumb-damaged', text: t('overviewDamaged') }));
        setAttrs(thumb, { 'aria-label': list([thumb.dataset.label ?? '', t('overviewDamaged')]) });
        continue;
      }
      thumb.querySelector('.thumb-leak')?.remove();
      delete thumb.dataset.leak;
      let label = thumb.dataset.label ?? '';
      if (showsLeak(map)) {
        // Top right: the cells above the diagonal, where the leaked mass sits.
        const mass = leakedMass(data).mean;
        const leak = compact(mass, 2);
        thumb.dataset.leak = String(mass);
        thumb.appendChild(el('span', { className: 'thumb-leak', text: leak, attrs: { 'aria-hidden': 'true' } }));
        label = list([label, t('leakThumb', { value: leak })]);
      }
      setAttrs(thumb, { 'aria-label': label });
      drawThumbnail(
        canvas,
        data.rows,
        data.columns,
        rampPainter(data.weights, ramp),
        data.mask,
        backgroundRgb,
        hatchRgb,
        THUMB_BOX,
      );
    }
  }

  private onKey(event: KeyboardEvent): void {
    const current = (event.target as HTMLElement).closest<HTMLButtonElement>('.map-thumb');
    if (!current) return;
    const index = this.thumbs.indexOf(current);
    const rowIndex = this.rows.findIndex((row) => row.includes(current));
    const column = rowIndex >= 0 ? this.rows[rowIndex].indexOf(current) : 0;
    const inRow = (r: number): HTMLButtonElement | undefined => {
      const row = this.rows[r];
      return row ? row[Math.min(column, row.length - 1)] : undefined;
    };
    let next: HTMLButtonElement | undefined;
    switch (event.key) {
      case 'ArrowRight':
        next = this.thumbs[index + 1];
        break;
      case 'ArrowLeft':
        next = this.thumbs[index - 1];
        break;
      case 'ArrowDown':
        next = inRow(rowIndex + 1);
        break;
      case 'ArrowUp':
        next = inRow(rowIndex - 1);
        break;
      case 'Home':
        next = this.thumbs[0];
        break;
      case 'End':
        next = this.thumbs[this.thumbs.length - 1];
        break;
      default:
        return;
    }
    event.preventDefault();
    if (!next) return;
    current.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  }
}
