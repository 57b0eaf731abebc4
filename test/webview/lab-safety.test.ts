/** Host text is rendered as text, the panel speaks Chinese, damaged runs and errors are shown, CSP holds. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chapterInfo } from '../../src/engine/chapters/catalog';
import { buildInitMessage } from '../../src/extension/panelFeed';
import type { InitMessage } from '../../src/protocol/webview';
import { WEBVIEW_STRINGS_EN, WEBVIEW_STRINGS_ZH_CN } from '../../src/shared/strings/webview';
import { loadRecording } from './fixtures/recording';
import { launchBrowser, openPanel, problemsOf, savedState, send } from './harness';
import { text } from './queries';
import { DARK, LIGHT } from './themes';

const recording = loadRecording();
const MARKUP = '<img src=x onerror="window.__pwned=1">';
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('lab panel: safety and language', () => {
  it('renders a run id, tokens, samples and errors containing markup as text', async () => {
    const init = clone(recording.init);
    const run = init.run!;
    run.runId = MARKUP;
    const probe = run.attention!.probes[0];
    probe.source[0] = MARKUP;
    for (const map of [...probe.greedy, ...probe.teacherForced]) {
      map.columnTokens[0] = MARKUP;
      map.rowTokens[0] = MARKUP;
      map.label = MARKUP;
    }
    run.samples!.samples[0].predictedTokens[0] = MARKUP;
    run.shapes[0].meaning.en = MARKUP;
    init.chapter.title.en = MARKUP;
    run.warnings = [MARKUP];
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, init, { type: 'error', message: MARKUP });
    await panel.page.click('#probe-map .row-label[data-index="0"]');
    await send(panel.page);

    assert.equal(await panel.page.locator('img').count(), 0, 'no img element was created');
    assert.equal(await panel.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await text(panel.page, '#run-id'), MARKUP);
    assert.equal(await text(panel.page, '#chapter-title'), MARKUP);
    assert.equal(await text(panel.page, '#probe-map .column-label[data-index="0"]'), MARKUP);
    assert.equal(await text(panel.page, '#probe-map .row-label[data-index="0"]'), MARKUP);
    assert.ok((await text(panel.page, '#probe-map-detail .detail-title')).includes(MARKUP));
    assert.ok((await text(panel.page, '#messages')).includes(MARKUP));
    assert.ok((await text(panel.page, '.samples')).includes(MARKUP));
    assert.ok((await text(panel.page, '.shape-table')).includes(MARKUP));
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('shows the Chinese strings and chapter text when init.language is zh-cn', async () => {
    const init: InitMessage = { ...clone(recording.init), language: 'zh-cn', strings: { ...WEBVIEW_STRINGS_ZH_CN } };
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, init);
    const body = await text(panel.page, 'body');
    for (const key of [
      'chartsTitle',
      'attentionTitle',
      'shapesTitle',
      'samplesTitle',
      'tryTitle',
      'controlsTitle',
      'contractTitle',
    ] as const) {
      assert.ok(body.includes(WEBVIEW_STRINGS_ZH_CN[key]), `${key}: ${WEBVIEW_STRINGS_ZH_CN[key]}`);
      assert.ok(!body.includes(WEBVIEW_STRINGS_EN[key]), `no English ${key}`);
    }
    assert.equal(await text(panel.page, '#chapter-title'), init.chapter.title['zh-cn']);
    assert.ok(body.includes(init.chapter.contract.newConcepts[0]['zh-cn']));
    assert.ok((await text(panel.page, '.shape-table')).includes(init.run!.shapes[4].meaning['zh-cn']));
    assert.equal(await panel.page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await panel.page.close();
  });

  it('falls back to English for keys the host leaves out', async () => {
    const strings: Record<string, string> = { ...WEBVIEW_STRINGS_ZH_CN };
    delete strings.shapesTitle;
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, { ...clone(recording.init), language: 'zh-cn', strings });
    assert.equal(await text(panel.page, '#shapes-section-heading'), WEBVIEW_STRINGS_EN.shapesTitle);
    assert.equal(await text(panel.page, '#charts-section-heading'), WEBVIEW_STRINGS_ZH_CN.chartsTitle);
    await panel.page.close();
  });

  it('shows damagedReason when the run is null, keeps runDir for the serializer, and nothing breaks', async () => {
    const reason = 'config.json: Unexpected token } in JSON at position 118';
    const panel = await openPanel(browser, { theme: DARK });
    await send(panel.page, { ...clone(recording.init), run: null, damagedReason: reason, live: false });
    assert.equal(await panel.page.isVisible('#damaged'), true);
    assert.equal(await text(panel.page, '#damaged-reason'), reason);
    assert.equal(await panel.page.getAttribute('#damaged', 'role'), 'alert');
    assert.equal(await panel.page.isVisible('#preview-note'), false);
    assert.ok((await text(panel.page, '#probe-map')).includes(WEBVIEW_STRINGS_EN.attentionNoSnapshot));
    assert.equal(
      await panel.page.evaluate(
        () => (document.querySelector('#try-button') as HTMLElement & { disabled: boolean }).disabled,
      ),
      true,
    );
    // A reload must reopen the same (damaged) folder: the state carries init.runDir.
    assert.equal((await savedState(panel.page))?.runDir, recording.init.runDir);
    // incremental messages for a damaged run are ignored gracefully
    await send(panel.page, ...recording.rest.slice(0, 3));
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  for (const language of ['en', 'zh-cn'] as const) {
    it(`shows a chapter preview (${language}): title, contract, why it cannot train; no damage text, no run sections`, async () => {
      const chapter = chapterInfo('self-attention');
      assert.equal(chapter.trainable, false);
      const init = buildInitMessage({ language, chapter, runDir: null, run: null, canTrain: true, live: false });
      assert.equal(init.damagedReason, undefined);
      const strings = language === 'zh-cn' ? WEBVIEW_STRINGS_ZH_CN : WEBVIEW_STRINGS_EN;
      const panel = await openPanel(browser, { theme: LIGHT });
      await send(panel.page, init);
      assert.equal(await text(panel.page, '#chapter-title'), chapter.title[language]);
      assert.equal(await text(panel.page, '#preview-note'), strings.previewNotTrainable);
      assert.equal(await panel.page.isVisible('#preview-note'), true);
      assert.equal(await panel.page.isVisible('#damaged'), false);
      const body = await text(panel.page, 'body');
      for (const key of ['damagedTitle', 'damagedUnknown', 'tryNoRun'] as const)
        assert.ok(!body.includes(strings[key]), `no "${strings[key]}" in a preview`);
      assert.ok(await panel.page.isVisible('#contract'));
      assert.ok((await text(panel.page, '#contract')).includes(chapter.contract.newConcepts[0][language]));
      for (const id of [
        'charts-section',
        'attention-section',
        'shapes-section',
        'samples-section',
        'try-section',
        'controls-section',
      ]) {
        assert.equal(await panel.page.isVisible(`#${id}`), false, `${id} is hidden`);
      }
      assert.equal(await panel.page.isVisible('.facts'), false);
      assert.equal(await savedState(panel.page), undefined, 'a preview has no run folder to restore');
      assert.deepEqual(await problemsOf(panel), []);
      await panel.page.close();
    });
  }

  it('explains a chapter without attention instead of drawing an empty map', async () => {
    const init = clone(recording.init);
    init.chapter.id = 'seq2seq';
    for (const probe of init.run!.attention!.probes) {
      probe.greedy = [];
      probe.teacherForced = [];
    }
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, init);
    assert.equal(await text(panel.page, '#probe-map .map-message'), WEBVIEW_STRINGS_EN.attentionNone);
    assert.equal(await panel.page.isVisible('#probe-map-canvas'), false);
    await panel.page.close();
  });

  it('puts error messages in an aria-live region', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, recording.init, {
      type: 'error',
      message: 'The model could not be loaded: model/ is missing',
    });
    assert.equal(await panel.page.getAttribute('#messages', 'aria-live'), 'assertive');
    assert.ok((await text(panel.page, '#messages')).includes('model/ is missing'));
    await panel.page.close();
  });
});
