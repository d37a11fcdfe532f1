/**
 * Wire format of embeddings: base64 of the vector's float32 values as little-endian bytes (4 per value).
 * Runs in browsers and Node without `Buffer`. On a little-endian host (every mainstream CPU) the typed
 * array's own bytes are already the wire bytes; a big-endian host goes through a DataView.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** True when this host stores floats little-endian, so typed-array bytes can be used as wire bytes. */
export const HOST_IS_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Encodes to base64 of little-endian float32 bytes. */
export function float32ToBase64(vector: Float32Array): string {
  return bytesToBase64(float32ToLEBytes(vector));
}

/**
 * Decodes base64 of little-endian float32 bytes. Throws on characters outside the base64 alphabet, a byte
 * count that is not a multiple of 4, or (when given) a length other than `expectedLength`.
 */
export function base64ToFloat32(base64: string, expectedLength?: number): Float32Array {
  const bytes = base64ToBytes(base64);
  if (bytes.length % 4 !== 0) {
    throw new Error(`base64 embedding decodes to ${bytes.length} bytes, not a multiple of 4 (float32)`);
  }
  const n = bytes.length / 4;
  if (expectedLength !== undefined && n !== expectedLength) {
    throw new Error(`base64 embedding has ${n} values, expected ${expectedLength}`);
  }
  return float32FromLEBytes(bytes);
}

/** The little-endian bytes of a vector (a view, no copy, on little-endian hosts). */
export function float32ToLEBytes(vector: Float32Array, littleEndianHost = HOST_IS_LITTLE_ENDIAN): Uint8Array {
  if (littleEndianHost) return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
  const out = new Uint8Array(vector.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i] as number, true);
  return out;
}

/** A vector from little-endian float32 bytes (always a fresh, aligned array). */
export function float32FromLEBytes(bytes: Uint8Array, littleEndianHost = HOST_IS_LITTLE_ENDIAN): Float32Array {
  if (bytes.length % 4 !== 0) throw new Error(`${bytes.length} bytes is not a multiple of 4 (float32)`);
  const n = bytes.length / 4;
  if (littleEndianHost) {
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return new Float32Array(copy.buffer, 0, n);
  }
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Standard base64 (RFC 4648, with '=' padding). */
export function bytesToBase64(bytes: Uint8Array): string {
  const len = bytes.length;
  const chunks: string[] = [];
  // Build codes in a reusable buffer and turn 24 KiB at a time into a string: one string op per chunk
  // instead of per character, and no call-stack limit from spreading a huge array.
  const CHUNK = 3 * 8192;
  const codes = new Uint16Array((CHUNK / 3) * 4);
  for (let start = 0; start < len; start += CHUNK) {
    const end = Math.min(start + CHUNK, len);
    const full = end - ((end - start) % 3);
    let o = 0;
    let i = start;
    for (; i < full; i += 3) {
      const t = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
      codes[o++] = ENC[t >>> 18] as number;
      codes[o++] = ENC[(t >>> 12) & 63] as number;
      codes[o++] = ENC[(t >>> 6) & 63] as number;
      codes[o++] = ENC[t & 63] as number;
    }
    const rest = end - i;
    if (rest > 0) {
      const t = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
      codes[o++] = ENC[t >>> 18] as number;
      codes[o++] = ENC[(t >>> 12) & 63] as number;
      codes[o++] = rest === 2 ? (ENC[(t >>> 6) & 63] as number) : PAD;
      codes[o++] = PAD;
    }
    chunks.push(String.fromCharCode.apply(null, codes.subarray(0, o) as unknown as number[]));
  }
  return chunks.join('');
}

/** Decodes standard base64; padding optional, whitespace not allowed. Throws naming the bad position. */
export function base64ToBytes(base64: string): Uint8Array {
  let len = base64.length;
  while (len > 0 && base64.charCodeAt(len - 1) === PAD) len--;
  if (base64.length - len > 2 || len % 4 === 1) {
    throw new Error(`invalid base64: length ${base64.length} is not a valid base64 length`);
  }
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let i = 0;
  const full = len - (len % 4);
  for (; i < full; i += 4) {
    const t =
      (dec(base64, i) << 18) | (dec(base64, i + 1) << 12) | (dec(base64, i + 2) << 6) | dec(base64, i + 3);
    out[o++] = t >>> 16;
    out[o++] = (t >>> 8) & 255;
    out[o++] = t & 255;
  }
  const rest = len - i;
  if (rest >= 2) {
    const t = (dec(base64, i) << 18) | (dec(base64, i + 1) << 12) | (rest === 3 ? dec(base64, i + 2) << 6 : 0);
    out[o++] = t >>> 16;
    if (rest === 3) out[o++] = (t >>> 8) & 255;
  }
  return out;
}

const PAD = 61; // '='
const ENC = new Uint16Array(64);
const DEC = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  const c = ALPHABET.charCodeAt(i);
  ENC[i] = c;
  DEC[c] = i;
}

function dec(s: string, i: number): number {
  const c = s.charCodeAt(i);
  const v = c < 128 ? (DEC[c] as number) : -1;
  if (v < 0) throw new Error(`invalid base64: character ${JSON.stringify(s[i])} at position ${i}`);
  return v;
}
