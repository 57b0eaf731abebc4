/** The lab panel's run view: header, curves from the chapter's declared metrics, figures, shapes, samples. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { WebviewMessage } from '../../src/shared/protocol/webview';
import {
  D_K,
  ENCODER_DECODER,
  ENCODER_ONLY,
  checked,
  encoderDecoderInit,
  encoderDecoderSnapshot,
  encoderOnlyInit,
  evaluation,
  epochMessage,
  LINES_FIGURE,
  MATRIX_COLUMNS,
  MATRIX_FIGURE,
  MATRIX_ROWS,
  MATRIX_VALUES,
  samplesOf,
  steps,
} from './fixtures/formatTwo';
import { compact } from '../../webview/numbers';
import { launchBrowser, openPanel, problemsOf, send, settle, type Panel } from './harness';
import { dataset, luminanceOf, text } from './queries';
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

const points = async (panel: Panel, chart: string): Promise<Record<string, number>> =>
  JSON.parse((await dataset(panel.page, `#chart-${chart}`)).points ?? '{}') as Record<string, number>;

describe('lab panel: header', () => {
  it('posts ready on load', async () => {
    const panel = await openPanel(browser, { theme: LIGHT });
    assert.deepEqual(await panel.page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted), [
      { type: 'ready' },
    ]);
    await panel.page.close();
  });

  it('shows chapter, run, task, variant, backend with its reason, and the saved weights', async () => {
    const init = encoderOnlyInit({ variant: 'unscaled', task: 'sort', weights: 'unverified' });
    const panel = await panelWith(init);
    const run = init.run!;
    assert.equal(await text(panel.page, '#chapter-title'), 'Self-attention');
    assert.equal(await text(panel.page, '#run-id'), run.runId);
    assert.equal(await text(panel.page, '#header-task'), 'sort');
    assert.equal(await text(panel.page, '#header-variant'), 'unscaled');
    assert.equal(await text(panel.page, '#backend'), 'wasm');
    assert.equal(await panel.page.getAttribute('#backend', 'title'), run.config.backendReason);
    assert.equal(await text(panel.page, '#backend-reason'), run.config.backendReason);
    assert.equal(await text(panel.page, '#header-weights'), 'unverified (no checksums)');
    assert.equal(await text(panel.page, '#progress-text'), 'Evaluations completed: 3 / 6');
    assert.equal((await dataset(panel.page, '#status-badge')).state, 'completed');
    await panel.page.close();
  });

  it('shows live progress, then the final status', async () => {
    const init = encoderDecoderInit({ state: 'running' }, { live: true });
    const panel = await panelWith(init);
    const progress: WebviewMessage<'progress'> = {
      type: 'progress',
      epoch: 4,
      epochs: 6,
      batch: 12,
      batches: 40,
      trainLoss: 0.61234,
    };
    await send(panel.page, progress);
    assert.ok(await panel.page.isVisible('.live-badge'));
    assert.equal(await text(panel.page, '#progress-text'), 'Epoch 4 / 6 · batch 12 / 40 · train loss 0.6123');
    await send(panel.page, {
      type: 'status',
      status: { ...init.run!.status, state: 'completed', endedAt: '2025-01-01T12:10:00Z' },
      live: false,
    });
    assert.equal((await dataset(panel.page, '#status-badge')).state, 'completed');
    assert.equal(await panel.page.isVisible('.live-badge'), false);
    await panel.page.close();
  });
});

describe('lab panel: curves from the declared metrics', () => {
  it('draws one chart per declared chart, each metric on its chart, one point per evaluation', async () => {
    const init = encoderDecoderInit();
    const panel = await panelWith(init);
    assert.equal((await dataset(panel.page, '#chart-loss')).xAxis, 'epoch');
    const charts = await panel.page.$$eval('.chart-canvas[data-chart]', (els) =>
      els.map((e) => (e as HTMLElement).dataset.chart),
    );
    assert.deepEqual(
      charts,
      ENCODER_DECODER.charts.map((c) => c.id),
    );
    assert.deepEqual(await points(panel, 'loss'), { train_loss: 3, val_loss: 3, train_loss_steps: 12 });
    assert.deepEqual(await points(panel, 'accuracy'), { val_token_accuracy: 3, val_exact_match: 3 });
    const captions = await panel.page.$$eval('.chart-figure figcaption', (els) => els.map((e) => e.textContent));
    assert.deepEqual(captions.slice(0, 2), ['Loss', 'Validation accuracy']);

    // Live: a new evaluation adds a point; a repeated one replaces it; a NaN value is a gap.
    await send(panel.page, epochMessage(ENCODER_DECODER, 4, encoderDecoderSnapshot));
    assert.deepEqual(await points(panel, 'accuracy'), { val_token_accuracy: 4, val_exact_match: 4 });
    await send(panel.page, epochMessage(ENCODER_DECODER, 4, null));
    assert.deepEqual(await points(panel, 'accuracy'), { val_token_accuracy: 4, val_exact_match: 4 });
    await send(panel.page, {
      type: 'epoch',
      metrics: evaluation(ENCODER_DECODER, 5, { val_exact_match: Number.NaN }),
      attention: null,
      samples: null,
    });
    assert.deepEqual(await points(panel, 'accuracy'), { val_token_accuracy: 5, val_exact_match: 4 });
    for (const step of steps(5)) await send(panel.page, { type: 'step', metrics: step });
    assert.equal((await points(panel, 'loss')).train_loss_steps, 16);
    assert.match(await text(panel.page, '.chart-summary'), /^Epoch 5: train loss 0\.4400, validation loss 0\.5000,/);
    assert.match(await text(panel.page, '.chart-summary'), /exact match –$/);
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });

  it('follows the chapter: its own charts and metrics, the x axis in evaluations', async () => {
    const panel = await panelWith(encoderOnlyInit());
    const charts = await panel.page.$$eval('.chart-canvas[data-chart]', (els) =>
      els.map((e) => [(e as HTMLElement).dataset.chart, e.getAttribute('aria-label')]),
    );
    assert.deepEqual(
      charts.map((c) => c[0]),
      ['loss', 'accuracy', 'entropy'],
    );
    assert.equal(charts[2][1], 'Line chart “Attention entropy”: attention entropy');
    assert.deepEqual(await points(panel, 'entropy'), { attention_entropy: 3 });
    assert.deepEqual(await points(panel, 'accuracy'), { val_token_accuracy: 3 });
    assert.equal((await dataset(panel.page, '#chart-loss')).xAxis, 'evaluation');
    assert.match(await text(panel.page, '.chart-summary'), /^Evaluation 3: /);
    assert.equal(ENCODER_ONLY.trainingUnit, 'evaluation');
    await panel.page.close();
  });

  it('adds a loss chart for the train loss when a chapter declares none', async () => {
    const chapter = {
      ...ENCODER_DECODER,
      charts: [ENCODER_DECODER.charts[1]],
      metrics: ENCODER_DECODER.metrics.slice(1),
    };
    const init = encoderDecoderInit({ chapter }, { chapter });
    const panel = await panelWith(init);
    assert.deepEqual(await points(panel, 'loss'), { train_loss: 3, train_loss_steps: 12 });
    assert.deepEqual(await points(panel, 'accuracy'), { val_token_accuracy: 3, val_exact_match: 3 });
    await panel.page.close();
  });
});

describe('lab panel: figures', () => {
  it('draws a lines figure (log2 x axis, dashed series) with every finite point', async () => {
    const panel = await panelWith(encoderOnlyInit());
    assert.ok(await panel.page.isVisible('#figures-section'));
    const figure = await dataset(panel.page, `#figure-${LINES_FIGURE.id}`);
    assert.equal(figure.xScale, 'log2');
    assert.deepEqual(JSON.parse(figure.points), [D_K.length, D_K.length, D_K.length - 1]);
    const chart = await panel.page.evaluate((id) => {
      const canvas = document.querySelector(`#figure-${id}`) as HTMLCanvasElement;
      return { width: canvas.width, label: canvas.getAttribute('aria-label') };
    }, LINES_FIGURE.id);
    assert.ok(chart.width > 100);
    assert.equal(
      chart.label,
      'Line chart “Why divide by √d_k”: value against d_k; series: variance of q·k (unscaled), variance of q·k/√d_k, softmax entropy (unscaled)',
    );
    await panel.page.close();
  });

  it('draws a matrix figure as a heat map with a diverging scale, labels and a legend', async () => {
    const panel = await panelWith(encoderOnlyInit());
    const selector = `#figure-${MATRIX_FIGURE.id}`;
    const data = await dataset(panel.page, selector);
    assert.equal(Number(data.rows), MATRIX_ROWS);
    assert.equal(Number(data.columns), MATRIX_COLUMNS);
    assert.equal(data.scale, 'diverging');
    const extent = Math.max(...MATRIX_VALUES.map((x) => Math.abs(Math.fround(x))));
    assert.equal(Number(data.max), extent);
    assert.equal(Number(data.min), -extent);
    const figure = `.matrix-figure[data-figure="${MATRIX_FIGURE.id}"]`;
    assert.equal(await text(panel.page, `${figure} .matrix-row-label`), 'position ↓');
    assert.equal(await text(panel.page, `${figure} .matrix-column-label`), 'dimension →');
    assert.equal(await text(panel.page, `${figure} .legend-low`), compact(-extent, 3));
    assert.equal(await text(panel.page, `${figure} .legend-high`), compact(extent, 3));
    // Larger |value| is darker on both sides of the diverging scale; the signs differ in hue.
    const pixel = (r: number, c: number) =>
      panel.page.evaluate(
        ({ s, r, c }) => {
          const canvas = document.querySelector(s) as HTMLCanvasElement;
          const cell = canvas.getBoundingClientRect().width / 8;
          const scale = canvas.width / canvas.getBoundingClientRect().width;
          return [
            ...canvas
              .getContext('2d')!
              .getImageData(Math.floor((c + 0.5) * cell * scale), Math.floor((r + 0.5) * cell * scale), 1, 1)
              .data.slice(0, 3),
          ];
        },
        { s: selector, r, c },
      );
    const cells = MATRIX_VALUES.map((value, i) => ({
      value,
      r: Math.floor(i / MATRIX_COLUMNS),
      c: i % MATRIX_COLUMNS,
    }));
    const positive = cells.filter((x) => x.value > 0.05).sort((a, b) => a.value - b.value);
    const small = positive[0];
    const large = positive[positive.length - 1];
    assert.ok(luminanceOf(await pixel(large.r, large.c)) < luminanceOf(await pixel(small.r, small.c)));
    const negative = cells.filter((x) => x.value < -0.5)[0];
    const [pr, , pb] = await pixel(large.r, large.c);
    const [nr, , nb] = await pixel(negative.r, negative.c);
    assert.ok(pr - pb > nr - nb, 'positive values are redder than negative ones');
    await panel.page.close();
  });

  it('replaces its figures with those an evaluation carries (figures measured on the trained model)', async () => {
    const panel = await panelWith(encoderOnlyInit());
    const remeasured = {
      ...LINES_FIGURE,
      title: { en: 'Measured again', 'zh-cn': '重新测量' },
      note: { en: 'Timed on the trained model.', 'zh-cn': '在训练好的模型上计时。' },
      series: LINES_FIGURE.series.map((series) => ({ ...series, points: series.points.slice(0, 2) })),
    };
    await send(panel.page, checked({ ...epochMessage(ENCODER_ONLY, 3, null), figures: [remeasured, MATRIX_FIGURE] }));
    await settle(panel.page);
    assert.deepEqual(JSON.parse((await dataset(panel.page, `#figure-${LINES_FIGURE.id}`)).points), [2, 2, 2]);
    const captions = await panel.page.$$eval('#figures figcaption', (els) => els.map((e) => e.textContent));
    assert.equal(captions[0], 'Measured again');
    // A figure's note (how it was measured) is shown under it.
    assert.equal(
      await text(panel.page, `.lines-figure[data-figure="${LINES_FIGURE.id}"] .figure-note`),
      'Timed on the trained model.',
    );
    // An evaluation without figures leaves them as they are.
    await send(panel.page, epochMessage(ENCODER_ONLY, 4, null));
    await settle(panel.page);
    assert.deepEqual(JSON.parse((await dataset(panel.page, `#figure-${LINES_FIGURE.id}`)).points), [2, 2, 2]);
    await panel.page.close();
    // A run whose figures arrive with an evaluation shows the section then.
    const none = await panelWith(encoderDecoderInit());
    assert.equal(await none.page.isVisible('#figures-section'), false);
    await send(none.page, checked({ ...epochMessage(ENCODER_DECODER, 3, null), figures: [LINES_FIGURE] }));
    await settle(none.page);
    assert.ok(await none.page.isVisible('#figures-section'));
    assert.deepEqual(await problemsOf(none), []);
    await none.page.close();
  });

  it('hides the figures section when the run has none, and says "damaged figure" for unreadable data', async () => {
    const none = await panelWith(encoderDecoderInit());
    assert.equal(await none.page.isVisible('#figures-section'), false);
    await none.page.close();
    const damaged = {
      ...MATRIX_FIGURE,
      values: { ...MATRIX_FIGURE.values, data: '#'.repeat(MATRIX_FIGURE.values.data.length) },
    };
    const panel = await panelWith(encoderOnlyInit({ figures: [damaged] }));
    assert.equal(
      await text(panel.page, '.matrix-figure .map-message'),
      'damaged figure: its stored data cannot be read',
    );
    assert.deepEqual(await problemsOf(panel), []);
    await panel.page.close();
  });
});

describe('lab panel: shapes, samples, contract', () => {
  it('lists every shape, attention_weights / context / logits first, with dimension names', async () => {
    const init = encoderDecoderInit();
    const panel = await panelWith(init);
    const rows = await panel.page.$$eval('.shape-table tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent)),
    );
    assert.deepEqual(
      rows.map((r) => r[0]),
      ['attention_weights', 'logits', 'source_ids', 'output/kernel'],
    );
    assert.deepEqual(rows[0], [
      'attention_weights',
      '[batch, target_len, source_len] = [64, 5, 6]',
      'where each target position looks',
    ]);
    await panel.page.close();
  });

  it('marks wrong predicted tokens; a sample without a single right answer gets no ✓ / ✗', async () => {
    const panel = await panelWith(encoderDecoderInit());
    const marked = await panel.page.$$eval('.sample-predicted .token-wrong', (els) =>
      els.map((e) => ({
        text: e.textContent,
        line: getComputedStyle(e).textDecorationLine,
        hidden: e.nextElementSibling?.className,
      })),
    );
    assert.deepEqual(marked, [{ text: '笔', line: 'underline', hidden: 'visually-hidden' }]);
    assert.deepEqual(await panel.page.$$eval('.sample-verdict', (els) => els.map((e) => e.textContent)), [
      '✗ wrong',
      '✓ correct',
    ]);
    await send(panel.page, {
      type: 'epoch',
      metrics: evaluation(ENCODER_DECODER, 4),
      attention: null,
      samples: samplesOf(4, true),
    });
    await settle(panel.page);
    assert.equal(await panel.page.locator('.sample-verdict').count(), 0);
    assert.equal(await panel.page.locator('.token-wrong').count(), 0);
    assert.equal(await panel.page.locator('.sample.open').count(), 2);
    await panel.page.close();
  });

  it('shows the learning contract with what to compare between variants', async () => {
    const panel = await panelWith(encoderOnlyInit());
    assert.equal(
      await text(panel.page, '#contract .contract-part[data-part="compare"] li'),
      ENCODER_ONLY.contract.compare[0].en,
    );
    assert.equal(
      await text(panel.page, '#contract .contract-part[data-part="compare"] h3'),
      'What to compare between variants',
    );
    const none = await panelWith(encoderDecoderInit());
    assert.equal(await none.page.locator('#contract .contract-part[data-part="compare"]').count(), 0);
    await none.page.close();
    await panel.page.close();
  });
});
