/**
 * Fill-in for a masked language model (chapter bert-mlm): the words of a typed sentence are
 * buttons, clicking one (or Enter on it) masks it and posts the `fill` request the host checks; the
 * answer's guesses are shown with their probabilities (and "all other words", so what is shown sums
 * to 1), each mask's attention one row per layer and head summing to 1; the selection histogram
 * of the training batches; labels in English and Chinese.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { checkPanelRequest } from '../../src/extension/panelRequests';
import { WEBVIEW_STRINGS_EN, WEBVIEW_STRINGS_ZH_CN } from '../../src/shared/strings/webview';
import { rowSum } from './fixtures/formatTwo';
import {
  BERT,
  BERT_HEADS,
  BERT_LAYERS,
  bertEpochMessage,
  bertInit,
  filledMessage,
  selectionOf,
} from './fixtures/maskedLm';
import { launchBrowser, openPanel, posted, problemsOf, send, settle, type Panel } from './harness';
import { text } from './queries';
import { LIGHT } from './themes';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function panelWith(...messages: Parameters<typeof send>[1][]): Promise<Panel> {
  const panel = await openPanel(browser, { theme: LIGHT });
  await send(panel.page, ...messages);
  return panel;
}

const fills = async (page: Page) => (await posted(page)).filter((m) => m.type === 'fill');
const words = (page: Page) =>
  page.$$eval('#fill-words button', (els) =>
    els.map((e) => ({
      text: e.textContent,
      pressed: e.getAttribute('aria-pressed'),
      disabled: (e as HTMLButtonElement).disabled,
    })),
  );

async function type(page: Page, sentence: string): Promise<void> {
  await page.fill('#fill-input input', sentence);
  await settle(page);
}

/** What the webview posted is what the host accepts: through the host's own gate, for a bert-mlm run. */
function acceptedByHost(message: unknown): void {
  const checked = checkPanelRequest(message, { attentionEpochs: [1, 2], hasRun: true, chapter: BERT });
  assert.equal(checked.ok, true, checked.ok ? '' : checked.reason);
}

describe('lab panel: fill-in (bert-mlm)', () => {
  it('shows fill-in in place of Try it; clicking a word masks it and posts the fill request', async () => {
    const panel = await panelWith(bertInit());
    assert.equal(await panel.page.isVisible('#fill-section'), true);
    assert.equal(await panel.page.isVisible('#try-section'), false);
    await type(panel.page, 'The capital of France is Paris.');
    assert.deepEqual(
      (await words(panel.page)).map((w) => w.text),
      ['the', 'capital', 'of', 'france', 'is', 'paris', '.'],
      'the words as the engine splits them',
    );
    assert.equal((await fills(panel.page)).length, 0, 'nothing is asked before a word is masked');

    await panel.page.click('#fill-words button[data-index="1"]');
    await settle(panel.page);
    const asked = await fills(panel.page);
    assert.deepEqual(asked, [{ type: 'fill', text: 'the [MASK] of france is paris .' }]);
    acceptedByHost(asked[0]);
    const after = await words(panel.page);
    assert.equal(after[1].text, '[MASK]');
    assert.equal(after[1].pressed, 'true');
    assert.equal(after[0].pressed, 'false');
    assert.equal(await text(panel.page, '#fill-status'), WEBVIEW_STRINGS_EN.fillPending);

    // The keyboard: Enter on a focused word masks it too; asked once the pending answer is in.
    await panel.page.focus('#fill-words button[data-index="3"]');
    await panel.page.keyboard.press('Enter');
    await settle(panel.page);
    assert.equal((await fills(panel.page)).length, 1, 'one question at a time');
    await send(
      panel.page,
      filledMessage('the [MASK] of france is paris .', [[{ token: 'capital', probability: 0.4 }]]),
    );
    const second = (await fills(panel.page)).at(-1);
    assert.deepEqual(second, { type: 'fill', text: 'the [MASK] of [MASK] is paris .' });
    acceptedByHost(second);

    // Clicking a masked word unmasks it; with no mask left nothing is asked.
    await send(panel.page, filledMessage('the [MASK] of [MASK] is paris .', []));
    await panel.page.click('#fill-words button[data-index="1"]');
    await panel.page.click('#fill-words button[data-index="3"]');
    await settle(panel.page);
    assert.equal((await fills(panel.page)).length, 3);
    assert.equal(await text(panel.page, '#fill-status'), WEBVIEW_STRINGS_EN.fillNoMask);
    await send(panel.page, filledMessage('the capital of [MASK] is paris .', []));
    assert.equal((await fills(panel.page)).length, 3, 'the last click left no mask: nothing more is asked');
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('a typed [MASK] is a mask the learner cannot unclick; other markers are words; no mask asks nothing', async () => {
    const panel = await panelWith(bertInit());
    await type(panel.page, 'the [mask] of <pad> [CLS]');
    const shown = await words(panel.page);
    assert.deepEqual(
      shown.map((w) => w.text),
      ['the', '[MASK]', 'of', '<pad>', '[CLS]'],
    );
    assert.equal(shown[1].disabled, true);
    assert.equal(shown[1].pressed, 'true');
    await panel.page.click('#fill-button');
    await settle(panel.page);
    const asked = (await fills(panel.page)).at(-1);
    assert.deepEqual(asked, { type: 'fill', text: 'the [MASK] of <pad> [CLS]' });
    acceptedByHost(asked);
    await send(
      panel.page,
      filledMessage('the [MASK] of <pad> [CLS]', [[{ token: 'end', probability: 0.2 }]], ['<pad>', '[CLS]']),
    );
    assert.equal(await text(panel.page, '#fill-unknown'), 'Read as <unk>: “<pad>”, “[CLS]”');

    await type(panel.page, 'no mask here');
    await panel.page.press('#fill-input input', 'Enter');
    await settle(panel.page);
    assert.equal((await fills(panel.page)).length, 1);
    assert.equal(await text(panel.page, '#fill-status'), WEBVIEW_STRINGS_EN.fillNoMask);
    await panel.page.close();
  });

  it('shows each mask’s guesses with probabilities, and its attention by layer and head, rows summing to 1', async () => {
    const panel = await panelWith(bertInit());
    await type(panel.page, 'the capital of france is paris .');
    await panel.page.click('#fill-words button[data-index="1"]');
    await settle(panel.page);
    await send(panel.page, filledMessage('the [MASK] of france is paris .', [[{ token: 'city', probability: 0.2 }]]));
    await panel.page.click('#fill-words button[data-index="5"]');
    await settle(panel.page);
    const question = 'the [MASK] of france is [MASK] .';
    assert.deepEqual((await fills(panel.page)).at(-1), { type: 'fill', text: question });
    const answer = filledMessage(question, [
      [
        { token: 'capital', probability: 0.4213 },
        { token: 'city', probability: 0.1 },
        { token: 'the', probability: 0.05 },
      ],
      [{ token: 'paris', probability: 0.0071 }],
    ]);
    await send(panel.page, answer);
    const masks = await panel.page.$$eval('#fill-result .fill-mask', (els) =>
      els.map((mask) => ({
        heading: mask.querySelector('.fill-mask-heading')?.textContent,
        guesses: [...mask.querySelectorAll<HTMLElement>('.fill-prediction')].map((li) => ({
          token: li.dataset.token,
          probability: Number(li.dataset.probability),
          percent: li.querySelector('.fill-percent')?.textContent,
        })),
        shownSum: mask.querySelector('.fill-shown-sum')?.textContent,
        rows: [...mask.querySelectorAll<HTMLElement>('tbody tr')].map((tr) => ({
          layer: Number(tr.dataset.layer),
          head: Number(tr.dataset.head),
          label: tr.querySelector('th')?.textContent,
          weights: [...tr.querySelectorAll<HTMLElement>('td.fill-cell')].map((td) => Number(td.dataset.weight)),
          sumText: tr.querySelector('td.fill-row-sum')?.textContent,
        })),
        columns: [...mask.querySelectorAll('thead th')].map((th) => th.textContent),
        maskColumn: mask.querySelector('thead th.fill-mask-column')?.textContent,
      })),
    );
    assert.equal(masks.length, 2);
    assert.equal(masks[0].heading, 'Mask 1 of 2 (position 2, was “capital”)');
    assert.equal(masks[1].heading, 'Mask 2 of 2 (position 6, was “paris”)');
    assert.deepEqual(masks[0].guesses, [
      { token: 'capital', probability: 0.4213, percent: '42.1%' },
      { token: 'city', probability: 0.1, percent: '10.0%' },
      { token: 'the', probability: 0.05, percent: '5.0%' },
      { token: WEBVIEW_STRINGS_EN.fillOthers, probability: answer.fill.masks[0].otherProbability, percent: '42.9%' },
    ]);
    assert.equal(masks[1].guesses[0].percent, '0.7%');
    assert.equal(masks[0].shownSum, 'Listed guesses and all other words together: 1.000');
    for (const [i, mask] of masks.entries()) {
      assert.deepEqual(mask.columns, ['', '[CLS]', ...question.split(' '), '[SEP]', 'sum']);
      assert.equal(mask.maskColumn, '[MASK]');
      assert.equal(mask.rows.length, BERT_LAYERS * BERT_HEADS, 'every layer and head');
      assert.deepEqual(
        mask.rows.map((r) => [r.layer, r.head]),
        [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ],
      );
      assert.equal(mask.rows[3].label, 'layer 2 · head 2');
      for (const [k, row] of mask.rows.entries()) {
        const sum = row.weights.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-5, `row sums to 1: ${sum}`);
        assert.equal(row.sumText, '1.000');
        const map = answer.fill.masks[i].attention[k];
        assert.ok(Math.abs(rowSum(map, 0) - sum) < 1e-9, 'the weights the host sent');
      }
    }
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('waits for the first evaluation of a live run, then asks again with the weights of each new evaluation', async () => {
    const panel = await panelWith(bertInit({ done: 0, live: true, state: 'running' }));
    assert.equal(await text(panel.page, '#fill-note'), WEBVIEW_STRINGS_EN.fillWaitFirstEvaluation);
    assert.equal(
      await panel.page.evaluate(
        () => (document.querySelector('#fill-input') as HTMLElement & { disabled: boolean }).disabled,
      ),
      true,
    );
    await send(panel.page, bertEpochMessage(1));
    assert.equal(
      await text(panel.page, '#fill-note'),
      WEBVIEW_STRINGS_EN.fillLiveEvaluation.replace('{evaluation}', '1'),
    );
    await type(panel.page, 'the capital of france');
    await panel.page.click('#fill-words button[data-index="3"]');
    await settle(panel.page);
    await send(panel.page, filledMessage('the capital of [MASK]', [[{ token: 'the', probability: 0.3 }]]));
    assert.equal((await fills(panel.page)).length, 1);
    await send(panel.page, bertEpochMessage(2));
    assert.deepEqual((await fills(panel.page)).at(-1), { type: 'fill', text: 'the capital of [MASK]' });
    assert.equal((await fills(panel.page)).length, 2, 'asked again with the new weights');
    await panel.page.close();
  });

  it('an error from the host ends the wait', async () => {
    const panel = await panelWith(bertInit());
    await type(panel.page, 'the capital');
    await panel.page.click('#fill-words button[data-index="0"]');
    await send(panel.page, { type: 'error', message: 'Prediction failed: the model has 64 positions' });
    assert.equal(await text(panel.page, '#fill-status'), '');
    assert.equal(
      await panel.page.evaluate(
        () => (document.querySelector('#fill-button') as HTMLElement & { disabled: boolean }).disabled,
      ),
      false,
    );
    await panel.page.close();
  });
});

describe('lab panel: selection histogram (bert-mlm)', () => {
  it('shows masked / randomised / kept of the latest evaluation as shares of the selected', async () => {
    const panel = await panelWith(bertInit({ done: 2 }));
    const read = () =>
      panel.page.$$eval('#selection-bars .selection-row', (els) =>
        els.map((li) => ({
          kind: (li as HTMLElement).dataset.kind,
          count: Number((li as HTMLElement).dataset.count),
          share: Number((li as HTMLElement).dataset.share),
        })),
      );
    const counts = selectionOf(2);
    assert.deepEqual(await read(), [
      { kind: 'mlm_masked', count: counts.mlm_masked, share: counts.mlm_masked / counts.mlm_selected },
      { kind: 'mlm_randomised', count: counts.mlm_randomised, share: counts.mlm_randomised / counts.mlm_selected },
      { kind: 'mlm_kept', count: counts.mlm_kept, share: counts.mlm_kept / counts.mlm_selected },
    ]);
    assert.equal(
      await text(panel.page, '#selection-summary'),
      `Evaluation 2: ${counts.mlm_selected} of ${counts.mlm_tokens} tokens selected (15.0%; declared 15.0%).`,
    );
    const aria = await panel.page.getAttribute('#selection-bars', 'aria-label');
    assert.match(aria ?? '', /→ \[MASK\]: 4802 \(80\.0% of the selected; declared 80\.0%\)/);
    await send(panel.page, bertEpochMessage(3));
    assert.equal((await read())[0].count, selectionOf(3).mlm_masked, 'follows the live evaluations');
    await panel.page.close();
  });

  it('before any evaluation says so', async () => {
    const panel = await panelWith(bertInit({ done: 0, live: true, state: 'running' }));
    assert.equal(await panel.page.isVisible('#selection-empty'), true);
    assert.equal(await panel.page.isVisible('#selection-bars'), false);
    await panel.page.close();
  });
});

describe('lab panel: fill-in in Chinese', () => {
  it('labels every part in zh-cn', async () => {
    const panel = await panelWith(bertInit({ language: 'zh-cn' }));
    assert.equal(await text(panel.page, '#fill-section-heading'), WEBVIEW_STRINGS_ZH_CN.fillTitle);
    assert.equal(await text(panel.page, '#fill-button'), WEBVIEW_STRINGS_ZH_CN.fillButton);
    assert.equal(await text(panel.page, '#selection-section-heading'), WEBVIEW_STRINGS_ZH_CN.selectionTitle);
    assert.equal(await text(panel.page, '.fill-words-label'), WEBVIEW_STRINGS_ZH_CN.fillWordsLabel);
    await type(panel.page, '春风又绿江南岸');
    assert.deepEqual(
      (await words(panel.page)).map((w) => w.text),
      ['春', '风', '又', '绿', '江', '南', '岸'],
      'a Han character is a word',
    );
    assert.equal(await panel.page.getAttribute('#fill-words button[data-index="3"]', 'aria-label'), '遮盖“绿”');
    await panel.page.click('#fill-words button[data-index="3"]');
    await settle(panel.page);
    assert.deepEqual((await fills(panel.page)).at(-1), { type: 'fill', text: '春 风 又 [MASK] 江 南 岸' });
    await send(panel.page, filledMessage('春 风 又 [MASK] 江 南 岸', [[{ token: '绿', probability: 0.25 }]]));
    assert.equal(await text(panel.page, '.fill-mask-heading'), '第 1/1 个掩码（位置 4，原为“绿”）');
    assert.equal(await text(panel.page, '.fill-others .fill-token'), WEBVIEW_STRINGS_ZH_CN.fillOthers);
    assert.equal(await text(panel.page, '.fill-attention h4'), WEBVIEW_STRINGS_ZH_CN.fillAttentionTitle);
    assert.equal(await text(panel.page, '.fill-attention tbody th'), '第 1 层 · 第 1 个头');
    assert.match(await text(panel.page, '#selection-summary'), /^第 2 次评估：/);
    await panel.page.close();
  });
});
