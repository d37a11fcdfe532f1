/**
 * GET /api/v1/ml/health in each state: ready, degraded (cache down, a fallback model, CPU instead of the
 * requested CUDA), unavailable (ML disabled, model failed to load → 503). Requests keep working while
 * degraded, and the candidate data keeps being served while ML is unavailable.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../shared/embedder';
import type { EmbeddingCache } from '../server/cache/embedding-cache';
import { createMemoryCache } from '../server/cache/memory-cache';
import { createRedisCache } from '../server/cache/redis-cache';
import { loadServerConfig } from '../server/config';
import { loadModel } from '../server/main';
import type { MlHealth } from '../shared/api';
import type { ModelState } from '../server/ml/health';
import { buildTestApp, loadTestEmbedder, post } from './support/ml-fixture';

let embedder: Embedder;
beforeAll(async () => {
  embedder = await loadTestEmbedder();
});
afterAll(async () => {
  await embedder.dispose();
});

async function health(app: { request(path: string): Response | Promise<Response> }): Promise<{ status: number; body: MlHealth }> {
  const res = await app.request('/api/v1/ml/health');
  return { status: res.status, body: (await res.json()) as MlHealth };
}

/** Simulated outage: the real memory cache, reporting itself down and failing every call. */
function downCache(): EmbeddingCache {
  const inner = createMemoryCache({ maxEntries: 100, ttlSeconds: 60 });
  const fail = async (): Promise<never> => {
    throw new Error('connection refused');
  };
  return {
    ...inner,
    backend: 'redis',
    connected: () => false,
    getTexts: fail,
    setTexts: fail,
    getProfiles: fail,
    readProfiles: fail,
    setProfiles: fail,
    deleteProfiles: fail,
    close: inner.close,
  };
}

describe('ML health', () => {
  it('ready: model loaded, no fallback, cache reachable → 200', async () => {
    const { app } = buildTestApp({ model: { state: 'ready', embedder, notes: [] } });
    const { status, body } = await health(app);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ready',
      ml_enabled: true,
      model: { available: true, device: 'cpu', dtype: 'fp32', dimension: embedder.info.dimension },
      cache: { backend: 'memory', connected: true },
      reasons: [],
    });
  });

  it('degraded, still 200, when the cache is down; requests succeed without it', async () => {
    const { app } = buildTestApp({ model: { state: 'ready', embedder, notes: [] }, cache: downCache() });
    const { status, body } = await health(app);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.cache).toEqual({ backend: 'redis', connected: false });
    expect(body.reasons.join(' ')).toMatch(/cache \(redis\) is unreachable/);
    const res = await post(app, '/api/v1/ml/embeddings/batch', { texts: ['no cache today', 'still works'] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { cached: number }).cached).toBe(0);
    expect((await post(app, '/api/v1/ml/profiles/rank', { profile_id: 'demo-001', limit: 3 })).status).toBe(200);
  });

  it('degraded with a real Redis cache that cannot connect (nothing listens on the port)', async () => {
    const cache = createRedisCache({
      url: 'redis://127.0.0.1:1',
      ttlSeconds: 60,
      connectTimeoutMs: 200,
      commandTimeoutMs: 200,
      logger: { warn: () => {}, info: () => {} },
    });
    try {
      const { app } = buildTestApp({ model: { state: 'ready', embedder, notes: [] }, cache });
      const { status, body } = await health(app);
      expect(status).toBe(200);
      expect(body.status).toBe('degraded');
      expect(body.cache).toEqual({ backend: 'redis', connected: false });
      expect((await post(app, '/api/v1/ml/embeddings', { text: 'redis is down' })).status).toBe(200);
    } finally {
      await cache.close();
    }
  });

  it('degraded when serving the bundled model instead of the configured one (the embedder notes it)', async () => {
    const note = 'using the bundled model "nearfeed-test" instead of the configured "Xenova/all-MiniLM-L6-v2"';
    const { app } = buildTestApp({ model: { state: 'ready', embedder, notes: [note] } });
    const { status, body } = await health(app);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.reasons).toEqual([note]);
  });

  it('degraded when CUDA was asked for and the model runs on the CPU', async () => {
    const { app } = buildTestApp({ model: { state: 'ready', embedder, notes: [] }, env: { ML_DEVICE: 'cuda' } });
    const { status, body } = await health(app);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.reasons.join(' ')).toContain('instead of the requested cuda');
  });

  it('unavailable (503) with ML disabled', async () => {
    const { app } = buildTestApp({ model: { state: 'disabled' } });
    const { status, body } = await health(app);
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'unavailable', ml_enabled: false, model: { available: false, device: null, dimension: null } });
    expect(body.reasons.join(' ')).toContain('ML_ENABLED=false');
  });

  it('unavailable (503) when the model fails to load; candidate data is still served', async () => {
    // A real failed load: the configured local model folder is empty.
    const empty = mkdtempSync(path.join(tmpdir(), 'nearfeed-empty-model-'));
    const { config } = loadServerConfig({ EMBEDDING_MODEL: empty, ML_DEVICE: 'cpu' });
    const model = await loadModel(config);
    expect(model.state).toBe('failed');
    const { app } = buildTestApp({ model, env: { EMBEDDING_MODEL: empty } });
    const { status, body } = await health(app);
    expect(status).toBe(503);
    expect(body.status).toBe('unavailable');
    expect(body.ml_enabled).toBe(true);
    expect(body.reasons[0]).toMatch(/^model failed to load: /);
    const res = await post(app, '/api/v1/ml/embeddings', { text: 'anything' });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string; error_type: string }).error_type).toBe('ml_unavailable');
    expect((await app.request('/api/v1/profiles/demo-001')).status).toBe(200);
    const feed = await post(app, '/api/v1/feed', { profile_id: 'demo-001', limit: 3 });
    expect(feed.status).toBe(200);
    expect(((await feed.json()) as { ml_applied: boolean }).ml_applied).toBe(false);
  });

  it('loading (503) until the model answered its first inference, ready after; ML routes 503 with Retry-After meanwhile', async () => {
    let resolveModel!: (state: ModelState) => void;
    let releaseFirstRun!: () => void;
    const firstRun = new Promise<void>((resolve) => (releaseFirstRun = resolve));
    let runs = 0;
    // The real embedder, its first inference held until the test lets it answer.
    const held: Embedder = {
      info: embedder.info,
      embed: async (texts) => {
        runs++;
        if (runs === 1) await firstRun;
        return embedder.embed(texts);
      },
      dispose: async () => undefined,
    };
    const { app, ml } = buildTestApp({ model: new Promise<ModelState>((resolve) => (resolveModel = resolve)) });

    const loading = await health(app);
    expect(loading.status).toBe(503);
    expect(loading.body).toMatchObject({ status: 'loading', ml_enabled: true, model: { available: false, device: null } });
    expect(loading.body.reasons[0]).toMatch(/^the model is loading/);
    const embed = await post(app, '/api/v1/ml/embeddings', { text: 'anything' });
    expect(embed.status).toBe(503);
    expect(embed.headers.get('retry-after')).toBe('5');
    const error = (await embed.json()) as { error: string; error_type: string };
    expect(error.error_type).toBe('ml_unavailable');
    expect(error.error).toMatch(/^ML is loading: /);
    const feed = await post(app, '/api/v1/feed', { profile_id: 'demo-001', limit: 3 });
    expect(feed.status).toBe(200);
    expect(((await feed.json()) as { ml_applied: boolean }).ml_applied).toBe(false);

    // Loaded, but its first inference has not answered: still loading.
    resolveModel({ state: 'ready', embedder: held, notes: [] });
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toBe(1);
    expect((await health(app)).body.status).toBe('loading');

    releaseFirstRun();
    await ml.whenLoaded();
    const ready = await health(app);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', model: { available: true, name: embedder.info.model } });
    expect((await post(app, '/api/v1/ml/embeddings', { text: 'anything' })).status).toBe(200);
  });

  it('unavailable when the first inference fails', async () => {
    const broken: Embedder = {
      info: embedder.info,
      embed: async () => {
        throw new Error('session run failed');
      },
      dispose: async () => undefined,
    };
    const { app, ml } = buildTestApp({ model: Promise.resolve<ModelState>({ state: 'ready', embedder: broken, notes: [] }) });
    await ml.whenLoaded();
    const { status, body } = await health(app);
    expect(status).toBe(503);
    expect(body.status).toBe('unavailable');
    expect(body.reasons[0]).toBe('model failed to load: its first inference failed: session run failed');
  });
});
