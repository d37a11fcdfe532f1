/**
 * Matryoshka-style shortening (OpenAI's `dimensions`): the first `n` values of a vector, scaled back to unit
 * length so cosine and dot product stay comparable. Meaningful for models trained for it; for others it is
 * still well defined, only less faithful.
 */

/** The first `n` values of `vector`, L2-normalised (a zero prefix stays zero). `n` must be in [1, length]. */
export function shortenVector(vector: Float32Array, n: number): Float32Array {
  if (!Number.isInteger(n) || n < 1 || n > vector.length) {
    throw new RangeError(`dimensions must be an integer in [1, ${vector.length}], got ${n}`);
  }
  const out = vector.slice(0, n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += out[i]! * out[i]!;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < n; i++) out[i]! /= norm;
  return out;
}
