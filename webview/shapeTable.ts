/**
 * The table of every named tensor of one forward pass: name, shape with dimension names, meaning.
 * A tensor or weight whose entry records the line of chapter code that creates it (`source`, run
 * format 2) links to it: in VS Code a click (or Enter) asks the host to open that file at that
 * line (`openSource`; the host opens only the chapter's own source files). Runs without source
 * lines (format 1) show no link.
 */
import type { ShapeEntry } from '../src/shared/run/records';
import { clear, el } from './dom';
import { pick, t } from './i18n';
import { formatShape, orderShapes } from './shapeOrder';
import { post } from './vscodeApi';

function sourceLink(entry: ShapeEntry): HTMLElement | null {
  const source = entry.source;
  if (!source) return null;
  const file = source.file.split('/').pop() ?? source.file;
  const link = el('button', {
    className: 'shape-source',
    text: t('shapesSource', { file, line: source.line }),
    attrs: {
      type: 'button',
      title: `${source.file}:${source.line}`,
      'aria-label': t('shapesSourceAria', { name: entry.name, file: source.file, line: source.line }),
      'data-file': source.file,
      'data-line': source.line,
    },
  });
  link.addEventListener('click', () => post({ type: 'openSource', file: source.file, line: source.line }));
  return link;
}

export function renderShapeTable(container: HTMLElement, shapes: readonly ShapeEntry[]): void {
  clear(container);
  if (shapes.length === 0) {
    container.appendChild(el('p', { className: 'empty', text: t('shapesEmpty') }));
    return;
  }
  const linked = shapes.some((entry) => entry.source);
  const head = el('thead', {}, [
    el('tr', {}, [
      el('th', { text: t('shapesName'), attrs: { scope: 'col' } }),
      el('th', { text: t('shapesShape'), attrs: { scope: 'col' } }),
      el('th', { text: t('shapesMeaning'), attrs: { scope: 'col' } }),
      linked ? el('th', { text: t('shapesCode'), attrs: { scope: 'col' } }) : null,
    ]),
  ]);
  const body = el('tbody');
  for (const entry of orderShapes(shapes)) {
    body.appendChild(
      el('tr', { attrs: { 'data-name': entry.name } }, [
        el('th', { className: 'shape-name', text: entry.name, attrs: { scope: 'row' } }),
        el('td', { className: 'shape-value', text: formatShape(entry) }),
        el('td', { className: 'shape-meaning', text: pick(entry.meaning) }),
        linked ? el('td', { className: 'shape-code' }, [sourceLink(entry)]) : null,
      ]),
    );
  }
  container.appendChild(
    el('div', { className: 'table-scroll' }, [el('table', { className: 'shape-table' }, [head, body])]),
  );
}
