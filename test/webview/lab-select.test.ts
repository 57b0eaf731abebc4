/** Several query tokens at once (shift-click, shift+arrows, ctrl-click) and the cell read out to screen readers. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { mapKey } from '../../src/shared/run/attention';
import type { AttentionMap } from '../../src/shared/run/records';
import { transformerInit, unpacked } from './fixtures/formatTwo';
import { launchBrowser, openPanel, problemsOf, savedState, send, settle, type Panel } from './harness';
import { dataset, text } from './queries';
import { LIGHT } from './themes';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function transformerPanel(): Promise<{ panel: Panel; maps: AttentionMap[] }> {
  const init = transformerInit();
  const panel = await openPanel(browser, { theme: LIGHT });
  await send(panel.page, init);
  return { panel, maps: init.run!.attention!.probes[0].maps.filter((m) => m.mode === 'generated') };
}

interface RowsDetail {
  axis: string;
  rows: string;
  sums: number[];
  means: number[];
  masked: boolean[];
  title: string;
  total: number;
}

function rowsDetail(page: Page): Promise<RowsDetail> {
  return page.evaluate(() => {
    const root = document.querySelector('#probe-map-detail') as HTMLElement;
    const bars = [...root.querySelectorAll<HTMLElement>('.detail-bar')];
    return {
      axis: root.dataset.axis ?? '',
      rows: root.dataset.rows ?? '',
      sums: bars.map((bar) => Number(bar.dataset.sum)),
      means: bars.map((bar) => Number(bar.dataset.mean)),
      masked: bars.map((bar) => bar.dataset.masked === 'true'),
      title: root.querySelector('.detail-title')?.textContent ?? '',
      total: Number((root.querySelector('.detail-sum') as HTMLElement).dataset.sum),
    };
  });
}

/** Per column: the sum over `rows` of the unmasked weights, and whether every one is masked. */
function expected(map: AttentionMap, rows: number[]): { sums: number[]; masked: boolean[] } {
  const data = unpacked(map);
  const sums: number[] = [];
  const masked: boolean[] = [];
  for (let c = 0; c < data.columns; c++) {
    let sum = 0;
    let open = 0;
    for (const r of rows) {
      const i = r * data.columns + c;
      if (data.mask && !data.mask[i]) continue;
      sum += data.weights[i];
      open++;
    }
    sums.push(sum);
    masked.push(open === 0);
  }
  return { sums, masked };
}

function close(actual: number[], wanted: number[], what: string): void {
  assert.equal(actual.length, wanted.length, what);
  actual.forEach((value, i) =>
    assert.ok(Math.abs(value - wanted[i]) < 1e-12, `${what}[${i}]: ${value} vs ${wanted[i]}`),
  );
}

describe('several query tokens', () => {
  it('shift-click selects a range of rows: the bars show their summed and mean attention', async () => {
    const { panel, maps } = await transformerPanel();
    const map = maps.find((m) => mapKey(m) === 'decoder/cross/0/0')!;
    await panel.page.click('#probe-map .row-label[data-index="1"]');
    await panel.page.click('#probe-map .row-label[data-index="3"]', { modifiers: ['Shift'] });
    await settle(panel.page);
    const shown = await rowsDetail(panel.page);
    assert.equal(shown.axis, 'rows');
    assert.equal(shown.rows, '1,2,3');
    const want = expected(map, [1, 2, 3]);
    close(shown.sums, want.sums, 'sums');
    close(
      shown.means,
      want.sums.map((s) => s / 3),
      'means',
    );
    assert.deepEqual(shown.masked, want.masked);
    assert.equal(shown.masked[shown.masked.length - 1], true, 'the padding key is masked in every row');
    assert.ok(Math.abs(shown.total - 3) < 1e-5, 'three rows sum to 3');
    assert.match(shown.title, /Rows 2, 3, 4/);
    assert.equal((await dataset(panel.page, '#probe-map')).selectedRows, '1,2,3');
    const labels = await panel.page.$$eval('#probe-map .row-label[aria-pressed="true"]', (els) =>
      els.map((e) => (e as HTMLElement).dataset.index),
    );
    assert.deepEqual(labels, ['1', '2', '3']);
    assert.match(await text(panel.page, '#probe-map-announce'), /3 query rows selected/);
    // The selection is saved (and only when several rows are chosen).
    assert.deepEqual((await savedState(panel.page))?.selectedRows, [1, 2, 3]);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('shift+arrow keys extend the selection, ctrl-click adds a row, partly masked keys count 0 where masked', async () => {
    const { panel, maps } = await transformerPanel();
    await panel.page.click('#probe-overview .map-thumb[data-key="decoder/causal-self/0/0"]');
    await settle(panel.page);
    const map = maps.find((m) => mapKey(m) === 'decoder/causal-self/0/0')!;
    await panel.page.focus('#probe-map-canvas');
    await panel.page.keyboard.press('Enter');
    await panel.page.keyboard.press('Shift+ArrowDown');
    await settle(panel.page);
    let shown = await rowsDetail(panel.page);
    assert.equal(shown.rows, '0,1');
    close(shown.sums, expected(map, [0, 1]).sums, 'sums of rows 0, 1');
    assert.deepEqual(shown.masked, expected(map, [0, 1]).masked);
    await panel.page.click('#probe-map .row-label[data-index="3"]', { modifiers: ['Control'] });
    await settle(panel.page);
    shown = await rowsDetail(panel.page);
    assert.equal(shown.rows, '0,1,3');
    close(shown.sums, expected(map, [0, 1, 3]).sums, 'sums of rows 0, 1, 3');
    close(
      shown.means,
      expected(map, [0, 1, 3]).sums.map((s) => s / 3),
      'means of rows 0, 1, 3',
    );
    // A plain click goes back to one row.
    await panel.page.click('#probe-map .row-label[data-index="2"]');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '#probe-map-detail')).axis, 'row');
    assert.equal((await savedState(panel.page))?.selectedRows, undefined);
    await panel.page.close();
  });
});

describe('the selected cell, read out', () => {
  it('announces the row, then the cell (row token, column token, weight) as the arrows move', async () => {
    const { panel, maps } = await transformerPanel();
    const map = maps.find((m) => mapKey(m) === 'decoder/cross/0/0')!;
    const data = unpacked(map);
    assert.equal(await panel.page.getAttribute('#probe-map-announce', 'aria-live'), 'polite');
    await panel.page.focus('#probe-map-canvas');
    await panel.page.keyboard.press('Enter');
    await panel.page.keyboard.press('ArrowDown');
    await settle(panel.page);
    assert.equal(await text(panel.page, '#probe-map-announce'), `Row 2: query “${map.rowTokens[1]}” selected`);
    await panel.page.keyboard.press('ArrowRight');
    await panel.page.keyboard.press('ArrowRight');
    await settle(panel.page);
    let announce = await dataset(panel.page, '#probe-map-announce');
    assert.deepEqual([announce.row, announce.column], ['1', '1']);
    assert.equal(Number(announce.value), data.weights[1 * data.columns + 1]);
    assert.match(await text(panel.page, '#probe-map-announce'), new RegExp(`“${map.rowTokens[1]}” → “I”: 0\\.\\d{3}`));
    // Down goes back to rows, from the remembered row, and keeps the column: the cell moves down.
    await panel.page.keyboard.press('ArrowDown');
    await settle(panel.page);
    announce = await dataset(panel.page, '#probe-map-announce');
    assert.deepEqual([announce.row, announce.column], ['2', '1']);
    assert.equal((await dataset(panel.page, '#probe-map-detail')).index, '2');
    // The padding key (the last column) is masked: the cell says so.
    await panel.page.keyboard.press('ArrowRight');
    await panel.page.keyboard.press('End');
    await settle(panel.page);
    assert.match(await text(panel.page, '#probe-map-announce'), /masked/);
    await panel.page.keyboard.press('Escape');
    await settle(panel.page);
    assert.equal(await text(panel.page, '#probe-map-announce'), '');
    await panel.page.close();
  });
});
