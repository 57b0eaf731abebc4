/**
 * `llm-tutor export`: the metrics CSV (one row per evaluation with the chapter's declared metrics),
 * a probe's JSON (round-trips through its schema), a probe's SVG (every token label), and bad
 * input or a damaged run: exit 2, one line, nothing written.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as v from 'valibot';
import { runCli } from '../../src/engine/cli/main';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { unpackMap } from '../../src/shared/run/attention';
import { checkExportContent, ProbeExportSchema, probeExportJson } from '../../src/shared/run/export';
import { makeTempDir, removeTempDir, writeFixtureRun, type FixtureRun } from './fixtures/runFixture';

let work: string;
let runsDir: string;
let run: FixtureRun;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (chunk: Buffer) => chunks.out.push(chunk));
  err.on('data', (chunk: Buffer) => chunks.err.push(chunk));
  const code = await runCli(args, out as unknown as NodeJS.WriteStream, err as unknown as NodeJS.WriteStream);
  return { code, stdout: Buffer.concat(chunks.out).toString(), stderr: Buffer.concat(chunks.err).toString() };
}

before(() => {
  work = makeTempDir('llm-tutor-export-');
  runsDir = path.join(work, 'runs');
  run = writeFixtureRun(runsDir, { epochsCompleted: 4, valExactMatch: [0.1, 0.4, 0.6, 0.8] });
});
after(() => removeTempDir(work));

describe('llm-tutor export', () => {
  it('csv: one row per evaluation, with the declared metrics as columns', async () => {
    const file = path.join(work, 'metrics.csv');
    const result = await cli('export', run.dir, '--format', 'csv', '--out', file);
    assert.equal(result.code, 0, result.stderr);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const info = chapterInfo(run.config.chapter);
    assert.deepEqual(lines[0].split(','), [
      'epoch',
      'step',
      'seconds',
      'train_loss',
      ...info.metrics.map((m) => m.key),
    ]);
    assert.equal(lines.length, 1 + 4);
    const column = lines[0].split(',').indexOf('val_exact_match');
    assert.deepEqual(
      lines.slice(1).map((line) => Number(line.split(',')[column])),
      [0.1, 0.4, 0.6, 0.8],
    );
    assert.deepEqual(
      lines.slice(1).map((line) => Number(line.split(',')[0])),
      [1, 2, 3, 4],
    );
  });

  it('json: the probe round-trips through its schema, weights intact', async () => {
    const file = path.join(work, 'probe.json');
    const result = await cli('export', run.dir, '--format', 'json', '--probe', '1', '--epoch', '2', '--out', file);
    assert.equal(result.code, 0, result.stderr);
    const text = fs.readFileSync(file, 'utf8');
    const parsed = v.parse(ProbeExportSchema, JSON.parse(text));
    assert.equal(parsed.epoch, 2);
    assert.equal(parsed.probe, 0);
    assert.equal(parsed.runId, run.runId);
    assert.deepEqual(parsed.record, run.attention[1].probes[0]);
    assert.equal(probeExportJson(parsed), text);
    assert.ok(checkExportContent('json', text).ok);
    const weights = unpackMap(parsed.record.maps[0])!.weights;
    assert.deepEqual(Array.from(weights), Array.from(unpackMap(run.attention[1].probes[0].maps[0])!.weights));
  });

  it('svg: the probe’s map with every row and column token and the colour scale', async () => {
    const file = path.join(work, 'probe.svg');
    const result = await cli('export', run.runId, '--runs-dir', runsDir, '--format', 'svg', '--out', file);
    assert.equal(result.code, 0, result.stderr);
    const svg = fs.readFileSync(file, 'utf8');
    assert.ok(checkExportContent('svg', svg).ok);
    const probe = run.attention.at(-1)!.probes[0];
    const texts = [...svg.matchAll(/<text[^>]*class="(row|column)-token"[^>]*>([^<]*)<\/text>/g)];
    const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    assert.deepEqual(
      texts.filter((m) => m[1] === 'row').map((m) => m[2]),
      probe.target.map(escape),
    );
    assert.deepEqual(
      texts.filter((m) => m[1] === 'column').map((m) => m[2]),
      probe.source.map(escape),
    );
    assert.match(svg, /class="colour-scale"/);
    // One cell per weight.
    assert.equal((svg.match(/<rect x="[^"]+" y="[^"]+" width="28" height="28"/g) ?? []).length, 6 * 6);
  });

  it('a damaged run: exit 2, one line, nothing written', async () => {
    const damaged = writeFixtureRun(runsDir, { startedAt: new Date(2025, 0, 3, 1, 2, 3) });
    fs.writeFileSync(path.join(damaged.dir, 'config.json'), '{"formatVersion": 2, "runId": ');
    for (const format of ['svg', 'json', 'csv']) {
      const file = path.join(work, `damaged.${format}`);
      const result = await cli('export', damaged.dir, '--format', format, '--out', file);
      assert.equal(result.code, 2, `${format}: ${result.stderr}`);
      assert.match(result.stderr, /^llm-tutor export: damaged run .*\n$/);
      assert.equal(result.stdout, '');
      assert.equal(fs.existsSync(file), false);
    }
    assert.deepEqual(
      fs.readdirSync(work).filter((name) => name.startsWith('damaged')),
      [],
    );
  });

  it('has its help text and is listed in the main help', async () => {
    const help = await cli('export', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: llm-tutor export RUN --format svg\|json\|csv --out FILE/m);
    assert.match((await cli('--help')).stdout, /^ {2}export RUN +a probe's maps as SVG/m);
  });

  it('bad input: exit 2, nothing written', async () => {
    const file = path.join(work, 'bad.svg');
    for (const args of [
      ['--format', 'png', '--out', file],
      ['--format', 'svg'],
      ['--format', 'svg', '--probe', '9', '--out', file],
      ['--format', 'svg', '--probe', '0', '--out', file],
      ['--format', 'svg', '--epoch', '99', '--out', file],
      ['--format', 'svg', '--map', 'encoder/self/0/0', '--out', file],
      ['--format', 'svg', '--out', path.join(work, 'no-such-folder', 'x.svg')],
    ]) {
      const result = await cli('export', run.dir, ...args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1);
      assert.equal(fs.existsSync(file), false);
    }
  });
});
