/**
 * The similarity kernel in plain JavaScript, for hosts without WebAssembly SIMD (or where a Content Security
 * Policy forbids compiling WebAssembly). It computes exactly the float32 sums of dots.wat, in the summation
 * order that file defines, so a device on this path and a server on the SIMD path rank alike to the last bit.
 *
 * Bit-for-bit equality with float32 hardware: `Math.fround(x * y)` of two float32 values is the correctly
 * rounded float32 product (the exact product fits a double), and `Math.fround(a + b)` the correctly rounded
 * float32 sum (double rounding through a 53-bit double is harmless for 24-bit operands, Figueroa 1995).
 */
const f = Math.fround;

/** out[i] = float32 dot of `query` and row i of `vectors` (`rows` rows of `dim` floats), dots.wat's order. */
export function dotsJs(query: Float32Array, vectors: Float32Array, rows: number, dim: number, out: Float32Array): void {
  const q = query;
  const v = vectors;
  const end16 = dim - (dim % 16);
  const end4 = dim - (dim % 4);
  for (let i = 0, base = 0; i < rows; i++, base += dim) {
    // Lane t of the 16 accumulators: a_k lane l in the .wat is l(4k + l) here.
    let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
    let l8 = 0, l9 = 0, l10 = 0, l11 = 0, l12 = 0, l13 = 0, l14 = 0, l15 = 0;
    let j = 0;
    for (; j < end16; j += 16) {
      const b = base + j;
      l0 = f(l0 + f((v[b] as number) * (q[j] as number)));
      l1 = f(l1 + f((v[b + 1] as number) * (q[j + 1] as number)));
      l2 = f(l2 + f((v[b + 2] as number) * (q[j + 2] as number)));
      l3 = f(l3 + f((v[b + 3] as number) * (q[j + 3] as number)));
      l4 = f(l4 + f((v[b + 4] as number) * (q[j + 4] as number)));
      l5 = f(l5 + f((v[b + 5] as number) * (q[j + 5] as number)));
      l6 = f(l6 + f((v[b + 6] as number) * (q[j + 6] as number)));
      l7 = f(l7 + f((v[b + 7] as number) * (q[j + 7] as number)));
      l8 = f(l8 + f((v[b + 8] as number) * (q[j + 8] as number)));
      l9 = f(l9 + f((v[b + 9] as number) * (q[j + 9] as number)));
      l10 = f(l10 + f((v[b + 10] as number) * (q[j + 10] as number)));
      l11 = f(l11 + f((v[b + 11] as number) * (q[j + 11] as number)));
      l12 = f(l12 + f((v[b + 12] as number) * (q[j + 12] as number)));
      l13 = f(l13 + f((v[b + 13] as number) * (q[j + 13] as number)));
      l14 = f(l14 + f((v[b + 14] as number) * (q[j + 14] as number)));
      l15 = f(l15 + f((v[b + 15] as number) * (q[j + 15] as number)));
    }
    for (; j < end4; j += 4) {
      const b = base + j;
      l0 = f(l0 + f((v[b] as number) * (q[j] as number)));
      l1 = f(l1 + f((v[b + 1] as number) * (q[j + 1] as number)));
      l2 = f(l2 + f((v[b + 2] as number) * (q[j + 2] as number)));
      l3 = f(l3 + f((v[b + 3] as number) * (q[j + 3] as number)));
    }
    const c0 = f(f(l0 + l4) + f(l8 + l12));
    const c1 = f(f(l1 + l5) + f(l9 + l13));
    const c2 = f(f(l2 + l6) + f(l10 + l14));
    const c3 = f(f(l3 + l7) + f(l11 + l15));
    let s = f(f(c0 + c2) + f(c1 + c3));
    for (; j < dim; j++) s = f(s + f((v[base + j] as number) * (q[j] as number)));
    out[i] = s;
  }
}
