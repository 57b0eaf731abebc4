/** The attention maps of any model: overview, selection, masks, row sums, GQA, damage, replay, speed. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { mapKey } from '../../src/shared/run/attention';
import type { AttentionMap, AttentionSnapshot } from '../../src/shared/run/records';
import { WEBVIEW_STRINGS_EN } from '../../src/shared/strings/webview';
import {
  bigInit,
  bigSnapshot,
  encoderOnlyInit,
  epochMessage,
  gqaInit,
  makeMap,
  row,
  rowSum,
  TRANSFORMER,
  transformerInit,
  transformerSnapshot,
  unpacked,
} from './fixtures/formatTwo';
import { launchBrowser, openPanel, posted, problemsOf, savedState, send, settle, type Panel } from './harness';
import { cellColours, choose, dataset, detail, text, thumbnails } from './queries';
import { LIGHT } from './themes';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

async function panelWith(init: Parameters<typeof send>[1]): Promise<Panel> {
  const panel = await openPanel(browser, { theme: LIGHT });
  await send(panel.page, init);
  return panel;
}

function mapsOf(snapshot: AttentionSnapshot, probe: number, mode: AttentionMap['mode']): AttentionMap[] {
  return snapshot.probes[probe].maps.filter((map) => map.mode === mode);
}

async function clickThumb(page: Page, key: string): Promise<void> {
  await page.click(`#probe-overview .map-thumb[data-key="${key}"]`);
  await settle(page);
}

describe('map overview', () => {
  it('shows one thumbnail per map of the probe and mode, grouped, rows = layers and columns = heads', async () => {
    const init = transformerInit();
    const snapshot = init.run!.attention!;
    const panel = await panelWith(init);
    // A probe with generated rows opens on them.
    assert.equal((await dataset(panel.page, '.attention-panel')).mode, 'generated');
    let shown = await thumbnails(panel.page);
    assert.deepEqual(shown.keys.sort(), mapsOf(snapshot, 0, 'generated').map(mapKey).sort());
    assert.equal(shown.keys.length, 16);
    const groups = await panel.page.$$eval('#probe-overview .overview-group', (sections) =>
      sections.map((s) => ({
        id: (s as HTMLElement).dataset.group,
        title: s.querySelector('.overview-title')?.textContent,
        layers: [...s.querySelectorAll('.overview-layer')].map((e) => e.textContent),
        heads: [...s.querySelectorAll('.overview-head')].map((e) => e.textContent),
        thumbs: s.querySelectorAll('.map-thumb').length,
      })),
    );
    assert.deepEqual(groups, [
      {
        id: 'decoder/causal-self',
        title: 'decoder masked self',
        layers: ['layer 1', 'layer 2'],
        heads: ['head 1', 'head 2', 'head 3', 'head 4'],
        thumbs: 8,
      },
      {
        id: 'decoder/cross',
        title: 'cross (decoder → encoder)',
        layers: ['layer 1', 'layer 2'],
        heads: ['head 1', 'head 2', 'head 3', 'head 4'],
        thumbs: 8,
      },
    ]);
    // The forward pass adds the encoder's self-attention.
    await panel.page.click('#mode-forward');
    await settle(panel.page);
    shown = await thumbnails(panel.page);
    assert.equal(shown.keys.length, mapsOf(snapshot, 0, 'forward').length);
    assert.equal(shown.keys.length, 24);
    assert.equal(
      await text(panel.page, '#probe-overview .overview-group[data-group="encoder/self"] .overview-title'),
      'encoder self',
    );
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('draws a grid for a single map too (encoder-only, 1 layer × 1 head), and hides the mode switch', async () => {
    const panel = await panelWith(encoderOnlyInit());
    assert.deepEqual((await thumbnails(panel.page)).keys, ['encoder/self/0/0']);
    assert.equal(await text(panel.page, '#probe-overview .overview-layer'), 'layer 1');
    assert.equal(await text(panel.page, '#probe-overview .overview-head'), 'head 1');
    assert.equal(await panel.page.isVisible('#mode-group'), false);
    assert.equal((await dataset(panel.page, '#probe-map')).mapKey, 'encoder/self/0/0');
    await panel.page.close();
  });

  it('shows the clicked thumbnail large, and saves which map it is', async () => {
    const init = transformerInit();
    const panel = await panelWith(init);
    assert.equal((await dataset(panel.page, '#probe-map')).mapKey, 'decoder/cross/0/0', 'cross-attention first');
    const key = 'decoder/causal-self/1/2';
    await clickThumb(panel.page, key);
    assert.equal((await dataset(panel.page, '#probe-map')).mapKey, key);
    assert.deepEqual((await thumbnails(panel.page)).selected, [key]);
    assert.equal(await text(panel.page, '#probe-map .map-caption'), 'decoder masked self · layer 2 · head 3');
    const map = mapsOf(init.run!.attention!, 0, 'generated').find((m) => mapKey(m) === key)!;
    const labels = await panel.page.$$eval('#probe-map .row-label', (els) => els.map((e) => e.textContent));
    assert.deepEqual(labels, map.rowTokens);
    await panel.page.click('#probe-map .row-label[data-index="3"]');
    await settle(panel.page);
    assert.deepEqual((await detail(panel.page)).values, row(map, 3));
    const state = await savedState(panel.page);
    assert.equal(state?.mapKey, key);
    assert.equal(state?.mode, 'generated');
    await panel.page.close();
  });

  it('is one tab stop: arrow keys move between thumbnails, Enter shows one', async () => {
    const panel = await panelWith(transformerInit());
    const tabStops = await panel.page.$$eval('#probe-overview .map-thumb', (els) =>
      els.filter((e) => (e as HTMLElement).tabIndex === 0).map((e) => (e as HTMLElement).dataset.key),
    );
    assert.deepEqual(tabStops, ['decoder/cross/0/0'], 'the shown map is the tab stop');
    await panel.page.focus('#probe-overview .map-thumb[data-key="decoder/causal-self/0/0"]');
    const focused = () => panel.page.evaluate(() => (document.activeElement as HTMLElement).dataset.key);
    await panel.page.keyboard.press('ArrowRight');
    assert.equal(await focused(), 'decoder/causal-self/0/1');
    await panel.page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'decoder/causal-self/1/1');
    await panel.page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'decoder/cross/0/1', 'down from the last layer goes to the next group');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '#probe-map')).mapKey, 'decoder/cross/0/0', 'moving focus does not select');
    await panel.page.keyboard.press('Enter');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '#probe-map')).mapKey, 'decoder/cross/0/1');
    await panel.page.keyboard.press('End');
    await panel.page.keyboard.press(' ');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '#probe-map')).mapKey, 'decoder/cross/1/3');
    const outline = await panel.page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused thumbnail shows a focus ring');
    await panel.page.close();
  });

  it('keeps the chosen map across probes and snapshots', async () => {
    const init = transformerInit();
    const panel = await panelWith(init);
    await clickThumb(panel.page, 'decoder/causal-self/1/3');
    await choose(panel.page, '#probe-select', '1');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '#probe-map')).mapKey, 'decoder/causal-self/1/3');
    await send(panel.page, epochMessage(TRANSFORMER, 4, transformerSnapshot));
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, '4');
    assert.equal((await dataset(panel.page, '#probe-map')).mapKey, 'decoder/causal-self/1/3');
    await panel.page.close();
  });
});

describe('large map', () => {
  it('hatches masked cells (not drawn as weight 0) and lists them in the legend', async () => {
    const init = transformerInit();
    const panel = await panelWith(init);
    const key = 'decoder/causal-self/0/0';
    await clickThumb(panel.page, key);
    const map = mapsOf(init.run!.attention!, 0, 'generated').find((m) => mapKey(m) === key)!;
    const data = unpacked(map);
    const maskedCells = data.mask!.filter((bit) => bit === 0).length;
    assert.equal(maskedCells, 6, 'a 4×4 causal mask hides 6 future cells');
    assert.equal(Number((await dataset(panel.page, '#probe-map-canvas')).maskedCells), maskedCells);
    // A masked cell carries a hatch (two colours); an allowed cell is one flat colour.
    const masked = await cellColours(panel.page, 0, 3);
    const allowed = await cellColours(panel.page, 3, 0);
    assert.ok(masked.length >= 2, `masked cell colours: ${masked.join(' | ')}`);
    assert.equal(allowed.length, 1, `allowed cell colours: ${allowed.join(' | ')}`);
    assert.ok(!masked.includes(allowed[0]) || masked.length > 1);
    assert.ok(await panel.page.isVisible('#probe-map .map-legend-masked'));
    assert.equal(await text(panel.page, '#probe-map .map-legend-masked'), WEBVIEW_STRINGS_EN.mapLegendMasked);

    // The row's bars say "masked" for masked keys.
    await panel.page.click('#probe-map .row-label[data-index="1"]');
    await settle(panel.page);
    const bars = await panel.page.$$eval('#probe-map-detail .detail-bar', (els) =>
      els.map((e) => [(e as HTMLElement).dataset.masked, e.querySelector('.detail-value')?.textContent]),
    );
    assert.deepEqual(
      bars.map((b) => b[0]),
      ['false', 'false', 'true', 'true'],
    );
    assert.equal(bars[2][1], WEBVIEW_STRINGS_EN.detailMasked);

    // Hovering a masked cell reads "masked", not 0.000.
    await panel.page.locator('#probe-map-canvas').scrollIntoViewIfNeeded();
    const box = (await panel.page.locator('#probe-map-canvas').boundingBox())!;
    const cell = Number((await dataset(panel.page, '#probe-map-canvas')).cellSize);
    await panel.page.mouse.move(box.x + 3.5 * cell, box.y + 0.5 * cell);
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '#probe-map .map-readout')).value, 'masked');
    await panel.page.mouse.move(box.x + 0.5 * cell, box.y + 2.5 * cell);
    await settle(panel.page);
    assert.equal(Number((await dataset(panel.page, '#probe-map .map-readout')).value), data.weights[2 * 4 + 0]);

    // A map without a mask has no hatch and no legend entry.
    await clickThumb(panel.page, 'decoder/cross/0/0');
    await panel.page.click('#mode-forward');
    await settle(panel.page);
    await clickThumb(panel.page, 'encoder/self/0/0');
    assert.equal(Number((await dataset(panel.page, '#probe-map-canvas')).maskedCells), 6, 'the <pad> column is masked');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it("shows each row's sum beside the map", async () => {
    const init = transformerInit();
    const panel = await panelWith(init);
    const map = mapsOf(init.run!.attention!, 0, 'generated').find((m) => mapKey(m) === 'decoder/cross/0/0')!;
    const sums = await panel.page.$$eval('#probe-map .row-sum', (els) =>
      els.map((e) => [Number((e as HTMLElement).dataset.sum), e.textContent]),
    );
    assert.equal(sums.length, map.rowTokens.length);
    sums.forEach(([sum, shown], r) => {
      assert.equal(sum, rowSum(map, r));
      assert.equal(shown, '1.000');
    });
    assert.equal(await text(panel.page, '#probe-map .map-row-sums-header'), 'Σ');
    await panel.page.close();
  });

  it('selects rows and columns with the arrow keys and Enter', async () => {
    const init = transformerInit();
    const panel = await panelWith(init);
    const map = mapsOf(init.run!.attention!, 0, 'generated').find((m) => mapKey(m) === 'decoder/cross/0/0')!;
    await panel.page.focus('#probe-map-canvas');
    await panel.page.keyboard.press('Enter');
    await settle(panel.page);
    assert.deepEqual((await detail(panel.page)).values, row(map, 0));
    await panel.page.keyboard.press('ArrowDown');
    await panel.page.keyboard.press('ArrowDown');
    await settle(panel.page);
    const shown = await detail(panel.page);
    assert.equal(shown.index, 2);
    assert.deepEqual(shown.values, row(map, 2));
    assert.match(shown.sumText, /1\.000/);
    await panel.page.keyboard.press('ArrowRight');
    await settle(panel.page);
    const column = await detail(panel.page);
    assert.equal(column.axis, 'column');
    const data = unpacked(map);
    assert.deepEqual(
      column.values,
      Array.from({ length: data.rows }, (_, r) => data.weights[r * data.columns]),
    );
    await panel.page.close();
  });

  it('says which query heads share a key/value head (grouped-query attention)', async () => {
    const panel = await panelWith(gqaInit());
    assert.equal(await text(panel.page, '#probe-map-sharing'), 'Query heads 1, 2 share key/value head 1.');
    assert.equal(
      await text(panel.page, '#probe-overview .overview-sharing'),
      '4 query heads share 2 key/value heads in each layer (grouped-query attention)',
    );
    assert.equal(
      await text(panel.page, '#probe-overview .map-thumb[data-key="decoder/causal-self/1/3"] .thumb-kv'),
      'kv 2',
    );
    await clickThumb(panel.page, 'decoder/causal-self/1/3');
    assert.equal(await text(panel.page, '#probe-map-sharing'), 'Query heads 3, 4 share key/value head 2.');
    const label = await panel.page.getAttribute(
      '#probe-overview .map-thumb[data-key="decoder/causal-self/1/3"]',
      'aria-label',
    );
    assert.equal(label, 'decoder masked self, layer 2, head 4, key/value head 2, leaked mass 0');
    await panel.page.close();
  });

  it('says which query heads share a key/value head in the maps of a generation too (GQA and MQA)', async () => {
    for (const [kvHeads, sharing, shared] of [
      [
        2,
        '4 query heads share 2 key/value heads in each layer (grouped-query attention)',
        'Query heads 3, 4 share key/value head 2.',
      ],
      [
        1,
        '4 query heads share one key/value head in each layer (multi-query attention)',
        'Query heads 1, 2, 3, 4 share key/value head 1.',
      ],
      [4, 'Each of the 4 query heads reads its own key/value head (multi-head attention)', ''],
    ] as const) {
      const panel = await panelWith(gqaInit(kvHeads, true));
      // A probe with generated rows opens on them.
      assert.equal((await dataset(panel.page, '.attention-panel')).mode, 'generated');
      assert.equal(await text(panel.page, '#probe-overview .overview-sharing'), sharing);
      const thumbs = await panel.page.$$eval('#probe-overview .map-thumb', (buttons) =>
        buttons.map((b) => [(b as HTMLElement).dataset.key, b.querySelector('.thumb-kv')?.textContent]),
      );
      assert.equal(thumbs.length, 8, '2 layers × 4 heads');
      for (const [key, kv] of thumbs) {
        const head = Number(key!.split('/').pop());
        assert.equal(kv, `kv ${Math.floor(head / (4 / kvHeads)) + 1}`, key);
      }
      await clickThumb(panel.page, 'decoder/causal-self/0/3');
      const own = `Query head 4 is the only one reading key/value head 4.`;
      assert.equal(await text(panel.page, '#probe-map-sharing'), shared || own);
      await panel.page.click('#mode-forward');
      await settle(panel.page);
      assert.equal(await text(panel.page, '#probe-overview .overview-sharing'), sharing, 'the forward maps say it too');
      await panel.page.close();
    }
  });

  it('says "damaged map" for a map whose data cannot be unpacked, and keeps working', async () => {
    const init = clone(transformerInit());
    const probe = init.run!.attention!.probes[0];
    const damaged = probe.maps.find((m) => m.mode === 'generated' && mapKey(m) === 'decoder/cross/1/2')!;
    damaged.weights.data = '*'.repeat(damaged.weights.data.length);
    const panel = await panelWith(init);
    assert.equal(
      (await dataset(panel.page, '#probe-overview .map-thumb[data-key="decoder/cross/1/2"]')).damaged,
      'true',
    );
    await clickThumb(panel.page, 'decoder/cross/1/2');
    assert.equal(await text(panel.page, '#probe-map .map-message'), WEBVIEW_STRINGS_EN.mapDamaged);
    assert.equal(await panel.page.isVisible('#probe-map-canvas'), false);
    await clickThumb(panel.page, 'decoder/cross/1/1');
    assert.equal(await panel.page.isVisible('#probe-map-canvas'), true);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});

describe('leaked mass', () => {
  /** Σ over rows r of the weights on columns c > r, over the rows: computed here from the stored weights. */
  function aboveDiagonal(map: AttentionMap): { mean: number; max: number } {
    const data = unpacked(map);
    let total = 0;
    let max = 0;
    for (let r = 0; r < data.rows; r++) {
      let leak = 0;
      for (let c = r + 1; c < data.columns; c++) leak += data.weights[r * data.columns + c];
      total += leak;
      max = Math.max(max, leak);
    }
    return { mean: total / data.rows, max };
  }

  it('labels every decoder masked self-attention map with the mass above its diagonal, and says it under the large map', async () => {
    const init = clone(transformerInit());
    const probe = init.run!.attention!.probes[0];
    // As in a no-causal-mask run: the teacher-forced rows also read the later positions.
    probe.maps = probe.maps.map((map) =>
      map.kind === 'causal-self' && map.mode === 'forward'
        ? makeMap({
            kind: map.kind,
            stack: map.stack,
            layer: map.layer,
            head: map.head,
            mode: map.mode,
            rowTokens: map.rowTokens,
            columnTokens: map.columnTokens,
            seed: 70 + map.layer * 10 + map.head,
          })
        : map,
    );
    const panel = await panelWith(init);
    const labels = () =>
      panel.page.$$eval('#probe-overview .map-thumb', (thumbs) =>
        thumbs.map((thumb) => ({
          key: (thumb as HTMLElement).dataset.key ?? '',
          leak: (thumb as HTMLElement).dataset.leak ?? null,
          text: thumb.querySelector('.thumb-leak')?.textContent ?? null,
          aria: thumb.getAttribute('aria-label') ?? '',
        })),
      );
    // Generating: the later tokens do not exist yet, so every decoder self-attention map says 0.
    for (const label of await labels()) {
      if (label.key.startsWith('decoder/causal-self/')) {
        assert.equal(label.leak, '0', label.key);
        assert.equal(label.text, '0');
        assert.match(label.aria, /, leaked mass 0$/);
      } else assert.deepEqual([label.leak, label.text], [null, null], `${label.key} has no leak`);
    }
    await clickThumb(panel.page, 'decoder/causal-self/1/2');
    assert.match(
      await text(panel.page, '#probe-map-leak'),
      /^Leaked mass 0: while decoding, the later tokens do not exist yet/,
    );

    await panel.page.click('#mode-forward');
    await settle(panel.page);
    const forward = new Map(probe.maps.filter((m) => m.mode === 'forward').map((m) => [mapKey(m), m]));
    let labelled = 0;
    for (const label of await labels()) {
      const map = forward.get(label.key)!;
      if (map.kind !== 'causal-self') {
        assert.equal(label.text, null, `${label.key} has no leak`);
        continue;
      }
      const expected = aboveDiagonal(map).mean;
      assert.ok(expected > 0.05, `${label.key}: the fixture leaks (${expected})`);
      assert.ok(Math.abs(Number(label.leak) - expected) < 1e-12, `${label.key}: ${label.leak} vs ${expected}`);
      // Two significant digits: off by at most half a unit of the second digit.
      const unit = 10 ** (Math.floor(Math.log10(expected)) - 1);
      assert.ok(Math.abs(Number(label.text) - expected) <= unit / 2 + 1e-12, `${label.key}: shows ${label.text}`);
      labelled++;
    }
    assert.equal(labelled, 8, 'every layer × head of the decoder’s self-attention');
    const shown = forward.get('decoder/causal-self/1/2')!;
    const line = await dataset(panel.page, '#probe-map-leak');
    assert.ok(Math.abs(Number(line.mean) - aboveDiagonal(shown).mean) < 1e-12);
    assert.ok(Math.abs(Number(line.max) - aboveDiagonal(shown).max) < 1e-12);
    assert.match(await text(panel.page, '#probe-map-leak'), /^Leaked mass 0\.\d+: on average each row puts/);
    // Cross-attention has no diagonal to leak over: no line.
    await clickThumb(panel.page, 'decoder/cross/0/0');
    assert.equal(await panel.page.isVisible('#probe-map-leak'), false);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});

describe('self-check badges', () => {
  it('shows passing and failing checks of the snapshot and of the probe, with value and threshold', async () => {
    const panel = await panelWith(transformerInit());
    const badges = await panel.page.$$eval('#snapshot-checks .check', (els) =>
      els.map((e) => ({
        pass: (e as HTMLElement).dataset.pass,
        state: e.querySelector('.check-state')?.textContent,
        value: e.querySelector('.check-value')?.textContent,
        spoken: e.querySelector('.visually-hidden')?.textContent,
      })),
    );
    assert.deepEqual(
      badges.map((b) => [b.pass, b.state, b.value]),
      [
        ['true', '✓ pass', '3e-7 ≤ 1e-5'],
        ['false', '✗ fail', '0.021 > 0'],
      ],
    );
    assert.equal(badges[0].spoken, 'pass: rows sum to 1, measured 3e-7, required ≤ 1e-5');
    assert.match(badges[1].spoken!, /^fail: masked positions get exactly 0, measured 0\.021, required ≤ 0/);
    assert.equal((await dataset(panel.page, '#probe-checks')).fail, '1');
    assert.equal(await text(panel.page, '#snapshot-checks .checks-title'), 'Whole snapshot (epoch 3)');
    await panel.page.close();
  });

  it('shows the baseline at initialisation when the check has one', async () => {
    const panel = await panelWith(encoderOnlyInit());
    assert.equal(await text(panel.page, '#probe-checks .check-value'), '0.93 ≥ 0.9');
    assert.equal(await text(panel.page, '#probe-checks .check-baseline'), 'at initialisation: 0.167');
    assert.equal(await text(panel.page, '#snapshot-checks .checks-title'), 'Whole snapshot (evaluation 3)');
    assert.equal(await text(panel.page, '.samples-epoch'), 'evaluation 3');
    await panel.page.close();
  });
});

describe('snapshot replay', () => {
  it('posts requestAttention and shows the snapshot the host answers with; follows live epochs at the end', async () => {
    const init = transformerInit();
    const panel = await panelWith(init);
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, '3');
    await panel.page.focus('#epoch-slider');
    await panel.page.keyboard.press('Home');
    await panel.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'requestAttention'),
    );
    assert.deepEqual(
      (await posted(panel.page)).filter((m) => m.type === 'requestAttention'),
      [{ type: 'requestAttention', epoch: 1 }],
    );
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, '3', 'the newest stays until the answer');
    await panel.page.click('#probe-map .row-label[data-index="1"]');
    const answer = transformerSnapshot(1);
    await send(panel.page, { type: 'attention', snapshot: answer });
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, '1');
    const map = mapsOf(answer, 0, 'generated').find((m) => mapKey(m) === 'decoder/cross/0/0')!;
    assert.deepEqual((await detail(panel.page)).values, row(map, 1));

    // A live epoch does not pull the slider away; End follows again without asking the host.
    await send(panel.page, epochMessage(TRANSFORMER, 4, transformerSnapshot));
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, '1');
    await panel.page.focus('#epoch-slider');
    await panel.page.keyboard.press('End');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, '4');
    assert.equal((await posted(panel.page)).filter((m) => m.type === 'requestAttention').length, 1);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('restores probe, mode, map, snapshot and row after a reload', async () => {
    const init = transformerInit();
    const first = await panelWith(init);
    await choose(first.page, '#probe-select', '1');
    await first.page.click('#mode-forward');
    await settle(first.page);
    await clickThumb(first.page, 'encoder/self/1/2');
    await first.page.click('#probe-map .row-label[data-index="2"]');
    await first.page.focus('#epoch-slider');
    await first.page.keyboard.press('Home');
    await settle(first.page);
    const state = await savedState(first.page);
    assert.deepEqual(state, {
      runDir: init.runDir,
      probeIndex: 1,
      epoch: 1,
      selectedRow: 2,
      selectedColumn: null,
      mode: 'forward',
      mapKey: 'encoder/self/1/2',
    });
    await first.page.close();

    const second = await openPanel(browser, { theme: LIGHT, state });
    await send(second.page, init);
    await second.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'requestAttention'),
    );
    assert.deepEqual((await posted(second.page)).at(-1), { type: 'requestAttention', epoch: 1 });
    const answer = transformerSnapshot(1);
    await send(second.page, { type: 'attention', snapshot: answer });
    assert.equal((await dataset(second.page, '#probe-map')).mapKey, 'encoder/self/1/2');
    const map = mapsOf(answer, 1, 'forward').find((m) => mapKey(m) === 'encoder/self/1/2')!;
    const shown = await detail(second.page);
    assert.equal(shown.index, 2);
    assert.deepEqual(shown.values, row(map, 2));
    assert.deepEqual(await problemsOf(second), []);
    await second.page.close();
  });

  it('ignores a saved state that does not fit the schema (an older panel, or tampering)', async () => {
    const init = transformerInit();
    const state = {
      runDir: init.runDir,
      probeIndex: 1,
      epoch: 1,
      selectedRow: 2,
      selectedColumn: null,
      mode: 'greedy',
    };
    const panel = await openPanel(browser, { theme: LIGHT, state: state as never });
    await send(panel.page, init);
    assert.equal((await posted(panel.page)).filter((m) => m.type === 'requestAttention').length, 0);
    assert.equal((await dataset(panel.page, '#probe-map')).mapKey, 'decoder/cross/0/0');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});

describe('speed with a large snapshot (4 layers × 4 heads, three 64-token probes, ~2 MB)', () => {
  /** Work (message handling + the frame's drawing) and wall time until the frame is drawn. */
  interface Timing {
    /** Handling the message or click, plus drawing the frame. */
    work: number;
    /** From posting the message (or the click) until the frame is drawn, idle time included. */
    wall: number;
    handled: number;
    flush: number;
  }

  async function timed(page: Page, action: { message?: unknown; click?: string }): Promise<Timing> {
    return page.evaluate(async ({ message, click }) => {
      const body = document.body;
      const frame = body.dataset.frame;
      const drawn = new Promise<void>((resolve) => {
        const observer = new MutationObserver(() => {
          if (body.dataset.frame !== frame) {
            observer.disconnect();
            resolve();
          }
        });
        observer.observe(body, { attributes: true, attributeFilter: ['data-frame'] });
      });
      const start = performance.now();
      let sync = 0;
      if (click) {
        (document.querySelector(click) as HTMLElement).click();
        sync = performance.now() - start;
      } else window.postMessage(message, '*');
      await drawn;
      const wall = performance.now() - start;
      const handled = click ? sync : Number(body.dataset.messageMs);
      return { work: handled + Number(body.dataset.flushMs), wall, handled, flush: Number(body.dataset.flushMs) };
    }, action);
  }

  it('switches snapshots and maps well under 100 ms', async (t) => {
    const init = bigInit();
    const size = JSON.stringify(init.run!.attention).length;
    const panel = await panelWith(init);
    assert.equal((await thumbnails(panel.page)).keys.length, 16);
    const snapshots = [bigSnapshot(1), bigSnapshot(2)].map((s) => JSON.parse(JSON.stringify(s)) as unknown);
    await panel.page.focus('#epoch-slider');
    await panel.page.keyboard.press('Home');
    await panel.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'requestAttention'),
    );
    const snapshotTimes: Timing[] = [];
    for (let i = 0; i < 4; i++) {
      // The host answers epoch 1 again and again (each answer is a new snapshot: decoded afresh).
      snapshotTimes.push(await timed(panel.page, { message: { type: 'attention', snapshot: snapshots[0] } }));
    }
    const mapTimes: Timing[] = [];
    const keys = [
      'decoder/causal-self/3/3',
      'decoder/causal-self/1/0',
      'decoder/causal-self/2/2',
      'decoder/causal-self/0/1',
    ];
    for (const key of keys)
      mapTimes.push(await timed(panel.page, { click: `#probe-overview .map-thumb[data-key="${key}"]` }));
    assert.equal((await dataset(panel.page, '#probe-map')).mapKey, keys.at(-1));
    const probeTimes: number[] = [];
    for (const probe of ['1', '2', '0']) {
      await choose(panel.page, '#probe-select', probe);
      await settle(panel.page);
      probeTimes.push(Number(await panel.page.evaluate(() => document.body.dataset.flushMs)));
    }
    const median = (list: { work: number }[]) =>
      list.map((x) => x.work).sort((a, b) => a - b)[Math.floor(list.length / 2)];
    const report = (list: { work: number; wall: number; handled: number; flush: number }[]) =>
      list
        .map(
          (x) =>
            `${x.work.toFixed(1)} ms = ${x.handled.toFixed(1)} + ${x.flush.toFixed(1)} (wall ${x.wall.toFixed(1)} ms)`,
        )
        .join(', ');
    t.diagnostic(`snapshot size ${(size / 1e6).toFixed(2)} MB`);
    t.diagnostic(`snapshot switch: ${report(snapshotTimes)}`);
    t.diagnostic(`map switch: ${report(mapTimes)}`);
    t.diagnostic(`probe switch (drawing): ${probeTimes.map((x) => `${x.toFixed(1)} ms`).join(', ')}`);
    assert.ok(size > 1e6, 'the snapshot is realistic in size');
    // Generous bounds only: the figures above are what to read.
    assert.ok(median(snapshotTimes) < 400, `snapshot switch median ${median(snapshotTimes)} ms`);
    assert.ok(median(mapTimes) < 200, `map switch median ${median(mapTimes)} ms`);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});
