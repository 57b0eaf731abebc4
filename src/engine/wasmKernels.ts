/**
 * What our replacements of tfjs-backend-wasm's kernels share (wasmSlices.ts, wasmBatchMatMul.ts,
 * wasmIdentity.ts): the parts of the backend they use, the WebAssembly module of our own
 * (wasmKernels.wat) instantiated on the backend's memory, and the registration of a replacement.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { WASM_KERNELS } from './wasmKernelsBinary';

/** The parts of tfjs-backend-wasm's BackendWasm our kernels use. */
export interface WasmBackend {
  wasm?: { asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
}

/** The exports of wasmKernels.wat: offsets and strides in bytes unless said otherwise. */
export interface WasmKernels {
  /** out[p] = a[p]·b[p] for p < batch: `a [m, k]`, `b [k, n]`; strides between matrices in elements. */
  batchMatMul(
    a: number,
    b: number,
    out: number,
    batch: number,
    m: number,
    k: number,
    n: number,
    aStride: number,
    bStride: number,
  ): void;
  /** `rows` runs of `runBytes` bytes, run r from src + r·srcStride to dst + r·dstStride. */
  copyRows(src: number, dst: number, rows: number, runBytes: number, srcStride: number, dstStride: number): void;
}

let kernels: WasmKernels | null = null;
/** The memory the last load was for (a failed load is not retried for the same memory). */
let loadedFor: unknown = Symbol('nothing loaded yet');

/**
 * The module instantiated against the backend's memory (once; the memory grows in place, offsets
 * stay), or null when that memory cannot be imported (not exported, or a shared memory as in a
 * threaded build): the replacements then leave the work to the backend's own kernels.
 */
function loadKernels(backend: WasmBackend): WasmKernels | null {
  const memory = backend.wasm?.asm?.memory;
  if (memory === loadedFor) return kernels;
  kernels = null;
  loadedFor = memory;
  if (!(memory instanceof WebAssembly.Memory) || !(memory.buffer instanceof ArrayBuffer)) return null;
  try {
    const module = new WebAssembly.Module(Buffer.from(WASM_KERNELS, 'base64'));
    kernels = new WebAssembly.Instance(module, { tfjs: { memory } }).exports as unknown as WasmKernels;
  } catch {
    kernels = null;
  }
  return kernels;
}

/** The module's kernels; only called by replacements, which run once `loadKernels` succeeded. */
export function wasmKernels(backend: WasmBackend): WasmKernels {
  const loaded = loadKernels(backend);
  if (!loaded) throw new Error("the engine's wasm kernels are not loaded on this backend");
  return loaded;
}

/** Where a tensor's data starts in the backend's memory, in bytes. */
export function heapOffset(backend: WasmBackend, x: TensorInfo): number {
  return backend.dataIdMap.get(x.dataId)?.memoryOffset ?? 0;
}

/** Whether our copies handle `dtype` (strings and complex numbers are not plain bytes in the heap). */
export function copiedAsBytes(dtype: tf.DataType): boolean {
  return dtype !== 'string' && dtype !== 'complex64';
}

/** Bytes an element of `dtype` takes in the backend's memory (bool is one byte). */
export function elementBytes(dtype: tf.DataType): number {
  return dtype === 'bool' ? 1 : 4;
}

const originals = new Map<string, KernelFunc>();

/**
 * Registers `make(original)` for the wasm backend in place of its kernel `name`, once; returns the
 * backend's own kernel (null if it has none). A replacement that `usesModule` runs only where the
 * module loads; elsewhere the backend's own kernel does the work.
 */
export function replaceWasmKernel(
  name: string,
  make: (original: KernelFunc) => KernelFunc,
  usesModule = true,
): KernelFunc | null {
  const known = originals.get(name);
  if (known) return known;
  const config = tf.getKernel(name, 'wasm');
  if (!config) return null;
  const ours = make(config.kernelFunc);
  const kernelFunc: KernelFunc = usesModule
    ? (args) => (loadKernels(args.backend as unknown as WasmBackend) ? ours(args) : config.kernelFunc(args))
    : ours;
  const replacement: KernelConfig = { ...config, kernelFunc };
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(replacement);
  originals.set(name, config.kernelFunc);
  return config.kernelFunc;
}

/** The backend's own kernel `name` once ours replaced it (tests compare the two). */
export function originalWasmKernel(name: string): KernelFunc | null {
  return originals.get(name) ?? null;
}
