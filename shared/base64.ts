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
  // ASCII output bytes, turned into a string by one native TextDecoder call: far faster than building a
  // string piece by piece. Two output characters (12 input bits) are written per 16-bit store.
  const out = new Uint8Array(Math.ceil(len / 3) * 4);
  const out16 = new Uint16Array(out.buffer);
  const full = len - (len % 3);
  let o = 0;
  for (let i = 0; i < full; i += 3) {
    const t = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out16[o] = ENC_PAIR[t >>> 12] as number;
    out16[o + 1] = ENC_PAIR[t & 4095] as number;
    o += 2;
  }
  const rest = len - full;
  if (rest > 0) {
    const t = ((bytes[full] as number) << 16) | (rest === 2 ? (bytes[full + 1] as number) << 8 : 0);
    const at = o * 2;
    out[at] = ALPHABET.charCodeAt(t >>> 18);
    out[at + 1] = ALPHABET.charCodeAt((t >>> 12) & 63);
    out[at + 2] = rest === 2 ? ALPHABET.charCodeAt((t >>> 6) & 63) : PAD;
    out[at + 3] = PAD;
  }
  return ASCII_DECODER.decode(out);
}

/** Decodes standard base64; padding optional, whitespace not allowed. Throws naming the bad position. */
export function base64ToBytes(base64: string): Uint8Array {
  let len = base64.length;
  while (len > 0 && base64.charCodeAt(len - 1) === PAD) len--;
  if (base64.length - len > 2 || len % 4 === 1) {
    throw new Error(`invalid base64: length ${base64.length} is not a valid base64 length`);
  }
  // One native call turns the string into bytes; a non-ASCII character makes it write more bytes than
  // characters, which is how it is detected.
  const ascii = new Uint8Array(len + (len & 1));
  const { read, written } = ASCII_ENCODER.encodeInto(base64.slice(0, len), ascii);
  if (read !== len || written !== len) throw badCharacter(base64);
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  const full = len - (len % 4);
  const in16 = new Uint16Array(ascii.buffer, 0, full >> 1);
  const dec = decodePairs();
  let o = 0;
  for (let i = 0; i < in16.length; i += 2) {
    const hi = dec[in16[i] as number] as number;
    const lo = dec[in16[i + 1] as number] as number;
    if ((hi | lo) < 0) throw badCharacter(base64);
    const t = (hi << 12) | lo;
    out[o] = t >>> 16;
    out[o + 1] = (t >>> 8) & 255;
    out[o + 2] = t & 255;
    o += 3;
  }
  const rest = len - full;
  if (rest >= 2) {
    const c = (k: number): number => {
      const v = (DEC[ascii[full + k] as number] as number | undefined) ?? -1;
      if (v < 0) throw badCharacter(base64);
      return v;
    };
    const t = (c(0) << 18) | (c(1) << 12) | (rest === 3 ? c(2) << 6 : 0);
    out[o++] = t >>> 16;
    if (rest === 3) out[o++] = (t >>> 8) & 255;
  }
  return out;
}

const PAD = 61; // '='
const ASCII_DECODER = new TextDecoder();
const ASCII_ENCODER = new TextEncoder();
/** Character code → 6-bit value, -1 for characters outside the alphabet. */
const DEC = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) DEC[ALPHABET.charCodeAt(i)] = i;
/** 12-bit value → its two ASCII characters, laid out as a host-order 16-bit word. */
const ENC_PAIR = new Uint16Array(4096);
for (let i = 0; i < 4096; i++) {
  const a = ALPHABET.charCodeAt(i >> 6);
  const b = ALPHABET.charCodeAt(i & 63);
  ENC_PAIR[i] = HOST_IS_LITTLE_ENDIAN ? a | (b << 8) : (a << 8) | b;
}
let DEC_PAIR: Int16Array | undefined;

/** Host-order 16-bit word of two ASCII characters → 12-bit value, -1 if either is invalid (128 KiB, built once). */
function decodePairs(): Int16Array {
  if (!DEC_PAIR) {
    DEC_PAIR = new Int16Array(65536).fill(-1);
    for (let i = 0; i < 4096; i++) DEC_PAIR[ENC_PAIR[i] as number] = i;
  }
  return DEC_PAIR;
}

/** The error for the first character outside the alphabet (before any padding). */
function badCharacter(s: string): Error {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === PAD && /^=*$/.test(s.slice(i))) break;
    if (c >= 128 || (DEC[c] as number) < 0) {
      return new Error(`invalid base64: character ${JSON.stringify(s[i])} at position ${i}`);
    }
  }
  return new Error('invalid base64');
}
