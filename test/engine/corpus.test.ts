import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  CLS_ID,
  CorpusError,
  FOLDER_SEPARATOR,
  MAX_CORPUS_BYTES,
  MASK_ID,
  MLM_SPECIAL_TOKENS,
  SEP_ID,
  bigramBaseline,
  buildCharVocab,
  buildWordVocab,
  compareCodePoints,
  decodeChars,
  encodeChars,
  encodeWords,
  findCorporaDir,
  loadCorpus,
  splitContiguous,
  splitText,
  tokenizeWords,
  type CorpusSpec,
  type LoadCorpusOptions,
} from '../../src/engine/corpus';
import { createRandom } from '../../src/engine/random';
import { SPECIAL_TOKENS, UNK_ID } from '../../src/engine/tasks/vocab';

/** sha256 of corpora/en.txt and corpora/zh.txt: changes only when the files are regenerated on purpose. */
const EN_SHA256 = '6198098a2457b629ea450817d4f12b78d5afd874159fe40a20bc81ca76787391';
const ZH_SHA256 = '9e5d72e75bad0feb5283062da8f0753a7436b52b6a94dd86844ecad801c366fd';

const temporaryDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-corpus-'));
  temporaryDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of temporaryDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Every file and folder under `dir` with its size and modification time, sorted. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const visit = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      const stats = fs.lstatSync(path.join(dir, child));
      out.push(`${child} ${stats.isDirectory() ? 'dir' : stats.size} ${stats.mtimeMs}`);
      if (entry.isDirectory()) visit(child);
    }
  };
  visit('');
  return out.sort();
}

/** Asserts that loading `spec` throws a CorpusError with a one-line message containing every `parts`. */
function assertCorpusError(spec: CorpusSpec, parts: string[], options?: LoadCorpusOptions): CorpusError {
  let caught: unknown;
  try {
    loadCorpus(spec, options);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CorpusError, `expected a CorpusError for ${JSON.stringify(spec)}, got ${String(caught)}`);
  assert.equal(caught.name, 'CorpusError');
  assert.ok(!/[\r\n]/.test(caught.message), `one line: ${JSON.stringify(caught.message)}`);
  for (const part of parts) {
    assert.ok(
      caught.message.includes(part),
      `${JSON.stringify(caught.message)} should mention ${JSON.stringify(part)}`,
    );
  }
  return caught;
}

describe('built-in corpora', () => {
  const corporaDir = findCorporaDir();

  it('are found in the repository when run from source', () => {
    assert.ok(corporaDir, 'corpora folder found');
    assert.equal(path.resolve(corporaDir), path.resolve(__dirname, '..', '..', 'corpora'));
  });

  for (const [id, sha256, minBytes, minDistinct] of [
    ['en', EN_SHA256, 250_000, 60],
    ['zh', ZH_SHA256, 400_000, 2000],
  ] as const) {
    it(`${id} loads, is non-trivial and has a stable sha256`, () => {
      const before = listing(corporaDir!);
      const corpus = loadCorpus(id);
      assert.equal(corpus.name, id);
      assert.deepEqual(corpus.source, { kind: 'builtin', id, path: path.join(corporaDir!, `${id}.txt`) });
      assert.ok(corpus.bytes >= minBytes && corpus.bytes <= 600 * 1024, `${id}: ${corpus.bytes} bytes`);
      assert.equal(corpus.bytes, Buffer.byteLength(corpus.text, 'utf8'));
      assert.ok(new Set(corpus.text).size >= minDistinct, `${id}: ${new Set(corpus.text).size} distinct characters`);
      assert.equal(corpus.sha256, sha256);
      // The file is stored as loaded (UTF-8, LF, no BOM): its own sha256 is the corpus's.
      const raw = fs.readFileSync(path.join(corporaDir!, `${id}.txt`));
      assert.equal(createHash('sha256').update(raw).digest('hex'), sha256);
      assert.ok(!corpus.text.includes('\r') && corpus.text.charCodeAt(0) !== 0xfeff);
      assert.equal(corpus.text, corpus.text.normalize('NFC'));
      assert.deepEqual(listing(corporaDir!), before, 'loading wrote nothing');
    });
  }

  it('zh is Simplified Chinese poetry; en is plain ASCII prose', () => {
    const zh = loadCorpus('zh').text;
    for (const simplified of '风东马门书说见无') assert.ok(zh.includes(simplified), `zh has ${simplified}`);
    for (const traditional of '風東馬門書說見無') assert.ok(!zh.includes(traditional), `zh has no ${traditional}`);
    const en = loadCorpus('en').text;
    assert.match(en, /^[\x20-\x7e\n£€]+$/);
    assert.ok(en.includes('Algeria'));
  });

  it('a built-in missing from the corpora folder is a one-line error', () => {
    const dir = tempDir();
    assertCorpusError('zh', ['corpus not found', path.join(dir, 'zh.txt')], { corporaDir: dir });
  });
});

describe('loading files and folders', () => {
  it('strips a BOM, turns CRLF and CR into LF, and reports bytes and sha256 of the text', () => {
    const dir = tempDir();
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('one\r\ntwo\rthree 三\n')]));
    const before = listing(dir);
    const corpus = loadCorpus(file);
    assert.equal(corpus.text, 'one\ntwo\nthree 三\n');
    assert.equal(corpus.name, 'notes.txt');
    assert.deepEqual(corpus.source, { kind: 'file', path: file });
    assert.equal(corpus.bytes, 18); // 15 ASCII bytes + 3 for 三
    assert.equal(corpus.sha256, createHash('sha256').update('one\ntwo\nthree 三\n').digest('hex'));
    assert.deepEqual(loadCorpus({ file }), corpus);
    assert.deepEqual(listing(dir), before);
  });

  it('reads a folder: .txt and .md files, sorted, two levels deep, hidden and empty files skipped', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'a', 'b', 'c'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.hidden'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'b.md'), '# Bee\n\n\n');
    fs.writeFileSync(path.join(dir, 'A.TXT'), 'upper case extension\r\n');
    fs.writeFileSync(path.join(dir, 'a', 'z.txt'), 'in a');
    fs.writeFileSync(path.join(dir, 'a', 'b', 'deep.txt'), 'two levels down');
    fs.writeFileSync(path.join(dir, 'a', 'b', 'c', 'too-deep.txt'), 'three levels down');
    fs.writeFileSync(path.join(dir, '.hidden', 'h.txt'), 'hidden');
    fs.writeFileSync(path.join(dir, '.dot.txt'), 'hidden');
    fs.writeFileSync(path.join(dir, 'node_modules', 'n.md'), 'dependency');
    fs.writeFileSync(path.join(dir, 'empty.txt'), ' \n\t\n');
    fs.writeFileSync(path.join(dir, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]));
    fs.writeFileSync(path.join(dir, 'script.js'), 'not text for the corpus');
    const before = listing(dir);
    for (const spec of [dir, { folder: dir }]) {
      const corpus = loadCorpus(spec);
      assert.deepEqual(corpus.source, {
        kind: 'folder',
        path: dir,
        files: ['A.TXT', 'a/b/deep.txt', 'a/z.txt', 'b.md'],
      });
      assert.equal(
        corpus.text,
        ['upper case extension', 'two levels down', 'in a', '# Bee'].join(FOLDER_SEPARATOR) + '\n',
      );
      assert.equal(corpus.name, path.basename(dir));
    }
    assert.deepEqual(listing(dir), before);
  });

  describe('each problem is a one-line CorpusError naming the file, and nothing is written', () => {
    const dir = tempDir();
    const at = (...names: string[]): string => path.join(dir, ...names);
    fs.mkdirSync(at('folder'));
    fs.mkdirSync(at('no-text'));
    fs.writeFileSync(at('no-text', 'data.json'), '{}');
    fs.mkdirSync(at('all-empty'));
    fs.writeFileSync(at('all-empty', 'a.txt'), '');
    fs.writeFileSync(at('all-empty', 'b.md'), '\n \n');
    fs.mkdirSync(at('bad-inside'));
    fs.writeFileSync(at('bad-inside', 'a.txt'), 'fine');
    fs.writeFileSync(at('bad-inside', 'b.txt'), Buffer.from([0x61, 0xff, 0x62]));
    fs.writeFileSync(at('binary.txt'), Buffer.from('text\0with a NUL'));
    fs.writeFileSync(at('control.txt'), Buffer.from([1, 2, 3, 4, 0x61, 5, 6, 7, 8, 0x62]));
    fs.writeFileSync(at('empty.txt'), '');
    fs.writeFileSync(at('spaces.txt'), Buffer.from([0xef, 0xbb, 0xbf, 0x20, 0x0d, 0x0a, 0x09, 0x0a]));
    fs.writeFileSync(at('latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in Latin-1
    fs.writeFileSync(at('utf16.txt'), Buffer.from('\ufeffhello', 'utf16le'));
    fs.writeFileSync(at('big.txt'), 'x'.repeat(2000));
    fs.writeFileSync(at('line\nbreak.txt'), '');
    const before = listing(dir);

    const cases: [string, CorpusSpec, string[], LoadCorpusOptions?][] = [
      ['a missing file', at('missing.txt'), ['corpus not found', at('missing.txt')]],
      ['a missing folder', { folder: at('missing') }, ['corpus not found', at('missing')]],
      ['a folder given as a file', { file: at('folder') }, ['corpus is not a file', at('folder'), 'is a folder']],
      ['a file given as a folder', { folder: at('empty.txt') }, ['corpus is not a folder', at('empty.txt')]],
      ['a binary file', at('binary.txt'), ['corpus is not text', at('binary.txt'), 'NUL']],
      ['mostly control characters', at('control.txt'), ['corpus is not text', at('control.txt'), '80%']],
      ['an empty file', at('empty.txt'), ['corpus is empty', at('empty.txt')]],
      ['a whitespace-only file', at('spaces.txt'), ['corpus is empty', at('spaces.txt')]],
      ['an undecodable file', at('latin1.txt'), ['corpus is not valid UTF-8', at('latin1.txt')]],
      ['a UTF-16 file', at('utf16.txt'), ['corpus is not valid UTF-8', at('utf16.txt'), 'UTF-16']],
      [
        'a file over the limit',
        at('big.txt'),
        ['corpus too large', at('big.txt'), '2 KB', '1000 bytes'],
        { maxBytes: 1000 },
      ],
      ['a folder over the limit', dir, ['corpus too large', 'text files in', dir], { maxBytes: 1000 }],
      ['a folder with no text files', at('no-text'), ['no text files in folder', at('no-text'), '*.txt']],
      ['a folder whose text files are empty', at('all-empty'), ['corpus is empty', at('all-empty')]],
      ['a bad file inside a folder', at('bad-inside'), ['not valid UTF-8', at('bad-inside', 'b.txt')]],
      ['an empty path', '', ['the path is empty']],
      ['a name with a line break', at('line\nbreak.txt'), ['corpus is empty', 'line\\u000abreak.txt']],
    ];
    for (const [what, spec, parts, options] of cases) {
      it(what, () => {
        assertCorpusError(spec, parts, options);
        assert.deepEqual(listing(dir), before);
      });
    }

    it('the limit defaults to 20 MB', () => {
      assert.equal(MAX_CORPUS_BYTES, 20 * 1024 * 1024);
      assert.equal(loadCorpus(at('big.txt')).bytes, 2000);
      assert.deepEqual(listing(dir), before);
    });
  });
});

describe('character tokens', () => {
  it('the vocabulary is the specials, then the distinct characters in code-point order', () => {
    const vocab = buildCharVocab('banana 😀\uFFFD');
    assert.deepEqual(vocab.tokens, [...SPECIAL_TOKENS, ' ', 'a', 'b', 'n', '\uFFFD', '😀']);
    assert.deepEqual(encodeChars('nab😀', vocab), [7, 5, 6, 9]);
    assert.equal(decodeChars([7, 5, 6, 9, UNK_ID, 0, 1, 2], vocab), 'nab😀\uFFFD');
  });

  it('maxChars keeps the most frequent characters, ties in code-point order', () => {
    // a×3, b×2, c×2, d×1: with 2 kept, c loses the tie to b.
    const vocab = buildCharVocab('dcbcaba a'.replace(/ /g, ''), 2);
    assert.deepEqual(vocab.tokens.slice(SPECIAL_TOKENS.length), ['a', 'b']);
    assert.deepEqual(encodeChars('abcd', vocab), [4, 5, UNK_ID, UNK_ID]);
    assert.throws(() => buildCharVocab('abc', 0), RangeError);
  });

  it('typed special tokens stay ordinary characters', () => {
    const vocab = buildCharVocab('<pad> <bos> <eos> <unk> [CLS] [MASK]');
    const ids = encodeChars('<pad><unk>[MASK]', vocab);
    assert.ok(
      ids.every((id) => id >= SPECIAL_TOKENS.length),
      `no special ids in ${ids}`,
    );
    assert.equal(decodeChars(ids, vocab), '<pad><unk>[MASK]');
  });
});

describe('word tokens', () => {
  it('English: lower-cased words, punctuation as separate tokens, apostrophes inside words kept', () => {
    assert.deepEqual(tokenizeWords('Algeria’s army (FLN) won, in 1962; "Don\'t!"'), [
      "algeria's",
      'army',
      '(',
      'fln',
      ')',
      'won',
      ',',
      'in',
      '1962',
      ';',
      '"',
      "don't",
      '!',
      '"',
    ]);
    assert.deepEqual(tokenizeWords('  Two-thirds\n\tof  it...'), ['two', '-', 'thirds', 'of', 'it', '.', '.', '.']);
    assert.deepEqual(tokenizeWords('Cafe\u0301'), ['café']); // NFC: one token, composed
  });

  it('Chinese: every Han character is a word; punctuation separate; mixed text works', () => {
    assert.deepEqual(tokenizeWords('春风又绿江南岸。'), ['春', '风', '又', '绿', '江', '南', '岸', '。']);
    assert.deepEqual(tokenizeWords('《浣溪沙》晏殊'), ['《', '浣', '溪', '沙', '》', '晏', '殊']);
    assert.deepEqual(tokenizeWords('GPT模型很小，OK'), ['gpt', '模', '型', '很', '小', '，', 'ok']);
  });

  it('typed special tokens come out as ordinary tokens, or <unk>, never special ids', () => {
    const typed = 'the <pad> and <UNK> [CLS] x [SEP] [MASK] <bos> <eos>';
    const tokens = tokenizeWords(typed);
    for (const special of [...SPECIAL_TOKENS, ...MLM_SPECIAL_TOKENS]) assert.ok(!tokens.includes(special));
    assert.deepEqual(tokens.slice(0, 6), ['the', '<', 'pad', '>', 'and', '<']);
    const vocab = buildWordVocab(tokenizeWords('the pad and unk cls sep mask bos eos < > [ ] x'), 100);
    const ids = encodeWords(tokens, vocab);
    assert.ok(
      ids.every((id) => id > MASK_ID),
      `only ordinary ids: ${ids}`,
    );
    // Even special strings passed in directly encode as <unk>, never as themselves.
    assert.deepEqual(encodeWords(['[MASK]', '[CLS]', '[SEP]', '<pad>', '<bos>', '<eos>', '<unk>'], vocab), [
      UNK_ID,
      UNK_ID,
      UNK_ID,
      UNK_ID,
      UNK_ID,
      UNK_ID,
      UNK_ID,
    ]);
  });

  it('the word vocabulary: specials, then the most frequent words, ties in code-point order, capped', () => {
    const tokens = 'b c a b c b a d e \uFFFD 😀 \uFFFD 😀'.split(' ');
    // counts: b 3; a, c, \uFFFD, 😀 2; d, e 1.
    const vocab = buildWordVocab(tokens, 5);
    assert.deepEqual(vocab.tokens, [...SPECIAL_TOKENS, ...MLM_SPECIAL_TOKENS, 'b', 'a', 'c', '\uFFFD', '😀']);
    assert.deepEqual([vocab.id('[CLS]'), vocab.id('[SEP]'), vocab.id('[MASK]')], [CLS_ID, SEP_ID, MASK_ID]);
    assert.deepEqual(encodeWords(['a', 'd', 'zzz'], vocab), [8, UNK_ID, UNK_ID]);
    assert.equal(buildWordVocab(tokens, 3).size, 7 + 3);
    assert.equal(buildWordVocab(tokens, 1000).size, 7 + 7);
    // Shuffled input, same vocabulary.
    const shuffled = createRandom(7).shuffle([...tokens]);
    assert.deepEqual(buildWordVocab(shuffled, 5).tokens, vocab.tokens);
    assert.throws(() => buildWordVocab(tokens, 0), RangeError);
  });

  it('compares by code point, not UTF-16 unit', () => {
    assert.ok(compareCodePoints('\uFFFD', '😀') < 0); // U+FFFD < U+1F600, though 0xFFFD > 0xD83D
    assert.ok(compareCodePoints('a', 'ab') < 0);
    assert.equal(compareCodePoints('同', '同'), 0);
  });
});

describe('splits', () => {
  it('contiguous: the last 10% is validation, the same every time', () => {
    const ids = Array.from({ length: 100 }, (_, i) => i);
    const split = splitContiguous(ids);
    assert.deepEqual(split.train, ids.slice(0, 90));
    assert.deepEqual(split.validation, ids.slice(90));
    assert.deepEqual(splitContiguous(ids), split);
    assert.deepEqual(splitContiguous([1, 2, 3], 0.01), { train: [1, 2], validation: [3] }); // at least 1 each side
    assert.deepEqual(splitContiguous([1, 2, 3], 0.99), { train: [1], validation: [2, 3] });
    assert.throws(() => splitContiguous([1], 0.1), RangeError);
    assert.throws(() => splitContiguous([1, 2], 0), RangeError);
    assert.throws(() => splitContiguous([1, 2], 1), RangeError);
  });

  it('text: validation starts at a non-empty line at or after 90%, never inside a surrogate pair', () => {
    const text = 'line one\nline two\n\nline three\nlast\n';
    // 35 characters, 4 for validation: the cut falls inside the last line, and no line starts after it.
    assert.deepEqual(splitText(text), { train: 'line one\nline two\n\nline three\nl', validation: 'ast\n' });
    // 18 for validation: the cut (inside "line two") moves to the next non-empty line.
    assert.deepEqual(splitText(text, 0.5), { train: 'line one\nline two\n\n', validation: 'line three\nlast\n' });
    const emoji = '😀'.repeat(10);
    const split = splitText(emoji);
    assert.equal(split.train, '😀'.repeat(9));
    assert.equal(split.validation, '😀');
  });

  it('the built-ins split the same way every time, at the start of a line', () => {
    for (const id of ['en', 'zh'] as const) {
      const { text } = loadCorpus(id);
      const split = splitText(text);
      assert.equal(split.train + split.validation, text);
      assert.deepEqual(splitText(text), split);
      const share = split.validation.length / text.length;
      assert.ok(share > 0.09 && share < 0.11, `${id}: validation share ${share}`);
      assert.ok(split.train.endsWith('\n') && split.validation[0] !== '\n');
    }
  });
});

describe('bigram baseline', () => {
  it('matches a hand-computed example (α = 1, λ = 0.5)', () => {
    // train 0 1 0 1 2: pairs 0→1 twice, 1→0, 1→2; c(0,·) = 2, c(1,·) = 2; unigrams 2, 2, 1 of N = 5; V = 3.
    // validation 0 1 2: predicts 1 after 0 and 2 after 1.
    const p1after0 = 0.5 * ((2 + 1) / (2 + 3)) + 0.5 * ((2 + 1) / (5 + 3)); // 0.3 + 0.1875 = 0.4875
    const p2after1 = 0.5 * ((1 + 1) / (2 + 3)) + 0.5 * ((1 + 1) / (5 + 3)); // 0.2 + 0.125 = 0.325
    const nats = -(Math.log(0.4875) + Math.log(0.325)) / 2;
    assert.ok(Math.abs(p1after0 - 0.4875) < 1e-15 && Math.abs(p2after1 - 0.325) < 1e-15);
    const result = bigramBaseline([0, 1, 0, 1, 2], [0, 1, 2], 3, { alpha: 1, lambda: 0.5 });
    assert.ok(Math.abs(result.nats - nats) < 1e-12, `${result.nats} vs ${nats}`);
    assert.ok(Math.abs(result.nats - 0.9212) < 1e-4);
    assert.ok(Math.abs(result.bits - nats / Math.log(2)) < 1e-12);
    assert.ok(Math.abs(result.perplexity - 1 / Math.sqrt(0.4875 * 0.325)) < 1e-12);
    assert.equal(result.tokens, 2);
    assert.deepEqual([result.alpha, result.lambda], [1, 0.5]);
    const unigram = -(Math.log(3 / 8) + Math.log(2 / 8)) / 2; // λ = 0: (c(b) + 1) / (5 + 3)
    assert.ok(Math.abs(result.unigramNats - unigram) < 1e-12);
    assert.ok(Math.abs(result.uniformNats - Math.log(3)) < 1e-12);
  });

  it('uniform random text: about ln V whatever it learns; a repeating cycle: about 0', () => {
    const random = createRandom(1);
    const uniform = Array.from({ length: 40_000 }, () => random.int(8));
    const split = splitContiguous(uniform);
    const result = bigramBaseline(split.train, split.validation, 8);
    assert.ok(Math.abs(result.nats - Math.log(8)) < 0.02, `uniform: ${result.nats} vs ln 8 = ${Math.log(8)}`);
    assert.ok(result.nats >= Math.log(8) - 0.01);
    assert.ok(Math.abs(result.perplexity - 8) < 0.2);

    const cycle = Array.from({ length: 1000 }, (_, i) => i % 5);
    const cycleSplit = splitContiguous(cycle);
    const learned = bigramBaseline(cycleSplit.train, cycleSplit.validation, 5);
    assert.ok(learned.nats < 0.02, `cycle: ${learned.nats}`);
    assert.equal(learned.lambda, 0.99);
    assert.ok(learned.unigramNats > Math.log(5) - 0.01);
  });

  it('chooses α and λ on the training split only', () => {
    const random = createRandom(3);
    const train = Array.from({ length: 5000 }, () => random.int(6));
    const a = bigramBaseline(train, [0, 1, 2, 3, 4, 5], 6);
    const b = bigramBaseline(train, [5, 5, 5, 5, 5, 5], 6);
    assert.deepEqual([a.alpha, a.lambda], [b.alpha, b.lambda]);
    assert.equal(bigramBaseline(train, [0, 1], 6, { lambda: 0.3 }).lambda, 0.3);
  });

  it('rejects ids outside the vocabulary and too-short splits', () => {
    assert.throws(() => bigramBaseline([0, 1], [0, 3], 3), /validationIds\[1\] = 3/);
    assert.throws(() => bigramBaseline([0, 1], [0], 3), RangeError);
    assert.throws(() => bigramBaseline([], [0, 1], 3), RangeError);
    assert.throws(() => bigramBaseline([0, 1], [0, 1], 3, { alpha: 0 }), RangeError);
  });

  it('gives the built-ins a baseline well under ln V', () => {
    for (const id of ['en', 'zh'] as const) {
      const { text } = loadCorpus(id);
      const vocab = buildCharVocab(text);
      const split = splitText(text);
      const result = bigramBaseline(encodeChars(split.train, vocab), encodeChars(split.validation, vocab), vocab.size);
      assert.ok(result.nats < result.unigramNats && result.unigramNats < result.uniformNats, JSON.stringify(result));
    }
  });
});
