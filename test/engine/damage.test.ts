/**
 * Damage is detected, never silently used. Every file and folder of two real runs
 * (attention-seq2seq/dates; self-attention/reverse, which has figures) is damaged in turn —
 * truncated, emptied, replaced by garbage, one bit flipped, invalid UTF-8, deleted, replaced by a
 * symbolic link to an identical copy outside the run (or to nothing), values out of range — in a
 * runs folder shared with an intact run. Each case is reported with a one-line reason naming the
 * file (damage, or a warning for a snapshot the panel can do without), by every reader that uses
 * the file (list, show, predict, resume), while the other run still lists and nothing is written.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { chapterInfo } from '../../src/shared/course/catalogue';
import type { HyperparameterSpec } from '../../src/shared/course/chapter';
import {
  DamagedRunError,
  MAX_RUN_FILE_BYTES,
  RunListCache,
  listRuns,
  readAttention,
  readCheckpoint,
  readRun,
  readSamples,
  resolveRunArgument,
} from '../../src/runStore';
import { loadRun } from '../../src/engine/predict';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { planResume } from '../../src/engine/train/runConfig';
import { useBackend } from './helpers';
import { assertKept, assertRefused, cli, cliChild, fingerprint, seeded } from './hardening';

let work: string;
const pristine: Record<string, string> = {};
const random = seeded(7);

/** Where the readers saw the damage. */
interface Seen {
  show: string | null; // the damage reason, or null when the run was shown
  warnings: string[];
  list: string | null;
  predict: string | null;
  resume: string | null;
}

/** A fresh copy of the pristine `chapter` run beside an intact bystander, in its own runs folder. */
function freshCopy(chapter: string): { runsDir: string; runDir: string; bystander: string } {
  const runsDir = fs.mkdtempSync(path.join(work, 'case-'));
  const runDir = path.join(runsDir, path.basename(pristine[chapter]));
  fs.cpSync(pristine[chapter], runDir, { recursive: true });
  const other = chapter === 'attention-seq2seq' ? 'self-attention' : 'attention-seq2seq';
  const bystander = path.join(runsDir, path.basename(pristine[other]));
  fs.cpSync(pristine[other], bystander, { recursive: true });
  return { runsDir, runDir, bystander };
}

/** Puts `file` (or folder) of the copy back as it was in the pristine run. */
function restore(chapter: string, runDir: string, file: string): void {
  fs.rmSync(path.join(runDir, file), { recursive: true, force: true });
  fs.cpSync(path.join(pristine[chapter], file), path.join(runDir, file), { recursive: true });
}

async function reasonOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    const value = await promise;
    (value as { dispose?: () => void } | null)?.dispose?.();
    return null;
  } catch (error) {
    const reason =
      error instanceof DamagedRunError ? error.reason : error instanceof Error ? error.message : String(error);
    assert.ok(!reason.includes('\n'), `one line: ${reason}`);
    assert.ok(reason.length < 400, `short: ${reason}`);
    return reason;
  }
}

/** One listing cache per runs folder, kept across the damages done to it. */
const listCaches = new Map<string, RunListCache>();

/** Every reader on the damaged run; checks that the bystander still lists and that nothing was written. */
async function readAll(chapter: string, runsDir: string, runDir: string, bystander: string): Promise<Seen> {
  const before = fingerprint(runsDir);
  const list = await listRuns(runsDir);
  // The Runs view's cached listing, which saw this folder's earlier damages and restores: never stale.
  const cache = listCaches.get(runsDir) ?? new RunListCache();
  listCaches.set(runsDir, cache);
  assert.deepEqual(await listRuns(runsDir, cache), list, 'the cached listing is the listing');
  const entry = list.find((candidate) => candidate.dir === runDir);
  const other = list.find((candidate) => candidate.dir === bystander);
  assert.ok(other?.ok, `the intact run still lists: ${other && !other.ok ? other.reason : 'missing'}`);
  const seen: Seen = {
    show: null,
    warnings: [],
    list: entry && !entry.ok ? entry.reason : null,
    predict: await reasonOf(loadRun(runDir)),
    resume: await reasonOf(planResume(trainableChapter(chapter as 'seq2seq')!, runDir, { overrides: { epochs: 3 } })),
  };
  try {
    seen.warnings = (await readRun(runDir)).warnings;
  } catch (error) {
    assert.ok(error instanceof DamagedRunError, `show: ${String(error)}`);
    assert.ok(!error.reason.includes('\n'));
    seen.show = error.reason;
  }
  assertKept(before, fingerprint(runsDir), 'reading wrote nothing');
  assert.deepEqual([...fingerprint(runsDir).keys()], [...before.keys()], 'reading created nothing');
  return seen;
}

/** The reason names the damaged file (or the folder holding it). */
function names(reason: string | null, file: string): boolean {
  if (reason === null) return false;
  const parts = file.split('/');
  return parts.some((_, i) => reason.includes(parts.slice(0, parts.length - i).join('/')));
}

type Damage = 'truncate' | 'empty' | 'garbage' | 'flip' | 'invalid-utf8' | 'missing' | 'symlink' | 'dangling';
const DAMAGES: Damage[] = ['truncate', 'empty', 'garbage', 'flip', 'invalid-utf8', 'missing', 'symlink', 'dangling'];

function damage(runDir: string, file: string, kind: Damage, outside: string): void {
  const full = path.join(runDir, file);
  const bytes = fs.statSync(full).isFile() ? fs.readFileSync(full) : Buffer.alloc(0);
  switch (kind) {
    case 'truncate':
      fs.writeFileSync(full, bytes.subarray(0, Math.floor(bytes.length / 2)));
      return;
    case 'empty':
      fs.writeFileSync(full, '');
      return;
    case 'garbage':
      fs.writeFileSync(full, Buffer.from(Array.from({ length: bytes.length }, () => Math.floor(random() * 256))));
      return;
    case 'flip': {
      const changed = Buffer.from(bytes);
      const bit = Math.floor(random() * bytes.length * 8);
      changed[bit >> 3] ^= 1 << (bit & 7);
      fs.writeFileSync(full, changed);
      return;
    }
    case 'invalid-utf8': {
      // Inside a string, where a lenient decoder would let the JSON parse (as U+FFFD).
      const changed = Buffer.from(bytes);
      const quote = changed.indexOf(0x22, Math.floor(bytes.length / 2));
      changed[(quote === -1 ? bytes.length >> 1 : quote) + 1] = 0xff;
      fs.writeFileSync(full, changed);
      return;
    }
    case 'missing':
      fs.rmSync(full, { recursive: true });
      return;
    case 'symlink': {
      // The very same content, outside the run: only following the link would notice nothing.
      const target = fs.mkdtempSync(path.join(outside, 'target-'));
      fs.cpSync(full, path.join(target, 'copy'), { recursive: true });
      fs.rmSync(full, { recursive: true });
      fs.symlinkSync(path.join(target, 'copy'), full);
      return;
    }
    case 'dangling':
      fs.rmSync(full, { recursive: true });
      fs.symlinkSync(path.join(outside, 'nothing-here'), full);
      return;
  }
}

/** The files of a run, relative, sorted. */
function filesOf(runDir: string): string[] {
  return (fs.readdirSync(runDir, { recursive: true }) as string[])
    .map(String)
    .filter((file) => fs.statSync(path.join(runDir, file)).isFile())
    .sort();
}

/** How a file's damage must show: `damage` makes the run unreadable, `warning` is named in show, `unused` is read by nobody. */
function expectation(file: string, kind: Damage): 'damage' | 'warning' | 'unused' | 'either' {
  if (kind === 'symlink' || kind === 'dangling') return 'damage';
  if (/^model\/epoch-001\//.test(file)) return 'unused'; // the checkpoint before the current one
  if (file === 'log.txt') return 'unused'; // nothing reads the log back
  // Only checkpoints carry checksums: elsewhere a flipped bit may still be valid JSON (a digit).
  if (kind === 'flip' && !file.startsWith('model/')) return 'either';
  // Which chapters draw figures only the engine knows: a run without figures.json has none.
  if (file === 'figures.json' && kind === 'missing') return 'unused';
  if (/^(attention|samples)\//.test(file) || file === 'shapes.json' || file === 'figures.json') return 'warning';
  return 'damage';
}

before(async () => {
  await useBackend('wasm');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-damage-'));
  const runsDir = path.join(work, 'pristine');
  for (const [chapter, flags] of [
    ['attention-seq2seq', ['--hidden-size', '8']],
    ['self-attention', ['--d-model', '8']],
  ] as const) {
    const result = await cli([
      'train',
      chapter,
      '--epochs',
      '2',
      '--train-size',
      '64',
      '--validation-size',
      '16',
      '--test-size',
      '8',
      '--backend',
      'wasm',
      ...flags,
      '--output-dir',
      runsDir,
      '--quiet',
    ]);
    assert.equal(result.code, 0, result.stderr);
    pristine[chapter] = /^run_dir=(.+)$/m.exec(result.stdout)![1];
  }
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('damage to a run is reported, never used', () => {
  for (const chapter of ['attention-seq2seq', 'self-attention']) {
    it(`${chapter}: every file, damaged in every way`, async () => {
      const files = filesOf(pristine[chapter]);
      assert.ok(files.includes('model/epoch-002/weights.bin') && files.includes('status.json'));
      if (chapter === 'self-attention') assert.ok(files.includes('figures.json'));
      const outside = fs.mkdtempSync(path.join(work, 'outside-'));
      let cases = 0;
      const { runsDir, runDir, bystander } = freshCopy(chapter);
      for (const file of files) {
        for (const kind of DAMAGES) {
          if (kind === 'invalid-utf8' && file.endsWith('.bin')) continue;
          const what = `${file} ${kind}`;
          damage(runDir, file, kind, outside);
          const seen = await readAll(chapter, runsDir, runDir, bystander);
          const expected = expectation(file, kind);
          cases++;
          if (expected === 'damage') {
            assert.ok(names(seen.show, file), `${what}: show names it: ${seen.show}`);
            if (seen.list !== null) assert.ok(names(seen.list, file), `${what}: list names it: ${seen.list}`);
            const usedToPredict =
              /^(config|status)\.json$|^model\//.test(file) || kind === 'symlink' || kind === 'dangling';
            if (usedToPredict) assert.ok(names(seen.predict, file), `${what}: predict names it: ${seen.predict}`);
            assert.ok(seen.resume !== null && names(seen.resume, file), `${what}: resume names it: ${seen.resume}`);
            // What the listing reads (not the checkpoints' contents, only their sizes) it reports.
            const contentOnly = file.startsWith('model/epoch-') && ['flip', 'garbage', 'invalid-utf8'].includes(kind);
            if (!contentOnly) assert.ok(seen.list !== null, `${what}: list reports it`);
          } else if (expected === 'warning') {
            assert.equal(seen.show, null, `${what}: the run is still shown: ${seen.show}`);
            const older = /^(attention|samples)\/epoch-001\.json$/.exec(file);
            if (older && kind !== 'missing') {
              // The panel reads an older snapshot when the learner asks for it: then it is reported.
              const read = file.startsWith('attention') ? readAttention(runDir, 1) : readSamples(runDir, 1);
              assert.ok(names(await reasonOf(read), file), `${what}: reading it names it`);
            } else {
              assert.ok(
                seen.warnings.some((warning) => names(warning, file)),
                `${what}: a warning names it: ${seen.warnings.join(' | ')}`,
              );
            }
            assert.equal(seen.list, null, `${what}: still listed`);
            assert.equal(seen.predict, null, `${what}: still predicts`);
          } else if (expected === 'either') {
            for (const reason of [seen.show, seen.list, seen.predict, seen.resume, ...seen.warnings]) {
              if (reason !== null) assert.ok(names(reason, file), `${what}: ${reason}`);
            }
          } else {
            assert.equal(seen.show, null, `${what}: ${seen.show}`);
            assert.equal(seen.list, null, `${what}: ${seen.list}`);
            assert.equal(seen.predict, null, `${what}: ${seen.predict}`);
            assert.equal(seen.resume, null, `${what}: ${seen.resume}`);
          }
          restore(chapter, runDir, file);
        }
      }
      fs.rmSync(runsDir, { recursive: true, force: true });
      assert.ok(cases > 100, `${cases} cases`);
    });

    it(`${chapter}: every folder, the run folder itself included, replaced by a symbolic link`, async () => {
      const outside = fs.mkdtempSync(path.join(work, 'outside-'));
      const scene = freshCopy(chapter);
      for (const folder of ['attention', 'samples', 'model', 'model/epoch-002', 'model/epoch-001']) {
        if (!fs.existsSync(path.join(pristine[chapter], folder))) continue;
        for (const kind of ['symlink', 'dangling'] as const) {
          const { runsDir, runDir, bystander } = scene;
          damage(runDir, folder, kind, outside);
          const seen = await readAll(chapter, runsDir, runDir, bystander);
          for (const [reader, reason] of Object.entries({
            show: seen.show,
            list: seen.list,
            predict: seen.predict,
            resume: seen.resume,
          })) {
            assert.ok(
              names(reason, folder) && /symbolic link/.test(reason ?? ''),
              `${folder} ${kind}: ${reader}: ${reason}`,
            );
          }
          restore(chapter, runDir, folder);
        }
      }
      const { runsDir, runDir, bystander } = scene;
      const moved = path.join(outside, 'moved-run');
      fs.renameSync(runDir, moved);
      fs.symlinkSync(moved, runDir);
      const before = fingerprint(runsDir);
      const list = await listRuns(runsDir);
      const entry = list.find((candidate) => candidate.dir === runDir);
      assert.ok(entry && !entry.ok && /symbolic link/.test(entry.reason), `the linked run folder is listed as damaged`);
      assert.ok(list.find((candidate) => candidate.dir === bystander)?.ok);
      assert.match((await reasonOf(readRun(runDir))) ?? '', /the run folder is a symbolic link/);
      assert.match((await reasonOf(loadRun(runDir))) ?? '', /symbolic link/);
      const show = cliChild(['show', runDir]);
      assertRefused(show, /damaged run .*symbolic link/, 'show through a linked run folder');
      assertKept(before, fingerprint(runsDir), 'nothing written');
      // A dangling link as the RUN argument is no run at all.
      fs.rmSync(moved, { recursive: true });
      assert.throws(() => resolveRunArgument(runDir, runsDir), /not a run/);
      assertRefused(cliChild(['show', path.basename(runDir), '--runs-dir', runsDir]), /not a run/, 'dangling RUN');
      assertRefused(cliChild(['predict', runDir, 'x']), /not a run/, 'dangling RUN to predict');
      assertRefused(
        cliChild(['train', chapter, '--resume', runDir, '--epochs', '3', '--output-dir', runsDir]),
        /--resume: not a run/,
        'dangling RUN to resume',
      );
      fs.rmSync(runsDir, { recursive: true, force: true });
    });

    it(`${chapter}: every hyperparameter out of its range in config.json`, async () => {
      const info = chapterInfo(chapter as 'seq2seq');
      const bad = (spec: HyperparameterSpec): unknown[] => {
        switch (spec.type) {
          case 'integer':
            return [spec.max + 1, spec.min - 1, spec.min + 0.5, 1e12, '8', null];
          case 'number':
            return [spec.max * 10, -spec.max, 0 < spec.min ? spec.min / 10 : -1, 'fast', null];
          case 'choice':
            return ['nope', 3, null];
          case 'boolean':
            return ['yes', 1, null];
        }
      };
      const { runsDir, runDir, bystander } = freshCopy(chapter);
      for (const spec of info.hyperparameters) {
        for (const value of bad(spec)) {
          const file = path.join(runDir, 'config.json');
          const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
          config[chapter][spec.key] = value;
          fs.writeFileSync(file, JSON.stringify(config));
          const seen = await readAll(chapter, runsDir, runDir, bystander);
          const what = `${spec.key}=${JSON.stringify(value)}`;
          for (const [reader, reason] of Object.entries({
            show: seen.show,
            list: seen.list,
            predict: seen.predict,
            resume: seen.resume,
          })) {
            assert.ok(reason?.includes(`config.json: ${chapter}.${spec.key}`), `${what}: ${reader}: ${reason}`);
          }
          restore(chapter, runDir, 'config.json');
        }
      }
      // A status that counts more epochs than the checkpoint holds.
      const statusFile = path.join(runDir, 'status.json');
      fs.writeFileSync(
        statusFile,
        JSON.stringify({ ...JSON.parse(fs.readFileSync(statusFile, 'utf8')), epochsCompleted: 3 }),
      );
      const seen = await readAll(chapter, runsDir, runDir, bystander);
      for (const reason of [seen.show, seen.list, seen.predict, seen.resume])
        assert.match(reason ?? '', /status\.json says 3/);
      fs.rmSync(runsDir, { recursive: true, force: true });
    });
  }

  it('every single bit flipped in model/latest.json and in the checkpoint manifest is detected', async () => {
    const { runsDir, runDir } = freshCopy('attention-seq2seq');
    for (const file of ['model/latest.json', 'model/epoch-002/manifest.json']) {
      const full = path.join(runDir, file);
      const bytes = fs.readFileSync(full);
      let flips = 0;
      for (let bit = 0; bit < bytes.length * 8; bit += file.endsWith('latest.json') ? 1 : 5) {
        const changed = Buffer.from(bytes);
        changed[bit >> 3] ^= 1 << (bit & 7);
        fs.writeFileSync(full, changed);
        const reason = await reasonOf(readCheckpoint(runDir, false));
        assert.ok(reason !== null && names(reason, file), `${file}: bit ${bit} flipped went unnoticed (${reason})`);
        flips++;
      }
      fs.writeFileSync(full, bytes);
      assert.ok(flips > 200);
    }
    assert.equal(await reasonOf(readCheckpoint(runDir)), null, 'restored');
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('a config that implies another (bigger) model than its checkpoint holds is refused before the model is built', async () => {
    const { runsDir, runDir } = freshCopy('attention-seq2seq');
    const file = path.join(runDir, 'config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    config['attention-seq2seq'].hiddenSize = 1024; // in range: a 1024-wide GRU, not the 8-wide one saved
    fs.writeFileSync(file, JSON.stringify(config));
    const tensors = tf.memory().numTensors;
    const started = performance.now();
    const reason = await reasonOf(loadRun(runDir));
    assert.match(
      reason ?? '',
      /saved variable encoder\/gru\/input_kernel has shape \[32,24\], the config implies \[32,3072\]/,
    );
    assert.equal(tf.memory().numTensors, tensors, 'nothing left allocated');
    assert.ok(performance.now() - started < 5000);
    assertRefused(await cli(['predict', runDir, 'May 3, 1998']), /the config implies/, 'predict');
    const before = fingerprint(runsDir);
    const resume = await cli([
      'train',
      'attention-seq2seq',
      '--resume',
      runDir,
      '--epochs',
      '3',
      '--backend',
      'wasm',
      '--output-dir',
      runsDir,
    ]);
    assertRefused(resume, /cannot resume .*the config implies/, 'resume');
    assert.deepEqual([...fingerprint(runsDir).keys()], [...before.keys()], 'a refused resume writes nothing');
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('a file beyond the size any run holds is refused without being read', async () => {
    const { runsDir, runDir } = freshCopy('attention-seq2seq');
    fs.truncateSync(path.join(runDir, 'attention', 'epoch-002.json'), MAX_RUN_FILE_BYTES + 1); // sparse: no disk used
    const reason = await reasonOf(readAttention(runDir, 2));
    assert.match(reason ?? '', /^attention\/epoch-002\.json is too large/);
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('a format-1 checkpoint (no checksums) with invalid UTF-8 is refused, not decoded leniently', async () => {
    const fixture = path.join(__dirname, 'fixtures', 'format1', '20261129-102339-attention-seq2seq');
    const runsDir = fs.mkdtempSync(path.join(work, 'format1-'));
    const runDir = path.join(runsDir, path.basename(fixture));
    fs.cpSync(fixture, runDir, { recursive: true });
    const model = path.join(runDir, 'model', 'model.json');
    const text = fs.readFileSync(model);
    const at = text.indexOf('"name"') + 9;
    const changed = Buffer.from(text);
    changed[at] = 0xff;
    fs.writeFileSync(model, changed);
    assert.match((await reasonOf(loadRun(runDir))) ?? '', /model\.json is not valid UTF-8 JSON/);
    const predict = await cli(['predict', runDir, 'May 3, 1998']);
    assertRefused(predict, /model\.json is not valid UTF-8/, 'predict');
  });
});
