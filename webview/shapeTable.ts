/** The table of every named tensor of one forward pass: name, shape with dimension names, meaning. */
import type { ShapeEntry } from '../src/shared/run/records';
import { clear, el } from './dom';
import { pick, t } from './i18n';
import { formatShape, orderShapes } from './shapeOrder';

export function renderShapeTable(container: HTMLElement, shapes: readonly ShapeEntry[]): void {
  clear(container);
  if (shapes.length === 0) {
    container.appendChild(el('p', { className: 'empty', text: t('shapesEmpty') }));
    return;
  }
  const head = el('thead', {}, [
    el('tr', {}, [
      el('th', { text: t('shapesName'), attrs: { scope: 'col' } }),
      el('th', { text: t('shapesShape'), attrs: { scope: 'col' } }),
      el('th', { text: t('shapesMeaning'), attrs: { scope: 'col' } }),
    ]),
  ]);
  const body = el('tbody');
  for (const entry of orderShapes(shapes)) {
    body.appendChild(
      el('tr', { attrs: { 'data-name': entry.name } }, [
        el('th', { className: 'shape-name', text: entry.name, attrs: { scope: 'row' } }),
        el('td', { className: 'shape-value', text: formatShape(entry) }),
        el('td', { className: 'shape-meaning', text: pick(entry.meaning) }),
      ]),
    );
  }
  container.appendChild(
    el('div', { className: 'table-scroll' }, [el('table', { className: 'shape-table' }, [head, body])]),
  );
}
