/**
 * Backend selection: explicit choices as before, `auto`'s order without a workload, and
 * calibration with one (timed steps on each candidate, a margin for the preferred one, a backend
 * whose step throws is skipped). Synthetic workloads whose cost depends on the current backend
 * make the outcome certain; native.test.ts times a real training step against tensorflow.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { AUTO_ORDER, chooseBackend, pickFastest, selectBackend } from '../../src/engine/backend';
import { nativeSkipReason } from './helpers';

/** Busy-waits for the current backend's cost in milliseconds (a step that cannot be faster). */
function syntheticStep(costs: Record<string, number>): () => void {
  return () => {
    const until = performance.now() + costs[tf.getBackend()];
    while (performance.now() < until) {
      // spin
    }
  };
}

describe('backend selection', () => {
  it('an explicit choice is selected as asked, with that as the reason', async () => {
    assert.equal(await selectBackend('cpu'), 'cpu');
    assert.deepEqual(await chooseBackend('wasm'), { backend: 'wasm', reason: 'wasm (asked for)', msPerStep: {} });
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('auto without a workload takes the first that loads of wasm, tensorflow, cpu', async () => {
    assert.deepEqual(AUTO_ORDER, ['wasm', 'tensorflow', 'cpu']);
    await selectBackend('cpu');
    const chosen = await chooseBackend('auto');
    assert.equal(chosen.backend, 'wasm');
    assert.match(chosen.reason, /^auto: wasm \(first that loads of wasm, tensorflow, cpu; not timed\)$/);
    assert.equal(await selectBackend('auto'), 'wasm');
  });

  it('auto with a workload takes the fastest, and says so with the timings', async () => {
    const lines: string[] = [];
    // 4× apart: a busy machine stretches the steps, but not one backend's by 4× over the other's.
    const chosen = await chooseBackend('auto', syntheticStep({ cpu: 12, wasm: 3 }), {
      candidates: ['cpu', 'wasm'],
      budgetMs: 100,
      log: (line) => lines.push(line),
    });
    assert.equal(chosen.backend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.ok(chosen.msPerStep.cpu! >= 12 && chosen.msPerStep.wasm! >= 3 && chosen.msPerStep.wasm! < 12);
    assert.match(chosen.reason, /^auto: wasm \(\d+\.\d ms\/step vs cpu \d+\.\d ms\/step\)$/);
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^calibration: cpu \d+\.\d ms\/step \(median of [2-8]: /);
  });

  it('the preferred (first) candidate keeps its place unless another is faster by the margin', () => {
    const timings = { wasm: 100, tensorflow: 91 };
    assert.equal(pickFastest(['wasm', 'tensorflow'], timings, 0.1), 'wasm');
    assert.equal(pickFastest(['wasm', 'tensorflow'], { wasm: 100, tensorflow: 89 }, 0.1), 'tensorflow');
    assert.equal(pickFastest(['wasm', 'tensorflow'], timings, 0), 'tensorflow');
    assert.equal(pickFastest(['tensorflow', 'wasm'], timings, 0.1), 'tensorflow');
    assert.equal(pickFastest(['wasm', 'tensorflow', 'cpu'], { wasm: 100, tensorflow: 89, cpu: 85 }, 0.1), 'tensorflow');
  });

  it('a backend whose step throws is skipped, and the reason says why', async () => {
    const step = () => {
      if (tf.getBackend() === 'wasm') throw new Error('no UnsortedSegmentSum kernel\nstack…');
      syntheticStep({ cpu: 1 })();
    };
    const chosen = await chooseBackend('auto', step, { candidates: ['wasm', 'cpu'], budgetMs: 50 });
    assert.equal(chosen.backend, 'cpu');
    assert.match(
      chosen.reason,
      /^auto: cpu \([\d.]+ ms\/step; wasm failed the workload: no UnsortedSegmentSum kernel\)$/,
    );
  });

  it(
    'auto with a workload and no native backend: wasm, untimed, and why tensorflow is out',
    { skip: nativeSkipReason() === null ? 'the native backend is installed: native.test.ts times it' : false },
    async () => {
      let steps = 0;
      const chosen = await chooseBackend('auto', () => steps++);
      assert.equal(chosen.backend, 'wasm');
      assert.equal(steps, 0, 'nothing to compare, so nothing timed');
      assert.match(chosen.reason, /^auto: wasm \(the only candidate that loads, not timed; tensorflow unavailable: /);
    },
  );
});
