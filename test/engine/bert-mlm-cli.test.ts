/**
 * bert-mlm from the command line and the engine worker: a bad corpus is exit 2 with one line and
 * nothing written; a tiny run trains; `llm-tutor fill` prints the top words per [MASK] with their
 * probabilities, and refuses bad input in one line (exit 2); the worker answers a `fill` request
 * with a valid `filled` message, and an error for a run that is not a masked language model.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as v from 'valibot';
import { EngineWorker } from '../../src/engine/worker';
import { EngineToHostSchema, type EngineToHost } from '../../src/shared/protocol/engine';
import { useBackend } from './helpers';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'llm-tutor.js');
const env = { ...process.env, LLM_TUTOR_TFJS_NODE: '' };
let work: string;

function cli(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function listing(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

const TINY = [
  '--epochs',
  '1',
  '--eval-steps',
  '3',
  '--batch-size',
  '4',
  '--d-model',
  '16',
  '--heads',
  '2',
  '--d-ff',
  '16',
  '--max-length',
  '16',
  '--validation-size',
  '8',
  '--vocab-size',
  '300',
  '--backend',
  'wasm',
];

describe('bert-mlm on the command line', () => {
  let runDir = '';
  let otherRun = '';
  before(() => {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'engine.js')), 'dist/engine.js must be built (npm run build)');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bert-cli-'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('train bert-mlm --corpus <missing>: exit 2, one line, nothing written', () => {
    for (const corpus of [path.join(work, 'missing.txt'), work]) {
      const out = path.join(work, 'out-bad');
      const { code, stdout, stderr } = cli(['train', 'bert-mlm', '--corpus', corpus, '--output-dir', out, ...TINY]);
      assert.equal(code, 2, stderr);
      assert.equal(stdout, '');
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, /^llm-tutor train: (corpus not found|no text files in folder)/);
      assert.deepEqual(listing(out), [], 'nothing written');
    }
  });

  it('train bert-mlm (tiny) writes a run whose metrics carry the selection histogram', () => {
    const out = path.join(work, 'runs');
    const { code, stdout, stderr } = cli(['train', 'bert-mlm', '--output-dir', out, ...TINY]);
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      /eval=001 step=3 train_loss=\S+ val_loss=\S+ val_masked_acc=\S+ baseline_acc=\S+ tokens=\S+ selected=/,
    );
    runDir = /run_dir=(\S+)/.exec(stdout)![1];
    const metrics = fs
      .readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((r) => r.kind === 'epoch');
    const values = metrics[0].values;
    assert.equal(values.mlm_masked + values.mlm_randomised + values.mlm_kept, values.mlm_selected);
    assert.ok(values.mlm_selected > 0 && values.mlm_selected < values.mlm_tokens);
    const other = cli([
      'train',
      'self-attention',
      '--epochs',
      '1',
      '--train-size',
      '64',
      '--validation-size',
      '8',
      '--test-size',
      '4',
      '--output-dir',
      out,
      '--backend',
      'wasm',
      '--quiet',
    ]);
    assert.equal(other.code, 0, other.stderr);
    otherRun = /run_dir=(\S+)/.exec(other.stdout)![1];
  });

  it('fill RUN "the [MASK] of the country" prints the top words with probabilities for each mask', () => {
    const { code, stdout, stderr } = cli(['fill', runDir, 'The [MASK] of the [cls] [MASK]', '--top', '3']);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.equal(lines[0], 'input: [CLS] the [MASK] of the <unk> [MASK] [SEP]');
    assert.match(lines[1], /^warning: read as <unk> .*: \[CLS\]$/);
    for (const [i, position] of [
      [1, 2],
      [2, 6],
    ]) {
      const line = lines.find((l) => l.startsWith(`[MASK] ${i} `))!;
      assert.match(
        line,
        new RegExp(`^\\[MASK\\] ${i} \\(position ${position}\\): (\\S+ \\d+\\.\\d% {2}){3}\\(others \\d+\\.\\d%\\)$`),
      );
    }
  });

  it('fill refuses bad input in one line, exit 2', () => {
    const refusals: [string[], RegExp][] = [
      [['fill', runDir, 'no mask here'], /has no \[MASK\]/],
      [['fill', runDir, '   '], /empty/],
      [['fill', runDir, 'the [MASK]', '--top', '0'], /--top must be a positive whole number/],
      [['fill', runDir, 'the [MASK]', '--top', '51'], /--top must be at most 50/],
      [['fill', runDir], /fill takes a RUN and a quoted text/],
      [['fill', path.join(work, 'nowhere'), 'the [MASK]'], /nowhere/],
      [['fill', otherRun, 'the [MASK]'], /it is a self-attention run; fill needs a bert-mlm run/],
      [['fill', runDir, 'a b c d e f g h i j k l m n o [MASK]'], /16 positions: at most 14 words/],
    ];
    for (const [args, pattern] of refusals) {
      const { code, stdout, stderr } = cli(args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.equal(stdout, '');
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, pattern);
    }
  });

  it('the worker answers fill with a valid `filled` message, and an error otherwise', async () => {
    await useBackend('wasm');
    const sent: EngineToHost[] = [];
    const worker = new EngineWorker((message) => sent.push(message));
    await worker.receive({ type: 'fill', requestId: 'a', runDir, text: 'the [MASK] of the country', top: 4 });
    await worker.receive({ type: 'fill', requestId: 'b', runDir: otherRun, text: 'the [MASK]' });
    await worker.receive({ type: 'fill', requestId: 'c', runDir, text: 'no mask' });
    await worker.receive({ type: 'fill', requestId: 'd', runDir, text: 'the [MASK]', top: 0 });
    for (const message of sent) assert.ok(v.safeParse(EngineToHostSchema, message).success, message.type);
    const [filled, notMlm, noMask, invalid] = sent;
    assert.equal(filled.type, 'filled');
    if (filled.type === 'filled') {
      assert.equal(filled.requestId, 'a');
      assert.equal(filled.fill.masks.length, 1);
      assert.equal(filled.fill.masks[0].predictions.length, 4);
      assert.equal(filled.fill.masks[0].attention.length, 2 * 2, 'every layer and head');
    }
    assert.deepEqual(notMlm, {
      type: 'error',
      requestId: 'b',
      message: 'fill needs a masked language model (bert-mlm); this run is self-attention',
    });
    assert.equal(noMask.type, 'error');
    assert.match((noMask as { message: string }).message, /has no \[MASK\]/);
    assert.equal(invalid.type, 'error');
    assert.match((invalid as { message: string }).message, /^invalid request: top/);
    worker.forget(runDir);
    worker.forget(otherRun);
  });
});
