/**
 * Named trainable variables of a model. Names are the ones `shapes.json` and the saved weights use
 * (e.g. `encoder/gru/input_kernel`). Initial values come from the run's seeded generator, so the
 * same seed gives the same model on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's CommonJS build registers no gradient functions; this side-effect import does
// (gradient registries are global, so every copy of tfjs-core sees them).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { Random } from '../random';

/** Variable names are global in a TensorFlow.js engine: each model's get a unique prefix. */
let modelCount = 0;

export class Parameters {
  private readonly variables = new Map<string, tf.Variable>();
  private readonly prefix = `model${++modelCount}`;

  /**
   * `expected`: the shape of every saved weight (a checkpoint's manifest). Each variable is then
   * checked against it before its values are allocated, so a config that implies another (or a
   * huge) model fails at its first differing weight instead of building it.
   */
  constructor(
    private readonly random: Random,
    private readonly expected?: ReadonlyMap<string, readonly number[]>,
  ) {}

  /** Glorot-uniform matrix [fanIn, fanOut]: keeps activations' variance steady through a layer. */
  glorot(name: string, fanIn: number, fanOut: number): tf.Variable {
    return this.uniform(name, fanIn, fanOut, Math.sqrt(6 / (fanIn + fanOut)));
  }

  /**
   * Uniform matrix [rows, columns] in [−limit, limit). For fused kernels: Q, K and V share one
   * [d_model, 3·d_model] kernel, but each block should start as a [d_model, d_model] Glorot matrix would.
   */
  uniform(name: string, rows: number, columns: number, limit: number): tf.Variable {
    this.expect(name, [rows, columns]);
    const values = new Float32Array(rows * columns);
    for (let i = 0; i < values.length; i++) values[i] = (this.random.next() * 2 - 1) * limit;
    return this.add(name, tf.tensor2d(values, [rows, columns]));
  }

  /** Small normal values, for embedding tables [vocab, embedding]. */
  normal(name: string, rows: number, columns: number, std: number): tf.Variable {
    this.expect(name, [rows, columns]);
    const values = new Float32Array(rows * columns);
    for (let i = 0; i < values.length; i++) values[i] = this.random.normal() * std;
    return this.add(name, tf.tensor2d(values, [rows, columns]));
  }

  zeros(name: string, shape: number[]): tf.Variable {
    this.expect(name, shape);
    return this.add(name, tf.zeros(shape));
  }

  /** All ones, e.g. a layer norm's gain: the layer starts as a plain normalisation. */
  ones(name: string, shape: number[]): tf.Variable {
    this.expect(name, shape);
    return this.add(name, tf.ones(shape));
  }

  get(name: string): tf.Variable {
    const variable = this.variables.get(name);
    if (!variable) throw new Error(`no parameter named ${name}`);
    return variable;
  }

  /** All variables, in creation order. */
  list(): tf.Variable[] {
    return [...this.variables.values()];
  }

  entries(): [string, tf.Variable][] {
    return [...this.variables.entries()];
  }

  /** Number of trainable scalars. */
  count(): number {
    return this.list().reduce((sum, v) => sum + v.size, 0);
  }

  /** Replaces every value (e.g. from saved weights); shapes must match. */
  assign(values: Map<string, tf.Tensor>): void {
    for (const [name, variable] of this.variables) {
      const value = values.get(name);
      if (!value) throw new Error(`saved weights have no variable named ${name}`);
      if (value.shape.join() !== variable.shape.join()) {
        throw new Error(`saved variable ${name} has shape [${value.shape}], the model expects [${variable.shape}]`);
      }
      variable.assign(value);
    }
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.variables.clear();
  }

  private expect(name: string, shape: readonly number[]): void {
    if (!this.expected) return;
    const saved = this.expected.get(name);
    if (!saved) throw new Error(`saved weights have no variable named ${name}`);
    if (saved.join() !== shape.join()) {
      throw new Error(`saved variable ${name} has shape [${saved.join(',')}], the config implies [${shape.join(',')}]`);
    }
  }

  private add(name: string, initial: tf.Tensor): tf.Variable {
    if (this.variables.has(name)) throw new Error(`parameter ${name} defined twice`);
    const variable = tf.variable(initial, true, `${this.prefix}/${name}`);
    initial.dispose();
    this.variables.set(name, variable);
    return variable;
  }
}
