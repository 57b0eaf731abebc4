/**
 * A language model's probes, recorded at every evaluation:
 *
 * 1. forward: one pass over a fixed validation text (the start of the validation split, up to
 *    `context` characters); every layer's and head's causal map, rows and columns that text; the
 *    prediction at each position is the most probable next character;
 * 2. generated: the first characters of that text as a prompt, continued greedily through the KV
 *    cache; one row per generated character over the prompt and the characters generated before it.
 *
 * The generic checks (rows sum to 1, masked weight exactly 0) read the forward maps. The chapter's
 * KV-cache check compares the generation's cached logits with a full forward pass over the same
 * tokens (`kvCacheDeviation`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ChapterModel, FullMap, ProbeResult, ProbeSet } from '../../chapters/contract';
import { tidy } from '../../nn/tidy';
import type { Vocab } from '../../tasks/vocab';
import { attentionStats, forwardMaps, readAttention } from '../../train/probeMaps';
import { Sampler, sampleText, type SampleStep } from './sample';

/** The fixed texts of the probes, cut from the validation split. */
export interface ProbeTexts {
  /** Ids of the forward probe (its last id is only a target). */
  forward: Int32Array;
  /** The generated probe's prompt, and the real text after it (for comparison). */
  prompt: string;
  continuation: string[];
  /** Characters the generated probe produces. */
  generated: number;
}

/**
 * Probe texts for a model with `context` positions: the forward probe is the first min(context,
 * 48) + 1 ids of `validation`; the prompt its first min(16, context / 2) characters, generating up
 * to context − prompt characters (at most 32), so every generated row fits in one window.
 */
export function probeTexts(validation: Int32Array, vocab: Vocab, context: number): ProbeTexts {
  const forwardLength = Math.min(context, 48, validation.length - 1);
  const forward = validation.slice(0, forwardLength + 1);
  const promptLength = Math.max(1, Math.min(16, Math.floor(context / 2), forwardLength));
  const generated = Math.max(1, Math.min(32, context - promptLength));
  const tokens = Array.from(validation.subarray(0, promptLength + generated), (id) => vocab.token(id));
  return {
    forward,
    prompt: tokens.slice(0, promptLength).join(''),
    continuation: tokens.slice(promptLength),
    generated,
  };
}

/** The forward probe: maps of every layer and head, the argmax next token at each position. */
function forwardProbe(model: ChapterModel, vocab: Vocab, ids: Int32Array) {
  const length = ids.length - 1;
  const source = Array.from(ids.subarray(0, length), (id) => vocab.token(id));
  const target = Array.from(ids.subarray(1), (id) => vocab.token(id));
  const inputs = tf.tensor2d(ids.subarray(0, length), [1, length], 'int32');
  const targets = tf.tensor2d(ids.subarray(1), [1, length], 'int32');
  const lossMask = tf.ones([1, length]) as tf.Tensor2D;
  try {
    const output = tidy(() => {
      const result = model.forward({ inputs: { token_ids: inputs }, targets, lossMask }, { training: false, seed: 0 });
      return { attention: result.attention, best: tf.argMax(result.logits, 2) };
    });
    const read = readAttention(output.attention);
    const best = output.best.dataSync();
    tf.dispose([output.best, ...output.attention.flatMap((a) => [a.weights, ...(a.keep ? [a.keep] : [])])]);
    const probe: ProbeResult = {
      source,
      target,
      predicted: Array.from(best, (id) => vocab.token(id)),
      maps: forwardMaps(read, 0, { source }),
    };
    return { probe, stats: read.length > 0 ? attentionStats(read) : null };
  } finally {
    tf.dispose([inputs, targets, lossMask]);
  }
}

/**
 * Maps of a generation: one row per generated token over the tokens it could see. The columns are
 * the prompt and the tokens generated before the last, from the first key the first step saw (a
 * prompt longer than the context shows only its part in the window).
 */
export function generatedMapsOf(promptTokens: string[], steps: SampleStep[], tokens: string[]): FullMap[] {
  if (steps.length === 0 || steps[0].attention.length === 0) return [];
  const rows = steps.length;
  const offset = steps[0].windowStart;
  const columnTokens = [...promptTokens, ...tokens.slice(0, rows - 1)].slice(offset);
  const columns = columnTokens.length;
  const maps: FullMap[] = [];
  const layers = steps[0].attention.length;
  const heads = steps[0].attention[0].length / steps[0].keys;
  for (let layer = 0; layer < layers; layer++) {
    for (let head = 0; head < heads; head++) {
      const weights = new Float32Array(rows * columns);
      const keep = new Uint8Array(rows * columns);
      steps.forEach((step, r) => {
        const row = step.attention[layer].subarray(head * step.keys, (head + 1) * step.keys);
        const first = step.windowStart - offset;
        for (let k = 0; k < step.keys; k++) {
          weights[r * columns + first + k] = row[k];
          keep[r * columns + first + k] = 1;
        }
      });
      const map: FullMap = {
        kind: 'causal-self',
        stack: 'decoder',
        layer,
        head,
        mode: 'generated',
        rowTokens: tokens.slice(0, rows),
        columnTokens,
        weights,
        keep: keep.every((x) => x === 1) ? null : keep,
      };
      // Which key/value head this query head reads (GQA, MQA), as the forward maps say it.
      const kvHead = steps[0].kvHeadOf?.[layer]?.[head];
      if (kvHead !== undefined) map.kvHead = kvHead;
      maps.push(map);
    }
  }
  return maps;
}

/** Greedy generation from the probe's prompt, with its steps (attention rows and logits' distributions). */
function generatedProbe(model: ChapterModel, vocab: Vocab, context: number, texts: ProbeTexts) {
  const sampler = new Sampler(
    model,
    { vocab, context },
    { prompt: texts.prompt, maxTokens: texts.generated, temperature: 0, topK: 0, topP: 1, seed: 0, topCount: 1 },
  );
  const steps: SampleStep[] = [];
  try {
    for (let step = sampler.next(); step; step = sampler.next()) steps.push(step);
  } finally {
    sampler.dispose();
  }
  const tokens = sampler.tokens();
  const probe: ProbeResult = {
    source: sampler.promptTokens,
    target: texts.continuation,
    predicted: tokens,
    maps: generatedMapsOf(sampler.promptTokens, steps, tokens),
  };
  return { probe, ids: [...sampler.promptIds, ...sampler.ids] };
}

/** Both probes; the statistics of the checks come from the forward maps. */
export function probeLanguageModel(model: ChapterModel, vocab: Vocab, context: number, texts: ProbeTexts): ProbeSet {
  const forward = forwardProbe(model, vocab, texts.forward);
  const generated = generatedProbe(model, vocab, context, texts);
  return { probes: [forward.probe, generated.probe], stats: forward.stats };
}

/**
 * The largest |cached − uncached| logit over every step of a greedy generation of `steps` tokens
 * from `prompt`, divided by the largest |logit| (the logits' scale): the KV cache must give what a
 * full forward pass over the same tokens gives. Prompt and generation must fit in one window.
 */
export function kvCacheDeviation(
  model: ChapterModel,
  vocab: Vocab,
  context: number,
  prompt: string,
  steps: number,
): { deviation: number; steps: number } {
  const decoder = model.decoder;
  if (!decoder) throw new Error('this model has no decoder');
  const generation = sampleText(
    model,
    { vocab, context },
    { prompt, maxTokens: steps, temperature: 0, topK: 0, topP: 1, seed: 0, attention: false },
  );
  const fed = [...generation.promptIds, ...generation.ids].slice(0, -1); // every token a step reads
  const first = generation.promptIds.length - 1; // fed[first] is the first step's token
  if (fed.length > context) throw new Error(`${fed.length} tokens do not fit in ${context} positions`);
  const cached: Float32Array[] = [];
  let state = tf.tidy(() =>
    decoder.start({ token_ids: tf.tensor2d(Int32Array.from(fed.slice(0, first)), [1, first], 'int32') }),
  );
  try {
    for (let t = first; t < fed.length; t++) {
      const previous = tf.tensor1d([fed[t]], 'int32'); // [batch = 1]
      const output = decoder.step(state, previous, t - first);
      tf.dispose([previous, ...Object.values(state)]);
      state = output.state;
      cached.push(output.logits.dataSync() as Float32Array);
      tf.dispose([output.logits, ...output.attention.map((a) => a.weights)]);
    }
  } finally {
    tf.dispose(Object.values(state));
  }
  const uncached = tf.tidy(() => {
    const ids = tf.tensor2d(Int32Array.from(fed), [1, fed.length], 'int32');
    const batch = { inputs: { token_ids: ids }, targets: ids, lossMask: tf.ones([1, fed.length]) as tf.Tensor2D };
    const { logits } = model.forward(batch, { training: false, seed: 0 }); // [1, len, vocab]
    return tf.slice(logits, [0, first, 0], [1, cached.length, logits.shape[2]]); // [1, steps, vocab]
  });
  const full = uncached.dataSync();
  uncached.dispose();
  let deviation = 0;
  let scale = 0;
  cached.forEach((row, t) => {
    for (let i = 0; i < row.length; i++) {
      const reference = full[t * row.length + i];
      deviation = Math.max(deviation, Math.abs(row[i] - reference));
      scale = Math.max(scale, Math.abs(reference));
    }
  });
  return { deviation: deviation / Math.max(scale, 1e-12), steps: cached.length };
}
