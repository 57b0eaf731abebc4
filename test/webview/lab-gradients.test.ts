/**
 * The gradient-norm chart (webview/gradientChart.ts): it appears, with one series per weight
 * group and one point per step record, exactly when a run's step records carry `gradient_norms`;
 * live step messages add points; it follows the language and the three themes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { InitMessage } from '../../src/shared/protocol/webview';
import type { StepRecord } from '../../src/shared/run/records';
import { WEBVIEW_STRINGS_EN, WEBVIEW_STRINGS_ZH_CN } from '../../src/shared/strings/webview';
import { checked, ENCODER_ONLY, encoderOnlyInit } from './fixtures/formatTwo';
import { launchBrowser, openPanel, problemsOf, send, type Panel } from './harness';
import { dataset, text } from './queries';
import { LIGHT, THEMES, type TestTheme } from './themes';

const GROUPS = ['embeddings', 'layer1', 'layer2', 'output'];
/** The x axis counts what the chapter's loss curves count (the fixture chapter trains in evaluations). */
const AXIS = ENCODER_ONLY.trainingUnit === 'evaluation' ? 'chartEvaluationAxis' : 'chartEpochAxis';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Norms that differ by group and fall with the step, as a post-LN run's do. */
function norms(step: number): Record<string, number> {
  return Object.fromEntries(GROUPS.map((group, i) => [group, (i + 1) / Math.sqrt(step)]));
}

/** The encoder-only fixture run, its step records carrying gradient norms (12 steps over 3 epochs). */
function withGradients(options: Parameters<typeof encoderOnlyInit>[1] = {}): InitMessage {
  const init = encoderOnlyInit({}, options);
  const run = init.run!;
  run.metrics = run.metrics.map((record) =>
    record.kind === 'step' ? { ...record, gradient_norms: norms(record.step) } : record,
  );
  return checked(init);
}

async function panelWith(theme: TestTheme, ...messages: Parameters<typeof send>[1][]): Promise<Panel> {
  const panel = await openPanel(browser, { theme });
  await send(panel.page, ...messages);
  return panel;
}

const visible = (panel: Panel) => panel.page.isVisible('#chart-gradient-norms');
const series = async (panel: Panel) =>
  JSON.parse((await dataset(panel.page, '#chart-gradient-norms')).series ?? '[]') as string[];
const points = async (panel: Panel) =>
  JSON.parse((await dataset(panel.page, '#chart-gradient-norms')).points ?? '{}') as Record<string, number>;

describe('lab panel: gradient norms per weight group', () => {
  it('shows one series per group, one point per step record, for a run whose steps carry gradient norms', async () => {
    const panel = await panelWith(LIGHT, withGradients());
    assert.ok(await visible(panel), 'the chart is shown');
    assert.deepEqual(await series(panel), GROUPS);
    assert.deepEqual(await points(panel), Object.fromEntries(GROUPS.map((g) => [g, 12])));
    assert.equal(await text(panel.page, '#gradient-norms figcaption'), 'Gradient norm of each weight group');
    assert.equal((await dataset(panel.page, '#chart-gradient-norms')).xAxis, WEBVIEW_STRINGS_EN[AXIS]);

    const step: StepRecord = {
      kind: 'step',
      epoch: 4,
      step: 325,
      seconds: 14,
      samples_per_second: 1800,
      train_loss: 0.4,
      gradient_norms: norms(325),
    };
    await send(panel.page, checked({ type: 'step', metrics: step }));
    assert.deepEqual(await points(panel), Object.fromEntries(GROUPS.map((g) => [g, 13])), 'a live step adds a point');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('is absent for a run whose step records carry no gradient norms, and appears when one arrives', async () => {
    const panel = await panelWith(LIGHT, encoderOnlyInit());
    assert.equal(await visible(panel), false, 'no chart without gradient norms');
    assert.deepEqual(await series(panel), []);
    const step: StepRecord = {
      kind: 'step',
      epoch: 4,
      step: 325,
      seconds: 14,
      samples_per_second: 1800,
      train_loss: 0.4,
    };
    await send(panel.page, checked({ type: 'step', metrics: step }));
    assert.equal(await visible(panel), false, 'a step without gradient norms changes nothing');
    await send(panel.page, checked({ type: 'step', metrics: { ...step, step: 350, gradient_norms: { layer1: 0.5 } } }));
    assert.ok(await visible(panel), 'the first gradient norms show the chart');
    assert.deepEqual(await series(panel), ['layer1']);
    assert.deepEqual(await points(panel), { layer1: 1 });
    await panel.page.close();
  });

  it('speaks Simplified Chinese', async () => {
    const panel = await panelWith(LIGHT, withGradients({ language: 'zh-cn' }));
    assert.equal(await text(panel.page, '#gradient-norms figcaption'), '各组权重的梯度范数');
    assert.equal((await dataset(panel.page, '#chart-gradient-norms')).xAxis, WEBVIEW_STRINGS_ZH_CN[AXIS]);
    assert.match(
      (await panel.page.getAttribute('#chart-gradient-norms', 'aria-label')) ?? '',
      /embeddings.*layer1.*layer2.*output/,
    );
    await panel.page.close();
  });

  for (const theme of THEMES) {
    it(`draws each group in its own colour of the ${theme.name} theme`, async () => {
      const panel = await panelWith(theme, withGradients());
      const colours = JSON.parse((await dataset(panel.page, '#chart-gradient-norms')).colours ?? '[]') as string[];
      assert.equal(colours.length, GROUPS.length);
      assert.equal(new Set(colours).size, GROUPS.length, `distinct colours: ${colours.join(' ')}`);
      const background = await panel.page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-background').trim(),
      );
      assert.ok(!colours.includes(background), 'no series is drawn in the background colour');
      // Something is drawn: the canvas is not blank.
      const inked = await panel.page.evaluate(() => {
        const canvas = document.querySelector('#chart-gradient-norms') as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) count++;
        return count;
      });
      assert.ok(inked > 500, `pixels drawn: ${inked}`);
      assert.deepEqual(await problemsOf(panel), []);
      await panel.page.close();
    });
  }
});
