/**
 * A short modern-attention run through the trainer (wasm, seed 5, two evaluations): what the run
 * records beyond the learning test.
 * - The generation-speed figure is timed again on the trained model after the last evaluation:
 *   only that evaluation carries figures, the speed figure is the one replaced (its note says which
 *   evaluation), the others stay as they were when the run started, and figures.json holds the list
 *   the evaluation carried.
 * - Every evaluation records the KV cache of the running model (per token and for the context),
 *   equal to 2 · layers · kv_heads · d_head · 4 bytes, for MHA, GQA and MQA.
 * - The generated probe's maps (made through the KV cache) say which key/value head each query
 *   head reads, as the forward maps do.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AttentionSnapshot, EvaluationRecord, Figure } from '../../src/shared/run/records';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { kvCacheBytesPerToken } from '../../src/engine/chapters/modern-attention/measures';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const chapter = trainableChapter('modern-attention')!;
const SMALL = {
  layers: 2,
  heads: 4,
  dModel: 16,
  context: 16,
  batchSize: 4,
  stepsPerEvaluation: 2,
  epochs: 2,
  validationTokens: 128,
};
let runsDir: string;

interface Recorded {
  started: Figure[];
  evaluations: { metrics: EvaluationRecord; attention: AttentionSnapshot | null; figures?: Figure[] }[];
  onDisk: Figure[];
}

async function run(kvHeads: number): Promise<Recorded> {
  const recorded: Recorded = { started: [], evaluations: [], onDisk: [] };
  let runDir = '';
  const result = await train(
    { chapter, runsDir, backend: 'wasm', packageVersion: 'test', seed: 5, overrides: { ...SMALL, kvHeads } },
    {
      runStarted: (started) => {
        recorded.started = started.figures;
        runDir = started.runDir;
      },
      epoch: (metrics, attention, _samples, figures) => recorded.evaluations.push({ metrics, attention, figures }),
    },
  );
  assert.equal(result.status.state, 'completed');
  recorded.onDisk = JSON.parse(fs.readFileSync(path.join(runDir, 'figures.json'), 'utf8')).figures;
  return recorded;
}

describe('a modern-attention run: figures of the trained model, the KV cache as a metric, shared heads in generated maps', () => {
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-modern-run-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('times generation again on the trained model after the last evaluation, and keeps the other figures', async () => {
    const recorded = await run(2);
    assert.equal(recorded.evaluations.length, 2);
    assert.equal(recorded.evaluations[0].figures, undefined, 'the first evaluation changes no figure');
    const figures = recorded.evaluations[1].figures;
    assert.ok(figures, 'the last evaluation carries the figures');
    assert.deepEqual(
      figures.map((f) => f.id),
      ['rope-angles', 'kv-cache-bytes', 'score-memory', 'generation-speed'],
    );
    assert.deepEqual(figures.slice(0, 3), recorded.started.slice(0, 3), 'the other figures are unchanged');
    const speed = figures[3];
    assert.ok(speed.type === 'lines');
    assert.match(speed.note!.en, /trained model after evaluation 2/);
    assert.match(recorded.started[3].note!.en, /when the run started/);
    assert.deepEqual(
      speed.series.map((s) => s.points.map(([length]) => length)),
      [
        [8, 16],
        [8, 16],
      ],
    );
    assert.ok(
      speed.series.every((s) => s.points.every(([, perSecond]) => Number.isFinite(perSecond) && perSecond > 0)),
    );
    assert.deepEqual(recorded.onDisk, figures, 'figures.json holds what the evaluation carried');
  });

  it('records the running model’s KV cache at every evaluation, and generated maps name each head’s key/value head', async () => {
    for (const kvHeads of [4, 2, 1]) {
      const recorded = await run(kvHeads);
      // 2 · 2 layers · kv_heads · d_head 4 · 4 bytes per token; 16 tokens of context.
      const perToken = kvCacheBytesPerToken({ layers: 2, heads: 4, kvHeads, modelSize: 16 });
      assert.equal(perToken, 64 * kvHeads);
      for (const { metrics } of recorded.evaluations) {
        assert.equal(metrics.values.kv_cache_bytes_per_token, perToken, `${kvHeads} key/value heads`);
        assert.equal(metrics.values.kv_cache_context_bytes, perToken * 16);
      }
      const snapshot = recorded.evaluations[1].attention!;
      const group = 4 / kvHeads;
      for (const mode of ['forward', 'generated'] as const) {
        const maps = snapshot.probes.flatMap((probe) => probe.maps).filter((map) => map.mode === mode);
        assert.equal(maps.length, 2 * 4, `${mode}: 2 layers × 4 heads`);
        for (const map of maps)
          assert.equal(map.kvHead, Math.floor(map.head / group), `${mode} map layer ${map.layer} head ${map.head}`);
      }
    }
  });
});
