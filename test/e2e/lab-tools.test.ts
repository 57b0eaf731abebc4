// End-to-end scenarios of the lab's tools (issue 14) in a real VS Code (code-server 4.96.4 +
// Chromium, see harness.ts): a saved self-attention run of 3 epochs (made by the packaged CLI) is
// opened from the palette, then
//   1. play animates the map through the saved snapshots (the drawn epoch and its label change);
//   2. a map's SVG and PNG buttons, the probe's JSON button and the `Export View…` command (the
//      metrics as CSV) write files where code-server's save dialog (VS Code's simple file dialog)
//      was told to, and nothing when it is cancelled;
//   3. a shape-table link opens the chapter's model file (the packaged read-only copy) at its line.
// One trusted workspace and one code-server for the three (they run in order on the same panel).
// Run: node --import tsx --test test/e2e/lab-tools.test.ts
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { MESSAGES_EN } from '../../src/extension/messages';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { checkExportContent } from '../../src/shared/run/export';
import type { EvaluationRecord } from '../../src/shared/run/records';
import { FEATURE_STRINGS_EN } from '../../src/shared/strings/features';
import { WEBVIEW_STRINGS_EN } from '../../src/shared/strings/webview';
import {
  ARTIFACTS_DIR,
  ensureSetup,
  quickInput,
  quickPickRows,
  runCommand,
  type CodeServer,
  type Workbench,
} from './harness';
import { labFrame, openSavedRun, readSnapshot, timedScenarios, waitForPanel } from './probes';
import {
  activeEditorState,
  answerSaveDialog,
  buildVsix,
  escapeRegExp,
  makeWorkspace,
  sleep,
  startWorkbench,
  stopWorkbench,
  waitForFile,
  trainWithStagedCli,
} from './workbench';

const fileStarted = Date.now();
const durations: Record<string, number> = {};
const selfAttention = chapterInfo('self-attention');
const EPOCHS = 3;
const EXPORT_VIEW = 'LLM Tutor: Export View…';

let tempRoot: string;
let stageDir: string;
let vsixPath: string;
let runDir: string;
let runId: string;

/** Runs a scenario (probes.ts) and records its duration. */
const scenario = timedScenarios(durations);

/** A saved self-attention run (task reverse) of EPOCHS epochs, one snapshot each, by the packaged CLI (seconds). */
function makeSelfAttentionRun(): string {
  return trainWithStagedCli(stageDir, [
    ...['self-attention', '--task', 'reverse', '--epochs', String(EPOCHS)],
    ...['--train-size', '800', '--validation-size', '64', '--test-size', '16', '--batch-size', '32', '--seed', '7'],
    ...['--output-dir', join(tempRoot, 'cli-runs')],
  ]);
}

function evaluations(dir: string): EvaluationRecord[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { kind: string })
    .filter((m): m is EvaluationRecord => m.kind === 'epoch');
}

/** What the replay shows: the epoch of the snapshot drawn, the label under the slider, the map's pixels. */
interface ReplayView {
  epoch: string;
  label: string;
  playing: string;
  map: string;
}

function readReplay(frame: Frame): Promise<ReplayView> {
  return frame.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('#probe-map-canvas');
    return {
      epoch: document.querySelector<HTMLElement>('.attention-panel')?.dataset.epoch ?? '',
      label: document.querySelector('#epoch-value')?.textContent ?? '',
      playing: document.querySelector('#epoch-play')?.getAttribute('aria-pressed') ?? '',
      map: canvas ? canvas.toDataURL() : '',
    };
  });
}

/** The text contents of an SVG's <text> elements, parsed by the browser's XML parser (throws on a parse error). */
async function svgTexts(page: Page, svg: string): Promise<{ root: string; texts: string[] }> {
  return page.evaluate((source) => {
    const doc = new DOMParser().parseFromString(source, 'image/svg+xml');
    const error = doc.querySelector('parsererror');
    if (error) throw new Error(`the SVG does not parse: ${error.textContent ?? ''}`);
    return {
      root: doc.documentElement.localName,
      texts: [...doc.querySelectorAll('text')].map((text) => (text.textContent ?? '').trim()),
    };
  }, svg);
}

/** Codicon `lock-small`, the decoration VS Code draws on the tab of a read-only file. */
const LOCK_SMALL = '\uebe7';

/** Whether the tab draws the read-only lock (a decoration: a codicon in a pseudo-element's `content`). */
function tabShowsLock(tab: Locator): Promise<boolean> {
  return tab.evaluate(
    (root, lock) =>
      [root, ...root.querySelectorAll('*')].some((element) =>
        ['::before', '::after'].some((pseudo) => getComputedStyle(element, pseudo).content.includes(lock)),
      ),
    LOCK_SMALL,
  );
}

/** A PNG's width and height from its IHDR chunk, after checking the signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR', 'the first chunk is IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

// ── the scenarios ──────────────────────────────────────────────────────────────────────────────

before(() => {
  ensureSetup();
  if (existsSync(ARTIFACTS_DIR)) {
    for (const file of readdirSync(ARTIFACTS_DIR))
      if (/^lab-tools-.*\.png$|^lab-tools-timings\.json$/.test(file)) rmSync(join(ARTIFACTS_DIR, file));
  }
  tempRoot = mkdtempSync(join(tmpdir(), 'llm-tutor-e2e-lab-tools-'));
  ({ vsixPath, stageDir } = buildVsix(tempRoot));
  runDir = makeSelfAttentionRun();
  runId = runDir.split('/').pop()!;
});

after(() => {
  const wall = Date.now() - fileStarted;
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(
    join(ARTIFACTS_DIR, 'lab-tools-timings.json'),
    `${JSON.stringify({ scenarioMs: durations, e2eWallMs: wall }, null, 2)}\n`,
  );
  console.log(`lab-tools e2e: ${JSON.stringify({ scenarioMs: durations, e2eWallMs: wall })}`);
  if (tempRoot && !/^(1|true|yes)$/i.test(process.env.LLM_TUTOR_E2E_KEEP ?? ''))
    rmSync(tempRoot, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

describe('the lab’s tools on a saved self-attention run (one VS Code)', () => {
  const env: { server?: CodeServer; workbench?: Workbench; folder?: string } = {};
  /** The run's panel, opened by scenario 1 and used by the others. */
  let frame: Frame | undefined;
  /** Where the exports are saved: outside the workspace, empty. */
  let exportDir: string;

  before(async () => {
    env.folder = makeWorkspace(tempRoot, 'workspace-tools', {}, { [runId]: runDir });
    exportDir = join(tempRoot, 'exports');
    mkdirSync(exportDir);
    Object.assign(env, await startWorkbench(env.folder, true, vsixPath, 'lab-tools'));
  });
  after(() => stopWorkbench(env));

  /** The run's panel, opened again if a scenario before did not open it. */
  async function panel(page: Page): Promise<Frame> {
    if (!frame || frame.isDetached()) {
      await openSavedRun(page, runId);
      frame = await labFrame(page, runId);
    }
    await waitForPanel(
      frame,
      'the saved run',
      (v) => v.state === 'completed' && v.mapRows > 0 && v.attentionEpoch === String(EPOCHS),
      30_000,
    );
    return frame;
  }

  test('1. play animates the map through the saved snapshots', { timeout: 120_000 }, async () => {
    await scenario(
      'lab-tools-1-replay',
      () => env.workbench,
      () => env.server,
      async (page) => {
        const lab = await panel(page);
        const before = await readReplay(lab);
        const latest = WEBVIEW_STRINGS_EN.attentionEpochValue
          .replace('{epoch}', String(EPOCHS))
          .replace('{last}', String(EPOCHS));
        assert.equal(before.epoch, String(EPOCHS), 'the newest snapshot is drawn first');
        assert.ok(before.label.startsWith(latest), before.label);
        assert.equal(before.playing, 'false');

        const play = lab.locator('#epoch-play');
        assert.ok(await play.isEnabled(), 'the play button is enabled with several snapshots');
        await play.click();
        // Poll what is drawn until the replay has come back to the newest snapshot and paused.
        const seen: ReplayView[] = [before];
        const deadline = Date.now() + 60_000;
        for (;;) {
          const view = await readReplay(lab);
          const last = seen[seen.length - 1];
          if (!last || last.epoch !== view.epoch || last.label !== view.label || last.playing !== view.playing)
            seen.push(view);
          if (view.playing === 'false' && seen.some((v) => v.epoch === '1') && view.epoch === String(EPOCHS)) break;
          if (Date.now() > deadline)
            throw new Error(
              `the replay did not run through the snapshots: ${JSON.stringify(seen.map(({ map: _m, ...v }) => v))}`,
            );
          await sleep(50);
        }
        const shown = seen.map(({ map: _m, ...v }) => v);
        console.log(`scenario 1: replay ${JSON.stringify(shown)}`);

        // Every snapshot was drawn, in order, once each after the start: 3 → 1 → 2 → 3.
        const epochs = seen.map((v) => v.epoch).filter((epoch, i, all) => i === 0 || epoch !== all[i - 1]);
        assert.deepEqual(epochs, ['3', '1', '2', '3'], `drawn epochs in order: ${JSON.stringify(shown)}`);
        // The label named each drawn epoch while it was drawn (after any "loading" note).
        for (const epoch of [1, 2]) {
          const label = WEBVIEW_STRINGS_EN.attentionEpochValue
            .replace('{epoch}', String(epoch))
            .replace('{last}', String(EPOCHS));
          assert.ok(
            seen.some((v) => v.epoch === String(epoch) && v.label === label),
            `the label read “${label}” while epoch ${epoch} was drawn: ${JSON.stringify(shown)}`,
          );
        }
        assert.ok(
          seen.some((v) => v.playing === 'true'),
          'the button showed it was playing',
        );
        // The map itself changed: the snapshots of epochs 1 and 3 are drawn differently.
        const first = seen.find((v) => v.epoch === '1')!;
        assert.notEqual(first.map, before.map, 'the map of epoch 1 is drawn unlike that of epoch 3');
        const end = await readReplay(lab);
        assert.ok(end.label.startsWith(latest), `back at the newest snapshot: ${end.label}`);
        assert.equal(end.map, before.map, 'the newest snapshot is drawn as before');
      },
    );
  });

  test(
    '2. export buttons and Export View… write the files chosen in the save dialog',
    { timeout: 180_000 },
    async () => {
      await scenario(
        'lab-tools-2-export',
        () => env.workbench,
        () => env.server,
        async (page) => {
          const lab = await panel(page);
          const probe = readSnapshot(runDir, EPOCHS).probes[0];
          const saved = (name: string) => FEATURE_STRINGS_EN.exported.replace('{name}', name);
          const saveTitle = (file: string) => MESSAGES_EN.exportSaveTitle.replace('{name}', file);

          // The map as SVG: the button, then the dialog (it proposes a file in the workspace).
          const svgButton = lab.locator('#export-map-svg');
          await svgButton.scrollIntoViewIfNeeded();
          await svgButton.click();
          const svgFile = join(exportDir, 'map.svg');
          const mapName = `${runId}-e${EPOCHS}-probe1-`;
          const proposed = await answerSaveDialog(page, saveTitle(mapName), svgFile);
          assert.match(proposed, new RegExp(`^${escapeRegExp(env.folder!)}/${escapeRegExp(mapName)}[^/]*\\.svg$`));
          const svg = (await waitForFile(svgFile)).toString('utf8');
          const parsed = await svgTexts(page, svg);
          assert.equal(parsed.root, 'svg');
          for (const token of probe.source)
            assert.ok(parsed.texts.includes(token), `the SVG labels token “${token}”: ${JSON.stringify(parsed.texts)}`);
          await waitForPanel(lab, 'the saved note', (v) => v.bodyText.includes(saved('map.svg')), 10_000);
          assert.deepEqual(readdirSync(exportDir), ['map.svg'], 'only the file chosen was written');

          // The map as PNG: PNG_SCALE times the SVG's size.
          await lab.locator('#export-map-png').click();
          const pngFile = join(exportDir, 'map.png');
          await answerSaveDialog(page, saveTitle(mapName), pngFile);
          const png = pngSize(await waitForFile(pngFile));
          const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1]);
          const height = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1]);
          assert.ok(width > 0 && height > 0, `the SVG has a size: ${svg.slice(0, 200)}`);
          assert.ok(png.width > 0 && png.width / width === png.height / height, JSON.stringify({ png, width, height }));
          assert.ok(png.width >= width, JSON.stringify({ png, width }));
          await waitForPanel(lab, 'the saved note', (v) => v.bodyText.includes(saved('map.png')), 10_000);

          // Cancelling the dialog writes nothing.
          await lab.locator('#export-map-svg').click();
          await page
            .locator('.quick-input-widget .quick-input-title', { hasText: saveTitle(mapName) })
            .waitFor({ state: 'visible', timeout: 20_000 });
          await quickInput(page).press('Escape');
          await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
          // The probe as JSON: what the product's own check accepts, the probe of the snapshot shown.
          await lab.locator('#export-probe-json').click();
          const jsonFile = join(exportDir, 'probe.json');
          await answerSaveDialog(page, saveTitle(`${runId}-e${EPOCHS}-probe1.json`), jsonFile);
          const json = (await waitForFile(jsonFile)).toString('utf8');
          const checked = checkExportContent('json', json);
          assert.ok(checked.ok, checked.ok ? '' : checked.reason);
          const exported = JSON.parse(json) as {
            runId: string;
            epoch: number;
            probe: number;
            record: { source: string[] };
          };
          assert.deepEqual(
            { runId: exported.runId, epoch: exported.epoch, probe: exported.probe, source: exported.record.source },
            { runId, epoch: EPOCHS, probe: 0, source: probe.source },
          );
          assert.deepEqual(
            readdirSync(exportDir).sort(),
            ['map.png', 'map.svg', 'probe.json'],
            'the cancelled export wrote nothing',
          );

          // Export View… from the palette: the metrics as CSV, one row per evaluation.
          await runCommand(page, EXPORT_VIEW);
          const input = quickInput(page);
          await input.waitFor({ state: 'visible', timeout: 15_000 });
          assert.equal(await input.getAttribute('placeholder'), MESSAGES_EN.exportPick);
          await input.fill(FEATURE_STRINGS_EN.exportMetricsLabel);
          const row = quickPickRows(page).filter({ hasText: 'CSV' });
          await row.first().waitFor({ state: 'visible', timeout: 10_000 });
          await row.first().click();
          const csvFile = join(exportDir, 'metrics.csv');
          await answerSaveDialog(page, saveTitle(`${runId}-metrics.csv`), csvFile);
          const csv = (await waitForFile(csvFile)).toString('utf8').trim().split('\n');
          const header = csv[0].split(',');
          assert.deepEqual(header, [
            'epoch',
            'step',
            'seconds',
            'train_loss',
            ...selfAttention.metrics.map((m) => m.key),
          ]);
          const records = evaluations(runDir);
          assert.equal(csv.length - 1, EPOCHS, 'one row per evaluation');
          csv.slice(1).forEach((line, i) => {
            const cells = line.split(',');
            assert.equal(Number(cells[0]), records[i].epoch);
            assert.equal(Number(cells[3]), records[i].train_loss);
          });
          assert.deepEqual(readdirSync(exportDir).sort(), ['map.png', 'map.svg', 'metrics.csv', 'probe.json']);
          // Nothing was written anywhere else the dialog proposed (the workspace).
          assert.deepEqual(readdirSync(env.folder!).sort(), ['.vscode', 'README.md', 'runs']);
        },
      );
    },
  );

  test('3. a shape-table link opens the model file at its line', { timeout: 120_000 }, async () => {
    await scenario(
      'lab-tools-3-code-link',
      () => env.workbench,
      () => env.server,
      async (page) => {
        const lab = await panel(page);
        const link = lab.locator('#shapes-section tr[data-name="attention_weights"] .shape-source');
        await link.scrollIntoViewIfNeeded();
        const file = await link.getAttribute('data-file');
        const line = Number(await link.getAttribute('data-line'));
        assert.equal(file, 'src/engine/chapters/self-attention/model.ts');
        assert.ok(line > 0, `a line: ${line}`);
        await link.click();
        const deadline = Date.now() + 20_000;
        let state = await activeEditorState(page);
        while ((state.tab !== 'model.ts' || state.line !== line || !state.lineText) && Date.now() < deadline) {
          await sleep(200);
          state = await activeEditorState(page);
        }
        console.log(`scenario 3: ${JSON.stringify(state)}`);
        assert.equal(state.tab, 'model.ts', JSON.stringify(state));
        assert.equal(state.line, line, `the cursor is on line ${line}: ${JSON.stringify(state)}`);
        assert.equal(state.column, 1);
        // The packaged copy of the chapter's sources (the .vsix has no src/), the chapter's own file.
        // (Breadcrumbs may go on with the symbol the cursor is in.)
        const at = state.breadcrumbs.indexOf('model.ts');
        assert.deepEqual(
          state.breadcrumbs.slice(Math.max(0, at - 6), at + 1),
          ['dist', 'sources', 'src', 'engine', 'chapters', 'self-attention', 'model.ts'],
          JSON.stringify(state.breadcrumbs),
        );
        // The line shown is the one of the sources that creates the tensor.
        const sourceLine = readFileSync(join(stageDir, file), 'utf8').split('\n')[line - 1];
        assert.match(sourceLine, /attention_weights/);
        assert.equal(state.lineText.trim(), sourceLine.trim());

        // The copy is opened read-only: its tab shows the lock (the extension makes it read-only
        // just after it opens), and typing into it is refused and changes nothing.
        const group = page.locator('.editor-group-container.active');
        assert.equal(
          await tabShowsLock(page.locator('.tab', { hasText: `Lab: ${runId}` }).first()),
          false,
          'the lab panel’s tab has no lock',
        );
        const lockDeadline = Date.now() + 10_000;
        while (!(await tabShowsLock(group.locator('.tab.active')))) {
          assert.ok(Date.now() < lockDeadline, 'the tab of the packaged copy shows the read-only lock');
          await sleep(100);
        }
        // (Focusing its text area, not clicking, which would move the cursor.)
        await group.locator('.monaco-editor textarea.inputarea').focus();
        await page.keyboard.type('x');
        await group
          .locator('.monaco-editor-overlaymessage', { hasText: /read-only/i })
          .waitFor({ state: 'visible', timeout: 10_000 });
        const after = await activeEditorState(page);
        assert.equal(after.line, line, JSON.stringify(after));
        assert.equal(after.lineText.trim(), sourceLine.trim(), 'the line is unchanged');
        assert.equal(await group.locator('.tab.active.dirty').count(), 0, 'the file is not modified');
      },
    );
  });
});
