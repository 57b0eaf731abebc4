/**
 * Helpers of the hardening suites (faults, damage): the CLI run in this process with captured
 * output, the CLI as a child process, and fingerprints of folders to prove what was (not) written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/engine/cli/main';

export const root = path.resolve(__dirname, '..', '..');
export const bin = path.join(root, 'bin', 'llm-tutor.js');
/** The CLI as installed without the native backend (see cli.test.ts). */
export const childEnv = { ...process.env, LLM_TUTOR_TFJS_NODE: '', LLM_TUTOR_FAULT: '' };

export interface CliResult {
  code: number | null;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  readonly isTTY = false;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** `llm-tutor <args>` run in this process (fast: no new process, tfjs already loaded). */
export async function cli(args: string[]): Promise<CliResult> {
  const out = new Capture();
  const err = new Capture();
  const code = await runCli(args, out as unknown as NodeJS.WriteStream, err as unknown as NodeJS.WriteStream);
  return { code, stdout: out.text, stderr: err.text };
}

/** `llm-tutor <args>` as a child process, as a user runs it. */
export function cliChild(args: string[], env: NodeJS.ProcessEnv = childEnv, cwd = root): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 300_000 });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>)$/m;

/** No stack trace, no `node:internal` noise, in what a command printed. */
export function assertNoStackTrace(result: CliResult, what: string): void {
  for (const text of [result.stdout, result.stderr]) {
    assert.ok(!STACK_LINE.test(text), `${what}: a stack trace:\n${text.slice(0, 2000)}`);
    assert.ok(!/node:internal|Error: .*\n\s+at /.test(text), `${what}: an internal error:\n${text.slice(0, 2000)}`);
  }
}

/** A refusal: exit 2, one line on stderr matching `reason`. */
export function assertRefused(result: CliResult, reason: RegExp, what: string): void {
  assert.equal(result.code, 2, `${what}: exit code (stderr: ${result.stderr})`);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${what}: one line: ${result.stderr}`);
  assert.match(lines[0], reason, what);
  assertNoStackTrace(result, what);
}

/** Every path below `dir` (hidden ones too) with the sha256 of each file: what a folder holds, to the byte. */
export function fingerprint(dir: string): Map<string, string> {
  const prints = new Map<string, string>();
  const walk = (relative: string) => {
    const full = path.join(dir, relative);
    let stats: fs.Stats;
    try {
      stats = fs.lstatSync(full);
    } catch {
      return;
    }
    if (stats.isSymbolicLink()) prints.set(relative, `link:${fs.readlinkSync(full)}`);
    else if (stats.isDirectory()) {
      prints.set(relative, 'dir');
      for (const name of fs.readdirSync(full).sort()) walk(relative === '' ? name : `${relative}/${name}`);
    } else prints.set(relative, createHash('sha256').update(fs.readFileSync(full)).digest('hex'));
  };
  walk('');
  return prints;
}

/** Every entry of `before` is in `after` with the same content (new entries are allowed). */
export function assertKept(before: Map<string, string>, after: Map<string, string>, what: string): void {
  for (const [file, print] of before) {
    assert.equal(after.get(file), print, `${what}: ${file || 'the folder'} changed or vanished`);
  }
}

/** The entries of `after` that `before` did not have, at the top level of the fingerprinted folder. */
export function newTopLevel(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((file) => file !== '' && !file.includes('/') && !before.has(file));
}

/** A small deterministic generator (mulberry32) for seeded random choices in tests. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
