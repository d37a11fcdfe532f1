/**
 * Ranking speed: the shared ranker on a packed CandidateMatrix (one contiguous Float32Array, one pass,
 * partial top-k) against a naive baseline measured in the same run (an object per candidate, cosine per
 * candidate, a result object each, full sort). Prints medians and their ratio; figures from different runs
 * or machines are not compared. Run: `npx tsx bench/rank.ts [--runs N] [--no-100k]`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packCandidates, rankCandidates, type RankCandidate } from '../shared/scoring';
import { median } from './support/stats';

const DIM = 384;
const LIMIT = 20;

export interface RankBenchCase {
  candidates: number;
  dimension: number;
  limit: number;
  runs: number;
  /** Median milliseconds per ranking. */
  packedTopKMs: number;
  packedFullSortMs: number;
  /** Array form: packs on every call (what a caller pays without keeping a matrix). */
  arrayFormTopKMs: number;
  naiveMs: number;
  /** naiveMs / packedTopKMs. */
  speedup: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** L2-normalised random vectors, like an embedder's output. */
function makeCandidates(n: number, dim: number, seed: number): RankCandidate[] {
  const r = rng(seed);
  const out: RankCandidate[] = new Array<RankCandidate>(n);
  for (let i = 0; i < n; i++) {
    const v = new Float32Array(dim);
    let sq = 0;
    for (let j = 0; j < dim; j++) {
      const x = r() * 2 - 1;
      v[j] = x;
      sq += x * x;
    }
    const inv = 1 / Math.sqrt(sq);
    for (let j = 0; j < dim; j++) v[j] = (v[j] as number) * inv;
    out[i] = { id: `p${String(i).padStart(6, '0')}`, vector: v, diligence: r(), engagement: r() };
  }
  return out;
}

/** The obvious implementation: what the packed path is measured against. */
function naiveRank(query: Float32Array, candidates: RankCandidate[], limit: number) {
  const cosine = (a: Float32Array, b: Float32Array): number => {
    let d = 0;
    let na = 0;
    let nb = 0;
    for (let j = 0; j < a.length; j++) {
      const x = a[j] as number;
      const y = b[j] as number;
      d += x * y;
      na += x * x;
      nb += y * y;
    }
    return d / Math.sqrt(na * nb);
  };
  const scored = candidates.map((c) => {
    const similarity = (cosine(query, c.vector as Float32Array) + 1) / 2;
    const total = 0.6 * similarity + 0.3 * c.diligence + 0.1 * c.engagement;
    return { id: c.id, score: total, breakdown: { similarity, diligence: c.diligence, engagement: c.engagement, total } };
  });
  scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return scored.slice(0, limit);
}


function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export function benchCase(n: number, runs: number): RankBenchCase {
  const candidates = makeCandidates(n, DIM, 42);
  const query = makeCandidates(1, DIM, 4242)[0]?.vector as Float32Array;
  const matrix = packCandidates(candidates);

  // Same answer first: a speed-up of a wrong result means nothing.
  const fast = rankCandidates(query, matrix, { limit: LIMIT }).results.map((r) => r.id);
  const slow = naiveRank(query, candidates, LIMIT).map((r) => r.id);
  if (fast.join() !== slow.join()) throw new Error('packed and naive rankings differ; benchmark aborted');

  const packed: number[] = [];
  const full: number[] = [];
  const arrayForm: number[] = [];
  const naive: number[] = [];
  const warmup = Math.min(5, runs);
  // Interleaved, so drift in machine load hits every variant alike.
  for (let r = 0; r < warmup + runs; r++) {
    const p = time(() => rankCandidates(query, matrix, { limit: LIMIT }));
    const f = time(() => rankCandidates(query, matrix));
    const a = time(() => rankCandidates(query, candidates, { limit: LIMIT }));
    const b = time(() => naiveRank(query, candidates, LIMIT));
    if (r < warmup) continue;
    packed.push(p);
    full.push(f);
    arrayForm.push(a);
    naive.push(b);
  }
  const packedTopKMs = median(packed);
  const naiveMs = median(naive);
  return {
    candidates: n,
    dimension: DIM,
    limit: LIMIT,
    runs,
    packedTopKMs,
    packedFullSortMs: median(full),
    arrayFormTopKMs: median(arrayForm),
    naiveMs,
    speedup: naiveMs / packedTopKMs,
  };
}

function report(c: RankBenchCase): void {
  const f = (x: number) => x.toFixed(2).padStart(8);
  console.log(
    `rank ${c.candidates.toLocaleString('en-US')} × ${c.dimension}, top ${c.limit}, median of ${c.runs} runs:\n` +
      `  packed matrix, partial top-k   ${f(c.packedTopKMs)} ms\n` +
      `  packed matrix, full ranking    ${f(c.packedFullSortMs)} ms\n` +
      `  array form (packs each call)   ${f(c.arrayFormTopKMs)} ms\n` +
      `  naive baseline                 ${f(c.naiveMs)} ms\n` +
      `  ratio naive / packed top-k     ${c.speedup.toFixed(2)}x`,
  );
}

/** Runs the benchmark and prints it; returns the figures for a bench runner. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<RankBenchCase[]> {
  const runsArg = argv.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(argv[runsArg + 1]) : 31;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${argv[runsArg + 1]}`);
  const cases: RankBenchCase[] = [];
  const small = benchCase(10_000, runs);
  report(small);
  cases.push(small);
  if (!argv.includes('--no-100k')) {
    const big = benchCase(100_000, Math.max(3, Math.round(runs / 3)));
    report(big);
    cases.push(big);
  }
  return cases;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
