/**
 * Fuzzing the host's two gates, with seeded generators (the same cases on every run):
 * `checkPanelRequest` (every message a lab panel's webview sends) on thousands of generated and
 * mutated messages, and the run-path checks (`isInside`, `resolveRunDirInside`) on generated
 * paths through a folder with symbolic links in, out, dangling and looping, against a model of
 * that folder. A message is refused with one short line that never echoes it, or accepted only
 * as the panel's checks allow; a path is accepted only if it really lies inside the runs folder.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkPanelRequest, type PanelRequestContext } from '../../src/extension/panelRequests';
import { restorableRunDir } from '../../src/extension/panelState';
import { resolveRunDirInside } from '../../src/extension/runPaths';
import { isInside } from '../../src/runStore';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { checkValue, specOf } from '../../src/shared/course/hyperparameters';
import { MAX_FILL_TEXT, MAX_TRY_TEXT } from '../../src/shared/protocol/webview';

/** mulberry32: a small seeded generator. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** In every generated value: a refusal must never contain it. */
const MARK = 'Qz7';
/**
 * In generated field names: a refusal may name an unknown field, escaped and cut to 40
 * characters (src/shared/schema.ts), never more of it.
 */
const KEY_MARK = 'Kq9';

class Generator {
  constructor(private readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.random() < p;
  }

  string(): string {
    switch (this.int(9)) {
      case 0:
        return '';
      case 1:
        return `${MARK}\n${MARK}\r\n\u2028`;
      case 2:
        return `${MARK}${'x'.repeat(this.pick([10, 1000, 100_000, 1_000_000]))}`;
      case 3:
        return `${MARK}字\u0000\ud800\u{1f600}`;
      case 4:
        return `${MARK}"}]{[\\`;
      case 5:
        return this.pick(['ready', 'stop', 'predict', 'train', 'requestAttention', 'dates', 'phrases', 'default']);
      case 6:
        return `  ${MARK} May 3, 1998 \t`;
      case 7:
        return `../../${MARK}/etc/passwd`;
      default:
        return `${MARK}${this.int(1e6)}`;
    }
  }

  number(): number {
    return this.pick([
      0,
      -0,
      1,
      2,
      5,
      3.5,
      -1,
      1e-7,
      1e-6,
      0.01,
      1,
      64,
      1000,
      1001,
      1024,
      1025,
      100_000,
      100_001,
      2 ** 31,
      Number.MAX_SAFE_INTEGER + 2,
      1e308,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
  }

  key(): string {
    return this.pick([
      '',
      `${KEY_MARK}`,
      `${KEY_MARK}\nkey`,
      `${KEY_MARK}${'k'.repeat(5000)}`,
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'type',
      'text',
      'epoch',
      'overrides',
      'task',
      'variant',
      'runDir',
      'epochs',
      'learningRate',
      'hiddenSize',
      'batchSize',
      'trainSize',
      'validationSize',
      'seed',
      'resume',
    ]);
  }

  value(depth: number): unknown {
    switch (this.int(depth > 3 ? 5 : 12)) {
      case 0:
        return this.string();
      case 1:
        return this.number();
      case 2:
        return this.chance(0.5);
      case 3:
        return null;
      case 4:
        return undefined;
      case 5:
        return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
      case 6:
        return this.object(depth + 1);
      case 7:
        return this.pick([new ArrayBuffer(0), new Uint8Array(0), new Uint8Array([1, 2]), new Float32Array(3)]);
      case 8:
        return this.pick([new Date(0), new Map([['epochs', 2]]), new Set([1]), /x/, BigInt(3)]);
      case 9:
        return this.deep();
      case 10:
        return Object.assign(Object.create(null) as object, { epochs: 2 });
      default:
        return this.object(depth + 1);
    }
  }

  object(depth: number): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    for (let i = this.int(4); i > 0; i--) {
      Object.defineProperty(object, this.key(), {
        value: this.value(depth),
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
    return object;
  }

  /** Nesting far past any stack: refused at the first level, never recursed into. */
  deep(): unknown {
    let value: unknown = { epochs: 2 };
    const levels = this.pick([100, 1000, 10_000]);
    const asArray = this.chance(0.5);
    for (let i = 0; i < levels; i++) value = asArray ? [value] : { overrides: value, type: 'train' };
    return value;
  }

  /** A well-formed message of the protocol. */
  valid(): Record<string, unknown> {
    switch (this.int(6)) {
      case 0:
        return { type: 'ready' };
      case 5: {
        const message: Record<string, unknown> = {
          type: 'fill',
          text: this.pick(['the [MASK] of the country', ' [mask] . ', 'no mask', '[CLS] [SEP]']),
        };
        if (this.chance(0.3)) message.top = this.pick([1, 5, 50]);
        return message;
      }
      case 1:
        return { type: 'stop' };
      case 2:
        return { type: 'requestAttention', epoch: this.pick([1, 2, 5]) };
      case 3:
        return { type: 'predict', text: this.pick(['May 3, 1998', 'the small bird', 'x']) };
      default: {
        const overrides: Record<string, unknown> = {};
        for (const key of ['epochs', 'batchSize', 'learningRate', 'hiddenSize', 'trainSize']) {
          if (this.chance(0.3)) overrides[key] = this.pick([1, 2, 8, 64, 0.01]);
        }
        const message: Record<string, unknown> = { type: 'train', overrides };
        if (this.chance(0.3)) message.task = this.pick(['dates', 'phrases']);
        if (this.chance(0.3)) message.variant = 'default';
        return message;
      }
    }
  }

  /** A message: generated from nothing, or a valid one with one thing changed. */
  message(): unknown {
    if (this.chance(0.15)) return this.value(0);
    const message = this.valid();
    switch (this.int(6)) {
      case 0:
        return message; // unchanged
      case 1:
        message[this.key()] = this.value(1); // an added (or replaced) field
        return message;
      case 2: {
        const keys = Object.keys(message);
        delete message[keys[this.int(keys.length)]];
        return message;
      }
      case 3:
        message.type = this.pick([this.string(), this.number(), null, this.deep(), ['ready']]);
        return message;
      case 4: {
        const keys = Object.keys(message).filter((key) => key !== 'type');
        if (keys.length > 0) message[this.pick(keys)] = this.value(1);
        return message;
      }
      default:
        if (message.type === 'train') (message.overrides as Record<string, unknown>)[this.key()] = this.value(1);
        else message[''] = this.value(1);
        return message;
    }
  }
}

const contexts: PanelRequestContext[] = [
  { attentionEpochs: [1, 2, 5], hasRun: true, chapter: chapterInfo('attention-seq2seq') },
  { attentionEpochs: [], hasRun: false, chapter: chapterInfo('seq2seq') },
  { attentionEpochs: [3], hasRun: true, chapter: chapterInfo('self-attention') },
  { attentionEpochs: [], hasRun: false, chapter: null },
  { attentionEpochs: [1], hasRun: true, chapter: chapterInfo('bert-mlm') },
];

describe('fuzzing checkPanelRequest (the host’s gate for webview messages)', () => {
  it('refuses in one short line that never echoes, or accepts only what the panel allows: 6000 seeded messages', () => {
    const generator = new Generator(seeded(20250314));
    const started = performance.now();
    let accepted = 0;
    for (let i = 0; i < 6000; i++) {
      const raw = generator.message();
      const context = contexts[i % contexts.length];
      let result: ReturnType<typeof checkPanelRequest>;
      try {
        result = checkPanelRequest(raw, context);
      } catch (error) {
        assert.fail(`case ${i} threw: ${String(error).slice(0, 200)}`);
      }
      if (!result.ok) {
        assert.ok(!/[\n\r\u2028\u2029]/.test(result.reason), `case ${i}: one line: ${JSON.stringify(result.reason)}`);
        assert.ok(result.reason.length <= 260, `case ${i}: short (${result.reason.length})`);
        assert.ok(!result.reason.includes(MARK), `case ${i}: echoes the input: ${result.reason}`);
        assert.ok(!/k{41}/.test(result.reason), `case ${i}: more than 40 characters of a key: ${result.reason}`);
        continue;
      }
      accepted++;
      const value = result.value;
      switch (value.type) {
        case 'ready':
        case 'stop':
          assert.deepEqual(Object.keys(value), ['type']);
          break;
        case 'requestAttention':
          assert.ok(context.hasRun && context.attentionEpochs.includes(value.epoch), `case ${i}`);
          break;
        case 'predict':
          assert.ok(context.hasRun && value.text.trim() === value.text && value.text !== '', `case ${i}`);
          assert.ok(value.text.length <= MAX_TRY_TEXT);
          break;
        case 'fill':
          assert.ok(context.hasRun && context.chapter?.id === 'bert-mlm', `case ${i}: fill on a masked LM run only`);
          assert.ok(value.text.trim() === value.text && /\[mask\]/i.test(value.text), `case ${i}: fill needs a [MASK]`);
          assert.ok(value.text.length <= MAX_FILL_TEXT);
          break;
        case 'train': {
          const info = context.chapter;
          assert.ok(info?.trainable, `case ${i}: train accepted without a trainable chapter`);
          assert.ok(
            info.tasks.some((task) => task.id === value.task),
            `case ${i}: task`,
          );
          assert.ok(
            info.variants.some((variant) => variant.id === value.variant),
            `case ${i}: variant`,
          );
          assert.equal(Object.getPrototypeOf(value.overrides), Object.prototype);
          for (const [key, override] of Object.entries(value.overrides)) {
            const spec = specOf(info, key);
            assert.ok(spec, `case ${i}: ${key} is not a hyperparameter`);
            assert.equal(checkValue(spec, override), null, `case ${i}: ${key}=${String(override)}`);
          }
          break;
        }
      }
    }
    const elapsed = performance.now() - started;
    assert.ok(accepted > 300, `some messages are accepted (${accepted})`);
    assert.ok(accepted < 5000, `most mutated messages are refused (${accepted} accepted)`);
    assert.ok(elapsed < 20_000, `${elapsed.toFixed(0)} ms`);
  });

  it('the cases of the issue: an extra "" field, empty buffers as overrides, deep nesting, a 1 MB type, a key with a newline', () => {
    let deep: unknown = { type: 'train', overrides: {} };
    for (let i = 0; i < 200_000; i++) deep = { type: 'train', overrides: { epochs: deep } };
    const cases: [unknown, RegExp][] = [
      [{ type: 'ready', '': 1 }, /^panel message: \[""\] is not allowed here$/],
      [{ type: 'train', overrides: {}, '': 'x' }, /^panel message: \[""\] is not allowed here$/],
      [{ type: 'train', overrides: new ArrayBuffer(0) }, /^panel message: overrides must be a plain object$/],
      [{ type: 'train', overrides: new Uint8Array(0) }, /^panel message: overrides must be a plain object$/],
      [deep, /^panel message: overrides\.epochs must be \(number \| string \| boolean\)$/],
      [{ type: `${MARK}${'t'.repeat(1_000_000)}` }, /^panel message: type must be \("ready" \|/],
      [{ type: 'ready', [`${KEY_MARK}\nkey`]: 1 }, /^panel message: \["Kq9\\nkey"\] is not allowed here$/],
    ];
    for (const [raw, reason] of cases) {
      const result = checkPanelRequest(raw, contexts[0]);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.match(result.reason, reason);
        assert.ok(!/[\n\r]/.test(result.reason) && result.reason.length <= 260);
      }
    }
  });
});

describe('fuzzing the run-path checks', () => {
  let root: string;
  let runs: string;
  /** The folder as a model: real folders, and links with their absolute targets. */
  const folders = new Set<string>();
  const links = new Map<string, string>();

  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-fuzz-')));
    runs = path.join(root, 'runs');
    for (const folder of ['runs', 'runs/a', 'runs/a/attention', 'runs/nested', 'outside', 'runs-evil']) {
      fs.mkdirSync(path.join(root, folder), { recursive: true });
      folders.add(path.join(root, folder));
    }
    folders.add(root);
    const link = (name: string, target: string) => {
      fs.symlinkSync(target, path.join(root, name));
      links.set(path.join(root, name), target);
    };
    link('runs/alias', path.join(runs, 'a')); // stays inside
    link('runs/escape', path.join(root, 'outside')); // points out
    link('runs/nested/up', root); // points out, from deeper down
    link('runs/dangling', path.join(root, 'not-there')); // to nothing
    link('runs/loop-a', path.join(runs, 'loop-b'));
    link('runs/loop-b', path.join(runs, 'loop-a'));
    link('runs-link', runs); // the runs folder reached through a link
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  /** Where `target` really is, from the model: null when it goes through a dangling or looping link. */
  function modelRealPath(target: string): string | null {
    let current = path.parse(target).root;
    const pending = path.resolve(target).split(path.sep).filter(Boolean);
    let hops = 0;
    while (pending.length > 0) {
      const next = path.join(current, pending.shift()!);
      const linkTarget = links.get(next);
      if (linkTarget !== undefined) {
        if (++hops > 40) return null; // a loop
        const resolved = path.resolve(path.dirname(next), linkTarget);
        if (!folders.has(resolved) && !links.has(resolved)) return null; // dangling
        pending.unshift(...resolved.split(path.sep).filter(Boolean));
        current = path.parse(resolved).root;
        continue;
      }
      current = next; // a real folder, or a name that does not exist (which cannot be a link)
    }
    return current;
  }

  it('isInside and resolveRunDirInside agree with a model of the folder on 4000 seeded paths', () => {
    const random = seeded(42);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const parts = [
      '..',
      '.',
      '',
      'runs',
      'a',
      'attention',
      'alias',
      'escape',
      'up',
      'nested',
      'dangling',
      'loop-a',
      'outside',
      'runs-evil',
      'runs-link',
      'not-yet',
      '..foo',
      '名字',
    ];
    const started = performance.now();
    let inside = 0;
    for (let i = 0; i < 4000; i++) {
      const components = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(parts));
      const base = pick([root, runs, path.join(runs, 'a'), path.join(root, 'runs-link')]);
      const candidate = random() < 0.1 ? components.join('/') : path.join(base, ...components);
      const real = modelRealPath(path.resolve(runs, candidate));
      // An empty path names nothing (isInside refuses it rather than reading it as the runs folder).
      const expected = candidate !== '' && real !== null && (real === runs || real.startsWith(`${runs}${path.sep}`));
      assert.equal(isInside(runs, candidate), expected, `isInside(${candidate})`);
      const resolved = resolveRunDirInside(runs, candidate);
      const strictlyInside = expected && path.isAbsolute(candidate) && path.resolve(candidate) !== runs;
      assert.equal(resolved, strictlyInside ? path.resolve(candidate) : null, `resolveRunDirInside(${candidate})`);
      const state = restorableRunDir(
        {
          runDir: candidate,
          probeIndex: 0,
          epoch: null,
          selectedRow: null,
          selectedColumn: null,
          mode: 'forward',
          mapKey: null,
        },
        runs,
      );
      assert.equal(state.ok, strictlyInside && candidate.length <= 4096, `saved state ${candidate}`);
      if (!state.ok && candidate.length > 12) assert.ok(!state.reason.includes(candidate), state.reason);
      if (expected) inside++;
    }
    assert.ok(inside > 300 && inside < 3700, `both answers are exercised (${inside} inside)`);
    assert.ok(performance.now() - started < 30_000);
  });

  it('odd strings never pass: NUL, empty, relative, huge, non-strings', () => {
    for (const candidate of [
      '',
      `${runs}/a\0`,
      'a',
      './a',
      `${runs}/${'x'.repeat(5000)}`,
      42,
      null,
      {},
      ['/'],
      undefined,
    ]) {
      assert.equal(resolveRunDirInside(runs, candidate), null, String(candidate).slice(0, 40));
    }
    assert.equal(isInside(runs, `${runs}/a\0`), false);
    assert.equal(isInside('', runs), false);
  });
});
