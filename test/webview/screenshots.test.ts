/**
 * Whole-panel screenshots in the light and dark theme (test-artifacts/webview/{light,dark}.png,
 * not committed) after the full recording, a selected row and a "Try it" prediction.
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadRecording } from './fixtures/recording';
import { ensureArtifacts, launchBrowser, openPanel, problemsOf, send, settle } from './harness';
import { cellPixel } from './queries';
import { DARK, LIGHT } from './themes';

const recording = loadRecording();
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

describe('lab panel screenshots', () => {
  for (const theme of [LIGHT, DARK]) {
    it(`saves ${theme.name}.png`, async () => {
      const panel = await openPanel(browser, { theme, width: 1200, height: 900 });
      await send(panel.page, recording.init, ...recording.rest);
      await panel.page.click('#probe-map .row-label[data-index="5"]');
      const answer = recording.prediction;
      await panel.page.fill('#try-input input', answer.text);
      await panel.page.click('#try-button');
      await send(panel.page, answer);
      await panel.page.click(
        `#try-map .column-label[data-index="${Math.min(8, answer.prediction.source.length - 1)}"]`,
      );
      await panel.page.evaluate(() => window.scrollTo(0, 0));
      await settle(panel.page);
      const path = join(ensureArtifacts(), `${theme.name}.png`);
      await panel.page.screenshot({ path, fullPage: true });
      assert.ok(existsSync(path) && statSync(path).size > 10_000);
      assert.deepEqual(await problemsOf(panel), []);
      await panel.page.close();
    });
  }

  it('follows a theme switch without a reload (as VS Code switches themes)', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, recording.init);
    const map = recording.init.run!.attention!.probes[0].greedy[0];
    const small = map.weights[0].indexOf(Math.min(...map.weights[0]));
    const before = await cellPixel(panel.page, 0, small);
    await panel.page.evaluate((theme) => {
      for (const [name, value] of Object.entries(theme.variables))
        document.documentElement.style.setProperty(name, value);
      document.body.className = theme.bodyClass;
    }, DARK);
    await settle(panel.page);
    const afterSwitch = await cellPixel(panel.page, 0, small);
    assert.notDeepEqual(afterSwitch.rgb, before.rgb, 'the map was redrawn with the dark theme');
    assert.equal(await panel.page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(31, 31, 31)');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});
