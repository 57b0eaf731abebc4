/**
 * "Train Variants…" on transformer through the EngineClient and the REAL engine bundle
 * (dist/engine.js): the first sequence trains the transformer variant and then attention-seq2seq's
 * default run on the same task and seed; the second, with the same settings, reuses that finished
 * attention-seq2seq run — announced (`runReused`) before the first run starts, not trained again,
 * listed last as `reused` — so the host's comparison shows it from the start.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineClient, type RunReused, type RunStarted } from '../../src/extension/engineClient';

const enginePath = path.join(__dirname, '..', '..', 'dist', 'engine.js');

describe(
  'Train Variants… reuses the finished run of the comparison’s other chapter (real engine)',
  { timeout: 600_000 },
  () => {
    let runsDir: string;
    let client: EngineClient;
    before(() => {
      runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-reuse-'));
      client = new EngineClient({ enginePath, readyTimeoutMs: 120_000 });
    });
    after(async () => {
      await client?.shutdown(5000);
      if (runsDir) fs.rmSync(runsDir, { recursive: true, force: true });
    });

    const request = (seed: number) => ({
      chapter: 'transformer' as const,
      runsDir,
      backend: 'wasm' as const,
      task: 'dates',
      variants: ['default'],
      seed,
      overrides: { epochs: 1, batchSize: 32, trainSize: 160, validationSize: 32, dModel: 16, heads: 2 },
    });

    async function sequence(seed: number) {
      const events: (RunStarted | RunReused)[] = [];
      const outcomes = await client.trainVariants(request(seed), (run) => events.push(run));
      return { events, outcomes };
    }

    it('trains it the first time, reuses it the second, trains it again for another seed', async () => {
      assert.ok(fs.existsSync(enginePath), `${enginePath} is missing: run \`node scripts/build.mjs\` first`);
      const first = await sequence(7);
      assert.deepEqual(
        first.events.map((event) => [event.type, event.config.chapter]),
        [
          ['runStarted', 'transformer'],
          ['runStarted', 'attention-seq2seq'],
        ],
      );
      const trained = first.outcomes[1];
      assert.deepEqual([trained.chapter, trained.state, trained.reused], ['attention-seq2seq', 'completed', undefined]);

      const second = await sequence(7);
      assert.deepEqual(
        second.events.map((event) => [event.type, event.config.chapter, event.runId === trained.runId]),
        [
          ['runReused', 'attention-seq2seq', true],
          ['runStarted', 'transformer', false],
        ],
      );
      assert.deepEqual(second.outcomes[1], {
        variant: 'default',
        chapter: 'attention-seq2seq',
        state: 'completed',
        runId: trained.runId,
        runDir: trained.runDir,
        reused: true,
      });
      const folders = () => fs.readdirSync(runsDir).filter((name) => name.endsWith('-attention-seq2seq'));
      assert.equal(folders().length, 1, 'attention-seq2seq was not trained again');

      const other = await sequence(8);
      assert.deepEqual(
        other.events.map((event) => event.type),
        ['runStarted', 'runStarted'],
      );
      assert.equal(folders().length, 2, 'another seed is another run');
    });
  },
);
