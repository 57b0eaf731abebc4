/**
 * The WebAssembly module of our own kernels (src/engine/wasmKernels.wat): the committed binary is
 * the compiled text, and each replacement of a wasm kernel is registered once, keeping the
 * backend's own.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { BINARY_MODULE, binaryModuleText, compileWasmKernels } from '../../scripts/build-wasm-kernels';
import { WASM_KERNELS } from '../../src/engine/wasmKernelsBinary';
import { originalWasmKernel, replaceWasmKernel } from '../../src/engine/wasmKernels';
import { useBackend } from './helpers';

describe('our wasm kernels', () => {
  before(() => useBackend('wasm'));

  it('the committed binary is the compiled .wat (npm run build:wasm-kernels after editing it)', async () => {
    const bytes = await compileWasmKernels();
    assert.equal(WASM_KERNELS, bytes.toString('base64'));
    assert.equal(readFileSync(BINARY_MODULE, 'utf8'), binaryModuleText(bytes));
  });

  it('every replaced kernel is ours on the wasm backend, registered once, the original kept', () => {
    for (const name of ['Slice', 'SplitV', 'Unpack', 'Concat', 'Pack', 'BatchMatMul', 'Identity']) {
      const original = originalWasmKernel(name);
      assert.ok(original, `${name} was not replaced`);
      assert.notEqual(tf.getKernel(name, 'wasm')?.kernelFunc, original, name);
      const registered = tf.getKernel(name, 'wasm')?.kernelFunc;
      assert.equal(
        replaceWasmKernel(name, () => () => {
          throw new Error('registered twice');
        }),
        original,
      );
      assert.equal(tf.getKernel(name, 'wasm')?.kernelFunc, registered, `${name} was registered again`);
    }
  });
});
