/**
 * The selected row (or column) of an attention map as horizontal bars with their weights to
 * 3 decimals, the sum (a row sums to ≈ 1.000) and the token with the largest weight. Masked
 * entries say "masked" instead of showing a bar. Each bar carries `data-value` (the stored
 * float32 weight, full precision) and `data-masked` for tests.
 * Several selected rows show, per key, their summed attention and its mean over the rows
 * (`data-sum`, `data-mean`); a key masked in every selected row says "masked", a key masked in
 * some counts 0 for those. The screen-reader line is the map's own (aria-live there, not here).
 */
import type { UnpackedMap } from '../src/shared/run/attention';
import type { AttentionMap } from '../src/shared/run/records';
import { clear, displayToken, el, setText } from './dom';
import { list, t } from './i18n';
import { fixed } from './numbers';

export type DetailAxis = 'row' | 'column';

export class AttentionDetail {
  readonly root: HTMLElement;
  private readonly title = el('h4', { className: 'detail-title' });
  private readonly bars = el('ol', { className: 'detail-bars' });
  private readonly sum = el('p', { className: 'detail-sum' });
  private readonly top = el('p', { className: 'detail-top' });

  constructor(id: string) {
    this.root = el('div', { className: 'attention-detail', attrs: { id } }, [
      this.title,
      this.bars,
      this.sum,
      this.top,
    ]);
  }

  render(
    map: AttentionMap | null,
    data: UnpackedMap | null,
    axis: DetailAxis | null,
    index: number | null,
    rows?: readonly number[],
  ): void {
    clear(this.bars);
    this.root.dataset.rows = '';
    if (map && data && axis === 'row' && rows && rows.length > 1) {
      this.renderRows(map, data, rows);
      return;
    }
    if (!map || !data || axis === null || index === null) {
      setText(this.title, t('detailNone'));
      this.root.dataset.axis = '';
      this.root.dataset.index = '';
      setText(this.sum, '');
      setText(this.top, '');
      return;
    }
    const isRow = axis === 'row';
    const token = displayToken((isRow ? map.rowTokens : map.columnTokens)[index] ?? '');
    const otherTokens = isRow ? map.columnTokens : map.rowTokens;
    const count = isRow ? data.columns : data.rows;
    const at = (i: number): number => (isRow ? index * data.columns + i : i * data.columns + index);
    const values: number[] = [];
    const masked: boolean[] = [];
    for (let i = 0; i < count; i++) {
      values.push(data.weights[at(i)]);
      masked.push(data.mask !== null && !data.mask[at(i)]);
    }
    this.root.dataset.axis = axis;
    this.root.dataset.index = String(index);
    setText(this.title, t(isRow ? 'detailRowTitle' : 'detailColumnTitle', { index: index + 1, token }));

    let topIndex = -1;
    values.forEach((value, i) => {
      if (!masked[i] && (topIndex < 0 || value > values[topIndex])) topIndex = i;
    });
    const largest = Math.max(1e-9, ...values.filter((_, i) => !masked[i]));
    values.forEach((value, i) => {
      const track = el('span', { className: 'detail-track' });
      if (!masked[i]) {
        const fill = el('span', { className: 'detail-fill' });
        fill.style.width = `${Math.max(0, Math.min(1, value / (isRow ? 1 : largest))) * 100}%`;
        track.appendChild(fill);
      } else track.classList.add('masked');
      const bar = el(
        'li',
        {
          className: `detail-bar${i === topIndex ? ' top' : ''}${masked[i] ? ' masked' : ''}`,
          attrs: { 'data-index': i, 'data-value': String(value), 'data-masked': String(masked[i]) },
        },
        [
          el('span', { className: 'detail-token token-text', text: displayToken(otherTokens[i] ?? '') }),
          track,
          el('span', { className: 'detail-value', text: masked[i] ? t('detailMasked') : fixed(value) }),
        ],
      );
      this.bars.appendChild(bar);
    });
    const total = values.reduce((a, b) => a + b, 0);
    setText(this.sum, t(isRow ? 'detailSum' : 'detailColumnSum', { sum: fixed(total) }));
    this.sum.dataset.sum = String(total);
    setText(
      this.top,
      topIndex >= 0
        ? t(isRow ? 'detailTopRow' : 'detailTopColumn', {
            token: displayToken(otherTokens[topIndex] ?? ''),
            weight: fixed(values[topIndex]),
          })
        : '',
    );
    this.top.dataset.token = topIndex >= 0 ? (otherTokens[topIndex] ?? '') : '';
  }

  /** Several query rows: per key, the sum of their weights and its mean over the rows. */
  private renderRows(map: AttentionMap, data: UnpackedMap, rows: readonly number[]): void {
    const tokens = rows.map((r) => `“${displayToken(map.rowTokens[r] ?? '')}”`);
    this.root.dataset.axis = 'rows';
    this.root.dataset.index = '';
    this.root.dataset.rows = rows.join(',');
    setText(this.title, t('detailRowsTitle', { rows: list(rows.map((r) => r + 1)), tokens: list(tokens) }));
    const sums: number[] = [];
    const masked: boolean[] = [];
    for (let c = 0; c < data.columns; c++) {
      let sum = 0;
      let open = 0;
      for (const r of rows) {
        const i = r * data.columns + c;
        if (data.mask !== null && !data.mask[i]) continue;
        sum += data.weights[i];
        open++;
      }
      sums.push(sum);
      masked.push(open === 0);
    }
    const count = rows.length;
    let topIndex = -1;
    sums.forEach((sum, i) => {
      if (!masked[i] && (topIndex < 0 || sum > sums[topIndex])) topIndex = i;
    });
    sums.forEach((sum, i) => {
      const mean = sum / count;
      const track = el('span', { className: 'detail-track' });
      if (!masked[i]) {
        const fill = el('span', { className: 'detail-fill' });
        fill.style.width = `${Math.max(0, Math.min(1, mean)) * 100}%`;
        track.appendChild(fill);
      } else track.classList.add('masked');
      this.bars.appendChild(
        el(
          'li',
          {
            className: `detail-bar${i === topIndex ? ' top' : ''}${masked[i] ? ' masked' : ''}`,
            attrs: {
              'data-index': i,
              'data-value': String(mean),
              'data-sum': String(sum),
              'data-mean': String(mean),
              'data-masked': String(masked[i]),
            },
          },
          [
            el('span', { className: 'detail-token token-text', text: displayToken(map.columnTokens[i] ?? '') }),
            track,
            el('span', {
              className: 'detail-value',
              text: masked[i] ? t('detailMasked') : t('detailRowsValue', { sum: fixed(sum), mean: fixed(mean) }),
            }),
          ],
        ),
      );
    });
    const total = sums.reduce((a, b) => a + b, 0);
    setText(this.sum, t('detailRowsSum', { sum: fixed(total), count }));
    this.sum.dataset.sum = String(total);
    setText(
      this.top,
      topIndex >= 0
        ? t('detailRowsTop', {
            token: displayToken(map.columnTokens[topIndex] ?? ''),
            sum: fixed(sums[topIndex]),
            mean: fixed(sums[topIndex] / count),
          })
        : '',
    );
    this.top.dataset.token = topIndex >= 0 ? (map.columnTokens[topIndex] ?? '') : '';
  }
}
