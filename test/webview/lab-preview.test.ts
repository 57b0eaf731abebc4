/**
 * The attention preview (the maps after a run's first step, before its first evaluation): drawn
 * while the panel has no snapshot, labelled on screen and in the map's screen-reader text in both
 * languages, never in the replay, the checks' history or the exports; the first evaluation's
 * snapshot replaces it, and a preview that comes after one is ignored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { WebviewMessage } from '../../src/shared/protocol/webview';
import type { AttentionSnapshot } from '../../src/shared/run/records';
import { WEBVIEW_STRINGS_EN, WEBVIEW_STRINGS_ZH_CN } from '../../src/shared/strings/webview';
import { checked, epochMessage, TRANSFORMER, transformerInit, transformerSnapshot } from './fixtures/formatTwo';
import { launchBrowser, openPanel, posted, problemsOf, send, type Panel } from './harness';
import { dataset, text } from './queries';
import { LIGHT } from './themes';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const EN_LABEL = 'Preview after step 1 — before the first evaluation';
const ZH_LABEL = '第 1 步后的预览（首次评估之前）';

/** The preview as the host forwards it: epoch 0, step 1, with maps unlike any evaluation's (those of epoch 7). */
function preview(): WebviewMessage<'attentionPreview'> {
  const maps = transformerSnapshot(7);
  const attention: AttentionSnapshot = { ...maps, epoch: 0, step: 1 };
  return checked({ type: 'attentionPreview', attention });
}

/** A live run of the transformer chapter with no evaluation yet. */
async function freshLivePanel(language: 'en' | 'zh-cn' = 'en'): Promise<Panel> {
  const panel = await openPanel(browser, { theme: LIGHT });
  await send(panel.page, transformerInit({ state: 'running', done: 0 }, { live: true, language }));
  return panel;
}

async function mapView(page: Page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('#probe-map-canvas') as HTMLCanvasElement | null;
    const note = document.querySelector('#attention-preview') as HTMLElement | null;
    return {
      rows: Number(canvas?.dataset.rows ?? 0),
      aria: canvas?.getAttribute('aria-label') ?? '',
      caption: document.querySelector('#probe-map .map-caption, .attention-panel .map-caption')?.textContent ?? '',
      note: note?.textContent ?? '',
      noteVisible: !!note && !note.hidden && note.offsetParent !== null,
      /** The drawn weights, to tell one snapshot's map from another's. */
      pixels: canvas?.toDataURL() ?? '',
    };
  });
}

async function exportIds(page: Page): Promise<string[]> {
  await send(page, { type: 'exportList' });
  const answers = (await posted(page)).filter((m) => m.type === 'exportViews');
  const last = answers.at(-1);
  return last && last.type === 'exportViews' ? last.views.map((view) => view.id) : [];
}

describe('attention preview before the first evaluation', () => {
  it('is drawn with its label, then replaced by the first snapshot; one that comes after is ignored', async () => {
    const panel = await freshLivePanel();
    let view = await mapView(panel.page);
    assert.equal(view.rows, 0, 'no map before the preview');
    assert.equal(view.noteVisible, false);

    await send(panel.page, preview());
    view = await mapView(panel.page);
    assert.ok(view.rows > 0, 'the preview is drawn');
    assert.equal(view.note, EN_LABEL);
    assert.equal(view.noteVisible, true);
    assert.ok(view.aria.startsWith(`${EN_LABEL}. `), `screen-reader text: ${view.aria}`);
    assert.ok(view.caption.includes(EN_LABEL), `caption: ${view.caption}`);
    let attention = await dataset(panel.page, '.attention-panel');
    assert.equal(attention.preview, 'true');
    assert.equal(attention.epoch, '', 'the preview is no epoch');
    // Not an evaluation: not in the replay, the checks' history or the exports.
    assert.equal(await text(panel.page, '#epoch-value'), '—');
    assert.equal(await panel.page.isVisible('#check-history'), false, 'no history of checks from a preview');
    const exports = await exportIds(panel.page);
    assert.ok(!exports.includes('map') && !exports.includes('heads'), `exports: ${exports.join(', ')}`);
    const previewPixels = view.pixels;

    await send(panel.page, epochMessage(TRANSFORMER, 1, transformerSnapshot));
    view = await mapView(panel.page);
    assert.ok(view.rows > 0);
    assert.equal(view.noteVisible, false, 'the label goes with the preview');
    assert.ok(!view.aria.includes(EN_LABEL), `screen-reader text: ${view.aria}`);
    assert.ok(!view.caption.includes(EN_LABEL));
    attention = await dataset(panel.page, '.attention-panel');
    assert.equal(attention.preview, 'false');
    assert.equal(attention.epoch, '1');
    assert.match(await text(panel.page, '#epoch-value'), /^epoch 1 \(of 1\)/);
    const history = JSON.parse((await panel.page.getAttribute('#check-history-chart', 'data-points')) ?? '[]') as [
      number,
      number | null,
    ][];
    assert.deepEqual(
      history.map(([epoch]) => epoch),
      [1],
      'the checks’ history starts at the first evaluation, not at the preview',
    );
    assert.ok((await exportIds(panel.page)).includes('map'), 'the evaluation exports');
    const evaluationPixels = view.pixels;
    assert.notDeepEqual(evaluationPixels, previewPixels, 'the evaluation’s maps replaced the preview’s');

    await send(panel.page, preview()); // late: ignored
    view = await mapView(panel.page);
    assert.equal(view.noteVisible, false);
    assert.deepEqual(view.pixels, evaluationPixels);
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, '1');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('is ignored by a panel that already has a snapshot', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, transformerInit({ state: 'running', done: 2 }, { live: true }));
    const before = await mapView(panel.page);
    await send(panel.page, preview());
    const afterPreview = await mapView(panel.page);
    assert.equal(afterPreview.noteVisible, false);
    assert.deepEqual(afterPreview.pixels, before.pixels);
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, '2');
    await panel.page.close();
  });

  it('is labelled in Chinese in a Chinese panel', async () => {
    assert.equal(WEBVIEW_STRINGS_EN.attentionPreview.replace('{step}', '1'), EN_LABEL);
    assert.equal(WEBVIEW_STRINGS_ZH_CN.attentionPreview.replace('{step}', '1'), ZH_LABEL);
    const panel = await freshLivePanel('zh-cn');
    await send(panel.page, preview());
    const view = await mapView(panel.page);
    assert.equal(view.note, ZH_LABEL);
    assert.ok(view.aria.startsWith(`${ZH_LABEL}。`), `screen-reader text: ${view.aria}`);
    await panel.page.close();
  });
});
