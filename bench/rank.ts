/**
 * Ranking speed, every figure measured in the same run and printed as a ratio:
 * - kernel: the shared ranker (`rankCandidates` on a packed CandidateMatrix, WebAssembly SIMD similarity
 *   pass over the matrix in place, partial top-k);
 * - memory floor: one WebAssembly SIMD pass summing the same bytes (the least work that reads every vector
 *   once), and a memory.copy of them (bench/support/floor.wat, assembled here by wabt);
 * - int8 floor: the same pass over a quarter of the bytes, what int8 vectors would have to read: the most an
 *   int8 first pass (before exact float rescoring) could gain over the float kernel;
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

/** The variants timed, in the order they run in each round. */
const VARIANTS = ['floorSum', 'floorInt8', 'floorCopy', 'kernelTopK', 'kernelFullSort', 'jsFallbackTopK', 'baselineTopK', 'naive'] as const;
type Variant = (typeof VARIANTS)[number];

export interface RankBenchCase {
  candidates: number;
  dimension: number;
  limit: number;
  runs: number;
  /** Median wall-clock milliseconds per ranking (or per pass, for the floors). */
  wallMs: Record<Variant, number>;
  /**
   * Median CPU milliseconds of this process per ranking (process.cpuUsage): on a machine shared by more
   * runnable processes than cores, the wall clock also counts time spent waiting for a core; this does not.
   */
  cpuMs: Record<Variant, number>;
  /** kernelTopK / floorSum in CPU time: goal ≤ 2. */
  kernelOverFloor: number;
  /** baselineTopK / kernelTopK in CPU time: goal ≥ 2.5. */
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
  sumInt8(): number;
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
  const int8Size = Math.ceil(vectors.length / 64) * 64;
  return { sum: () => sum(0, size), sumInt8: () => sum(0, int8Size), copy: () => copy(size, 0, size) };
}

function time(fn: () => unknown): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const t = performance.now();
  fn();
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
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

  const run: Record<Variant, () => unknown> = {
    floorSum: () => floor.sum(),
    floorInt8: () => floor.sumInt8(),
    floorCopy: () => floor.copy(),
    kernelTopK: () => rankCandidates(query, matrix, { limit: LIMIT }),
    kernelFullSort: () => rankCandidates(query, matrix),
    jsFallbackTopK: () => rankCandidates(query, jsMatrix, { limit: LIMIT }),
    baselineTopK: () => baseline.rankCandidates(query, baselineMatrix, { limit: LIMIT }),
    naive: () => naiveRank(query, candidates, LIMIT),
  };
  const wall = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
  const cpu = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
  const warmup = Math.min(5, runs);
  // Interleaved, so drift in machine load hits every variant alike.
  for (let r = 0; r < warmup + runs; r++) {
    for (const v of VARIANTS) {
      const t = time(run[v]);
      if (r < warmup) continue;
      wall[v].push(t.wall);
      cpu[v].push(t.cpu);
    }
  }
  const medians = (x: Record<Variant, number[]>) =>
    Object.fromEntries(VARIANTS.map((v) => [v, median(x[v])])) as Record<Variant, number>;
  const cpuMs = medians(cpu);
  return {
    candidates: n,
    dimension: DIM,
    limit: LIMIT,
    runs,
    wallMs: medians(wall),
    cpuMs,
    kernelOverFloor: cpuMs.kernelTopK / cpuMs.floorSum,
    speedupOverBaseline: cpuMs.baselineTopK / cpuMs.kernelTopK,
  };
}

const LABELS: Record<Variant, string> = {
  floorSum: 'memory floor: SIMD sum, one pass',
  floorInt8: 'int8 floor: SIMD sum of n×d bytes',
  floorCopy: 'memory floor: memory.copy',
  kernelTopK: 'kernel, partial top-k',
  kernelFullSort: 'kernel, full ranking',
  jsFallbackTopK: 'JS fallback, partial top-k',
  baselineTopK: 'baseline (before the kernel)',
  naive: 'naive',
};

function report(c: RankBenchCase): void {
  const f = (x: number) => x.toFixed(2).padStart(8);
  const mb = (c.candidates * c.dimension * 4) / 1e6;
  const lines = VARIANTS.map((v) => `  ${LABELS[v].padEnd(34)} ${f(c.wallMs[v])} ${f(c.cpuMs[v])}`);
  // Ratios in both clocks: CPU time is the fair one on an oversubscribed machine, wall time the one a user sees.
  const ratio = (label: string, a: Variant, b: Variant, goal = '') =>
    `  ratio ${label.padEnd(28)} ${(c.wallMs[a] / c.wallMs[b]).toFixed(2).padStart(7)}x ${(c.cpuMs[a] / c.cpuMs[b]).toFixed(2).padStart(7)}x${goal}`;
  console.log(
    [
      `rank ${c.candidates.toLocaleString('en-US')} × ${c.dimension} (${mb.toFixed(1)} MB of float32), top ${c.limit}, median of ${c.runs} runs` +
        ` (read floor ${(mb / c.cpuMs.floorSum).toFixed(1)} GB/s of CPU time):`,
      `  ${''.padEnd(34)}  wall ms   CPU ms`,
      ...lines,
      ratio('kernel / read floor', 'kernelTopK', 'floorSum', '  (goal ≤ 2x)'),
      ratio('baseline / kernel', 'baselineTopK', 'kernelTopK', '  (goal ≥ 2.5x)'),
      ratio('kernel / int8 floor', 'kernelTopK', 'floorInt8', '  (the most an int8 first pass could gain)'),
      ratio('JS fallback / kernel', 'jsFallbackTopK', 'kernelTopK'),
      ratio('naive / kernel', 'naive', 'kernelTopK'),
    ].join('\n'),
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
