import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WEIGHTS,
  cosineSimilarity,
  dot,
  packCandidates,
  rankCandidates,
  resolveWeights,
  type RankCandidate,
} from '../shared/scoring';

/** Deterministic pseudo-random numbers (LCG) so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomCandidates(n: number, dim: number, seed = 7): RankCandidate[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) v[j] = r() * 2 - 1;
    return { id: `c${String(i).padStart(5, '0')}`, vector: v, diligence: r(), engagement: r() };
  });
}

function f32(...xs: number[]): Float32Array {
  return Float32Array.from(xs);
}

/** Independent reference: per-candidate cosine in float64, full sort by (total desc, id asc). */
function referenceRank(query: Float32Array, cands: RankCandidate[], w = DEFAULT_WEIGHTS) {
  const qn = Math.hypot(...query);
  return cands
    .map((c) => {
      const v = c.vector as Float32Array;
      let d = 0;
      for (let j = 0; j < v.length; j++) d += (v[j] as number) * (query[j] as number);
      const cos = d / (qn * Math.hypot(...v));
      const similarity = (cos + 1) / 2;
      const total = w.similarity * similarity + w.diligence * c.diligence + w.engagement * c.engagement;
      return { id: c.id, total, similarity };
    })
    .sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

describe('dot and cosineSimilarity', () => {
  it('computes dot products and raw cosines', () => {
    expect(dot(f32(1, 2, 3), f32(4, 5, 6))).toBe(32);
    expect(cosineSimilarity(f32(1, 0), f32(0, 1))).toBe(0);
    expect(cosineSimilarity(f32(1, 1), f32(2, 2))).toBeCloseTo(1, 12);
    expect(cosineSimilarity(f32(1, 0), f32(-3, 0))).toBe(-1);
    expect(cosineSimilarity(f32(3, 4), f32(4, 3))).toBeCloseTo(24 / 25, 7);
  });

  it('stays within [-1, 1] for near-parallel vectors', () => {
    const v = randomCandidates(1, 384)[0]?.vector as Float32Array;
    const c = cosineSimilarity(v, v);
    expect(c).toBeLessThanOrEqual(1);
    expect(c).toBeCloseTo(1, 6);
  });

  it('throws on dimension mismatch, naming both dimensions', () => {
    expect(() => dot(f32(1, 2), f32(1, 2, 3))).toThrow(/dimension mismatch, 2 vs 3/);
    expect(() => cosineSimilarity(f32(1), f32(1, 2))).toThrow(/dimension mismatch, 1 vs 2/);
  });

  it('throws on NaN and infinities, naming the index', () => {
    expect(() => cosineSimilarity(f32(1, NaN, 3), f32(1, 2, 3))).toThrow(/a\[1\] is NaN \(dimension 3\)/);
    expect(() => cosineSimilarity(f32(1, 2), f32(Infinity, 2))).toThrow(/b\[0\] is Infinity/);
    expect(() => dot(f32(1, 2), f32(1, -Infinity))).toThrow(/b\[1\] is -Infinity/);
  });

  it('throws on a zero vector', () => {
    expect(() => cosineSimilarity(f32(0, 0), f32(1, 2))).toThrow(/zero vector/);
  });
});

describe('resolveWeights', () => {
  it('keeps the defaults exactly', () => {
    expect(resolveWeights(undefined, true)).toEqual({ similarity: 0.6, diligence: 0.3, engagement: 0.1 });
  });

  it('renormalises diligence and engagement without a query', () => {
    const w = resolveWeights(undefined, false);
    expect(w.similarity).toBe(0);
    expect(w.diligence).toBeCloseTo(0.75, 12);
    expect(w.engagement).toBeCloseTo(0.25, 12);
  });

  it('merges partial weights over the defaults and normalises to sum 1', () => {
    const w = resolveWeights({ similarity: 0.2 }, true);
    expect(w.similarity).toBeCloseTo(0.2 / 0.6, 12);
    expect(w.diligence).toBeCloseTo(0.3 / 0.6, 12);
    expect(w.similarity + w.diligence + w.engagement).toBeCloseTo(1, 12);
  });

  it('rejects weights outside [0, 1], non-finite, or all zero, naming the weight', () => {
    expect(() => resolveWeights({ similarity: 1.5 }, true)).toThrow(/weights\.similarity must be a finite number in \[0, 1\], got 1\.5/);
    expect(() => resolveWeights({ diligence: -0.1 }, true)).toThrow(/weights\.diligence .* got -0\.1/);
    expect(() => resolveWeights({ engagement: NaN }, true)).toThrow(/weights\.engagement .* got NaN/);
    expect(() => resolveWeights({ similarity: 0, diligence: 0, engagement: 0 }, true)).toThrow(/must not all be 0/);
  });

  it('falls back to the default ratio when ML is off and only similarity had weight', () => {
    const w = resolveWeights({ similarity: 1, diligence: 0, engagement: 0 }, false);
    expect(w.similarity).toBe(0);
    expect(w.diligence).toBeCloseTo(0.75, 12);
    expect(w.engagement).toBeCloseTo(0.25, 12);
  });
});

describe('rankCandidates', () => {
  it('matches an independent full-sort reference on random data (scores and order)', () => {
    const cands = randomCandidates(500, 24, 3);
    const query = randomCandidates(1, 24, 99)[0]?.vector as Float32Array;
    const ref = referenceRank(query, cands);
    const got = rankCandidates(query, cands);
    expect(got.ml_applied).toBe(true);
    expect(got.weights).toEqual({ similarity: 0.6, diligence: 0.3, engagement: 0.1 });
    expect(got.results.map((r) => r.id)).toEqual(ref.map((r) => r.id));
    got.results.forEach((r, i) => {
      // The similarity pass sums in float32 (shared/similarity): within 1e-6 of float64, not 1e-12.
      expect(Math.abs(r.score - (ref[i]?.total as number))).toBeLessThan(1e-6);
      expect(Math.abs(r.breakdown.similarity - (ref[i]?.similarity as number))).toBeLessThan(1e-6);
      expect(r.breakdown.total).toBe(r.score);
    });
  });

  it('maps cosine to [0, 1]: parallel 1, orthogonal 0.5, opposite 0', () => {
    const cands: RankCandidate[] = [
      { id: 'same', vector: f32(2, 0), diligence: 0, engagement: 0 },
      { id: 'orth', vector: f32(0, 5), diligence: 0, engagement: 0 },
      { id: 'opp', vector: f32(-1, 0), diligence: 0, engagement: 0 },
    ];
    const { results } = rankCandidates(f32(1, 0), cands);
    expect(results.map((r) => [r.id, r.breakdown.similarity])).toEqual([
      ['same', 1],
      ['orth', 0.5],
      ['opp', 0],
    ]);
    expect(results[0]?.score).toBeCloseTo(0.6, 12);
  });

  it('breaks ties by id ascending, independent of input order', () => {
    const mk = (id: string): RankCandidate => ({ id, vector: f32(1, 1), diligence: 0.5, engagement: 0.5 });
    const ids = ['b', 'a', 'd', 'c', 'aa', 'B'];
    const forward = rankCandidates(f32(1, 1), ids.map(mk)).results.map((r) => r.id);
    const backward = rankCandidates(f32(1, 1), [...ids].reverse().map(mk)).results.map((r) => r.id);
    expect(forward).toEqual(['B', 'a', 'aa', 'b', 'c', 'd']);
    expect(backward).toEqual(forward);
    // The partial top-k path tie-breaks the same way.
    expect(rankCandidates(f32(1, 1), ids.map(mk), { limit: 3 }).results.map((r) => r.id)).toEqual(['B', 'a', 'aa']);
  });

  it('limit returns exactly the head of the full ranking (partial top-k)', () => {
    const cands = randomCandidates(2000, 16, 11);
    const query = randomCandidates(1, 16, 12)[0]?.vector as Float32Array;
    const full = rankCandidates(query, cands).results;
    for (const limit of [0, 1, 5, 20, 1999, 2000, 5000]) {
      const top = rankCandidates(query, cands, { limit }).results;
      expect(top).toEqual(full.slice(0, limit));
    }
  });

  it('rejects a bad limit', () => {
    const cands = randomCandidates(3, 4);
    expect(() => rankCandidates(null, cands, { limit: -1 })).toThrow(/limit must be a non-negative integer, got -1/);
    expect(() => rankCandidates(null, cands, { limit: 1.5 })).toThrow(/got 1\.5/);
  });

  it('excludeIds removes candidates, with or without limit, from any iterable', () => {
    const cands = randomCandidates(50, 8, 5);
    const query = randomCandidates(1, 8, 6)[0]?.vector as Float32Array;
    const full = rankCandidates(query, cands).results.map((r) => r.id);
    const exclude = [full[0] as string, full[3] as string, 'not-a-candidate'];
    const expected = full.filter((id) => !exclude.includes(id));
    expect(rankCandidates(query, cands, { excludeIds: exclude }).results.map((r) => r.id)).toEqual(expected);
    expect(rankCandidates(query, cands, { excludeIds: new Set(exclude), limit: 5 }).results.map((r) => r.id)).toEqual(
      expected.slice(0, 5),
    );
  });

  it('excludeIds given as a single string excludes that id, not its characters', () => {
    const cands: RankCandidate[] = ['a', 'b', 'ab'].map((id) => ({ id, diligence: 0.5, engagement: 0.5 }));
    expect(rankCandidates(null, cands, { excludeIds: 'ab' }).results.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('without a query ranks by diligence and engagement, renormalised, similarity 0', () => {
    const cands: RankCandidate[] = [
      { id: 'x', diligence: 1, engagement: 0 },
      { id: 'y', diligence: 0, engagement: 1 },
      { id: 'z', diligence: 0.5, engagement: 0.5 },
    ];
    const got = rankCandidates(null, cands);
    expect(got.ml_applied).toBe(false);
    expect(got.weights.similarity).toBe(0);
    expect(got.weights.diligence).toBeCloseTo(0.75, 12);
    expect(got.results.map((r) => r.id)).toEqual(['x', 'z', 'y']);
    const expected = [0.75, 0.5, 0.25];
    got.results.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i] as number, 12));
    expect(got.results.map((r) => r.breakdown.diligence)).toEqual([1, 0.5, 0]);
    expect(got.results.every((r) => r.breakdown.similarity === 0)).toBe(true);
  });

  it('without a query ignores vectors when they are present', () => {
    const cands = randomCandidates(30, 8, 21);
    const withVectors = rankCandidates(null, cands).results;
    const withoutVectors = rankCandidates(
      null,
      cands.map(({ id, diligence, engagement }) => ({ id, diligence, engagement })),
    ).results;
    expect(withVectors).toEqual(withoutVectors);
    // Even inconsistent vectors do not matter when none is used.
    const mixed = cands.map((c, i) => (i % 2 ? { ...c, vector: f32(1) } : { ...c, vector: null }));
    expect(rankCandidates(null, mixed).results).toEqual(withoutVectors);
  });

  it('custom weights change the order as expected', () => {
    const cands: RankCandidate[] = [
      { id: 'similar', vector: f32(1, 0), diligence: 0, engagement: 0 },
      { id: 'diligent', vector: f32(0, 1), diligence: 1, engagement: 0 },
    ];
    expect(rankCandidates(f32(1, 0), cands, { weights: { similarity: 1, diligence: 0, engagement: 0 } }).results[0]?.id).toBe(
      'similar',
    );
    expect(rankCandidates(f32(1, 0), cands, { weights: { similarity: 0.1, diligence: 0.9, engagement: 0 } }).results[0]?.id).toBe(
      'diligent',
    );
  });

  it('packed and array forms give identical results', () => {
    const cands = randomCandidates(300, 32, 8);
    const query = randomCandidates(1, 32, 9)[0]?.vector as Float32Array;
    const m = packCandidates(cands);
    expect(m.vectors.length).toBe(300 * 32);
    expect(rankCandidates(query, m, { limit: 10 })).toEqual(rankCandidates(query, cands, { limit: 10 }));
  });

  it('is invariant to vector scale (cosine of normalised vectors)', () => {
    const cands = randomCandidates(100, 12, 13);
    const scaled = cands.map((c) => ({ ...c, vector: (c.vector as Float32Array).map((x) => x * 8) }));
    const query = randomCandidates(1, 12, 14)[0]?.vector as Float32Array;
    const a = rankCandidates(query, cands).results;
    const b = rankCandidates(query.map((x) => x / 3), scaled).results;
    expect(b.map((r) => r.id)).toEqual(a.map((r) => r.id));
    b.forEach((r, i) => expect(r.score).toBeCloseTo(a[i]?.score as number, 6));
  });

  it('handles an empty candidate list', () => {
    expect(rankCandidates(f32(1, 2), []).results).toEqual([]);
    expect(rankCandidates(null, [], { limit: 5 }).results).toEqual([]);
  });

  describe('errors name the candidate', () => {
    it('query/candidate dimension mismatch', () => {
      const cands = randomCandidates(3, 4);
      expect(() => rankCandidates(f32(1, 2, 3), cands)).toThrow(/query has dimension 3 but candidates have dimension 4/);
      expect(() => rankCandidates(f32(1, 2, 3, 4), cands.map(({ id, diligence, engagement }) => ({ id, diligence, engagement })))).toThrow(
        /candidates have dimension 0 \(no vectors\)/,
      );
    });

    it('candidate dimension mismatch names the candidate and both dimensions', () => {
      const cands = randomCandidates(3, 4);
      cands[2] = { ...(cands[2] as RankCandidate), vector: f32(1, 2, 3) };
      expect(() => rankCandidates(f32(1, 2, 3, 4), cands)).toThrow(
        /candidate #2 \("c00002"\): dimension mismatch, vector has 3, expected 4/,
      );
    });

    it('NaN or infinity in a candidate vector names the candidate and the index', () => {
      const cands = randomCandidates(5, 6);
      (cands[3]?.vector as Float32Array)[4] = NaN;
      expect(() => rankCandidates(f32(1, 1, 1, 1, 1, 1), cands)).toThrow(
        /candidate #3 \("c00003"\): vector\[4\] is NaN \(dimension 6\)/,
      );
      const m = packCandidates(randomCandidates(5, 6));
      m.vectors[1 * 6 + 2] = -Infinity;
      expect(() => rankCandidates(f32(1, 1, 1, 1, 1, 1), m, { limit: 2 })).toThrow(/candidate #1 \("c00001"\): vector\[2\] is -Infinity/);
    });

    it('NaN in the query names the index', () => {
      expect(() => rankCandidates(f32(1, NaN), randomCandidates(2, 2))).toThrow(/query\[1\] is NaN/);
    });

    it('zero vectors', () => {
      const cands = randomCandidates(2, 3);
      cands[1] = { ...(cands[1] as RankCandidate), vector: f32(0, 0, 0) };
      expect(() => rankCandidates(f32(1, 1, 1), cands)).toThrow(/candidate #1 \("c00001"\): vector is a zero vector/);
      expect(() => rankCandidates(f32(0, 0, 0), randomCandidates(2, 3))).toThrow(/query is a zero vector/);
    });

    it('diligence or engagement outside [0, 1] or NaN', () => {
      const cands = randomCandidates(3, 2);
      cands[1] = { ...(cands[1] as RankCandidate), engagement: 1.2 };
      expect(() => rankCandidates(null, cands)).toThrow(/candidate #1 \("c00001"\): engagement must be a finite number in \[0, 1\], got 1\.2/);
      const m = packCandidates(randomCandidates(3, 2));
      m.diligence[2] = NaN;
      expect(packCandidates(randomCandidates(1, 2)).diligence).toBeInstanceOf(Float64Array);
      expect(() => rankCandidates(null, m)).toThrow(/candidate #2 \("c00002"\): diligence .* got NaN/);
    });

    it('duplicate ids and missing vectors', () => {
      const cands = randomCandidates(3, 2);
      cands[2] = { ...(cands[2] as RankCandidate), id: 'c00000' };
      expect(() => packCandidates(cands)).toThrow(/candidate #2 \("c00000"\): duplicate id/);
      const missing = randomCandidates(3, 2);
      missing[1] = { id: 'c00001', diligence: 0, engagement: 0 };
      expect(() => packCandidates(missing)).toThrow(/candidate #1 \("c00001"\) has no vector, expected dimension 2/);
    });

    it('a malformed matrix', () => {
      const m = packCandidates(randomCandidates(3, 4));
      expect(() => rankCandidates(null, { ...m, vectors: m.vectors.subarray(0, 11) })).toThrow(
        /vectors has 11 floats, expected 3 candidates × 4 dims = 12/,
      );
      expect(() => rankCandidates(null, { ...m, engagement: new Float32Array(2) })).toThrow(/3 ids but 3 diligence and 2 engagement/);
    });
  });
});
