/**
 * The selected row (or column) of an attention map as bars: one bar per token with its weight to
 * 3 decimals, the sum (a row sums to ≈ 1.000) and the token with the largest weight.
 * Each bar carries `data-value` (full precision) for tests.
 */
import type { AttentionMap } from '../src/protocol/run';
import { clear, displayToken, el, setText } from './dom';
import { fixed, t } from './i18n';

export type DetailAxis = 'row' | 'column';

export class AttentionDetail {
  readonly root: HTMLElement;
  private readonly title = el('h4', { className: 'detail-title' });
  private readonly bars = el('ol', { className: 'detail-bars' });
  private readonly sum = el('p', { className: 'detail-sum' });
  private readonly top = el('p', { className: 'detail-top' });

  constructor(id: string) {
    this.root = el('div', { className: 'attention-detail', attrs: { id, 'aria-live': 'polite' } }, [
      this.title,
      this.bars,
      this.sum,
      this.top,
    ]);
  }

  render(map: AttentionMap | null, axis: DetailAxis | null, index: number | null): void {
    clear(this.bars);
    if (!map || axis === null || index === null) {
      setText(this.title, t('detailNone'));
      this.root.dataset.axis = '';
      setText(this.sum, '');
      setText(this.top, '');
      return;
    }
    const isRow = axis === 'row';
    const token = displayToken((isRow ? map.rowTokens : map.columnTokens)[index] ?? '');
    const otherTokens = isRow ? map.columnTokens : map.rowTokens;
    const values = isRow
      ? (map.weights[index] ?? []).slice(0, otherTokens.length)
      : map.weights.map((row) => row[index] ?? 0);
    this.root.dataset.axis = axis;
    this.root.dataset.index = String(index);
    setText(this.title, t(isRow ? 'detailRowTitle' : 'detailColumnTitle', { index: index + 1, token }));

    let topIndex = 0;
    values.forEach((value, i) => {
      if (value > values[topIndex]) topIndex = i;
    });
    const largest = Math.max(1e-9, ...values);
    values.forEach((value, i) => {
      const fill = el('span', { className: 'detail-fill' });
      fill.style.width = `${Math.max(0, Math.min(1, value / (isRow ? 1 : largest))) * 100}%`;
      const bar = el(
        'li',
        {
          className: i === topIndex ? 'detail-bar top' : 'detail-bar',
          attrs: { 'data-index': i, 'data-value': String(value) },
        },
        [
          el('span', { className: 'detail-token token-text', text: displayToken(otherTokens[i] ?? '') }),
          el('span', { className: 'detail-track' }, [fill]),
          el('span', { className: 'detail-value', text: fixed(value) }),
        ],
      );
      this.bars.appendChild(bar);
    });
    const total = values.reduce((a, b) => a + b, 0);
    setText(this.sum, t(isRow ? 'detailSum' : 'detailColumnSum', { sum: fixed(total) }));
    this.sum.dataset.sum = String(total);
    setText(
      this.top,
      values.length
        ? t(isRow ? 'detailTopRow' : 'detailTopColumn', {
            token: displayToken(otherTokens[topIndex] ?? ''),
            weight: fixed(values[topIndex]),
          })
        : '',
    );
    this.top.dataset.token = otherTokens[topIndex] ?? '';
  }
}
