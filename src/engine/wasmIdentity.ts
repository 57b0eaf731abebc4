/**
 * Identity for the wasm backend without a copy: the output shares the input's buffer, as the cpu
 * backend's Identity and the wasm backend's own Reshape do.
 *
 * tfjs-core runs Identity (`clone`) for every tensor an op saves for its gradient, and
 * tfjs-backend-wasm's Identity copies the data: about 100 copies an attention-seq2seq training
 * step and 225 a mini-gpt step, activations included. Tensors are immutable and the backend counts
 * references to a buffer (it frees one when its last tensor is disposed), so a shared buffer is
 * the same value at no cost. Registered over the backend's own by `useSharedWasmIdentity` when
 * wasm is selected; strings keep the original.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { replaceWasmKernel, type WasmBackend } from './wasmKernels';

function sharedIdentity(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return original(args);
    (args.backend as unknown as WasmBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** Replaces the wasm backend's Identity (once). */
export function useSharedWasmIdentity(): void {
  replaceWasmKernel('Identity', sharedIdentity, false);
}
