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

interface Slot {
  name: string;
  variable: tf.Variable;
  decays: boolean;
  firstMoment: tf.Variable; // m, same shape as the variable
  secondMoment: tf.Variable; // v, same shape as the variable
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

  /** `parameters`: a Parameters store or its `entries()`; their order fixes the order of the saved state. */
  constructor(parameters: Parameters | Iterable<[string, tf.Variable]>, options: AdamWOptions) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    const decay = options.decay ?? decayMatrices;
    const entries = parameters instanceof Parameters ? parameters.entries() : [...parameters];
    // tidy disposes the zeros; the variables keep their data.
    this.slots = tf.tidy(() =>
      entries.map(([name, variable]) => ({
        name,
        variable,
        decays: decay(name, variable),
        firstMoment: tf.variable(tf.zerosLike(variable), false),
        secondMoment: tf.variable(tf.zerosLike(variable), false),
      })),
    );
    for (const slot of this.slots) {
      this.slotByKey.set(slot.name, slot);
      this.slotByKey.set(slot.variable.name, slot);
    }
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
   * variable's name) to a tensor of its shape; a parameter without a gradient is left as it is.
   */
  applyGradients(gradients: Record<string, tf.Tensor>): void {
    const updates: [Slot, tf.Tensor][] = [];
    for (const [key, gradient] of Object.entries(gradients)) {
      if (gradient == null) continue;
      const slot = this.slotByKey.get(key);
      if (!slot) throw new Error(`AdamW: no parameter named ${key}`);
      updates.push([slot, gradient]);
    }
    this.step += 1;
    const t = this.step;
    const lr = this.learningRate;
    const { beta1, beta2, epsilon, weightDecay } = this;
    const stepSize = lr / (1 - Math.pow(beta1, t)); // lr / (1 − β₁ᵗ)
    const rootCorrection2 = Math.sqrt(1 - Math.pow(beta2, t)); // √(1 − β₂ᵗ)
    const keepFactor = 1 - lr * weightDecay; // decoupled decay: w · (1 − lr·λ)
    tf.tidy(() => {
      for (const [slot, gradient] of updates) {
        const m = tf.add(tf.mul(slot.firstMoment, beta1), tf.mul(gradient, 1 - beta1)); // [param shape]
        const v = tf.add(tf.mul(slot.secondMoment, beta2), tf.mul(tf.square(gradient), 1 - beta2)); // [param shape]
        slot.firstMoment.assign(m);
        slot.secondMoment.assign(v);
        const denominator = tf.add(tf.div(tf.sqrt(v), rootCorrection2), epsilon); // [param shape]: √v̂ + ε
        const decayed = slot.decays && weightDecay !== 0 ? tf.mul(slot.variable, keepFactor) : slot.variable; // [param shape]
        slot.variable.assign(tf.sub(decayed, tf.mul(tf.div(m, denominator), stepSize))); // [param shape]
      }
    });
  }

  /**
   * The state, in tf.Optimizer's layout: `[iterations (int32 scalar), m of every parameter…, v of every
   * parameter…]`, in the constructor's parameter order. The first tensor is new (the caller disposes
   * it); the moments are the optimizer's own variables (do not dispose them).
   */
  async getWeights(): Promise<OptimizerWeight[]> {
    return [
      { name: 'iter', tensor: tf.scalar(this.step, 'int32') },
      ...this.slots.map((slot) => ({ name: `${slot.name}/m`, tensor: slot.firstMoment as tf.Tensor })),
      ...this.slots.map((slot) => ({ name: `${slot.name}/v`, tensor: slot.secondMoment as tf.Tensor })),
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
    const targets = [...this.slots.map((slot) => slot.firstMoment), ...this.slots.map((slot) => slot.secondMoment)];
    targets.forEach((target, i) => {
      const { name, tensor } = weights[1 + i];
      if (tensor.shape.join() !== target.shape.join()) {
        throw new Error(`AdamW state ${name} has shape [${tensor.shape}], expected [${target.shape}]`);
      }
    });
    const iterations = (await weights[0].tensor.data())[0];
    tf.tidy(() => targets.forEach((target, i) => target.assign(tf.cast(weights[1 + i].tensor, 'float32'))));
    this.step = iterations;
  }

  dispose(): void {
    for (const slot of this.slots) {
      slot.firstMoment.dispose();
      slot.secondMoment.dispose();
    }
  }
}
