// The whole test suite, as `npm test` and CI run it: build, type check, lint, then every test
// file under test/ (engine and protocol in plain Node, webview in headless Chromium, end to end
// in a real VS Code) in one node:test run, so one summary counts them all.
// Options: --skip-e2e (unit tests only), or file name filters: `npm test -- attention cli`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const skipE2e = args.includes('--skip-e2e');
const filters = args.filter((a) => !a.startsWith('--'));

function step(title, command, commandArgs) {
  console.log(`\n── ${title}: ${command} ${commandArgs.join(' ')}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
step('build', process.execPath, [join(root, 'scripts', 'build.mjs')]);
step('type check', bin('tsc'), ['--noEmit', '-p', '.']);
step('lint', bin('eslint'), ['.']);
step('format', bin('prettier'), ['--check', '.']);

const order = ['engine', 'extension', 'webview', 'e2e'];
const files = readdirSync(join(root, 'test'), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => relative(root, join(root, 'test', f)))
  .filter((f) => !(skipE2e && f.includes('e2e')))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort((a, b) => order.indexOf(a.split('/')[1]) - order.indexOf(b.split('/')[1]) || a.localeCompare(b));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// One file at a time: the engine tests and the browsers each want both cores.
step('tests', process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files]);
