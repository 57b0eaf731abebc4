/**
 * Slice, SplitV and Unpack for the wasm backend without a copy of the whole input per output.
 *
 * tfjs-backend-wasm's Slice (which its SplitV and Unpack call once per output) starts with
 * `backend.readSync(x)`: a JS copy of the entire input, then copies the slice out of it. Unpacking
 * a GRU's `[batch, len, 3·hidden]` input projections into its `len` time steps thus copied the
 * whole tensor `len` times, and every SplitV in a GRU step copied its input once per part: about
 * 5 ms and much garbage per attention-seq2seq training step. These kernels read the input
 * through a view of the wasm heap and copy only the slice, with the same results (a copy is a
 * copy). Registered over the backend's own by `useFastWasmSlices` when wasm is selected.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util,
  slice_util,
  util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

type HeapArray = Float32Array | Int32Array | Uint8Array;

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): HeapArray;
}

/** Below this many elements a loop copies a run faster than `subarray` + `set` (an object per call). */
const SHORT_RUN = 32;

/** Copies the block `begin`, `size` of `x` (shape `shape`) into `out` (its own buffer, row-major). */
function copyBlock(x: HeapArray, shape: number[], begin: number[], size: number[], out: HeapArray): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = x[0];
    return;
  }
  const strides = [...util.computeStrides(shape), 1]; // [rank]
  // Trailing dimensions the block spans in full are contiguous with the one before them: one run
  // (a time step of a time-major [len, batch, hidden] tensor is a single run, not `batch` runs).
  let inner = rank - 1;
  let run = size[inner];
  while (inner > 0 && size[inner] === shape[inner]) run *= size[--inner];
  const rows = util.sizeFromShape(size) / run;
  const index = new Array<number>(inner).fill(0); // position among the dimensions before `inner`
  for (let row = 0; row < rows; row++) {
    let offset = begin[inner] * strides[inner];
    for (let d = 0; d < inner; d++) offset += (begin[d] + index[d]) * strides[d];
    const target = row * run;
    if (run < SHORT_RUN) for (let i = 0; i < run; i++) out[target + i] = x[offset + i];
    else out.set(x.subarray(offset, offset + run), target);
    for (let d = inner - 1; d >= 0; d--) {
      if (++index[d] < size[d]) break;
      index[d] = 0;
    }
  }
}

/**
 * The blocks of `x`, each a new tensor. Every output is allocated before the heap views are taken:
 * an allocation may grow the wasm memory, which detaches views made before it.
 */
function sliceBlocks(backend: WasmBackend, x: TensorInfo, blocks: { begin: number[]; size: number[] }[]): TensorInfo[] {
  const outs = blocks.map(({ size }) => backend.makeOutput(size, x.dtype));
  const input = backend.typedArrayFromHeap(x);
  blocks.forEach(({ begin, size }, i) => {
    if (util.sizeFromShape(size) > 0) copyBlock(input, x.shape, begin, size, backend.typedArrayFromHeap(outs[i]));
  });
  return outs;
}

type Args = Parameters<KernelFunc>[0];

function fastSlice(original: KernelFunc): KernelFunc {
  return (args: Args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string' || x.dtype === 'complex64') return original(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [begin_, size_] = slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceBlocks(args.backend as unknown as WasmBackend, x, [{ begin: begin_, size: size_ }])[0];
  };
}

function fastSplitV(original: KernelFunc): KernelFunc {
  return (args: Args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string' || x.dtype === 'complex64') return original(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const $axis = util.parseAxisParam(axis, x.shape)[0];
    const sizes = backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
    let start = 0;
    const blocks = sizes.map((part) => {
      const begin = x.shape.map((_, d) => (d === $axis ? start : 0));
      const size = x.shape.map((n, d) => (d === $axis ? part : n));
      start += part;
      return { begin, size };
    });
    return sliceBlocks(args.backend as unknown as WasmBackend, x, blocks);
  };
}

function fastUnpack(original: KernelFunc): KernelFunc {
  return (args: Args) => {
    const x = args.inputs.value as TensorInfo;
    if (x.dtype === 'string' || x.dtype === 'complex64') return original(args);
    let { axis } = args.attrs as unknown as tf.UnpackAttrs;
    if (axis < 0) axis += x.shape.length;
    const outShape = x.shape.filter((_, d) => d !== axis);
    const blocks = Array.from({ length: x.shape[axis] }, (_, i) => ({
      begin: x.shape.map((_, d) => (d === axis ? i : 0)),
      size: x.shape.map((n, d) => (d === axis ? 1 : n)),
    }));
    return sliceBlocks(args.backend as unknown as WasmBackend, x, blocks).map(({ dataId, dtype }) => ({
      dataId,
      dtype,
      shape: outShape,
    }));
  };
}

const REPLACEMENTS: [string, (original: KernelFunc) => KernelFunc][] = [
  ['Slice', fastSlice],
  ['SplitV', fastSplitV],
  ['Unpack', fastUnpack],
];

let installed = false;

/** Replaces the wasm backend's Slice, SplitV and Unpack (once; the originals handle strings). */
export function useFastWasmSlices(): void {
  if (installed) return;
  for (const [name, make] of REPLACEMENTS) {
    const config = tf.getKernel(name, 'wasm');
    if (!config) continue;
    const replacement: KernelConfig = { ...config, kernelFunc: make(config.kernelFunc) };
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(replacement);
  }
  installed = true;
}
