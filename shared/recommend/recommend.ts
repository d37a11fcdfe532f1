/**
 * The recommendation layer over the shared scorer: `recommend` = `rankCandidates` + what the user did.
 *
 * 1. Feedback (feedback.ts) leaves out hidden, acted-on and cooling-down candidates, and gives the others a
 *    fatigue factor; freshness (freshness.ts) another factor. Both reach `rankCandidates` as its per-row
 *    `multipliers`, so the one similarity pass ranks everything.
 * 2. The query is the taste vector (taste.ts) when liked / passed candidates are among the candidates.
 * 3. With diversity on, a pool of the best max(3·limit, limit + 30) is re-scored by group decay and/or
 *    re-ordered by MMR (diversity.ts), then cut to `limit`.
 * 4. Each result's breakdown says what every layer did: `similarity` stays the similarity to the user's own
 *    profile, `taste` is what the taste vector added to the weighted total, `fatigue`, `freshness` and
 *    `diversity` are the factors the total was multiplied by, `redundancy` is MMR's similarity to a result
 *    above it; `because` names the liked profile closest to a result the taste vector lifted.
 *    total = (w_s·similarity + taste + w_d·diligence + w_e·engagement) · fatigue · freshness · diversity.
 * Without interactions and options it returns exactly what `rankCandidates` returns.
 * Pure and deterministic: time is the `now` option, never a clock, so a device and the server agree.
 */
import {
  packCandidates,
  rankCandidates,
  type CandidateMatrix,
  type RankCandidate,
  type RankOptions,
  type RankResult,
  type RankedResult,
} from '../scoring';
import { groupDecayFactors, groupOf, mmrOrder } from './diversity';
import { summariseFeedback } from './feedback';
import { freshnessFactor } from './freshness';
import { isNeutral, resolveRecommendOptions, type RecommendOptions } from './options';
import { tasteVector } from './taste';

/** A ranked candidate; `because` is the liked profile it is closest to, when the taste vector lifted it. */
export interface RecommendedResult extends RankedResult {
  because?: string;
}

export interface RecommendResult extends RankResult {
  /** In feed order: by total, or MMR's order when diversity is on. */
  results: RecommendedResult[];
}

/** Options of `recommend`: the scorer's and the recommendation layer's. */
export type RecommendRankOptions = RankOptions & RecommendOptions;

/**
 * Ranks candidates for the user's profile vector (`profile`, null without ML) and what the user did. Throws a
 * RangeError naming the option on an invalid one, and whatever `rankCandidates` throws.
 */
export function recommend(
  profile: Float32Array | null,
  candidates: CandidateMatrix | readonly RankCandidate[],
  options: RecommendRankOptions = {},
): RecommendResult {
  const o = resolveRecommendOptions(options);
  const rankOptions: RankOptions = { weights: options.weights, limit: options.limit, excludeIds: options.excludeIds };
  if (isNeutral(o)) return rankCandidates(profile, candidates, rankOptions);

  const matrix = Array.isArray(candidates) ? packCandidates(candidates as readonly RankCandidate[]) : (candidates as CandidateMatrix);
  const { ids } = matrix;
  const n = ids.length;
  const now = o.now as number;
  const feedback = summariseFeedback(o.interactions, now, o.halfLifeDays, o.fatigue);

  const excluded = new Set<string>(typeof options.excludeIds === 'string' ? [options.excludeIds] : (options.excludeIds ?? []));
  for (const id of feedback.excluded) excluded.add(id);

  // Rows the feedback names, found in one scan of the ids (the interaction ids are few, the candidates many).
  const withVectors = profile !== null && matrix.dimension > 0;
  const positives: Array<{ row: number; weight: number; id: string }> = [];
  const negatives: Array<{ row: number; weight: number }> = [];
  let multipliers: Float64Array | undefined;
  const setFactor = (i: number, f: number) => {
    if (f === 1) return;
    multipliers ??= new Float64Array(n).fill(1);
    multipliers[i] = (multipliers[i] as number) * f;
  };
  const fatigueOf = new Map<string, number>();
  const freshOf = new Map<string, number>();
  const rows = rowsOf(matrix);
  for (const [id, weight] of withVectors ? feedback.positives : []) {
    const row = rows.get(id);
    if (row !== undefined) positives.push({ row, weight, id });
  }
  for (const [id, weight] of withVectors ? feedback.negatives : []) {
    const row = rows.get(id);
    if (row !== undefined) negatives.push({ row, weight });
  }
  for (const [id, f] of feedback.fatigue) {
    const row = rows.get(id);
    if (row === undefined) continue;
    setFactor(row, f);
    fatigueOf.set(id, f);
  }
  if (o.freshness !== null) {
    for (let i = 0; i < n; i++) {
      const id = ids[i] as string;
      if (excluded.has(id)) continue;
      const fr = freshnessFactor(options.profileOf?.(id)?.updated_at, now, o.freshness);
      setFactor(i, fr);
      if (fr !== 1) freshOf.set(id, fr);
    }
  }
  // Negatives in row order, as positives: the float sums of the taste vector must not depend on Map order.
  positives.sort((a, b) => a.row - b.row);
  negatives.sort((a, b) => a.row - b.row);

  const query = withVectors ? tasteVector(profile, matrix, { positives, negatives }, o.taste) : profile;
  const tasteOn = query !== profile;
  const diversify = o.groupDecay || (o.diversity > 0 && withVectors);
  const limit = options.limit ?? n;
  const pool = diversify ? Math.max(3 * limit, limit + 30) : limit;
  const ranked = rankCandidates(query, matrix, { ...rankOptions, limit: Math.min(pool, n), excludeIds: excluded, multipliers });
  const ws = ranked.weights.similarity;
  const rowOf = rows;

  let results: RecommendedResult[] = ranked.results.map((r) => {
    const similarity = tasteOn ? mappedCosine(profile as Float32Array, matrix, rowOf.get(r.id)!) : r.breakdown.similarity;
    return {
      id: r.id,
      score: r.score,
      breakdown: {
        ...r.breakdown,
        similarity,
        taste: tasteOn ? ws * (r.breakdown.similarity - similarity) : 0,
        fatigue: fatigueOf.get(r.id) ?? 1,
        freshness: freshOf.get(r.id) ?? 1,
        diversity: 1,
        redundancy: 0,
      },
    };
  });

  if (o.groupDecay) {
    const factors = groupDecayFactors(results.map((r) => groupOf(options.profileOf?.(r.id)?.tags)));
    results = results.map((r, k) => {
      const f = factors[k] as number;
      const total = r.breakdown.total * f;
      return { ...r, score: total, breakdown: { ...r.breakdown, diversity: f, total } };
    });
    results.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  if (o.diversity > 0 && withVectors) {
    const dim = matrix.dimension;
    const picks = mmrOrder(
      results.map((r) => r.score),
      results.map((r) => r.id),
      (i) => {
        const row = rowOf.get((results[i] as RecommendedResult).id)!;
        return matrix.vectors.subarray(row * dim, (row + 1) * dim);
      },
      1 - o.diversity,
      limit,
    );
    results = picks.map(({ index, redundancy }) => {
      const r = results[index] as RecommendedResult;
      return { ...r, breakdown: { ...r.breakdown, redundancy } };
    });
  }
  results = results.slice(0, limit);

  if (tasteOn && positives.length > 0) {
    const liked = positives.map((p) => ({ id: p.id, unit: unitRow(matrix, p.row) }));
    for (const r of results) {
      if ((r.breakdown.taste as number) > 0) r.because = closest(unitRow(matrix, rowOf.get(r.id)!), liked);
    }
  }
  return { results, ml_applied: ranked.ml_applied, weights: ranked.weights };
}

/** Row of each id of a matrix, built once per matrix: a device ranks the same packed matrix many times. */
const rowIndexes = new WeakMap<CandidateMatrix, Map<string, number>>();

function rowsOf(m: CandidateMatrix): Map<string, number> {
  let rows = rowIndexes.get(m);
  if (rows === undefined || rows.size !== m.ids.length) {
    rows = new Map(m.ids.map((id, i) => [id, i]));
    rowIndexes.set(m, rows);
  }
  return rows;
}

/** (cos + 1) / 2 of a query and a matrix row, as the scorer maps it. */
function mappedCosine(q: Float32Array, m: CandidateMatrix, row: number): number {
  const dim = m.dimension;
  let d = 0;
  let qq = 0;
  let rr = 0;
  for (let j = 0; j < dim; j++) {
    const a = q[j] as number;
    const b = m.vectors[row * dim + j] as number;
    d += a * b;
    qq += a * a;
    rr += b * b;
  }
  const cos = d / Math.sqrt(qq * rr);
  return (Math.max(-1, Math.min(1, cos)) + 1) / 2;
}

/** A matrix row scaled to unit length, in float64 (a zero row stays zero). */
function unitRow(m: CandidateMatrix, row: number): Float64Array {
  const dim = m.dimension;
  const out = new Float64Array(dim);
  let sq = 0;
  for (let j = 0; j < dim; j++) {
    const x = m.vectors[row * dim + j] as number;
    out[j] = x;
    sq += x * x;
  }
  const s = sq > 0 ? 1 / Math.sqrt(sq) : 0;
  for (let j = 0; j < dim; j++) out[j] = (out[j] as number) * s;
  return out;
}

/** Id of the liked profile whose vector is closest (cosine) to `v`; ties to the smaller id. */
function closest(v: Float64Array, liked: ReadonlyArray<{ id: string; unit: Float64Array }>): string {
  let best = liked[0] as { id: string; unit: Float64Array };
  let bestSim = -Infinity;
  for (const p of liked) {
    let sim = 0;
    for (let j = 0; j < v.length; j++) sim += (v[j] as number) * (p.unit[j] as number);
    if (sim > bestSim || (sim === bestSim && p.id < best.id)) {
      best = p;
      bestSim = sim;
    }
  }
  return best.id;
}
