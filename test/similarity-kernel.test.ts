/**
 * The similarity kernel (shared/similarity): the committed WebAssembly is what its .wat assembles to; the
 * SIMD kernel and the JavaScript fallback give the same float32 dot products bit for bit; and ranking on
 * either stays within 1e-6 of an all-float64 reference with the same order, on random and on
 * sentence-embedding-shaped data.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assembleKernel } from '../scripts/build-kernel';
import { base64ToBytes } from '../shared/base64';
import {
  allocateVectors,
  packCandidates,
  rankCandidates,
  rowNorms,
  similarityKernel,
  vectorNorm,
  type CandidateMatrix,
  type RankCandidate,
} from '../shared/scoring';
import { dotsJs } from '../shared/similarity/dots-js';
import { DOTS_WASM_BASE64 } from '../shared/similarity/dots-wasm';
import { rowDots } from '../shared/similarity/kernel';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Uniform in [-1, 1)^dim, not normalised. */
function uniformVectors(n: number, dim: number, seed: number): Float32Array[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => r() * 2 - 1));
}

/**
 * Shaped like a sentence embedder's output (MiniLM): unit vectors sharing a common direction, so cosines
 * cluster around 0.3 to 0.9 instead of 0, in topic clusters, some near-duplicates among them. Here the dot
 * products are large and close together, where float32 rounding matters most.
 */
function modelShapedVectors(n: number, dim: number, seed: number): Float32Array[] {
  const r = rng(seed);
  const common = Float32Array.from({ length: dim }, () => gaussian(r));
  const topics = Array.from({ length: 16 }, () => Float32Array.from({ length: dim }, () => gaussian(r)));
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const topic = topics[Math.floor(r() * topics.length)] as Float32Array;
    const noise = i % 50 === 1 ? 0.01 : 0.6; // every 50th a near-duplicate of its topic
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) v[j] = 0.9 * (common[j] as number) + (topic[j] as number) + noise * gaussian(r);
    const norm = vectorNorm(v);
    for (let j = 0; j < dim; j++) v[j] = (v[j] as number) / norm;
    out.push(v);
  }
  return out;
}

function candidates(vectors: Float32Array[], seed: number): RankCandidate[] {
  const r = rng(seed);
  return vectors.map((vector, i) => ({ id: `c${String(i).padStart(6, '0')}`, vector, diligence: r(), engagement: r() }));
}

/** The same matrix with its vectors in a plain Float32Array: ranked by the JavaScript kernel. */
function onJsKernel(m: CandidateMatrix): CandidateMatrix {
  return { ...m, vectors: Float32Array.from(m.vectors) };
}

/** Everything in float64: dot and norms summed in double, the default weights, full sort. */
function float64Reference(query: Float32Array, cands: RankCandidate[]) {
  let qq = 0;
  for (const x of query) qq += x * x;
  return cands
    .map((c) => {
      const v = c.vector as Float32Array;
      let d = 0;
      let vv = 0;
      for (let j = 0; j < v.length; j++) {
        d += (v[j] as number) * (query[j] as number);
        vv += (v[j] as number) * (v[j] as number);
      }
      const similarity = (d / Math.sqrt(qq * vv) + 1) / 2;
      return { id: c.id, similarity, total: 0.6 * similarity + 0.3 * c.diligence + 0.1 * c.engagement };
    })
    .sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

describe('the committed kernel', () => {
  it('is exactly what wat2wasm assembles from shared/similarity/dots.wat (run `npm run build:kernel` if not)', async () => {
    expect(base64ToBytes(DOTS_WASM_BASE64)).toEqual(await assembleKernel());
  });

  it('runs as WebAssembly SIMD in Node, in place on matrices from packCandidates and allocateVectors', () => {
    const m = packCandidates(candidates(uniformVectors(10, 8, 1), 2));
    expect(similarityKernel(m)).toBe('wasm-simd');
    expect(similarityKernel(onJsKernel(m))).toBe('js');
    expect(allocateVectors(3, 384)).toHaveLength(3 * 384);
  });
});

describe('SIMD kernel and JavaScript fallback', () => {
  it('give bit-identical float32 dot products on random matrices of any shape', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer(),
        fc.constantFrom(1, 1e-20, 1e20), // small and large magnitudes: subnormal products, rounding at the top
        (rows, dim, seed, scale) => {
          const r = rng(seed);
          const query = Float32Array.from({ length: dim }, () => (r() * 2 - 1) * scale);
          const vectors = allocateVectors(rows, dim);
          for (let i = 0; i < vectors.length; i++) vectors[i] = (r() * 2 - 1) * scale;
          const expected = new Float32Array(rows);
          dotsJs(query, Float32Array.from(vectors), rows, dim, expected);
          expect(Array.from(rowDots(query, vectors, rows, dim))).toEqual(Array.from(expected));
        },
      ),
      { numRuns: 200, seed: 12 },
    );
  });

  it.each([
    ['uniform', uniformVectors],
    ['model-shaped', modelShapedVectors],
  ] as const)('rank alike to the last bit: %s, 1000 × 384', (_name, make) => {
    const m = packCandidates(candidates(make(1000, 384, 5), 6));
    const query = make(1, 384, 7)[0] as Float32Array;
    expect(rankCandidates(query, m)).toEqual(rankCandidates(query, onJsKernel(m)));
  });
});

describe('ranking vs an all-float64 reference', () => {
  it.each([
    ['uniform', uniformVectors, 384],
    ['uniform, odd dimension', uniformVectors, 101],
    ['model-shaped', modelShapedVectors, 384],
    ['model-shaped, 768 dims', modelShapedVectors, 768],
  ] as const)('%s: same order, scores within 1e-6', (_name, make, dim) => {
    const cands = candidates(make(2000, dim, 21), 22);
    const m = packCandidates(cands);
    for (const seed of [31, 32]) {
      const query = make(1, dim, seed)[0] as Float32Array;
      const ref = float64Reference(query, cands);
      const got = rankCandidates(query, m).results;
      expect(got.map((r) => r.id)).toEqual(ref.map((r) => r.id));
      let worst = 0;
      got.forEach((r, i) => {
        worst = Math.max(worst, Math.abs(r.score - (ref[i]?.total as number)));
        worst = Math.max(worst, Math.abs(r.breakdown.similarity - (ref[i]?.similarity as number)));
      });
      expect(worst).toBeLessThan(1e-6);
    }
  });
});

describe('matrices built by hand and updated in place', () => {
  it('a growing index: spare rows, a row replaced with its norm, ranked like a fresh pack', () => {
    const vectors = modelShapedVectors(60, 32, 41);
    const cands = candidates(vectors.slice(0, 50), 42);
    const capacity = allocateVectors(64, 32);
    cands.forEach((c, i) => capacity.set(c.vector as Float32Array, i * 32));
    const live = capacity.subarray(0, 50 * 32);
    const m: CandidateMatrix = {
      ids: cands.map((c) => c.id),
      dimension: 32,
      vectors: live,
      norms: rowNorms(live, 32),
      diligence: Float64Array.from(cands, (c) => c.diligence),
      engagement: Float64Array.from(cands, (c) => c.engagement),
    };
    expect(similarityKernel(m)).toBe('wasm-simd');
    const replacement = vectors[55] as Float32Array;
    m.vectors.set(replacement, 7 * 32);
    m.norms[7] = vectorNorm(replacement);
    cands[7] = { ...(cands[7] as RankCandidate), vector: replacement };
    const query = modelShapedVectors(1, 32, 43)[0] as Float32Array;
    expect(rankCandidates(query, m)).toEqual(rankCandidates(query, packCandidates(cands)));
  });
});

describe('without WebAssembly', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('a host that refuses to compile WebAssembly (CSP without wasm-unsafe-eval) ranks on the JS kernel, identically', async () => {
    const cands = candidates(modelShapedVectors(500, 384, 51), 52);
    const query = modelShapedVectors(1, 384, 53)[0] as Float32Array;
    const withSimd = rankCandidates(query, packCandidates(cands), { limit: 20 });
    vi.stubGlobal('WebAssembly', {
      Module: function refused() {
        throw new Error("WebAssembly.Module(): Refused to compile or instantiate WebAssembly module because 'wasm-unsafe-eval' is not an allowed source");
      },
    });
    vi.resetModules();
    const scoring = await import('../shared/scoring');
    const m = scoring.packCandidates(cands);
    expect(scoring.similarityKernel(m)).toBe('js');
    expect(scoring.rankCandidates(query, m, { limit: 20 })).toEqual(withSimd);
  });
});
