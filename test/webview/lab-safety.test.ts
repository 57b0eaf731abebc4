/** Host text is rendered as text, invalid messages are reported (never thrown), the panel speaks Chinese, CSP holds. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chapterInfoProblems } from '../../src/shared/course/hyperparameters';
import { upcomingChapter } from '../../src/shared/course/upcoming';
import type { InitMessage } from '../../src/shared/protocol/webview';
import { WEBVIEW_STRINGS_EN, WEBVIEW_STRINGS_ZH_CN } from '../../src/shared/strings/webview';
import { ENCODER_DECODER, encoderDecoderInit, evaluation, initMessage, transformerInit } from './fixtures/formatTwo';
import { launchBrowser, openPanel, problemsOf, savedState, send, sendRaw, type Panel } from './harness';
import { dataset, text } from './queries';
import { DARK, LIGHT } from './themes';

const MARKUP = '<img src=x onerror="window.__pwned=1">';
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

async function panelWith(...messages: Parameters<typeof send>[1][]): Promise<Panel> {
  const panel = await openPanel(browser, { theme: LIGHT });
  await send(panel.page, ...messages);
  return panel;
}

describe('lab panel: safety', () => {
  it('renders a run id, tokens, samples, checks, shapes and errors containing markup as text', async () => {
    const init = clone(transformerInit());
    const run = init.run!;
    run.runId = MARKUP;
    const probe = run.attention!.probes[0];
    probe.source[0] = MARKUP;
    for (const map of probe.maps) {
      map.columnTokens[0] = MARKUP;
      map.rowTokens[0] = MARKUP;
    }
    run.attention!.checks[0].label.en = MARKUP;
    run.samples!.samples[0].predictedTokens[0] = MARKUP;
    run.shapes[0].meaning.en = MARKUP;
    run.config.backendReason = MARKUP;
    init.chapter.title.en = MARKUP;
    run.warnings = [MARKUP];
    const panel = await panelWith(init, { type: 'error', message: MARKUP });
    await panel.page.click('#probe-map .row-label[data-index="0"]');
    await send(panel.page);

    assert.equal(await panel.page.locator('img').count(), 0, 'no img element was created');
    assert.equal(await panel.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await text(panel.page, '#run-id'), MARKUP);
    assert.equal(await text(panel.page, '#chapter-title'), MARKUP);
    assert.equal(await text(panel.page, '#probe-map .column-label[data-index="0"]'), MARKUP);
    assert.equal(await text(panel.page, '#probe-map .row-label[data-index="0"]'), MARKUP);
    assert.ok((await text(panel.page, '#probe-map-detail .detail-title')).includes(MARKUP));
    assert.ok((await text(panel.page, '#snapshot-checks')).includes(MARKUP));
    assert.ok((await text(panel.page, '#messages')).includes(MARKUP));
    assert.ok((await text(panel.page, '.samples')).includes(MARKUP));
    assert.ok((await text(panel.page, '.shape-table')).includes(MARKUP));
    assert.equal(await panel.page.getAttribute('#backend', 'title'), MARKUP);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('drops invalid host messages and reports each in one line, before and after init', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await sendRaw(panel.page, {
      type: 'epoch',
      metrics: { ...evaluation(ENCODER_DECODER, 1), epoch: 'one' },
      attention: null,
      samples: null,
    });
    assert.equal(
      await text(panel.page, '#messages .message-text'),
      'Ignored an invalid message from the extension (epoch): metrics.epoch must be number',
    );
    await send(panel.page, encoderDecoderInit());
    const before = await dataset(panel.page, '#chart-loss');
    const invalid: unknown[] = [
      'just a string',
      null,
      { type: 'bogus', payload: 1 },
      { type: 'x'.repeat(10_000) },
      { type: 'step', metrics: { kind: 'step', epoch: 1, step: -3, seconds: 1, samples_per_second: 1, train_loss: 1 } },
      { type: 'epoch', metrics: evaluation(ENCODER_DECODER, 4), attention: null, samples: null, extra: true },
      { type: 'attention', snapshot: { formatVersion: 1, epoch: 1, step: 1, probes: [], checks: [] } },
      {
        type: 'prediction',
        text: 'x',
        prediction: { source: [], predicted: [], maps: [{ kind: 'diagonal' }], unknownTokens: [] },
      },
      { type: 'status', status: { state: 'exploded', startedAt: '', epochsCompleted: 0 }, live: true },
    ];
    await sendRaw(panel.page, ...invalid);
    assert.equal(Number((await dataset(panel.page, 'body')).invalidMessages), invalid.length + 1);
    const lines = await panel.page.$$eval('#messages .message-text', (els) => els.map((e) => e.textContent ?? ''));
    assert.equal(lines.length, 4, 'the newest four are kept');
    for (const line of lines) {
      assert.ok(line.startsWith('Ignored an invalid message from the extension ('), line);
      assert.ok(!line.includes('\n') && line.length < 300, line);
    }
    assert.ok(
      lines.some((line) => line.includes('status.state must be')),
      lines.join(' | '),
    );
    assert.ok(!lines.join('').includes('xxxxxxxxxx'), 'an unknown type is not echoed');
    // Nothing changed: the dropped epoch added no point.
    assert.deepEqual(await dataset(panel.page, '#chart-loss'), before);
    assert.equal(await panel.page.getAttribute('#messages', 'aria-live'), 'assertive');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});

describe('lab panel: language', () => {
  it('shows the Chinese strings and chapter text when init.language is zh-cn', async () => {
    const init = transformerInit({}, { language: 'zh-cn' });
    const panel = await panelWith(init);
    const body = await text(panel.page, 'body');
    for (const key of [
      'chartsTitle',
      'attentionTitle',
      'checksTitle',
      'shapesTitle',
      'samplesTitle',
      'tryTitle',
      'controlsTitle',
      'contractTitle',
      'checkPass',
      'checkFail',
      'groupCross',
      'mapLegendMasked',
    ] as const) {
      assert.ok(body.includes(WEBVIEW_STRINGS_ZH_CN[key]), `${key}: ${WEBVIEW_STRINGS_ZH_CN[key]}`);
      assert.ok(!body.includes(WEBVIEW_STRINGS_EN[key]), `no English ${key}`);
    }
    assert.equal(await text(panel.page, '#chapter-title'), init.chapter.title['zh-cn']);
    assert.ok(body.includes(init.chapter.contract.newConcepts[0]['zh-cn']));
    assert.ok(body.includes('每一行注意力之和为 1'));
    assert.equal(
      await text(panel.page, '.overview-group[data-group="decoder/causal-self"] .overview-title'),
      '解码器掩码自注意力',
    );
    assert.equal(await text(panel.page, '#probe-overview .overview-layer'), '第 1 层');
    assert.match(await text(panel.page, '#snapshot-checks .check.fail .check-state'), /未通过/);
    assert.equal(await text(panel.page, '#header-task'), '日期 → ISO 格式');
    assert.equal(await panel.page.evaluate(() => document.documentElement.lang), 'zh-CN');
    const legend = await panel.page.getAttribute('#chart-loss', 'aria-label');
    assert.equal(legend, '折线图“损失”：训练损失，验证集损失，训练损失（每 N 步）');
    await panel.page.close();
  });

  it('falls back to English for keys the host leaves out', async () => {
    const init = transformerInit({}, { language: 'zh-cn' });
    delete init.strings.shapesTitle;
    const panel = await panelWith(init);
    assert.equal(await text(panel.page, '#shapes-section-heading'), WEBVIEW_STRINGS_EN.shapesTitle);
    assert.equal(await text(panel.page, '#charts-section-heading'), WEBVIEW_STRINGS_ZH_CN.chartsTitle);
    await panel.page.close();
  });
});

describe('lab panel: damaged runs and previews', () => {
  it('shows damagedReason when the run is null, keeps runDir for the serializer, and nothing breaks', async () => {
    const reason = 'config.json: Unexpected token } in JSON at position 118';
    const panel = await openPanel(browser, { theme: DARK });
    await send(panel.page, initMessage(null, { damagedReason: reason }));
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
    assert.equal((await savedState(panel.page))?.runDir, '/runs/damaged');
    await send(panel.page, {
      type: 'step',
      metrics: { kind: 'step', epoch: 1, step: 5, seconds: 1, samples_per_second: 1, train_loss: 1 },
    });
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  for (const language of ['en', 'zh-cn'] as const) {
    it(`shows a chapter preview (${language}): title, contract, why it cannot train; no run sections`, async () => {
      const chapter = upcomingChapter('multi-head-attention');
      assert.equal(chapter.trainable, false);
      assert.deepEqual(chapterInfoProblems(chapter), []);
      const init: InitMessage = initMessage(null, { chapter, language });
      const strings = language === 'zh-cn' ? WEBVIEW_STRINGS_ZH_CN : WEBVIEW_STRINGS_EN;
      const panel = await panelWith(init);
      assert.equal(await text(panel.page, '#chapter-title'), chapter.title[language]);
      assert.equal(await text(panel.page, '#preview-note'), strings.previewNotTrainable);
      assert.equal(await panel.page.isVisible('#damaged'), false);
      const body = await text(panel.page, 'body');
      for (const key of ['damagedTitle', 'damagedUnknown', 'tryNoRun'] as const)
        assert.ok(!body.includes(strings[key]), `no "${strings[key]}" in a preview`);
      assert.ok((await text(panel.page, '#contract')).includes(chapter.contract.newConcepts[0][language]));
      for (const id of [
        'charts-section',
        'figures-section',
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
    const init = clone(encoderDecoderInit());
    init.chapter.id = 'seq2seq';
    for (const probe of init.run!.attention!.probes) probe.maps = [];
    const panel = await panelWith(init);
    assert.equal(await text(panel.page, '#probe-map .map-message'), WEBVIEW_STRINGS_EN.attentionNone);
    assert.equal(await panel.page.isVisible('#probe-map-canvas'), false);
    assert.equal(await panel.page.isVisible('#probe-overview'), false);
    await panel.page.close();
  });
});
