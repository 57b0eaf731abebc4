/**
 * Attention maps stored compactly (run format 2): a matrix as base64 of its float32 values
 * (little-endian, row-major) and a mask as base64 of a bitset (row-major, bit set = may attend).
 * Float32 keeps every weight as the model computed it (finer than the 1e-6 the format promises)
 * at 5.3 characters a number: a 4-layer × 4-head model's three 64-token probes take about 1 MB.
 * Plain JS so that the engine, the host and the webview decode the same way (no Buffer, no atob).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, bytes.length);
    let text = '';
    for (let i = start; i < end; i += 3) {
      const a = bytes[i];
      const b = i + 1 < end ? bytes[i + 1] : 0;
      const c = i + 2 < end ? bytes[i + 2] : 0;
      const triple = (a << 16) | (b << 8) | c;
      text += ALPHABET[(triple >> 18) & 63] + ALPHABET[(triple >> 12) & 63];
      text += i + 1 < end ? ALPHABET[(triple >> 6) & 63] : '=';
      text += i + 2 < end ? ALPHABET[triple & 63] : '=';
    }
    parts.push(text);
  }
  return parts.join('');
}

/** Decodes base64; null when `text` is not valid base64 (wrong length or characters). */
export function base64ToBytes(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const length = (text.length / 4) * 3 - padding;
  const bytes = new Uint8Array(length);
  let out = 0;
  for (let i = 0; i < text.length; i += 4) {
    let triple = 0;
    for (let k = 0; k < 4; k++) {
      const code = text.charCodeAt(i + k);
      const isPad = code === 61 && i + k >= text.length - padding;
      const value = isPad ? 0 : code < 128 ? LOOKUP[code] : -1;
      if (value < 0) return null;
      triple = (triple << 6) | value;
    }
    if (out < length) bytes[out++] = (triple >> 16) & 255;
    if (out < length) bytes[out++] = (triple >> 8) & 255;
    if (out < length) bytes[out++] = triple & 255;
  }
  return bytes;
}

const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/** `values` (row-major) as base64 of float32 little-endian. */
export function packFloat32(values: ArrayLike<number>): string {
  const floats = Float32Array.from(values);
  const bytes = new Uint8Array(floats.buffer);
  if (!LITTLE_ENDIAN) for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return bytesToBase64(bytes);
}

/** The float32 values of `packFloat32`'s text; null when it is not base64 of a whole number of floats. */
export function unpackFloat32(text: string): Float32Array | null {
  const bytes = base64ToBytes(text);
  if (!bytes || bytes.length % 4 !== 0) return null;
  if (!LITTLE_ENDIAN) for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

/** A 0/1 (or boolean-ish) row-major matrix as base64 of a bitset; bit i = value i is non-zero. */
export function packMask(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) if (values[i]) bytes[i >> 3] |= 1 << (i & 7);
  return bytesToBase64(bytes);
}

/** `count` 0/1 values from `packMask`'s text; null when the text is invalid or too short. */
export function unpackMask(text: string, count: number): Uint8Array | null {
  const bytes = base64ToBytes(text);
  if (!bytes || bytes.length !== Math.ceil(count / 8)) return null;
  const values = new Uint8Array(count);
  for (let i = 0; i < count; i++) values[i] = (bytes[i >> 3] >> (i & 7)) & 1;
  return values;
}
