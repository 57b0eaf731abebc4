/**
 * Adam computed on all the parameters at once, with the values of tfjs-core's `tf.train.adam`
 * bit for bit (same float32 operations in the same order, β1 0.9, β2 0.999, ε the backend's
 * epsilon, 1e-7 on float32), and the same saved state (`[iterations, m of every variable…, v of
 * every variable…]`), so checkpoints of either restore into the other.
 *
 * Why: tf.train.adam updates each variable with its own 14 kernels and 6 uploaded scalars. Adam
 * is elementwise, so the same kernels on one vector of every parameter give the same numbers; a
 * seq2seq model's 17 variables then cost 17 kernels (plus a concat and a split) instead of about
 * 240, and on wasm every kernel costs 5–50 µs however small.
 *
 * The moments live as two flat variables `[parameters]` in the order of the first gradients'
 * names (tf.train.adam's order too); the parameters are found by name among the registered
 * variables, as tf.train.adam finds them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerWeight } from './adamw';
import { flatten, unflatten } from './flat';

const BETA1 = 0.9;
const BETA2 = 0.999;

interface Layout {
  /** Variable names in gradient order (null until the first step after a restore). */
  names: string[] | null;
  shapes: number[][];
  sizes: number[];
}

export class FlatAdam {
  private readonly epsilon = tf.backend().epsilon();
  private iterations = 0;
  private layout: Layout | null = null;
  private firstMoment: tf.Variable | null = null; // m [parameters]
  private secondMoment: tf.Variable | null = null; // v [parameters]
  // β1ᵗ and β2ᵗ as float32 scalars multiplied once per step, exactly as tf.train.adam keeps them.
  private readonly accBeta1 = tf.tidy(() => tf.variable(tf.scalar(BETA1), false));
  private readonly accBeta2 = tf.tidy(() => tf.variable(tf.scalar(BETA2), false));

  constructor(readonly learningRate: number) {}

  /** One update of every variable named in `gradients` (keyed by variable name, as tf.variableGrads returns them). */
  applyGradients(gradients: tf.NamedTensorMap): void {
    const names = Object.keys(gradients);
    if (names.length === 0) return;
    const variables = names.map((name) => {
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`Adam: no variable named ${name}`);
      return variable;
    });
    const layout = this.bind(names, variables);
    const [m0, v0] = [this.firstMoment!, this.secondMoment!];
    tf.tidy(() => {
      // Gradients in the layout's order; a variable without a gradient this step keeps its value
      // and moments (tf.train.adam skips it), through a 0/1 mask over the flat vector.
      const missing = layout.names!.filter((name) => !gradients[name]);
      const byName = new Map(names.map((name, i) => [name, variables[i]]));
      const ordered = layout.names!.map((name) => tf.engine().registeredVariables[name] ?? byName.get(name)!);
      const g = flatten(layout.names!.map((name, i) => gradients[name] ?? tf.zeros(layout.shapes[i]))); // [parameters]
      const value = flatten(ordered); // [parameters]
      const oneMinusAccBeta1 = tf.sub(1, this.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, this.accBeta2);
      let m = tf.add(tf.mul(m0, BETA1), tf.mul(g, 1 - BETA1)); // [parameters]
      let v = tf.add(tf.mul(v0, BETA2), tf.mul(tf.square(g), 1 - BETA2)); // [parameters]
      const mHat = tf.div(m, oneMinusAccBeta1); // [parameters]
      const vHat = tf.div(v, oneMinusAccBeta2); // [parameters]
      let updated = tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate), value); // [parameters]
      if (missing.length > 0) {
        const has = flatten(layout.names!.map((name, i) => (gradients[name] ? tf.ones : tf.zeros)(layout.shapes[i])));
        const keep = tf.cast(has, 'bool'); // [parameters]
        m = tf.where(keep, m, m0);
        v = tf.where(keep, v, v0);
        updated = tf.where(keep, updated, value);
      }
      m0.assign(m);
      v0.assign(v);
      const parts = unflatten(updated, layout.shapes);
      ordered.forEach((variable, i) => variable.assign(parts[i]));
      this.accBeta1.assign(tf.mul(this.accBeta1, BETA1));
      this.accBeta2.assign(tf.mul(this.accBeta2, BETA2));
    });
    this.iterations++;
  }

  /**
   * `[iterations (int32 scalar), m of every variable…, v of every variable…]`, tf.train.adam's
   * layout, all new tensors the caller disposes.
   */
  async getWeights(): Promise<OptimizerWeight[]> {
    const weights: OptimizerWeight[] = [{ name: 'iter', tensor: tf.scalar(this.iterations, 'int32') }];
    const layout = this.layout;
    if (!layout) return weights;
    const names = layout.names ?? layout.sizes.map((_, i) => `${i}`);
    const named = (flat: tf.Variable, suffix: string): OptimizerWeight[] =>
      tf.tidy(() => unflatten(flat, layout.shapes)).map((tensor, i) => ({ name: `${names[i]}/${suffix}`, tensor }));
    return [...weights, ...named(this.firstMoment!, 'm'), ...named(this.secondMoment!, 'v')];
  }

  /** Restores what getWeights (or tf.train.adam's getWeights) returned; the values are copied. */
  async setWeights(weights: OptimizerWeight[]): Promise<void> {
    this.iterations = (await weights[0].tensor.data())[0];
    const moments = weights.slice(1);
    const count = moments.length / 2;
    this.disposeMoments();
    tf.tidy(() => {
      // tf.train.adam restores βᵗ as a power, not as the product it accumulates: do the same.
      this.accBeta1.assign(tf.pow(BETA1, this.iterations + 1));
      this.accBeta2.assign(tf.pow(BETA2, this.iterations + 1));
    });
    if (count === 0) {
      this.layout = null;
      return;
    }
    const shapes = moments.slice(0, count).map((w) => w.tensor.shape);
    this.layout = { names: null, shapes, sizes: shapes.map((shape) => tf.util.sizeFromShape(shape)) };
    const flat = (part: OptimizerWeight[]) => tf.tidy(() => tf.variable(flatten(part.map((w) => w.tensor)), false));
    this.firstMoment = flat(moments.slice(0, count));
    this.secondMoment = flat(moments.slice(count));
  }

  dispose(): void {
    this.disposeMoments();
    this.accBeta1.dispose();
    this.accBeta2.dispose();
  }

  private disposeMoments(): void {
    this.firstMoment?.dispose();
    this.secondMoment?.dispose();
    this.firstMoment = null;
    this.secondMoment = null;
  }

  /** The layout fixed by the first step (or checked against a restored one). */
  private bind(names: string[], variables: tf.Variable[]): Layout {
    if (!this.layout) {
      const shapes = variables.map((variable) => variable.shape);
      this.layout = { names, shapes, sizes: shapes.map((shape) => tf.util.sizeFromShape(shape)) };
      const total = this.layout.sizes.reduce((a, b) => a + b, 0);
      this.firstMoment = tf.tidy(() => tf.variable(tf.zeros([total]), false));
      this.secondMoment = tf.tidy(() => tf.variable(tf.zeros([total]), false));
      return this.layout;
    }
    const layout = this.layout;
    if (!layout.names) {
      // Restored: the saved moments follow the order of the gradients, as tf.train.adam's do.
      if (names.length !== layout.shapes.length)
        throw new Error(`Adam state has moments of ${layout.shapes.length} variables, the model has ${names.length}`);
      variables.forEach((variable, i) => {
        if (variable.shape.join() !== layout.shapes[i].join())
          throw new Error(
            `Adam state ${i} has shape [${layout.shapes[i]}], variable ${names[i]} has [${variable.shape}]`,
          );
      });
      layout.names = names;
      return layout;
    }
    const unknown = names.find((name) => !layout.names!.includes(name));
    if (unknown) throw new Error(`Adam: ${unknown} was not among the variables of its first step`);
    return layout;
  }
}
