/** Shared test helpers for engine tests. */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/engine/backend';
import type { BackendName } from '../../src/shared/ids';

/** Switches to `backend` (cpu or wasm) for the tests that follow. */
export async function useBackend(backend: BackendName): Promise<void> {
  const chosen = await selectBackend(backend);
  if (chosen !== backend) throw new Error(`wanted ${backend}, got ${chosen}`);
}

export function assertClose(actual: number, expected: number, tolerance: number, what = 'value'): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${what}: expected ${expected} ± ${tolerance}, got ${actual}`);
  }
}

export function assertAllClose(actual: number[], expected: number[], tolerance: number, what = 'values'): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} ≠ ${expected.length}`);
  actual.forEach((a, i) => assertClose(a, expected[i], tolerance, `${what}[${i}]`));
}

export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}
