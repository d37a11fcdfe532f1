/**
 * The recommendation layer's math on hand-made cases: Rocchio weights and recency, fatigue windows, freshness,
 * group decay values, MMR order; and the promise that no interactions and no options is today's feed exactly.
 */
import { describe, expect, it } from 'vitest';
import { packCandidates, rankCandidates, type RankCandidate } from '../shared/scoring';
import { DAY_MS, halfLifeFactor } from '../shared/recommend/decay';
import { groupDecayFactors, mmrOrder } from '../shared/recommend/diversity';
import { summariseFeedback } from '../shared/recommend/feedback';
import { freshnessFactor } from '../shared/recommend/freshness';
import { issueError } from '../shared/api/common';
import { interactionsSchema } from '../shared/recommend/interaction-schema';
import { DEFAULT_FATIGUE, DEFAULT_TASTE_WEIGHTS, resolveRecommendOptions } from '../shared/recommend/options';
import { recommend } from '../shared/recommend/recommend';
import { tasteVector } from '../shared/recommend/taste';
import type { Interaction } from '../shared/recommend/interactions';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ago = (days: number) => new Date(NOW - days * DAY_MS).toISOString();
const f32 = (...xs: number[]) => Float32Array.from(xs);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomCandidates(n: number, dim: number, seed = 11): RankCandidate[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) v[j] = r() * 2 - 1;
    return { id: `c${String(i).padStart(4, '0')}`, vector: v, diligence: r(), engagement: r() };
  });
}

describe('no interactions and no options', () => {
  it('is exactly rankCandidates, matrix or array, with limit and excludeIds', () => {
    const cands = randomCandidates(300, 16);
    const q = randomCandidates(1, 16, 99)[0]!.vector!;
    const matrix = packCandidates(cands);
    for (const opts of [{}, { limit: 20 }, { limit: 7, excludeIds: ['c0001', 'c0002'], weights: { similarity: 1 } }]) {
      expect(recommend(q, matrix, opts)).toEqual(rankCandidates(q, matrix, opts));
      expect(recommend(q, cands, { ...opts, now: NOW, interactions: [], diversity: 0 })).toEqual(rankCandidates(q, cands, opts));
      expect(recommend(null, cands, opts)).toEqual(rankCandidates(null, cands, opts));
    }
  });
});

describe('halfLifeFactor', () => {
  it('halves per half-life and never exceeds 1', () => {
    expect(halfLifeFactor(0, 30)).toBe(1);
    expect(halfLifeFactor(30 * DAY_MS, 30)).toBeCloseTo(0.5, 15);
    expect(halfLifeFactor(60 * DAY_MS, 30)).toBeCloseTo(0.25, 15);
    expect(halfLifeFactor(-5 * DAY_MS, 30)).toBe(1);
  });
});

describe('taste vector (Rocchio)', () => {
  // Rows: a liked (e2), b passed (e3), c liked (e2 + e3 direction, not unit: normalised first).
  const matrix = packCandidates([
    { id: 'a', vector: f32(0, 1, 0), diligence: 0, engagement: 0 },
    { id: 'b', vector: f32(0, 0, 1), diligence: 0, engagement: 0 },
    { id: 'c', vector: f32(0, 3, 4), diligence: 0, engagement: 0 },
  ]);
  const profile = f32(2, 0, 0);
  const unit = (x: number[]) => x.map((v) => v / Math.hypot(...x));

  it('is normalise(α·p̂ + β·mean(positives) − γ·mean(negatives)) with the default 1, 0.75, 0.25', () => {
    const q = tasteVector(profile, matrix, { positives: [{ row: 0, weight: 1 }], negatives: [{ row: 1, weight: 1 }] }, DEFAULT_TASTE_WEIGHTS);
    const want = unit([1, 0.75, -0.25]);
    q.forEach((x, j) => expect(x).toBeCloseTo(want[j]!, 6));
  });

  it('weights each interaction by its recency and averages over the count', () => {
    const q = tasteVector(
      profile,
      matrix,
      { positives: [{ row: 0, weight: 0.5 }, { row: 2, weight: 1 }], negatives: [] },
      { alpha: 1, beta: 1, gamma: 0 },
    );
    // (1, 0, 0) + ((0, 0.5, 0) + (0, 0.6, 0.8)) / 2
    const want = unit([1, 0.55, 0.4]);
    q.forEach((x, j) => expect(x).toBeCloseTo(want[j]!, 6));
  });

  it('returns the profile vector itself when feedback cannot move it', () => {
    expect(tasteVector(profile, matrix, { positives: [], negatives: [] }, DEFAULT_TASTE_WEIGHTS)).toBe(profile);
    const onlyPass = { positives: [], negatives: [{ row: 1, weight: 1 }] };
    expect(tasteVector(profile, matrix, onlyPass, { alpha: 1, beta: 1, gamma: 0 })).toBe(profile);
  });

  it('recency from `at` reaches the vector through recommend: a like one half-life old counts half', () => {
    const cands = [
      { id: 'a', vector: f32(0, 1, 0), diligence: 0, engagement: 0 },
      { id: 'x', vector: f32(1, 1, 0), diligence: 0, engagement: 0 },
    ];
    const fresh = recommend(profile, cands, { now: NOW, interactions: [{ profile_id: 'a', type: 'like', at: ago(0) }], weights: { similarity: 1, diligence: 0, engagement: 0 } });
    const old = recommend(profile, cands, { now: NOW, interactions: [{ profile_id: 'a', type: 'like', at: ago(30) }], weights: { similarity: 1, diligence: 0, engagement: 0 } });
    const cosTo = (q: number[]) => (q[0]! + q[1]!) / (Math.hypot(...q) * Math.SQRT2);
    expect(fresh.results[0]!.score).toBeCloseTo((cosTo([1, 0.75, 0]) + 1) / 2, 6);
    expect(old.results[0]!.score).toBeCloseTo((cosTo([1, 0.375, 0]) + 1) / 2, 6);
  });
});

describe('feedback and fatigue', () => {
  const fb = (interactions: Interaction[]) => summariseFeedback(interactions, NOW, 30, DEFAULT_FATIGUE);

  it('hide is forever; like and connect leave the feed and count as positives', () => {
    const f = fb([
      { profile_id: 'h', type: 'hide', at: ago(1000) },
      { profile_id: 'h', type: 'like', at: ago(0) },
      { profile_id: 'l', type: 'like', at: ago(30) },
      { profile_id: 'c', type: 'connect' },
    ]);
    expect([...f.excluded].sort()).toEqual(['c', 'h', 'l']);
    expect(f.positives.get('l')).toBeCloseTo(0.5, 12);
    expect(f.positives.get('c')).toBe(1);
    expect(f.positives.has('h')).toBe(false);
  });

  it('a pass keeps a candidate out for 14 days, then lets it back at half its score', () => {
    const f = fb([
      { profile_id: 'recent', type: 'pass', at: ago(13.9) },
      { profile_id: 'old', type: 'pass', at: ago(14.1) },
    ]);
    expect(f.excluded.has('recent')).toBe(true);
    expect(f.excluded.has('old')).toBe(false);
    expect(f.fatigue.get('old')).toBe(0.5);
    expect(f.negatives.get('old')).toBeCloseTo(halfLifeFactor(14.1 * DAY_MS, 30), 12);
  });

  it('the latest decision wins: a like after a pass is a like', () => {
    const f = fb([
      { profile_id: 'p', type: 'like', at: ago(1) },
      { profile_id: 'p', type: 'pass', at: ago(20) },
    ]);
    expect(f.positives.has('p')).toBe(true);
    expect(f.negatives.has('p')).toBe(false);
  });

  it('each view without an action discounts a little, weighted by recency, down to the floor', () => {
    const views = (id: string, n: number, days = 0) => Array.from({ length: n }, () => ({ profile_id: id, type: 'view' as const, at: ago(days) }));
    const f = fb([...views('two', 2), ...views('old', 1, 30), ...views('many', 40), ...views('acted', 3, 25), { profile_id: 'acted', type: 'pass', at: ago(20) }, ...views('acted', 1, 1)]);
    expect(f.fatigue.get('two')).toBeCloseTo(0.95 ** 2, 12);
    expect(f.fatigue.get('old')).toBeCloseTo(0.95 ** 0.5, 12);
    expect(f.fatigue.get('many')).toBe(0.5);
    // Only the view after the pass counts, on top of the pass' return factor.
    expect(f.fatigue.get('acted')).toBeCloseTo(0.5 * 0.95 ** halfLifeFactor(DAY_MS, 30), 12);
  });

  it('through recommend: hidden never returns, a passed one returns later with its score halved', () => {
    const cands = randomCandidates(50, 8);
    const q = f32(1, 0, 0, 0, 0, 0, 0, 0);
    const base = recommend(q, cands, {});
    const [h, p] = [base.results[0]!.id, base.results[1]!.id];
    const out = recommend(q, cands, {
      now: NOW,
      interactions: [
        { profile_id: h, type: 'hide', at: ago(400) },
        { profile_id: p, type: 'pass', at: ago(15) },
        { profile_id: 'not-a-candidate', type: 'like' },
      ],
      weights: { similarity: 0.6 },
      taste: { gamma: 0 }, // the pass must not move the query here: only its fatigue is under test
    });
    expect(out.results.map((r) => r.id)).not.toContain(h);
    const passed = out.results.find((r) => r.id === p)!;
    expect(passed.breakdown.fatigue).toBe(0.5);
    expect(passed.score).toBeCloseTo(base.results[1]!.score * 0.5, 12);
  });
});

describe('freshness', () => {
  it('decays with the age of updated_at, not below the floor; off by default', () => {
    const o = { halfLifeDays: 10, floor: 0.3 };
    expect(freshnessFactor(ago(0), NOW, o)).toBe(1);
    expect(freshnessFactor(ago(10), NOW, o)).toBeCloseTo(0.5, 12);
    expect(freshnessFactor(ago(100), NOW, o)).toBe(0.3);
    expect(freshnessFactor(undefined, NOW, o)).toBe(1);
    expect(resolveRecommendOptions({}).freshness).toBeNull();
  });

  it('through recommend: an old profile falls behind an equal fresh one', () => {
    const v = f32(1, 0);
    const cands = [
      { id: 'old', vector: v, diligence: 0.5, engagement: 0.5 },
      { id: 'new', vector: v, diligence: 0.5, engagement: 0.5 },
    ];
    const when: Record<string, string> = { old: ago(20), new: ago(0) };
    const out = recommend(v, cands, { now: NOW, freshness: { halfLifeDays: 20, floor: 0 }, profileOf: (id) => ({ updated_at: when[id]!, tags: [] }) });
    expect(out.results.map((r) => [r.id, r.breakdown.freshness])).toEqual([
      ['new', 1],
      ['old', 0.5],
    ]);
  });
});

describe('diversity', () => {
  it('group decay is 1, 0.625, 0.4375, 0.34375 … towards 0.25, per group', () => {
    const f = groupDecayFactors(['x', 'x', 'y', 'x', 'x', undefined, 'y']);
    expect(f).toEqual([1, 0.625, 1, 0.4375, 0.34375, 1, 0.625]);
    expect(groupDecayFactors(Array(30).fill('x')).at(-1)).toBeCloseTo(0.25, 8);
  });

  it('MMR picks the relevant item, then the different one before the near-duplicate', () => {
    const vectors = [f32(1, 0), f32(0.99, 0.14), f32(0, 1)];
    const ids = ['a', 'a2', 'b'];
    const rel = [0.9, 0.85, 0.7];
    expect(mmrOrder(rel, ids, (i) => vectors[i]!, 1, 3).map((p) => ids[p.index])).toEqual(['a', 'a2', 'b']);
    const picks = mmrOrder(rel, ids, (i) => vectors[i]!, 0.5, 3);
    expect(picks.map((p) => ids[p.index])).toEqual(['a', 'b', 'a2']);
    expect(picks[0]!.redundancy).toBe(0);
    expect(picks[1]!.redundancy).toBeCloseTo(0.5, 12); // b ⟂ a: (0 + 1) / 2
  });

  it('through recommend: diversity re-orders, group decay re-scores, and the breakdown explains it', () => {
    const cands = [
      { id: 'a', vector: f32(1, 0), diligence: 0.9, engagement: 0.9 },
      { id: 'a2', vector: f32(0.99, 0.14), diligence: 0.8, engagement: 0.8 },
      { id: 'b', vector: f32(0.2, 1), diligence: 0.5, engagement: 0.5 },
    ];
    const q = f32(1, 0.1);
    const plain = recommend(q, cands, {});
    expect(plain.results.map((r) => r.id)).toEqual(['a', 'a2', 'b']);
    const mmr = recommend(q, cands, { diversity: 0.6 });
    expect(mmr.results.map((r) => r.id)).toEqual(['a', 'b', 'a2']);
    expect(mmr.results.map((r) => r.score)).toEqual(['a', 'b', 'a2'].map((id) => plain.results.find((r) => r.id === id)!.score));
    const tags: Record<string, string[]> = { a: ['founder'], a2: ['Founder', 'x'], b: ['investor'] };
    const grouped = recommend(q, cands, { groupDecay: true, profileOf: (id) => ({ updated_at: ago(0), tags: tags[id]! }) });
    expect(grouped.results.find((r) => r.id === 'a2')!.breakdown.diversity).toBe(0.625);
    expect(grouped.results.find((r) => r.id === 'b')!.breakdown.diversity).toBe(1);
  });
});

describe('explanations', () => {
  it('total = (w_s·similarity + taste + w_d·d + w_e·e)·fatigue·freshness·diversity; because names the closest like', () => {
    const cands = randomCandidates(200, 12, 5);
    const profile = randomCandidates(1, 12, 77)[0]!.vector!;
    const liked = ['c0003', 'c0010', 'c0042'];
    const interactions: Interaction[] = [
      ...liked.map((id, i) => ({ profile_id: id, type: 'like' as const, at: ago(i * 3) })),
      { profile_id: 'c0050', type: 'pass', at: ago(20) },
      { profile_id: 'c0060', type: 'view', at: ago(1) },
    ];
    const out = recommend(profile, cands, {
      now: NOW,
      interactions,
      limit: 25,
      diversity: 0.3,
      groupDecay: true,
      freshness: { halfLifeDays: 60, floor: 0.5 },
      profileOf: (id) => ({ updated_at: ago(Number(id.slice(1)) % 90), tags: [`g${Number(id.slice(1)) % 4}`] }),
    });
    expect(out.results).toHaveLength(25);
    const w = out.weights;
    let lifted = 0;
    for (const r of out.results) {
      const b = r.breakdown;
      expect(liked).not.toContain(r.id);
      const rebuilt = (w.similarity * b.similarity + b.taste! + w.diligence * b.diligence + w.engagement * b.engagement) * b.fatigue! * b.freshness! * b.diversity!;
      expect(b.total).toBeCloseTo(rebuilt, 12);
      expect(r.score).toBe(b.total);
      if (b.taste! > 0) {
        lifted++;
        const v = cands.find((c) => c.id === r.id)!.vector!;
        const cos = (a: Float32Array) => a.reduce((s, x, j) => s + x * v[j]!, 0) / (Math.hypot(...a) * Math.hypot(...v));
        const best = liked.map((id) => [id, cos(cands.find((c) => c.id === id)!.vector!)] as const).sort((x, y) => y[1] - x[1])[0]![0];
        expect(r.because).toBe(best);
      } else expect(r.because).toBeUndefined();
    }
    expect(lifted).toBeGreaterThan(0);
    // Deterministic: the same input, the same feed.
    expect(recommend(profile, cands, { now: NOW, interactions, limit: 25, diversity: 0.3 })).toEqual(
      recommend(profile, packCandidates(cands), { now: new Date(NOW), interactions, limit: 25, diversity: 0.3 }),
    );
  });
});

describe('options and interaction validation', () => {
  it('names the option and its range', () => {
    expect(() => resolveRecommendOptions({ diversity: 2 })).toThrow('diversity must be a number in [0, 1], got 2');
    expect(() => resolveRecommendOptions({ taste: { alpha: 0 } })).toThrow('taste.alpha must be a number in (0, 1], got 0');
    expect(() => resolveRecommendOptions({ freshness: { halfLifeDays: 0, floor: 0 } })).toThrow('freshness.halfLifeDays');
    expect(() => resolveRecommendOptions({ interactions: [{ profile_id: 'a', type: 'like' }] })).toThrow('now is required');
    expect(() => resolveRecommendOptions({ now: 'yesterday' })).toThrow('now must be a time');
  });

  it('the interaction schema names the bad item by index and field', () => {
    const check = (value: unknown) => {
      const r = interactionsSchema.safeParse(value);
      return r.success ? { ok: true, value: r.data } : issueError(r.error.issues, 'interactions');
    };
    const good = [{ profile_id: 'a', type: 'like', at: '2026-01-01T00:00:00Z' }];
    expect(check(good)).toEqual({ ok: true, value: good });
    expect(check([{ profile_id: 'a', type: 'like' }, { profile_id: 'b', type: 'love' }])).toEqual({
      errorType: 'validation',
      param: '[1].type',
      message: '`[1].type` must be one of like, connect, pass, hide, view, got "love"',
    });
    expect(check([{ profile_id: '', type: 'like' }])).toMatchObject({ param: '[0].profile_id' });
    expect(check([{ profile_id: 'a', type: 'view', at: 'monday' }])).toMatchObject({ param: '[0].at' });
    expect(check(['x'])).toMatchObject({ param: '[0]', message: '`[0]` must be an object {profile_id, type, at?}, got "x"' });
    const many = check(Array.from({ length: 1001 }, () => ({ profile_id: 'a', type: 'view' })));
    expect(many).toMatchObject({ message: 'interactions holds 1001 items > the maximum 1000' });
  });
});

describe('rankCandidates multipliers hook', () => {
  it('multiplies each row total and checks the factors', () => {
    const cands = randomCandidates(5, 4);
    const q = f32(1, 0, 0, 0);
    const m = new Float64Array([1, 1, 0, 1, 2]);
    const base = rankCandidates(q, cands);
    const out = rankCandidates(q, cands, { multipliers: m });
    for (const r of out.results) {
      const i = Number(r.id.slice(1));
      expect(r.score).toBe(base.results.find((b) => b.id === r.id)!.score * m[i]!);
    }
    expect(out.results[0]!.id).toBe('c0004');
    expect(() => rankCandidates(q, cands, { multipliers: new Float64Array(4) })).toThrow('multipliers has 4 values for 5 candidates');
    expect(() => rankCandidates(q, cands, { multipliers: new Float64Array([1, 1, NaN, 1, 1]) })).toThrow('multipliers[2]');
  });
});
