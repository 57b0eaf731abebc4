/**
 * mini-gpt's corpus: a missing, binary, empty, undecodable or too large file is one clear line
 * and nothing is written (through `train`, and the CLI's exit 2); the corpus is recorded with its
 * hash and size; resuming refuses a changed corpus; a saved run predicts and samples without its
 * corpus; windows and the validation tiling predict every validation character exactly once.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { isLanguageModelData } from '../../src/engine/kits/languageModel/data';
import { tilingWindows } from '../../src/engine/kits/languageModel/windows';
import { loadRun } from '../../src/engine/predict';
import { train, TrainError } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const chapter = trainableChapter('mini-gpt')!;
const root = path.resolve(__dirname, '..', '..');
let work: string;

/** Settings small enough for a run of a few seconds. */
const TINY = {
  layers: 1,
  heads: 2,
  dModel: 8,
  context: 8,
  batchSize: 4,
  stepsPerEvaluation: 3,
  epochs: 1,
  validationTokens: 64,
};

function listing(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, content);
  return file;
}

/** A text of `lines` lines of ordinary English-like words. */
function text(lines: number): string {
  const words = ['the', 'river', 'runs', 'north', 'of', 'a', 'small', 'town', 'and', 'then', 'east'];
  return (
    Array.from({ length: lines }, (_, i) => `${words[i % 11]} ${words[(i * 7) % 11]} ${words[(i * 3) % 11]}.`).join(
      '\n',
    ) + '\n'
  );
}

describe('mini-gpt corpus', () => {
  before(async () => {
    await useBackend('wasm');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-gpt-corpus-'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  const badCorpora: [string, () => string, RegExp][] = [
    ['a missing file', () => path.join(work, 'no-such-file.txt'), /^corpus not found: .*no-such-file\.txt$/],
    [
      'a binary file',
      () => write('binary.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0, 0, 3])),
      /^corpus is not text: .*binary\.bin contains NUL bytes/,
    ],
    ['an empty file', () => write('empty.txt', ' \n\n  \n'), /^corpus is empty/],
    [
      'an undecodable file',
      () => write('latin1.txt', Buffer.from('caf\xe9 au lait, cr\xe8me\n', 'latin1')),
      /^corpus is not valid UTF-8: .*latin1\.txt/,
    ],
    [
      'a file that is too large',
      () => {
        const file = path.join(work, 'huge.txt');
        fs.writeFileSync(file, '');
        fs.truncateSync(file, 21 * 1024 * 1024); // sparse: nothing is read, the size refuses it
        return file;
      },
      /^corpus too large: .*huge\.txt is 21 MB/,
    ],
  ];

  for (const [what, make, message] of badCorpora) {
    it(`${what}: train() refuses with one line, before writing anything`, async () => {
      const runsDir = path.join(work, `runs-${what.replace(/\W+/g, '-')}`);
      const corpus = make();
      await assert.rejects(
        train({ chapter, runsDir, backend: 'wasm', packageVersion: 'test', corpus, overrides: TINY }),
        (error: Error) => {
          assert.ok(error instanceof TrainError, `${error.name}: ${error.message}`);
          assert.match(error.message, message);
          assert.ok(!error.message.includes('\n'), 'one line');
          return true;
        },
      );
      assert.deepEqual(listing(runsDir), [], 'nothing written');
    });
  }

  it('a text too short for one window is refused the same way', async () => {
    const runsDir = path.join(work, 'runs-short');
    const corpus = write('short.txt', 'abc\ndef\n');
    await assert.rejects(
      train({ chapter, runsDir, backend: 'wasm', packageVersion: 'test', corpus, overrides: TINY }),
      (error: Error) => error instanceof TrainError && /^corpus is too short/.test(error.message),
    );
    assert.deepEqual(listing(runsDir), []);
  });

  it('records the corpus (name, bytes, sha256, absolute source); resuming refuses a changed corpus; a saved run predicts without it', async () => {
    const runsDir = path.join(work, 'runs-resume');
    const corpus = write('river.txt', text(300));
    const first = await train({
      chapter,
      runsDir,
      backend: 'wasm',
      packageVersion: 'test',
      corpus: path.relative(process.cwd(), corpus),
      overrides: TINY,
    });
    assert.equal(first.status.state, 'completed');
    const config = JSON.parse(fs.readFileSync(path.join(first.runDir, 'config.json'), 'utf8'));
    assert.equal(config.data.corpus.name, 'river.txt');
    assert.equal(config.data.corpus.source, corpus, 'the absolute path, so a resume finds it from anywhere');
    assert.equal(config.data.corpus.bytes, Buffer.byteLength(text(300)));
    assert.match(config.data.corpus.sha256, /^[0-9a-f]{64}$/);
    assert.equal(config.data.tokenLevel, 'char');
    const samples = JSON.parse(fs.readFileSync(path.join(first.runDir, 'samples', 'epoch-001.json'), 'utf8'));
    assert.equal(samples.samples.length, 2);
    assert.ok(
      samples.samples.every(
        (s: { correct: unknown; predicted: string }) => s.correct === null && s.predicted.length > 0,
      ),
    );

    fs.appendFileSync(corpus, 'one more line.\n');
    const before = listing(runsDir);
    await assert.rejects(
      train({
        chapter,
        runsDir,
        backend: 'wasm',
        packageVersion: 'test',
        resume: first.runDir,
        overrides: { epochs: 2 },
      }),
      (error: Error) => error instanceof TrainError && /corpus .*river\.txt has changed/.test(error.message),
    );
    assert.deepEqual(listing(runsDir), before, 'nothing written');

    fs.rmSync(corpus);
    const run = await loadRun(first.runDir);
    try {
      assert.ok(isLanguageModelData(run.data) && run.data.text === null, 'the corpus was not read');
      const prediction = run.data.predict(run.model, 'the ');
      assert.equal(prediction.predicted.length, 40);
      assert.ok(prediction.maps.length > 0 && prediction.maps.every((map) => map.mode === 'generated'));
      assert.throws(() => run.data.epochBatches(1, 4), /needs the corpus/);
    } finally {
      run.dispose();
    }
  });

  it('validation windows predict every character after the first exactly once', () => {
    for (const [tokens, context] of [
      [2, 8],
      [9, 8],
      [10, 8],
      [17, 8],
      [100, 7],
      [5, 64],
    ]) {
      const { windows, width } = tilingWindows(tokens, context);
      const counts = new Array(tokens).fill(0);
      for (const window of windows) {
        assert.ok(window.start >= 0 && window.start + width + 1 <= tokens, 'inside the split');
        for (let p = window.scoredFrom; p < width; p++) counts[window.start + p + 1]++;
      }
      assert.deepEqual(counts, [0, ...new Array(tokens - 1).fill(1)], `${tokens} tokens, context ${context}`);
    }
  });

  it('the CLI: a bad corpus is exit 2 with one line on stderr, and nothing is written', () => {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'engine.js')), 'dist/engine.js must be built (npm run build)');
    const bin = path.join(root, 'bin', 'llm-tutor.js');
    const corpora = [
      '/nonexistent',
      write('binary2.bin', Buffer.from([0, 0, 0, 1])),
      write('empty2.txt', ''),
      write('bad2.txt', Buffer.from([0x61, 0xc3, 0x28, 0x0a])),
    ];
    for (const corpus of corpora) {
      const out = path.join(work, 'cli-out');
      const result = spawnSync(
        process.execPath,
        [bin, 'train', 'mini-gpt', '--corpus', corpus, '--output-dir', out, '--backend', 'wasm'],
        { encoding: 'utf8', timeout: 120_000, env: { ...process.env, LLM_TUTOR_TFJS_NODE: '' } },
      );
      assert.equal(result.status, 2, `${corpus}: ${result.stderr}`);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /^llm-tutor train: corpus /);
      assert.deepEqual(listing(out), [], 'nothing written');
    }
  });
});
