/** Try it, run controls, persisted state, keyboard reach and drawing speed. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { AttentionMap } from '../../src/protocol/run';
import type { EpochMessage } from '../../src/protocol/webview';
import { WEBVIEW_STRINGS_EN, WEBVIEW_STRINGS_ZH_CN } from '../../src/shared/strings/webview';
import { loadRecording } from './fixtures/recording';
import { launchBrowser, openPanel, posted, problemsOf, savedState, send, settle } from './harness';
import { choose, dataset, detail, text } from './queries';
import { LIGHT } from './themes';

const recording = loadRecording();
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

type Disableable = HTMLElement & { disabled: boolean };
const isDisabled = (selector: string) => (document.querySelector(selector) as Disableable).disabled;

describe('lab panel: try it', () => {
  it('posts predict and shows the prediction with its attention map', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, recording.init);
    const answer = recording.prediction;
    await panel.page.fill('#try-input input', `  ${answer.text} `);
    await panel.page.click('#try-button');
    await settle(panel.page);
    assert.deepEqual((await posted(panel.page)).at(-1), { type: 'predict', text: answer.text });
    assert.equal(await panel.page.evaluate(isDisabled, '#try-button'), true, 'disabled while waiting');

    const { prediction } = answer;
    const map = prediction.attention[0];
    assert.ok(map, 'the engine answered with an attention map');
    await send(panel.page, answer);
    assert.equal(await text(panel.page, '#try-predicted .token-line'), prediction.predicted.join(''));
    const rows = await panel.page.$$eval('#try-map .row-label', (els) => els.map((e) => e.textContent));
    assert.deepEqual(rows, map.rowTokens);
    await panel.page.click('#try-map .row-label[data-index="1"]');
    await settle(panel.page);
    assert.deepEqual((await detail(panel.page, 'try-map')).values, map.weights[1]);
    assert.equal(await panel.page.evaluate(isDisabled, '#try-button'), false);

    await panel.page.fill('#try-input input', '   ');
    await panel.page.press('#try-input input', 'Enter');
    assert.equal(
      (await posted(panel.page)).filter((m) => m.type === 'predict').length,
      1,
      'an empty text is not posted',
    );
    await panel.page.close();
  });

  it('is open during a live run once an epoch is on disk, and says which weights it uses', async () => {
    const init = recording.init;
    assert.ok(init.live && init.run!.status.state === 'running', 'the recording opens the panel during the run');
    const epochs = init.run!.status.epochsCompleted;
    assert.ok(epochs >= 1);
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, init);
    assert.equal(await panel.page.evaluate(isDisabled, '#try-button'), false);
    assert.equal(
      await text(panel.page, '#try-note'),
      WEBVIEW_STRINGS_EN.tryLiveEpoch.replace('{epoch}', String(epochs)),
    );
    await panel.page.fill('#try-input input', recording.prediction.text);
    await panel.page.click('#try-button');
    assert.deepEqual((await posted(panel.page)).at(-1), { type: 'predict', text: recording.prediction.text });
    // The next epoch moves the note on; the end of the run removes it.
    await send(panel.page, recording.prediction, recording.epochs[0]);
    assert.equal(
      await text(panel.page, '#try-note'),
      WEBVIEW_STRINGS_EN.tryLiveEpoch.replace('{epoch}', String(recording.epochs[0].metrics.epoch)),
    );
    await send(panel.page, ...recording.rest.filter((m) => m.type === 'status'));
    assert.equal(await panel.page.isVisible('#try-note'), false);
    await panel.page.close();
  });

  it('refuses Try it during a live run before the first epoch ends, with a message', async () => {
    const init = clone(recording.init);
    const run = init.run!;
    run.status = { ...run.status, epochsCompleted: 0 };
    run.metrics = [];
    run.attentionEpochs = [];
    run.attention = null;
    run.samples = null;
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, init);
    assert.equal(await panel.page.evaluate(isDisabled, '#try-button'), true);
    assert.equal(await text(panel.page, '#try-note'), WEBVIEW_STRINGS_EN.tryWaitFirstEpoch);
    await panel.page.evaluate(() => (document.querySelector('#try-button') as HTMLElement).click());
    assert.equal((await posted(panel.page)).filter((m) => m.type === 'predict').length, 0);

    // The first epoch arrives: its weights are on disk, Try it opens.
    const firstEpoch: EpochMessage = {
      ...clone(recording.epochs[0]),
      metrics: { ...recording.epochs[0].metrics, epoch: 1 },
    };
    await send(panel.page, firstEpoch);
    assert.equal(await panel.page.evaluate(isDisabled, '#try-button'), false);
    assert.equal(await text(panel.page, '#try-note'), WEBVIEW_STRINGS_EN.tryLiveEpoch.replace('{epoch}', '1'));

    const zh = await openPanel(browser, { theme: LIGHT });
    await send(zh.page, { ...init, language: 'zh-cn', strings: { ...WEBVIEW_STRINGS_ZH_CN } });
    assert.equal(await text(zh.page, '#try-note'), WEBVIEW_STRINGS_ZH_CN.tryWaitFirstEpoch);
    await zh.page.close();
    await panel.page.close();
  });

  it('draws a 40×40 map well under 16 ms', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, recording.init);
    const size = 40;
    const tokens = Array.from({ length: size }, (_, i) => `t${i}`);
    const weights = tokens.map((_, r) => {
      const row = tokens.map((__, c) => Math.exp(-Math.abs(r - c)));
      const total = row.reduce((a, b) => a + b, 0);
      return row.map((w) => w / total);
    });
    const map: AttentionMap = {
      layer: 0,
      head: 0,
      label: 'synthetic',
      rowTokens: tokens,
      columnTokens: tokens,
      weights,
    };
    await send(panel.page, {
      type: 'prediction',
      text: 'x',
      prediction: { source: tokens, predicted: tokens, attention: [map] },
    });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await panel.page.focus('#try-map-canvas');
      await panel.page.keyboard.press('ArrowDown');
      await settle(panel.page);
      times.push(Number((await dataset(panel.page, '#try-map-canvas')).drawMs));
    }
    const median = times.sort((a, b) => a - b)[2];
    assert.ok(median < 8, `median redraw ${median} ms (${times.join(', ')})`);
    await panel.page.close();
  });
});

describe('lab panel: run controls', () => {
  it('starts with overrides, stops a live run, and disables what cannot be used', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, recording.init);
    // live and running: Start is disabled, Stop enabled
    assert.equal(await panel.page.evaluate(isDisabled, '#start-button'), true);
    assert.equal(await panel.page.evaluate(isDisabled, '#stop-button'), false);
    await panel.page.click('#stop-button');
    assert.deepEqual((await posted(panel.page)).at(-1), { type: 'stop' });

    await send(panel.page, recording.rest[recording.rest.length - 1]); // status: completed, not live
    assert.equal(await panel.page.evaluate(isDisabled, '#start-button'), false);
    assert.equal(await panel.page.evaluate(isDisabled, '#stop-button'), true);
    await panel.page.fill('#control-epochs input', '12');
    await panel.page.fill('#control-learningRate input', '0.001');
    await panel.page.click('#start-button');
    const config = recording.init.run!.config;
    assert.deepEqual((await posted(panel.page)).at(-1), {
      type: 'train',
      overrides: {
        epochs: 12,
        batchSize: config.batchSize,
        learningRate: 0.001,
        hiddenSize: config.hiddenSize,
        seed: config.seed,
      },
    });
    await panel.page.close();
  });

  it('refuses out-of-range values with a message, and cannot train when canTrain is false', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, { ...recording.init, live: false });
    await panel.page.fill('#control-batchSize input', '0');
    await panel.page.click('#start-button');
    assert.equal((await posted(panel.page)).filter((m) => m.type === 'train').length, 0);
    assert.match(await text(panel.page, '#messages'), /Batch size/);

    await send(panel.page, { ...recording.init, live: false, canTrain: false });
    assert.equal(await panel.page.evaluate(isDisabled, '#start-button'), true);
    assert.ok((await text(panel.page, '#controls-note')).length > 0);
    await panel.page.close();
  });
});

describe('lab panel: state and keyboard', () => {
  it('saves the selection and restores it after a reload', async () => {
    const first = await openPanel(browser, { theme: LIGHT });
    await send(first.page, recording.init);
    await choose(first.page, '#probe-select', '2');
    await first.page.click('#mode-teacherForced');
    await first.page.click('#probe-map .row-label[data-index="4"]');
    await first.page.focus('#epoch-slider');
    await first.page.keyboard.press('Home');
    await settle(first.page);
    const state = await savedState(first.page);
    assert.deepEqual(state, {
      runDir: recording.init.runDir,
      probeIndex: 2,
      epoch: recording.init.run!.attentionEpochs[0],
      selectedRow: 4,
      selectedColumn: null,
      mode: 'teacherForced',
    });
    await first.page.close();

    const second = await openPanel(browser, { theme: LIGHT, state });
    await send(second.page, recording.init);
    await second.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'requestAttention'),
    );
    assert.deepEqual((await posted(second.page)).at(-1), { type: 'requestAttention', epoch: state!.epoch });
    assert.equal(
      await second.page.evaluate(
        () => (document.querySelector('#probe-select') as HTMLElement & { value: string }).value,
      ),
      '2',
    );
    const map = recording.init.run!.attention!.probes[2].teacherForced[0];
    const shown = await detail(second.page);
    assert.equal(shown.index, 4);
    assert.deepEqual(shown.values, map.weights[4]);
    assert.deepEqual(await problemsOf(second), []);
    await second.page.close();
  });

  it('reaches the controls and the map with Tab, with a visible focus ring', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, recording.init);
    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await panel.page.keyboard.press('Tab');
      const id = await panel.page.evaluate(
        () => document.activeElement?.id || document.activeElement?.tagName.toLowerCase() || '',
      );
      reached.add(id);
      if (id === 'probe-map-canvas') {
        const outline = await panel.page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
        assert.notEqual(outline, 'none', 'the focused map shows an outline');
      }
    }
    for (const id of [
      'probe-select',
      'epoch-slider',
      'probe-map-canvas',
      'try-input',
      'try-button',
      'control-epochs',
      'stop-button',
    ]) {
      assert.ok(reached.has(id), `${id} is reachable with Tab (reached: ${[...reached].join(', ')})`);
    }
    const label = await panel.page.getAttribute('#probe-map-canvas', 'aria-label');
    const shownMap = recording.init.run!.attention!.probes[0].greedy[0];
    assert.ok(
      label &&
        label.includes(`${shownMap.rowTokens.length} output tokens by ${shownMap.columnTokens.length} source tokens`),
      label ?? '',
    );
    await panel.page.close();
  });
});
