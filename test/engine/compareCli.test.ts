/**
 * `llm-tutor compare` and `llm-tutor train <chapter> --variant all` as a user runs them: the built
 * bin, its output and exit codes (2 for bad input, with one line and nothing written; 1 when a run
 * cannot be read, the others still compared).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { resolveHyperparameters } from '../../src/shared/course/hyperparameters';
import { variantsExitCode } from '../../src/engine/cli/train';
import { makeTempDir, removeTempDir, writeFixtureRun } from './fixtures/runFixture';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'llm-tutor.js');
const env = { ...process.env, LLM_TUTOR_TFJS_NODE: '' };
let work: string;
let runsDir: string;

function cli(args: string[], cwd = work) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 300_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function listing(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

function selfAttentionRun(variant: string, minute: number) {
  const resolved = resolveHyperparameters(chapterInfo('self-attention'), 'reverse', variant, { epochs: 2 });
  assert.ok(resolved.ok);
  return writeFixtureRun(runsDir, {
    chapter: 'self-attention',
    startedAt: new Date(2025, 0, 2, 3, minute, 5),
    config: { chapter: 'self-attention', task: 'reverse', variant, hyperparameters: resolved.value },
  });
}

before(() => {
  assert.ok(fs.existsSync(path.join(root, 'dist', 'engine.js')), 'dist/engine.js must be built first');
  work = makeTempDir('llm-tutor-compare-cli-');
  runsDir = path.join(work, 'runs');
});
after(() => removeTempDir(work));

describe('llm-tutor compare', () => {
  let a = '';
  let b = '';
  let c = '';

  before(() => {
    a = selfAttentionRun('scaled', 1).runId;
    b = selfAttentionRun('unscaled', 2).runId;
    c = writeFixtureRun(runsDir, { startedAt: new Date(2025, 0, 2, 3, 3, 5), epochsCompleted: 5 }).runId;
  });

  it('prints the shared metrics side by side, the config differences and the attention differences', () => {
    const { code, stdout, stderr } = cli(['compare', a, b]);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.match(stdout, /^comparison of 2 run\(s\) · chapter self-attention · task reverse · seed 42$/m);
    assert.match(stdout, new RegExp(`^A +${a} +self-attention +reverse +scaled +42 +completed +2/2$`, 'm'));
    assert.match(stdout, new RegExp(`^B +${b} +self-attention +reverse +unscaled `, 'm'));
    assert.match(stdout, /^train_loss +1\.0000 +1\.0000$/m);
    assert.match(stdout, /^val_exact +20\.0% +20\.0%$/m);
    assert.match(stdout, /^entropy +- +-$/m, 'a declared metric without values is shown as -');
    assert.match(stdout, /^config \(2 difference\(s\), marked \*\):$/m);
    assert.match(stdout, /^\* +variant +scaled +unscaled$/m);
    assert.match(stdout, /^\* +scaled +true +false$/m);
    assert.match(stdout, /^ +seed +42 +42$/m);
    // The fixture runs have the same attention: every difference is 0.
    assert.match(stdout, /^ +1 +12\/Mar +decoder\/cross\/0\/0 +forward +A-B +0\.0000 +0\.0000$/m);
    assert.match(stdout, /^ +1 +12\/Mar +decoder\/cross\/0\/0 +generated +A-B +0\.0000 +0\.0000$/m);
  });

  it('runs of different chapters: compared on what they share, the rest named', () => {
    const { code, stdout, stderr } = cli(['compare', path.join(runsDir, c), a, '--runs-dir', runsDir]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^comparison of 2 run\(s\) · seed 42$/m);
    assert.match(stdout, /^not shared: metric attention_entropy \(only B\)$/m);
    assert.doesNotMatch(stdout, /^entropy /m);
    assert.match(stdout, /^\* +chapter +attention-seq2seq +self-attention$/m);
    assert.match(stdout, /^not shared: different chapters \(attention-seq2seq, self-attention\)/m);
    assert.match(stdout, /^not shared: different tasks \(dates, reverse\)/m);
  });

  it('--save NAME saves it under .comparisons; --open reopens it; a deleted run is reported, the others compare (exit 1)', () => {
    const saved = cli(['compare', a, b, c, '--save', 'three']);
    assert.equal(saved.code, 0, saved.stderr);
    const file = path.join(runsDir, '.comparisons', 'three.json');
    assert.match(saved.stdout, new RegExp(`^saved=${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).runs, [a, b, c]);

    const reopened = cli(['compare', '--open', file], work);
    assert.equal(reopened.code, 0, reopened.stderr);
    assert.match(reopened.stdout, /^comparison "three" /m);
    assert.match(reopened.stdout, /^comparison of 3 run\(s\) · seed 42$/m);
    const byName = cli(['compare', '--open', 'three']);
    assert.equal(byName.code, 0, byName.stderr);

    const copy = path.join(work, 'gone');
    fs.cpSync(path.join(runsDir, b), copy, { recursive: true });
    fs.rmSync(path.join(runsDir, b), { recursive: true });
    try {
      const broken = cli(['compare', '--open', file]);
      assert.equal(broken.code, 1);
      assert.match(broken.stdout, new RegExp(`^not compared: ${b}: folder does not exist$`, 'm'));
      assert.match(broken.stdout, /^comparison of 2 run\(s\) · seed 42$/m);
      assert.match(broken.stdout, /^final metrics/m);
      assert.equal(broken.stderr.trim().split('\n').length, 1);
      assert.match(broken.stderr, /1 run\(s\) could not be read/);
    } finally {
      fs.cpSync(copy, path.join(runsDir, b), { recursive: true });
    }
  });

  it('bad input: one line on stderr, exit 2, nothing written', () => {
    const before = listing(runsDir);
    const outside = writeFixtureRun(path.join(work, 'elsewhere')).dir;
    const cases: [string[], RegExp][] = [
      [['compare'], /at least 2 runs/],
      [['compare', a], /at least 2 runs/],
      [['compare', a, 'no-such-run'], /not a run: no-such-run/],
      [['compare', a, a], /the same run twice/],
      [['compare', a, b, c, a, b, c, a], /at most 6 runs/],
      [['compare', a, b, '--save', '../escape'], /--save: comparison name/],
      [['compare', a, b, '--save', ''], /--save: comparison name/],
      [['compare', a, b, '--save', 'three'], /already exists/],
      [['compare', a, outside, '--save', 'x'], /is not a run inside the runs folder/],
      [['compare', '--open', 'nothing-saved'], /--open: no saved comparison: nothing-saved/],
      [['compare', '--open', path.join(runsDir, a, 'config.json')], /--open: config\.json: /],
      [['compare', '--open', 'three', a], /do not name runs/],
      [['compare', '--open', 'three', '--save', 'y'], /cannot be combined/],
      [['compare', a, b, '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, pattern] of cases) {
      const { code, stdout, stderr } = cli(args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.equal(stdout, '', args.join(' '));
      assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
      assert.match(stderr, /^llm-tutor compare: /);
      assert.match(stderr, pattern, args.join(' '));
    }
    assert.deepEqual(listing(runsDir), before, 'nothing written');
  });

  it('--help describes compare; the main help lists it', () => {
    const help = cli(['compare', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: llm-tutor compare RUN RUN… \[--runs-dir DIR\] \[--save NAME\]$/m);
    assert.match(help.stdout, /--open FILE/);
    assert.match(cli(['--help']).stdout, /^ {2}compare RUN RUN… +runs side by side/m);
    assert.match(cli(['train', '--help']).stdout, /--variant NAME .*'all' trains/);
  });
});

describe('llm-tutor train --variant all', () => {
  const tiny = [
    '--epochs',
    '1',
    '--train-size',
    '200',
    '--validation-size',
    '40',
    '--test-size',
    '10',
    '--backend',
    'wasm',
  ];

  it('trains every variant of self-attention with the same seed and data, then compares them', () => {
    const out = path.join(work, 'variants');
    const { code, stdout, stderr } = cli(['train', 'self-attention', '--variant', 'all', '--output-dir', out, ...tiny]);
    assert.equal(code, 0, stderr);
    const variants = ['scaled', 'unscaled', 'no-positions', 'sinusoidal'];
    variants.forEach((variant, i) =>
      assert.match(stdout, new RegExp(`^── variant ${variant} \\(${i + 1}/4\\) seed=42 ──$`, 'm')),
    );
    const runs = fs
      .readdirSync(out)
      .filter((name) => !name.startsWith('.'))
      .sort();
    assert.equal(runs.length, 4);
    const configs = runs.map((run) => JSON.parse(fs.readFileSync(path.join(out, run, 'config.json'), 'utf8')));
    assert.deepEqual(configs.map((config) => config.variant).sort(), [...variants].sort());
    assert.ok(configs.every((config) => config.seed === 42 && config.task === 'reverse'));
    assert.equal(new Set(configs.map((config) => JSON.stringify(config.data))).size, 1, 'the same data');
    for (const run of runs)
      assert.equal(JSON.parse(fs.readFileSync(path.join(out, run, 'status.json'), 'utf8')).state, 'completed');
    assert.match(stdout, /^variant +status +run$/m);
    assert.match(stdout, /^comparison of 4 run\(s\) · chapter self-attention · task reverse · seed 42$/m);
    assert.match(stdout, /^\* +positions +learned +learned +none +sinusoidal$/m);
    assert.match(stdout, /encoder\/self\/0\/0 +forward +A-B +\d\.\d{4} +\d\.\d{4}$/m);
  });

  it('transformer: its variants, then attention-seq2seq’s default run on the same task and seed, all compared', () => {
    const out = path.join(work, 'with-chapter');
    const small = ['--batch-size', '32', '--d-model', '16', '--heads', '2'];
    const { code, stdout, stderr } = cli([
      'train',
      'transformer',
      '--variant',
      'all',
      '--quiet',
      '--output-dir',
      out,
      ...tiny,
      ...small,
    ]);
    assert.equal(code, 0, stderr);
    const variants = chapterInfo('transformer').variants.map((variant) => variant.id);
    const count = variants.length + 1;
    variants.forEach((variant, i) =>
      assert.match(stdout, new RegExp(`^── variant ${variant} \\(${i + 1}/${count}\\) seed=42 ──$`, 'm')),
    );
    assert.match(
      stdout,
      new RegExp(
        `^── attention-seq2seq default, the comparison's other chapter \\(${count}/${count}\\) seed=42 ──$`,
        'm',
      ),
    );
    const configs = fs
      .readdirSync(out)
      .filter((name) => !name.startsWith('.'))
      .map((run) => JSON.parse(fs.readFileSync(path.join(out, run, 'config.json'), 'utf8')));
    assert.equal(configs.length, count);
    const other = configs.filter((config) => config.chapter === 'attention-seq2seq');
    assert.equal(other.length, 1);
    assert.deepEqual([other[0].variant, other[0].task, other[0].seed], ['default', 'dates', 42]);
    // The same data (sizes and examples), the same budget; its own model.
    assert.equal(new Set(configs.map((config) => JSON.stringify(config.data))).size, 1, 'the same data');
    const settings = other[0]['attention-seq2seq'];
    assert.deepEqual(
      [settings.epochs, settings.trainSize, settings.validationSize, settings.batchSize],
      [1, 200, 40, 32],
    );
    assert.equal(settings.dModel, undefined);
    assert.match(stdout, /^attention-seq2seq default +completed +\S+-attention-seq2seq$/m);
    assert.match(stdout, new RegExp(`^comparison of ${count} run\\(s\\) · task dates · seed 42$`, 'm'));
    assert.match(stdout, /^\* +chapter +transformer( +transformer)+ +attention-seq2seq$/m);
    assert.match(stdout, /^ +\d +\S+ +decoder\/cross\/0\/0 +forward +A-E +\d\.\d{4} +\d\.\d{4}$/m);

    // Again with the same settings and one variant: that finished attention-seq2seq run is reused.
    const again = cli(['train', 'transformer', '--variant', 'all', '--quiet', '--output-dir', out, ...tiny, ...small]);
    assert.equal(again.code, 0, again.stderr);
    const reusedId = fs.readdirSync(out).find((name) => name.endsWith('-attention-seq2seq'));
    assert.ok(reusedId);
    assert.match(
      again.stdout,
      new RegExp(`^── attention-seq2seq default, the comparison's other chapter: reusing run ${reusedId} \\(`, 'm'),
    );
    assert.match(again.stdout, new RegExp(`^attention-seq2seq default +completed \\(reused\\) +${reusedId}$`, 'm'));
    assert.match(again.stdout, new RegExp(`^comparison of ${count} run\\(s\\) · task dates · seed 42$`, 'm'));
    const after = fs.readdirSync(out).filter((name) => !name.startsWith('.'));
    assert.equal(after.length, 2 * count - 1, 'only the transformer variants were trained again');
    assert.equal(after.filter((name) => name.endsWith('-attention-seq2seq')).length, 1);
  });

  it('refuses bad input before anything is written', () => {
    const out = path.join(work, 'refused');
    const cases: [string[], RegExp][] = [
      [['--resume', 'x'], /cannot be combined with --resume/],
      [['--task', 'sort'], /variant scaled: unknown task 'sort'/],
      [['--d-model', '1'], /--d-model must be a whole number in 2\.\.256/],
    ];
    for (const [args, pattern] of cases) {
      const { code, stdout, stderr } = cli([
        'train',
        'self-attention',
        '--variant',
        'all',
        '--output-dir',
        out,
        ...tiny,
        ...args,
      ]);
      assert.equal(code, 2, stderr);
      assert.equal(stdout, '');
      assert.equal(stderr.trim().split('\n').length, 1);
      assert.match(stderr, pattern);
    }
    assert.deepEqual(listing(out), []);
  });

  it('the exit code says how the sequence went: 0 all completed, 1 one failed, 130 stopped', () => {
    const outcome = (state: 'completed' | 'failed' | 'stopped' | 'skipped') => ({
      variant: 'v',
      state,
      runId: null,
      runDir: null,
    });
    assert.equal(variantsExitCode([outcome('completed'), outcome('completed')]), 0);
    assert.equal(variantsExitCode([outcome('completed'), outcome('failed'), outcome('completed')]), 1);
    assert.equal(variantsExitCode([outcome('failed'), outcome('stopped'), outcome('skipped')]), 130);
  });
});
