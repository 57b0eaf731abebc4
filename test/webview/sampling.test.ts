/** Sampling a language model in the lab panel: the form, the token stream, a token's detail, stop, the saved samples, zh-cn. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { checkPanelRequest } from '../../src/extension/panelRequests';
import { WEBVIEW_STRINGS_EN, WEBVIEW_STRINGS_ZH_CN } from '../../src/shared/strings/webview';
import { checked, encoderDecoderInit, evaluation } from './fixtures/formatTwo';
import {
  endedMessage,
  historyMessage,
  historySnapshot,
  LANGUAGE_MODEL,
  languageModelInit,
  LAYERS,
  HEADS,
  PROMPT,
  sampledToken,
  started,
  tokensMessage,
} from './fixtures/sampling';
import { launchBrowser, openPanel, posted, problemsOf, send, settle, type Panel } from './harness';
import { text } from './queries';
import { LIGHT } from './themes';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

type Disableable = HTMLElement & { disabled: boolean };
const isDisabled = (page: Page, selector: string) =>
  page.evaluate((s) => (document.querySelector(s) as Disableable).disabled, selector);

async function panelWith(...messages: Parameters<typeof send>[1][]): Promise<Panel> {
  const panel = await openPanel(browser, { theme: LIGHT });
  await send(panel.page, ...messages);
  return panel;
}

const tokenTexts = (page: Page) =>
  page.$$eval('#sample-output .sampling-token', (els) => els.map((e) => e.textContent ?? ''));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

async function fill(page: Page, id: string, value: string): Promise<void> {
  await page.fill(`#${id} input`, value);
}

describe('lab panel: sampling a language model', () => {
  it('is shown for a language model only, asks for the saved samples once', async () => {
    const other = await panelWith(encoderDecoderInit());
    assert.equal(await other.page.isVisible('#sampling-section'), false);
    assert.equal((await posted(other.page)).filter((m) => m.type === 'requestSampleHistory').length, 0);
    await other.page.close();

    const panel = await panelWith(languageModelInit());
    assert.equal(await panel.page.isVisible('#sampling-section'), true);
    assert.equal((await posted(panel.page)).filter((m) => m.type === 'requestSampleHistory').length, 1);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('posts the form as a sample request and shows the tokens in order as they stream in', async () => {
    const panel = await panelWith(languageModelInit());
    const { page } = panel;
    await fill(page, 'sample-prompt', PROMPT);
    await fill(page, 'sample-temperature', '0.7');
    await fill(page, 'sample-topK', '5');
    await fill(page, 'sample-topP', '0.9');
    await fill(page, 'sample-maxTokens', '6');
    await fill(page, 'sample-seed', '3');
    await page.click('#sample-button');
    await settle(page);
    assert.deepEqual((await posted(page)).at(-1), {
      type: 'sample',
      prompt: PROMPT,
      temperature: 0.7,
      topK: 5,
      topP: 0.9,
      maxTokens: 6,
      seed: 3,
    });
    assert.equal(await isDisabled(page, '#sample-button'), true, 'one generation at a time');
    assert.equal(await isDisabled(page, '#sample-stop'), false);

    await send(page, started(1, 6));
    assert.equal(await text(page, '#sample-prompt-text'), `${WEBVIEW_STRINGS_EN.samplingPromptPart}: ${PROMPT}`);
    const characters = [...'green!'];
    const seen: string[][] = [];
    for (let i = 0; i < 4; i++) {
      await send(page, tokensMessage(1, [sampledToken(i, characters[i])]));
      seen.push(await tokenTexts(page));
    }
    assert.deepEqual(seen, [['g'], ['g', 'r'], ['g', 'r', 'e'], ['g', 'r', 'e', 'e']], 'one by one, in order');
    // Joined tokens (the host's throttle), a repeated one and one of an earlier generation change nothing wrong.
    await send(
      page,
      tokensMessage(1, [sampledToken(3, 'e'), sampledToken(4, 'n'), sampledToken(5, '!')]),
      tokensMessage(0, [sampledToken(6, 'x')]),
    );
    assert.deepEqual(await tokenTexts(page), characters);
    assert.match(await text(page, '#sample-status'), /6 \/ 6/);
    await send(page, endedMessage(1, 6));
    assert.match(await text(page, '#sample-status'), /^6 characters in 0\.5 s/);
    assert.equal(await isDisabled(page, '#sample-button'), false);
    assert.equal(await isDisabled(page, '#sample-stop'), true);
    // Everything the section posted passes the host's gate for a language model's panel.
    const context = { attentionEpochs: [], hasRun: true, chapter: LANGUAGE_MODEL, canSample: true };
    for (const message of await posted(page)) {
      const checked = checkPanelRequest(message, context);
      assert.ok(checked.ok, `${message.type}: ${checked.ok ? '' : checked.reason}`);
    }
    assert.deepEqual(await problemsOf(panel), []);
    await page.close();
  });

  it('says in one line why a generation failed, and a refused request frees the form', async () => {
    const panel = await panelWith(languageModelInit());
    const { page } = panel;
    await page.click('#sample-button');
    await send(page, { type: 'error', message: 'Request refused: sample: this panel’s run is not a language model' });
    assert.equal(await isDisabled(page, '#sample-button'), false, 'a refused request frees the form');
    assert.equal(await text(page, '#sample-status'), '');
    await page.click('#sample-button');
    await send(page, started(2, 5), tokensMessage(2, [sampledToken(0, 'a')]), {
      type: 'sampleEnded',
      sample: 2,
      stopped: false,
      tokens: 1,
      seconds: 0.1,
      tokensPerSecond: 0,
      error: 'the engine process exited with code 1:\nout of memory',
    });
    assert.equal(
      await text(page, '#sample-status'),
      'Sampling failed: the engine process exited with code 1: out of memory',
    );
    assert.equal(await isDisabled(page, '#sample-button'), false);
    assert.deepEqual(await tokenTexts(page), ['a'], 'what was generated stays');
    await page.close();
  });

  it('a clicked token shows attention rows that sum to 1 per layer and head and probability bars that sum to 1', async () => {
    const panel = await panelWith(languageModelInit());
    const { page } = panel;
    await page.click('#sample-button');
    const tokens = [sampledToken(0, 'g'), sampledToken(1, 'o', true), sampledToken(2, 'd')];
    await send(page, started(1, 3), tokensMessage(1, tokens), endedMessage(1, 3));

    for (const token of tokens) {
      await page.click(`#sample-output .sampling-token[data-index="${token.index}"]`);
      await settle(page);
      const rows = await page.$$eval('#sample-attention table', (tables) =>
        tables.map((table) =>
          [...table.querySelectorAll('tr.sampling-head-row')].map((tr) =>
            [...tr.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-weight'))),
          ),
        ),
      );
      assert.equal(rows.length, LAYERS);
      for (const layer of rows) {
        assert.equal(layer.length, HEADS);
        for (const row of layer) {
          assert.equal(row.length, token.keys);
          assert.ok(Math.abs(sum(row) - 1) < 1e-5, `row sums to ${sum(row)}`);
        }
      }
      const keys = await page.$$eval('#sample-attention table:first-of-type thead .sampling-key', (els) =>
        els.map((e) => e.textContent),
      );
      const read = [...PROMPT, ...tokens.slice(0, token.index).map((x) => x.text)].map((x) => (x === ' ' ? '␣' : x));
      assert.deepEqual(keys, read.slice(read.length - token.keys), 'the keys are the window ending at the query');

      const bars = await page.$$eval('#sample-bars li', (els) =>
        els.map((e) => ({ p: Number(e.getAttribute('data-probability')), other: e.classList.contains('other') })),
      );
      assert.ok(Math.abs(sum(bars.map((b) => b.p)) - 1) < 1e-6, `bars sum to ${sum(bars.map((b) => b.p))}`);
      assert.equal(bars.filter((b) => b.other).length, token.top.length === 3 ? 0 : 1, 'an "other" bar when cut');
      assert.equal(
        await page.getAttribute(`#sample-output .sampling-token[data-index="${token.index}"]`, 'aria-pressed'),
        'true',
      );
    }
    assert.deepEqual(await problemsOf(panel), []);
    await page.close();
  });

  it('the tokens are reachable from the keyboard: one tab stop, arrow keys move along them', async () => {
    const panel = await panelWith(languageModelInit());
    const { page } = panel;
    await page.click('#sample-button');
    await send(
      page,
      started(1, 3),
      tokensMessage(1, [sampledToken(0, 'a'), sampledToken(1, 'b'), sampledToken(2, 'c')]),
    );
    const tabStops = await page.$$eval('#sample-output .sampling-token', (els) =>
      els.map((e) => (e as HTMLElement).tabIndex),
    );
    assert.deepEqual(tabStops, [0, -1, -1]);
    await page.focus('#sample-output .sampling-token[data-index="0"]');
    await page.keyboard.press('Enter');
    await settle(page);
    assert.equal(await page.getAttribute('#sample-detail', 'data-index'), '0');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await settle(page);
    assert.equal(await page.getAttribute('#sample-detail', 'data-index'), '2');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.index), '2');
    await page.keyboard.press('Home');
    await settle(page);
    assert.equal(await page.getAttribute('#sample-detail', 'data-index'), '0');
    await page.close();
  });

  it('the stop button posts stopSample; a stopped generation says so', async () => {
    const panel = await panelWith(languageModelInit({ live: true }));
    const { page } = panel;
    assert.equal(await text(page, '#sample-note'), WEBVIEW_STRINGS_EN.samplingLive.replace('{epoch}', '2'));
    await page.click('#sample-button');
    await send(page, started(1, 50), tokensMessage(1, [sampledToken(0, 'a')]));
    await page.click('#sample-stop');
    await settle(page);
    assert.deepEqual((await posted(page)).at(-1), { type: 'stopSample' });
    await send(page, endedMessage(1, 1, true));
    assert.equal(await text(page, '#sample-status'), WEBVIEW_STRINGS_EN.samplingStopped.replace('{count}', '1'));
    await page.close();
  });

  it('refuses a value out of range without posting; waits for the first evaluation of a live run', async () => {
    const panel = await panelWith(languageModelInit());
    const { page } = panel;
    await fill(page, 'sample-topP', '0');
    await page.click('#sample-button');
    await settle(page);
    assert.equal((await posted(page)).filter((m) => m.type === 'sample').length, 0);
    assert.match(await text(page, '#sample-status'), /^Top-p must be/);
    await page.close();

    const live = await panelWith(languageModelInit({ live: true, done: 0 }));
    assert.equal(await text(live.page, '#sample-note'), WEBVIEW_STRINGS_EN.samplingWaitFirstEvaluation);
    assert.equal(await isDisabled(live.page, '#sample-button'), true);
    await live.page.close();
  });

  it('steps through the samples saved at every evaluation', async () => {
    const panel = await panelWith(languageModelInit({ done: 3 }), historyMessage([1, 2, 3]));
    const { page } = panel;
    const shown = () => page.getAttribute('#sample-history-body', 'data-epoch');
    const generated = () => text(page, '#sample-history-body .sample-predicted .token-line');
    assert.equal(await shown(), '3');
    assert.equal(await generated(), 'the green');
    assert.equal(await isDisabled(page, '#sample-history-later'), true);
    await page.click('#sample-history-earlier');
    await settle(page);
    assert.equal(await shown(), '2');
    await page.click('#sample-history-earlier');
    await settle(page);
    assert.equal(await shown(), '1');
    assert.equal(await generated(), 'thx qe');
    assert.equal(await isDisabled(page, '#sample-history-earlier'), true);
    await page.focus('#sample-history-range');
    await page.keyboard.press('End');
    await settle(page);
    assert.equal(await shown(), '3');
    assert.equal(await text(page, '#sample-history-position'), 'evaluation 3 (3 of 3)');
    await page.close();
  });

  it('a live run’s new evaluations join the saved samples: followed when the newest is shown, not when stepped back', async () => {
    const panel = await panelWith(languageModelInit({ live: true, done: 2 }), historyMessage([1, 2]));
    const { page } = panel;
    const shown = () => page.getAttribute('#sample-history-body', 'data-epoch');
    assert.equal(await shown(), '2');
    await send(
      page,
      checked({ type: 'epoch', metrics: evaluation(LANGUAGE_MODEL, 3), attention: null, samples: historySnapshot(3) }),
    );
    assert.equal(await shown(), '3', 'follows the newest');
    assert.equal(await text(page, '#sample-note'), WEBVIEW_STRINGS_EN.samplingLive.replace('{epoch}', '3'));
    await page.click('#sample-history-earlier');
    await settle(page);
    assert.equal(await shown(), '2');
    await send(
      page,
      checked({ type: 'epoch', metrics: evaluation(LANGUAGE_MODEL, 4), attention: null, samples: historySnapshot(4) }),
    );
    assert.equal(await shown(), '2', 'stays where the learner stepped');
    assert.equal(await text(page, '#sample-history-position'), 'evaluation 2 (2 of 4)');
    await page.close();
  });

  it('labels everything in Simplified Chinese', async () => {
    const panel = await panelWith(languageModelInit({ language: 'zh-cn' }));
    const { page } = panel;
    const zh = WEBVIEW_STRINGS_ZH_CN;
    assert.equal(await text(page, '#sampling-section-heading'), zh.samplingTitle);
    const labels = await page.$$eval('#sampling-section label', (els) => els.map((e) => e.textContent));
    assert.deepEqual(labels, [
      zh.samplingPrompt,
      zh.samplingTemperature,
      zh.samplingTopK,
      zh.samplingTopP,
      zh.samplingMaxTokens,
      zh.samplingSeed,
    ]);
    assert.equal(await text(page, '#sample-button'), zh.samplingGenerate);
    assert.equal(await text(page, '#sample-stop'), zh.samplingStop);
    assert.equal(await text(page, '#sample-history-heading'), zh.samplingHistoryTitle);
    await page.click('#sample-button');
    await send(page, started(1, 1), tokensMessage(1, [sampledToken(0, 'a')]), endedMessage(1, 1));
    await page.click('#sample-output .sampling-token');
    await settle(page);
    const captions = await page.$$eval('#sample-attention caption', (els) => els.map((e) => e.textContent));
    assert.deepEqual(captions, ['第 1 层', '第 2 层']);
    assert.equal(await page.getAttribute('#sample-bars', 'aria-label'), zh.samplingBarsTitle);
    const english = Object.values(WEBVIEW_STRINGS_EN).filter((s) => s.length > 12);
    const shownText = await page.evaluate(() => document.querySelector('#sampling-section')?.textContent ?? '');
    for (const line of english) assert.ok(!shownText.includes(line), `English left: ${line}`);
    await page.close();
  });
});
