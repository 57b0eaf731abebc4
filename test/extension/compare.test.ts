/**
 * Comparing runs from VS Code, without VS Code: the Compare Runs and Train Variants flows over fake
 * quick picks (the Runs view's multi-selection included), the comparison panel's message gate
 * (fuzzed with malformed messages), the lab panel's `trainComparison`, restoring a panel from
 * untrusted state, what the panel receives (compareFeed.ts), the engine client's `trainVariants`
 * against the fake engine, and the manifest's commands and menus.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import * as v from 'valibot';
import {
  compareRuns,
  compareRunItems,
  runIdsFromTree,
  trainVariants,
  variantChapterItems,
  type ManyPickItem,
  type TrainVariantsDeps,
} from '../../src/extension/compareFlow';
import {
  alreadyInCompare,
  buildCompareInit,
  CompareFeed,
  compareMessageFor,
  comparedEntries,
  startedRunEntry,
} from '../../src/extension/compareFeed';
import { checkCompareRequest, restorableComparison } from '../../src/extension/compareRequests';
import { EngineClient, type RunStarted } from '../../src/extension/engineClient';
import { COMMANDS, COMPARE_VIEW_TYPE } from '../../src/extension/ids';
import { setLanguage } from '../../src/extension/language';
import { checkPanelRequest } from '../../src/extension/panelRequests';
import type { PickItem, PickOptions } from '../../src/extension/trainChapterFlow';
import { saveComparison } from '../../src/runStore';
import { CHAPTERS, chapterInfo } from '../../src/shared/course/catalogue';
import type { ChapterId } from '../../src/shared/ids';
import type { EngineMessage } from '../../src/shared/protocol/engine';
import { HostToWebviewSchema, type HostToWebview } from '../../src/shared/protocol/webview';
import type { RunListEntry } from '../../src/shared/run/records';
import { makeTempDir, removeTempDir, writeFixtureRun } from '../engine/fixtures/runFixture';
import { writeFakeEngine } from './fakeEngine';

afterEach(() => setLanguage('en'));

type GoodEntry = Extract<RunListEntry, { ok: true }>;
const entry = (runId: string, overrides: Partial<GoodEntry> = {}): GoodEntry => ({
  ok: true,
  runId,
  dir: `/runs/${runId}`,
  chapter: 'self-attention',
  task: 'reverse',
  variant: 'scaled',
  state: 'completed',
  epochsCompleted: 2,
  epochs: 2,
  best: null,
  startedAt: '2025-01-01T00:00:00.000Z',
  ...overrides,
});
const damaged: RunListEntry = {
  ok: false,
  runId: 'broken-run',
  dir: '/runs/broken-run',
  reason: 'status.json is empty',
};
const RUNS: RunListEntry[] = [
  entry('r1'),
  entry('r2', { variant: 'unscaled' }),
  damaged,
  entry('r3'),
  entry('r4'),
  entry('r5'),
];

function compareUi(answer: ((items: ManyPickItem<string>[]) => string[] | undefined) | null, runs = RUNS) {
  const opened: string[][] = [];
  const told: string[] = [];
  const shown: ManyPickItem<string>[][] = [];
  const deps = {
    pickMany: async <T>(items: ManyPickItem<T>[], _options: PickOptions) => {
      shown.push(items as unknown as ManyPickItem<string>[]);
      if (!answer) assert.fail('no quick pick expected');
      const values = answer(items as unknown as ManyPickItem<string>[]);
      return values === undefined
        ? undefined
        : items.filter((item) => values.includes(item.value as unknown as string));
    },
    listRuns: async () => runs,
    open: (runIds: string[]) => void opened.push(runIds),
    tell: (message: string) => void told.push(message),
  };
  return { deps, opened, told, shown };
}

describe('Compare Runs…', () => {
  it('compares the runs selected in the Runs view at once (damaged ones left out)', async () => {
    const ui = compareUi(null);
    assert.deepEqual(await compareRuns(ui.deps, RUNS[0], [RUNS[0], RUNS[1], damaged, RUNS[3]]), ['r1', 'r2', 'r3']);
    assert.deepEqual(ui.opened, [['r1', 'r2', 'r3']]);
  });

  it('asks with a multi-select quick pick when fewer than two are selected, the clicked one ticked', async () => {
    const ui = compareUi((items) => {
      assert.deepEqual(
        items.map((item) => [item.value, item.picked]),
        [
          ['r1', false],
          ['r2', true],
          ['r3', false],
          ['r4', false],
          ['r5', false],
        ],
        'readable runs only, the clicked one ticked',
      );
      return ['r2', 'r4'];
    });
    assert.deepEqual(await compareRuns(ui.deps, RUNS[1], [RUNS[1]]), ['r2', 'r4']);
    assert.deepEqual(ui.opened, [['r2', 'r4']]);
  });

  it('from the palette: cancel does nothing; fewer than 2 or more than 4 are refused with a message', async () => {
    const cancel = compareUi(() => undefined);
    assert.equal(await compareRuns(cancel.deps), null);
    assert.deepEqual(cancel.opened, []);
    const one = compareUi(() => ['r1']);
    assert.equal(await compareRuns(one.deps), null);
    assert.deepEqual(one.told, ['Choose 2 to 4 runs to compare (1 chosen).']);
    const five = compareUi(null);
    assert.equal(await compareRuns(five.deps, undefined, RUNS), null);
    assert.deepEqual(five.told, ['Choose 2 to 4 runs to compare (5 chosen).']);
    const none = compareUi(null, [entry('only'), damaged]);
    assert.equal(await compareRuns(none.deps), null);
    assert.match(none.told[0], /at least two readable runs/);
  });

  it('takes nothing from arguments that are not run entries', () => {
    assert.deepEqual(runIdsFromTree(undefined, undefined), []);
    assert.deepEqual(runIdsFromTree('r1', ['r2']), []);
    assert.deepEqual(runIdsFromTree({ ok: true, runId: '../escape' }, undefined), []);
    assert.deepEqual(runIdsFromTree(RUNS[0], [RUNS[0], RUNS[0]]), ['r1']);
    setLanguage('zh-cn');
    assert.match(compareRunItems([RUNS[0]], [])[0].detail ?? '', /已完成/);
  });
});

function variantsUi(answers: (string | undefined)[], trusted = true) {
  const shown: { options: PickOptions; items: PickItem<unknown>[] }[] = [];
  const trained: { chapter: ChapterId; task: string; variants: readonly string[] }[] = [];
  const told: string[] = [];
  let refused = 0;
  const deps: TrainVariantsDeps = {
    pick: async <T>(items: PickItem<T>[], options: PickOptions) => {
      shown.push({ options, items: items as PickItem<unknown>[] });
      const answer = answers[shown.length - 1];
      if (answer === undefined) return undefined;
      return items.find((item) => item.value === answer);
    },
    chapters: CHAPTERS,
    isTrusted: () => trusted,
    refuseUntrusted: () => void (refused += 1),
    tell: (message) => void told.push(message),
    train: async (chapter, task, variants) => void trained.push({ chapter, task, variants }),
  };
  return { deps, shown, trained, told, refused: () => refused };
}

describe('Train Variants…', () => {
  it('offers the chapters with variants, then the task (the chapter’s comparison task first); trains every variant', async () => {
    const ui = variantsUi(['self-attention', 'copy']);
    await trainVariants(ui.deps);
    const chapters = ui.shown[0].items.map((item) => item.value);
    assert.ok(chapters.includes('self-attention'));
    for (const id of chapters) assert.ok(chapterInfo(id as ChapterId).variants.length >= 2, `${id} has variants`);
    assert.deepEqual(
      ui.shown[1].items.map((item) => item.value),
      ['reverse', 'copy'],
    );
    assert.deepEqual(ui.trained, [
      { chapter: 'self-attention', task: 'copy', variants: ['scaled', 'unscaled', 'no-positions', 'sinusoidal'] },
    ]);
  });

  it('a preselected chapter skips the first pick; Escape, Restricted Mode and chapters without variants train nothing', async () => {
    const pre = variantsUi(['reverse']);
    await trainVariants(pre.deps, { id: 'self-attention' });
    assert.equal(pre.shown.length, 1);
    assert.equal(pre.trained[0].task, 'reverse');
    const cancel = variantsUi([undefined]);
    await trainVariants(cancel.deps);
    assert.deepEqual(cancel.trained, []);
    const untrusted = variantsUi([], false);
    await trainVariants(untrusted.deps);
    assert.equal(untrusted.refused(), 1);
    assert.equal(untrusted.shown.length, 0);
    const single = variantsUi([]);
    await trainVariants(single.deps, 'seq2seq');
    assert.deepEqual(single.trained, []);
    assert.deepEqual(single.told, ['No chapter of this version has variants to compare yet.']);
    assert.deepEqual(variantChapterItems(CHAPTERS.filter((c) => c.id === 'seq2seq')), []);
  });
});

/** The reason `raw` is refused; fails when it is accepted or the reason is not one short line. */
function refusal(raw: unknown, runIds: readonly string[] = ['a-run', 'b-run']): string {
  let result;
  try {
    result = checkCompareRequest(raw, { runIds, canSave: true });
  } catch (error) {
    assert.fail(`threw on ${String(raw)}: ${String(error)}`);
  }
  assert.equal(result.ok, false, `should refuse ${JSON.stringify(raw)?.slice(0, 80)}`);
  const reason = result.ok ? '' : result.reason;
  assert.ok(!/[\n\r]/.test(reason), `one line: ${JSON.stringify(reason)}`);
  assert.ok(reason.length <= 260, `short: ${reason.length}`);
  return reason;
}

describe('comparison panel messages (untrusted)', () => {
  it('accepts its own well-formed messages', () => {
    for (const message of [
      { type: 'ready' },
      { type: 'openRun', runId: 'b-run' },
      { type: 'saveComparison', name: 'scaled vs unscaled' },
      { type: 'saveComparison', name: '缩放对比 2' },
    ]) {
      const result = checkCompareRequest(message, { runIds: ['a-run', 'b-run'], canSave: true });
      assert.equal(result.ok, true, JSON.stringify(message));
    }
  });

  it('refuses malformed, foreign and hostile messages in one line that never echoes them', () => {
    const huge = 'x'.repeat(1_000_000);
    const cases: unknown[] = [
      null,
      'ready',
      42,
      [],
      new Uint8Array(0),
      {},
      { type: huge },
      { type: 'openRun' },
      { type: 'openRun', runId: 7 },
      { type: 'openRun', runId: '../../etc' },
      { type: 'openRun', runId: 'a/b' },
      { type: 'openRun', runId: '.comparisons' },
      { type: 'openRun', runId: 'c-run' },
      { type: 'openRun', runId: 'a-run', extra: 1 },
      { type: 'openRun', runId: huge },
      { type: 'saveComparison' },
      { type: 'saveComparison', name: '' },
      { type: 'saveComparison', name: '../escape' },
      { type: 'saveComparison', name: 'new\nline' },
      { type: 'saveComparison', name: 'trailing.' },
      { type: 'saveComparison', name: huge },
      { type: 'saveComparison', name: 'ok', ['evil\n'.repeat(100)]: 1 },
      { type: 'train', overrides: {} },
      { type: 'predict', text: 'x' },
      { type: 'requestAttention', epoch: 1 },
      { type: 'stop' },
      { type: 'trainComparison' },
    ];
    for (const raw of cases) {
      const reason = refusal(raw);
      assert.ok(!reason.includes(huge.slice(0, 100)), 'never echoes the input');
    }
    assert.match(refusal({ type: 'openRun', runId: 'c-run' }), /not a run of this comparison/);
    assert.match(refusal({ type: 'saveComparison', name: 'ok' }, ['a-run']), /at least 2 runs/);
    assert.match(refusal({ type: 'train', overrides: {} }), /does not take this message/);
    const throwing = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    );
    const result = checkCompareRequest(throwing, { runIds: ['a-run'], canSave: true });
    assert.ok(!result.ok && /could not be read/.test(result.reason));
  });

  it('a lab panel takes trainComparison only for a chapter with a comparison, and never the comparison messages', () => {
    const lab = (chapter: ChapterId) => ({ attentionEpochs: [1], hasRun: true, chapter: chapterInfo(chapter) });
    assert.equal(checkPanelRequest({ type: 'trainComparison' }, lab('self-attention')).ok, true);
    const refused = checkPanelRequest({ type: 'trainComparison' }, lab('attention-seq2seq'));
    assert.ok(!refused.ok && /has no comparison/.test(refused.reason));
    assert.equal(checkPanelRequest({ type: 'trainComparison', variants: ['x'] }, lab('self-attention')).ok, false);
    for (const message of [
      { type: 'saveComparison', name: 'x' },
      { type: 'openRun', runId: 'r' },
    ]) {
      const result = checkPanelRequest(message, lab('self-attention'));
      assert.ok(!result.ok && /lab panel does not take/.test(result.reason));
    }
  });

  it('restores a panel only from a valid state whose runs lie inside the runs folder', () => {
    const runsDir = makeTempDir('llm-tutor-restore-');
    try {
      const good = {
        view: 'compare',
        runIds: ['a-run', 'b-run'],
        name: null,
        probeIndex: 0,
        mode: 'forward',
        mapKey: null,
        difference: false,
        differenceFrom: 0,
        differenceTo: 1,
      };
      assert.deepEqual(restorableComparison(good, runsDir), {
        ok: true,
        value: { runIds: ['a-run', 'b-run'], name: null },
      });
      for (const bad of [
        undefined,
        { ...good, view: 'lab' },
        { ...good, runIds: [] },
        { ...good, runIds: ['../outside'] },
        { ...good, runIds: ['/abs/path'] },
        { ...good, name: '../x' },
        { runDir: '/runs/x' },
      ]) {
        const result = restorableComparison(bad, runsDir);
        assert.equal(result.ok, false, JSON.stringify(bad));
        assert.ok(!result.ok && !result.reason.includes('\n'));
      }
      fs.symlinkSync(os.tmpdir(), path.join(runsDir, 'link-out'));
      assert.equal(restorableComparison({ ...good, runIds: ['a-run', 'link-out'] }, runsDir).ok, false);
    } finally {
      removeTempDir(runsDir);
    }
  });
});

describe('what the comparison panel receives', () => {
  const runsDir = makeTempDir('llm-tutor-feed-');
  after(() => removeTempDir(runsDir));

  it('compareInit holds every run (an unreadable one with its reason) and passes the protocol', async () => {
    const a = writeFixtureRun(runsDir, { startedAt: new Date(2025, 0, 2, 3, 1, 5) });
    const b = writeFixtureRun(runsDir, { startedAt: new Date(2025, 0, 2, 3, 2, 5) });
    const { loadComparedRuns } = await import('../../src/runStore');
    const loaded = await loadComparedRuns(runsDir, [a.runId, 'gone-run', b.runId]);
    const runs = comparedEntries(loaded, (dir) => dir === b.dir);
    const init = buildCompareInit({ language: 'zh-cn', runs, waiting: [], name: 'two', canSave: true });
    assert.equal(v.safeParse(HostToWebviewSchema, JSON.parse(JSON.stringify(init))).success, true);
    assert.deepEqual(
      init.chapters.map((c) => c.id),
      ['attention-seq2seq'],
    );
    assert.deepEqual(
      init.runs.map((r) => (r.ok ? [r.runId, r.live, r.run.shapes.length, r.run.samples] : [r.runId, r.reason])),
      [
        [a.runId, false, 0, null],
        ['gone-run', 'folder does not exist'],
        [b.runId, true, 0, null],
      ],
    );
    assert.equal(init.strings.compareTitle, '{count} 个运行的比较');
    saveComparison(runsDir, 'two', [a.runId, b.runId]);
    assert.equal(fs.existsSync(path.join(runsDir, '.comparisons', 'two.json')), true);
  });

  it('live engine events become comparison messages; those read with compareInit are not sent twice', () => {
    const status = { state: 'completed' as const, startedAt: 'x', epochsCompleted: 1 };
    const metrics = {
      kind: 'epoch' as const,
      epoch: 1,
      step: 10,
      seconds: 1,
      samples_per_second: 1,
      train_loss: 1,
      values: {},
    };
    assert.deepEqual(compareMessageFor({ type: 'runEnded', runId: 'r', status }), {
      type: 'compareStatus',
      runId: 'r',
      status,
      live: false,
    });
    assert.deepEqual(compareMessageFor({ type: 'epoch', runId: 'r', metrics, attention: null, samples: null }), {
      type: 'compareEpoch',
      runId: 'r',
      metrics,
      attention: null,
    });
    assert.equal(compareMessageFor({ type: 'log', runId: 'r', line: 'x' }), null);

    const fixture = writeFixtureRun(runsDir, { startedAt: new Date(2025, 0, 2, 3, 9, 5), epochsCompleted: 1 });
    const started: EngineMessage<'runStarted'> = {
      type: 'runStarted',
      requestId: 'q',
      runId: fixture.runId,
      runDir: fixture.dir,
      config: fixture.config,
      shapes: [],
      figures: [],
    };
    const joined = startedRunEntry(started, '2025-01-01T00:00:00Z');
    assert.ok(joined.ok && joined.live && joined.run.status.state === 'running' && joined.run.metrics.length === 0);

    const sent: HostToWebview[] = [];
    const feed = new CompareFeed((message) => void sent.push(message), { maxPerSecond: 1e9 });
    const sentTypes = (): string[] => (sent as HostToWebview[]).map((m) => m.type);
    feed.post({ type: 'compareStatus', runId: 'r', status, live: false });
    assert.deepEqual(sent, [], 'nothing before the document is ready');
    feed.beginInit();
    const first: HostToWebview = {
      type: 'compareEpoch',
      runId: fixture.runId,
      metrics: fixture.metrics[0] as typeof metrics,
      attention: null,
    };
    const second: HostToWebview = {
      type: 'compareEpoch',
      runId: fixture.runId,
      metrics: { ...metrics, epoch: 2 },
      attention: null,
    };
    feed.post(first);
    feed.post(second);
    const init = buildCompareInit({
      language: 'en',
      runs: [
        {
          ok: true,
          runId: fixture.runId,
          run: { ...(joined.ok ? joined.run : assert.fail()), metrics: fixture.metrics },
          live: true,
        },
      ],
      waiting: ['unscaled'],
      name: null,
      canSave: true,
    });
    assert.equal(alreadyInCompare(init, first), true);
    assert.equal(alreadyInCompare(init, second), false);
    feed.completeInit(init);
    assert.deepEqual(sentTypes(), ['compareInit', 'compareEpoch']);
    assert.equal((sent[1] as { metrics: { epoch: number } }).metrics.epoch, 2);
    feed.dispose();
  });
});

describe('EngineClient.trainVariants (fake engine)', () => {
  let enginePath: string;
  let runsDir: string;
  const clients: EngineClient[] = [];
  before(() => {
    enginePath = writeFakeEngine();
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-variants-'));
  });
  after(async () => {
    for (const c of clients) await c.shutdown(2000);
    fs.rmSync(path.dirname(enginePath), { recursive: true, force: true });
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('announces each run as it starts and resolves with how each variant ended', async () => {
    const client = new EngineClient({ enginePath, readyTimeoutMs: 10_000 });
    clients.push(client);
    const started: RunStarted[] = [];
    const outcomes = await client.trainVariants(
      {
        chapter: 'self-attention',
        runsDir,
        backend: 'cpu',
        task: 'reverse',
        variants: ['scaled', 'broken', 'no-positions'],
        seed: 7,
        overrides: { epochs: 1 },
      },
      (run) => {
        assert.equal(run.type, 'runStarted', 'no run of self-attention’s sequence is reused');
        started.push(run);
      },
    );
    assert.deepEqual(
      started.map((run) => [run.config.variant, run.config.seed]),
      [
        ['scaled', 7],
        ['broken', 7],
        ['no-positions', 7],
      ],
    );
    assert.deepEqual(
      outcomes.map((o) => [o.variant, o.state, o.runId === started[outcomes.indexOf(o)].runId]),
      [
        ['scaled', 'completed', true],
        ['broken', 'failed', true],
        ['no-positions', 'completed', true],
      ],
    );
    await assert.rejects(
      client.trainVariants({
        chapter: 'self-attention',
        runsDir,
        backend: 'cpu',
        variants: ['unknown'],
        overrides: {},
      }),
      /unknown variant/,
    );
  });
});

describe('manifest: comparing', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

  it('declares the commands, the Runs view’s "Compare" context menu and the comparison panel’s activation', () => {
    const commands = pkg.contributes.commands.map((c: { command: string }) => c.command);
    for (const id of [
      COMMANDS.compareRuns,
      COMMANDS.compareSelectedRuns,
      COMMANDS.trainVariants,
      COMMANDS.openComparison,
    ])
      assert.ok(commands.includes(id), id);
    const context = pkg.contributes.menus['view/item/context'] as { command: string; when: string }[];
    const compare = context.find((item) => item.command === COMMANDS.compareSelectedRuns);
    assert.ok(
      compare && /view == llmTutor\.runs/.test(compare.when) && /viewItem == llmTutor\.run\b/.test(compare.when),
    );
    assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${COMPARE_VIEW_TYPE}`));
    const palette = pkg.contributes.menus.commandPalette as { command: string; when: string }[];
    assert.deepEqual(palette, [{ command: COMMANDS.compareSelectedRuns, when: 'false' }]);
    const nls = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.nls.json'), 'utf8'));
    assert.equal(nls['command.compareSelectedRuns'], 'Compare');
    assert.equal(nls['command.compareRuns'], 'Compare Runs…');
    assert.equal(nls['command.trainVariants'], 'Train Variants…');
  });

  it('the extension makes the Runs view multi-select', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'extension', 'extension.ts'), 'utf8');
    assert.match(source, /createTreeView\(VIEWS\.runs, \{ treeDataProvider: runsTree, canSelectMany: true \}\)/);
  });
});
