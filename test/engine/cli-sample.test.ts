/**
 * `llm-tutor sample` as a user runs it (the built bin): text streamed to stdout, the same seed
 * giving the same text, per-token probabilities with --show-top, and every kind of bad input
 * refused with exit 2 and one line; `train mini-gpt --corpus /nonexistent` is exit 2 with nothing
 * written.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'llm-tutor.js');
const env = { ...process.env, LLM_TUTOR_TFJS_NODE: '' };
let work: string;
let runsDir: string;
let runDir: string;

function cli(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function listing(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

describe('llm-tutor sample', () => {
  before(() => {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'engine.js')), 'dist/engine.js must be built (npm run build)');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-cli-sample-'));
    runsDir = path.join(work, 'runs');
    const trained = cli([
      'train',
      'mini-gpt',
      '--layers',
      '1',
      '--heads',
      '2',
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
      '--output-dir',
      runsDir,
      '--quiet',
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    runDir = path.join(runsDir, fs.readdirSync(runsDir)[0]);
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('streams the prompt and the generated text; the same seed gives the same text', () => {
    const args = ['sample', runDir, '--prompt', 'The ', '--temperature', '0.8', '--top-k', '20', '--top-p', '0.95'];
    const first = cli([...args, '--max-tokens', '50', '--seed', '1']);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.stdout.startsWith('The '));
    assert.equal([...first.stdout.replace(/\n$/, '')].length, 4 + 50);
    const again = cli([...args, '--max-tokens', '50', '--seed', '1']);
    assert.equal(again.stdout, first.stdout);
    // A run id inside --runs-dir works too, and greedy text does not depend on the seed.
    const id = path.basename(runDir);
    const greedy = cli([
      'sample',
      id,
      '--runs-dir',
      runsDir,
      '--temperature',
      '0',
      '--seed',
      '3',
      '--max-tokens',
      '20',
    ]);
    const greedy2 = cli(['sample', id, '--runs-dir', runsDir, '--top-k', '1', '--seed', '4', '--max-tokens', '20']);
    assert.equal(greedy.code, 0, greedy.stderr);
    assert.equal(greedy2.stdout, greedy.stdout);
  });

  it('--show-top prints each character with its probability and the most probable choices; unknown characters are reported', () => {
    const result = cli(['sample', runDir, '--prompt', 'x☃', '--max-tokens', '5', '--show-top', '3']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 6);
    for (const line of lines.slice(0, 5))
      assert.match(line, /^ +\d+ ".*" p=\d\.\d{3} {2}top: (".*" \d\.\d{3} ?){1,3}$/);
    assert.match(result.stderr, /not in the training vocabulary \(read as <unk>\): ☃/);
  });

  const bad: [string, string[], RegExp][] = [
    ['a negative temperature', ['--temperature=-1'], /--temperature must be a number in 0\.\.10/],
    ['an option without its value', ['--temperature', '-1'], /Option '--temperature' argument is ambiguous/],
    ['a temperature that is not a number', ['--temperature', 'hot'], /--temperature must be a number, got 'hot'/],
    ['top-p 0', ['--top-p', '0'], /--top-p must be a number in \(0, 1\]/],
    ['top-p above 1', ['--top-p', '1.5'], /--top-p must be a number in \(0, 1\]/],
    ['a fractional top-k', ['--top-k', '2.5'], /--top-k must be a whole number/],
    ['zero tokens', ['--max-tokens', '0'], /--max-tokens must be a whole number in 1\.\.2000/],
    ['a negative seed', ['--seed=-2'], /--seed must be a whole number ≥ 0/],
    ['an unknown option', ['--topk', '3'], /Unknown option '--topk'/],
    [
      'a prompt longer than 1000 characters',
      ['--prompt', 'a'.repeat(1001)],
      /the prompt is longer than 1000 characters/,
    ],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what}: exit 2, one line`, () => {
      const result = cli(['sample', runDir, ...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.trim().split('\n').length, 1);
      assert.match(result.stderr, message);
    });
  }

  it('refuses a missing run, no run, and a run that is not a language model (exit 2)', () => {
    assert.equal(cli(['sample', path.join(work, 'nope')]).code, 2);
    assert.equal(cli(['sample']).code, 2);
    const other = path.join(work, 'other');
    const trained = cli([
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
      '--backend',
      'wasm',
      '--output-dir',
      other,
      '--quiet',
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    const result = cli(['sample', path.join(other, fs.readdirSync(other)[0])]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /is a self-attention run: only language models \(mini-gpt, modern-attention\) can sample/,
    );
  });

  it('sample --help, and the command list', () => {
    const help = cli(['sample', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: llm-tutor sample RUN/);
    assert.match(cli(['--help']).stdout, /sample RUN +generate text with a saved language model/);
  });

  it('train mini-gpt --corpus /nonexistent: exit 2, one line, nothing written', () => {
    const out = path.join(work, 'never');
    const result = cli(['train', 'mini-gpt', '--corpus', '/nonexistent', '--output-dir', out]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'llm-tutor train: corpus not found: /nonexistent\n');
    assert.deepEqual(listing(out), []);
  });
});
