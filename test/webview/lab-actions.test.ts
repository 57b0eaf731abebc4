/** Try it, the start form and run controls, keyboard reach. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { WEBVIEW_STRINGS_EN, WEBVIEW_STRINGS_ZH_CN } from '../../src/shared/strings/webview';
import {
  ENCODER_DECODER,
  ENCODER_ONLY,
  encoderDecoderInit,
  encoderDecoderPrediction,
  encoderDecoderSnapshot,
  encoderOnlyInit,
  epochMessage,
  initMessage,
  row,
  transformerInit,
  transformerProbe,
  predictionMessage,
} from './fixtures/formatTwo';
import { launchBrowser, openPanel, posted, problemsOf, send, settle, type Panel } from './harness';
import { choose, dataset, detail, text, thumbnails } from './queries';
import { LIGHT } from './themes';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

type Disableable = HTMLElement & { disabled: boolean };
const isDisabled = (selector: string) => (document.querySelector(selector) as Disableable).disabled;

async function panelWith(...messages: Parameters<typeof send>[1][]): Promise<Panel> {
  const panel = await openPanel(browser, { theme: LIGHT });
  await send(panel.page, ...messages);
  return panel;
}

const trains = async (panel: Panel) => (await posted(panel.page)).filter((m) => m.type === 'train');

describe('lab panel: try it', () => {
  it('posts predict and shows the prediction with its maps and the tokens read as <unk>', async () => {
    const panel = await panelWith(encoderDecoderInit());
    const answer = encoderDecoderPrediction();
    await panel.page.fill('#try-input input', `  ${answer.text} `);
    await panel.page.click('#try-button');
    await settle(panel.page);
    assert.deepEqual((await posted(panel.page)).at(-1), { type: 'predict', text: answer.text });
    assert.equal(await panel.page.evaluate(isDisabled, '#try-button'), true, 'disabled while waiting');

    await send(panel.page, answer);
    const map = answer.prediction.maps[0];
    assert.equal(await text(panel.page, '#try-predicted .token-line'), answer.prediction.predicted.join(' '));
    assert.equal(await text(panel.page, '#try-unknown'), 'Read as <unk>: “desk”');
    assert.deepEqual((await thumbnails(panel.page, 'try-overview')).keys, ['decoder/cross/0/0']);
    const rows = await panel.page.$$eval('#try-map .row-label', (els) => els.map((e) => e.textContent));
    assert.deepEqual(rows, map.rowTokens);
    await panel.page.click('#try-map .row-label[data-index="1"]');
    await settle(panel.page);
    assert.deepEqual((await detail(panel.page, 'try-map')).values, row(map, 1));
    assert.equal(await panel.page.evaluate(isDisabled, '#try-button'), false);

    await panel.page.fill('#try-input input', '   ');
    await panel.page.press('#try-input input', 'Enter');
    assert.equal((await posted(panel.page)).filter((m) => m.type === 'predict').length, 1, 'empty text is not posted');
    await panel.page.close();
  });

  it('shows every map of a Transformer prediction in the overview (generated rows)', async () => {
    const panel = await panelWith(transformerInit());
    const probe = transformerProbe(9, 0);
    await send(
      panel.page,
      predictionMessage('I love you', {
        source: probe.source,
        predicted: probe.predicted,
        maps: probe.maps,
        unknownTokens: [],
      }),
    );
    const shown = await thumbnails(panel.page, 'try-overview');
    assert.equal(shown.keys.length, probe.maps.filter((m) => m.mode === 'generated').length);
    await panel.page.click('#try-overview .map-thumb[data-key="decoder/causal-self/1/1"]');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '#try-map')).mapKey, 'decoder/causal-self/1/1');
    assert.equal(await panel.page.isVisible('#try-unknown'), false);
    await panel.page.close();
  });

  it('opens during a live run once an evaluation is on disk, and says which weights it uses', async () => {
    const init = encoderDecoderInit({ state: 'running', done: 0 }, { live: true });
    const panel = await panelWith(init);
    assert.equal(await panel.page.evaluate(isDisabled, '#try-button'), true);
    assert.equal(await text(panel.page, '#try-note'), WEBVIEW_STRINGS_EN.tryWaitFirstEpoch);
    await panel.page.evaluate(() => (document.querySelector('#try-button') as HTMLElement).click());
    assert.equal((await posted(panel.page)).filter((m) => m.type === 'predict').length, 0);

    await send(panel.page, epochMessage(ENCODER_DECODER, 1, encoderDecoderSnapshot));
    assert.equal(await panel.page.evaluate(isDisabled, '#try-button'), false);
    assert.equal(await text(panel.page, '#try-note'), WEBVIEW_STRINGS_EN.tryLiveEpoch.replace('{epoch}', '1'));
    await send(panel.page, {
      type: 'status',
      status: { ...init.run!.status, state: 'completed', epochsCompleted: 1 },
      live: false,
    });
    assert.equal(await panel.page.isVisible('#try-note'), false);

    const zh = await panelWith(encoderDecoderInit({ state: 'running', done: 0 }, { live: true, language: 'zh-cn' }));
    assert.equal(await text(zh.page, '#try-note'), WEBVIEW_STRINGS_ZH_CN.tryWaitFirstEpoch);
    await zh.page.close();
    await panel.page.close();
  });
});

describe('lab panel: start form', () => {
  it('offers tasks, variants and only the inForm hyperparameters, filled from the run', async () => {
    const panel = await panelWith(encoderOnlyInit({ task: 'sort', overrides: { dModel: 64 } }));
    const fields = await panel.page.$$eval('.control-fields .control-field', (els) =>
      els.map((e) => (e as HTMLElement).dataset.key),
    );
    assert.deepEqual(
      fields,
      ENCODER_ONLY.hyperparameters.filter((spec) => spec.inForm).map((spec) => spec.key),
    );
    assert.ok(!fields.includes('clipNorm') && !fields.includes('trainSize'), 'CLI-only values stay out');
    const value = (selector: string) =>
      panel.page.evaluate((s) => (document.querySelector(s) as HTMLElement & { value: string }).value, selector);
    assert.equal(await value('#control-task'), '1', 'the run used the second task (sort)');
    assert.equal(await value('#control-dModel'), '64');
    assert.equal(await value('#control-epochs'), '6');
    assert.equal(await panel.page.getAttribute('#control-dModel', 'min'), '4');
    assert.equal(await panel.page.getAttribute('#control-dModel', 'max'), '512');
    assert.equal(await value('#control-positions'), '0');
    assert.equal(
      await panel.page.evaluate(
        () => (document.querySelector('#control-scaled') as HTMLElement & { checked: boolean }).checked,
      ),
      true,
    );
    assert.equal(await text(panel.page, '.control-field[data-key="dModel"] .control-default'), 'default 32');
    await panel.page.close();
  });

  it('posts task, variant and only the values that differ from that task and variant', async () => {
    const panel = await panelWith(encoderOnlyInit());
    await panel.page.click('#start-button');
    assert.deepEqual(
      (await trains(panel)).at(-1),
      {
        type: 'train',
        task: 'reverse',
        variant: 'scaled',
        overrides: { epochs: 6 },
      },
      'the run trained 6 epochs where the chapter defaults to 8',
    );
    await send(panel.page, encoderOnlyInit()); // a new init settles the form

    await panel.page.fill('#control-epochs input', '8');
    await panel.page.fill('#control-learningRate input', '0.001');
    await choose(panel.page, '#control-positions', '2');
    await settle(panel.page);
    await panel.page.click('#start-button');
    assert.deepEqual((await trains(panel)).at(-1), {
      type: 'train',
      task: 'reverse',
      variant: 'scaled',
      overrides: { learningRate: 0.001, positions: 'none' },
    });
    await panel.page.close();
  });

  it('moves untouched fields to a newly chosen variant, keeps edited ones', async () => {
    const panel = await panelWith(encoderOnlyInit());
    await panel.page.fill('#control-dModel input', '48');
    await choose(panel.page, '#control-variant', '1');
    await settle(panel.page);
    assert.equal(await text(panel.page, '#variant-note'), 'softmax(QKᵀ), for comparison');
    const checked = () =>
      panel.page.evaluate(
        () => (document.querySelector('#control-scaled') as HTMLElement & { checked: boolean }).checked,
      );
    assert.equal(await checked(), false, 'the unscaled variant turns scaling off');
    await panel.page.click('#start-button');
    assert.deepEqual((await trains(panel)).at(-1), {
      type: 'train',
      task: 'reverse',
      variant: 'unscaled',
      overrides: { epochs: 6, dModel: 48 },
    });
    await send(panel.page, encoderOnlyInit());
    // Ticking the box back on is an override of the unscaled variant.
    await choose(panel.page, '#control-variant', '1');
    await settle(panel.page);
    await panel.page.click('#control-scaled');
    await settle(panel.page);
    assert.equal(await checked(), true);
    await panel.page.fill('#control-epochs input', '8');
    await panel.page.click('#start-button');
    assert.deepEqual((await trains(panel)).at(-1)?.overrides, { scaled: true });
    await panel.page.close();
  });

  it('refuses out-of-range values with a message, and cannot train when canTrain is false', async () => {
    const panel = await panelWith(encoderDecoderInit());
    for (const [field, bad, label] of [
      ['batchSize', '0', 'batch size must be a whole number from 1 to 1024.'],
      ['batchSize', '2.5', 'batch size must be a whole number from 1 to 1024.'],
      ['learningRate', '3', 'learning rate must be a number from 0.000001 to 1.'],
      ['learningRate', 'fast', 'learning rate must be a number from 0.000001 to 1.'],
    ] as const) {
      await send(panel.page, encoderDecoderInit());
      await panel.page.fill(`#control-${field} input`, bad);
      await panel.page.click('#start-button');
      assert.equal((await trains(panel)).length, 0, `${field} = ${bad} is not posted`);
      assert.equal(await text(panel.page, '#messages .message-text'), label.replace('0.000001', String(1e-6)));
    }
    await send(panel.page, encoderDecoderInit({}, { canTrain: false }));
    assert.equal(await panel.page.evaluate(isDisabled, '#start-button'), true);
    assert.equal(await text(panel.page, '#controls-note'), WEBVIEW_STRINGS_EN.controlsCannotTrain);
    await panel.page.close();
  });

  it('stops a live run, and starts a trainable chapter from its preview', async () => {
    const init = encoderDecoderInit({ state: 'running' }, { live: true });
    const panel = await panelWith(init);
    assert.equal(await panel.page.evaluate(isDisabled, '#start-button'), true);
    assert.equal(await panel.page.evaluate(isDisabled, '#stop-button'), false);
    await panel.page.click('#stop-button');
    assert.deepEqual((await posted(panel.page)).at(-1), { type: 'stop' });
    await panel.page.close();

    const preview = await panelWith(initMessage(null, { chapter: ENCODER_DECODER }));
    assert.ok(await preview.page.isVisible('#controls-section'));
    assert.equal(await preview.page.isVisible('#stop-button'), false);
    await choose(preview.page, '#control-task', '1');
    await settle(preview.page);
    await preview.page.click('#start-button');
    assert.deepEqual((await trains(preview)).at(-1), {
      type: 'train',
      task: 'phrases',
      variant: 'default',
      overrides: {},
    });
    assert.deepEqual(await problemsOf(preview), []);
    await preview.page.close();
  });
});

describe('lab panel: keyboard', () => {
  it('reaches the controls, the overview and the map with Tab, with a visible focus ring', async () => {
    const init = transformerInit();
    const panel = await panelWith(init);
    const reached = new Set<string>();
    for (let i = 0; i < 60; i++) {
      await panel.page.keyboard.press('Tab');
      const id = await panel.page.evaluate(() => {
        const active = document.activeElement as HTMLElement | null;
        return (
          active?.id || (active?.dataset.key ? `thumb:${active.dataset.key}` : active?.tagName.toLowerCase()) || ''
        );
      });
      reached.add(id);
      if (id === 'probe-map-canvas' || id.startsWith('thumb:')) {
        const outline = await panel.page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
        assert.notEqual(outline, 'none', `${id} shows a focus ring`);
      }
    }
    for (const id of [
      'probe-select',
      'epoch-slider',
      'thumb:decoder/cross/0/0',
      'probe-map-canvas',
      'try-input',
      'try-button',
      'control-task',
      'control-epochs',
      'start-button',
    ]) {
      assert.ok(reached.has(id), `${id} is reachable with Tab (reached: ${[...reached].join(', ')})`);
    }
    assert.equal([...reached].filter((id) => id.startsWith('thumb:')).length, 1, 'the overview is a single tab stop');
    const label = await panel.page.getAttribute('#probe-map-canvas', 'aria-label');
    assert.ok(label?.startsWith('Attention map, 4 queries by 6 keys.'), label ?? '');
    await panel.page.close();
  });
});
