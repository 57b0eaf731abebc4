/**
 * Exports from the panel: each button posts one `export` message the host accepts; the SVG parses
 * (Chromium's XML parser) and holds every token label and the colour scale, the PNG decodes with
 * twice the SVG's size, the probe JSON round-trips, the metrics CSV has one row per evaluation with
 * the declared metrics; the CLI's SVG parses too. The host's "Export…" command lists the views.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import * as v from 'valibot';
import { probeSvg } from '../../src/engine/cli/export';
import { checkPanelRequest } from '../../src/extension/panelRequests';
import { mapKey } from '../../src/shared/run/attention';
import { checkExportContent, ProbeExportSchema } from '../../src/shared/run/export';
import type { WebviewToHost } from '../../src/shared/protocol/webview';
import {
  checked,
  encoderDecoderInit,
  encoderDecoderPrediction,
  encoderOnlyInit,
  LINES_FIGURE,
  TRANSFORMER,
  transformerInit,
} from './fixtures/formatTwo';
import { launchBrowser, openPanel, posted, problemsOf, send, settle } from './harness';
import { DARK, LIGHT } from './themes';

type ExportMessage = Extract<WebviewToHost, { type: 'export' }>;

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function exportOf(page: Page, id: string, format: string): Promise<ExportMessage> {
  const before = (await posted(page)).filter((m) => m.type === 'export').length;
  await page.click(`#export-${id}-${format}`);
  await page.waitForFunction(
    (n) =>
      (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'export').length > n,
    before,
  );
  const message = (await posted(page)).filter((m) => m.type === 'export').at(-1) as ExportMessage;
  assert.equal(message.format, format);
  const accepted = checkPanelRequest(message, { attentionEpochs: [1, 2, 3], hasRun: true, chapter: TRANSFORMER });
  assert.ok(accepted.ok, accepted.ok ? '' : accepted.reason);
  return message;
}

/** Parses an SVG in the browser: the parser's error (if any), its size, its texts. */
function parseSvg(page: Page, svg: string) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      name: root.nodeName,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      rows: [...doc.querySelectorAll('text.row-token')].map((e) => e.textContent ?? ''),
      columns: [...doc.querySelectorAll('text.column-token')].map((e) => e.textContent ?? ''),
      texts: [...doc.querySelectorAll('text')].map((e) => e.textContent ?? ''),
      scale: doc.querySelectorAll('.colour-scale rect').length,
      maps: doc.querySelectorAll('g.map').length,
      paths: doc.querySelectorAll('path.series').length,
    };
  }, svg);
}

function pngSize(base64: string): { width: number; height: number } {
  const bytes = Buffer.from(base64, 'base64');
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('exports from the lab panel', () => {
  it('the map as SVG (every token, the colour scale) and as PNG (decodes at twice its size)', async () => {
    const init = transformerInit();
    const panel = await openPanel(browser, { theme: DARK });
    await send(panel.page, init);
    const map = init.run!.attention!.probes[0].maps.find(
      (m) => m.mode === 'generated' && mapKey(m) === 'decoder/cross/0/0',
    )!;
    const svg = await exportOf(panel.page, 'map', 'svg');
    assert.match(svg.name, /^20250101-120000-transformer-e3-probe1-decoder-cross-0-0-generated$/);
    const parsed = await parseSvg(panel.page, svg.content);
    assert.equal(parsed.error, null);
    assert.equal(parsed.name, 'svg');
    assert.deepEqual(parsed.rows, map.rowTokens);
    assert.deepEqual(parsed.columns, map.columnTokens);
    assert.ok(parsed.scale >= 32);
    assert.ok(parsed.texts.some((text) => text.includes('layer 1 · head 1')));

    const png = await exportOf(panel.page, 'map', 'png');
    assert.deepEqual(pngSize(png.content), { width: parsed.width * 2, height: parsed.height * 2 });
    const decoded = await panel.page.evaluate(
      (data) =>
        new Promise<number[]>((resolve, reject) => {
          const image = new Image();
          image.onload = () => resolve([image.naturalWidth, image.naturalHeight]);
          image.onerror = () => reject(new Error('the PNG does not decode'));
          image.src = `data:image/png;base64,${data}`;
        }),
      png.content,
    );
    assert.deepEqual(decoded, [parsed.width * 2, parsed.height * 2]);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('every head of the probe, the probe as JSON, the metrics as CSV, a chart as SVG and PNG', async () => {
    const init = transformerInit();
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, init);
    const probe = init.run!.attention!.probes[0];
    const generated = probe.maps.filter((m) => m.mode === 'generated');

    const heads = await parseSvg(panel.page, (await exportOf(panel.page, 'heads', 'svg')).content);
    assert.equal(heads.error, null);
    assert.equal(heads.maps, generated.length);
    assert.deepEqual([...new Set(heads.rows)].sort(), [...new Set(generated.flatMap((m) => m.rowTokens))].sort());
    assert.deepEqual([...new Set(heads.columns)].sort(), [...new Set(generated.flatMap((m) => m.columnTokens))].sort());

    const json = await exportOf(panel.page, 'probe', 'json');
    const exported = v.parse(ProbeExportSchema, JSON.parse(json.content));
    assert.deepEqual(exported.record, JSON.parse(JSON.stringify(probe)));
    assert.equal(exported.epoch, 3);
    assert.equal(exported.runId, init.run!.runId);

    const csv = await exportOf(panel.page, 'metrics', 'csv');
    const lines = csv.content.trimEnd().split('\n');
    assert.deepEqual(lines[0].split(','), [
      'epoch',
      'step',
      'seconds',
      'train_loss',
      ...TRANSFORMER.metrics.map((m) => m.key),
    ]);
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(',')[0]),
      ['1', '2', '3'],
    );

    const chart = await parseSvg(panel.page, (await exportOf(panel.page, 'chart-loss', 'svg')).content);
    assert.equal(chart.error, null);
    assert.ok(chart.paths >= 1);
    assert.ok(chart.texts.includes('train loss'), chart.texts.join(' | '));
    const chartPng = await exportOf(panel.page, 'chart-loss', 'png');
    assert.deepEqual(pngSize(chartPng.content), { width: chart.width * 2, height: chart.height * 2 });
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('the buttons are reachable by keyboard with a visible focus; the host’s Export… lists the views', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, transformerInit());
    await panel.page.focus('#export-map-svg');
    const focus = await panel.page.evaluate(() => {
      const button = document.activeElement as HTMLElement;
      return {
        id: button.id,
        outline: getComputedStyle(button).outlineStyle,
        label: button.getAttribute('aria-label'),
      };
    });
    assert.equal(focus.id, 'export-map-svg');
    assert.equal(focus.outline, 'solid');
    assert.match(focus.label ?? '', /^Export the attention map .* as SVG$/);
    await panel.page.keyboard.press('Enter');
    await panel.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'export'),
    );

    await send(panel.page, checked({ type: 'exportList' }));
    const list = (await posted(panel.page)).filter((m) => m.type === 'exportViews').at(-1);
    assert.ok(list && list.type === 'exportViews');
    assert.deepEqual(
      list.views.map((view) => view.id).sort(),
      ['chart-accuracy', 'chart-loss', 'check-history', 'heads', 'map', 'metrics', 'probe'].filter((id) =>
        list.views.some((view) => view.id === id),
      ),
    );
    for (const id of ['map', 'heads', 'probe', 'metrics', 'chart-loss'])
      assert.ok(
        list.views.some((view) => view.id === id),
        id,
      );
    const count = (await posted(panel.page)).filter((m) => m.type === 'export').length;
    await send(panel.page, checked({ type: 'exportView', view: 'probe', format: 'json' }));
    await panel.page.waitForFunction(
      (n) =>
        (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'export').length > n,
      count,
    );
    await send(panel.page, checked({ type: 'exported', name: 'probe.json' }));
    assert.ok((await panel.page.textContent('body'))?.includes('Saved probe.json.'));
    await settle(panel.page);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('the “Try it” map of the learner’s own input', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, encoderDecoderInit(), encoderDecoderPrediction());
    const prediction = encoderDecoderPrediction().prediction;
    const key = (await panel.page.getAttribute('#try-map', 'data-map-key')) ?? '';
    const map = prediction.maps.find((m) => mapKey(m) === key) ?? prediction.maps[0];
    const svg = await exportOf(panel.page, 'try-map', 'svg');
    const parsed = await parseSvg(panel.page, svg.content);
    assert.equal(parsed.error, null);
    assert.deepEqual(parsed.rows, map.rowTokens);
    assert.deepEqual(parsed.columns, map.columnTokens);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('a figure (the √d_k sweep, x in powers of two) as SVG and PNG', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, encoderOnlyInit());
    const svg = await parseSvg(panel.page, (await exportOf(panel.page, 'figure-sqrt-dk', 'svg')).content);
    assert.equal(svg.error, null);
    assert.equal(svg.paths, LINES_FIGURE.series.length);
    for (const d of ['1', '4', '64']) assert.ok(svg.texts.includes(d), `x tick ${d}: ${svg.texts.join(' | ')}`);
    for (const series of LINES_FIGURE.series) assert.ok(svg.texts.includes(series.label.en));
    const png = await exportOf(panel.page, 'figure-sqrt-dk', 'png');
    assert.deepEqual(pngSize(png.content), { width: svg.width * 2, height: svg.height * 2 });
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('the CLI’s SVG of a probe parses and holds every token of every map', async () => {
    const init = transformerInit();
    const probe = init.run!.attention!.probes[1];
    const svg = probeSvg('probe 2', probe.maps, 'forward', undefined);
    assert.ok('svg' in svg);
    assert.ok(checkExportContent('svg', svg.svg).ok);
    const panel = await openPanel(browser, { theme: LIGHT });
    const parsed = await parseSvg(panel.page, svg.svg);
    assert.equal(parsed.error, null);
    const forward = probe.maps.filter((m) => m.mode === 'forward');
    assert.equal(parsed.maps, forward.length);
    assert.deepEqual(
      parsed.rows,
      forward.flatMap((m) => m.rowTokens),
    );
    assert.deepEqual(
      parsed.columns,
      forward.flatMap((m) => m.columnTokens),
    );
    await panel.page.close();
  });
});
