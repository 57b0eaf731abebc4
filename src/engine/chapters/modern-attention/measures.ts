/**
 * What the chapter measures of a model's KV cache: its size per token from the model's own shapes.
 *
 *   bytes per token = 2 (keys and values) · layers · kv_heads · d_head · bytes per number
 *
 * Multi-head attention caches every head's K and V; GQA caches kv_heads of them (heads / kv_heads
 * times less), MQA one. The queries are never cached: each is used once, by its own token.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModernConfig, ModernModel } from './model';

/** Bytes of a float32 number, what this engine caches. */
export const FLOAT32_BYTES = 4;

export function kvCacheBytesPerToken(
  config: Pick<ModernConfig, 'layers' | 'kvHeads' | 'heads' | 'modelSize'>,
  bytes = FLOAT32_BYTES,
): number {
  return 2 * config.layers * config.kvHeads * (config.modelSize / config.heads) * bytes;
}

/** Bytes per token of the cache a model keeps, read from its decoder state's tensors after a short prompt. */
export function measuredCacheBytesPerToken(model: ModernModel): number {
  const tokens = Math.min(4, model.config.context - 1);
  const state = tf.tidy(() =>
    model.decoder.start({ token_ids: tf.tensor2d(new Int32Array(tokens).fill(4), [1, tokens], 'int32') }),
  );
  const bytes = Object.entries(state)
    .filter(([name]) => /\/(keys|values)$/.test(name))
    .reduce((sum, [, tensor]) => sum + tensor.size * FLOAT32_BYTES, 0);
  tf.dispose(Object.values(state));
  return bytes / tokens;
}

/**
 * The KV-cache metrics of an evaluation (info.ts KV_CACHE_METRICS), from the running model's own
 * cached tensors: per token, and for a whole context of `config.context` tokens, of one sequence.
 */
export function kvCacheValues(model: ModernModel): Record<string, number> {
  const perToken = measuredCacheBytesPerToken(model);
  return { kv_cache_bytes_per_token: perToken, kv_cache_context_bytes: perToken * model.config.context };
}
