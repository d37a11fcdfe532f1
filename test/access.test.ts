/**
 * API keys, route classes, CORS and rate limits: through app.request() (in-process: no socket, counts as
 * loopback and is not rate limited without a key) and through a real server on 127.0.0.1 for what needs a
 * client address (a relayed request is not loopback; limits per address; Redis-shared limits across two apps).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app';
import { demoProfiles } from '../server/data/demo-profiles';
import type { ServerConfig } from '../server/deps';
import { parseApiKeys, routeClass } from '../server/http/access';
import { createRateLimiter } from '../server/http/rate-limit';
import { MemoryProfileStore } from '../server/store/memory-store';
import { loadServerConfig } from '../server/config';
import { disabledMl, testCache, testConfig } from './support/candidate-app';
import { startTestServer } from './support/http-server';
import { connectTestRedis, deleteKeysWithPrefix, uniqueKeyPrefix } from './support/redis';

const WRITE_KEY = 'w'.repeat(20) + 'write-key';
const READ_KEY = 'r'.repeat(20) + 'read-key';
const KEYS = parseApiKeys(`write:${WRITE_KEY},read:${READ_KEY}`);
const PROFILE = { name: 'Ada', headline: 'Founder', bio: 'Payments.', tags: ['x'], diligence: 0.5, engagement: 0.5 };

function appWith(overrides: Partial<ServerConfig> = {}) {
  const config = testConfig({ apiKeys: KEYS, ...overrides });
  const store = new MemoryProfileStore({ seed: demoProfiles(5) });
  const cache = testCache();
  return { app: createApp({ config, store, cache, ml: disabledMl(store, cache, config) }), store };
}

async function send(
  app: { request: (url: string, init: RequestInit) => Response | Promise<Response> },
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: unknown,
) {
  const init: RequestInit = { method, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await app.request(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('route classes', () => {
  it('writes: PUT/PATCH/DELETE anywhere, POST under /api/v1/profiles (bulk writes included)', () => {
    expect(routeClass('PUT', '/api/v1/profiles/x')).toBe('write');
    expect(routeClass('DELETE', '/api/v1/profiles/x')).toBe('write');
    expect(routeClass('POST', '/api/v1/profiles/batch')).toBe('write');
    expect(routeClass('PATCH', '/anything')).toBe('write');
  });
  it('reads: every other API call, including ML and compatibility routes; public: health and the demo files', () => {
    for (const [m, p] of [['POST', '/api/v1/feed'], ['GET', '/api/v1/sync'], ['POST', '/api/v1/ml/profiles/rank'], ['POST', '/v1/embeddings'], ['GET', '/v1/models'], ['POST', '/embed'], ['POST', '/rerank'], ['GET', '/metrics'], ['GET', '/api/v1/new-route']]) {
      expect(routeClass(m!, p!), `${m} ${p}`).toBe('read');
    }
    for (const p of ['/api/v1/ml/health', '/', '/index.html', '/assets/app-1234abcd.js', '/models/x/onnx/model.onnx']) {
      expect(routeClass('GET', p), p).toBe('public');
    }
  });
});

describe('API_KEYS', () => {
  it('parses write:/read: entries and refuses a short key without repeating it', () => {
    expect(KEYS.map((k) => k.role)).toEqual(['write', 'read']);
    expect(() => parseApiKeys('admin:abcdefghijklmnopq')).toThrow(/entry 1 must be read:<key> or write:<key>/);
    let message = '';
    try {
      loadServerConfig({ API_KEYS: 'write:short-secret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/API_KEYS entry 1 \(write\) must be a key of at least 16 characters/);
    expect(message).not.toContain('short-secret');
  });

  it('a write without a key → 401 unauthorized with WWW-Authenticate: Bearer; nothing stored', async () => {
    const { app, store } = appWith();
    const res = await send(app, 'PUT', '/api/v1/profiles/ada', {}, PROFILE);
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error_type: 'unauthorized' });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await store.get('ada')).toBeUndefined();
  });

  it('an unknown key → 401; a malformed Authorization → 401', async () => {
    const { app } = appWith();
    expect((await send(app, 'DELETE', '/api/v1/profiles/demo-001', { authorization: `Bearer ${WRITE_KEY}x` })).status).toBe(401);
    expect((await send(app, 'DELETE', '/api/v1/profiles/demo-001', { authorization: `Basic ${WRITE_KEY}` })).status).toBe(401);
  });

  it('a read key on a write → 403 forbidden; a write key → the write happens', async () => {
    const { app, store } = appWith();
    const denied = await send(app, 'PUT', '/api/v1/profiles/ada', { authorization: `Bearer ${READ_KEY}` }, PROFILE);
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ error_type: 'forbidden' });
    expect(await store.get('ada')).toBeUndefined();
    const ok = await send(app, 'PUT', '/api/v1/profiles/ada', { authorization: `Bearer ${WRITE_KEY}` }, PROFILE);
    expect(ok.status).toBe(201);
    expect((await send(app, 'DELETE', '/api/v1/profiles/ada', { authorization: `bearer ${WRITE_KEY}` })).status).toBe(200);
  });

  it('reads are public by default; REQUIRE_READ_KEY=true → 401 without a key, read and write keys both read', async () => {
    expect((await send(appWith().app, 'GET', '/api/v1/sync')).status).toBe(200);
    const { app } = appWith({ requireReadKey: true });
    expect((await send(app, 'GET', '/api/v1/sync')).status).toBe(401);
    expect((await send(app, 'POST', '/api/v1/feed', {}, { profile: PROFILE })).status).toBe(401);
    expect((await send(app, 'GET', '/api/v1/sync', { authorization: `Bearer ${READ_KEY}` })).status).toBe(200);
    expect((await send(app, 'GET', '/api/v1/sync', { authorization: `Bearer ${WRITE_KEY}` })).status).toBe(200);
    // Health stays open to load balancers.
    expect((await send(app, 'GET', '/api/v1/ml/health')).status).not.toBe(401);
  });

  it('REQUIRE_READ_KEY without API_KEYS is a configuration error', () => {
    expect(() => loadServerConfig({ REQUIRE_READ_KEY: 'true' })).toThrow(/REQUIRE_READ_KEY=true needs API_KEYS/);
  });
});

describe('without API_KEYS: writes only from loopback', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('a loopback client writes; the same request relayed by a proxy (X-Forwarded-For) → 403 naming API_KEYS', async () => {
    const server = await startTestServer();
    servers.push(server);
    const put = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/v1/profiles/ada`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(PROFILE) });
    expect((await put({})).status).toBe(201);
    const relayed = await put({ 'x-forwarded-for': '203.0.113.7' });
    expect(relayed.status).toBe(403);
    expect(((await relayed.json()) as { error: string }).error).toMatch(/API_KEYS/);
  });

  it('TRUST_PROXY=true: the client address is the last X-Forwarded-For hop (loopback only when that hop is)', async () => {
    const server = await startTestServer({ trustProxy: true });
    servers.push(server);
    const put = (forwardedFor: string) =>
      fetch(`${server.url}/api/v1/profiles/ada`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify(PROFILE),
      });
    expect((await put('203.0.113.7, 127.0.0.1')).status).toBeLessThan(300);
    expect((await put('127.0.0.1, 203.0.113.7')).status).toBe(403);
  });
});

describe('CORS', () => {
  const origin = 'https://app.example.com';

  it('an allowed origin gets its preflight answered with methods and headers, and may read responses', async () => {
    const { app } = appWith({ corsOrigins: [origin] });
    const pre = await send(app, 'OPTIONS', '/api/v1/profiles/ada', {
      origin,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'content-type, authorization',
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/PUT/);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/content-type/);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const get = await send(app, 'GET', '/api/v1/sync', { origin });
    expect(get.headers.get('access-control-allow-origin')).toBe(origin);
    expect(get.headers.get('access-control-expose-headers')).toMatch(/etag/);
  });

  it('any other origin, or CORS_ORIGINS unset, gets no Access-Control-Allow-* header at all', async () => {
    for (const corsOrigins of [[origin], []]) {
      const { app } = appWith({ corsOrigins });
      for (const method of ['OPTIONS', 'GET']) {
        const res = await send(app, method, '/api/v1/sync', { origin: 'https://evil.example', 'access-control-request-method': 'GET' });
        const allow = [...res.headers.keys()].filter((h) => h.startsWith('access-control-'));
        expect(allow, `${method} with CORS_ORIGINS=${corsOrigins.join(',')}`).toEqual([]);
      }
    }
  });

  it('CORS_ORIGINS must hold origins, not URLs with paths', () => {
    expect(() => loadServerConfig({ CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(/CORS_ORIGINS entries must be origins/);
    expect(loadServerConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).config.corsOrigins).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
  });
});

describe('rate limits', () => {
  it('per key: past the rate and burst → 429 rate_limited with Retry-After and RateLimit-* headers; other keys unaffected', async () => {
    const { app } = appWith({ rateLimit: { perSecond: 3, burst: 2 } });
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof send>> | undefined;
    for (let i = 0; i < 12; i++) {
      const res = await send(app, 'GET', '/api/v1/sync', { authorization: `Bearer ${READ_KEY}` });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else expect(res.headers.get('ratelimit-limit')).toBe('3');
    }
    // 3 per second plus a burst of 2: the first five pass, then 429 (at most one new second's 3 more on a slow run).
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(8);
    expect(limited?.json).toMatchObject({ error_type: 'rate_limited' });
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited?.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited?.headers.get('ratelimit-reset')).toMatch(/^\d+$/);
    // Another key has its own budget; in-process calls without a key are not counted.
    expect((await send(app, 'GET', '/api/v1/sync', { authorization: `Bearer ${WRITE_KEY}` })).status).toBe(200);
    expect((await send(app, 'GET', '/api/v1/sync')).status).toBe(200);
  });

  it('per address over a real socket; health is never limited', async () => {
    const server = await startTestServer({ rateLimit: { perSecond: 2, burst: 1 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await fetch(`${server.url}/api/v1/sync`)).status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
      for (let i = 0; i < 5; i++) expect((await fetch(`${server.url}/api/v1/ml/health`)).status).not.toBe(429);
    } finally {
      await server.close();
    }
  });

  it('with Redis, two apps (two processes behind a proxy) share one budget per key', async () => {
    const prefix = uniqueKeyPrefix('ratelimit');
    const limiters = [0, 1].map(() => createRateLimiter({ perSecond: 4, burst: 0, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix: prefix }));
    const apps = limiters.map((rateLimiter) => {
      const config = testConfig({ apiKeys: KEYS, rateLimit: { perSecond: 4, burst: 0 } });
      const store = new MemoryProfileStore({ seed: demoProfiles(3) });
      const cache = testCache();
      return createApp({ config, store, cache, ml: disabledMl(store, cache, config), rateLimiter });
    });
    const client = await connectTestRedis();
    try {
      await new Promise((r) => setTimeout(r, 300)); // both connections ready
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await send(apps[i % 2]!, 'GET', '/api/v1/sync', { authorization: `Bearer ${READ_KEY}` })).status);
      // Per process each app would pass all its 6; shared, 4 per second pass in all (8 if a new second begins).
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(8);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);
      expect(limiters[0]!.backend).toBe('redis');
    } finally {
      await Promise.all(limiters.map((l) => l.close()));
      await deleteKeysWithPrefix(client, prefix);
      await client.quit();
    }
  });
});
