/**
 * GET /metrics: scraped after real requests on real parts (the generated test model through ONNX Runtime,
 * the memory store, a Redis store that is down for the store-error counter), asserting that each series moved
 * with the right labels: route patterns, never raw paths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app';
import { createMetrics } from '../server/http/metrics';
import { parseApiKeys } from '../server/http/access';
import { createProfileStore } from '../server/store/create-store';
import { demoProfiles } from '../server/data/demo-profiles';
import { MemoryProfileStore } from '../server/store/memory-store';
import { disabledMl, testCache, testConfig } from './support/candidate-app';
import { buildTestApp, loadTestEmbedder, post, type TestApp } from './support/ml-fixture';
import { startThrowawayRedis, type ThrowawayRedis } from './support/redis';

const READ_KEY = 'r'.repeat(20) + 'read-key';
const WRITE_KEY = 'w'.repeat(20) + 'write-key';

/** The value of one sample, `name{labels}`, with labels in any order; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length) {
      return Number(m[3]);
    }
  }
  return undefined;
}

async function scrape(app: { request: (url: string, init?: RequestInit) => Response | Promise<Response> }, headers: Record<string, string> = {}) {
  const res = await app.request('/metrics', { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = buildTestApp({ model: { state: 'ready', embedder: await loadTestEmbedder(), notes: [] } });
    await t.ranking.whenIdle(60_000);
  });
  afterAll(async () => {
    await t.ranking.close();
    await t.ml.close();
  });

  it('counts requests by route pattern and status, never by raw path', async () => {
    expect((await t.app.request('/api/v1/profiles/demo-001')).status).toBe(200);
    expect((await t.app.request('/api/v1/profiles/demo-002')).status).toBe(200);
    expect((await t.app.request('/api/v1/profiles/no-such-id')).status).toBe(404);
    expect((await t.app.request('/api/v1/nope/secret-looking-path')).status).toBe(404);
    expect((await t.app.request('/not-an-api-path-either')).status).toBe(404);
    const { status, type, text } = await scrape(t.app);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const count = (labels: Record<string, string>) => sample(text, 'nearfeed_http_request_duration_seconds_count', labels);
    expect(count({ method: 'GET', route: '/api/v1/profiles/:id', status: '200' })).toBe(2);
    expect(count({ method: 'GET', route: '/api/v1/profiles/:id', status: '404' })).toBe(1);
    expect(count({ method: 'GET', route: '/api/*', status: '404' })).toBe(1);
    expect(count({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // The raw paths are nowhere: label values are route patterns only.
    for (const raw of ['demo-001', 'no-such-id', 'secret-looking-path', 'not-an-api-path']) expect(text).not.toContain(raw);
    // A method nobody knows is folded into `other`.
    await t.app.request('/api/v1/sync', { method: 'PROPFIND' });
    expect(sample((await scrape(t.app)).text, 'nearfeed_http_request_duration_seconds_count', { method: 'other', route: '/api/*', status: '404' })).toBe(1);
  });

  it('counts inference batches and embedding cache hits and misses', async () => {
    const before = (await scrape(t.app)).text;
    const batches0 = sample(before, 'nearfeed_inference_batch_size_count', { lane: 'interactive' }) ?? 0;
    const texts0 = sample(before, 'nearfeed_inference_batch_size_sum', { lane: 'interactive' }) ?? 0;
    const text = 'metrics test: a text nobody embedded before';
    expect((await post(t.app, '/api/v1/ml/embeddings/batch', { texts: [text, `${text} (2)`, `${text} (3)`] })).status).toBe(200);
    expect((await post(t.app, '/api/v1/ml/embeddings', { text })).status).toBe(200);
    const after = (await scrape(t.app)).text;
    expect(sample(after, 'nearfeed_inference_batch_size_count', { lane: 'interactive' })).toBe(batches0 + 1);
    expect(sample(after, 'nearfeed_inference_batch_size_sum', { lane: 'interactive' })).toBe(texts0 + 3);
    expect(sample(after, 'nearfeed_inference_duration_seconds_count', { lane: 'interactive' })).toBe(batches0 + 1);
    expect(sample(after, 'nearfeed_inference_duration_seconds_sum', { lane: 'interactive' })).toBeGreaterThan(0);
    expect(sample(after, 'nearfeed_embedding_cache_lookups_total', { kind: 'text', result: 'miss' })).toBe(3);
    expect(sample(after, 'nearfeed_embedding_cache_lookups_total', { kind: 'text', result: 'hit' })).toBe(1);
    // The start-up backlog ran in the background lane, and its profile lookups missed.
    expect(sample(after, 'nearfeed_inference_batch_size_sum', { lane: 'background' })).toBe(40);
    expect(sample(after, 'nearfeed_embedding_cache_lookups_total', { kind: 'profile', result: 'miss' })).toBeGreaterThanOrEqual(40);
    expect(sample(after, 'nearfeed_inference_queue_depth')).toBe(0);
    expect(sample(after, 'nearfeed_pending_embeddings', { queue: 'write_time' })).toBe(0);
  });

  it('counts pending embeddings after a write, until the queue has worked it off', async () => {
    const profile = { name: 'Metric', headline: 'Counter', bio: 'Counts things.', tags: ['x'], diligence: 0.5, engagement: 0.5 };
    const res = await t.app.request('/api/v1/profiles/metrics-1', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(profile),
    });
    expect(res.status).toBe(201);
    expect(await t.ranking.whenIdle(30_000)).toBe(true);
    const text = (await scrape(t.app)).text;
    expect(sample(text, 'nearfeed_pending_embeddings', { queue: 'write_time' })).toBe(0);
    expect(sample(text, 'nearfeed_http_request_duration_seconds_count', { method: 'PUT', route: '/api/v1/profiles/:id', status: '201' })).toBe(1);
  });
});

describe('GET /metrics, other counters and access', () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => {
    redis = await startThrowawayRedis({ started: false });
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('counts rate-limited requests by route class', async () => {
    const config = testConfig({ apiKeys: parseApiKeys(`read:${READ_KEY},write:${WRITE_KEY}`), rateLimit: { perSecond: 1, burst: 1 } });
    const app = appWithoutMl(config);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await app.request('/api/v1/sync', { headers: { authorization: `Bearer ${READ_KEY}` } })).status);
    }
    const limited = statuses.filter((s) => s === 429).length;
    expect(limited).toBeGreaterThan(0);
    const text = (await scrape(app)).text;
    expect(sample(text, 'nearfeed_rate_limited_requests_total', { route_class: 'read' })).toBe(limited);
    expect(sample(text, 'nearfeed_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/sync', status: '429' })).toBe(limited);
  });

  it('counts requests the store failed (503 store_unavailable) by route', async () => {
    const config = testConfig();
    const store = await createProfileStore({ profileStore: 'redis', redisUrl: redis.url }, { warn: () => undefined });
    try {
      const cache = testCache();
      const app = createApp({ config, store, cache, ml: disabledMl(store, cache, config) });
      expect((await app.request('/api/v1/profiles/demo-001')).status).toBe(503);
      expect((await app.request('/api/v1/profiles/demo-002')).status).toBe(503);
      const text = (await scrape(app)).text;
      expect(sample(text, 'nearfeed_store_errors_total', { route: '/api/v1/profiles/:id' })).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('is a read: open by default, a read key with REQUIRE_READ_KEY=true', async () => {
    const config = testConfig({ apiKeys: parseApiKeys(`read:${READ_KEY}`), requireReadKey: true });
    const app = appWithoutMl(config);
    const refused = await scrape(app);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text)).toMatchObject({ error_type: 'unauthorized' });
    expect((await scrape(app, { authorization: `Bearer ${READ_KEY}` })).status).toBe(200);
  });

  it('METRICS=false: no /metrics route', async () => {
    const config = testConfig({ metrics: false });
    const app = appWithoutMl(config);
    const res = await scrape(app);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toMatchObject({ error_type: 'not_found' });
  });

  it('keeps one registry per app', async () => {
    const config = testConfig();
    const store = new MemoryProfileStore({ seed: demoProfiles(3) });
    const cache = testCache();
    const ml = disabledMl(store, cache, config);
    const a = createApp({ config, store, cache, ml });
    const b = createApp({ config, store, cache, ml, metrics: createMetrics() });
    await a.request('/api/v1/sync');
    const route = { method: 'GET', route: '/api/v1/sync', status: '200' };
    expect(sample((await scrape(a)).text, 'nearfeed_http_request_duration_seconds_count', route)).toBe(1);
    expect(sample((await scrape(b)).text, 'nearfeed_http_request_duration_seconds_count', route)).toBeUndefined();
  });
});

describe('nearfeed_pending_embeddings', () => {
  it('is the queue length while it can be read, and no sample at all while it cannot', async () => {
    const metrics = createMetrics();
    let pending: number | null = 7;
    metrics.setSources({ queuedTexts: () => 0, pendingEmbeddings: async () => pending });
    expect(sample(await metrics.registry.metrics(), 'nearfeed_pending_embeddings', { queue: 'write_time' })).toBe(7);
    pending = null;
    const text = await metrics.registry.metrics();
    expect(text.split('\n').filter((l) => l.startsWith('nearfeed_pending_embeddings'))).toEqual([]);
  });
});

/** An app on three demo profiles with ML disabled: enough for what /metrics and its access rules say. */
function appWithoutMl(config: ReturnType<typeof testConfig>): ReturnType<typeof createApp> {
  const store = new MemoryProfileStore({ seed: demoProfiles(3) });
  const cache = testCache();
  return createApp({ config, store, cache, ml: disabledMl(store, cache, config) });
}
