/**
 * Whole-panel screenshots (test-artifacts/webview/*.png, not committed) in the light, dark and
 * high-contrast themes and in Chinese, with a masked map, a selected row, failing checks and a
 * "Try it" prediction; the map's colour scale, read back from the drawn legend, gets darker with
 * the weight in every theme.
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { encoderDecoderPrediction, encoderOnlyInit, transformerInit } from './fixtures/formatTwo';
import { ensureArtifacts, launchBrowser, openPanel, problemsOf, send, settle } from './harness';
import { cellPixel, luminanceOf } from './queries';
import { DARK, HIGH_CONTRAST, LIGHT, THEMES, type TestTheme } from './themes';

let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function dressed(theme: TestTheme, language: 'en' | 'zh-cn'): Promise<Page> {
  const panel = await openPanel(browser, { theme, width: 1200, height: 900 });
  await send(panel.page, transformerInit({}, { language }));
  await panel.page.click('#probe-overview .map-thumb[data-key="decoder/causal-self/1/2"]');
  await panel.page.click('#probe-map .row-label[data-index="2"]');
  const answer = encoderDecoderPrediction();
  await panel.page.fill('#try-input input', answer.text);
  await panel.page.click('#try-button');
  await send(panel.page, answer);
  await panel.page.click('#try-map .column-label[data-index="4"]');
  await panel.page.evaluate(() => window.scrollTo(0, 0));
  await settle(panel.page);
  assert.deepEqual(await problemsOf(panel), []);
  return panel.page;
}

/** Luminance along the drawn legend ramp of the large map, from weight 0 to weight 1. */
async function legendLuminance(page: Page): Promise<number[]> {
  const pixels = await page.evaluate(() => {
    const canvas = document.querySelector('#probe-map .map-legend-ramp') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, 1).data;
    const out: number[][] = [];
    for (let i = 0; i < canvas.width; i += 15) out.push([data[i * 4], data[i * 4 + 1], data[i * 4 + 2]]);
    return out;
  });
  return pixels.map(luminanceOf);
}

describe('lab panel screenshots', () => {
  for (const [theme, language, name] of [
    [LIGHT, 'en', 'light'],
    [DARK, 'en', 'dark'],
    [HIGH_CONTRAST, 'en', 'high-contrast'],
    [LIGHT, 'zh-cn', 'zh-cn'],
  ] as const) {
    it(`saves ${name}.png`, async () => {
      const page = await dressed(theme, language);
      const path = join(ensureArtifacts(), `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      assert.ok(existsSync(path) && statSync(path).size > 10_000);
      await page.close();
    });
  }

  it('saves figures.png (a chapter with figures and a single map)', async () => {
    const panel = await openPanel(browser, { theme: LIGHT, width: 1200, height: 900 });
    await send(panel.page, encoderOnlyInit());
    const path = join(ensureArtifacts(), 'figures.png');
    await panel.page.screenshot({ path, fullPage: true });
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  for (const theme of THEMES) {
    it(`keeps the map's colour scale monotonic in the ${theme.name} theme`, async () => {
      const panel = await openPanel(browser, { theme });
      await send(panel.page, transformerInit());
      const lum = await legendLuminance(panel.page);
      for (let i = 1; i < lum.length; i++) assert.ok(lum[i] < lum[i - 1], `legend step ${i}: ${lum.join(', ')}`);
      assert.ok(lum[0] - lum[lum.length - 1] > 0.4, 'weight 0 and weight 1 are far apart in lightness');
      await panel.page.close();
    });
  }

  it('follows a theme switch without a reload (as VS Code switches themes)', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    const init = transformerInit();
    await send(panel.page, init);
    const before = await cellPixel(panel.page, 0, 0);
    await panel.page.evaluate((theme) => {
      for (const [name, value] of Object.entries(theme.variables))
        document.documentElement.style.setProperty(name, value);
      document.body.className = theme.bodyClass;
    }, DARK);
    await settle(panel.page);
    const afterSwitch = await cellPixel(panel.page, 0, 0);
    assert.notDeepEqual(afterSwitch.rgb, before.rgb, 'the map was redrawn with the dark theme');
    assert.equal(await panel.page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(31, 31, 31)');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});
