/**
 * Chapter transformer: the whole model against a plain-JS reference (post-LN and pre-LN; hard,
 * weak and no causal mask), the keep masks it records, gradients against central differences,
 * shapes for two batch sizes and two lengths, the KV cache against the uncached decoder, causal
 * perturbation (and its failure without the mask, its leak with a weak one), the chapter's own
 * checks and metric, the schedule, no tensor growth between epochs, the catalogue's schema and
 * the CLI from the built bundle.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../src/shared/course/chapter';
import { chapterInfoProblems, defaultsOf, resolveHyperparameters } from '../../src/shared/course/hyperparameters';
import type { ProbeSet, RunData } from '../../src/engine/chapters/contract';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { transformerSchedule } from '../../src/engine/chapters/transformer';
import {
  causalPerturbation,
  closedFormPositionEncoding,
  leakedMass,
} from '../../src/engine/chapters/transformer/measures';
import { createTransformerModel, type TransformerModel } from '../../src/engine/chapters/transformer/model';
import { makeSeq2SeqBatch, type EncodedExample } from '../../src/engine/kits/seq2seq/batch';
import type { Seq2SeqData } from '../../src/engine/kits/seq2seq/data';
import { maskedCrossEntropy } from '../../src/engine/nn/loss';
import { Parameters } from '../../src/engine/nn/parameters';
import { tidy } from '../../src/engine/nn/tidy';
import { createRandom } from '../../src/engine/random';
import { BOS_ID, EOS_ID, Vocab } from '../../src/engine/tasks/vocab';
import { disposeBatch } from '../../src/engine/train/batches';
import { greedyDecode } from '../../src/engine/train/decode';
import { describeShapes } from '../../src/engine/train/shapes';
import { snapshotChecks } from '../../src/engine/train/snapshot';
import { train } from '../../src/engine/train/trainer';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { summarizeComparison } from '../../src/shared/run/comparison';
import { unpackMap } from '../../src/shared/run/attention';
import { loadRunDirs } from '../../src/engine/cli/compare';
import { useBackend } from './helpers';
import { checkGradients, seeded } from './nn-helpers';

const chapter = trainableChapter('transformer')!;
const sourceVocab = new Vocab('abcdefgh'.split(''));
const targetVocab = new Vocab('0123456'.split(''));
const data = { sourceVocab, targetVocab } as unknown as RunData;

/** A tiny model's settings: d_model 8, 2 heads, 2 + 2 layers, FFN 12. */
function hyper(overrides: Hyperparameters = {}): Hyperparameters {
  return {
    ...defaultsOf(chapter.info, 'dates'),
    dModel: 8,
    heads: 2,
    encoderLayers: 2,
    decoderLayers: 2,
    ffnSize: 12,
    dropout: 0,
    ...overrides,
  };
}

/** Examples with sources and targets of the given lengths (the batch pads them). */
function examples(lengths: [number, number][], seed: number): EncodedExample[] {
  const random = createRandom(seed);
  return lengths.map(([sourceLength, targetLength]) => {
    const source = Array.from({ length: sourceLength }, () => 'abcdefgh'[random.int(8)]);
    const target = Array.from({ length: targetLength }, () => '0123456'[random.int(7)]);
    const ids = targetVocab.encode(target);
    return {
      example: { source, target },
      sourceIds: sourceVocab.encode(source),
      decoderInputIds: [BOS_ID, ...ids],
      targetIds: [...ids, EOS_ID],
    };
  });
}

/** Every weight gets seeded values (gains and biases too), so a wrong column, bias or norm shows. */
function randomise(parameters: Parameters, seed: number, scale = 0.5): void {
  tf.tidy(() =>
    parameters.list().forEach((v, i) => v.assign(tf.tensor(seeded(v.size, seed * 1000 + i, scale), v.shape))),
  );
}

function build(overrides: Hyperparameters = {}, seed = 7): { model: TransformerModel; parameters: Parameters } {
  const parameters = new Parameters(createRandom(seed));
  const model = createTransformerModel(parameters, hyper(overrides), data);
  randomise(parameters, seed);
  return { model, parameters };
}

// ── a plain-JS Transformer (float64), straight from the definitions ─────────────────────────

type Matrix = number[][];

function weightsOf(parameters: Parameters) {
  const cache = new Map<string, number[] | Matrix>();
  return (name: string) => {
    if (!cache.has(name)) cache.set(name, parameters.get(name).arraySync() as number[] | Matrix);
    return cache.get(name)!;
  };
}

const matmul = (x: Matrix, w: Matrix, b?: number[]): Matrix =>
  x.map((row) => w[0].map((_, j) => row.reduce((sum, v, i) => sum + v * w[i][j], b ? b[j] : 0)));
const addRows = (a: Matrix, b: Matrix): Matrix => a.map((row, i) => row.map((v, j) => v + b[i][j]));

function layerNormRows(x: Matrix, gain: number[], bias: number[]): Matrix {
  return x.map((row) => {
    const mean = row.reduce((a, b) => a + b, 0) / row.length;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
    return row.map((v, j) => ((v - mean) / Math.sqrt(variance + 1e-5)) * gain[j] + bias[j]);
  });
}

function softmaxRow(row: number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((x) => Math.exp(x - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/**
 * Multi-head attention of one example: Q from `x`, K and V from `memory`, `keep(q, k)` 1 or 0,
 * `maskValue` added where 0. Q, K, V columns of head h are h·d_head … (h+1)·d_head − 1 of each block.
 */
function attention(
  x: Matrix,
  memory: Matrix,
  q: { kernel: Matrix; bias: number[]; from: number },
  kv: { kernel: Matrix; bias: number[]; keyFrom: number; valueFrom: number },
  out: { kernel: Matrix; bias: number[] },
  heads: number,
  keep: (query: number, key: number) => number,
  maskValue: number,
): { output: Matrix; weights: Matrix[] } {
  const Q = matmul(x, q.kernel, q.bias);
  const KV = matmul(memory, kv.kernel, kv.bias);
  const d = out.kernel.length;
  const dh = d / heads;
  const weights: Matrix[] = [];
  const merged: Matrix = x.map(() => new Array<number>(d).fill(0));
  for (let h = 0; h < heads; h++) {
    const headWeights = Q.map((row, i) => {
      const scores = KV.map((krow, j) => {
        let dot = 0;
        for (let c = 0; c < dh; c++) dot += row[q.from + h * dh + c] * krow[kv.keyFrom + h * dh + c];
        return dot / Math.sqrt(dh) + (keep(i, j) ? 0 : maskValue);
      });
      return softmaxRow(scores);
    });
    weights.push(headWeights);
    headWeights.forEach((row, i) => {
      for (let c = 0; c < dh; c++)
        merged[i][h * dh + c] = row.reduce((s, w, j) => s + w * KV[j][kv.valueFrom + h * dh + c], 0);
    });
  }
  return { output: matmul(merged, out.kernel, out.bias), weights };
}

interface ReferenceOutput {
  logits: Matrix; // [target_len][vocab]
  maps: Matrix[][]; // per attention of the forward pass (model order), [heads][rows][columns]
}

function referenceForward(
  parameters: Parameters,
  settings: Hyperparameters,
  sourceIds: number[],
  decoderIds: number[],
): ReferenceOutput {
  const w = weightsOf(parameters);
  const d = Number(settings.dModel);
  const heads = Number(settings.heads);
  const pre = settings.layerNorm === 'pre';
  const causal = settings.causalMask !== false;
  const maskValue = Number(settings.maskValue);
  const embed = (ids: number[], table: string) =>
    ids.map((id, pos) =>
      (w(table) as Matrix)[id].map((v, f) => v * Math.sqrt(d) + closedFormPositionEncoding(pos, f, d)),
    );
  const sublayer = (x: Matrix, norm: string, f: (input: Matrix) => Matrix): Matrix => {
    const ln = (m: Matrix) => layerNormRows(m, w(`${norm}/gain`) as number[], w(`${norm}/bias`) as number[]);
    return pre ? addRows(x, f(ln(x))) : ln(addRows(x, f(x)));
  };
  const ffn = (prefix: string) => (x: Matrix) =>
    matmul(
      matmul(x, w(`${prefix}/hidden_kernel`) as Matrix, w(`${prefix}/hidden_bias`) as number[]).map((r) =>
        r.map((v) => Math.max(0, v)),
      ),
      w(`${prefix}/output_kernel`) as Matrix,
      w(`${prefix}/output_bias`) as number[],
    );
  const selfWeights = (prefix: string) => ({
    q: { kernel: w(`${prefix}/qkv_kernel`) as Matrix, bias: w(`${prefix}/qkv_bias`) as number[], from: 0 },
    kv: {
      kernel: w(`${prefix}/qkv_kernel`) as Matrix,
      bias: w(`${prefix}/qkv_bias`) as number[],
      keyFrom: d,
      valueFrom: 2 * d,
    },
    out: { kernel: w(`${prefix}/output_kernel`) as Matrix, bias: w(`${prefix}/output_bias`) as number[] },
  });
  const sourceReal = (k: number) => (sourceIds[k] !== 0 ? 1 : 0);
  const maps: Matrix[][] = [];
  let x = embed(sourceIds, 'encoder/embeddings');
  for (let n = 0; n < Number(settings.encoderLayers); n++) {
    const s = selfWeights(`encoder/layer${n}/self_attention`);
    x = sublayer(x, `encoder/layer${n}/self_attention_norm`, (input) => {
      const result = attention(input, input, s.q, s.kv, s.out, heads, (_, k) => sourceReal(k), -1e9);
      maps.push(result.weights);
      return result.output;
    });
    x = sublayer(x, `encoder/layer${n}/ffn_norm`, ffn(`encoder/layer${n}/ffn`));
  }
  const memory = pre
    ? layerNormRows(x, w('encoder/final_norm/gain') as number[], w('encoder/final_norm/bias') as number[])
    : x;
  let y = embed(decoderIds, 'decoder/embeddings');
  const decoderKeep = (q: number, k: number) => (decoderIds[k] !== 0 && (!causal || k <= q) ? 1 : 0);
  for (let n = 0; n < Number(settings.decoderLayers); n++) {
    const s = selfWeights(`decoder/layer${n}/self_attention`);
    y = sublayer(y, `decoder/layer${n}/self_attention_norm`, (input) => {
      const result = attention(input, input, s.q, s.kv, s.out, heads, decoderKeep, causal ? maskValue : -1e9);
      maps.push(result.weights);
      return result.output;
    });
    const c = `decoder/layer${n}/cross_attention`;
    y = sublayer(y, `decoder/layer${n}/cross_attention_norm`, (input) => {
      const result = attention(
        input,
        memory,
        { kernel: w(`${c}/query_kernel`) as Matrix, bias: w(`${c}/query_bias`) as number[], from: 0 },
        { kernel: w(`${c}/kv_kernel`) as Matrix, bias: w(`${c}/kv_bias`) as number[], keyFrom: 0, valueFrom: d },
        { kernel: w(`${c}/output_kernel`) as Matrix, bias: w(`${c}/output_bias`) as number[] },
        heads,
        (_, k) => sourceReal(k),
        -1e9,
      );
      maps.push(result.weights);
      return result.output;
    });
    y = sublayer(y, `decoder/layer${n}/ffn_norm`, ffn(`decoder/layer${n}/ffn`));
  }
  const outputs = pre
    ? layerNormRows(y, w('decoder/final_norm/gain') as number[], w('decoder/final_norm/bias') as number[])
    : y;
  return { logits: matmul(outputs, w('output/kernel') as Matrix, w('output/bias') as number[]), maps };
}

function maxDifference(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

// ─────────────────────────────────────────────────────────────────────────────────────────────

describe('transformer: the catalogue', () => {
  it('passes the catalogue’s schema, and every variant resolves on both tasks', () => {
    assert.deepEqual(chapterInfoProblems(chapter.info), []);
    for (const task of ['dates', 'phrases']) {
      for (const variant of chapter.info.variants) {
        const resolved = resolveHyperparameters(chapter.info, task, variant.id, {});
        assert.ok(resolved.ok, `${task}/${variant.id}`);
      }
    }
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`transformer model against a plain-JS reference (${backend})`, () => {
    before(() => useBackend(backend));

    const cases: [string, Hyperparameters][] = [
      ['post-LN, hard causal mask', { layerNorm: 'post' }],
      ['pre-LN, hard causal mask', { layerNorm: 'pre' }],
      ['post-LN, no causal mask', { layerNorm: 'post', causalMask: false }],
      ['pre-LN, weak mask (−5)', { layerNorm: 'pre', maskValue: -5 }],
    ];
    for (const [label, overrides] of cases) {
      it(`${label}: logits and every attention map equal the reference; masked cells as the mask says`, () => {
        const { model, parameters } = build(overrides, 11);
        const items = examples(
          [
            [6, 4],
            [3, 2],
            [5, 5],
          ],
          3,
        );
        const batch = makeSeq2SeqBatch(items);
        const settings = hyper(overrides);
        const output = tidy(() => {
          const out = model.forward(batch, { training: false, seed: 0 });
          return {
            logits: out.logits.arraySync() as number[][][],
            maps: out.attention.map((map) => ({
              kind: map.kind,
              rows: map.rows,
              columns: map.columns,
              weights: map.weights.arraySync() as number[][][][],
              keep: map.keep ? (tf.mul(tf.onesLike(map.weights), map.keep).arraySync() as number[][][][]) : null,
            })),
          };
        });
        const sourceIds = batch.inputs.source_ids.arraySync() as number[][];
        const decoderIds = batch.inputs.decoder_input_ids.arraySync() as number[][];
        assert.deepEqual(
          output.maps.map((m) => `${m.kind}:${m.rows}×${m.columns}`),
          [
            'self:source×source',
            'self:source×source',
            'causal-self:decoderInput×decoderInput',
            'cross:target×source',
            'causal-self:decoderInput×decoderInput',
            'cross:target×source',
          ],
        );
        items.forEach((item, b) => {
          const reference = referenceForward(parameters, settings, sourceIds[b], decoderIds[b]);
          const logitError = maxDifference(flat(output.logits[b]), flat(reference.logits));
          assert.ok(logitError < 1e-4, `example ${b}: logits differ by ${logitError}`);
          reference.maps.forEach((expected, m) => {
            const error = maxDifference(flat(output.maps[m].weights[b]), flat(expected));
            assert.ok(error < 1e-5, `example ${b}, map ${m}: weights differ by ${error}`);
          });
          const causal = settings.causalMask !== false;
          const sourceLength = item.sourceIds.length;
          const decoderLength = item.decoderInputIds.length;
          output.maps.forEach((map, m) => {
            map.weights[b].forEach((head, h) =>
              head.forEach((row, q) =>
                row.forEach((weight, k) => {
                  const decoder = map.kind === 'causal-self';
                  const allowed = decoder ? k < decoderLength && (!causal || k <= q) : k < sourceLength;
                  assert.equal(map.keep?.[b][h][q][k] ?? 1, allowed ? 1 : 0, `map ${m} keep [${b},${h},${q},${k}]`);
                  if (!allowed && !(decoder && settings.maskValue === -5)) {
                    assert.equal(weight, 0, `map ${m}: a masked cell [${b},${h},${q},${k}] gets exactly 0`);
                  }
                  if (!allowed && decoder && settings.maskValue === -5 && k < decoderLength) {
                    assert.ok(weight > 1e-4, `weak mask: future cell [${b},${h},${q},${k}] keeps some weight`);
                  }
                }),
              ),
            );
          });
        });
        disposeBatch(batch);
        parameters.dispose();
      });
    }

    for (const batchSize of [2, 5]) {
      for (const [sourceLength, targetLength] of [
        [3, 2],
        [7, 5],
      ]) {
        it(`shapes of every named tensor and weight: batch ${batchSize}, source ${sourceLength}, target ${targetLength}`, () => {
          const before = tf.memory().numTensors;
          const { model, parameters } = build({ dModel: 12, heads: 3, ffnSize: 20 }, 2);
          const lengths = Array.from({ length: batchSize }, (_, i): [number, number] =>
            i === 0 ? [sourceLength, targetLength - 1] : [1 + (i % sourceLength), 1 + (i % (targetLength - 1))],
          );
          const batch = makeSeq2SeqBatch(examples(lengths, 4));
          const entries = tf.tidy(() =>
            describeShapes(chapter.info, model.forward(batch, { training: false, seed: 0 }).named, parameters),
          );
          const shape = (name: string) => entries.find((e) => e.name === name)?.shape;
          const [s, t] = [sourceLength, targetLength];
          assert.deepEqual(shape('source_padding_mask'), [batchSize, 1, 1, s]);
          assert.deepEqual(shape('position_encoding'), [s, 12]);
          assert.deepEqual(shape('encoder_inputs'), [batchSize, s, 12]);
          assert.deepEqual(shape('encoder/layer1/self_attention_weights'), [batchSize, 3, s, s]);
          assert.deepEqual(shape('encoder_outputs'), [batchSize, s, 12]);
          assert.deepEqual(shape('decoder_self_attention_mask'), [batchSize, 1, t, t]);
          assert.deepEqual(shape('decoder/layer1/causal_self_attention_weights'), [batchSize, 3, t, t]);
          assert.deepEqual(shape('decoder/layer0/cross_attention_weights'), [batchSize, 3, t, s]);
          assert.deepEqual(shape('attention_weights'), [batchSize, 3, t, s]);
          assert.deepEqual(shape('logits'), [batchSize, t, targetVocab.size]);
          assert.deepEqual(shape('decoder/layer0/cross_attention/kv_kernel'), [12, 24]);
          assert.deepEqual(shape('encoder/layer0/self_attention/qkv_kernel'), [12, 36]);
          assert.deepEqual(shape('decoder/layer1/ffn/hidden_kernel'), [12, 20]);
          for (const entry of entries) {
            assert.equal(entry.dims.length, entry.shape.length, entry.name);
            assert.ok(entry.source, `${entry.name} knows the line that creates it`);
          }
          disposeBatch(batch);
          parameters.dispose();
          assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
        });
      }
    }

    it('the masks it records, from the token ids, against hand-written values (padding × causal; padding alone without the causal mask)', () => {
      // Two examples: source lengths 3 and 1 (padded to 3), targets of 2 and 1 tokens (decoder inputs 3 and 2, padded to 3).
      const items = examples(
        [
          [3, 2],
          [1, 1],
        ],
        9,
      );
      const recorded = (overrides: Hyperparameters) => {
        const { model, parameters } = build(overrides, 3);
        const batch = makeSeq2SeqBatch(items);
        const masks = tf.tidy(() => {
          const named = model.forward(batch, { training: false, seed: 0 }).named;
          return {
            source: named.source_padding_mask.arraySync(),
            decoder: named.decoder_self_attention_mask.arraySync(),
          };
        });
        disposeBatch(batch);
        parameters.dispose();
        return masks;
      };
      const causal = recorded({});
      assert.deepEqual(causal.source, [[[[1, 1, 1]]], [[[1, 0, 0]]]]);
      assert.deepEqual(causal.decoder, [
        [
          [
            [1, 0, 0],
            [1, 1, 0],
            [1, 1, 1],
          ],
        ],
        [
          [
            [1, 0, 0],
            [1, 1, 0],
            [1, 1, 0], // the <pad> key at position 2 is never read, not even by the padded query
          ],
        ],
      ]);
      const open = recorded({ causalMask: false });
      assert.deepEqual(open.source, causal.source);
      assert.deepEqual(open.decoder, [[[[1, 1, 1]]], [[[1, 1, 0]]]]);
    });

    it('the positional encoding added is the closed form; encoder inputs = embeddings·√d_model + PE', () => {
      const { model, parameters } = build({ dModel: 8 }, 5);
      const batch = makeSeq2SeqBatch(examples([[7, 3]], 1));
      const [pe, tokens, inputs] = tf.tidy(() => {
        const named = model.forward(batch, { training: false, seed: 0 }).named;
        return [named.position_encoding, named.source_embeddings, named.encoder_inputs].map((t) => t.arraySync());
      }) as [number[][], number[][][], number[][][]];
      pe.forEach((row, pos) =>
        row.forEach((value, f) => {
          assert.ok(Math.abs(value - closedFormPositionEncoding(pos, f, 8)) < 1e-7, `PE[${pos}, ${f}]`);
          assert.ok(Math.abs(inputs[0][pos][f] - tokens[0][pos][f] - value) < 1e-5, `input[${pos}, ${f}]`);
        }),
      );
      assert.deepEqual(pe[0], [0, 1, 0, 1, 0, 1, 0, 1]);
      disposeBatch(batch);
      parameters.dispose();
    });

    it('greedy decoding with the KV cache gives the logits and rows of the uncached decoder and of a teacher-forced pass', () => {
      const { model, parameters } = build({ layerNorm: 'pre' }, 9);
      assert.equal(model.cachedDecoding, true);
      const items = examples(
        [
          [6, 3],
          [4, 5],
          [2, 1],
        ],
        8,
      );
      const batch = makeSeq2SeqBatch(items);
      const steps = 6;
      const stepLogits = (decoder: typeof model.decoder) =>
        tf.tidy(() => {
          let state = decoder.start(batch.inputs);
          let previous = tf.fill([items.length], BOS_ID, 'int32') as tf.Tensor1D;
          const logits: number[][][] = [];
          const rows: number[][][] = [];
          for (let step = 0; step < steps; step++) {
            const out = decoder.step(state, previous, step);
            state = out.state;
            previous = tf.argMax(out.logits, 1) as tf.Tensor1D;
            logits.push(out.logits.arraySync() as number[][]);
            rows.push(out.attention.map((a) => flat(a.weights.arraySync())));
          }
          return { logits, rows };
        });
      const cached = stepLogits(model.decoder);
      const uncached = stepLogits(model.uncachedDecoder);
      for (let step = 0; step < steps; step++) {
        const error = maxDifference(flat(cached.logits[step]), flat(uncached.logits[step]));
        assert.ok(error < 1e-5, `step ${step}: cached and uncached logits differ by ${error}`);
        cached.rows[step].forEach((row, m) => {
          const rowError = maxDifference(row, uncached.rows[step][m]);
          assert.ok(rowError < 1e-5, `step ${step}, map ${m}: rows differ by ${rowError}`);
        });
      }
      // The same as a teacher-forced pass over <bos> + the generated tokens.
      const generated = greedyDecode(model.decoder, batch.inputs, items.length, steps, BOS_ID, false);
      const tokens = generated.tokens.arraySync() as number[][];
      generated.tokens.dispose();
      const prefix = tf.tensor2d(
        tokens.map((row) => [BOS_ID, ...row.slice(0, steps - 1)]),
        [items.length, steps],
        'int32',
      );
      const forced = tf.tidy(
        () =>
          model
            .forward({ ...batch, inputs: { ...batch.inputs, decoder_input_ids: prefix } }, { training: false, seed: 0 })
            .logits.arraySync() as number[][][],
      );
      for (let step = 0; step < steps; step++) {
        const error = maxDifference(flat(cached.logits[step]), flat(forced.map((example) => example[step])));
        assert.ok(error < 1e-5, `step ${step}: cached decoding and the teacher-forced pass differ by ${error}`);
      }
      prefix.dispose();
      disposeBatch(batch);
      parameters.dispose();
    });

    it('no-causal-mask and weak-mask decode without a cache (earlier positions depend on later tokens)', () => {
      for (const overrides of [{ causalMask: false }, { maskValue: -5 }] as Hyperparameters[]) {
        const { model, parameters } = build(overrides, 10);
        assert.equal(model.cachedDecoding, false);
        assert.equal(model.decoder, model.uncachedDecoder);
        parameters.dispose();
      }
    });
  });
}

describe('causal perturbation and leaked mass (cpu)', () => {
  before(() => useBackend('cpu'));
  const items = examples(
    [
      [6, 5],
      [3, 2],
      [5, 6],
      [4, 4],
    ],
    21,
  );

  it('with the causal mask: changing the tokens after t leaves every logit at positions ≤ t exactly unchanged', () => {
    const { model, parameters } = build({}, 3);
    const result = causalPerturbation(model, items, targetVocab.size);
    assert.equal(result.cuts, items.length * 6);
    assert.equal(result.maxDifference, 0);
    assert.equal(leakedMass(model, items).mean, 0);
    assert.equal(leakedMass(model, items).max, 0);
    parameters.dispose();
  });

  it('without it: the logits at positions ≤ t change, and attention lands on future positions', () => {
    const { model, parameters } = build({ causalMask: false }, 3);
    const difference = causalPerturbation(model, items, targetVocab.size).maxDifference;
    const leak = leakedMass(model, items);
    assert.ok(difference > 1e-3, `perturbation ${difference} leak ${leak.mean}`);
    assert.ok(leak.mean > 0.2, `leaked mass ${leak.mean}`);
    parameters.dispose();
  });

  it('weak mask (−5): a little leaks, and more once the future’s scores grow', () => {
    const { model, parameters } = build({ maskValue: -5 }, 3);
    const small = leakedMass(model, items);
    const perturbation = causalPerturbation(model, items, targetVocab.size).maxDifference;
    assert.ok(small.mean > 0 && small.mean < 0.1, `leaked mass ${small.mean}`);
    assert.ok(perturbation > 0 && perturbation < 1, `perturbation ${perturbation}`);
    // Larger query/key projections spread the scores: the −5 penalty no longer hides the future.
    tf.tidy(() => {
      for (const n of [0, 1]) {
        const kernel = parameters.get(`decoder/layer${n}/self_attention/qkv_kernel`);
        kernel.assign(tf.mul(kernel, 6));
      }
    });
    const large = leakedMass(model, items);
    assert.ok(large.max > small.max && large.max > 0.5, `largest row ${small.max} → ${large.max}`);
    parameters.dispose();
  });
});

describe('transformer gradients (cpu, central differences)', () => {
  before(() => useBackend('cpu'));

  for (const [label, overrides] of [
    ['post-LN', { layerNorm: 'post' }],
    ['pre-LN with dropout 0.2', { layerNorm: 'pre', dropout: 0.2 }],
  ] as [string, Hyperparameters][]) {
    it(`every weight, ${label}`, () => {
      const parameters = new Parameters(createRandom(5));
      const model = createTransformerModel(
        parameters,
        hyper({ ...overrides, dModel: 4, heads: 2, ffnSize: 6, encoderLayers: 1, decoderLayers: 2 }),
        data,
      );
      randomise(parameters, 5, 0.4);
      const batch = makeSeq2SeqBatch(
        examples(
          [
            [4, 3],
            [2, 2],
          ],
          12,
        ),
      );
      checkGradients(
        () =>
          tf.tidy(() =>
            maskedCrossEntropy(model.forward(batch, { training: true, seed: 1 }).logits, batch.targets, batch.lossMask),
          ),
        parameters.list(),
        3,
      );
      disposeBatch(batch);
      parameters.dispose();
    });
  }
});

describe('the chapter on a real task (wasm)', () => {
  let runsDir: string;
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-transformer-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  const small = { trainSize: 128, validationSize: 48, testSize: 8, batchSize: 32, dModel: 16, heads: 2, ffnSize: 32 };

  function prepared(variant: string) {
    const resolved = resolveHyperparameters(chapter.info, 'dates', variant, small);
    assert.ok(resolved.ok);
    const settings = resolved.value;
    const runData = chapter.prepare({ task: 'dates', hyperparameters: settings, seed: 2 }) as Seq2SeqData;
    const parameters = new Parameters(createRandom(2));
    const model = chapter.createModel(parameters, settings, runData);
    return { settings, runData, parameters, model };
  }

  it('checks: default passes positional encoding, causal perturbation, leaked mass and masked zero; the broken masks fail and say so', () => {
    const results: Record<string, Record<string, { pass: boolean; value: number }>> = {};
    for (const variant of ['default', 'no-causal-mask', 'weak-mask']) {
      const { settings, runData, parameters, model } = prepared(variant);
      const probes: ProbeSet = runData.probe(model);
      const checks = snapshotChecks(chapter, {
        model,
        data: runData,
        hyperparameters: settings,
        task: 'dates',
        probes,
      });
      results[variant] = Object.fromEntries(checks.map((c) => [c.id, { pass: c.pass, value: c.value }]));
      const evaluation = runData.evaluate(model);
      assert.equal(
        evaluation.values.leaked_mass,
        results[variant]['leaked-mass'].value,
        'the metric is the check’s value',
      );
      // After an evaluation the check reuses what it measured on the same weights: the same value,
      // and (shown with a measurement it could not have computed) not computed a second time.
      const context = { model, data: runData, hyperparameters: settings, task: 'dates', probes };
      const leakCheck = (checks: ReturnType<typeof snapshotChecks>) => checks.find((c) => c.id === 'leaked-mass')!;
      assert.equal(
        leakCheck(snapshotChecks(chapter, { ...context, evaluation })).value,
        results[variant]['leaked-mass'].value,
      );
      const planted = { ...evaluation, measured: { mean: 0.123, max: 0.5, perLayer: [0.123], rows: 7 } };
      assert.equal(leakCheck(snapshotChecks(chapter, { ...context, evaluation: planted })).value, 0.123);
      assert.ok(probes.probes[0].maps.some((m) => m.kind === 'causal-self' && m.mode === 'generated'));
      parameters.dispose();
    }
    for (const id of ['rows-sum-to-one', 'masked-zero', 'positional-encoding', 'causal-perturbation', 'leaked-mass']) {
      assert.ok(results.default[id].pass, `default ${id} ${results.default[id].value}`);
    }
    assert.equal(results.default['causal-perturbation'].value, 0);
    assert.equal(results.default['leaked-mass'].value, 0);
    for (const variant of ['no-causal-mask', 'weak-mask']) {
      assert.equal(results[variant]['causal-perturbation'].pass, false, `${variant} causal perturbation`);
      assert.equal(results[variant]['leaked-mass'].pass, false, `${variant} leaked mass`);
      assert.ok(results[variant]['rows-sum-to-one'].pass);
    }
    assert.equal(results['weak-mask']['masked-zero'].pass, false, 'weak mask: masked cells are not exactly 0');
    assert.ok(results['weak-mask']['masked-zero'].value > 0);
  });

  it('generated mode holds the three families too: the encoder maps of the source, in the probes and in Try it', () => {
    const { runData, parameters, model } = prepared('default');
    const probe = runData.probe(model).probes[0];
    const families = (maps: { stack: string; kind: string }[]) =>
      [...new Set(maps.map((m) => `${m.stack}/${m.kind}`))].sort();
    const generated = probe.maps.filter((m) => m.mode === 'generated');
    assert.deepEqual(families(generated), ['decoder/causal-self', 'decoder/cross', 'encoder/self']);
    const encoderForward = probe.maps.filter((m) => m.mode === 'forward' && m.stack === 'encoder');
    const encoderGenerated = generated.filter((m) => m.stack === 'encoder');
    assert.equal(encoderGenerated.length, 2 * small.heads, 'every encoder layer and head');
    // Try it on the probe's own source: a batch of one, encoded by its own forward pass.
    const prediction = runData.predict(model, probe.source.join(''));
    assert.deepEqual(prediction.source, probe.source);
    assert.deepEqual(families(prediction.maps), ['decoder/causal-self', 'decoder/cross', 'encoder/self']);
    assert.ok(prediction.maps.every((m) => m.mode === 'generated'));
    for (const map of encoderGenerated) {
      const twin = encoderForward.find((m) => m.layer === map.layer && m.head === map.head)!;
      assert.deepEqual(map.weights, twin.weights);
      assert.deepEqual(map.keep, twin.keep);
      const tried = prediction.maps.find((m) => m.stack === 'encoder' && m.layer === map.layer && m.head === map.head)!;
      const weights = unpackMap(tried)!.weights;
      assert.equal(weights.length, map.weights.length);
      weights.forEach((w, i) => assert.ok(Math.abs(w - map.weights[i]) < 1e-5, `cell ${i}: ${w} vs ${map.weights[i]}`));
    }
    parameters.dispose();
  });

  it('the schedule warms up linearly, then falls along a cosine to a tenth of the peak at the last step', () => {
    const settings = hyper({ learningRate: 0.004, warmupSteps: 100 });
    const schedule = transformerSchedule(settings, 1000);
    assert.ok(Math.abs(schedule(1) - 0.004 / 100) < 1e-12);
    assert.ok(Math.abs(schedule(50) - 0.002) < 1e-12);
    assert.ok(Math.abs(schedule(100) - 0.004) < 1e-12);
    assert.ok(Math.abs(schedule(550) - (0.0004 + 0.0036 * 0.5)) < 1e-12);
    assert.ok(Math.abs(schedule(1000) - 0.0004) < 1e-12);
    // A short run warms up over at most a quarter of its steps.
    assert.ok(Math.abs(transformerSchedule(settings, 40)(10) - 0.004) < 1e-12);
  });

  it('compares with an attention-seq2seq run of the same task and seed: shared metrics, probes and cross-attention maps', async () => {
    const sizes = { trainSize: 96, validationSize: 24, testSize: 8, batchSize: 32, epochs: 1 };
    const dirs: string[] = [];
    for (const [id, overrides] of [
      ['transformer', { ...sizes, dModel: 16, heads: 2, ffnSize: 32 }],
      ['attention-seq2seq', { ...sizes, hiddenSize: 16, embeddingSize: 8, attentionSize: 8 }],
    ] as const) {
      const result = await train(
        {
          chapter: trainableChapter(id)!,
          runsDir,
          backend: 'wasm',
          packageVersion: 'test',
          task: 'dates',
          seed: 5,
          overrides,
        },
        {},
      );
      dirs.push(result.runDir);
    }
    const loaded = await loadRunDirs(dirs);
    const runs = loaded.flatMap((entry) =>
      entry.ok ? [{ run: entry.run, chapter: chapterInfo(entry.run.config.chapter) }] : [],
    );
    assert.equal(runs.length, 2);
    const summary = summarizeComparison(runs);
    assert.equal(summary.chapter, null);
    assert.deepEqual(
      summary.notShared.find((item) => item.kind === 'chapter'),
      { kind: 'chapter', values: ['transformer', 'attention-seq2seq'] },
    );
    assert.equal(summary.task, 'dates');
    assert.equal(summary.seed, 5);
    const keys = summary.metrics.map((metric) => metric.key);
    for (const key of ['train_loss', 'val_loss', 'val_token_accuracy', 'val_exact_match'])
      assert.ok(keys.includes(key), key);
    assert.ok(summary.notShared.some((item) => item.kind === 'metric' && item.key === 'leaked_mass'));
    assert.ok(summary.probes.length > 0, 'the task’s probes are the same in both runs');
    for (const probe of summary.probes) {
      const cross = probe.maps.find((map) => map.key === 'decoder/cross/0/0' && map.mode === 'forward');
      assert.ok(cross, `probe ${probe.source.join('')}: the first cross-attention map is in both runs`);
      assert.ok(cross.maps.every((map) => map !== null));
    }
  });

  it('tf.memory().numTensors is equal after epochs 2 and 3', async () => {
    const counts: number[] = [];
    await train(
      {
        chapter,
        runsDir,
        backend: 'wasm',
        packageVersion: 'test',
        task: 'dates',
        overrides: { ...small, epochs: 3, trainSize: 64 },
      },
      { epoch: () => counts.push(tf.memory().numTensors) },
    );
    assert.equal(counts[2], counts[1]);
  });

  it('`llm-tutor train transformer --epochs 1` runs from the built bundle and prints the chapter’s checks', () => {
    const bin = path.resolve(__dirname, '..', '..', 'bin', 'llm-tutor.js');
    assert.ok(
      fs.existsSync(path.resolve(__dirname, '..', '..', 'dist', 'engine.js')),
      'run `node scripts/build.mjs` first',
    );
    const args = [
      'train',
      'transformer',
      '--epochs',
      '1',
      '--train-size',
      '96',
      '--validation-size',
      '24',
      '--test-size',
      '8',
      '--batch-size',
      '32',
      '--d-model',
      '16',
      '--heads',
      '2',
      '--backend',
      'wasm',
      '--output-dir',
      runsDir,
    ];
    const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /^epoch=001 train_loss=\S+ val_loss=\S+ val_token_acc=\S+ val_exact=\S+ leaked=0\.0000 /m,
    );
    assert.match(
      result.stdout,
      /^checks: rows-sum-to-one=pass\(\S+\) masked-zero=pass\(0≤0\) positional-encoding=pass\(\S+\) causal-perturbation=pass\(0≤1\.0e-6\) leaked-mass=pass\(0≤0\)$/m,
    );
    assert.match(result.stdout, /^attention_shape=\(batch, heads, target_len, source_len\)=\(\d+, 2, \d+, \d+\) /m);
  });
});
