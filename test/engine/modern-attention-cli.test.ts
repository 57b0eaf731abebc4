/**
 * `llm-tutor train modern-attention` and `llm-tutor sample` on its run, as a user runs them (the
 * built bin): the generic flags plus the chapter's own (--kv-heads, --positions, --variant), the
 * self-checks and the KV cache printed at each evaluation, figures.json with the chapter's four
 * figures (the speed one timed on the trained model), the same
 * seed giving the same sampled text, a head count that cannot be grouped refused with exit 2.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'llm-tutor.js');
const env = { ...process.env, LLM_TUTOR_TFJS_NODE: '' };
let work: string;

function cli(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SMALL = [
  '--layers',
  '1',
  '--d-model',
  '16',
  '--context',
  '16',
  '--batch-size',
  '8',
  '--steps-per-evaluation',
  '5',
  '--epochs',
  '1',
  '--validation-tokens',
  '256',
  '--backend',
  'wasm',
  '--seed',
  '4',
];

describe('llm-tutor train modern-attention, then sample', () => {
  before(() => {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'engine.js')), 'dist/engine.js must be built (npm run build)');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-cli-modern-'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  for (const [what, flags, kvHeads, positions] of [
    ['the default variant (GQA + RoPE)', [], 2, 'rope'],
    ['MQA with learned positions through flags', ['--kv-heads', '1', '--positions', 'learned'], 1, 'learned'],
    ['the mha variant', ['--variant', 'mha'], 4, 'rope'],
  ] as const) {
    it(`trains ${what} and samples from the run`, () => {
      const runsDir = path.join(work, `runs-${kvHeads}-${positions}`);
      const trained = cli(['train', 'modern-attention', ...SMALL, ...flags, '--output-dir', runsDir]);
      assert.equal(trained.code, 0, trained.stderr);
      assert.match(trained.stdout, new RegExp(`kvHeads=${kvHeads} positions=${positions}`));
      assert.match(trained.stdout, /kv-cache=pass/);
      assert.match(trained.stdout, /tiled-equals-full=pass/);
      if (positions === 'rope') assert.match(trained.stdout, /rope-relative=pass/);
      else assert.doesNotMatch(trained.stdout, /rope-relative/);
      const [runId] = fs.readdirSync(runsDir);
      const runDir = path.join(runsDir, runId);
      const config = JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8'));
      assert.equal(config['modern-attention'].kvHeads, kvHeads);
      const figures = JSON.parse(fs.readFileSync(path.join(runDir, 'figures.json'), 'utf8')).figures;
      assert.deepEqual(
        figures.map((f: { id: string }) => f.id),
        ['rope-angles', 'kv-cache-bytes', 'score-memory', 'generation-speed'],
      );
      // The speed was timed again on the trained model after the run's only evaluation.
      assert.match(figures[3].note.en, /trained model after evaluation 1/);
      // The KV cache of the running model, printed at the evaluation: 2 · 1 layer · kv · d_head 4 · 4 bytes
      // per token, 16 tokens of context.
      assert.match(
        trained.stdout,
        new RegExp(`kv_bytes_per_token=${32 * kvHeads}\\.0000 kv_bytes_context=${512 * kvHeads}\\.0000`),
      );
      const sample = (seed: string) =>
        cli(['sample', runDir, '--prompt', 'The ', '--max-tokens', '20', '--temperature', '1', '--seed', seed]);
      const first = sample('7');
      assert.equal(first.code, 0, first.stderr);
      assert.ok(first.stdout.length >= 20, first.stdout);
      assert.equal(sample('7').stdout, first.stdout, 'the same seed gives the same text');
    });
  }

  it('refuses query heads that cannot share the key/value heads equally: exit 2, one line, nothing written', () => {
    const runsDir = path.join(work, 'runs-bad');
    const { code, stderr } = cli(['train', 'modern-attention', '--kv-heads', '3', '--output-dir', runsDir]);
    assert.equal(code, 2);
    assert.match(stderr, /^llm-tutor train: 4 query heads cannot share 3 key\/value heads equally/);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.equal(fs.existsSync(runsDir), false);
  });
});
