/**
 * What the chapter measures of a model's KV cache: its size per token from the model's own shapes.
 *
 *   bytes per token = 2 (keys and values) · layers · kv_heads · d_head · bytes per number
 *
 * Multi-head attention caches every head's K and V; GQA caches kv_heads of them (heads / kv_heads
 * times less), MQA one. The queries are never cached: each is used once, by its own token.
 */
import type { ModernConfig } from './model';

/** Bytes of a float32 number, what this engine caches. */
export const FLOAT32_BYTES = 4;

export function kvCacheBytesPerToken(
  config: Pick<ModernConfig, 'layers' | 'kvHeads' | 'heads' | 'modelSize'>,
  bytes = FLOAT32_BYTES,
): number {
  return 2 * config.layers * config.kvHeads * (config.modelSize / config.heads) * bytes;
}
