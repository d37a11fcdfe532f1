/**
 * Ranking speed, every figure measured in the same run and printed as a ratio:
 * - kernel: the shared ranker (`rankCandidates` on a packed CandidateMatrix, WebAssembly SIMD similarity
 *   pass over the matrix in place, partial top-k);
 * - memory floor: one WebAssembly SIMD pass summing the same bytes (the least work that reads every vector
 *   once), and a memory.copy of them (bench/support/floor.wat, assembled here by wabt);
 * - baseline: today's ranker before the kernel (bench/support/rank-baseline.ts, a frozen copy: scalar JS,
 *   norms on every rank);
 * - JS fallback: the same ranker on a matrix outside WebAssembly memory (identical results, no SIMD);
 * - naive: an object per candidate, cosine per candidate, full sort.
 * Goals (issue 12): kernel ≤ 2× the read floor, ≥ 2.5× faster than the baseline. Absolute times on a shared
 * VM are noise; ratios of interleaved runs are the result. Run: `npx tsx bench/rank.ts [--runs N] [--no-100k]`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import wabt from 'wabt';
import { packCandidates, rankCandidates, similarityKernel, type CandidateMatrix, type RankCandidate } from '../shared/scoring';
import * as baseline from './support/rank-baseline';
import { median } from './support/stats';

const DIM = 384;
const LIMIT = 20;

export interface RankBenchCase {
  candidates: number;
  dimension: number;
  limit: number;
  runs: number;
  /** Median milliseconds per ranking (or per pass, for the floors). */
  kernelTopKMs: number;
  kernelFullSortMs: number;
  floorSumMs: number;
  floorCopyMs: number;
  baselineTopKMs: number;
  jsFallbackTopKMs: number;
  naiveMs: number;
  /** kernelTopKMs / floorSumMs: goal ≤ 2. */
  kernelOverFloor: number;
  /** baselineTopKMs / kernelTopKMs: goal ≥ 2.5. */
  speedupOverBaseline: number;
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

/** The obvious implementation. */
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

interface Floor {
  sum(): number;
  copy(): void;
}

/** The matrix's bytes in a WebAssembly memory of their own (twice: source and copy target), with floor.wat. */
async function memoryFloor(vectors: Float32Array): Promise<Floor> {
  const toolkit = await wabt();
  const source = readFileSync(fileURLToPath(new URL('./support/floor.wat', import.meta.url)), 'utf8');
  const parsed = toolkit.parseWat('floor.wat', source, { simd: true, bulk_memory: true });
  const bytes = parsed.toBinary({}).buffer;
  parsed.destroy();
  const size = Math.ceil(vectors.byteLength / 64) * 64;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((2 * size) / 65536) });
  new Float32Array(memory.buffer, 0, vectors.length).set(vectors);
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, { env: { memory } });
  const sum = instance.exports.sum as (ptr: number, bytes: number) => number;
  const copy = instance.exports.copy as (dst: number, src: number, bytes: number) => void;
  return { sum: () => sum(0, size), copy: () => copy(size, 0, size) };
}

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export async function benchCase(n: number, runs: number): Promise<RankBenchCase> {
  const candidates = makeCandidates(n, DIM, 42);
  const query = makeCandidates(1, DIM, 4242)[0]?.vector as Float32Array;
  const matrix = packCandidates(candidates);
  if (similarityKernel(matrix) !== 'wasm-simd') throw new Error('WebAssembly SIMD kernel unavailable; benchmark aborted');
  const jsMatrix: CandidateMatrix = { ...matrix, vectors: Float32Array.from(matrix.vectors) };
  const baselineMatrix = baseline.packCandidates(candidates);
  const floor = await memoryFloor(matrix.vectors);

  // Same answer first: a speed-up of a wrong result means nothing.
  const ids = (r: { results: { id: string }[] }) => r.results.map((x) => x.id).join();
  const fast = rankCandidates(query, matrix, { limit: LIMIT });
  if (
    ids(fast) !== ids(baseline.rankCandidates(query, baselineMatrix, { limit: LIMIT })) ||
    ids(fast) !== naiveRank(query, candidates, LIMIT).map((r) => r.id).join() ||
    JSON.stringify(fast) !== JSON.stringify(rankCandidates(query, jsMatrix, { limit: LIMIT }))
  ) {
    throw new Error('kernel, JS fallback, baseline and naive rankings differ; benchmark aborted');
  }

  const samples: Record<string, number[]> = { kernel: [], full: [], sum: [], copy: [], base: [], js: [], naive: [] };
  const warmup = Math.min(5, runs);
  // Interleaved, so drift in machine load hits every variant alike.
  for (let r = 0; r < warmup + runs; r++) {
    const t = {
      sum: time(() => floor.sum()),
      copy: time(() => floor.copy()),
      kernel: time(() => rankCandidates(query, matrix, { limit: LIMIT })),
      full: time(() => rankCandidates(query, matrix)),
      base: time(() => baseline.rankCandidates(query, baselineMatrix, { limit: LIMIT })),
      js: time(() => rankCandidates(query, jsMatrix, { limit: LIMIT })),
      naive: time(() => naiveRank(query, candidates, LIMIT)),
    };
    if (r < warmup) continue;
    for (const [k, v] of Object.entries(t)) samples[k]?.push(v);
  }
  const m = (k: string) => median(samples[k] as number[]);
  return {
    candidates: n,
    dimension: DIM,
    limit: LIMIT,
    runs,
    kernelTopKMs: m('kernel'),
    kernelFullSortMs: m('full'),
    floorSumMs: m('sum'),
    floorCopyMs: m('copy'),
    baselineTopKMs: m('base'),
    jsFallbackTopKMs: m('js'),
    naiveMs: m('naive'),
    kernelOverFloor: m('kernel') / m('sum'),
    speedupOverBaseline: m('base') / m('kernel'),
  };
}

function report(c: RankBenchCase): void {
  const f = (x: number) => x.toFixed(2).padStart(8);
  const x = (a: number) => `${a.toFixed(2)}x`;
  const mb = (c.candidates * c.dimension * 4) / 1e6;
  console.log(
    `rank ${c.candidates.toLocaleString('en-US')} × ${c.dimension} (${mb.toFixed(1)} MB of float32), top ${c.limit}, median of ${c.runs} runs:\n` +
      `  memory floor: SIMD sum, one pass ${f(c.floorSumMs)} ms  (${(mb / c.floorSumMs).toFixed(1)} GB/s)\n` +
      `  memory floor: memory.copy        ${f(c.floorCopyMs)} ms\n` +
      `  kernel, partial top-k            ${f(c.kernelTopKMs)} ms\n` +
      `  kernel, full ranking             ${f(c.kernelFullSortMs)} ms\n` +
      `  JS fallback, partial top-k       ${f(c.jsFallbackTopKMs)} ms\n` +
      `  baseline (before the kernel)     ${f(c.baselineTopKMs)} ms\n` +
      `  naive                            ${f(c.naiveMs)} ms\n` +
      `  ratio kernel / read floor        ${x(c.kernelOverFloor)}  (goal ≤ 2x)\n` +
      `  ratio baseline / kernel          ${x(c.speedupOverBaseline)}  (goal ≥ 2.5x)\n` +
      `  ratio JS fallback / kernel       ${x(c.jsFallbackTopKMs / c.kernelTopKMs)}\n` +
      `  ratio naive / kernel             ${x(c.naiveMs / c.kernelTopKMs)}`,
  );
}

/** Runs the benchmark and prints it; returns the figures for a bench runner. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<RankBenchCase[]> {
  const runsArg = argv.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(argv[runsArg + 1]) : 31;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${argv[runsArg + 1]}`);
  const cases: RankBenchCase[] = [];
  const small = await benchCase(10_000, runs);
  report(small);
  cases.push(small);
  if (!argv.includes('--no-100k')) {
    const big = await benchCase(100_000, Math.max(3, Math.round(runs / 3)));
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
