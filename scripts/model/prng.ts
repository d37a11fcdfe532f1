/**
 * Seeded pseudo-random numbers for the generated weights. Every tensor gets its own stream, derived from the
 * model seed and the tensor's name, so adding or resizing one tensor never shifts the values of the others.
 * Only integer arithmetic plus Math.log/cos/sqrt (fdlibm ports in V8, identical on every platform).
 */

/** 32-bit FNV-1a of a string: turns a tensor name into a stream id. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** sfc32: small, fast, good statistical quality, 128-bit state. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: number, stream: string) {
    this.a = seed >>> 0;
    this.b = fnv1a(stream);
    this.c = 0x9e3779b9;
    this.d = 1;
    for (let i = 0; i < 16; i++) this.nextUint32(); // mix the seed into the whole state
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in (0, 1): never exactly 0, so log() below is finite. */
  uniform(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /** Standard normal (Box-Muller, both values used). */
  gaussian(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

/** A Float32Array of `n` Gaussian values with the given standard deviation, from its own named stream. */
export function gaussianArray(seed: number, stream: string, n: number, std: number): Float32Array {
  const rng = new Prng(seed, stream);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.gaussian() * std;
  return out;
}
