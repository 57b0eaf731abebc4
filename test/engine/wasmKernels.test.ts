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

  it('where the backend’s memory cannot be imported (a shared memory), the backend’s own kernels do the work', () => {
    const real = tf.backend() as unknown as { wasm: object };
    // The same backend, but its module's memory is a shared one, as in a threaded build.
    const wasm = Object.create(real.wasm) as { asm: object };
    wasm.asm = { memory: new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }) };
    const backend = Object.create(real) as tf.KernelBackend;
    Object.defineProperty(backend, 'wasm', { value: wasm });
    const a = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const b = tf.tensor3d([1, 0, 0, 1, 2, 0, 0, 2], [2, 2, 2]);
    const kernel = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc;
    assert.ok(kernel);
    const info = kernel({
      inputs: { a, b },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
    const product = tf.engine().makeTensorFromTensorInfo(info);
    assert.deepEqual(Array.from(product.dataSync()), [1, 2, 3, 4, 10, 12, 14, 16]);
    // and the real backend loads the module again
    const again = tf.matMul(a, b);
    assert.deepEqual(Array.from(again.dataSync()), [1, 2, 3, 4, 10, 12, 14, 16]);
    tf.dispose([a, b, product, again]);
  });
});
