/**
 * The `llm-tutor` CLI as a user runs it: the built bin, a real training run, the readers, and
 * every kind of bad input (exit 2, one line, nothing written).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CHAPTERS } from '../../src/shared/course/catalogue';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'llm-tutor.js');
let work: string;
let runsDir: string;
// The CLI as installed without the native backend, even when the suite runs with it
// (LLM_TUTOR_TFJS_NODE; see native.test.ts): `--backend tensorflow` must fail cleanly here.
const env = { ...process.env, LLM_TUTOR_TFJS_NODE: '' };
// The bundled CLI reads the real catalogue, so its untrainable chapter is whichever chapter has no
// folder yet (none once the course is complete: the case that needs one is then left out).
const untrainable = CHAPTERS.find((chapter) => !chapter.trainable)?.id;

function cli(args: string[], cwd = work) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 300_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every path under `dir`, to prove a command wrote nothing. */
function listing(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

const SMALL = [
  '--train-size',
  '400',
  '--validation-size',
  '60',
  '--test-size',
  '30',
  '--batch-size',
  '32',
  '--backend',
  'wasm',
];

before(() => {
  assert.ok(
    fs.existsSync(path.join(root, 'dist', 'engine.js')),
    'dist/engine.js must be built (npm run build) before the CLI tests',
  );
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-cli-'));
  runsDir = path.join(work, 'out');
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('llm-tutor CLI', () => {
  let runDir = '';

  it('train attention-seq2seq --epochs 2 --output-dir <tmp> prints the course’s lines and writes a complete run folder', () => {
    const { code, stdout, stderr } = cli([
      'train',
      'attention-seq2seq',
      '--epochs',
      '2',
      '--output-dir',
      runsDir,
      ...SMALL,
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^backend=wasm$/m);
    assert.match(stdout, /^epoch=001 train_loss=\d+\.\d+ val_loss=\d+\.\d+ .*val_exact=\d\.\d+/m);
    assert.match(stdout, /^epoch=002 /m);
    assert.match(
      stdout,
      /^attention_shape=\(batch, target_len, source_len\)=\(\d+, \d+, \d+\) logits_shape=\(batch, target_len, vocab_size\)=\(\d+, \d+, \d+\)$/m,
    );
    const sums = /^attention_row_sums min=([\d.]+) max=([\d.]+)$/m.exec(stdout);
    assert.ok(sums, 'attention_row_sums line');
    assert.ok(Math.abs(Number(sums[1]) - 1) < 1e-5 && Math.abs(Number(sums[2]) - 1) < 1e-5);
    assert.ok((stdout.match(/^src='.*' target='.*' pred='.*'$/gm) ?? []).length >= 3, 'at least three sample lines');
    const runs = fs.readdirSync(runsDir);
    assert.equal(runs.length, 1);
    assert.match(runs[0], /^\d{8}-\d{6}-attention-seq2seq$/);
    runDir = path.join(runsDir, runs[0]);
    for (const file of [
      'config.json',
      'status.json',
      'metrics.jsonl',
      'log.txt',
      'shapes.json',
      'attention/epoch-001.json',
      'attention/epoch-002.json',
      'samples/epoch-002.json',
      'model/latest.json',
      'model/epoch-002/manifest.json',
      'model/epoch-002/weights.json',
      'model/epoch-002/weights.bin',
      'model/epoch-002/optimizer.json',
      'model/epoch-002/optimizer.bin',
    ]) {
      assert.ok(fs.existsSync(path.join(runDir, file)), `${file} exists`);
    }
    assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, 'status.json'), 'utf8')).state, 'completed');
    assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8')).backend, 'wasm');
    const log = fs.readFileSync(path.join(runDir, 'log.txt'), 'utf8');
    assert.match(log, /^epoch=002 /m, 'log.txt has the lines the CLI printed');
    const manifest = JSON.parse(fs.readFileSync(path.join(runDir, 'model', 'epoch-002', 'weights.json'), 'utf8'));
    const shapes = JSON.parse(fs.readFileSync(path.join(runDir, 'shapes.json'), 'utf8')) as {
      name: string;
      shape: number[];
    }[];
    for (const weight of manifest.weightsManifest[0].weights as { name: string; shape: number[] }[]) {
      assert.deepEqual(
        shapes.find((s) => s.name === weight.name)?.shape,
        weight.shape,
        `${weight.name} named as in shapes.json`,
      );
    }
  });

  it('runs, show and predict read the run back', () => {
    const runs = cli(['runs', runsDir]);
    assert.equal(runs.code, 0, runs.stderr);
    assert.match(
      runs.stdout,
      new RegExp(
        `${path.basename(runDir)}\\s+attention-seq2seq\\s+dates\\s+default\\s+completed\\s+2/2\\s+val_exact=\\d+\\.\\d%`,
      ),
    );
    const show = cli(['show', path.basename(runDir), '--runs-dir', runsDir]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /status=completed epochs=2\/2/);
    assert.match(show.stdout, /chapter=attention-seq2seq task=dates variant=default backend=wasm/);
    assert.match(show.stdout, /weights=verified/);
    assert.match(show.stdout, /final: epoch=002 /);
    assert.match(show.stdout, /^checks: rows-sum-to-one=pass\(.*\) masked-zero=pass\(0≤0\)$/m);
    assert.match(show.stdout, /src='.*' target='.*' pred='.*'/);
    const predict = cli(['predict', runDir, 'May 3, 1998']);
    assert.equal(predict.code, 0, predict.stderr);
    assert.match(predict.stdout, /^src='May 3, 1998' pred='.*'$/m);
    const rows = predict.stdout.split('\n').filter((line) => /\s1\.000$/.test(line));
    assert.ok(rows.length >= 1, 'attention rows each end with their sum 1.000');
  });

  it('Ctrl-C (SIGINT) stops after the current step: exit 130, the run is complete and marked stopped', async () => {
    const dir = path.join(work, 'interrupted');
    const child = spawn(process.execPath, [bin, 'train', 'seq2seq', '--epochs', '50', '--output-dir', dir, ...SMALL], {
      cwd: work,
    });
    let stdout = '';
    const sawEpoch = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/^epoch=001 /m.test(stdout)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await sawEpoch;
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    const [runId] = fs.readdirSync(dir);
    const status = JSON.parse(fs.readFileSync(path.join(dir, runId, 'status.json'), 'utf8'));
    assert.equal(status.state, 'stopped');
    assert.ok(status.epochsCompleted >= 1 && status.epochsCompleted < 50);
    assert.match(stdout, /status=stopped/);
    const show = cli(['show', path.join(dir, runId)]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /status=stopped/);
  });

  it('chapters and --help', () => {
    const chapters = cli(['chapters']);
    assert.equal(chapters.code, 0);
    assert.match(chapters.stdout, /attention-seq2seq\s+Attention Seq2Seq/);
    for (const chapter of CHAPTERS) {
      const line = chapters.stdout.split('\n').find((l) => new RegExp(`^\\s*(\\d+\\.\\s+)?${chapter.id}\\s`).test(l));
      assert.ok(line, `${chapter.id} is listed`);
      assert.equal(/not yet/.test(line), !chapter.trainable, line);
    }
    for (const command of ['train', 'runs', 'show', 'predict', 'chapters']) {
      const help = cli([command, '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`Usage: llm-tutor ${command}`));
    }
  });

  const bad: [string, string[], RegExp][] = [
    ['unknown chapter', ['train', 'attention-seq3seq', '--output-dir', 'X'], /unknown chapter 'attention-seq3seq'/],
    ...(untrainable
      ? [
          [
            'chapter not trainable yet',
            ['train', untrainable, '--output-dir', 'X'],
            /cannot be trained by this version yet/,
          ] as [string, string[], RegExp],
        ]
      : []),
    ['unknown option', ['train', 'seq2seq', '--epoch', '2', '--output-dir', 'X'], /Unknown option '--epoch'/],
    [
      'zero epochs',
      ['train', 'seq2seq', '--epochs', '0', '--output-dir', 'X'],
      /--epochs must be a whole number in 1\.\.1000, got '0'/,
    ],
    [
      'non-numeric epochs',
      ['train', 'seq2seq', '--epochs', 'abc', '--output-dir', 'X'],
      /--epochs must be a whole number in 1\.\.1000, got 'abc'/,
    ],
    [
      'negative learning rate',
      ['train', 'seq2seq', '--lr=-1', '--output-dir', 'X'],
      /--lr must be a number in 0\.000001\.\.1, got '-1'/,
    ],
    [
      'option value that looks like an option',
      ['train', 'seq2seq', '--lr', '-1', '--output-dir', 'X'],
      /Option '--lr' argument is ambiguous.*'--lr=-XYZ'/,
    ],
    [
      'fractional batch size',
      ['train', 'seq2seq', '--batch-size', '2.5', '--output-dir', 'X'],
      /--batch-size must be a whole number in 1\.\.1024, got '2\.5'/,
    ],
    ['unknown task', ['train', 'seq2seq', '--task', 'poems', '--output-dir', 'X'], /unknown task 'poems'/],
    ['unknown backend', ['train', 'seq2seq', '--backend', 'gpu', '--output-dir', 'X'], /--backend must be one of/],
    [
      'unavailable backend',
      ['train', 'seq2seq', '--backend', 'tensorflow', '--output-dir', 'X'],
      /backend 'tensorflow' is not available: @tensorflow\/tfjs-node/,
    ],
    ['unwritable output directory', ['train', 'seq2seq', '--output-dir', 'FILE/runs'], /--output-dir: cannot write to/],
    [
      'resume of something that is not a run',
      ['train', 'seq2seq', '--resume', 'nothing-here', '--output-dir', 'X'],
      /not a run: nothing-here/,
    ],
    ['show of something that is not a run', ['show', 'nothing-here'], /not a run: nothing-here/],
    ['predict of something that is not a run', ['predict', 'nothing-here', 'May 3, 1998'], /not a run: nothing-here/],
    ['predict without text', ['predict', 'nothing-here'], /predict takes a RUN and a quoted text/],
    ['unknown command', ['trian'], /unknown command 'trian'/],
  ];
  for (const [what, args, message] of bad) {
    it(`bad input — ${what}: exit 2, one line, nothing written`, () => {
      const dir = fs.mkdtempSync(path.join(work, 'bad-'));
      fs.writeFileSync(path.join(dir, 'FILE'), 'a file, not a folder');
      const before = listing(dir);
      const { code, stdout, stderr } = cli(
        args.map((a) => (a === 'X' ? path.join(dir, 'runs') : a === 'FILE/runs' ? path.join(dir, 'FILE', 'runs') : a)),
        dir,
      );
      assert.equal(code, 2, `exit code (stderr: ${stderr})`);
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
      assert.equal(stdout.includes('epoch='), false);
      assert.deepEqual(listing(dir), before, 'nothing written');
    });
  }
});
