/**
 * FROZEN BASELINE for bench/rank.ts: shared/scoring.ts as it was before the WebAssembly SIMD kernel (commit
 * b3131c0): a scalar JavaScript loop computing dot product and squared norm of every row on every rank, in
 * float64. Kept verbatim (only this header and the import path changed) so the benchmark measures the new
 * ranker against what it replaced, in the same run. Not used by the product.
 */
/**
 * The one ranking function of nearfeed. The browser and the server both call `rankCandidates`, so a feed
 * ranked on the device and one ranked by `/api/v1/feed` agree by construction (same code, same float64
 * arithmetic, same tie-break).
 *
 * Score of a candidate: `total = ws * similarity + wd * diligence + we * engagement`, weights normalised to
 * sum 1, where
 * - `similarity` = (cos + 1) / 2 with cos the cosine of query and candidate vector. Mapping the cosine to
 *   [0, 1] puts all three features on the same scale, so `total` is always in [0, 1] and a weight really is
 *   the share of the score it names. The mapping is monotone, so the order by similarity alone is unchanged.
 * - `diligence`, `engagement` are the candidate's own values, each required to be in [0, 1].
 * Ties on `total` are broken by id in ascending UTF-16 code-unit order (plain `<`, not `localeCompare`,
 * whose result depends on the runtime's locale data).
 */
import type { RankWeights, ScoreBreakdown } from '../../shared/types';

/** Weights used where none are given: similarity 0.6, diligence 0.3, engagement 0.1. */
export const DEFAULT_WEIGHTS: Readonly<RankWeights> = Object.freeze({
  similarity: 0.6,
  diligence: 0.3,
  engagement: 0.1,
});

/** A candidate in the convenient form. `vector` may be omitted only when ranking without a query. */
export interface RankCandidate {
  id: string;
  vector?: Float32Array | null;
  diligence: number;
  engagement: number;
}

/**
 * Candidates packed for the hot loop: row i of `vectors` (`vectors[i*dimension .. (i+1)*dimension)`) belongs
 * to `ids[i]`. Build it once with `packCandidates` (or fill the arrays directly, e.g. from one IndexedDB
 * record) and rank it many times. `dimension` is 0 and `vectors` empty when there are no vectors (ML off).
 * Diligence and engagement may be float32 or float64; `packCandidates` uses Float64Array so the breakdown
 * shows a profile's 0.7 as 0.7 and not as float32's 0.699999988. Build matrices the same way on every path
 * that must agree to the last bit.
 */
export interface CandidateMatrix {
  ids: string[];
  dimension: number;
  /** n * dimension floats, one row per candidate, contiguous. */
  vectors: Float32Array;
  diligence: Float64Array | Float32Array;
  engagement: Float64Array | Float32Array;
}

export interface RankOptions {
  /** Merged over `DEFAULT_WEIGHTS`, then validated and normalised to sum 1. */
  weights?: Partial<RankWeights>;
  /** Keep only the best `limit` results (a partial top-k, no full sort). A non-negative integer. */
  limit?: number;
  /** Candidates never returned (e.g. the user's own profile, already seen items). */
  excludeIds?: Iterable<string>;
}

export interface RankedResult {
  id: string;
  /** Same as `breakdown.total`. */
  score: number;
  breakdown: ScoreBreakdown;
}

export interface RankResult {
  /** Best first: by total descending, then id ascending. */
  results: RankedResult[];
  /** False when ranked without a query vector (ML off or unavailable); similarity is then 0 everywhere. */
  ml_applied: boolean;
  /** The weights actually applied, summing to 1 (similarity 0 when `ml_applied` is false). */
  weights: RankWeights;
}

/** Dot product of two equally long vectors. Throws on a length mismatch or a non-finite result. */
export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new Error(`dot: dimension mismatch, ${a.length} vs ${b.length}`);
  }
  const sum = dotRange(a, 0, b, 0, a.length);
  if (!Number.isFinite(sum)) {
    throw new Error(`dot: ${describeNonFinite(a, 'a') ?? describeNonFinite(b, 'b') ?? 'result is not finite'}`);
  }
  return sum;
}

/**
 * Cosine similarity in [-1, 1] (raw, not mapped). Throws on a length mismatch, NaN or infinite values, or a
 * zero vector (its direction, and so its cosine, is undefined).
 */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new Error(`cosineSimilarity: dimension mismatch, ${a.length} vs ${b.length}`);
  }
  const bad = describeNonFinite(a, 'a') ?? describeNonFinite(b, 'b');
  if (bad) throw new Error(`cosineSimilarity: ${bad}`);
  const na = Math.sqrt(dotRange(a, 0, a, 0, a.length));
  const nb = Math.sqrt(dotRange(b, 0, b, 0, b.length));
  if (na === 0 || nb === 0) {
    throw new Error(`cosineSimilarity: ${na === 0 ? 'a' : 'b'} is a zero vector, cosine is undefined`);
  }
  return clampCos(dotRange(a, 0, b, 0, a.length) / (na * nb));
}

/**
 * Validates weights and normalises them to sum 1. Each weight must be a finite number in [0, 1] and their
 * sum must be > 0. With `mlApplied` false the similarity weight is dropped and the other two renormalised
 * (0.3 / 0.1 → 0.75 / 0.25); if both are 0 the default ratio of diligence to engagement is used, so a feed
 * without ML is still ranked by something.
 */
export function resolveWeights(weights: Partial<RankWeights> | undefined, mlApplied: boolean): RankWeights {
  const merged: RankWeights = { ...DEFAULT_WEIGHTS, ...stripUndefined(weights) };
  for (const key of ['similarity', 'diligence', 'engagement'] as const) {
    const w = merged[key];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > 1) {
      throw new RangeError(`weights.${key} must be a finite number in [0, 1], got ${String(w)}`);
    }
  }
  const sum = merged.similarity + merged.diligence + merged.engagement;
  if (!(sum > 0)) {
    throw new RangeError('weights must not all be 0 (similarity + diligence + engagement must be > 0)');
  }
  if (mlApplied) return normaliseWeights(merged);
  let d = merged.diligence;
  let e = merged.engagement;
  if (d + e === 0) {
    d = DEFAULT_WEIGHTS.diligence;
    e = DEFAULT_WEIGHTS.engagement;
  }
  return { similarity: 0, diligence: d / (d + e), engagement: e / (d + e) };
}

/**
 * Divides weights by their sum. A sum already 1 up to float rounding (0.6 + 0.3 + 0.1 is 0.9999999999999999)
 * is left alone, so the defaults stay 0.6 / 0.3 / 0.1 instead of becoming 0.6000000000000001.
 */
export function normaliseWeights(w: RankWeights): RankWeights {
  const sum = w.similarity + w.diligence + w.engagement;
  if (Math.abs(sum - 1) <= 1e-12) return { similarity: w.similarity, diligence: w.diligence, engagement: w.engagement };
  return { similarity: w.similarity / sum, diligence: w.diligence / sum, engagement: w.engagement / sum };
}

/**
 * Packs candidates into one contiguous matrix for `rankCandidates`. Vectors are copied as given (not
 * normalised: the ranker computes the cosine itself). Either every candidate has a vector of one dimension
 * or none has one. Throws, naming the candidate, on a duplicate or invalid id, a dimension mismatch, or
 * diligence/engagement outside [0, 1].
 */
export function packCandidates(candidates: readonly RankCandidate[]): CandidateMatrix {
  return pack(candidates, true);
}

/** `withVectors` false: ranking without a query needs no vectors, so none are copied or checked. */
function pack(candidates: readonly RankCandidate[], withVectors: boolean): CandidateMatrix {
  const n = candidates.length;
  const first = candidates[0];
  const dimension = withVectors && first?.vector ? first.vector.length : 0;
  const ids: string[] = new Array<string>(n);
  const vectors = new Float32Array(n * dimension);
  const diligence = new Float64Array(n);
  const engagement = new Float64Array(n);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const c = candidates[i] as RankCandidate;
    if (typeof c.id !== 'string' || c.id.length === 0) {
      throw new Error(`candidate #${i}: id must be a non-empty string`);
    }
    if (seen.has(c.id)) throw new Error(`candidate #${i} ("${c.id}"): duplicate id`);
    seen.add(c.id);
    const v = withVectors ? c.vector : null;
    if (dimension === 0) {
      if (v && v.length > 0) {
        throw new Error(
          `candidate #${i} ("${c.id}") has a vector of dimension ${v.length} but candidate #0 has none: all or none must have vectors`,
        );
      }
    } else {
      if (!v) {
        throw new Error(`candidate #${i} ("${c.id}") has no vector, expected dimension ${dimension}`);
      }
      if (v.length !== dimension) {
        throw new Error(
          `candidate #${i} ("${c.id}"): dimension mismatch, vector has ${v.length}, expected ${dimension} (from candidate #0)`,
        );
      }
      vectors.set(v, i * dimension);
    }
    checkFeature(c.diligence, 'diligence', i, c.id);
    checkFeature(c.engagement, 'engagement', i, c.id);
    ids[i] = c.id;
    diligence[i] = c.diligence;
    engagement[i] = c.engagement;
  }
  return { ids, dimension, vectors, diligence, engagement };
}

/**
 * Ranks candidates for a query vector, best first.
 *
 * - `query` null (ML off or unavailable): ranked by diligence and engagement alone, their weights
 *   renormalised; similarity is 0 in every breakdown and `ml_applied` is false.
 * - Throws (never a silently wrong order) on a query/candidate dimension mismatch, NaN or infinite values in
 *   the query or a candidate (the message names the candidate and the index), a zero vector, features outside
 *   [0, 1], or invalid weights/limit.
 * - With `limit`, a bounded heap keeps the best `limit` rows: O(n log k), no full sort.
 * Pass a `CandidateMatrix` (from `packCandidates`) to rank the same candidates repeatedly without re-packing.
 */
export function rankCandidates(
  query: Float32Array | null,
  candidates: CandidateMatrix | readonly RankCandidate[],
  options: RankOptions = {},
): RankResult {
  const matrix = isMatrix(candidates) ? candidates : pack(candidates, query !== null);
  const n = checkMatrix(matrix);
  const mlApplied = query !== null;
  const weights = resolveWeights(options.weights, mlApplied);
  const limit = resolveLimit(options.limit, n);
  const excluded = excludedMask(matrix.ids, options.excludeIds);

  const totals = new Float64Array(n);
  const sims = mlApplied ? new Float64Array(n) : null;
  if (query !== null && sims !== null) {
    const qNorm = checkQuery(query, matrix);
    similarities(query, qNorm, matrix, excluded, sims);
  }
  const { diligence, engagement, ids } = matrix;
  const ws = weights.similarity;
  const wd = weights.diligence;
  const we = weights.engagement;
  for (let i = 0; i < n; i++) {
    if (excluded !== null && excluded[i] === 1) continue;
    const d = diligence[i] as number;
    const e = engagement[i] as number;
    // Range check folded into the scoring loop: a NaN fails both comparisons.
    if (!(d >= 0 && d <= 1 && e >= 0 && e <= 1)) {
      const id = ids[i] as string;
      checkFeature(d, 'diligence', i, id);
      checkFeature(e, 'engagement', i, id);
    }
    totals[i] = sims ? ws * (sims[i] as number) + wd * d + we * e : wd * d + we * e;
  }

  const order = limit < n ? topK(totals, ids, excluded, limit) : sortAll(totals, ids, excluded);
  const results: RankedResult[] = new Array<RankedResult>(order.length);
  for (let r = 0; r < order.length; r++) {
    const i = order[r] as number;
    const total = totals[i] as number;
    results[r] = {
      id: ids[i] as string,
      score: total,
      breakdown: {
        similarity: sims ? (sims[i] as number) : 0,
        diligence: diligence[i] as number,
        engagement: engagement[i] as number,
        total,
      },
    };
  }
  return { results, ml_applied: mlApplied, weights };
}

// ---------------------------------------------------------------------------------------------------------
// Hot path

/**
 * Fills `out[i]` with the mapped similarity (cos+1)/2 of every non-excluded row. One pass over the contiguous
 * matrix computing dot and squared norm together; no allocation. Non-finite input shows up as a non-finite
 * sum, so the per-element NaN check costs nothing until something is actually wrong.
 */
function similarities(
  query: Float32Array,
  qNorm: number,
  m: CandidateMatrix,
  excluded: Uint8Array | null,
  out: Float64Array,
): void {
  const dim = m.dimension;
  const v = m.vectors;
  const n = m.ids.length;
  const dim4 = dim - (dim % 4);
  for (let i = 0; i < n; i++) {
    if (excluded !== null && excluded[i] === 1) continue;
    const base = i * dim;
    let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let j = 0;
    for (; j < dim4; j += 4) {
      const c0 = v[base + j] as number;
      const c1 = v[base + j + 1] as number;
      const c2 = v[base + j + 2] as number;
      const c3 = v[base + j + 3] as number;
      d0 += c0 * (query[j] as number);
      d1 += c1 * (query[j + 1] as number);
      d2 += c2 * (query[j + 2] as number);
      d3 += c3 * (query[j + 3] as number);
      s0 += c0 * c0;
      s1 += c1 * c1;
      s2 += c2 * c2;
      s3 += c3 * c3;
    }
    for (; j < dim; j++) {
      const c = v[base + j] as number;
      d0 += c * (query[j] as number);
      s0 += c * c;
    }
    const dp = d0 + d1 + d2 + d3;
    const sq = s0 + s1 + s2 + s3;
    if (!(sq > 0) || !Number.isFinite(sq) || !Number.isFinite(dp)) {
      throw new Error(rowError(m, i));
    }
    out[i] = (clampCos(dp / (qNorm * Math.sqrt(sq))) + 1) / 2;
  }
}

/** Indices of the best `k` non-excluded rows, best first, via a size-k min-heap (worst of the kept on top). */
function topK(totals: Float64Array, ids: string[], excluded: Uint8Array | null, k: number): Int32Array {
  if (k === 0) return new Int32Array(0);
  const heap = new Int32Array(k);
  let size = 0;
  const n = totals.length;
  // `worse(a, b)`: row a ranks after row b.
  const worse = (a: number, b: number): boolean => {
    const ta = totals[a] as number;
    const tb = totals[b] as number;
    return ta < tb || (ta === tb && (ids[a] as string) > (ids[b] as string));
  };
  for (let i = 0; i < n; i++) {
    if (excluded !== null && excluded[i] === 1) continue;
    if (size < k) {
      // Sift up.
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        const hp = heap[p] as number;
        if (!worse(i, hp)) break;
        heap[c] = hp;
        c = p;
      }
      heap[c] = i;
    } else if (worse(heap[0] as number, i)) {
      // Replace the worst kept row and sift down.
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= size) break;
        const r = l + 1;
        let w = l;
        if (r < size && worse(heap[r] as number, heap[l] as number)) w = r;
        const hw = heap[w] as number;
        if (!worse(hw, i)) break;
        heap[c] = hw;
        c = w;
      }
      heap[c] = i;
    }
  }
  const kept = heap.subarray(0, size);
  kept.sort((a, b) => compareRows(totals, ids, a, b));
  return kept;
}

/** Every non-excluded row, best first. */
function sortAll(totals: Float64Array, ids: string[], excluded: Uint8Array | null): Int32Array {
  const n = totals.length;
  const order = new Int32Array(n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    if (excluded === null || excluded[i] !== 1) order[size++] = i;
  }
  const kept = order.subarray(0, size);
  kept.sort((a, b) => compareRows(totals, ids, a, b));
  return kept;
}

function compareRows(totals: Float64Array, ids: string[], a: number, b: number): number {
  const ta = totals[a] as number;
  const tb = totals[b] as number;
  if (ta !== tb) return tb - ta;
  const ia = ids[a] as string;
  const ib = ids[b] as string;
  return ia < ib ? -1 : ia > ib ? 1 : a - b;
}

// ---------------------------------------------------------------------------------------------------------
// Validation helpers (off the hot path)

function isMatrix(c: CandidateMatrix | readonly RankCandidate[]): c is CandidateMatrix {
  return !Array.isArray(c);
}

/** Structural checks of a matrix; returns the number of candidates. */
function checkMatrix(m: CandidateMatrix): number {
  const n = m.ids.length;
  if (!Number.isInteger(m.dimension) || m.dimension < 0) {
    throw new Error(`CandidateMatrix: dimension must be a non-negative integer, got ${String(m.dimension)}`);
  }
  if (m.vectors.length !== n * m.dimension) {
    throw new Error(
      `CandidateMatrix: vectors has ${m.vectors.length} floats, expected ${n} candidates × ${m.dimension} dims = ${n * m.dimension}`,
    );
  }
  if (m.diligence.length !== n || m.engagement.length !== n) {
    throw new Error(
      `CandidateMatrix: ${n} ids but ${m.diligence.length} diligence and ${m.engagement.length} engagement values`,
    );
  }
  return n;
}

/** Checks the query against the matrix; returns its L2 norm. */
function checkQuery(query: Float32Array, m: CandidateMatrix): number {
  if (m.ids.length > 0 && query.length !== m.dimension) {
    throw new Error(
      `query has dimension ${query.length} but candidates have dimension ${m.dimension === 0 ? '0 (no vectors)' : m.dimension}`,
    );
  }
  const bad = describeNonFinite(query, 'query');
  if (bad) throw new Error(bad);
  const norm = Math.sqrt(dotRange(query, 0, query, 0, query.length));
  if (norm === 0 && query.length > 0) throw new Error('query is a zero vector, cosine similarity is undefined');
  return norm;
}

function resolveLimit(limit: number | undefined, n: number): number {
  if (limit === undefined) return n;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`limit must be a non-negative integer, got ${String(limit)}`);
  }
  return Math.min(limit, n);
}

function excludedMask(ids: string[], exclude: Iterable<string> | undefined): Uint8Array | null {
  if (exclude === undefined) return null;
  // A lone string is iterable too (over its characters); take it as the one id it obviously means.
  const set =
    typeof exclude === 'string' ? new Set([exclude]) : exclude instanceof Set ? (exclude as Set<string>) : new Set(exclude);
  if (set.size === 0) return null;
  const mask = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) if (set.has(ids[i] as string)) mask[i] = 1;
  return mask;
}

function checkFeature(value: number, name: 'diligence' | 'engagement', i: number, id: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`candidate #${i} ("${id}"): ${name} must be a finite number in [0, 1], got ${String(value)}`);
  }
}

/** Message for a row whose sums came out non-finite or zero: finds the offending index. */
function rowError(m: CandidateMatrix, i: number): string {
  const row = m.vectors.subarray(i * m.dimension, (i + 1) * m.dimension);
  const bad = describeNonFinite(row, 'vector');
  const who = `candidate #${i} ("${m.ids[i] as string}")`;
  if (bad) return `${who}: ${bad}`;
  return `${who}: vector is a zero vector, cosine similarity is undefined`;
}

function describeNonFinite(v: Float32Array, name: string): string | undefined {
  for (let j = 0; j < v.length; j++) {
    const x = v[j] as number;
    if (!Number.isFinite(x)) return `${name}[${j}] is ${String(x)} (dimension ${v.length})`;
  }
  return undefined;
}

function dotRange(a: Float32Array, ao: number, b: Float32Array, bo: number, len: number): number {
  let s = 0;
  for (let j = 0; j < len; j++) s += (a[ao + j] as number) * (b[bo + j] as number);
  return s;
}

/** Rounding can push |cos| of near-parallel vectors past 1 by an ulp; keep the result in range. */
function clampCos(c: number): number {
  return c > 1 ? 1 : c < -1 ? -1 : c;
}

function stripUndefined(w: Partial<RankWeights> | undefined): Partial<RankWeights> {
  const out: Partial<RankWeights> = {};
  if (!w) return out;
  if (w.similarity !== undefined) out.similarity = w.similarity;
  if (w.diligence !== undefined) out.diligence = w.diligence;
  if (w.engagement !== undefined) out.engagement = w.engagement;
  return out;
}
