/**
 * Loads the native `tensorflow` backend (@tensorflow/tfjs-node) into the engine's OWN tfjs-core.
 *
 * tfjs-node's entry point (`dist/index.js`) loads the whole `@tensorflow/tfjs` union package: a
 * second tfjs-core (the bundled engine has its own), plus layers, converter, data and the webgl
 * backend. Two tfjs-cores mean "Platform node has already been set", every kernel registered
 * twice (173 warnings), and tensors of one copy unknown to the other. What the backend needs is
 * much less: `dist/nodejs_kernel_backend.js` (the KernelBackend), `dist/register_all_kernels.js`
 * (its kernels) and the native addon. Those modules use only tfjs-core's API, imported as
 * `@tensorflow/tfjs` (and once as `@tensorflow/tfjs-core`), so both names are answered with the
 * engine's tfjs-core through Node's module cache before they are loaded, and the backend is
 * registered here the way tfjs-node's index.js would (without making it current).
 *
 * Where tfjs-node is: the prefix named by LLM_TUTOR_TFJS_NODE (e.g. the one
 * scripts/setup-native-backend.sh prints), else the engine's own node_modules (the optional
 * dependency, when its install could download TensorFlow).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import Module, { createRequire } from 'module';
import * as path from 'path';

/** Names a folder holding `node_modules/@tensorflow/tfjs-node` (or that package folder itself). */
export const NATIVE_PREFIX_ENV = 'LLM_TUTOR_TFJS_NODE';

export class NativeUnavailableError extends Error {}

/** The tfjs-node package folder to load, or why there is none. */
export function findTfjsNode(env: NodeJS.ProcessEnv = process.env): string {
  const prefix = env[NATIVE_PREFIX_ENV];
  if (prefix) {
    const candidates = [path.join(prefix, 'node_modules', '@tensorflow', 'tfjs-node'), prefix];
    const dir = candidates.find((d) => isTfjsNode(d));
    if (!dir) throw new NativeUnavailableError(`${NATIVE_PREFIX_ENV}=${prefix} holds no @tensorflow/tfjs-node`);
    return dir;
  }
  try {
    // Resolved from the engine (dist/engine.js or src/engine): the project's node_modules.
    return path.dirname(createRequire(__filename).resolve('@tensorflow/tfjs-node/package.json'));
  } catch (error) {
    throw new NativeUnavailableError(
      `@tensorflow/tfjs-node is not installed (${firstLine(error)}); set ${NATIVE_PREFIX_ENV} to a prefix where it is`,
    );
  }
}

function isTfjsNode(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
    return pkg.name === '@tensorflow/tfjs-node' || pkg.name === '@tensorflow/tfjs-node-gpu';
  } catch {
    return false;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

type NodeModule = InstanceType<typeof Module>;
const moduleCache = (Module as unknown as { _cache: Record<string, NodeModule | undefined> })._cache;

/**
 * What tfjs-node's modules get for `@tensorflow/tfjs`: the engine's tfjs-core, except that
 * `KernelBackend` can be subclassed by ES5 code. tfjs-node is compiled to ES5
 * (`_super.call(this)`), which cannot call the ES2017 class of the ESM build the bundle holds;
 * KernelBackend has no constructor state, so a plain function whose prototype inherits from it
 * serves (instances are still `instanceof tf.KernelBackend`).
 */
function tfjsForTfjsNode(): typeof tf {
  function KernelBackend(): void {}
  KernelBackend.prototype = Object.create(tf.KernelBackend.prototype, {
    constructor: { value: KernelBackend, writable: true, configurable: true },
  });
  return { ...tf, KernelBackend } as unknown as typeof tf;
}

/** Makes `require(name)` from inside tfjs-node return `exports` (the engine's tfjs-core). */
function shareTfjsCore(req: NodeRequire, name: string, exports: typeof tf): void {
  let file: string;
  try {
    file = req.resolve(name);
  } catch {
    return; // not installed beside tfjs-node: nothing there can load it
  }
  const cached = moduleCache[file];
  // Already the engine's own copy (source runs, where the engine and tfjs-node share node_modules).
  if (cached && (cached.exports as typeof tf).engine === tf.engine) return;
  const standIn = new Module(file);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = exports;
  moduleCache[file] = standIn;
}

interface TfjsNodeModules {
  NodeJSKernelBackend: new (binding: unknown, packageName: string) => tf.KernelBackend;
}

let loaded: { dir: string } | null = null;

/**
 * Registers the `tensorflow` backend (priority 3, like tfjs-node) with the engine's tfjs-core,
 * once. Throws NativeUnavailableError when tfjs-node is absent or its addon does not load.
 */
export function loadNativeBackend(): { dir: string } {
  if (loaded) return loaded;
  const dir = findTfjsNode();
  // TensorFlow's C++ INFO lines (CPU feature notes) on every start; warnings and errors still show.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
  const req = createRequire(path.join(dir, 'package.json'));
  const shared = tfjsForTfjsNode();
  shareTfjsCore(req, '@tensorflow/tfjs', shared);
  shareTfjsCore(req, '@tensorflow/tfjs-core', shared);
  let binding: unknown;
  let modules: TfjsNodeModules;
  try {
    const nodePreGyp = req('@mapbox/node-pre-gyp') as { find(packageJson: string): string };
    const bindingPath = nodePreGyp.find(path.join(dir, 'package.json'));
    if (!fs.existsSync(bindingPath)) {
      throw new Error(`its native addon was not built (no ${bindingPath})`);
    }
    binding = req(bindingPath);
    modules = req('./dist/nodejs_kernel_backend.js') as TfjsNodeModules;
    req('./dist/register_all_kernels.js');
  } catch (error) {
    throw new NativeUnavailableError(`@tensorflow/tfjs-node at ${dir} did not load: ${firstLine(error)}`);
  }
  const { name } = req('./package.json') as { name: string };
  if (!tf.findBackendFactory('tensorflow')) {
    tf.registerBackend('tensorflow', () => new modules.NodeJSKernelBackend(binding, name), 3);
  }
  loaded = { dir };
  return loaded;
}
