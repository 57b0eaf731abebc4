/** The shape table's code links: each tensor with a source line posts a validated `openSource`; none without. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as v from 'valibot';
import type { Browser } from 'playwright-core';
import { checkPanelRequest } from '../../src/extension/panelRequests';
import { WebviewToHostSchema } from '../../src/shared/protocol/webview';
import { checked, encoderDecoderInit, ENCODER_DECODER } from './fixtures/formatTwo';
import { launchBrowser, openPanel, posted, problemsOf, send, settle } from './harness';
import { LIGHT } from './themes';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

describe('shape table code links', () => {
  it('links every tensor and weight with a source line; a click posts a request the host accepts', async () => {
    const init = encoderDecoderInit();
    const run = init.run!;
    run.shapes = run.shapes.map((shape, i) => ({
      ...shape,
      source: { file: `src/engine/chapters/attention-seq2seq/${i % 2 ? 'index' : 'model'}.ts`, line: 10 + i },
    }));
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, checked(init));
    const links = await panel.page.$$eval('.shape-table .shape-source', (els) =>
      els.map((e) => ({
        text: e.textContent,
        file: (e as HTMLElement).dataset.file,
        line: (e as HTMLElement).dataset.line,
      })),
    );
    assert.equal(links.length, run.shapes.length);
    assert.ok(links.every((link) => /^(model|index)\.ts:\d+$/.test(link.text ?? '')));
    const logits = run.shapes.find((shape) => shape.name === 'logits')!;
    await panel.page.click('.shape-table tr[data-name="logits"] .shape-source');
    // Keyboard too: focus the next link and press Enter.
    await panel.page.focus('.shape-table tr[data-name="output/kernel"] .shape-source');
    await panel.page.keyboard.press('Enter');
    await settle(panel.page);
    const requests = (await posted(panel.page)).filter((m) => m.type === 'openSource');
    const kernel = run.shapes.find((shape) => shape.name === 'output/kernel')!;
    assert.deepEqual(requests, [
      { type: 'openSource', file: logits.source!.file, line: logits.source!.line },
      { type: 'openSource', file: kernel.source!.file, line: kernel.source!.line },
    ]);
    const sourceFiles = run.shapes.map((shape) => shape.source!.file);
    for (const request of requests) {
      assert.ok(v.is(WebviewToHostSchema, request));
      assert.ok(
        checkPanelRequest(request, { attentionEpochs: [], hasRun: true, chapter: ENCODER_DECODER, sourceFiles }).ok,
      );
    }
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('shows no link for a run without source lines (format 1)', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, encoderDecoderInit());
    assert.equal(await panel.page.$$eval('.shape-table .shape-source', (els) => els.length), 0);
    assert.equal(await panel.page.$$eval('.shape-table thead th', (els) => els.length), 3);
    await panel.page.close();
  });
});
