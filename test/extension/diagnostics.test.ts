/** The extension host's responsiveness diagnostics (src/extension/diagnostics.ts). */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DIAGNOSTICS_FILE,
  Diagnostics,
  EVENT_LOOP_RESOLUTION_MS,
  MODULE_LOADED_AT,
  formatDiagnosticsLine,
  summarizeHistogram,
  type DelayHistogram,
  type RunDiagnosticsRecord,
} from '../../src/extension/diagnostics';

/** A histogram with fixed figures (nanoseconds), recording enable/disable calls. */
function fakeHistogram(figures: {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  count: number;
}): DelayHistogram & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    enable: () => void calls.push('enable'),
    disable: () => void calls.push('disable'),
    percentile: (p: number) => (p === 99 ? figures.p99 : p === 50 ? figures.p50 : NaN),
    max: figures.max,
    mean: figures.mean,
    count: figures.count,
  };
}

describe('diagnostics', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-diagnostics-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('summarizes a histogram in milliseconds, zeros when empty', () => {
    assert.deepEqual(
      summarizeHistogram(
        fakeHistogram({ p50: 10_100_000, p99: 25_500_000, max: 80_000_000, mean: 11_000_000, count: 300 }),
      ),
      {
        p50Ms: 10.1,
        p99Ms: 25.5,
        maxMs: 80,
        meanMs: 11,
        samples: 300,
      },
    );
    assert.deepEqual(summarizeHistogram(fakeHistogram({ p50: NaN, p99: NaN, max: 0, mean: NaN, count: 0 })), {
      p50Ms: 0,
      p99Ms: 0,
      maxMs: 0,
      meanMs: 0,
      samples: 0,
    });
  });

  it('formats the output channel line', () => {
    const record: RunDiagnosticsRecord = {
      time: '2025-01-01T00:00:00.000Z',
      runId: '20250101-000000-attention-seq2seq',
      state: 'completed',
      activationMs: 12.345,
      sinceModuleLoadMs: 40.04,
      liveMs: 30_000.4,
      eventLoopDelay: { p50Ms: 10.1, p99Ms: 25.55, maxMs: 80, meanMs: 11, samples: 300 },
    };
    const line = formatDiagnosticsLine(record);
    assert.match(line, /^diagnostics: activation_ms=12\.3 event_loop_delay_p99_ms=25\.6 max_ms=80 samples=300 /);
    assert.match(line, / run=20250101-000000-attention-seq2seq state=completed since_module_load_ms=40 live_ms=30000$/);
  });

  it('times activation on the injected clock, from activate() and from the module load', () => {
    let now = 100;
    const diagnostics = new Diagnostics({ storageDir: dir, log: () => undefined, now: () => now, moduleLoadedAt: 40 });
    assert.equal(diagnostics.activationTiming(), null);
    diagnostics.activationStarted();
    now = 112.5;
    assert.deepEqual(diagnostics.activationEnded(), { activationMs: 12.5, sinceModuleLoadMs: 72.5 });
    assert.deepEqual(diagnostics.activationTiming(), { activationMs: 12.5, sinceModuleLoadMs: 72.5 });
  });

  it('samples while a run is live, then logs one line and appends one JSON record', async () => {
    const storageDir = path.join(dir, 'global-storage', 'nested'); // created on first write
    const lines: string[] = [];
    const histograms: ReturnType<typeof fakeHistogram>[] = [];
    const resolutions: number[] = [];
    let now = 0;
    const diagnostics = new Diagnostics({
      storageDir,
      log: (line) => lines.push(line),
      now: () => now,
      moduleLoadedAt: 0,
      createHistogram: (resolution) => {
        resolutions.push(resolution);
        const histogram = fakeHistogram({
          p50: 10_000_000,
          p99: 31_000_000,
          max: 95_000_000,
          mean: 10_500_000,
          count: 2000 + histograms.length,
        });
        histograms.push(histogram);
        return histogram;
      },
    });
    diagnostics.activationStarted();
    now = 8;
    diagnostics.activationEnded();

    assert.equal(await diagnostics.runEnded('never-started', 'completed'), null);
    diagnostics.runStarted('run-a');
    assert.deepEqual(resolutions, [EVENT_LOOP_RESOLUTION_MS]);
    assert.deepEqual(histograms[0].calls, ['enable']);
    now = 20_008;
    const first = await diagnostics.runEnded('run-a', 'completed');
    assert.deepEqual(histograms[0].calls, ['enable', 'disable']);
    assert.ok(first);
    assert.equal(first.liveMs, 20_000);
    assert.equal(first.activationMs, 8);
    assert.deepEqual(first.eventLoopDelay, { p50Ms: 10, p99Ms: 31, maxMs: 95, meanMs: 10.5, samples: 2000 });
    assert.equal(await diagnostics.runEnded('run-a', 'completed'), null, 'a run is reported once');

    diagnostics.runStarted('run-b');
    now = 25_008;
    await diagnostics.runEnded('run-b', 'stopped');

    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      /^diagnostics: activation_ms=8 event_loop_delay_p99_ms=31 max_ms=95 samples=2000 run=run-a state=completed/,
    );
    assert.match(lines[1], /samples=2001 run=run-b state=stopped/);
    const records = fs
      .readFileSync(path.join(storageDir, DIAGNOSTICS_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunDiagnosticsRecord);
    assert.deepEqual(
      records.map((r) => [r.runId, r.state, r.liveMs, r.eventLoopDelay.samples]),
      [
        ['run-a', 'completed', 20_000, 2000],
        ['run-b', 'stopped', 5_000, 2001],
      ],
    );
    assert.ok(!Number.isNaN(Date.parse(records[0].time)));
  });

  it('logs, and does not throw, when the record cannot be written', async () => {
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'not a folder');
    const lines: string[] = [];
    const diagnostics = new Diagnostics({
      storageDir: path.join(blocker, 'storage'),
      log: (line) => lines.push(line),
      createHistogram: () => fakeHistogram({ p50: 0, p99: 0, max: 0, mean: 0, count: 0 }),
    });
    diagnostics.runStarted('run-c');
    const record = await diagnostics.runEnded('run-c', 'failed');
    assert.ok(record);
    assert.equal(lines.length, 2);
    assert.match(lines[1], /could not write diagnostics\.jsonl/);
  });

  it('dispose stops every sampler', () => {
    const histograms: ReturnType<typeof fakeHistogram>[] = [];
    const diagnostics = new Diagnostics({
      storageDir: dir,
      log: () => undefined,
      createHistogram: () => {
        const h = fakeHistogram({ p50: 0, p99: 0, max: 0, mean: 0, count: 0 });
        histograms.push(h);
        return h;
      },
    });
    diagnostics.runStarted('x');
    diagnostics.runStarted('x'); // restarted: the first sampler stops
    diagnostics.dispose();
    assert.deepEqual(
      histograms.map((h) => h.calls),
      [
        ['enable', 'disable'],
        ['enable', 'disable'],
      ],
    );
  });

  it('measures a real event-loop stall with perf_hooks', async () => {
    const diagnostics = new Diagnostics({ storageDir: path.join(dir, 'real'), log: () => undefined });
    diagnostics.runStarted('real');
    await new Promise((resolve) => setTimeout(resolve, 60));
    const until = Date.now() + 120;
    while (Date.now() < until) {
      // block the event loop for ~120 ms
    }
    await new Promise((resolve) => setTimeout(resolve, 60));
    const record = await diagnostics.runEnded('real', 'completed');
    assert.ok(record);
    assert.ok(record.eventLoopDelay.samples > 0, `samples ${record.eventLoopDelay.samples}`);
    assert.ok(record.eventLoopDelay.maxMs >= 100, `max ${record.eventLoopDelay.maxMs} ms`);
    assert.ok(MODULE_LOADED_AT > 0 && MODULE_LOADED_AT <= performance.now());
  });
});
