/**
 * BatchMatMul for the wasm backend when XNNPACK cannot take it: a kernel of our own, in WebAssembly
 * with SIMD, for the batched products of attention.
 *
 * tfjs-backend-wasm sends a matmul to XNNPACK only when it is a single 2-D product with neither
 * operand transposed. Every other one — attention's `[batch·heads, queries, d] × [batch·heads, d,
 * keys]` and its gradients, transposed operands — runs `slow_batch_matmul`: scalar loops that
 * read `b` a column at a time, 0.6–1.3 GFLOP/s, about a third of a Transformer-family training
 * step. `batchMatMul` in wasmKernels.wat does the same arithmetic (k summed in blocks of 48, each block's sum
 * added to the output, float32, no fused multiply-add), so every value is bit for bit the one
 * tfjs's kernel gives (test/engine/wasmBatchMatMul.test.ts), 5–8× faster: it reads rows of `b` four
 * columns to a SIMD vector, sixteen columns at a time. A transposed operand is first transposed by
 * the backend's own Transpose (a copy), which leaves each product's sum in the same order.
 *
 * The module imports the backend's memory and works on tensors where the backend keeps them: no
 * copy in or out. Registered over the backend's BatchMatMul by `useFastWasmBatchMatMul` when wasm
 * is selected; products that XNNPACK takes, and anything not float32, go to the original kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { broadcast_util, util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, replaceWasmKernel, wasmKernels, type WasmBackend } from './wasmKernels';

const size = (shape: number[]): number => util.sizeFromShape(shape);

type Args = Parameters<KernelFunc>[0];

function fastBatchMatMul(original: KernelFunc, transpose: KernelFunc): KernelFunc {
  return (args: Args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2)
      return original(args);
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = size(outerA);
    const batchB = size(outerB);
    // XNNPACK's case, and broadcasts other than one matrix against many, stay with tfjs's kernel.
    if (batchA === 1 && batchB === 1 && !transposeA && !transposeB) return original(args);
    if (batchA !== batchB && batchA !== 1 && batchB !== 1) return original(args);
    const [rowsA, colsA] = a.shape.slice(-2);
    const [rowsB, colsB] = b.shape.slice(-2);
    const m = transposeA ? colsA : rowsA;
    const k = transposeA ? rowsA : colsA;
    const n = transposeB ? rowsB : colsB;
    if ((transposeB ? colsB : rowsB) !== k) return original(args); // tfjs's kernel reports the mismatch
    const backend = args.backend as unknown as WasmBackend;
    const outShape = [...broadcast_util.assertAndGetBroadcastShape(outerA, outerB), m, n];
    const batch = Math.max(batchA, batchB);
    // Operands as [batch, rows, cols] in row-major order: a transposed one is copied transposed.
    const swapLast = (x: TensorInfo): TensorInfo => {
      const perm = x.shape.map((_, d) => d);
      [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
      return transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as TensorInfo;
    };
    const left = transposeA ? swapLast(a) : a; // [batchA, m, k]
    const right = transposeB ? swapLast(b) : b; // [batchB, k, n]
    const out = backend.makeOutput(outShape, 'float32'); // [batch, m, n]
    if (size(outShape) > 0) {
      wasmKernels(backend).batchMatMul(
        heapOffset(backend, left),
        heapOffset(backend, right),
        heapOffset(backend, out),
        batch,
        m,
        k,
        n,
        batchA === 1 ? 0 : m * k,
        batchB === 1 ? 0 : k * n,
      );
    }
    if (left !== a) backend.disposeData(left.dataId);
    if (right !== b) backend.disposeData(right.dataId);
    return out;
  };
}

/** Replaces the wasm backend's BatchMatMul (once, when the wasm backend is registered). */
export function useFastWasmBatchMatMul(): void {
  const transpose = tf.getKernel('Transpose', 'wasm')?.kernelFunc;
  if (transpose) replaceWasmKernel('BatchMatMul', (original) => fastBatchMatMul(original, transpose));
}
