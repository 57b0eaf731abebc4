// One esbuild script for the three bundles (docs/architecture.md): dist/engine.js (CLI + worker, Node),
// dist/extension.js (VS Code host), dist/webview.js (browser). The wasm backend's .wasm files are
// copied beside the engine bundle, where src/engine/backend.ts looks for them.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
const builds = [
  {
    entryPoints: [join(root, 'src/engine/main.ts')],
    outfile: join(dist, 'engine.js'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // tfjs-node is optional and native: required at run time only if it is installed.
    external: ['@tensorflow/tfjs-node'],
    // Prefer the ES module builds: the engine imports tfjs-core's gradients from its ESM tree,
    // and one tree means one copy of tfjs-core in the bundle.
    mainFields: ['module', 'main'],
  },
  {
    entryPoints: [join(root, 'src/extension/extension.ts')],
    outfile: join(dist, 'extension.js'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    entryPoints: [join(root, 'webview/main.ts')],
    outfile: join(dist, 'webview.js'),
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'text' },
  },
];

// Every bundle is built even when another fails, so one error does not leave the others stale.
const results = await Promise.allSettled(
  builds.filter((b) => existsSync(b.entryPoints[0])).map((b) => esbuild.build({ ...common, ...b })),
);
const failed = results.some((result) => result.status === 'rejected');

// The chapters' sources, read-only beside the bundle: the shape table links each tensor to the
// line of its chapter's code that creates it (src/engine/train/sources.ts), also in a .vsix.
const chaptersDir = join(root, 'src', 'engine', 'chapters');
const sourcesDir = join(dist, 'sources', 'src', 'engine', 'chapters');
rmSync(join(dist, 'sources'), { recursive: true, force: true });
for (const chapter of readdirSync(chaptersDir, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
  mkdirSync(join(sourcesDir, chapter.name), { recursive: true });
  for (const file of readdirSync(join(chaptersDir, chapter.name)).filter((name) => name.endsWith('.ts'))) {
    copyFileSync(join(chaptersDir, chapter.name, file), join(sourcesDir, chapter.name, file));
  }
}

const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
for (const file of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
  copyFileSync(join(wasmDir, file), join(dist, file));
}
// The course as a VS Code walkthrough, from the catalogue (src/shared/course/walkthrough.ts): the
// `walkthroughs` contribution of package.json and its strings in package.nls(.zh-cn).json, written
// only when they change (test/extension/walkthrough.test.ts checks they match the catalogue).
async function generateWalkthrough() {
  const bundled = await esbuild.build({
    stdin: {
      contents:
        "export { CHAPTERS } from './src/shared/course/catalogue';\n" +
        "export { walkthroughContribution } from './src/shared/course/walkthrough';\n",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'warning',
  });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', bundled.outputFiles[0].text)(
    module,
    module.exports,
    createRequire(join(root, 'package.json')),
  );
  const { CHAPTERS, walkthroughContribution } = module.exports;
  const { walkthroughs, strings } = walkthroughContribution(CHAPTERS);
  const prettier = await import('prettier');
  const update = async (file, change) => {
    const path = join(root, file);
    const before = readFileSync(path, 'utf8');
    const data = JSON.parse(before);
    change(data);
    const after = await prettier.format(JSON.stringify(data, null, 2), {
      ...(await prettier.resolveConfig(path)),
      filepath: path,
    });
    if (after !== before) writeFileSync(path, after);
  };
  await update('package.json', (pkg) => {
    pkg.contributes.walkthroughs = walkthroughs;
  });
  for (const [file, language] of [
    ['package.nls.json', 'en'],
    ['package.nls.zh-cn.json', 'zh-cn'],
  ]) {
    await update(file, (nls) => {
      for (const key of Object.keys(nls)) if (key.startsWith('walkthrough.')) delete nls[key];
      Object.assign(nls, strings[language]);
    });
  }
}
try {
  await generateWalkthrough();
} catch (error) {
  console.error(`walkthrough: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

if (failed) process.exit(1);
