/**
 * The taste vector (Rocchio relevance feedback, as SMART did it and Qdrant's recommend API does today):
 * q = normalise(α·p̂ + β·Σ wᵢ·l̂ᵢ / |L| − γ·Σ wⱼ·n̂ⱼ / |N|), p the user's profile vector, L the liked / connected
 * candidates and N the passed ones present among the candidates, w their recency weights, ^ unit length. Each
 * vector is normalised first so α, β, γ mean the same for every model. Float64 throughout, one result on every
 * runtime.
 */
import type { CandidateMatrix } from '../scoring';
import type { TasteWeights } from './options';

/** Feedback rows of the matrix with their recency weights. */
export interface TasteInput {
  positives: ReadonlyArray<{ row: number; weight: number }>;
  negatives: ReadonlyArray<{ row: number; weight: number }>;
}

/**
 * The query for the user's profile vector moved by feedback, or `profile` itself (the same object) when there
 * is no usable feedback or the result would be a zero vector.
 */
export function tasteVector(profile: Float32Array, matrix: CandidateMatrix, input: TasteInput, w: TasteWeights): Float32Array {
  const dim = profile.length;
  if ((input.positives.length === 0 || w.beta === 0) && (input.negatives.length === 0 || w.gamma === 0)) return profile;
  const q = new Float64Array(dim);
  addScaled(q, profile, 0, dim, w.alpha);
  for (const [rows, coef] of [
    [input.positives, w.beta],
    [input.negatives, -w.gamma],
  ] as const) {
    if (rows.length === 0 || coef === 0) continue;
    for (const { row, weight } of rows) addScaled(q, matrix.vectors, row * dim, dim, (coef * weight) / rows.length);
  }
  let sq = 0;
  for (let j = 0; j < dim; j++) sq += (q[j] as number) * (q[j] as number);
  if (!(sq > 0) || !Number.isFinite(sq)) return profile;
  const norm = Math.sqrt(sq);
  const out = new Float32Array(dim);
  for (let j = 0; j < dim; j++) out[j] = (q[j] as number) / norm;
  return out;
}

/** out += scale · v̂, with v = src[offset .. offset+dim) normalised to unit length (a zero row adds nothing). */
function addScaled(out: Float64Array, src: Float32Array, offset: number, dim: number, scale: number): void {
  let sq = 0;
  for (let j = 0; j < dim; j++) sq += (src[offset + j] as number) * (src[offset + j] as number);
  if (!(sq > 0)) return;
  const s = scale / Math.sqrt(sq);
  for (let j = 0; j < dim; j++) out[j] = (out[j] as number) + s * (src[offset + j] as number);
}
