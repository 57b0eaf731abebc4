// End to end in code-server (harness.ts): "LLM Tutor: Train Variants…" on luong-attention, task
// phrases, with small settings. The comparison panel opens as the three variants (dot, general,
// concat) train one after another and fills as they go; at the end it shows, on each chart the
// chapter declares, one curve per run (three, each with a point per epoch) and a legend naming each
// variant; for the first probe three maps side by side, whose cells (walked with the keyboard, read
// from the panel's readout) are the runs' saved weights and whose rows sum to 1; and a configuration
// table marking exactly `variant` and the setting the variants override (`score`) as differing.
// Run: node --import tsx --test test/e2e/compare.test.ts
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { MESSAGES_EN } from '../../src/extension/messages';
import { CHAPTERS, chapterInfo } from '../../src/shared/course/catalogue';
import type { ChapterInfo } from '../../src/shared/course/chapter';
import { unpackMap } from '../../src/shared/run/attention';
import type { AttentionSnapshot, RunStatus } from '../../src/shared/run/records';
import { WEBVIEW_STRINGS_EN } from '../../src/shared/strings/webview';
import {
  ARTIFACTS_DIR,
  ensureSetup,
  runCommand,
  screenshot,
  waitForNotification,
  webviewFrame,
  type CodeServer,
  type Workbench,
} from './harness';
import { scenario as runScenario } from './probes';
import {
  buildVsix,
  chooseQuickPickRow,
  makeWorkspace,
  sleep,
  startWorkbench,
  stopWorkbench,
  trainWithStagedCli,
} from './workbench';

const TRAIN_VARIANTS = 'LLM Tutor: Train Variants…';
const CHAPTER = chapterInfo('luong-attention');
const TASK = CHAPTER.tasks.find((task) => task.id === 'phrases')!;
/** Small and explicit: the three variants together train in well under a minute on 2 cores. */
const SETTINGS = {
  'llmTutor.epochs': 2,
  'llmTutor.batchSize': 32,
  'llmTutor.seed': 7,
  'llmTutor.advanced.trainSize': 400,
  'llmTutor.advanced.validationSize': 64,
  'llmTutor.advanced.testSize': 16,
};
const EPOCHS = SETTINGS['llmTutor.epochs'];
const SEED = SETTINGS['llmTutor.seed'];
const LETTERS = ['A', 'B', 'C'];

let tempRoot: string;
let vsixPath: string;
let stageDir: string;

// ── reading the comparison panel ───────────────────────────────────────────────────────────────

interface CompareRunView {
  runId: string;
  letter: string;
  legend: string;
  details: string;
}

interface CompareChartView {
  /** How many lines the chart has (`data-series`). */
  series: number;
  /** Points drawn per run letter (`data-points`). */
  points: Record<string, number>;
  metric: string;
  aria: string;
  visible: boolean;
}

interface CompareMapView {
  runId: string;
  caption: string;
  rows: number;
  columns: number;
  visible: boolean;
}

/** Everything the test reads from the comparison panel, in one round trip. */
interface CompareView {
  title: string;
  subtitle: string;
  runs: CompareRunView[];
  waiting: string;
  waitingVisible: boolean;
  damaged: number;
  charts: Record<string, CompareChartView>;
  chartOrder: string[];
  notShared: { kind: string; text: string }[];
  configSummary: string;
  /** Configuration rows: setting → values per run (as shown) and whether it is marked as differing. */
  config: { key: string; values: string[]; differs: boolean; mark: string; className: string }[];
  configHead: string[];
  mapsDrawn: number;
  mapKey: string;
  maps: CompareMapView[];
}

function readCompare(frame: Frame): Promise<CompareView> {
  // No named helpers inside evaluate callbacks (tsx wraps them in `__name(…)`, unknown in the page).
  return frame.evaluate(() => {
    const charts: Record<string, CompareChartView> = {};
    const chartOrder: string[] = [];
    for (const canvas of document.querySelectorAll<HTMLElement>('#compare-charts-section canvas[data-chart]')) {
      const id = canvas.dataset.chart ?? '';
      chartOrder.push(id);
      charts[id] = {
        series: Number(canvas.dataset.series ?? 0),
        points: JSON.parse(canvas.dataset.points ?? '{}') as Record<string, number>,
        metric: canvas.dataset.metric ?? '',
        aria: canvas.getAttribute('aria-label') ?? '',
        visible: canvas.getBoundingClientRect().width > 0 && canvas.getBoundingClientRect().height > 0,
      };
    }
    const waiting = document.querySelector<HTMLElement>('#compare-waiting');
    const attention = document.querySelector<HTMLElement>('#compare-maps-section .compare-attention');
    return {
      title: document.querySelector('#compare-title')?.textContent ?? '',
      subtitle: document.querySelector('#compare-subtitle')?.textContent ?? '',
      runs: [...document.querySelectorAll<HTMLElement>('#compare-runs li.compare-run')].map((li) => ({
        runId: li.dataset.runId ?? '',
        letter: li.dataset.letter ?? '',
        legend: li.querySelector('.compare-run-legend')?.textContent ?? '',
        details: li.querySelector('.compare-run-details')?.textContent ?? '',
      })),
      waiting: waiting?.textContent ?? '',
      waitingVisible: !!waiting && !waiting.hidden && waiting.offsetParent !== null,
      damaged: document.querySelectorAll('#compare-damaged li').length,
      charts,
      chartOrder,
      notShared: [...document.querySelectorAll<HTMLElement>('#compare-not-shared li')].map((li) => ({
        kind: li.dataset.kind ?? '',
        text: li.textContent ?? '',
      })),
      configSummary: document.querySelector('#compare-config-summary')?.textContent ?? '',
      configHead: [...document.querySelectorAll('#compare-config thead th')].map((th) => th.textContent ?? ''),
      config: [...document.querySelectorAll<HTMLElement>('#compare-config tbody tr')].map((tr) => ({
        key: tr.dataset.key ?? '',
        values: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
        differs: tr.dataset.differs === 'true',
        mark: tr.querySelector('.compare-differs-mark')?.textContent ?? '',
        className: tr.className,
      })),
      mapsDrawn: Number(attention?.dataset.maps ?? 0),
      mapKey: attention?.dataset.mapKey ?? '',
      maps: [...document.querySelectorAll<HTMLElement>('#compare-maps > figure.compare-map')].map((figure) => {
        const canvas = figure.querySelector<HTMLElement>('canvas.compare-map-canvas');
        const box = canvas?.getBoundingClientRect();
        return {
          runId: figure.dataset.runId ?? '',
          caption: figure.querySelector('.compare-map-caption')?.textContent ?? '',
          rows: Number(canvas?.dataset.rows ?? 0),
          columns: Number(canvas?.dataset.columns ?? 0),
          visible: !!box && box.width > 0 && box.height > 0,
        };
      }),
    };
  });
}

const compareFrame = (page: Page, timeoutMs = 60_000): Promise<Frame> =>
  webviewFrame(page, async (frame) => (await frame.locator('#compare').count()) > 0, timeoutMs);

/**
 * Polls the comparison panel until `done` holds; returns the last view. The panel renders its
 * document again when the sequence ends: the frame is looked up again whenever it went away.
 */
async function waitForCompare(
  page: Page,
  what: string,
  done: (view: CompareView) => boolean,
  timeoutMs: number,
  onView?: (view: CompareView) => void,
): Promise<{ frame: Frame; view: CompareView }> {
  const deadline = Date.now() + timeoutMs;
  let frame = await compareFrame(page, timeoutMs);
  let view: CompareView | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      if (frame.isDetached()) frame = await compareFrame(page, Math.max(1_000, deadline - Date.now()));
      view = await readCompare(frame);
      onView?.(view);
      if (done(view)) return { frame, view };
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError
        ? `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`
        : '';
      throw new Error(`timed out waiting for ${what}; panel: ${JSON.stringify(view)}${why}`);
    }
    await sleep(200);
  }
}

/**
 * Chooses metric `index` (`key`) on chart `chartId` and waits until the chart shows it. The panel
 * draws its document again once the sequence has ended: a choice made in the document being
 * replaced is lost, so it is made again in the current one.
 */
async function chooseMetric(page: Page, chartId: string, index: number, key: string): Promise<CompareChartView> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const frame = await compareFrame(page);
    await frame
      .evaluate(
        ([id, value]) => {
          const select = document.querySelector<HTMLElement & { value: string }>(`#compare-metric-${id}`);
          if (!select) throw new Error(`no metric selector on chart ${id}`);
          select.value = value;
          select.dispatchEvent(new Event('change', { bubbles: true }));
        },
        [chartId, String(index)],
      )
      .catch(() => undefined); // a document detached meanwhile: tried again below
    try {
      const { view } = await waitForCompare(
        page,
        `chart ${chartId} showing ${key}`,
        (v) => v.charts[chartId]?.metric === key,
        3_000,
      );
      return view.charts[chartId];
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

/** The readout's values of the cell under the maps' keyboard cursor: one per run (null: masked). */
async function readoutAt(frame: Frame, row: number, column: number): Promise<(number | null)[]> {
  const readout = frame.locator(`#compare-readout[data-row="${row}"][data-column="${column}"]`);
  await readout.waitFor({ state: 'attached', timeout: 10_000 });
  const values = await readout.getAttribute('data-values');
  return JSON.parse(values ?? '[]') as (number | null)[];
}

/** The forward map `key` of the run's probe with these source tokens, from its newest snapshot on disk. */
function savedMap(runDir: string, source: string[], key: string) {
  const file = join(runDir, 'attention', `epoch-${String(EPOCHS).padStart(3, '0')}.json`);
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as AttentionSnapshot;
  const probe = snapshot.probes.find((p) => JSON.stringify(p.source) === JSON.stringify(source));
  assert.ok(probe, `${file} has no probe ${JSON.stringify(source)}`);
  const map = probe.maps.find((m) => m.mode === 'forward' && `${m.stack}/${m.kind}/${m.layer}/${m.head}` === key);
  assert.ok(map, `${file}: no forward map ${key} for ${JSON.stringify(source)}`);
  const unpacked = unpackMap(map);
  assert.ok(unpacked, `${file}: map ${key} does not unpack`);
  return unpacked;
}

/** F1 → "Train Variants…" → `chapter` → its task `taskId`; the chapter's short title and when the command ran. */
async function trainVariants(
  page: Page,
  chapter: ChapterInfo,
  taskId: string,
): Promise<{ shortTitle: string; pressedAt: number }> {
  const chapterNumber = CHAPTERS.findIndex((candidate) => candidate.id === chapter.id) + 1;
  const shortTitle = chapter.title.en.split(/[:：]/)[0].trim();
  const task = chapter.tasks.find((candidate) => candidate.id === taskId)!;
  const pressedAt = Date.now();
  await runCommand(page, TRAIN_VARIANTS);
  await chooseQuickPickRow(page, MESSAGES_EN.trainVariantsTitle, `${chapterNumber}. ${chapter.title.en}`);
  await chooseQuickPickRow(page, MESSAGES_EN.trainVariantsTaskTitle.replace('{chapter}', shortTitle), task.title.en);
  return { shortTitle, pressedAt };
}

/** One scenario in the shared workbench (probes.ts `scenario`: failed extension requests, screenshots, logs on failure). */
function scenario(
  name: string,
  env: { server?: CodeServer; workbench?: Workbench },
  body: (page: Page) => Promise<void>,
): Promise<void> {
  return runScenario(
    name,
    () => env.workbench,
    () => env.server,
    body,
  );
}

// ── the scenario ───────────────────────────────────────────────────────────────────────────────

describe('Train Variants… → comparison (issue 8)', () => {
  const env: { server?: CodeServer; workbench?: Workbench; folder?: string } = {};

  before(async () => {
    ensureSetup();
    if (existsSync(ARTIFACTS_DIR))
      for (const file of readdirSync(ARTIFACTS_DIR))
        if (/^compare-.*\.png$/.test(file)) rmSync(join(ARTIFACTS_DIR, file));
    tempRoot = mkdtempSync(join(tmpdir(), 'llm-tutor-e2e-compare-'));
    ({ vsixPath, stageDir } = buildVsix(tempRoot));
    env.folder = makeWorkspace(tempRoot, 'workspace-compare', SETTINGS);
    Object.assign(env, await startWorkbench(env.folder, true, vsixPath, 'compare'));
  });

  after(async () => {
    await stopWorkbench(env);
    if (tempRoot && !/^(1|true|yes)$/i.test(process.env.LLM_TUTOR_E2E_KEEP ?? ''))
      rmSync(tempRoot, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  test(
    'Train Variants… on luong-attention (phrases): the comparison opens as they train; three curves per chart, three maps for one probe',
    { timeout: 420_000 },
    async () => {
      await scenario('compare-train-variants', env, async (page) => {
        const variants = CHAPTER.variants;
        assert.equal(variants.length, 3, 'luong-attention has three variants');
        const legends = variants.map((variant, i) => `${LETTERS[i]} · ${variant.title.en} · seed ${SEED}`);
        const { shortTitle, pressedAt } = await trainVariants(page, CHAPTER, TASK.id);

        // While the variants train: the panel is there before the last one started, runs join it
        // one by one, and the first run's curves grow while later variants still wait.
        const timeline: string[] = [];
        let openedAfterMs: number | undefined;
        let sawWaitingWithCurve = false;
        let sawLive = false;
        const describeView = (v: CompareView) =>
          `${v.runs.length} run(s)` +
          `${v.runs.some((r) => r.details.includes(` · ${WEBVIEW_STRINGS_EN.statusLive} · `)) ? ', one live' : ''}` +
          `, waiting ${v.waitingVisible ? JSON.stringify(v.waiting) : 'none'}` +
          `, loss points ${JSON.stringify(v.charts.loss?.points ?? {})}`;
        await waitForCompare(
          page,
          'the three runs to complete',
          (v) =>
            v.runs.length === 3 &&
            v.runs.every((r) => r.details.includes(` · ${WEBVIEW_STRINGS_EN.statusCompleted} · ${EPOCHS}/${EPOCHS}`)) &&
            v.mapsDrawn === 3 &&
            ['loss', 'accuracy'].every((id) => LETTERS.every((letter) => v.charts[id]?.points[letter] === EPOCHS)),
          300_000,
          (v) => {
            openedAfterMs ??= Date.now() - pressedAt;
            const line = describeView(v);
            if (timeline.at(-1)?.replace(/^\+\d+ s: /, '') !== line)
              timeline.push(`+${Math.round((Date.now() - pressedAt) / 1000)} s: ${line}`);
            if (v.runs.some((r) => r.details.includes(` · ${WEBVIEW_STRINGS_EN.statusLive} · `))) sawLive = true;
            if (v.waitingVisible && v.runs.length >= 1 && (v.charts.loss?.points.A ?? 0) >= 1)
              sawWaitingWithCurve = true;
          },
        );
        console.log(`compare: panel after ${openedAfterMs} ms; timeline:\n  ${timeline.join('\n  ')}`);
        assert.ok(sawLive, 'a run was shown live in the comparison while it trained');
        assert.ok(
          sawWaitingWithCurve,
          'the first run’s curve had points while variants were still waiting to train (the panel fills as they go)',
        );
        await waitForNotification(
          page,
          MESSAGES_EN.variantsCompleted.replace('{count}', '3').replace('{chapter}', shortTitle),
          30_000,
        );
        await page
          .locator('.tabs-container .tab', {
            hasText: MESSAGES_EN.comparePanelTitle.replace('{count}', '3'),
          })
          .first()
          .waitFor({ timeout: 10_000 });

        // The three runs on disk: same seed, task and settings, one per variant, in order.
        const runsDir = join(env.folder!, 'runs');
        const runIds = readdirSync(runsDir).sort();
        assert.equal(runIds.length, 3, `three runs in ${runsDir}: ${runIds.join(', ')}`);
        const configs = runIds.map(
          (id) => JSON.parse(readFileSync(join(runsDir, id, 'config.json'), 'utf8')) as Record<string, unknown>,
        );
        assert.deepEqual(
          configs.map((c) => c.variant),
          variants.map((v) => v.id),
        );
        for (const [i, config] of configs.entries()) {
          assert.equal(config.chapter, CHAPTER.id);
          assert.equal(config.task, TASK.id);
          assert.equal(config.seed, SEED);
          const hyper = config[CHAPTER.id] as Record<string, unknown>;
          assert.equal(hyper.epochs, EPOCHS, `run ${runIds[i]} got the settings`);
          assert.equal(hyper.trainSize, SETTINGS['llmTutor.advanced.trainSize']);
          const status = JSON.parse(readFileSync(join(runsDir, runIds[i], 'status.json'), 'utf8')) as RunStatus;
          assert.equal(status.state, 'completed');
          assert.equal(status.epochsCompleted, EPOCHS);
        }

        // The final panel (read again from disk once the sequence ended).
        let { frame, view } = await waitForCompare(
          page,
          'the final comparison',
          (v) => v.runs.length === 3 && !v.waitingVisible && v.mapsDrawn === 3 && v.config.length > 0,
          30_000,
        );
        assert.equal(view.title, WEBVIEW_STRINGS_EN.compareTitle.replace('{count}', '3'));
        assert.equal(
          view.subtitle,
          WEBVIEW_STRINGS_EN.compareSubtitle
            .replace('{chapter}', CHAPTER.title.en)
            .replace('{task}', TASK.title.en)
            .replace('{seed}', String(SEED)),
        );
        assert.deepEqual(
          view.runs.map((r) => [r.letter, r.runId, r.legend]),
          runIds.map((id, i) => [LETTERS[i], id, legends[i]]),
          'runs A, B, C: one per variant, in training order, each named with its variant and seed',
        );
        assert.equal(view.damaged, 0);
        assert.deepEqual(
          view.notShared.map((item) => item.kind),
          ['none'],
          'the runs share chapter, task and seed',
        );

        // One chart per declared chart, each with three curves (one per run, a point per epoch) and
        // a legend naming each variant (the chart's accessible text lists the legend's labels).
        assert.deepEqual(
          view.chartOrder,
          CHAPTER.charts.map((chart) => chart.id),
        );
        for (const chart of CHAPTER.charts) {
          // The selector's order: the train loss (on the loss chart), then the chapter's metrics.
          const metrics = [
            ...(chart.id === 'loss' ? ['train_loss'] : []),
            ...CHAPTER.metrics.filter((metric) => metric.chart === chart.id).map((metric) => metric.key),
          ];
          assert.ok(metrics.length >= 2, `chart ${chart.id} declares ${metrics.join(', ')}`);
          // Every metric the chart can show, chosen with its selector.
          for (const [index, key] of metrics.entries()) {
            const shown = await chooseMetric(page, chart.id, index, key);
            assert.equal(shown.series, 3, `chart ${chart.id} (${key}): three lines`);
            assert.deepEqual(
              shown.points,
              { A: EPOCHS, B: EPOCHS, C: EPOCHS },
              `chart ${chart.id} (${key}): points per run`,
            );
            assert.ok(shown.visible, `chart ${chart.id} is shown`);
            const at = legends.map((legend) => shown.aria.indexOf(legend));
            assert.ok(
              at.every((position) => position >= 0) && at.every((position, i) => i === 0 || position > at[i - 1]),
              `chart ${chart.id}'s legend names A, B and C with their variants: ${shown.aria}`,
            );
          }
        }

        // The document drawn after the sequence ended (chooseMetric may have found a newer one).
        ({ frame, view } = await waitForCompare(
          page,
          'the final comparison',
          (v) => v.mapsDrawn === 3 && v.config.length > 0,
          10_000,
        ));
        await frame.locator('#compare-charts-section').scrollIntoViewIfNeeded();
        await screenshot(page, 'compare-train-variants-charts');

        // The configurations: exactly `variant` and what the variants override differ, marked.
        const overridden = [...new Set(variants.flatMap((variant) => Object.keys(variant.overrides ?? {})))];
        assert.deepEqual(overridden, ['score']);
        const differing = view.config.filter((row) => row.differs);
        assert.deepEqual(
          differing.map((row) => row.key),
          ['variant', ...overridden],
          'the settings marked as differing',
        );
        for (const row of differing) {
          assert.match(row.className, /\bdiffers\b/);
          assert.equal(row.mark.trim(), '≠');
        }
        assert.deepEqual(
          differing.find((row) => row.key === 'variant')?.values,
          variants.map((variant) => variant.id),
        );
        for (const key of ['chapter', 'task', 'seed', 'epochs', 'trainSize']) {
          const row = view.config.find((candidate) => candidate.key === key);
          assert.ok(row && !row.differs && row.mark === '', `${key} is the same for every run`);
        }
        assert.deepEqual(view.configHead, [WEBVIEW_STRINGS_EN.compareConfigSetting, ...LETTERS]);
        assert.equal(view.configSummary, WEBVIEW_STRINGS_EN.compareConfigSummary.replace('{count}', '2'));

        // One probe, three maps side by side: the runs' own saved maps, rows summing to 1.
        assert.equal(view.maps.length, 3);
        assert.deepEqual(
          view.maps.map((map) => [map.runId, map.caption]),
          runIds.map((id, i) => [
            id,
            WEBVIEW_STRINGS_EN.compareMapCaption
              .replace('{letter}', LETTERS[i])
              .replace('{variant}', variants[i].title.en)
              .replace('{epoch}', String(EPOCHS)),
          ]),
        );
        await frame.locator('#compare-maps').scrollIntoViewIfNeeded();
        assert.ok(
          view.maps.every((map) => map.visible),
          'the three maps are shown',
        );
        const boxes = await Promise.all([0, 1, 2].map((i) => frame.locator(`#compare-map-${i}-canvas`).boundingBox()));
        assert.ok(
          boxes.every(
            (box, i) => box && (i === 0 || (box.x > boxes[i - 1]!.x && Math.abs(box.y - boxes[i - 1]!.y) < 1)),
          ),
          `side by side: ${JSON.stringify(boxes)}`,
        );
        const firstRun = JSON.parse(
          readFileSync(join(runsDir, runIds[0], 'attention', `epoch-${String(EPOCHS).padStart(3, '0')}.json`), 'utf8'),
        ) as AttentionSnapshot;
        const source = firstRun.probes[0].source;
        const saved = runIds.map((id) => savedMap(join(runsDir, id), source, view.mapKey));
        const { rows, columns } = saved[0];
        assert.ok(rows > 1 && columns > 1, `a ${rows} × ${columns} map`);
        for (const map of view.maps) assert.deepEqual([map.rows, map.columns], [rows, columns]);

        // Walk every cell with the keyboard; the readout gives the three runs' weights of that cell.
        await page.mouse.move(5, 5); // the pointer off the maps (hovering a map moves the cursor too)
        const canvas = frame.locator('#compare-map-0-canvas');
        const shownWeights: (number | null)[][] = [[], [], []];
        await canvas.press('Escape'); // no cursor yet
        for (let row = 0; row < rows; row++) {
          await canvas.press('ArrowDown'); // row 0: the first cell; then one row down (last column)
          if (row > 0) await canvas.press('Home');
          for (let column = 0; column < columns; column++) {
            if (column > 0) await canvas.press('ArrowRight');
            const values = await readoutAt(frame, row, column);
            assert.equal(values.length, 3, `one value per run at (${row}, ${column})`);
            values.forEach((value, run) => shownWeights[run].push(value));
          }
        }
        let largestDifference = 0;
        for (let run = 0; run < 3; run++) {
          const { weights, mask } = saved[run];
          for (let cell = 0; cell < rows * columns; cell++) {
            const shown = shownWeights[run][cell];
            if (mask && !mask[cell]) {
              assert.equal(shown, null, `run ${LETTERS[run]} cell ${cell} is masked`);
              continue;
            }
            assert.ok(
              shown !== null && Math.abs(shown - weights[cell]) < 1e-6,
              `run ${LETTERS[run]} cell ${cell}: shown ${shown}, saved ${weights[cell]}`,
            );
            if (run > 0)
              largestDifference = Math.max(largestDifference, Math.abs(shown - (shownWeights[0][cell] ?? 0)));
          }
          for (let row = 0; row < rows; row++) {
            const sum = shownWeights[run]
              .slice(row * columns, (row + 1) * columns)
              .reduce<number>((total, value) => total + (value ?? 0), 0);
            assert.ok(Math.abs(sum - 1) < 1e-3, `run ${LETTERS[run]} row ${row} sums to ${sum}`);
          }
        }
        assert.ok(
          largestDifference > 1e-4,
          `the three maps are not the same map (largest |difference| ${largestDifference})`,
        );
        console.log(
          `compare: runs ${runIds.join(', ')}; probe ${JSON.stringify(source)}, map ${view.mapKey} ${rows} × ${columns}; ` +
            `largest |difference| from A ${largestDifference.toFixed(4)}; ${Math.round((Date.now() - pressedAt) / 1000)} s from the command`,
        );
        await frame.locator('#compare-maps').scrollIntoViewIfNeeded();
      });
    },
  );
  test(
    'Train Variants… on transformer (dates) reuses the finished attention-seq2seq run of the same task, seed and settings',
    { timeout: 420_000 },
    async () => {
      await scenario('compare-reuse', env, async (page) => {
        const transformer = chapterInfo('transformer');
        const runsDir = join(env.folder!, 'runs');
        // The attention-seq2seq run the comparison would train, made beforehand by the CLI.
        const before = new Set(readdirSync(runsDir));
        trainWithStagedCli(stageDir, [
          ...['attention-seq2seq', '--task', 'dates', '--seed', String(SEED), '--epochs', String(EPOCHS)],
          ...['--batch-size', String(SETTINGS['llmTutor.batchSize'])],
          ...['--train-size', String(SETTINGS['llmTutor.advanced.trainSize'])],
          ...['--validation-size', String(SETTINGS['llmTutor.advanced.validationSize'])],
          ...['--test-size', String(SETTINGS['llmTutor.advanced.testSize']), '--output-dir', runsDir],
        ]);
        const existing = readdirSync(runsDir).filter((name) => !before.has(name));
        assert.equal(existing.length, 1, `the CLI made one run: ${existing.join(', ')}`);
        const reusedId = existing[0];
        assert.match(reusedId, /-attention-seq2seq$/);

        const { shortTitle, pressedAt } = await trainVariants(page, transformer, 'dates');

        // The reused run is in the comparison before the first transformer run has completed.
        const variants = transformer.variants.map((variant) => variant.id);
        const completed = ` · ${WEBVIEW_STRINGS_EN.statusCompleted} · `;
        const early = await waitForCompare(
          page,
          'the reused run in the comparison',
          (v) => v.runs.some((r) => r.runId === reusedId),
          120_000,
        );
        const transformerRunsDone = early.view.runs.filter(
          (r) => r.runId !== reusedId && r.details.includes(completed),
        ).length;
        assert.equal(
          transformerRunsDone,
          0,
          `shown before any transformer run completed: ${JSON.stringify(early.view)}`,
        );
        console.log(`compare-reuse: reused run ${reusedId} shown ${Date.now() - pressedAt} ms after the command`);

        const done = await waitForCompare(
          page,
          'every transformer variant and the reused run',
          (v) =>
            v.runs.length === variants.length + 1 &&
            !v.waitingVisible &&
            v.runs.every((r) => r.details.includes(completed)),
          360_000,
        );
        // Trained: one run per variant; attention-seq2seq: none (the reused run only).
        const added = readdirSync(runsDir).filter((name) => !before.has(name) && name !== reusedId);
        assert.equal(added.length, variants.length, added.join(', '));
        assert.ok(
          added.every((name) => name.endsWith('-transformer')),
          added.join(', '),
        );
        assert.ok(done.view.runs.some((r) => r.runId === reusedId));
        assert.deepEqual(
          done.view.runs
            .filter((r) => r.runId !== reusedId)
            .map((r) => r.runId)
            .sort(),
          [...added].sort(),
        );
        await waitForNotification(
          page,
          MESSAGES_EN.variantsCompleted.replace('{count}', String(variants.length)).replace('{chapter}', shortTitle),
          30_000,
        );
        await screenshot(page, 'compare-reuse');
      });
    },
  );
});
