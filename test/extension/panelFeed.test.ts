/** What a lab panel's webview receives: engine events mapped, `init` built, live messages held back while the run is read. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import { alreadyIn, buildInitMessage, PanelFeed, readPanelRun, webviewMessageFor } from '../../src/extension/panelFeed';
import { chapterInfo } from '../../src/shared/course/catalogue';
import type { EngineToHost } from '../../src/shared/protocol/engine';
import { HostToWebviewSchema, type HostToWebview, type WebviewMessage } from '../../src/shared/protocol/webview';
import type {
  EvaluationRecord,
  RunSnapshot,
  RunStatus,
  SamplesSnapshot,
  StepRecord,
} from '../../src/shared/run/records';

const RUN_DIR = '/runs/20250301-101500-attention-seq2seq';
const status = (state: RunStatus['state'], epochsCompleted: number): RunStatus => ({
  state,
  startedAt: '2025-03-01T10:15:00.000Z',
  epochsCompleted,
});
const epochMetrics = (epoch: number): EvaluationRecord => ({
  kind: 'epoch',
  epoch,
  step: epoch * 10,
  train_loss: 1,
  values: { val_loss: 1, val_token_accuracy: 0.5, val_exact_match: 0 },
  seconds: epoch,
  samples_per_second: 100,
  buckets: [],
});
const stepMetrics = (step: number): StepRecord => ({
  kind: 'step',
  epoch: 1,
  step,
  train_loss: 1,
  seconds: 1,
  samples_per_second: 100,
});
const samples = (epoch: number): SamplesSnapshot => ({ epoch, samples: [] });
const epochMessage = (epoch: number): WebviewMessage<'epoch'> => ({
  type: 'epoch',
  metrics: epochMetrics(epoch),
  attention: { formatVersion: 2, epoch, step: epoch * 10, probes: [], checks: [] },
  samples: samples(epoch),
});

const previewMessage = (): WebviewMessage<'attentionPreview'> => ({
  type: 'attentionPreview',
  attention: { formatVersion: 2, epoch: 0, step: 1, probes: [], checks: [] },
});

function snapshot(epochs: number): RunSnapshot {
  return {
    runId: path.basename(RUN_DIR),
    dir: RUN_DIR,
    config: {
      formatVersion: 2,
      runId: path.basename(RUN_DIR),
      chapter: 'attention-seq2seq',
      task: 'dates',
      variant: 'default',
      seed: 42,
      backend: 'wasm',
      packageVersion: '0.1.0',
      createdAt: '2025-03-01T10:15:00.000Z',
      data: { sourceVocab: [], targetVocab: [], tokenLevel: 'char' },
      hyperparameters: {
        epochs: 5,
        batchSize: 32,
        learningRate: 0.01,
        clipNorm: 5,
        hiddenSize: 64,
        embeddingSize: 32,
        attentionSize: 32,
        trainSize: 600,
        validationSize: 60,
        testSize: 30,
      },
    },
    status: status('running', epochs),
    metrics: [stepMetrics(5), ...Array.from({ length: epochs }, (_, i) => epochMetrics(i + 1))],
    shapes: [],
    figures: [],
    attentionEpochs: Array.from({ length: epochs }, (_, i) => i + 1),
    attention: null,
    samples: null,
    weights: epochs > 0 ? 'verified' : 'missing',
    warnings: [],
  };
}

/** A feed whose throttle sends at once (no pacing), recording what the webview gets. */
function feed(): { feed: PanelFeed; sent: HostToWebview[] } {
  const sent: HostToWebview[] = [];
  return { feed: new PanelFeed((m) => sent.push(m), { maxPerSecond: Infinity }), sent };
}

describe('webviewMessageFor', () => {
  it('maps progress, step metrics, epochs and the end of a run; nothing else reaches the panel', () => {
    const progress: EngineToHost = {
      type: 'progress',
      runId: 'r',
      epoch: 1,
      epochs: 3,
      batch: 2,
      batches: 19,
      trainLoss: NaN,
    };
    assert.deepEqual(webviewMessageFor(progress), {
      type: 'progress',
      epoch: 1,
      epochs: 3,
      batch: 2,
      batches: 19,
      trainLoss: NaN,
    });
    assert.deepEqual(webviewMessageFor({ type: 'stepMetrics', runId: 'r', metrics: stepMetrics(50) }), {
      type: 'step',
      metrics: stepMetrics(50),
    });
    const epoch = epochMessage(2);
    assert.deepEqual(
      webviewMessageFor({
        type: 'epoch',
        runId: 'r',
        metrics: epoch.metrics,
        attention: epoch.attention,
        samples: epoch.samples,
      }),
      epoch,
    );
    // Figures measured on the trained model travel with the evaluation, valid for the panel.
    const figures = [
      {
        type: 'lines' as const,
        id: 'generation-speed',
        title: { en: 'speed', 'zh-cn': '速度' },
        xLabel: { en: 'tokens', 'zh-cn': '词元' },
        yLabel: { en: 'tokens / s', 'zh-cn': '词元/秒' },
        xScale: 'log2' as const,
        yScale: 'log' as const,
        series: [{ label: { en: 'cached', 'zh-cn': '缓存' }, dashed: false, points: [[8, 120]] as [number, number][] }],
      },
    ];
    const withFigures = webviewMessageFor({
      type: 'epoch',
      runId: 'r',
      metrics: epoch.metrics,
      attention: epoch.attention,
      samples: epoch.samples,
      figures,
    });
    assert.deepEqual(withFigures, { ...epoch, figures });
    assert.ok(v.safeParse(HostToWebviewSchema, withFigures).success);
    assert.deepEqual(webviewMessageFor({ type: 'runEnded', runId: 'r', status: status('completed', 3) }), {
      type: 'status',
      status: status('completed', 3),
      live: false,
    });
    // The preview after the first step goes to the panel as it came, and is a valid panel message.
    const preview = webviewMessageFor({ type: 'attentionPreview', runId: 'r', attention: previewMessage().attention });
    assert.deepEqual(preview, previewMessage());
    assert.ok(v.safeParse(HostToWebviewSchema, preview).success);
    assert.equal(
      v.safeParse(HostToWebviewSchema, { ...previewMessage(), attention: { ...previewMessage().attention, epoch: 2 } })
        .success,
      false,
      'a panel preview is of epoch 0',
    );
    for (const other of [
      { type: 'ready', packageVersion: '0.1.0' },
      { type: 'log', runId: 'r', line: 'epoch 1' },
      { type: 'error', message: 'x' },
      { type: 'prediction', requestId: 'q', prediction: { source: [], predicted: [], maps: [], unknownTokens: [] } },
    ] satisfies EngineToHost[]) {
      assert.equal(webviewMessageFor(other), null, other.type);
    }
  });
});

describe('buildInitMessage', () => {
  const chapter = chapterInfo('attention-seq2seq');

  it('always carries runDir: for a readable run and for a damaged one; damagedReason only when damaged', () => {
    const readable = buildInitMessage({
      language: 'en',
      chapter,
      runDir: RUN_DIR,
      run: { snapshot: snapshot(1) },
      canTrain: true,
      live: true,
    });
    assert.equal(readable.runDir, RUN_DIR);
    assert.equal(readable.run?.dir, RUN_DIR);
    assert.ok(!('damagedReason' in readable));
    assert.equal(readable.strings.tryTitle, 'Try it');
    assert.equal(readable.run?.weights, 'verified');
    assert.ok(v.safeParse(HostToWebviewSchema, readable).success, 'a valid init message');

    const damaged = buildInitMessage({
      language: 'zh-cn',
      chapter,
      runDir: RUN_DIR,
      run: { snapshot: null, damagedReason: 'config.json: missing' },
      canTrain: true,
      live: false,
    });
    assert.equal(damaged.runDir, RUN_DIR);
    assert.equal(damaged.run, null);
    assert.equal(damaged.damagedReason, 'config.json: missing');
    assert.equal(damaged.strings.tryTitle, '试一试');
    assert.ok(v.safeParse(HostToWebviewSchema, damaged).success, 'a valid init message');
  });

  it('is a chapter preview without a run folder: runDir null, run null, no damagedReason', () => {
    const preview = buildInitMessage({
      language: 'en',
      chapter: chapterInfo('self-attention'),
      runDir: null,
      run: null,
      canTrain: true,
      live: false,
    });
    assert.equal(preview.runDir, null);
    assert.equal(preview.run, null);
    assert.ok(!('damagedReason' in preview));
  });
});

describe('readPanelRun', () => {
  it('reads a damaged folder as null with the reason, never throwing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-panel-'));
    try {
      const run = await readPanelRun(dir);
      assert.equal(run.snapshot, null);
      assert.match(run.damagedReason ?? '', /config\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The init message of a live attention-seq2seq run whose files are `snap`. */
const liveInit = (snap: RunSnapshot) =>
  buildInitMessage({
    language: 'en',
    chapter: chapterInfo('attention-seq2seq'),
    runDir: RUN_DIR,
    run: { snapshot: snap },
    canTrain: true,
    live: true,
  });

describe('PanelFeed', () => {
  it('sends nothing before init, holds live messages while the run is read, then drops what the snapshot has', () => {
    const { feed: f, sent } = feed();
    f.post(epochMessage(1));
    assert.equal(sent.length, 0, 'no document yet');
    f.beginInit();
    f.post({ type: 'step', metrics: stepMetrics(5) }); // already in the snapshot read next
    f.post(epochMessage(2)); // already in it
    f.post(epochMessage(3)); // arrived after the read
    assert.equal(sent.length, 0);
    const snap = snapshot(2);
    f.completeInit(snap, liveInit(snap));
    assert.deepEqual(
      sent.map((m) => (m.type === 'epoch' ? `epoch ${m.metrics.epoch}` : m.type)),
      ['init', 'epoch 3'],
    );
    assert.deepEqual(f.attentionEpochs, [1, 2, 3]);
    assert.equal(f.epochsOnDisk, 3);

    f.post({ type: 'status', status: status('completed', 4), live: false });
    assert.equal(sent.at(-1)?.type, 'status');
    assert.equal(f.epochsOnDisk, 4);
    f.dispose();
  });

  it('counts the epochs on disk for Try it during a live run: none before the first epoch', () => {
    const { feed: f } = feed();
    f.beginInit();
    const fresh = snapshot(0);
    f.completeInit(fresh, liveInit(fresh));
    assert.equal(f.epochsOnDisk, 0);
    f.post(epochMessage(1), false); // hidden panel: not sent, still counted
    assert.equal(f.epochsOnDisk, 1);
    f.dispose();
  });

  it('keeps the preview that came before the document and sends it after init, again after a reload, until the first evaluation', () => {
    const { feed: f, sent } = feed();
    f.post(previewMessage()); // the panel's document is not ready yet
    assert.equal(sent.length, 0);
    f.beginInit();
    f.completeInit(snapshot(0), liveInit(snapshot(0)));
    assert.deepEqual(
      sent.map((m) => m.type),
      ['init', 'attentionPreview'],
    );
    // A reload before the first evaluation: the preview is on no disk, the feed sends it again.
    f.beginInit();
    f.completeInit(snapshot(0), liveInit(snapshot(0)));
    assert.deepEqual(
      sent.map((m) => m.type),
      ['init', 'attentionPreview', 'init', 'attentionPreview'],
    );
    f.post(epochMessage(1));
    f.post(previewMessage()); // late: an evaluation's maps exist
    f.beginInit();
    f.completeInit(snapshot(1), liveInit(snapshot(1)));
    assert.deepEqual(
      sent.map((m) => (m.type === 'epoch' ? `epoch ${m.metrics.epoch}` : m.type)),
      ['init', 'attentionPreview', 'init', 'attentionPreview', 'epoch 1', 'init'],
    );
    f.dispose();
  });

  it('sends a preview that arrives while the run is read once, and none over a snapshot that has maps', () => {
    const { feed: f, sent } = feed();
    f.beginInit();
    f.post(previewMessage());
    f.completeInit(snapshot(0), liveInit(snapshot(0)));
    assert.deepEqual(
      sent.map((m) => m.type),
      ['init', 'attentionPreview'],
    );
    const other = feed();
    other.feed.beginInit();
    other.feed.post(previewMessage());
    other.feed.completeInit(snapshot(2), liveInit(snapshot(2)));
    other.feed.post(previewMessage());
    assert.deepEqual(
      other.sent.map((m) => m.type),
      ['init'],
    );
    f.dispose();
    other.feed.dispose();
  });

  it('stops sending when the document is forgotten (reload or hidden)', () => {
    const { feed: f, sent } = feed();
    f.beginInit();
    f.completeInit(
      null,
      buildInitMessage({
        language: 'en',
        chapter: chapterInfo('self-attention'),
        runDir: null,
        run: null,
        canTrain: true,
        live: false,
      }),
    );
    f.forgetDocument();
    f.post(epochMessage(1));
    assert.deepEqual(
      sent.map((m) => m.type),
      ['init'],
    );
    f.dispose();
  });
});

describe('alreadyIn', () => {
  it('matches epochs by epoch and steps by step; other messages are never in a snapshot', () => {
    const snap = snapshot(2);
    assert.equal(alreadyIn(snap, epochMessage(2)), true);
    assert.equal(alreadyIn(snap, epochMessage(3)), false);
    assert.equal(alreadyIn(snap, { type: 'step', metrics: stepMetrics(5) }), true);
    assert.equal(alreadyIn(snap, { type: 'status', status: status('completed', 2), live: false }), false);
    assert.equal(alreadyIn(null, epochMessage(1)), false);
  });
});
