/**
 * The recommendation fields of POST /feed and /ml/profiles/rank, on the real ML service (generated test
 * model): the server's feed equals shared `recommend` over vectors computed independently, hidden and liked
 * profiles stay out, unknown ids are ignored, no fields means today's feed, bad items are 422 naming the index.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedResponse, RankResponseJson } from '../shared/api';
import type { Embedder } from '../shared/embedder';
import { profileToText } from '../shared/profile-text';
import type { Interaction } from '../shared/recommend/interactions';
import { recommend } from '../shared/recommend/recommend';
import { DEFAULT_TASTE_WEIGHTS } from '../shared/recommend/options';
import { demoProfiles } from '../server/data/demo-profiles';
import { createNodeEmbedder } from '../server/embedder/node-embedder';
import { mlRoutes } from '../server/routes/ml';
import { MemoryProfileStore } from '../server/store/memory-store';
import { TEST_MODEL_DIR, call, candidateApp, loadTestMl, readyRanking, testCache, testConfig } from './support/candidate-app';

const user = {
  name: 'Sam Rivera',
  headline: 'Founder building a payments platform for small businesses',
  bio: 'Looking for seed investors in fintech and an engineer who knows payments and risk.',
  tags: ['founder', 'fintech', 'seed'],
};
const NOW = '2026-02-01T12:00:00.000Z';
const interactions: Interaction[] = [
  { profile_id: 'demo-002', type: 'like', at: '2026-01-30T10:00:00Z' },
  { profile_id: 'demo-007', type: 'connect', at: '2026-01-10T10:00:00Z' },
  { profile_id: 'demo-003', type: 'pass', at: '2026-01-31T10:00:00Z' },
  { profile_id: 'demo-005', type: 'pass', at: '2025-12-01T10:00:00Z' },
  { profile_id: 'demo-004', type: 'hide', at: '2025-06-01T10:00:00Z' },
  { profile_id: 'demo-009', type: 'view' },
  { profile_id: 'demo-009', type: 'view' },
  { profile_id: 'no-such-profile', type: 'like' },
];

let store: MemoryProfileStore;
let ml: Awaited<ReturnType<typeof loadTestMl>>;
let reference: Embedder;
let app: Hono;

beforeAll(async () => {
  store = new MemoryProfileStore({ seed: demoProfiles(60) });
  const config = testConfig();
  const cache = testCache();
  ml = await loadTestMl(store, cache, config);
  reference = (await createNodeEmbedder({ model: TEST_MODEL_DIR, dtype: 'fp32', device: 'cpu', logger: () => undefined })).embedder;
  // Every stored profile's vector computed by the background worker before the first feed.
  const ranking = await readyRanking({ config, store, cache, ml });
  app = candidateApp({ config, store, cache, ml, ranking });
  // candidateApp has /feed; /ml/* is mounted beside it as the server mounts it, on the same ranking side.
  app.route('/api/v1/ml', mlRoutes({ config, store, cache, ml, ranking }));
});
afterAll(async () => {
  await ml?.close();
  await reference?.dispose();
});

/** The expected feed: reference vectors, shared recommend, the same options. */
async function expected(options: Parameters<typeof recommend>[2], exclude: string[] = []) {
  const candidates = await store.list();
  const [q] = await reference.embed([profileToText(user)]);
  const vectors = await reference.embed(candidates.map(profileToText));
  const byId = new Map(candidates.map((p) => [p.id, p]));
  return recommend(
    q!,
    candidates.map((p, i) => ({ id: p.id, vector: vectors[i], diligence: p.diligence, engagement: p.engagement })),
    { taste: DEFAULT_TASTE_WEIGHTS, excludeIds: exclude, profileOf: (id) => byId.get(id), ...options },
  );
}

function expectSame(got: Array<{ id: string; score: number; because?: string }>, want: ReturnType<typeof recommend>): void {
  expect(got.map((r) => r.id)).toEqual(want.results.map((r) => r.id));
  got.forEach((r, i) => {
    expect(r.score).toBeCloseTo(want.results[i]!.score, 5);
    expect(r.because).toBe(want.results[i]!.because);
  });
}

const feedIds = (f: FeedResponse) => f.results.map((r) => ({ id: r.profile.id, score: r.score, because: r.because }));

describe('POST /feed with interactions', () => {
  it('equals shared recommend: taste, fatigue, hide, cool-down, diversity; unknown ids ignored', async () => {
    const body = { profile: user, limit: 25, interactions, diversity: 0.3, group_decay: true, freshness: { half_life_days: 90, floor: 0.5 }, now: NOW };
    const res = await call(app, 'POST', '/api/v1/feed', body);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const feed = res.json as FeedResponse;
    const ids = feed.results.map((r) => r.profile.id);
    for (const gone of ['demo-002', 'demo-007', 'demo-003', 'demo-004']) expect(ids).not.toContain(gone);
    const want = await expected({ limit: 25, now: NOW, interactions, diversity: 0.3, groupDecay: true, freshness: { halfLifeDays: 90, floor: 0.5 } });
    expectSame(feedIds(feed), want);
    expect(feed.results.some((r) => r.because === 'demo-002' || r.because === 'demo-007')).toBe(true);
    const passedLongAgo = feed.results.find((r) => r.profile.id === 'demo-005');
    if (passedLongAgo) expect(passedLongAgo.breakdown.fatigue).toBe(0.5);
  });

  it('without the new fields, or with only unknown ids, is the feed of before', async () => {
    const plain = (await call(app, 'POST', '/api/v1/feed', { profile: user, limit: 20 })).json as FeedResponse;
    expect(plain.results[0]!.breakdown).not.toHaveProperty('taste');
    const unknown = (await call(app, 'POST', '/api/v1/feed', { profile: user, limit: 20, interactions: [{ profile_id: 'nobody', type: 'like' }] }))
      .json as FeedResponse;
    expect(unknown.results.map((r) => r.profile.id)).toEqual(plain.results.map((r) => r.profile.id));
    unknown.results.forEach((r, i) => expect(r.score).toBe(plain.results[i]!.score));
  });

  it('a liked profile in exclude_ids still shapes the taste, as on a device', async () => {
    const liked: Interaction[] = [{ profile_id: 'demo-002', type: 'like', at: NOW }];
    const res = await call(app, 'POST', '/api/v1/feed', { profile: user, limit: 10, interactions: liked, exclude_ids: ['demo-002', 'demo-010'], now: NOW });
    expectSame(feedIds(res.json as FeedResponse), await expected({ limit: 10, now: NOW, interactions: liked }, ['demo-002', 'demo-010']));
  });
});

describe('POST /ml/profiles/rank with interactions', () => {
  it('ranks like /feed does', async () => {
    const body = { profile: user, limit: 15, interactions, diversity: 0.5, now: NOW };
    const rank = (await call(app, 'POST', '/api/v1/ml/profiles/rank', body)).json as RankResponseJson;
    const feed = (await call(app, 'POST', '/api/v1/feed', body)).json as FeedResponse;
    expect(rank.results.map((r) => r.profile_id)).toEqual(feed.results.map((r) => r.profile.id));
    expect(rank.results.map((r) => r.because)).toEqual(feed.results.map((r) => r.because));
  });
});

describe('recommendation field errors', () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ['an unknown type', { interactions: [{ profile_id: 'a', type: 'like' }, { profile_id: 'b', type: 'love' }] }, '`interactions[1].type` must be one of like, connect, pass, hide, view, got "love"'],
    ['a missing profile_id', { interactions: [{ type: 'like' }] }, '`interactions[0].profile_id`'],
    ['a bad time', { interactions: [{ profile_id: 'a', type: 'pass', at: 'yesterday' }] }, '`interactions[0].at`'],
    ['1,001 interactions', { interactions: Array.from({ length: 1001 }, () => ({ profile_id: 'a', type: 'view' })) }, '1001 items > the maximum 1000'],
    ['diversity 1.5', { diversity: 1.5 }, '`diversity` must be a number in [0, 1]'],
    ['freshness without a half-life', { freshness: { floor: 0.2 } }, '`freshness.half_life_days`'],
    ['a bad now', { now: 'soon' }, '`now`'],
  ];
  for (const route of ['/api/v1/feed', '/api/v1/ml/profiles/rank']) {
    it.each(bad)(`${route}: %s → 422 naming it`, async (_what, fields, message) => {
      const res = await call(app, 'POST', route, { profile: user, ...fields });
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({ error_type: 'validation' });
      expect((res.json as { error: string }).error).toContain(message);
    });
  }
});

