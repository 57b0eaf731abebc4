/**
 * Attention through training time: the play button walks the map through every saved snapshot
 * (the drawn epoch label changes, one request in flight), pauses, is reachable by keyboard; the
 * chart under it shows one self-check through training.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { AttentionSnapshot } from '../../src/shared/run/records';
import {
  antiDiagonalCheck,
  checked,
  passingRowsCheck,
  transformerInit,
  transformerSnapshot,
} from './fixtures/formatTwo';
import { launchBrowser, openPanel, posted, problemsOf, send, settle } from './harness';
import { choose, dataset, text } from './queries';
import { DARK, LIGHT } from './themes';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

function requests(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'requestAttention')
        .length,
  );
}

function drawnNow(page: Page): Promise<{ label: string; epoch: string }> {
  return page.evaluate(() => ({
    label: document.querySelector('#epoch-value')?.textContent ?? '',
    epoch: (document.querySelector('.attention-panel') as HTMLElement).dataset.epoch ?? '',
  }));
}

/** Answers `requestAttention` like the host, until the replay stops; returns each drawn label and epoch. */
async function playThrough(page: Page, snapshot: (epoch: number) => AttentionSnapshot) {
  const drawn: { label: string; epoch: string }[] = [];
  let answered = 0;
  for (;;) {
    await page.waitForFunction(
      (n) =>
        document.querySelector('#epoch-play')?.getAttribute('aria-pressed') === 'false' ||
        (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'requestAttention')
          .length > n,
      answered,
      { timeout: 10_000 },
    );
    if ((await requests(page)) > answered) {
      const request = (await posted(page)).filter((m) => m.type === 'requestAttention')[answered];
      answered++;
      assert.equal(request.type, 'requestAttention');
      await send(page, checked({ type: 'attention', snapshot: snapshot((request as { epoch: number }).epoch) }));
      // Read at once: the replay's next step follows the drawing after its interval.
      drawn.push(await drawnNow(page));
      continue;
    }
    break;
  }
  await settle(page);
  drawn.push(await drawnNow(page));
  return drawn;
}

describe('replay through training time', () => {
  it('play animates the map through every saved snapshot, then stops on the newest', async () => {
    const init = transformerInit({ done: 4 });
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, init);
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, '4');
    assert.equal(await panel.page.getAttribute('#epoch-play', 'aria-pressed'), 'false');
    await choose(panel.page, '#epoch-speed', '1'); // 1×: a step every 0.9 s
    await panel.page.click('#epoch-play');
    assert.equal(await panel.page.getAttribute('#epoch-play', 'aria-pressed'), 'true');
    const drawn = await playThrough(panel.page, transformerSnapshot);
    assert.deepEqual(
      drawn.map((item) => item.epoch),
      ['1', '2', '3', '4'],
    );
    assert.deepEqual(
      drawn.map((item) => item.label),
      ['epoch 1 (of 4)', 'epoch 2 (of 4)', 'epoch 3 (of 4)', 'epoch 4 (of 4) · latest, follows training'],
    );
    // One request per older snapshot, none for the newest (the panel has it).
    assert.deepEqual(
      (await posted(panel.page)).filter((m) => m.type === 'requestAttention'),
      [1, 2, 3].map((epoch) => ({ type: 'requestAttention', epoch })),
    );
    assert.equal(await panel.page.getAttribute('#epoch-play', 'aria-pressed'), 'false');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('is reachable by keyboard: Space on the button plays and pauses; dragging pauses', async () => {
    const panel = await openPanel(browser, { theme: DARK });
    await send(panel.page, transformerInit({ done: 3 }));
    await panel.page.focus('#epoch-play');
    const focus = await panel.page.evaluate(() => {
      const button = document.querySelector('#epoch-play') as HTMLElement;
      const style = getComputedStyle(button);
      return { active: document.activeElement === button, outline: style.outlineStyle, width: style.outlineWidth };
    });
    assert.deepEqual(focus, { active: true, outline: 'solid', width: '2px' });
    await panel.page.keyboard.press('Space');
    await panel.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'requestAttention'),
    );
    assert.equal(await panel.page.getAttribute('#epoch-play', 'aria-pressed'), 'true');
    assert.match(await text(panel.page, '#epoch-value'), /loading 1…/);
    await panel.page.keyboard.press('Space');
    assert.equal(await panel.page.getAttribute('#epoch-play', 'aria-pressed'), 'false');
    // The answer still shows (it was asked for), but the replay takes no further step.
    await send(panel.page, checked({ type: 'attention', snapshot: transformerSnapshot(1) }));
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, '1');
    assert.equal(await requests(panel.page), 1);
    // Space on the slider plays too.
    await panel.page.focus('#epoch-slider');
    await panel.page.keyboard.press('Space');
    assert.equal(await panel.page.getAttribute('#epoch-play', 'aria-pressed'), 'true');
    await panel.page.keyboard.press('End');
    await settle(panel.page);
    assert.equal(await panel.page.getAttribute('#epoch-play', 'aria-pressed'), 'false');
    assert.equal((await dataset(panel.page, '.attention-panel')).epoch, '3');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('an error from the host stops a replay waiting for a snapshot', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, transformerInit({ done: 3 }));
    await panel.page.click('#epoch-play');
    await panel.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'requestAttention'),
    );
    await send(panel.page, checked({ type: 'error', message: 'the attention snapshot of epoch 1 is damaged' }));
    assert.equal(await panel.page.getAttribute('#epoch-play', 'aria-pressed'), 'false');
    assert.doesNotMatch(await text(panel.page, '#epoch-value'), /loading/);
    await panel.page.close();
  });

  it('asks for the checks of every snapshot and charts one self-check through training', async () => {
    const snapshot = (epoch: number): AttentionSnapshot => ({
      ...transformerSnapshot(epoch),
      checks: [passingRowsCheck(), { ...antiDiagonalCheck(), value: 0.2 * epoch, pass: 0.2 * epoch >= 0.9 }],
    });
    const panel = await openPanel(browser, { theme: LIGHT });
    await send(panel.page, transformerInit({ done: 4, snapshot }));
    assert.ok((await posted(panel.page)).some((m) => m.type === 'requestChecks'));
    await send(
      panel.page,
      checked({
        type: 'checkHistory',
        snapshots: [1, 2, 3, 4].map((epoch) => ({ epoch, checks: snapshot(epoch).checks })),
      }),
    );
    const chart = await dataset(panel.page, '#check-history-chart');
    // The chapter's own check first.
    assert.equal(chart.check, 'reverse-anti-diagonal');
    assert.deepEqual(
      JSON.parse(chart.points).map(([x, y]: [number, number]) => [x, Number(y.toFixed(6))]),
      [
        [1, 0.2],
        [2, 0.4],
        [3, 0.6],
        [4, 0.8],
      ],
    );
    assert.equal(chart.shown, '4');
    assert.match(await text(panel.page, '.check-history-caption'), /epoch 4 on screen: 0\.8/);
    // Another check.
    await choose(panel.page, '#check-history-select', '0');
    await settle(panel.page);
    assert.equal((await dataset(panel.page, '#check-history-chart')).check, 'rows-sum-to-one');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});
