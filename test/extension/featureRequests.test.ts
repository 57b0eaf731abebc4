/**
 * The host's side of the lab's tools: a shape-table code link opens only a known chapter source
 * file (fuzzed with bad paths), an export is checked against the format it claims before anything
 * is written, and the new messages reach only the panel that takes them.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkCompareRequest } from '../../src/extension/compareRequests';
import { checkPanelRequest, type PanelRequestContext } from '../../src/extension/panelRequests';
import { resolveChapterSource, type SourceRoots } from '../../src/extension/sourceLinks';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { checkExportContent, metricsCsv, probeExport, probeExportJson } from '../../src/shared/run/export';
import { bytesToBase64 } from '../../src/shared/run/packed';
import type { EvaluationRecord, ProbeRecord } from '../../src/shared/run/records';

let work: string;
let roots: SourceRoots;
let workspace: string;
let extension: string;

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-sources-'));
  workspace = path.join(work, 'workspace');
  extension = path.join(work, 'extension');
  // The workspace is a checkout holding one chapter; the installed extension ships the copy of two.
  write(path.join(workspace, 'src/engine/chapters/self-attention/model.ts'), 'line 1\nline 2\nline 3\n');
  write(path.join(extension, 'dist/sources/src/engine/chapters/self-attention/model.ts'), 'copy\n');
  write(path.join(extension, 'dist/sources/src/engine/chapters/seq2seq/model.ts'), 'a\nb\nc\nd\ne\n');
  write(path.join(work, 'secret.ts'), 'secret\n');
  fs.symlinkSync(
    path.join(work, 'secret.ts'),
    path.join(extension, 'dist/sources/src/engine/chapters/seq2seq/linked.ts'),
  );
  fs.mkdirSync(path.join(extension, 'dist/sources/src/engine/chapters/attention-seq2seq'), { recursive: true });
  fs.symlinkSync(work, path.join(extension, 'dist/sources/src/engine/chapters/attention-seq2seq/dir'));
  roots = { workspaceFolders: [workspace], extensionPath: extension };
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('code links: the host opens only known chapter source files', () => {
  it('prefers the workspace’s checkout, then falls back to the read-only copy of the installed extension', () => {
    const own = resolveChapterSource({ file: 'src/engine/chapters/self-attention/model.ts', line: 2 }, roots);
    assert.deepEqual(own, {
      ok: true,
      value: { path: path.join(workspace, 'src/engine/chapters/self-attention/model.ts'), line: 2, readOnly: false },
    });
    const copy = resolveChapterSource({ file: 'src/engine/chapters/seq2seq/model.ts', line: 4 }, roots);
    assert.deepEqual(copy, {
      ok: true,
      value: {
        path: path.join(extension, 'dist/sources/src/engine/chapters/seq2seq/model.ts'),
        line: 4,
        readOnly: true,
      },
    });
    // A line past the end opens the last line.
    const past = resolveChapterSource({ file: 'src/engine/chapters/self-attention/model.ts', line: 900 }, roots);
    assert.ok(past.ok && past.value.line === 4);
  });

  it('refuses every other path (fuzzed)', () => {
    const bad = [
      '',
      'model.ts',
      '/etc/passwd',
      '../secret.ts',
      'src/engine/chapters/../../../secret.ts',
      'src/engine/chapters/self-attention/../../../../secret.ts',
      'src/engine/chapters/self-attention/./model.ts',
      'src/engine/chapters/self-attention//model.ts',
      'src\\engine\\chapters\\self-attention\\model.ts',
      'src/engine/chapters/self-attention/model.js',
      'src/engine/chapters/self-attention/model.ts\u0000.png',
      'src/engine/chapters/self-attention/missing.ts',
      'src/engine/chapters/not-a-chapter/model.ts',
      'src/engine/chapters/seq2seq/linked.ts', // a symbolic link to a file outside
      'src/engine/chapters/attention-seq2seq/dir/secret.ts', // through a linked folder
      'src/engine/chapters/Self-Attention/model.ts',
      ' src/engine/chapters/self-attention/model.ts',
      'file:///etc/passwd',
      `src/engine/chapters/self-attention/${'a'.repeat(300)}.ts`,
    ];
    for (const file of bad) {
      const result = resolveChapterSource({ file, line: 1 }, roots);
      assert.equal(result.ok, false, `should refuse ${JSON.stringify(file)}`);
      assert.ok(!result.ok && !/[\n\r]/.test(result.reason) && !result.reason.includes(file || '§'));
    }
    for (const line of [0, -1, 1.5, Number.NaN])
      assert.equal(resolveChapterSource({ file: 'src/engine/chapters/seq2seq/model.ts', line }, roots).ok, false);
  });

  it('takes openSource only for a run whose shape table links to that file, with a bounded line', () => {
    const context: PanelRequestContext = {
      attentionEpochs: [1],
      hasRun: true,
      chapter: chapterInfo('self-attention'),
      sourceFiles: ['src/engine/chapters/self-attention/model.ts'],
    };
    const good = { type: 'openSource', file: 'src/engine/chapters/self-attention/model.ts', line: 12 };
    assert.deepEqual(checkPanelRequest(good, context), { ok: true, value: good });
    const refused = [
      { ...good, file: 'src/engine/chapters/seq2seq/model.ts' }, // not one of the run's links
      { ...good, file: '../../secret.ts' },
      { ...good, file: 'src/engine/chapters/self-attention/../x.ts' },
      { ...good, line: 0 },
      { ...good, line: 2.5 },
      { ...good, line: 1e9 },
      { ...good, line: '12' },
      { ...good, extra: true },
    ];
    for (const message of refused) assert.equal(checkPanelRequest(message, context).ok, false, JSON.stringify(message));
    assert.equal(checkPanelRequest(good, { ...context, hasRun: false }).ok, false);
    assert.equal(checkPanelRequest(good, { ...context, sourceFiles: undefined }).ok, false);
    assert.equal(checkCompareRequest(good, { runIds: ['a', 'b'], canSave: true }).ok, false);
  });
});

const PNG = bytesToBase64(
  Uint8Array.from([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...Array.from({ length: 40 }, (_, i) => (i * 7) & 255),
  ]),
);

function probe(): ProbeRecord {
  return { source: ['a'], target: ['b'], predicted: ['b'], maps: [], checks: [] };
}

describe('exports: the host writes only what the format says', () => {
  it('accepts a PNG, an SVG, a metrics CSV and a probe JSON', () => {
    assert.ok(checkExportContent('png', PNG).ok);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"><rect fill="url(#hatch)"/></svg>';
    assert.ok(checkExportContent('svg', svg).ok);
    assert.ok(checkExportContent('csv', 'epoch,train_loss\n1,0.5\n').ok);
    const json = probeExportJson(
      probeExport({ runId: 'r', chapter: 'self-attention', epoch: 1, step: 10, probe: 0 }, probe()),
    );
    assert.ok(checkExportContent('json', json).ok);
  });

  it('refuses content that is not what its format says, or that could run or load something', () => {
    const bad: [Parameters<typeof checkExportContent>[0], string][] = [
      ['png', 'aGVsbG8='],
      ['png', 'not base64!'],
      ['png', bytesToBase64(new TextEncoder().encode('<svg></svg>'))],
      ['svg', '<html><svg></svg></html>'],
      ['svg', '<svg><script>alert(1)</script></svg>'],
      ['svg', '<svg><rect onload="alert(1)"/></svg>'],
      ['svg', '<svg><image href="https://example.com/x.png"/></svg>'],
      ['svg', '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>'],
      ['svg', '<svg><rect style="fill:url(https://example.com/x)"/></svg>'],
      ['svg', '<svg><foreignObject><div/></foreignObject></svg>'],
      ['svg', '<svg></svg><svg>'],
      ['csv', ''],
      ['csv', 'epoch\u0000\n'],
      ['json', '{'],
      ['json', '{"kind":"something else"}'],
      [
        'json',
        JSON.stringify({
          ...probeExport({ runId: 'r', chapter: 'self-attention', epoch: 1, step: 1, probe: 0 }, probe()),
          extra: 1,
        }),
      ],
    ];
    for (const [format, content] of bad) {
      const result = checkExportContent(format, content);
      assert.equal(result.ok, false, `${format}: ${content.slice(0, 60)}`);
      assert.ok(!result.ok && !/[\n\r]/.test(result.reason) && result.reason.length < 200);
    }
  });

  it('checks an export message through the panels’ gates', () => {
    const context: PanelRequestContext = { attentionEpochs: [], hasRun: true, chapter: chapterInfo('self-attention') };
    const message = { type: 'export', format: 'csv', name: 'metrics-run', content: 'epoch\n1\n' };
    const checked = checkPanelRequest(message, context);
    assert.ok(checked.ok && checked.value.type === 'export' && checked.value.name === 'metrics-run');
    assert.ok(checkCompareRequest(message, { runIds: ['a', 'b'], canSave: true }).ok);
    for (const name of ['../x', '/tmp/x', 'a/b', '', '.hidden', 'x'.repeat(101), 'a b'])
      assert.equal(checkPanelRequest({ ...message, name }, context).ok, false, name);
    assert.equal(checkPanelRequest({ ...message, format: 'exe' }, context).ok, false);
    assert.equal(checkPanelRequest({ ...message, content: 'x'.repeat(24 * 1024 * 1024 + 1) }, context).ok, false);
  });

  it('writes the metrics CSV with one row per evaluation and the declared metrics as columns', () => {
    const info = chapterInfo('attention-seq2seq');
    const record = (epoch: number, loss: number): EvaluationRecord => ({
      kind: 'epoch',
      epoch,
      step: epoch * 10,
      seconds: epoch * 1.5,
      samples_per_second: 100,
      train_loss: loss,
      values: Object.fromEntries(info.metrics.map((metric, i) => [metric.key, epoch / 10 + i])),
    });
    const csv = metricsCsv(info, [record(2, 0.5), record(1, Number.NaN), record(2, 0.25)]);
    const lines = csv.trimEnd().split('\n');
    assert.deepEqual(lines[0].split(','), [
      'epoch',
      'step',
      'seconds',
      'train_loss',
      ...info.metrics.map((m) => m.key),
    ]);
    assert.equal(lines.length, 3, 'one row per evaluation, the later record of a repeated one');
    assert.deepEqual(lines[1].split(',').slice(0, 4), ['1', '10', '1.5', '']);
    assert.deepEqual(lines[2].split(',').slice(0, 4), ['2', '20', '3', '0.25']);
  });
});
