/** Run paths from the webview's saved state or a list must lie inside the runs directory. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { restorableRunDir } from '../../src/extension/panelState';
import { chapterFromRunId, chooseRunsDirectory, resolveRunDirInside } from '../../src/extension/runPaths';
import { listRuns } from '../../src/runStore';
import type { WebviewState } from '../../src/shared/protocol/webview';

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
    // Dangling: points at a folder that does not exist (yet) outside the runs directory.
    fs.symlinkSync(path.join(root, 'not-there'), path.join(runs, 'dangling'), 'dir');
    fs.symlinkSync(path.join(runs, 'loop-b'), path.join(runs, 'loop-a'), 'dir');
    fs.symlinkSync(path.join(runs, 'loop-a'), path.join(runs, 'loop-b'), 'dir');
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

  it('refuses a dangling or looping symlink, and paths through one', () => {
    assert.equal(resolveRunDirInside(runs, path.join(runs, 'dangling')), null);
    assert.equal(resolveRunDirInside(runs, path.join(runs, 'dangling', 'run')), null);
    assert.equal(resolveRunDirInside(runs, path.join(runs, 'loop-a')), null);
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

describe('Open Saved Run… on a runs folder holding links', () => {
  it('lists a dangling or outward link as a damaged run, and refuses to open it', async () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-open-')));
    try {
      const runs = path.join(root, 'runs');
      fs.mkdirSync(path.join(root, 'elsewhere', 'run'), { recursive: true });
      fs.mkdirSync(runs);
      // Named like runs: the pick list shows them, as damaged, so the learner sees why they do not open.
      fs.symlinkSync(path.join(root, 'gone'), path.join(runs, '20250314-091502-seq2seq'), 'dir');
      fs.symlinkSync(path.join(root, 'elsewhere', 'run'), path.join(runs, '20250314-091503-seq2seq'), 'dir');
      const list = await listRuns(runs);
      assert.deepEqual(
        list.map((entry) => [entry.runId, entry.ok ? 'ok' : entry.reason]),
        [
          ['20250314-091503-seq2seq', 'the run folder is a symbolic link; runs are never read through one'],
          ['20250314-091502-seq2seq', 'the run folder is a symbolic link; runs are never read through one'],
        ],
      );
      // What the command does with the chosen entry (commands.ts: openRun).
      for (const entry of list) assert.equal(resolveRunDirInside(runs, entry.dir), null, entry.runId);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
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

describe('restorableRunDir (the panel serializer’s saved state)', () => {
  let root: string;
  let runs: string;
  let run: string;
  const state = (runDir: unknown): Record<string, unknown> => ({
    runDir,
    probeIndex: 0,
    epoch: null,
    selectedRow: 2,
    selectedColumn: null,
    mode: 'generated',
    mapKey: 'decoder/cross/0/0',
  });
  const refused = (saved: unknown): string => {
    const result = restorableRunDir(saved, runs);
    assert.equal(result.ok, false, `should refuse ${JSON.stringify(saved)?.slice(0, 100)}`);
    const reason = result.ok ? '' : result.reason;
    assert.ok(!/[\n\r]/.test(reason) && reason.length <= 240, reason);
    return reason;
  };

  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-state-')));
    runs = path.join(root, 'runs');
    run = path.join(runs, '20250314-091502-attention-seq2seq');
    fs.mkdirSync(run, { recursive: true });
    fs.mkdirSync(path.join(root, 'elsewhere', 'run'), { recursive: true });
    // A dangling link now, which an attacker could point anywhere later.
    fs.symlinkSync(path.join(root, 'elsewhere', 'later'), path.join(runs, '20250314-091503-seq2seq'), 'dir');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('restores a run folder inside the runs directory', () => {
    const saved: WebviewState = {
      runDir: run,
      probeIndex: 1,
      epoch: 3,
      selectedRow: null,
      selectedColumn: 4,
      mode: 'forward',
      mapKey: null,
    };
    assert.deepEqual(restorableRunDir(saved, runs), { ok: true, value: run });
    assert.deepEqual(restorableRunDir(state(run), runs), { ok: true, value: run });
  });

  it('refuses a runDir outside the runs directory, without echoing it', () => {
    for (const outside of [path.join(root, 'elsewhere', 'run'), '/etc', path.join(runs, '..', 'elsewhere', 'run')]) {
      const reason = refused(state(outside));
      assert.match(reason, /"runDir" is not a run folder inside the runs directory/);
      assert.ok(!reason.includes('elsewhere') && !reason.includes('/etc'), reason);
    }
    refused(state(runs));
    refused(state(path.basename(run)));
  });

  it('refuses a runDir through a dangling symlink', () => {
    const reason = refused(state(path.join(runs, '20250314-091503-seq2seq')));
    assert.match(reason, /not a run folder inside/);
    refused(state(path.join(runs, '20250314-091503-seq2seq', 'x')));
  });

  it('refuses state that does not match WebviewStateSchema before looking at its runDir', () => {
    for (const saved of [
      undefined,
      null,
      'state',
      [],
      { runDir: run },
      { ...state(run), runDir: 42 },
      { ...state(run), probeIndex: -1 },
      { ...state(run), mode: 'sideways' },
      { ...state(run), runDir: `${runs}/${'a'.repeat(5000)}` },
    ]) {
      assert.match(refused(saved), /^saved panel state/);
    }
  });
});
