/**
 * AdamW against a plain-JS reference of PyTorch's torch.optim.AdamW on a tiny least-squares problem
 * (decay only where selected, checkpoint and resume continue exactly), and the learning-rate
 * schedules against their closed forms.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, type OptimizerWeight } from '../../src/engine/nn/adamw';
import { Parameters } from '../../src/engine/nn/parameters';
import {
  constantSchedule,
  inverseSqrtSchedule,
  warmupConstantSchedule,
  warmupCosineSchedule,
} from '../../src/engine/nn/schedule';
import { createRandom } from '../../src/engine/random';
import { assertAllClose, assertClose, useBackend, values } from './helpers';

const X = [
  [1, 2],
  [-0.5, 0.3],
  [2, -1],
];
const Y = [
  [0.5, -1],
  [1, 0.2],
  [-0.3, 0.8],
];

/** The tiny model: `layer/kernel` [2, 2] (decayed) and `layer/bias` [2] (not decayed). */
function tinyModel(seed: number) {
  const parameters = new Parameters(createRandom(seed));
  const kernel = parameters.glorot('layer/kernel', 2, 2);
  const bias = parameters.zeros('layer/bias', [2]);
  tf.tidy(() => bias.assign(tf.tensor1d([0.2, -0.1])));
  const loss = () =>
    tf.tidy(() => {
      const residual = tf.sub(tf.add(tf.matMul(tf.tensor2d(X), kernel as tf.Tensor2D), bias), tf.tensor2d(Y));
      return tf.sum(tf.square(residual)) as tf.Scalar;
    });
  return { parameters, kernel, bias, loss };
}

/** One optimiser step on the tiny model, with gradients from tf.variableGrads (keyed by variable name). */
function step(model: ReturnType<typeof tinyModel>, optimizer: AdamW): void {
  tf.tidy(() => optimizer.applyGradients(tf.variableGrads(model.loss, model.parameters.list()).grads));
}

/** Plain-JS AdamW, written from PyTorch's torch.optim.AdamW algorithm, float64. */
class ReferenceAdamW {
  private t = 0;
  private readonly m: number[][];
  private readonly v: number[][];
  constructor(
    readonly params: number[][],
    private readonly decays: boolean[],
    private readonly hyper: { beta1: number; beta2: number; epsilon: number; weightDecay: number },
  ) {
    this.m = params.map((p) => p.map(() => 0));
    this.v = params.map((p) => p.map(() => 0));
  }
  step(grads: number[][], lr: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this.hyper;
    this.t += 1;
    this.params.forEach((p, k) => {
      for (let i = 0; i < p.length; i++) {
        if (this.decays[k]) p[i] *= 1 - lr * weightDecay; // param.mul_(1 - lr * weight_decay)
        this.m[k][i] = beta1 * this.m[k][i] + (1 - beta1) * grads[k][i];
        this.v[k][i] = beta2 * this.v[k][i] + (1 - beta2) * grads[k][i] ** 2;
        const mHat = this.m[k][i] / (1 - beta1 ** this.t);
        const vHat = this.v[k][i] / (1 - beta2 ** this.t);
        p[i] -= (lr * mHat) / (Math.sqrt(vHat) + epsilon);
      }
    });
  }
}

/** d/dW and d/db of Σ (X W + b − Y)², in plain JS: W row-major [2, 2], b [2]. */
function jsGradients(W: number[], b: number[]): number[][] {
  const dW = [0, 0, 0, 0];
  const db = [0, 0];
  X.forEach((x, n) => {
    for (let j = 0; j < 2; j++) {
      const r = x[0] * W[j] + x[1] * W[2 + j] + b[j] - Y[n][j];
      dW[j] += 2 * r * x[0];
      dW[2 + j] += 2 * r * x[1];
      db[j] += 2 * r;
    }
  });
  return [dW, db];
}

/** What the trainer's checkpoint does: values read back, renamed `optimizer/i`, the first tensor disposed. */
async function checkpoint(optimizer: AdamW): Promise<OptimizerWeight[]> {
  const weights = await optimizer.getWeights();
  const saved = await Promise.all(
    weights.map(async (w, i) => ({
      name: `optimizer/${i}`,
      tensor: tf.tensor(await w.tensor.data(), w.tensor.shape, w.tensor.dtype),
    })),
  );
  tf.dispose(weights.map((w) => w.tensor)); // all new tensors
  return saved;
}

/**
 * AdamW as it was computed before its moments were one flat vector: the same float32 operations,
 * parameter by parameter. The flat update must give the same bits.
 */
function perParameterStep(
  parameters: [tf.Variable, tf.Tensor | null, boolean][],
  moments: { m: tf.Tensor; v: tf.Tensor }[],
  t: number,
  options: { lr: number; beta1: number; beta2: number; epsilon: number; weightDecay: number },
): void {
  const { lr, beta1, beta2, epsilon, weightDecay } = options;
  const stepSize = lr / (1 - Math.pow(beta1, t));
  const rootCorrection2 = Math.sqrt(1 - Math.pow(beta2, t));
  const keepFactor = 1 - lr * weightDecay;
  parameters.forEach(([variable, gradient, decays], i) => {
    if (!gradient) return;
    const next = tf.tidy(() => {
      const m = tf.add(tf.mul(moments[i].m, beta1), tf.mul(gradient, 1 - beta1));
      const v = tf.add(tf.mul(moments[i].v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
      const denominator = tf.add(tf.div(tf.sqrt(v), rootCorrection2), epsilon);
      const decayed = decays && weightDecay !== 0 ? tf.mul(variable, keepFactor) : variable;
      variable.assign(tf.sub(decayed, tf.mul(tf.div(m, denominator), stepSize)));
      return { m, v };
    });
    tf.dispose([moments[i].m, moments[i].v]);
    moments[i] = next;
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`AdamW (${backend})`, () => {
    before(() => useBackend(backend));

    it('follows the plain-JS reference for 6 steps under a schedule; decay only on selected parameters', () => {
      const model = tinyModel(41);
      const hyper = { beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.1 };
      const optimizer = new AdamW(model.parameters, { learningRate: 0, ...hyper });
      assert.deepEqual(optimizer.decayedNames(), ['layer/kernel']);
      const reference = new ReferenceAdamW([values(model.kernel), values(model.bias)], [true, false], hyper);
      const schedule = warmupCosineSchedule(0.1, 2, 6, 0.01);
      for (let t = 1; t <= 6; t++) {
        const [W, b] = [values(model.kernel), values(model.bias)];
        reference.step(jsGradients(W, b), schedule(t));
        optimizer.learningRate = schedule(t);
        const before = tf.memory().numTensors;
        step(model, optimizer);
        assert.equal(tf.memory().numTensors, before, 'an update leaks no tensor');
        assertAllClose(values(model.kernel), reference.params[0], 2e-6, `kernel after step ${t}`);
        assertAllClose(values(model.bias), reference.params[1], 2e-6, `bias after step ${t}`);
      }
      assert.equal(optimizer.iterations, 6);
      optimizer.dispose();
      model.parameters.dispose();
    });

    it('with zero gradients only the selected parameters shrink, by exactly (1 − lr·λ) per step', () => {
      const model = tinyModel(42);
      const optimizer = new AdamW(model.parameters, {
        learningRate: 0.5,
        weightDecay: 0.2,
        decay: (name) => name.endsWith('kernel'),
      });
      const [W, b] = [values(model.kernel), values(model.bias)];
      for (let t = 0; t < 3; t++) {
        tf.tidy(() => optimizer.applyGradients({ 'layer/kernel': tf.zeros([2, 2]), 'layer/bias': tf.zeros([2]) }));
      }
      assertAllClose(
        values(model.kernel),
        W.map((w) => w * 0.9 ** 3),
        1e-6,
        'kernel decayed',
      );
      assert.deepEqual(values(model.bias), b, 'bias untouched');
      assert.throws(() => optimizer.applyGradients({ 'no/such': model.bias }), /no parameter named no\/such/);
      optimizer.dispose();
      model.parameters.dispose();
    });

    it('never reads values back during an update (no dataSync)', () => {
      const model = tinyModel(43);
      const optimizer = new AdamW(model.parameters, { learningRate: 0.01 });
      const { grads } = tf.variableGrads(model.loss, model.parameters.list());
      const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
      const saved = { dataSync: proto.dataSync, arraySync: proto.arraySync };
      proto.dataSync = proto.arraySync = () => {
        throw new Error('synchronous read during the update');
      };
      try {
        optimizer.applyGradients(grads);
      } finally {
        Object.assign(proto, saved);
      }
      tf.dispose(Object.values(grads));
      optimizer.dispose();
      model.parameters.dispose();
    });

    it('gives the same bits as the update parameter by parameter, with a parameter left without a gradient', async () => {
      const shapes = [[3, 4], [4], [2, 3, 2], [5], [1]];
      const make = () => {
        const random = createRandom(7);
        return shapes.map((shape, i) =>
          tf.variable(
            tf.tensor(
              Array.from({ length: tf.util.sizeFromShape(shape) }, () => random.next() * 2 - 1),
              shape,
            ),
            true,
            `flat-test-${backend}-${i}-${Math.random()}`,
          ),
        );
      };
      const flatVariables = make();
      const referenceVariables = make();
      const decays = shapes.map((shape) => shape.length >= 2);
      const options = { beta1: 0.9, beta2: 0.98, epsilon: 1e-9, weightDecay: 0.05 };
      const optimizer = new AdamW(
        flatVariables.map((v, i) => [`p${i}`, v] as [string, tf.Variable]),
        { learningRate: 0, ...options },
      );
      const moments = shapes.map((shape) => ({ m: tf.zeros(shape), v: tf.zeros(shape) }));
      const random = createRandom(11);
      for (let t = 1; t <= 5; t++) {
        const lr = 0.01 * t;
        // Parameter 3 has no gradient at steps 2 and 4: it and its moments stay as they are.
        const gradients = shapes.map((shape, i) =>
          i === 3 && t % 2 === 0
            ? null
            : tf.tensor(
                Array.from({ length: tf.util.sizeFromShape(shape) }, () => random.next() * 4 - 2),
                shape,
              ),
        );
        optimizer.learningRate = lr;
        optimizer.applyGradients(Object.fromEntries(gradients.flatMap((g, i) => (g ? [[`p${i}`, g] as const] : []))));
        perParameterStep(
          referenceVariables.map((v, i) => [v, gradients[i], decays[i]]),
          moments,
          t,
          { lr, ...options },
        );
        tf.dispose(gradients.filter((g): g is tf.Tensor => g !== null));
        flatVariables.forEach((v, i) =>
          assert.deepEqual(values(v), values(referenceVariables[i]), `parameter ${i} after step ${t}`),
        );
      }
      const state = await optimizer.getWeights();
      state.slice(1).forEach(({ tensor }, i) => {
        const { m, v } = moments[i % shapes.length];
        assert.deepEqual(values(tensor), values(i < shapes.length ? m : v), `saved ${state[i + 1].name}`);
      });
      tf.dispose([...state.map((w) => w.tensor), ...moments.flatMap(({ m, v }) => [m, v])]);
      optimizer.dispose();
      tf.dispose([...flatVariables, ...referenceVariables]);
    });

    it('a run resumed from saved weights and optimizer state continues exactly like an uninterrupted one', async () => {
      const original = tinyModel(44);
      const optimizer = new AdamW(original.parameters, { learningRate: 0.05 });
      for (let t = 0; t < 3; t++) step(original, optimizer);
      const state = await checkpoint(optimizer);

      const resumed = tinyModel(99); // other initial values, replaced by the checkpoint
      const savedWeights = new Map(original.parameters.entries().map(([name, v]) => [name, v.clone() as tf.Tensor]));
      resumed.parameters.assign(savedWeights);
      tf.dispose([...savedWeights.values()]);
      const resumedOptimizer = new AdamW(resumed.parameters, { learningRate: 0.05 });
      await resumedOptimizer.setWeights(state);
      tf.dispose(state.map((w) => w.tensor));
      assert.equal(resumedOptimizer.iterations, 3);

      for (let t = 0; t < 3; t++) {
        step(original, optimizer);
        step(resumed, resumedOptimizer);
      }
      assert.deepEqual(values(resumed.kernel), values(original.kernel));
      assert.deepEqual(values(resumed.bias), values(original.bias));
      await assert.rejects(resumedOptimizer.setWeights(state.slice(1)), /expected 5/);
      [optimizer, resumedOptimizer].forEach((o) => o.dispose());
      [original, resumed].forEach((m) => m.parameters.dispose());
    });
  });
}

describe('learning-rate schedules', () => {
  it('constant', () => {
    const schedule = constantSchedule(3e-4);
    assert.deepEqual([1, 2, 1000].map(schedule), [3e-4, 3e-4, 3e-4]);
  });

  it('linear warm-up then constant: lr · min(1, step / warmup)', () => {
    const schedule = warmupConstantSchedule(1e-3, 10);
    assertAllClose([1, 5, 10, 11, 500].map(schedule), [1e-4, 5e-4, 1e-3, 1e-3, 1e-3], 1e-15);
    assert.equal(warmupConstantSchedule(1e-3, 0)(1), 1e-3);
  });

  it('linear warm-up then cosine decay to a floor', () => {
    const schedule = warmupCosineSchedule(1, 10, 110, 0.1);
    // Half-way through the decay cos(π/2) = 0: floor + (peak − floor)/2 = 0.55; a quarter in: 0.1 + 0.45·(1 + √½).
    assertAllClose(
      [1, 5, 10, 35, 60, 110, 500].map(schedule),
      [0.1, 0.5, 1, 0.1 + 0.45 * (1 + Math.SQRT1_2), 0.55, 0.1, 0.1],
      1e-12,
    );
  });

  it('inverse square root with warm-up: d^−0.5 · min(step^−0.5, step · warmup^−1.5)', () => {
    const schedule = inverseSqrtSchedule(512, 4000);
    // At the peak (step = warmup) both terms equal 1/√4000: lr = 1/√(512 · 4000) = 6.9877e-4.
    assertClose(schedule(4000), 1 / Math.sqrt(2048000), 1e-12);
    assertClose(schedule(4000), 6.9877e-4, 1e-8);
    assertClose(schedule(1), 1 / (Math.sqrt(512) * 4000 ** 1.5), 1e-15);
    assertClose(schedule(2000), schedule(4000) / 2, 1e-12); // linear rise
    assertClose(schedule(16000), schedule(4000) / 2, 1e-12); // 1/√step decay
    assert.ok(schedule(3999) < schedule(4000) && schedule(4001) < schedule(4000));
  });
});
