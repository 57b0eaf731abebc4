/** Run paths from the webview state or a list must lie inside the runs directory. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chapterFromRunId, chooseRunsDirectory, resolveRunDirInside } from '../../src/extension/runPaths';

describe('resolveRunDirInside', () => {
  let root: string;
  let runs: string;
  let run: string;

  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-paths-')));
    runs = path.join(root, 'runs');
    run = path.join(runs, '20250314-091502-attention-seq2seq');
    fs.mkdirSync(run, { recursive: true });
    fs.mkdirSync(path.join(root, 'runs-evil', 'x'), { recursive: true });
    fs.mkdirSync(path.join(root, 'secret'), { recursive: true });
    fs.symlinkSync(path.join(root, 'secret'), path.join(runs, 'escape'), 'dir');
    fs.symlinkSync(run, path.join(runs, 'alias'), 'dir');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('accepts a run folder inside the runs directory', () => {
    assert.equal(resolveRunDirInside(runs, run), run);
    assert.equal(resolveRunDirInside(runs, `${run}/`), run);
    assert.equal(resolveRunDirInside(runs, path.join(runs, 'sub', '..', path.basename(run))), run);
  });

  it('accepts a folder that does not exist yet but would lie inside', () => {
    assert.equal(resolveRunDirInside(runs, path.join(runs, 'not-yet')), path.join(runs, 'not-yet'));
  });

  it('accepts a symlink that stays inside', () => {
    assert.equal(resolveRunDirInside(runs, path.join(runs, 'alias')), path.join(runs, 'alias'));
  });

  it('refuses ../ escapes', () => {
    assert.equal(resolveRunDirInside(runs, path.join(runs, '..', 'secret')), null);
    assert.equal(resolveRunDirInside(runs, `${runs}/../../etc`), null);
    assert.equal(resolveRunDirInside(runs, path.join(run, '..', '..')), null);
  });

  it('refuses absolute paths elsewhere', () => {
    assert.equal(resolveRunDirInside(runs, '/etc'), null);
    assert.equal(resolveRunDirInside(runs, os.homedir()), null);
    assert.equal(resolveRunDirInside(runs, '/'), null);
    assert.equal(resolveRunDirInside(runs, root), null);
  });

  it('refuses a symlink pointing out of the runs directory', () => {
    assert.equal(resolveRunDirInside(runs, path.join(runs, 'escape')), null);
    assert.equal(resolveRunDirInside(runs, path.join(runs, 'escape', 'deeper')), null);
  });

  it('refuses the prefix trick (/runs-evil is not inside /runs)', () => {
    assert.equal(resolveRunDirInside(runs, path.join(root, 'runs-evil')), null);
    assert.equal(resolveRunDirInside(runs, path.join(root, 'runs-evil', 'x')), null);
    assert.equal(resolveRunDirInside(runs, `${runs}-evil/x`), null);
  });

  it('refuses the runs directory itself, relative paths and non-strings', () => {
    assert.equal(resolveRunDirInside(runs, runs), null);
    assert.equal(resolveRunDirInside(runs, `${runs}/.`), null);
    assert.equal(resolveRunDirInside(runs, path.basename(run)), null);
    assert.equal(resolveRunDirInside(runs, '../secret'), null);
    for (const bad of [undefined, null, 42, {}, ['x'], '', `${run}\0`])
      assert.equal(resolveRunDirInside(runs, bad), null);
    assert.equal(resolveRunDirInside(runs, `${runs}/${'a'.repeat(5000)}`), null);
  });
});

describe('chooseRunsDirectory', () => {
  it('defaults to runs/ in the first workspace folder, else in global storage', () => {
    assert.equal(chooseRunsDirectory('', '/work/project', '/storage'), path.join('/work/project', 'runs'));
    assert.equal(chooseRunsDirectory('   ', undefined, '/storage'), path.join('/storage', 'runs'));
  });

  it('takes the setting: absolute, relative to the workspace, or ~', () => {
    assert.equal(chooseRunsDirectory('/data/runs', '/work/project', '/storage'), '/data/runs');
    assert.equal(
      chooseRunsDirectory('out/runs', '/work/project', '/storage'),
      path.join('/work/project', 'out', 'runs'),
    );
    assert.equal(chooseRunsDirectory('~/llm-runs', '/work/project', '/storage'), path.join(os.homedir(), 'llm-runs'));
  });
});

describe('chapterFromRunId', () => {
  it('reads the chapter out of a run folder name', () => {
    assert.equal(chapterFromRunId('20250314-091502-attention-seq2seq'), 'attention-seq2seq');
    assert.equal(chapterFromRunId('20250314-091502-seq2seq-2'), 'seq2seq');
    assert.equal(chapterFromRunId('20250314-091502-transformer-encoder'), 'transformer-encoder');
    assert.equal(chapterFromRunId('20250314-091502-transformer'), 'transformer');
    assert.equal(chapterFromRunId('holiday-photos'), null);
  });
});
