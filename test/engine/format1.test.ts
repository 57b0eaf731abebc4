/**
 * Runs written by LLM Tutor 0.1 (run format 1, checked in under fixtures/format1) still list,
 * show, predict and open: the reader upgrades them in memory, their weights are marked
 * unverified (format 1 has no checksums), and reading them writes nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { unpackMap } from '../../src/shared/run/attention';
import { listRuns, readRun } from '../../src/runStore';
import { loadRun, predictText } from '../../src/engine/predict';
import { useBackend } from './helpers';

const root = path.resolve(__dirname, '..', '..');
const fixtures = path.join(__dirname, 'fixtures', 'format1');
const ATTENTION_RUN = '20261129-102339-attention-seq2seq';
const SEQ2SEQ_RUN = '20261129-102346-seq2seq';
const recorded = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'fixtures', 'format1-predictions.json'), 'utf8'),
) as Record<
  string,
  { text: string; predicted: string[]; attention: { weights: number[][] }[]; unknownTokens: string[] }
>;

/** sha256 of every file below the fixtures, to prove that reading wrote nothing. */
function fingerprint(): string {
  const hash = createHash('sha256');
  for (const file of (fs.readdirSync(fixtures, { recursive: true }) as string[]).map(String).sort()) {
    const full = path.join(fixtures, file);
    hash.update(file);
    if (fs.statSync(full).isFile()) hash.update(fs.readFileSync(full));
  }
  return hash.digest('hex');
}

describe('format-1 runs', () => {
  const before_ = fingerprint();
  before(() => useBackend('wasm'));

  it('list, with their task, the default variant and their best exact match', async () => {
    const list = await listRuns(fixtures);
    assert.deepEqual(
      list.map((entry) =>
        entry.ok ? [entry.runId, entry.chapter, entry.variant, entry.state, entry.epochsCompleted] : entry.reason,
      ),
      [
        [SEQ2SEQ_RUN, 'seq2seq', 'default', 'completed', 2],
        [ATTENTION_RUN, 'attention-seq2seq', 'default', 'completed', 2],
      ],
    );
  });

  it('open as the panel reads them: upgraded config, metrics and attention, weights unverified', async () => {
    const run = await readRun(path.join(fixtures, ATTENTION_RUN));
    assert.equal(run.config.formatVersion, 1);
    assert.equal(run.config.variant, 'default');
    assert.equal(run.config.hyperparameters.hiddenSize, 12);
    assert.equal(run.weights, 'unverified');
    assert.deepEqual(run.attentionEpochs, [1, 2]);
    const evaluation = run.metrics.filter((m) => m.kind === 'epoch').pop()!;
    assert.ok(evaluation.kind === 'epoch' && Number.isFinite(evaluation.values.val_exact_match));
    const probe = run.attention!.probes[0];
    assert.deepEqual(
      probe.maps.map((map) => [map.kind, map.stack, map.mode]),
      [
        ['cross', 'decoder', 'forward'],
        ['cross', 'decoder', 'generated'],
      ],
    );
    const forward = unpackMap(probe.maps[0])!;
    for (let r = 0; r < forward.rows; r++) {
      const sum = forward.weights.subarray(r * forward.columns, (r + 1) * forward.columns).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5);
    }
    assert.ok(run.shapes.some((entry) => entry.name === 'attention_weights' && entry.kind === 'activation'));
    assert.ok(run.shapes.some((entry) => entry.name === 'output/kernel' && entry.kind === 'weight'));
  });

  for (const runId of [ATTENTION_RUN, SEQ2SEQ_RUN]) {
    it(`${runId} predicts what it predicted when it was written`, async () => {
      const expected = recorded[runId];
      const run = await loadRun(path.join(fixtures, runId));
      try {
        const prediction = predictText(run, expected.text);
        assert.deepEqual(prediction.predicted, expected.predicted);
        assert.deepEqual(prediction.unknownTokens, expected.unknownTokens);
        assert.equal(prediction.maps.length, expected.attention.length);
        if (expected.attention.length > 0) {
          const unpacked = unpackMap(prediction.maps[0])!;
          expected.attention[0].weights
            .flat()
            .forEach((w, k) => assert.ok(Math.abs(unpacked.weights[k] - w) < 1e-6, `weight ${k}`));
        }
      } finally {
        run.dispose();
      }
    });
  }

  it('show through the CLI prints the run and says its weights are unverified', () => {
    const result = spawnSync(
      process.execPath,
      [path.join(root, 'bin', 'llm-tutor.js'), 'show', path.join(fixtures, ATTENTION_RUN)],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /format=1 weights=unverified/);
    assert.match(result.stdout, /^final: epoch=002 /m);
  });

  it('reading them wrote nothing', () => {
    assert.equal(fingerprint(), before_);
  });
});
