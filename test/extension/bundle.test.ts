/**
 * The extension host never loads TensorFlow.js: dist/extension.js (built by
 * `node scripts/build.mjs`) holds nothing from `@tensorflow`, neither its module paths nor the
 * strings tfjs registers its backends, kernels, gradients and flags with. The same needles are
 * checked to find TensorFlow in dist/engine.js, so they cannot silently go stale; and a fresh
 * build of the extension's entry point is checked too, down to the files esbuild read.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';

const root = path.join(__dirname, '..', '..');
const dist = path.join(root, 'dist');

/** What any bundle holding tfjs-core contains, minified or not. */
const TENSORFLOW_NEEDLES = [
  '@tensorflow',
  'tfjs-core',
  'tfjs-backend',
  'registerKernel',
  'registerGradient',
  'registerBackend',
  'IS_BROWSER',
  'tfjsflags',
  '_tfengine',
  'WASM_HAS_SIMD_SUPPORT',
];

function tensorflowIn(text: string): string[] {
  return TENSORFLOW_NEEDLES.filter((needle) => text.includes(needle));
}

function readBuilt(name: string): string {
  const file = path.join(dist, name);
  assert.ok(fs.existsSync(file), `${file} is missing: build it with \`node scripts/build.mjs\``);
  return fs.readFileSync(file, 'utf8');
}

describe('dist/extension.js', () => {
  it('contains nothing from @tensorflow', () => {
    const found = tensorflowIn(readBuilt('extension.js'));
    assert.deepEqual(found, [], `dist/extension.js contains ${found.join(', ')}`);
  });

  it('was built from no @tensorflow file (its source map)', () => {
    const mapFile = path.join(dist, 'extension.js.map');
    if (!fs.existsSync(mapFile)) return; // production builds have no map
    const sources = (JSON.parse(fs.readFileSync(mapFile, 'utf8')) as { sources: string[] }).sources;
    assert.ok(sources.length > 10, 'the map lists the bundle’s sources');
    assert.deepEqual(
      sources.filter((source) => /@tensorflow|src\/engine\/(?!chapters\/[^/]+\/info\.ts$)/.test(source)),
      [],
    );
  });

  it('the needles do find TensorFlow in dist/engine.js', () => {
    const found = tensorflowIn(readBuilt('engine.js'));
    for (const needle of ['@tensorflow', 'IS_BROWSER', '_tfengine', 'registerBackend'])
      assert.ok(found.includes(needle), `${needle} not found in dist/engine.js: update TENSORFLOW_NEEDLES`);
  });

  it('a fresh build of src/extension reads only chapter info files from src/engine, and no @tensorflow', async () => {
    for (const minify of [false, true]) {
      const result = await esbuild.build({
        entryPoints: [path.join(root, 'src/extension/extension.ts')],
        bundle: true,
        write: false,
        metafile: true,
        minify,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        external: ['vscode'],
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      assert.deepEqual(
        inputs.filter((input) => input.includes('@tensorflow')),
        [],
      );
      const engine = inputs.filter((input) => input.startsWith('src/engine/'));
      assert.ok(engine.length > 0, 'the course catalogue bundles the chapters’ info files');
      for (const input of engine) assert.match(input, /^src\/engine\/chapters\/[^/]+\/info\.ts$/);
      const text = result.outputFiles.map((file) => file.text).join('\n');
      assert.deepEqual(tensorflowIn(text), [], `minify=${minify}`);
    }
  });
});
