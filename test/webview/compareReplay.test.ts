/**
 * The comparison panel through training time and out of it: play walks every run's map through
 * the epochs they share (one `requestCompareAttention` per step, the next after the answer), and
 * the compared maps and charts export as SVG (every run's map, every token) and PNG.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { checkCompareRequest } from '../../src/extension/compareRequests';
import type { HostToWebview, WebviewToHost } from '../../src/shared/protocol/webview';
import { checked, REVERSE_TOKENS } from './fixtures/formatTwo';
import { launchBrowser, openPanel, posted, problemsOf, send, settle, type Panel } from './harness';
import { choose, dataset } from './queries';
import { LIGHT, type TestTheme } from './themes';
import { compareInit, entry, selfRun, selfSnapshot } from './fixtures/compareRuns';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function panelWith(message: HostToWebview, theme: TestTheme = LIGHT): Promise<Panel> {
  const panel = await openPanel(browser, { theme });
  await send(panel.page, message);
  await settle(panel.page);
  return panel;
}

type ExportMessage = Extract<WebviewToHost, { type: 'export' }>;

function countOf(page: Page, type: string): Promise<number> {
  return page.evaluate(
    (t) => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === t).length,
    type,
  );
}

async function exportOf(page: Page, id: string, format: string): Promise<ExportMessage> {
  const before = await countOf(page, 'export');
  await page.click(`#export-${id}-${format}`);
  await page.waitForFunction(
    (n) =>
      (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'export').length > n,
    before,
  );
  const message = (await posted(page)).filter((m) => m.type === 'export').at(-1) as ExportMessage;
  const accepted = checkCompareRequest(message, { runIds: ['a', 'b'], canSave: true });
  assert.ok(accepted.ok, accepted.ok ? '' : accepted.reason);
  return message;
}

describe('comparison replay and export', () => {
  it('play walks every run’s map through the shared epochs, one request per step', async () => {
    const runs = [selfRun(0, 3), selfRun(1, 3)];
    const panel = await panelWith(compareInit(runs.map((run) => entry(run))));
    assert.equal((await dataset(panel.page, '.compare-attention')).epoch, '');
    await choose(panel.page, '#compare-epoch-speed', '3');
    await panel.page.focus('#compare-epoch-play');
    await panel.page.keyboard.press('Enter');
    const epochs: string[] = [];
    for (let answered = 0; ; answered++) {
      await panel.page.waitForFunction(
        (n) =>
          document.querySelector('#compare-epoch-play')?.getAttribute('aria-pressed') === 'false' ||
          (window as unknown as { __posted: { type: string }[] }).__posted.filter(
            (m) => m.type === 'requestCompareAttention',
          ).length > n,
        answered,
        { timeout: 10_000 },
      );
      if ((await countOf(panel.page, 'requestCompareAttention')) <= answered) break;
      const request = (await posted(panel.page)).filter((m) => m.type === 'requestCompareAttention')[answered];
      assert.ok(request.type === 'requestCompareAttention');
      await send(
        panel.page,
        checked({
          type: 'compareAttention',
          epoch: request.epoch,
          snapshots: runs.map((run, i) => ({ runId: run.runId, snapshot: selfSnapshot(i)(request.epoch) })),
        }),
      );
      await settle(panel.page);
      epochs.push((await dataset(panel.page, '.compare-attention')).epoch);
    }
    await settle(panel.page);
    assert.deepEqual(epochs, ['1', '2']);
    // The last shared epoch is every run's newest: no request, back to following the runs.
    assert.equal((await dataset(panel.page, '.compare-attention')).epoch, '');
    assert.equal(await panel.page.getAttribute('#compare-epoch-play', 'aria-pressed'), 'false');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('exports the compared maps (every run, every token) and a compared chart', async () => {
    const runs = [selfRun(0), selfRun(1), selfRun(2)];
    const panel = await panelWith(compareInit(runs.map((run) => entry(run))));
    const svg = await exportOf(panel.page, 'compare-maps', 'svg');
    const parsed = await panel.page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        width: Number(doc.documentElement.getAttribute('width')),
        height: Number(doc.documentElement.getAttribute('height')),
        maps: doc.querySelectorAll('g.map').length,
        rows: [...doc.querySelectorAll('text.row-token')].map((e) => e.textContent),
        columns: [...doc.querySelectorAll('text.column-token')].map((e) => e.textContent),
        masked: doc.querySelectorAll('g.map rect[fill="url(#masked)"]').length,
      };
    }, svg.content);
    assert.equal(parsed.error, null);
    assert.equal(parsed.maps, 3);
    assert.deepEqual(parsed.rows, [...REVERSE_TOKENS, ...REVERSE_TOKENS, ...REVERSE_TOKENS]);
    assert.deepEqual(parsed.columns, [...REVERSE_TOKENS, ...REVERSE_TOKENS, ...REVERSE_TOKENS]);
    assert.equal(parsed.masked, 3 * REVERSE_TOKENS.length);
    const png = await exportOf(panel.page, 'compare-maps', 'png');
    const bytes = Buffer.from(png.content, 'base64');
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [parsed.width * 2, parsed.height * 2]);
    const chartId = await panel.page.$eval(
      '.compare-chart-figure .export-button',
      (e) => (e as HTMLElement).dataset.export,
    );
    assert.ok(chartId);
    const chart = await exportOf(panel.page, chartId, 'svg');
    const series = await panel.page.evaluate(
      (text) => new DOMParser().parseFromString(text, 'image/svg+xml').querySelectorAll('path.series').length,
      chart.content,
    );
    assert.equal(series, 3);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});
