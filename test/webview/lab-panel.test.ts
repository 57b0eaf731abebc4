/** The lab panel fed with the engine recording: curves, shapes, attention map, epoch replay. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { AttentionMap } from '../../src/protocol/run';
import { loadRecording } from './fixtures/recording';
import { launchBrowser, openPanel, posted, problemsOf, send, settle, type Panel } from './harness';
import { cellPixel, choose, dataset, detail, text } from './queries';
import { LIGHT } from './themes';

const recording = loadRecording();
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function fedPanel(all = true): Promise<Panel> {
  const panel = await openPanel(browser, { theme: LIGHT });
  await send(panel.page, recording.init);
  if (all) await send(panel.page, ...recording.rest);
  return panel;
}

/** The map the probe view shows by default: probe 0, greedy rows, first head, newest epoch. */
function latestGreedyMap(probe = 0): AttentionMap {
  const last = recording.epochs[recording.epochs.length - 1].attention!;
  return last.probes[probe].greedy[0];
}

describe('lab panel: curves and shapes', () => {
  it('posts ready on load', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    assert.deepEqual(await posted(panel.page), [{ type: 'ready' }]);
    await panel.page.close();
  });

  it('draws exactly one point per epoch for train and validation loss, live', async () => {
    const panel = await fedPanel(false);
    const initialEpochs = recording.init.run!.metrics.filter((m) => m.kind === 'epoch').length;
    let points = await dataset(panel.page, '#loss-chart');
    assert.equal(Number(points.pointsTrain), initialEpochs);
    assert.equal(Number(points.pointsValidation), initialEpochs);

    await send(panel.page, ...recording.rest);
    const epochs = new Set([
      ...recording.init.run!.metrics.filter((m) => m.kind === 'epoch').map((m) => m.epoch),
      ...recording.epochs.map((m) => m.metrics.epoch),
    ]);
    points = await dataset(panel.page, '#loss-chart');
    assert.equal(Number(points.pointsTrain), epochs.size);
    assert.equal(Number(points.pointsValidation), epochs.size);
    const steps =
      recording.messages.filter((m) => m.type === 'step').length +
      recording.init.run!.metrics.filter((m) => m.kind === 'step').length;
    assert.equal(Number(points.pointsSteps), steps);
    const accuracy = await dataset(panel.page, '#accuracy-chart');
    assert.equal(Number(accuracy.pointsTokenAccuracy), epochs.size);
    assert.equal(Number(accuracy.pointsExactMatch), epochs.size);

    // A repeated epoch record (e.g. re-sent by the host) replaces, never duplicates.
    await send(panel.page, recording.epochs[recording.epochs.length - 1]);
    assert.equal(Number((await dataset(panel.page, '#loss-chart')).pointsTrain), epochs.size);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('lists every shape, attention_weights / context / logits first, with dimension names', async () => {
    const panel = await fedPanel(false);
    const shapes = recording.init.run!.shapes;
    const first = ['attention_weights', 'context', 'logits'];
    for (const name of first)
      assert.ok(
        shapes.some((s) => s.name === name),
        `the engine recorded ${name}`,
      );
    const rows = await panel.page.$$eval('.shape-table tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent)),
    );
    assert.deepEqual(
      rows.map((r) => r[0]),
      [...first, ...shapes.map((s) => s.name).filter((name) => !first.includes(name))],
    );
    const shown = (name: string): string => {
      const entry = shapes.find((s) => s.name === name)!;
      return `[${entry.dims.join(', ')}] = [${entry.shape.join(', ')}]`;
    };
    assert.deepEqual(shapes.find((s) => s.name === 'attention_weights')!.dims, ['batch', 'target_len', 'source_len']);
    assert.equal(rows[0][1], shown('attention_weights'));
    assert.equal(rows[2][1], shown('logits'));
    const meaning = shapes.find((s) => s.name === 'attention_weights')!.meaning.en;
    assert.equal(rows[0][2], meaning);
    await panel.page.close();
  });
});

describe('lab panel: attention map', () => {
  it('colours cells darker for larger weights (pixel luminance is monotonic)', async () => {
    const panel = await fedPanel();
    const map = latestGreedyMap();
    const cells = map.weights.flatMap((row, r) => row.map((w, c) => ({ r, c, w })));
    cells.sort((a, b) => a.w - b.w);
    // the smallest, a few in between, and the largest weight, with clearly different values
    const picks = [
      cells[0],
      ...[0.6, 0.9, 0.97].map((q) => cells[Math.floor(q * (cells.length - 1))]),
      cells[cells.length - 1],
    ];
    const lum = [];
    for (const cell of picks) lum.push((await cellPixel(panel.page, cell.r, cell.c)).luminance);
    for (let i = 1; i < picks.length; i++) {
      if (picks[i].w - picks[i - 1].w > 0.01)
        assert.ok(lum[i] < lum[i - 1], `weight ${picks[i].w} should be darker than ${picks[i - 1].w}`);
    }
    assert.ok(lum[0] - lum[lum.length - 1] > 0.4, 'large and small weights are far apart in lightness');
    await panel.page.close();
  });

  it('shows the clicked target token row: values equal the fixture row and sum to 1', async () => {
    const panel = await fedPanel();
    const map = latestGreedyMap();
    const row = 3;
    await panel.page.click(`#probe-map .row-label[data-index="${row}"]`);
    await settle(panel.page);
    const shown = await detail(panel.page);
    assert.equal(shown.axis, 'row');
    assert.equal(shown.index, row);
    assert.deepEqual(shown.values, map.weights[row]);
    const sum = shown.values.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-3, `row sums to ${sum}`);
    assert.match(shown.sumText, /1\.000/);
    const top = map.weights[row].indexOf(Math.max(...map.weights[row]));
    assert.ok(shown.topText.includes(map.columnTokens[top]), shown.topText);
    assert.equal((await dataset(panel.page, '#probe-map')).selectedRow, String(row));
    await panel.page.close();
  });

  it('moves the selected row with ArrowDown / ArrowUp and columns with ArrowRight / ArrowLeft', async () => {
    const panel = await fedPanel();
    const map = latestGreedyMap();
    await panel.page.click('#probe-map .row-label[data-index="2"]');
    await panel.page.focus('#probe-map-canvas');
    await panel.page.keyboard.press('ArrowDown');
    await settle(panel.page);
    let shown = await detail(panel.page);
    assert.equal(shown.index, 3);
    assert.deepEqual(shown.values, map.weights[3]);
    await panel.page.keyboard.press('ArrowUp');
    await panel.page.keyboard.press('ArrowUp');
    await settle(panel.page);
    shown = await detail(panel.page);
    assert.equal(shown.index, 1);
    assert.deepEqual(shown.values, map.weights[1]);

    await panel.page.keyboard.press('ArrowRight');
    await settle(panel.page);
    shown = await detail(panel.page);
    assert.equal(shown.axis, 'column');
    assert.equal(shown.index, 0);
    assert.deepEqual(
      shown.values,
      map.weights.map((r) => r[0]),
    );
    await panel.page.click('#probe-map .column-label[data-index="4"]');
    await settle(panel.page);
    assert.equal((await detail(panel.page)).index, 4);
    await panel.page.close();
  });

  it("reads the hovered cell's weight", async () => {
    const panel = await fedPanel();
    const map = latestGreedyMap();
    await panel.page.locator('#probe-map-canvas').scrollIntoViewIfNeeded();
    const box = (await panel.page.locator('#probe-map-canvas').boundingBox())!;
    const cell = Number((await dataset(panel.page, '#probe-map-canvas')).cellSize);
    await panel.page.mouse.move(box.x + 2.5 * cell, box.y + 1.5 * cell);
    await settle(panel.page);
    const readout = await dataset(panel.page, '#probe-map .map-readout');
    assert.equal(Number(readout.value), map.weights[1][2]);
    assert.ok((await text(panel.page, '#probe-map .map-readout')).includes(map.weights[1][2].toFixed(3)));
    await panel.page.close();
  });

  it('switches to teacher-forced rows', async () => {
    const panel = await fedPanel();
    await panel.page.click('#mode-teacherForced');
    await settle(panel.page);
    const map = recording.epochs[recording.epochs.length - 1].attention!.probes[0].teacherForced[0];
    const labels = await panel.page.$$eval('#probe-map .row-label', (els) => els.map((e) => e.textContent));
    assert.deepEqual(labels, map.rowTokens);
    await panel.page.close();
  });
});

describe('lab panel: epoch replay', () => {
  it('follows live epochs while the slider is at the newest epoch', async () => {
    const panel = await fedPanel(false);
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, String(recording.init.run!.attention!.epoch));
    await send(panel.page, ...recording.rest);
    const last = recording.epochs[recording.epochs.length - 1].metrics.epoch;
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, String(last));
    const slider = await panel.page.$eval('#epoch-slider', (s) => [
      (s as HTMLInputElement).value,
      (s as HTMLInputElement).max,
    ]);
    assert.equal(slider[0], slider[1]);
    await panel.page.close();
  });

  it('posts requestAttention and shows the snapshot the host answers with', async () => {
    const panel = await fedPanel(false);
    const [firstEpoch, latestEpoch] = [recording.init.run!.attentionEpochs[0], recording.init.run!.attention!.epoch];
    await panel.page.focus('#epoch-slider');
    await panel.page.keyboard.press('Home');
    await panel.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'requestAttention'),
    );
    assert.deepEqual(
      (await posted(panel.page)).filter((m) => m.type === 'requestAttention'),
      [{ type: 'requestAttention', epoch: firstEpoch }],
    );
    // Before the answer the latest snapshot stays on screen.
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, String(latestEpoch));

    await panel.page.click('#probe-map .row-label[data-index="0"]');
    const before = await detail(panel.page);
    const snapshot = recording.attentionFor(firstEpoch)!;
    assert.ok(snapshot, "the recording has the first epoch's snapshot");
    await send(panel.page, { type: 'attention', snapshot });
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, String(firstEpoch));
    const after = await detail(panel.page);
    assert.deepEqual(after.values, snapshot.probes[0].greedy[0].weights[0]);
    assert.notDeepEqual(after.values, before.values);

    // A live epoch arriving now does not pull the slider away from the replayed epoch.
    await send(panel.page, recording.epochs[0]);
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, String(firstEpoch));
    assert.equal(await panel.page.$eval('#epoch-slider', (s) => (s as HTMLInputElement).value), '0');
    // Back at the newest epoch it follows again, without asking the host.
    await panel.page.focus('#epoch-slider');
    await panel.page.keyboard.press('End');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, String(recording.epochs[0].metrics.epoch));
    assert.equal((await posted(panel.page)).filter((m) => m.type === 'requestAttention').length, 1);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});

describe('lab panel: header, samples, heads', () => {
  it('shows live progress, then the final status', async () => {
    const panel = await fedPanel(false);
    const progress = recording.rest.find((m) => m.type === 'progress')!;
    await send(panel.page, progress);
    assert.ok(await panel.page.isVisible('.live-badge'));
    if (progress.type === 'progress') {
      assert.ok(
        (await text(panel.page, '#progress-text')).includes(
          `Epoch ${progress.epoch} / ${progress.epochs} · batch ${progress.batch} / ${progress.batches}`,
        ),
      );
    }
    assert.equal(await text(panel.page, '#run-id'), recording.init.run!.runId);
    assert.equal(await text(panel.page, '#backend'), recording.init.run!.config.backend);
    assert.equal((await dataset(panel.page, '#status-badge')).state, 'running');
    await send(panel.page, ...recording.rest);
    assert.equal((await dataset(panel.page, '#status-badge')).state, 'completed');
    assert.equal(await panel.page.isVisible('.live-badge'), false);
    await panel.page.close();
  });

  it('marks wrong predicted tokens with a class and an underline', async () => {
    const panel = await fedPanel();
    const samples = recording.epochs[recording.epochs.length - 1].samples.samples;
    const wrongTokens = samples.flatMap((s) => s.predictedTokens.filter((token, i) => token !== s.targetTokens[i]));
    assert.ok(wrongTokens.length > 0, 'the recording has a wrong prediction');
    const marked = await panel.page.$$eval('.sample-predicted .token-wrong', (els) =>
      els.map((e) => ({
        text: e.textContent,
        line: getComputedStyle(e).textDecorationLine,
        hidden: e.nextElementSibling?.className,
      })),
    );
    assert.deepEqual(
      marked.map((m) => m.text),
      wrongTokens,
    );
    for (const m of marked) {
      assert.equal(m.line, 'underline');
      assert.equal(m.hidden, 'visually-hidden');
    }
    await panel.page.close();
  });

  it('offers a head selector only when a probe has several layers / heads', async () => {
    const single = await fedPanel(false);
    assert.equal(await single.page.isVisible('#head-select'), false);
    await single.page.close();

    const init = JSON.parse(JSON.stringify(recording.init)) as typeof recording.init;
    const probe = init.run!.attention!.probes[0];
    const second: AttentionMap = {
      ...probe.greedy[0],
      head: 1,
      label: 'head 2',
      weights: probe.greedy[0].weights.map((row) => [...row].reverse()),
    };
    probe.greedy.push(second);
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, init);
    assert.equal(await panel.page.isVisible('#head-select'), true);
    await panel.page.click('#probe-map .row-label[data-index="0"]');
    await choose(panel.page, '#head-select', '1');
    await settle(panel.page);
    assert.deepEqual((await detail(panel.page)).values, second.weights[0]);
    await panel.page.close();
  });
});
