/**
 * POST /api/v1/feed with the real ML service on the generated test model: the ranked order and scores equal
 * the shared rankCandidates over vectors computed independently on another session of the model; without ML
 * (disabled, or failing mid-request) it ranks by diligence and engagement with ml_applied false; errors.
 */
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Embedder } from '../shared/embedder';
import { profileToText } from '../shared/profile-text';
import { rankCandidates } from '../shared/scoring';
import type { Profile, RankWeights } from '../shared/types';
import { demoProfiles } from '../server/data/demo-profiles';
import type { ServerConfig } from '../server/deps';
import { createNodeEmbedder } from '../server/embedder/node-embedder';
import type { MlService } from '../server/ml/ml-service';
import type { FeedResponse } from '../shared/api';
import { MemoryProfileStore } from '../server/store/memory-store';
import {
  TEST_MODEL_DIR,
  call,
  candidateApp,
  disabledMl,
  loadTestMl,
  readyRanking,
  testCache,
  testConfig,
} from './support/candidate-app';

const user = {
  name: 'Sam Rivera',
  headline: 'Founder building a payments platform for small businesses',
  bio: 'Looking for seed investors in fintech and an engineer who knows payments and risk.',
  tags: ['founder', 'fintech', 'seed'],
};

let store: MemoryProfileStore;
let config: ServerConfig;
let ml: Awaited<ReturnType<typeof loadTestMl>>;
let reference: Embedder;
let app: Hono;

beforeAll(async () => {
  store = new MemoryProfileStore({ seed: demoProfiles(60) });
  config = testConfig();
  const cache = testCache();
  ml = await loadTestMl(store, cache, config);
  // A second, independent session of the same model computes the expected vectors.
  reference = (await createNodeEmbedder({ model: TEST_MODEL_DIR, dtype: 'fp32', device: 'cpu', logger: () => undefined }))
    .embedder;
  // Every stored profile's vector computed by the background worker before the first feed.
  app = candidateApp({ config, store, cache, ml, ranking: await readyRanking({ config, store, cache, ml }) });
});
afterAll(async () => {
  await ml?.close();
  await reference?.dispose();
});

/** The feed computed directly: reference vectors one text at a time, shared ranker, same options. */
async function expectedFeed(
  query: { name: string; headline: string; bio: string; tags: string[] },
  exclude: string[],
  limit: number,
  weights: RankWeights,
) {
  const candidates = (await store.list()).filter((p) => !exclude.includes(p.id));
  const [q] = await reference.embed([profileToText(query)]);
  const vectors: Float32Array[] = [];
  for (const p of candidates) vectors.push(...(await reference.embed([profileToText(p)])));
  return rankCandidates(
    q as Float32Array,
    candidates.map((p, i) => ({ id: p.id, vector: vectors[i], diligence: p.diligence, engagement: p.engagement })),
    { weights, limit },
  );
}

function expectSameRanking(got: FeedResponse, want: ReturnType<typeof rankCandidates>): void {
  expect(got.results.map((r) => r.profile.id)).toEqual(want.results.map((r) => r.id));
  got.results.forEach((r, i) => {
    const w = want.results[i];
    expect(r.score).toBeCloseTo(w?.score ?? NaN, 5);
    expect(r.breakdown.similarity).toBeCloseTo(w?.breakdown.similarity ?? NaN, 5);
    expect(r.breakdown.diligence).toBe(w?.breakdown.diligence);
    expect(r.breakdown.engagement).toBe(w?.breakdown.engagement);
  });
  expect(got.weights.similarity).toBeCloseTo(want.weights.similarity, 12);
}

describe('POST /feed with ML', () => {
  it('ranks an inline profile like rankCandidates over independently computed vectors', async () => {
    const res = await call(app, 'POST', '/api/v1/feed', { profile: user, limit: 15 });
    expect(res.status).toBe(200);
    const feed = res.json as FeedResponse;
    expect(feed.ml_applied).toBe(true);
    expect(feed.model).toBe(ml.info()?.model);
    expect(feed.results).toHaveLength(15);
    // Full stored profiles, best first.
    for (const r of feed.results) expect(r.profile).toEqual(await store.get(r.profile.id));
    const scores = feed.results.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expectSameRanking(feed, await expectedFeed(user, [], 15, config.weights));
  });

  it('ranks for a stored profile (profile_id) without the user, honouring exclude_ids and the default limit', async () => {
    const me = (await store.get('demo-010')) as Profile;
    const exclude = ['demo-001', 'demo-002', 'demo-003'];
    const res = await call(app, 'POST', '/api/v1/feed', { profile_id: 'demo-010', exclude_ids: exclude });
    expect(res.status).toBe(200);
    const feed = res.json as FeedResponse;
    expect(feed.results).toHaveLength(20);
    const ids = feed.results.map((r) => r.profile.id);
    for (const id of ['demo-010', ...exclude]) expect(ids).not.toContain(id);
    expectSameRanking(feed, await expectedFeed(me, ['demo-010', ...exclude], 20, config.weights));
  });

  it('applies request weights merged over the configured ones', async () => {
    const weights = { similarity: 1, diligence: 0, engagement: 0 };
    const res = await call(app, 'POST', '/api/v1/feed', { profile: user, limit: 60, weights: { diligence: 0, engagement: 0, similarity: 1 } });
    const feed = res.json as FeedResponse;
    expect(feed.weights).toEqual(weights);
    const sims = feed.results.map((r) => r.breakdown.similarity);
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    expectSameRanking(feed, await expectedFeed(user, [], 60, weights));
  });

  it('sees a profile edit at once: the cached vector is dropped on PUT', async () => {
    const before = (await call(app, 'POST', '/api/v1/feed', { profile: user, limit: 60 })).json as FeedResponse;
    const last = before.results.at(-1)?.profile as Profile;
    // Make the worst match read like the user; it must climb.
    const edited = { ...last, headline: user.headline, bio: user.bio, tags: user.tags };
    expect((await call(app, 'PUT', `/api/v1/profiles/${last.id}`, edited)).status).toBe(200);
    const after = (await call(app, 'POST', '/api/v1/feed', { profile: user, limit: 60 })).json as FeedResponse;
    const rankBefore = before.results.findIndex((r) => r.profile.id === last.id);
    const rankAfter = after.results.findIndex((r) => r.profile.id === last.id);
    expect(rankAfter).toBeLessThan(rankBefore);
    expectSameRanking(after, await expectedFeed(user, [], 60, config.weights));
  });
});

describe('POST /feed without ML', () => {
  it('ML disabled: ml_applied false, ranked by diligence and engagement (weights renormalised)', async () => {
    const cache = testCache();
    const off = candidateApp({ config, store, cache, ml: disabledMl(store, cache, config) });
    const res = await call(off, 'POST', '/api/v1/feed', { profile: user, limit: 60 });
    expect(res.status).toBe(200);
    const feed = res.json as FeedResponse;
    expect(feed.ml_applied).toBe(false);
    expect(feed.model).toBeNull();
    const { diligence: d, engagement: e } = config.weights;
    expect(feed.weights.similarity).toBe(0);
    expect(feed.weights.diligence).toBeCloseTo(d / (d + e), 12);
    expect(feed.weights.engagement).toBeCloseTo(e / (d + e), 12);
    // Weighted sum of the two features, ties broken by id.
    const { diligence: wd, engagement: we } = feed.weights;
    const expected = (await store.list())
      .map((p) => ({ id: p.id, total: wd * p.diligence + we * p.engagement }))
      .sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : 1));
    expect(feed.results.map((r) => r.profile.id)).toEqual(expected.slice(0, 60).map((x) => x.id));
    feed.results.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]?.total ?? NaN, 6));
    for (const r of feed.results) expect(r.breakdown.similarity).toBe(0);
  });

  it('ML failing during the request degrades to ml_applied false instead of failing', async () => {
    const failing: MlService = {
      ...ml,
      available: () => true,
      info: () => ml.info(),
      embedTexts: async () => {
        throw new Error('simulated inference failure');
      },
      queryVectors: async () => {
        throw new Error('simulated inference failure');
      },
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const res = await call(candidateApp({ config, store, cache: testCache(), ml: failing }), 'POST', '/api/v1/feed', {
      profile: user,
    });
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ml_applied: false, model: null });
    expect((res.json as FeedResponse).results).toHaveLength(20);
  });
});

describe('POST /feed errors', () => {
  const cases: [string, unknown, number, string, string][] = [
    ['malformed JSON', '{"profile": ', 400, 'invalid_json', 'JSON'],
    ['an empty body', '', 400, 'empty_input', 'empty'],
    ['neither profile nor profile_id', { limit: 5 }, 422, 'validation', 'profile_id'],
    ['both profile and profile_id', { profile: user, profile_id: 'demo-001' }, 422, 'validation', 'profile_id'],
    ['an unknown profile_id', { profile_id: 'nobody' }, 404, 'not_found', 'nobody'],
    ['a profile_id that is not a string', { profile_id: 42 }, 422, 'validation', 'profile_id'],
    ['limit 0', { profile: user, limit: 0 }, 422, 'validation', '`limit` must be an integer in [1, 10000]'],
    ['limit 10001', { profile: user, limit: 10_001 }, 422, 'validation', '[1, 10000]'],
    ['exclude_ids not an array', { profile: user, exclude_ids: 'demo-001' }, 422, 'validation', 'exclude_ids'],
    ['an exclude id of the wrong type', { profile: user, exclude_ids: ['ok', 3] }, 422, 'validation', 'exclude_ids[1]'],
    ['a weight out of range', { profile: user, weights: { similarity: 2 } }, 422, 'validation', 'weights.similarity'],
    ['all weights zero', { profile: user, weights: { similarity: 0, diligence: 0, engagement: 0 } }, 422, 'validation', 'weights'],
    ['weights not an object', { profile: user, weights: [1, 0, 0] }, 422, 'validation', 'weights'],
    ['a profile with tags of the wrong type', { profile: { ...user, tags: 'fintech' } }, 422, 'validation', 'tags'],
    ['a profile with no text at all', { profile: { name: ' ', tags: [] } }, 400, 'empty_input', 'profile'],
    ['a profile of control characters only', { profile: { name: '\u0000\u0007' } }, 400, 'empty_input', 'profile'],
  ];
  it.each(cases)('%s', async (_what, body, status, type, names) => {
    const before = await store.changesSince(null, 1000);
    const res = await call(app, 'POST', '/api/v1/feed', body);
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error_type: type });
    expect((res.json as { error: string }).error).toContain(names);
    expect(await store.changesSince(null, 1000)).toEqual(before);
  });
});
