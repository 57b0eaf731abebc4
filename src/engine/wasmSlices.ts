/**
 * Slice, SplitV, Unpack, Concat and Pack (stack) for the wasm backend: each run of contiguous
 * elements copied once, by wasmKernels.wat's `copyRows` (a memory.copy a run, in the backend's
 * memory).
 *
 * tfjs-backend-wasm's Slice (which its SplitV and Unpack call once per output) starts with
 * `backend.readSync(x)`: a JS copy of the entire input, then copies the slice out of it. Unpacking
 * a GRU's `[batch, len, 3·hidden]` input projections into its `len` time steps thus copied the
 * whole tensor `len` times, and every SplitV in a GRU step copied its input once per part. Its
 * Concat copies each row of each input with `subarray` + `set` in JavaScript (an object a row;
 * the GRU's backward pass concatenates twice a time step), and its Pack goes through that Concat.
 * These kernels copy only the slice, a run at a time, with the same results (a copy is a copy).
 * Registered over the backend's own by `useFastWasmSlices` when wasm is selected; strings and
 * complex numbers keep the originals.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, slice_util, util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import {
  copiedAsBytes,
  elementBytes,
  heapOffset,
  replaceWasmKernel,
  wasmKernels,
  type WasmBackend,
  type WasmKernels,
} from './wasmKernels';

/** Copies the block `begin`, `size` of `x` (shape `shape`, at byte `from`) to byte `to`, row-major. */
function copyBlock(
  kernels: WasmKernels,
  from: number,
  shape: number[],
  begin: number[],
  size: number[],
  to: number,
  bytes: number,
): void {
  const rank = shape.length;
  if (rank === 0) {
    kernels.copyRows(from, to, 1, bytes, 0, 0);
    return;
  }
  const strides = [...util.computeStrides(shape), 1]; // [rank], in elements
  // Trailing dimensions the block spans in full are contiguous with the one before them: one run
  // (a time step of a time-major [len, batch, hidden] tensor is a single run, not `batch` runs).
  let inner = rank - 1;
  let run = size[inner];
  while (inner > 0 && size[inner] === shape[inner]) run *= size[--inner];
  const start = from + begin[inner] * strides[inner] * bytes;
  if (inner === 0) {
    kernels.copyRows(start, to, 1, run * bytes, 0, 0);
    return;
  }
  // The dimension just before the run is one copyRows call; the ones before it are counted here.
  const rowDim = inner - 1;
  const rows = size[rowDim];
  const blocks = util.sizeFromShape(size.slice(0, rowDim));
  const index = new Array<number>(rowDim).fill(0); // position among the dimensions before `rowDim`
  for (let block = 0; block < blocks; block++) {
    let offset = begin[rowDim] * strides[rowDim];
    for (let d = 0; d < rowDim; d++) offset += (begin[d] + index[d]) * strides[d];
    kernels.copyRows(
      start + offset * bytes,
      to + block * rows * run * bytes,
      rows,
      run * bytes,
      strides[rowDim] * bytes,
      run * bytes,
    );
    for (let d = rowDim - 1; d >= 0; d--) {
      if (++index[d] < size[d]) break;
      index[d] = 0;
    }
  }
}

/** The blocks of `x`, each a new tensor. */
function sliceBlocks(backend: WasmBackend, x: TensorInfo, blocks: { begin: number[]; size: number[] }[]): TensorInfo[] {
  const outs = blocks.map(({ size }) => backend.makeOutput(size, x.dtype));
  const kernels = wasmKernels(backend);
  const from = heapOffset(backend, x);
  blocks.forEach(({ begin, size }, i) => {
    if (util.sizeFromShape(size) > 0) {
      copyBlock(kernels, from, x.shape, begin, size, heapOffset(backend, outs[i]), elementBytes(x.dtype));
    }
  });
  return outs;
}

type Args = Parameters<KernelFunc>[0];

function fastSlice(original: KernelFunc): KernelFunc {
  return (args: Args) => {
    const x = args.inputs.x as TensorInfo;
    if (!copiedAsBytes(x.dtype)) return original(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [begin_, size_] = slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceBlocks(args.backend as unknown as WasmBackend, x, [{ begin: begin_, size: size_ }])[0];
  };
}

function fastSplitV(original: KernelFunc): KernelFunc {
  return (args: Args) => {
    const x = args.inputs.x as TensorInfo;
    if (!copiedAsBytes(x.dtype)) return original(args);
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
    if (!copiedAsBytes(x.dtype)) return original(args);
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

/** Writes row r of `out` as row r of every part in turn (`widths`: bytes a row of each part). */
function interleaveRows(
  backend: WasmBackend,
  parts: TensorInfo[],
  rows: number,
  widths: number[],
  out: TensorInfo,
): void {
  const rowBytes = widths.reduce((a, b) => a + b, 0);
  const kernels = wasmKernels(backend);
  let column = heapOffset(backend, out);
  parts.forEach((part, i) => {
    kernels.copyRows(heapOffset(backend, part), column, rows, widths[i], widths[i], rowBytes);
    column += widths[i];
  });
}

function fastConcat(original: KernelFunc): KernelFunc {
  return (args: Args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const dtype = inputs[0]?.dtype;
    const parts = inputs.filter((t) => util.sizeFromShape(t.shape) > 0);
    if (!dtype || !copiedAsBytes(dtype) || parts.length < 2) return original(args);
    const axis = util.parseAxisParam((args.attrs as unknown as tf.ConcatAttrs).axis, inputs[0].shape)[0];
    const shapes = inputs.map((t) => t.shape);
    backend_util.assertParamsConsistent(shapes, axis);
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput(backend_util.computeOutShape(shapes, axis), dtype);
    const rows = util.sizeFromShape(parts[0].shape.slice(0, axis));
    const widths = parts.map((t) => util.sizeFromShape(t.shape.slice(axis)) * elementBytes(dtype));
    interleaveRows(backend, parts, rows, widths, out);
    return out;
  };
}

/** Stack (`tf.stack`): the backend's own concatenates through its JavaScript Concat. */
function fastPack(original: KernelFunc): KernelFunc {
  return (args: Args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const [first] = inputs;
    if (inputs.length < 2 || !copiedAsBytes(first.dtype)) return original(args);
    inputs.forEach((t) => {
      util.assertShapesMatch(first.shape, t.shape, 'All tensors passed to stack must have matching shapes');
      util.assert(first.dtype === t.dtype, () => 'All tensors passed to stack must have matching dtypes');
    });
    let { axis } = args.attrs as unknown as tf.PackAttrs;
    if (axis < 0) axis += first.shape.length + 1;
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput(
      [...first.shape.slice(0, axis), inputs.length, ...first.shape.slice(axis)],
      first.dtype,
    );
    const width = util.sizeFromShape(first.shape.slice(axis)) * elementBytes(first.dtype);
    if (width > 0)
      interleaveRows(
        backend,
        inputs,
        util.sizeFromShape(first.shape.slice(0, axis)),
        inputs.map(() => width),
        out,
      );
    return out;
  };
}

const REPLACEMENTS: [string, (original: KernelFunc) => KernelFunc][] = [
  ['Slice', fastSlice],
  ['SplitV', fastSplitV],
  ['Unpack', fastUnpack],
  ['Concat', fastConcat],
  ['Pack', fastPack],
];

/** Replaces the wasm backend's Slice, SplitV, Unpack, Concat and Pack (once; the originals handle strings). */
export function useFastWasmSlices(): void {
  for (const [name, make] of REPLACEMENTS) replaceWasmKernel(name, make);
}
