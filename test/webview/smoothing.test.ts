/** The loss chart's smoothing: the debiased moving average (pure) and the control in the panel. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { debiasedEma, envelope, smoothingWindow } from '../../webview/smoothing';
import { encoderDecoderInit } from './fixtures/formatTwo';
import { launchBrowser, openPanel, problemsOf, send, settle } from './harness';
import { dataset } from './queries';
import { LIGHT } from './themes';

describe('debiased moving average', () => {
  it('smooths a constant series to the constant from the first point on', () => {
    for (const beta of [0.1, 0.6, 0.9, 0.95]) {
      for (const constant of [2.3, 1e-4, 7]) {
        const smoothed = debiasedEma(Array(50).fill(constant), beta);
        smoothed.forEach((value, i) =>
          assert.ok(Math.abs(value - constant) <= 1e-12 * constant, `β=${beta} point ${i}: ${value}`),
        );
      }
    }
  });

  it('is the plain EMA divided by 1 − β^t, skips gaps and leaves β = 0 unsmoothed', () => {
    const beta = 0.5;
    const values = [4, 2, Number.NaN, 6];
    const smoothed = debiasedEma(values, beta);
    // EMA: 2, 2, (gap), 4 → divided by 1 − 0.5, 1 − 0.25, 1 − 0.125
    assert.equal(smoothed[0], 4);
    assert.ok(Math.abs(smoothed[1] - 2 / 0.75) < 1e-12);
    assert.ok(Number.isNaN(smoothed[2]));
    assert.ok(Math.abs(smoothed[3] - 4 / 0.875) < 1e-12);
    assert.deepEqual(debiasedEma([1, 5, 3], 0), [1, 5, 3]);
  });

  it('gives the envelope of the recent raw values', () => {
    assert.equal(smoothingWindow(0.6), 3);
    const band = envelope([3, 1, 2, 5, 4], 0.6);
    assert.deepEqual(band.low, [3, 1, 1, 1, 2]);
    assert.deepEqual(band.high, [3, 3, 3, 5, 5]);
  });
});

describe('the loss chart’s smoothing control', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('draws the smoothed train loss over the raw values and turns off at 0', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, encoderDecoderInit());
    const canvas = await dataset(panel.page, '#chart-loss');
    assert.equal(canvas.beta, '0.6');
    const smoothed = JSON.parse(canvas.smoothed) as number[];
    assert.equal(smoothed.length, 12, 'one smoothed point per raw step point');
    // The raw values stay drawn: their counts are unchanged.
    assert.equal(JSON.parse(canvas.points).train_loss_steps, 12);
    assert.match((await panel.page.textContent('#smoothing-loss-value')) ?? '', /β = 0\.60/);
    await panel.page.focus('#smoothing-loss');
    await panel.page.keyboard.press('Home');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '#chart-loss')).beta, '0');
    assert.equal(await panel.page.textContent('#smoothing-loss-value'), 'off');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});
