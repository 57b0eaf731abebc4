/**
 * The comparison panel in headless Chromium: three runs give three curves per chart and three
 * maps for one probe on one colour scale; the difference map (diverging, masked cells drawn as
 * masked) and its numbers; highlighted config differences; what is not shared is said; runs
 * joining live; keyboard reading of one cell in every run; saving; both languages; themes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { HostToWebview } from '../../src/shared/protocol/webview';
import { packedMapDifference } from '../../src/shared/run/comparison';
import {
  checked,
  ENCODER_DECODER,
  encoderDecoderSnapshot,
  encoderOnlyInit,
  evaluation,
  runSnapshot,
  TRANSFORMER,
  transformerSnapshot,
} from './fixtures/formatTwo';
import { launchBrowser, openPanel, posted, problemsOf, savedState, send, settle, type Panel } from './harness';
import { cellPixel, choose, dataset, text } from './queries';
import { DARK, HIGH_CONTRAST, LIGHT, type TestTheme } from './themes';
import { compareInit, entry, SELF, selfRun, selfSnapshot } from './fixtures/compareRuns';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function panelWith(message: HostToWebview, theme: TestTheme = LIGHT): Promise<Panel> {
  const panel = await openPanel(browser, { theme });
  await send(panel.page, message);
  await settle(panel.page);
  return panel;
}

const threeRuns = () => [selfRun(0), selfRun(1), selfRun(2)];

describe('comparison panel: three runs', () => {
  it('draws three curves per chart, with a legend naming variant and seed', async () => {
    const panel = await panelWith(compareInit(threeRuns().map((run) => entry(run))));
    const charts = await panel.page.$$eval('#compare-charts-section canvas.chart-canvas', (canvases) =>
      canvases.map((c) => ({
        chart: (c as HTMLElement).dataset.chart,
        series: (c as HTMLElement).dataset.series,
        points: (c as HTMLElement).dataset.points,
      })),
    );
    assert.deepEqual(
      charts.map((c) => c.chart),
      ['loss', 'accuracy', 'entropy'],
    );
    for (const chart of charts) {
      assert.equal(chart.series, '3', `${chart.chart}: one line per run`);
      assert.deepEqual(JSON.parse(chart.points ?? '{}'), { A: 3, B: 3, C: 3 }, chart.chart);
    }
    const legends = await panel.page.$$eval('#compare-runs .compare-run-legend', (items) =>
      items.map((i) => i.textContent),
    );
    assert.deepEqual(legends, ['A · scaled · seed 42', 'B · unscaled · seed 42', 'C · no positions · seed 42']);
    assert.equal(await text(panel.page, '#compare-title'), 'Comparison of 3 runs');
    assert.equal(await text(panel.page, '#compare-subtitle'), 'Self-attention · task reverse · seed 42');
    assert.equal(
      await text(panel.page, '#compare-not-shared li'),
      'The runs share their chapter, task and seed: every curve, setting and map below is compared.',
    );
    // The loss chart shows the validation loss first; its metric selector switches to the train loss.
    assert.equal((await dataset(panel.page, '#compare-chart-loss')).metric, 'val_loss');
    await choose(panel.page, '#compare-metric-loss', '0');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '#compare-chart-loss')).metric, 'train_loss');
    assert.equal((await dataset(panel.page, '#compare-chart-loss')).series, '3');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('draws the three maps of a shared probe side by side on one scale, masked cells hatched', async () => {
    const runs = threeRuns();
    const panel = await panelWith(compareInit(runs.map((run) => entry(run))));
    assert.equal((await dataset(panel.page, '.compare-attention')).maps, '3');
    const maps = await panel.page.$$eval('#compare-maps .compare-map', (figures) =>
      figures.map((f) => ({
        runId: (f as HTMLElement).dataset.runId,
        caption: f.querySelector('figcaption')?.textContent,
      })),
    );
    assert.deepEqual(
      maps.map((m) => m.runId),
      runs.map((r) => r.runId),
    );
    assert.deepEqual(
      maps.map((m) => m.caption),
      ['A · scaled · epoch 3', 'B · unscaled · epoch 3', 'C · no positions · epoch 3'],
    );
    // One colour scale: the same weight gives the same colour in every map (a near-1 cell of A is darker than a near-0.2 one of C).
    const sizes = await panel.page.$$eval('#compare-maps canvas', (canvases) =>
      canvases.map((c) => [
        (c as HTMLElement).dataset.rows,
        (c as HTMLElement).dataset.columns,
        (c as HTMLElement).dataset.cellSize,
      ]),
    );
    assert.equal(new Set(sizes.map((s) => JSON.stringify(s))).size, 1, 'same size and cell size');
    const masked = await cellPixel(panel.page, 0, 4, 'compare-map-0');
    const spread = Math.max(...masked.rgb) - Math.min(...masked.rgb);
    assert.ok(spread < 40, `a masked cell is hatched in grey, not a weight colour: ${masked.rgb}`);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('shows the difference map on a diverging scale with its largest and mean |difference|', async () => {
    const runs = threeRuns();
    const panel = await panelWith(compareInit(runs.map((run) => entry(run))));
    assert.equal((await dataset(panel.page, '.compare-attention')).difference, 'false');
    await panel.page.click('#compare-difference-toggle');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '.compare-attention')).difference, 'true');
    const [a, b] = [runs[0], runs[1]].map((run) => run.attention!.probes[0].maps[0]);
    const expected = packedMapDifference(a, b)!;
    const stats = await dataset(panel.page, '#compare-difference-stats');
    assert.ok(Math.abs(Number(stats.max) - expected.maxAbs) < 1e-6, `${stats.max} vs ${expected.maxAbs}`);
    assert.ok(Math.abs(Number(stats.mean) - expected.meanAbs) < 1e-6);
    assert.equal(stats.cells, String(expected.cells));
    assert.equal(expected.cells, 20, 'the masked column is excluded');
    assert.match(await text(panel.page, '#compare-difference-map figcaption'), /^Difference B − A$/);
    // The cell of the largest difference is strongly tinted; a masked cell is hatched grey.
    let strongest = 0;
    expected.difference.forEach((d, i) => {
      if (Math.abs(d) > Math.abs(expected.difference[strongest])) strongest = i;
    });
    const tinted = await cellPixel(panel.page, Math.floor(strongest / 5), strongest % 5, 'compare-difference-map');
    assert.ok(Math.max(...tinted.rgb) - Math.min(...tinted.rgb) > 50, `tinted: ${tinted.rgb}`);
    const hue = expected.difference[strongest] > 0 ? 'red' : 'blue';
    assert.ok(hue === 'red' ? tinted.rgb[0] > tinted.rgb[2] : tinted.rgb[2] > tinted.rgb[0], `${hue}: ${tinted.rgb}`);
    const masked = await cellPixel(panel.page, 2, 4, 'compare-difference-map');
    assert.ok(Math.max(...masked.rgb) - Math.min(...masked.rgb) < 40, `masked: ${masked.rgb}`);
    // Another pair: C − A.
    await choose(panel.page, '#compare-difference-to', '2');
    await settle(panel.page);
    const other = packedMapDifference(a, runs[2].attention!.probes[0].maps[0])!;
    assert.ok(Math.abs(Number((await dataset(panel.page, '#compare-difference-stats')).max) - other.maxAbs) < 1e-6);
    const state = await savedState(panel.page);
    assert.deepEqual(
      {
        difference: (state as unknown as { difference: boolean }).difference,
        to: (state as unknown as { differenceTo: number }).differenceTo,
      },
      { difference: true, to: 2 },
    );
    await panel.page.close();
  });

  it('highlights the settings that differ', async () => {
    const panel = await panelWith(compareInit(threeRuns().map((run) => entry(run))));
    const rows = await panel.page.$$eval('#compare-config tbody tr', (trs) =>
      trs.map((tr) => ({
        key: (tr as HTMLElement).dataset.key,
        differs: (tr as HTMLElement).dataset.differs,
        cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
        background: getComputedStyle(tr).backgroundColor,
      })),
    );
    const differing = rows.filter((row) => row.differs === 'true');
    assert.deepEqual(
      differing.map((row) => row.key),
      ['variant', 'positions', 'scaled'],
    );
    assert.deepEqual(differing[0].cells, ['scaled', 'unscaled', 'no-positions']);
    const same = rows.find((row) => row.key === 'seed');
    assert.ok(same && same.differs === 'false');
    assert.notEqual(differing[0].background, same.background, 'a differing row is highlighted');
    assert.match(await text(panel.page, '#compare-config tr[data-key="variant"] th'), /^≠ variant \(differs\)$/);
    assert.equal(await text(panel.page, '#compare-config-summary'), '3 setting(s) differ; they are highlighted.');
    await panel.page.close();
  });

  it('lists the value each run reached at its last evaluation, one column per run', async () => {
    const panel = await panelWith(compareInit(threeRuns().map((run) => entry(run))));
    const rows = await panel.page.$$eval('#compare-values tbody tr', (trs) =>
      trs.map((tr) => [(tr as HTMLElement).dataset.key, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]),
    );
    const columns = await panel.page.$$eval('#compare-values thead th', (ths) => ths.map((th) => th.textContent));
    assert.deepEqual(columns, ['Metric', 'A', 'B', 'C']);
    // Each run's third evaluation: train loss 2.2 / 3, validation loss 2 / 3 + 0.1, token accuracy
    // (0.3 − 0.1 · run) · 3 (the fixture's curves), attention entropy 1.5 / 3.
    assert.deepEqual(rows, [
      ['epoch', '3', '3', '3'],
      ['train_loss', '0.7333', '0.7333', '0.7333'],
      ['val_loss', '0.7667', '0.7667', '0.7667'],
      ['val_token_accuracy', '0.900', '0.600', '0.300'],
      ['attention_entropy', '0.5000', '0.5000', '0.5000'],
    ]);
    assert.equal(await text(panel.page, '#compare-values tr[data-key="epoch"] th'), 'evaluation');
    await panel.page.close();
  });

  it('reads one cell in every run with the keyboard', async () => {
    const panel = await panelWith(compareInit(threeRuns().map((run) => entry(run))));
    await panel.page.focus('#compare-map-1-canvas');
    // The first arrow puts the cell on the first query and key; the next ones move it.
    await panel.page.keyboard.press('ArrowDown');
    await settle(panel.page);
    await panel.page.keyboard.press('ArrowDown');
    await panel.page.keyboard.press('ArrowRight');
    await panel.page.keyboard.press('ArrowRight');
    await settle(panel.page);
    const readout = await dataset(panel.page, '#compare-readout');
    assert.equal(readout.row, '1');
    assert.equal(readout.column, '2');
    assert.equal(JSON.parse(readout.values).length, 3);
    assert.match(await text(panel.page, '#compare-readout'), /^“1” → “4”: A 0\.\d{3}, B 0\.\d{3}, C 0\.\d{3}$/);
    await panel.page.keyboard.press('End');
    await settle(panel.page);
    assert.match(await text(panel.page, '#compare-readout'), /: A masked, B masked, C masked$/);
    await panel.page.keyboard.press('Escape');
    await settle(panel.page);
    assert.equal(await text(panel.page, '#compare-readout'), '');
    await panel.page.close();
  });
});

describe('comparison panel: what is not shared', () => {
  it('runs of different chapters and tasks: compared on what they share, the rest said', async () => {
    const seq = runSnapshot({ chapter: ENCODER_DECODER, snapshot: encoderDecoderSnapshot });
    const panel = await panelWith(compareInit([entry(seq), entry(selfRun(0))], { chapters: [ENCODER_DECODER, SELF] }));
    const items = await panel.page.$$eval('#compare-not-shared li', (lis) =>
      lis.map((li) => [(li as HTMLElement).dataset.kind, li.textContent]),
    );
    const kinds = items.map(([kind]) => kind);
    assert.ok(kinds.includes('chapter') && kinds.includes('task'), kinds.join());
    assert.ok(
      items.some(
        ([kind, line]) => kind === 'metric' && line === 'The metric “attention entropy” is declared by B only.',
      ),
      JSON.stringify(items),
    );
    assert.ok(
      items.some(
        ([, line]) =>
          line === 'Different chapters (Attention Seq2Seq, Self-attention): only what they share is compared.',
      ),
    );
    assert.ok(
      items.some(([kind]) => kind === 'probe'),
      'their probes differ',
    );
    const charts = await panel.page.$$eval('#compare-charts-section canvas.chart-canvas', (cs) =>
      cs.map((c) => (c as HTMLElement).dataset.chart),
    );
    assert.deepEqual(charts, ['loss', 'accuracy'], 'no entropy chart: not shared');
    assert.equal(await text(panel.page, '#compare-subtitle'), '');
    assert.equal((await dataset(panel.page, '.compare-attention')).maps, '0');
    assert.equal(await text(panel.page, '.compare-maps-empty'), 'The runs share no attention map yet.');
    await panel.page.close();
  });

  it('a run that cannot be read is named with its reason; the others are compared', async () => {
    const panel = await panelWith(
      compareInit([
        entry(selfRun(0)),
        { ok: false, runId: '20250101-120009-self-attention', reason: 'folder does not exist' },
        entry(selfRun(2)),
      ]),
    );
    assert.equal(
      await text(panel.page, '#compare-damaged li'),
      'Not compared: 20250101-120009-self-attention cannot be read (folder does not exist).',
    );
    assert.equal((await dataset(panel.page, '#compare-chart-loss')).series, '2');
    await panel.page.close();
  });
});

describe('comparison panel: live, save, open', () => {
  it('a reused run of the comparison’s other chapter takes the place it waited under, not a variant’s of the same name', async () => {
    // Train Variants… on transformer: nothing trained yet; attention-seq2seq's finished run is reused first.
    const panel = await panelWith(
      compareInit([], { chapters: [TRANSFORMER, ENCODER_DECODER], waiting: ['default', 'attention-seq2seq'] }),
    );
    assert.equal(
      await text(panel.page, '#compare-waiting'),
      'Still to train, in this order: default, attention-seq2seq.',
    );
    const reused = runSnapshot({ chapter: ENCODER_DECODER, snapshot: encoderDecoderSnapshot, state: 'completed' });
    assert.equal(reused.config.variant, 'default');
    await send(panel.page, checked({ type: 'compareRun', entry: entry(reused), chapter: ENCODER_DECODER }));
    assert.equal(await text(panel.page, '#compare-waiting'), 'Still to train, in this order: default.');
    const transformerRun = runSnapshot({ chapter: TRANSFORMER, snapshot: transformerSnapshot, done: 0 });
    await send(panel.page, checked({ type: 'compareRun', entry: entry(transformerRun, true), chapter: TRANSFORMER }));
    assert.equal(await panel.page.isVisible('#compare-waiting'), false, 'nothing waits any more');
    assert.equal((await dataset(panel.page, '#compare-chart-loss')).series, '2');
    await panel.page.close();
  });

  it('runs join as they start and their curves grow', async () => {
    const first = selfRun(0, 1);
    const panel = await panelWith(compareInit([entry(first, true)], { waiting: ['unscaled', 'no-positions'] }));
    assert.equal(await text(panel.page, '#compare-waiting'), 'Still to train, in this order: unscaled, no-positions.');
    assert.equal((await dataset(panel.page, '#compare-chart-loss')).series, '1');
    const second = selfRun(1, 0);
    await send(panel.page, checked({ type: 'compareRun', entry: entry(second, true), chapter: SELF }));
    assert.equal(await text(panel.page, '#compare-waiting'), 'Still to train, in this order: no-positions.');
    assert.equal((await dataset(panel.page, '#compare-chart-loss')).series, '2');
    assert.deepEqual(JSON.parse((await dataset(panel.page, '#compare-chart-loss')).points), { A: 1, B: 0 });
    await send(
      panel.page,
      checked({
        type: 'compareEpoch',
        runId: second.runId,
        metrics: evaluation(SELF, 1),
        attention: selfSnapshot(1)(1),
      }),
      checked({
        type: 'compareEpoch',
        runId: second.runId,
        metrics: evaluation(SELF, 2),
        attention: selfSnapshot(1)(2),
      }),
    );
    assert.deepEqual(JSON.parse((await dataset(panel.page, '#compare-chart-loss')).points), { A: 1, B: 2 });
    assert.deepEqual(
      await panel.page.$$eval('#compare-values tr[data-key="epoch"] td', (tds) => tds.map((td) => td.textContent)),
      ['1', '2'],
      'the values table follows the live evaluations',
    );
    assert.equal((await dataset(panel.page, '.compare-attention')).maps, '2');
    await send(
      panel.page,
      checked({
        type: 'compareStatus',
        runId: second.runId,
        status: { state: 'completed', startedAt: '2025-01-01T12:00:00Z', epochsCompleted: 2 },
        live: false,
      }),
    );
    assert.match(
      await text(panel.page, `#compare-runs li[data-run-id="${second.runId}"] .compare-run-details`),
      /completed · 2\/6$/,
    );
    // A message for a run the panel does not show changes nothing.
    await send(
      panel.page,
      checked({ type: 'compareEpoch', runId: 'other', metrics: evaluation(SELF, 1), attention: null }),
    );
    assert.equal((await dataset(panel.page, '#compare-chart-loss')).series, '2');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('saves under a valid name, refuses an invalid one, and opens a run in the lab', async () => {
    const runs = threeRuns();
    const panel = await panelWith(compareInit(runs.map((run) => entry(run))));
    const sent = async () => (await posted(panel.page)).filter((m) => m.type !== 'ready');
    await panel.page.fill('#compare-save-name >> input', '../bad');
    await panel.page.click('#compare-save-button');
    await settle(panel.page);
    assert.deepEqual(await sent(), []);
    assert.match(await text(panel.page, '#messages'), /A name is letters, digits/);
    await panel.page.fill('#compare-save-name >> input', 'scaled vs unscaled');
    await panel.page.click('#compare-save-button');
    await settle(panel.page);
    assert.deepEqual(await sent(), [{ type: 'saveComparison', name: 'scaled vs unscaled' }]);
    await send(panel.page, checked({ type: 'compareSaved', name: 'scaled vs unscaled' }));
    assert.equal(await text(panel.page, '#compare-title'), 'Comparison “scaled vs unscaled”');
    assert.match(await text(panel.page, '#compare-save-note'), /^Saved as “scaled vs unscaled”/);
    const state = (await savedState(panel.page)) as unknown as { view: string; runIds: string[]; name: string };
    assert.deepEqual(
      [state.view, state.runIds, state.name],
      ['compare', runs.map((r) => r.runId), 'scaled vs unscaled'],
    );
    await panel.page.click('#compare-open-1');
    await settle(panel.page);
    assert.deepEqual((await sent()).at(-1), { type: 'openRun', runId: runs[1].runId });
    await panel.page.close();
  });

  it('in Simplified Chinese', async () => {
    const panel = await panelWith(
      compareInit(
        threeRuns().map((run) => entry(run)),
        { language: 'zh-cn' },
      ),
    );
    assert.equal(await text(panel.page, '#compare-title'), '3 个运行的比较');
    assert.equal(await text(panel.page, '#compare-runs li .compare-run-legend'), 'A · 缩放 · 种子 42');
    assert.equal(await text(panel.page, '#compare-config-summary'), '有 3 项设置不同，已高亮显示。');
    assert.equal(await panel.page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await panel.page.close();
  });

  it('gives each run its own colour in light, dark and high-contrast themes', async () => {
    for (const theme of [LIGHT, DARK, HIGH_CONTRAST]) {
      const panel = await panelWith(compareInit(threeRuns().map((run) => entry(run))), theme);
      const colours = await panel.page.$$eval('#compare-runs .compare-swatch', (cs) =>
        cs.map((c) => (c as HTMLElement).dataset.colour),
      );
      assert.equal(new Set(colours).size, 3, `${theme.name}: ${colours}`);
      assert.deepEqual(await problemsOf(panel), [], theme.name);
      await panel.page.close();
    }
  });
});

describe('lab panel: the chapter’s comparison', () => {
  it('offers “Train the comparison” for a chapter that declares one, and posts trainComparison', async () => {
    const panel = await panelWith(encoderOnlyInit({}, { chapter: SELF }));
    assert.equal(
      await text(panel.page, '#comparison-note'),
      'Trains the variants scaled, unscaled, no positions on the task reverse with one seed and the same data, one after another, and opens them side by side.',
    );
    await panel.page.click('#train-comparison-button');
    await settle(panel.page);
    assert.deepEqual((await posted(panel.page)).at(-1), { type: 'trainComparison' });
    await panel.page.close();
    const other = await panelWith(encoderOnlyInit({}, { chapter: { ...SELF, comparison: null } }));
    assert.equal(await other.page.$('#train-comparison-button'), null);
    await other.page.close();
  });
});
