/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay
 * Regularization", 2019). Adding λ·w to the gradient (L2 regularisation) would let Adam's per-weight
 * scaling shrink the decay of weights with large gradients; AdamW instead shrinks the weight itself,
 * outside the adaptive step. tfjs-core has no AdamW, and tfjs-layers is not a dependency.
 *
 * Exact update, as PyTorch's `torch.optim.AdamW`, at step t = 1, 2, … with learning rate lr_t
 * (the value of `learningRate` when `applyGradients` is called):
 *
 *   w ← w · (1 − lr_t · λ)                    only for parameters `decay` selects
 *   m ← β₁ m + (1 − β₁) g
 *   v ← β₂ v + (1 − β₂) g²
 *   w ← w − (lr_t / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * i.e. w ← w − lr_t · (m̂ / (√v̂ + ε) + λ·w) with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), w the weight
 * before the step. Everything runs on the backend; the bias corrections are JS numbers computed from
 * the step count, so an update never reads a value back (no dataSync).
 */
import * as tf from '@tensorflow/tfjs-core';
import { flatten, unflatten } from './flat';
import { Parameters } from './parameters';

/** A tensor and the name it is saved under (the shape of tf.Optimizer's weights). */
export interface OptimizerWeight {
  name: string;
  tensor: tf.Tensor;
}

export interface AdamWOptions {
  /** Initial learning rate; a schedule may set `learningRate` before every step. */
  learningRate: number;
  beta1?: number; // default 0.9
  beta2?: number; // default 0.999
  epsilon?: number; // default 1e-8
  /** λ, default 0.01 (PyTorch's). */
  weightDecay?: number;
  /** Which parameters decay, by name (the variable is passed too, for its shape). Default: `decayMatrices`. */
  decay?: (name: string, variable: tf.Variable) => boolean;
}

/** The usual rule: decay weight matrices (rank ≥ 2: kernels, embeddings), not biases or layer-norm gains. */
export function decayMatrices(_name: string, variable: tf.Variable): boolean {
  return variable.rank >= 2;
}

/** Where each parameter sits in the flat vectors of the moments. */
interface Slot {
  name: string;
  variable: tf.Variable;
  decays: boolean;
  /** Offset and size in the flat vectors. */
  offset: number;
  size: number;
}

export class AdamW {
  /** lr_t: set it before `applyGradients` to follow a schedule. */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private step = 0;
  private readonly slots: Slot[];
  /** A gradient may be keyed by the parameter's name or by its TensorFlow.js variable name (as tf.variableGrads returns). */
  private readonly slotByKey = new Map<string, Slot>();
  /**
   * m and v of every parameter, concatenated in the constructor's order: the update is elementwise,
   * so the same kernels on one vector give the same float32 values as per parameter, in about 15
   * kernels instead of 12 per parameter (a Transformer has ~90 parameters; on wasm every kernel
   * costs 5–50 µs however small).
   */
  private readonly firstMoment: tf.Variable; // m [parameters]
  private readonly secondMoment: tf.Variable; // v [parameters]
  /** 1 where the parameter decays (bool), or null when none does. */
  private readonly decayMask: tf.Tensor1D | null;

  /** `parameters`: a Parameters store or its `entries()`; their order fixes the order of the saved state. */
  constructor(parameters: Parameters | Iterable<[string, tf.Variable]>, options: AdamWOptions) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    const decay = options.decay ?? decayMatrices;
    const entries = parameters instanceof Parameters ? parameters.entries() : [...parameters];
    let offset = 0;
    this.slots = entries.map(([name, variable]) => {
      const slot = { name, variable, decays: decay(name, variable), offset, size: variable.size };
      offset += variable.size;
      return slot;
    });
    for (const slot of this.slots) {
      this.slotByKey.set(slot.name, slot);
      this.slotByKey.set(slot.variable.name, slot);
    }
    this.firstMoment = tf.tidy(() => tf.variable(tf.zeros([offset]), false));
    this.secondMoment = tf.tidy(() => tf.variable(tf.zeros([offset]), false));
    this.decayMask = this.slots.some((slot) => slot.decays)
      ? tf.tidy(
          () =>
            tf.cast(
              this.flagVector((slot) => slot.decays),
              'bool',
            ) as tf.Tensor1D,
        )
      : null;
  }

  /** Steps taken so far (t of the last update). */
  get iterations(): number {
    return this.step;
  }

  /** Names of the parameters that get weight decay, in order (for a run's log). */
  decayedNames(): string[] {
    return this.slots.filter((slot) => slot.decays).map((slot) => slot.name);
  }

  /**
   * One update of every parameter that has a gradient. `gradients` maps a parameter's name (or its
   * variable's name) to a tensor of its shape; a parameter without a gradient is left as it is
   * (its moments too).
   */
  applyGradients(gradients: Record<string, tf.Tensor>): void {
    const given = new Map<Slot, tf.Tensor>();
    for (const [key, gradient] of Object.entries(gradients)) {
      if (gradient == null) continue;
      const slot = this.slotByKey.get(key);
      if (!slot) throw new Error(`AdamW: no parameter named ${key}`);
      given.set(slot, gradient);
    }
    this.step += 1;
    if (given.size === 0) return;
    const t = this.step;
    const lr = this.learningRate;
    const { beta1, beta2, epsilon, weightDecay } = this;
    const stepSize = lr / (1 - Math.pow(beta1, t)); // lr / (1 − β₁ᵗ)
    const rootCorrection2 = Math.sqrt(1 - Math.pow(beta2, t)); // √(1 − β₂ᵗ)
    const keepFactor = 1 - lr * weightDecay; // decoupled decay: w · (1 − lr·λ)
    const [m0, v0] = [this.firstMoment, this.secondMoment];
    tf.tidy(() => {
      const gradient = flatten(this.slots.map((slot) => given.get(slot) ?? tf.zeros(slot.variable.shape))); // [parameters]
      const weights = flatten(this.slots.map((slot) => slot.variable)); // [parameters]
      let m = tf.add(tf.mul(m0, beta1), tf.mul(gradient, 1 - beta1)); // [parameters]
      let v = tf.add(tf.mul(v0, beta2), tf.mul(tf.square(gradient), 1 - beta2)); // [parameters]
      const denominator = tf.add(tf.div(tf.sqrt(v), rootCorrection2), epsilon); // [parameters]: √v̂ + ε
      // Decayed elements are w·(1 − lr·λ), the others w itself: the same float32 values as per parameter.
      const decayed =
        this.decayMask && weightDecay !== 0 ? tf.where(this.decayMask, tf.mul(weights, keepFactor), weights) : weights; // [parameters]
      let updated = tf.sub(decayed, tf.mul(tf.div(m, denominator), stepSize)); // [parameters]
      if (given.size < this.slots.length) {
        // A parameter without a gradient keeps its value and moments.
        const keep = tf.cast(
          this.flagVector((slot) => given.has(slot)),
          'bool',
        ); // [parameters]
        m = tf.where(keep, m, m0);
        v = tf.where(keep, v, v0);
        updated = tf.where(keep, updated, weights);
      }
      m0.assign(m);
      v0.assign(v);
      const parts = unflatten(updated, this.shapes());
      this.slots.forEach((slot, i) => {
        if (given.has(slot)) slot.variable.assign(parts[i]);
      });
    });
  }

  /**
   * The state, in tf.Optimizer's layout: `[iterations (int32 scalar), m of every parameter…, v of every
   * parameter…]`, in the constructor's parameter order. All new tensors: the caller disposes them.
   */
  async getWeights(): Promise<OptimizerWeight[]> {
    const named = (flat: tf.Variable, suffix: string): OptimizerWeight[] =>
      tf
        .tidy(() => unflatten(flat, this.shapes()))
        .map((tensor, i) => ({ name: `${this.slots[i].name}/${suffix}`, tensor }));
    return [
      { name: 'iter', tensor: tf.scalar(this.step, 'int32') },
      ...named(this.firstMoment, 'm'),
      ...named(this.secondMoment, 'v'),
    ];
  }

  /**
   * Restores what getWeights returned (matched by position, as a checkpoint's `optimizer/0…` names
   * are); the values are copied, the caller may dispose its tensors. Shapes must match.
   */
  async setWeights(weights: OptimizerWeight[]): Promise<void> {
    const n = this.slots.length;
    if (weights.length !== 1 + 2 * n) {
      throw new Error(
        `AdamW state has ${weights.length} tensors, expected ${1 + 2 * n} (iterations, m and v of ${n} parameters)`,
      );
    }
    weights.slice(1).forEach(({ name, tensor }, i) => {
      const expected = this.slots[i % n].variable.shape;
      if (tensor.shape.join() !== expected.join()) {
        throw new Error(`AdamW state ${name} has shape [${tensor.shape}], expected [${expected}]`);
      }
    });
    const iterations = (await weights[0].tensor.data())[0];
    const flat = (part: OptimizerWeight[]) => flatten(part.map((w) => w.tensor));
    tf.tidy(() => {
      this.firstMoment.assign(flat(weights.slice(1, 1 + n)));
      this.secondMoment.assign(flat(weights.slice(1 + n)));
    });
    this.step = iterations;
  }

  /** Every parameter's shape, in order. */
  private shapes(): number[][] {
    return this.slots.map((slot) => slot.variable.shape);
  }

  /** `[parameters]`: 1 over the parameters `flag` selects, 0 elsewhere. */
  private flagVector(flag: (slot: Slot) => boolean): tf.Tensor1D {
    return tf.concat(this.slots.map((slot) => (flag(slot) ? tf.ones : tf.zeros)([slot.size]))) as tf.Tensor1D;
  }

  dispose(): void {
    this.firstMoment.dispose();
    this.secondMoment.dispose();
    this.decayMask?.dispose();
  }
}
