import { describe, expect, it } from 'vitest';
import {
  HOST_IS_LITTLE_ENDIAN,
  base64ToBytes,
  base64ToFloat32,
  bytesToBase64,
  float32FromLEBytes,
  float32ToBase64,
  float32ToLEBytes,
} from '../shared/base64';

describe('base64 bytes (RFC 4648)', () => {
  it('encodes and decodes the RFC 4648 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      const bytes = new TextEncoder().encode(plain);
      expect(bytesToBase64(bytes)).toBe(encoded);
      expect(new TextDecoder().decode(base64ToBytes(encoded))).toBe(plain);
    }
  });

  it('agrees with Buffer on every byte value and across chunk boundaries', () => {
    for (const len of [255, 256, 3 * 8192 - 1, 3 * 8192, 3 * 8192 + 1, 100_003]) {
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = (i * 7 + (i >> 8)) & 255;
      const b64 = bytesToBase64(bytes);
      expect(b64).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(b64)).toEqual(bytes);
    }
  });

  it('accepts unpadded input and rejects invalid characters and lengths', () => {
    expect(new TextDecoder().decode(base64ToBytes('Zm8'))).toBe('fo');
    expect(() => base64ToBytes('Zm9v!A==')).toThrow(/character "!" at position 4/);
    expect(() => base64ToBytes('Zm9vY')).toThrow(/not a valid base64 length/);
    expect(() => base64ToBytes('Zm===')).toThrow(/not a valid base64 length/);
    expect(() => base64ToBytes('Zm9v\nAAA')).toThrow(/character "\\n" at position 4/);
    expect(() => base64ToBytes('Zm9véAA=')).toThrow(/character "é" at position 4/);
  });
});

describe('float32 ↔ base64 (little-endian wire format)', () => {
  it('encodes a known little-endian byte pattern', () => {
    // 1.0f = 0x3F800000 → LE bytes 00 00 80 3F; -2.0f = 0xC0000000 → 00 00 00 C0.
    const v = Float32Array.from([1, -2]);
    expect(Array.from(float32ToLEBytes(v))).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    expect(float32ToBase64(v)).toBe(Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]).toString('base64'));
    expect(float32ToBase64(v)).toBe('AACAPwAAAMA=');
    expect(Array.from(base64ToFloat32('AACAPwAAAMA='))).toEqual([1, -2]);
  });

  it('matches an independent DataView encoding', () => {
    const v = Float32Array.from([0.1, -3.5e-12, 65504, Math.PI, -0]);
    const bytes = new Uint8Array(v.length * 4);
    const view = new DataView(bytes.buffer);
    v.forEach((x, i) => view.setFloat32(i * 4, x, true));
    expect(float32ToBase64(v)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('round-trips 384-dim vectors bit for bit, including special values', () => {
    const v = new Float32Array(384);
    for (let i = 0; i < v.length; i++) v[i] = Math.sin(i * 12.9898) * 43758.5453 - 20000;
    v[0] = -0;
    v[1] = Number.MIN_VALUE;
    v[2] = 3.4028234663852886e38;
    const back = base64ToFloat32(float32ToBase64(v), 384);
    expect(new Uint32Array(back.buffer)).toEqual(new Uint32Array(v.buffer));
    expect(Object.is(back[0], -0)).toBe(true);
  });

  it('encodes a view into a larger buffer (non-zero byteOffset) correctly', () => {
    const big = Float32Array.from([9, 9, 1, -2, 9]);
    expect(float32ToBase64(big.subarray(2, 4))).toBe('AACAPwAAAMA=');
  });

  it('the big-endian host path (DataView) gives the same wire bytes and values', () => {
    const v = Float32Array.from([1, -2, 0.5, 1e-30]);
    const viaDataView = float32ToLEBytes(v, false);
    expect(viaDataView).toEqual(new Uint8Array(float32ToLEBytes(v, true)));
    expect(float32FromLEBytes(viaDataView, false)).toEqual(v);
    expect(HOST_IS_LITTLE_ENDIAN).toBe(new Uint8Array(Float32Array.from([1]).buffer)[3] === 0x3f);
  });

  it('decoded arrays are aligned fresh copies', () => {
    const bytes = new Uint8Array(9);
    bytes.set([0x00, 0x00, 0x80, 0x3f], 1); // 1.0f at an odd offset
    const v = float32FromLEBytes(bytes.subarray(1, 5));
    expect(Array.from(v)).toEqual([1]);
    bytes[4] = 0;
    expect(v[0]).toBe(1);
  });

  it('rejects byte counts that are not a multiple of 4 and unexpected lengths', () => {
    expect(() => base64ToFloat32('AAAA')).toThrow(/3 bytes, not a multiple of 4/);
    expect(() => base64ToFloat32('AACAPwAAAMA=', 3)).toThrow(/has 2 values, expected 3/);
  });

  it('encodes and decodes 10,000 × 384 floats', () => {
    const v = new Float32Array(10_000 * 384);
    for (let i = 0; i < v.length; i++) v[i] = (i % 1000) / 999 - 0.5;
    const b64 = float32ToBase64(v);
    expect(b64.length).toBe(Math.ceil((v.length * 4) / 3) * 4);
    // Boolean comparisons: vitest's deep equality over 3.84M elements takes seconds.
    expect(b64 === Buffer.from(v.buffer).toString('base64')).toBe(true);
    const back = base64ToFloat32(b64, v.length);
    expect(Buffer.compare(Buffer.from(back.buffer), Buffer.from(v.buffer))).toBe(0);
  });
});
