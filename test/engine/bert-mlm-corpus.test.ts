/**
 * A corpus the bert-mlm chapter cannot use is refused before anything is written, with one clear
 * line: through `train()` (a TrainError, the kind the CLI turns into exit 2) for every kind of bad
 * corpus, and `llm-tutor fill`-style prediction never reads the corpus of a saved run.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { TrainError, train } from '../../src/engine/train/trainer';
import { defaultsOf } from '../../src/shared/course/hyperparameters';
import { Vocab } from '../../src/engine/tasks/vocab';
import { MLM_SPECIAL_TOKENS } from '../../src/engine/corpus';
import { useBackend } from './helpers';

const chapter = trainableChapter('bert-mlm')!;
let work: string;
let runsDir: string;

function listing(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

describe('bert-mlm: a bad corpus is one line and writes nothing', () => {
  before(async () => {
    await useBackend('cpu');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bert-corpus-'));
    runsDir = path.join(work, 'runs');
    fs.mkdirSync(runsDir);
    fs.writeFileSync(path.join(work, 'empty.txt'), '  \n\n');
    fs.writeFileSync(path.join(work, 'binary.txt'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x01]));
    fs.writeFileSync(path.join(work, 'utf16.txt'), Buffer.from('\ufeffhello', 'utf16le'));
    fs.writeFileSync(path.join(work, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    fs.writeFileSync(path.join(work, 'tiny.txt'), 'One sentence only.\n');
    fs.mkdirSync(path.join(work, 'no-text'));
    fs.writeFileSync(path.join(work, 'no-text', 'image.png'), 'x');
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  const cases: [string, string, RegExp][] = [
    ['a path that does not exist', 'missing.txt', /^corpus not found: .*missing\.txt$/],
    ['an empty file', 'empty.txt', /^corpus is empty: .*empty\.txt/],
    ['a binary file', 'binary.txt', /^corpus is not text: .*binary\.txt/],
    ['a UTF-16 file', 'utf16.txt', /^corpus is not valid UTF-8: .*utf16\.txt is UTF-16/],
    ['a file that is not UTF-8', 'latin1.txt', /^corpus is not valid UTF-8: .*latin1\.txt/],
    ['a folder without text files', 'no-text', /^no text files in folder .*no-text/],
    [
      'a corpus too small to make sentence pairs',
      'tiny.txt',
      /^corpus too small: tiny\.txt needs two consecutive sentences/,
    ],
  ];
  for (const [what, name, pattern] of cases) {
    it(`${what}: TrainError, one line, no run folder`, async () => {
      await assert.rejects(
        train({
          chapter,
          runsDir,
          backend: 'cpu',
          packageVersion: 'test',
          corpus: path.join(work, name),
          overrides: { epochs: 1, evalSteps: 1 },
        }),
        (error: Error) => {
          assert.ok(error instanceof TrainError, `${error.name}: ${error.message}`);
          assert.match(error.message, pattern);
          assert.ok(!/[\n\r]/.test(error.message), 'one line');
          return true;
        },
      );
      assert.deepEqual(listing(runsDir), [], 'nothing written');
    });
  }

  it('prepared for a saved run (fill, predict), the vocabulary is the saved one and the corpus is not read', () => {
    const vocab = new Vocab([...MLM_SPECIAL_TOKENS, 'the', 'of']);
    const hyper = defaultsOf(chapter.info, 'masked-words');
    const data = chapter.prepare({
      task: 'masked-words',
      hyperparameters: hyper,
      seed: 1,
      corpus: path.join(work, 'missing.txt'),
      saved: { sourceVocab: [...vocab.tokens], targetVocab: [...vocab.tokens], tokenLevel: 'word' },
    });
    assert.deepEqual(data.sourceVocab.tokens, vocab.tokens);
    assert.throws(() => data.epochBatches(1, 4), /prepared from a saved run/);
  });
});
