/**
 * POST /api/v1/profiles/batch over the memory store and the Redis store (real Redis, unique key prefix): good
 * items stored, bad items reported by index and changing nothing, results in input order, body-level errors as
 * for single writes, cached vectors dropped for every written id, and a Redis that is down answered with 503
 * store_unavailable.
 */
import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProfileBatchResponse, SyncResponse } from '../shared/api';
import type { Profile } from '../shared/types';
import { profileToText } from '../shared/profile-text';
import { textHash } from '../server/ml/create-ml-service';
import { demoProfiles } from '../server/data/demo-profiles';
import type { EmbeddingCache } from '../server/cache/embedding-cache';
import type { ServerConfig } from '../server/deps';
import { MemoryProfileStore } from '../server/store/memory-store';
import type { ProfileStore } from '../server/store/profile-store';
import { RedisProfileStore } from '../server/store/redis-store';
import { call, candidateApp, disabledMl, testCache, testConfig } from './support/candidate-app';
import { startThrowawayRedis } from './support/redis';

const redisStores: RedisProfileStore[] = [];
afterAll(async () => {
  for (const store of redisStores) {
    await store.destroy().catch(() => undefined);
    await store.close();
  }
});

const backends: { name: string; make(seed: Profile[]): Promise<ProfileStore> }[] = [
  { name: 'memory', make: async (seed) => new MemoryProfileStore({ seed }) },
  {
    name: 'redis',
    async make(seed) {
      const store = new RedisProfileStore({ keyPrefix: `nearfeed-test:batch:${randomUUID()}:` });
      redisStores.push(store);
      await store.seedIfEmpty(seed);
      return store;
    },
  },
];

function person(id: string, headline = 'Engineer'): Record<string, unknown> {
  return { id, name: `Person ${id}`, headline, bio: '', tags: ['t'], diligence: 0.5, engagement: 0.25, updated_at: '2026-01-01T00:00:00.000Z' };
}

function appOn(store: ProfileStore, overrides: Partial<ServerConfig> = {}, cache: EmbeddingCache = testCache()): Hono {
  const config = testConfig(overrides);
  return candidateApp({ config, store, cache, ml: disabledMl(store, cache, config) });
}

async function snapshot(store: ProfileStore): Promise<unknown> {
  const page = await store.changesSince(null, 1000);
  return { list: await store.list(), changes: page !== 'must_refetch' && page.changes };
}

describe.each(backends)('POST /profiles/batch on the $name store', (backend) => {
  it('stores the good items, reports the bad ones by index, in input order, and changes nothing else', async () => {
    const store = await backend.make(demoProfiles(5));
    const cache = testCache();
    const app = appOn(store, {}, cache);
    for (const id of ['demo-001', 'demo-002', 'new-1']) {
      await cache.setProfiles([{ id, entry: { vector: new Float32Array([1, 0]), modelKey: 'm', contentHash: 'h' } }]);
    }
    const before = await store.changesSince(null, 1000);
    if (before === 'must_refetch') throw new Error('must_refetch');

    const res = await call(app, 'POST', '/api/v1/profiles/batch', {
      upsert: [
        person('new-1'),
        { ...person('bad-1'), diligence: 1.7 },
        person('demo-001', 'Edited'),
        { name: 'No id', diligence: 0.1, engagement: 0.1 },
        'not a profile',
      ],
      delete: ['demo-002', 'nobody', 42],
    });
    expect(res.status).toBe(200);
    const { results } = res.json as ProfileBatchResponse;
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['new-1', 'created'],
      ['bad-1', 'error'],
      ['demo-001', 'updated'],
      [null, 'error'],
      [null, 'error'],
      ['demo-002', 'deleted'],
      ['nobody', 'not_found'],
      [null, 'error'],
    ]);
    expect(results[1]).toMatchObject({ error_type: 'validation', error: expect.stringMatching(/^upsert\[1\]: .*diligence.*\[0, 1\].*1\.7/) });
    expect(results[3]).toMatchObject({ error_type: 'validation', error: expect.stringMatching(/^upsert\[3\]: .*id/) });
    expect(results[7]).toMatchObject({ error_type: 'validation', error: expect.stringMatching(/^delete\[2\] must be a profile id/) });
    expect(results.filter((r) => r.status !== 'error').every((r) => !('error' in r))).toBe(true);

    expect(await store.get('new-1')).toEqual(person('new-1'));
    expect((await store.get('demo-001'))?.headline).toBe('Edited');
    expect(await store.get('demo-002')).toBeUndefined();
    expect(await store.get('bad-1')).toBeUndefined();
    expect((await store.list()).map((p) => p.id).sort()).toEqual(['demo-001', 'demo-003', 'demo-004', 'demo-005', 'new-1']);
    // Exactly the written ids are in the change log after the old cursor, once each.
    const after = await store.changesSince(before.cursor, 1000);
    expect(after !== 'must_refetch' && after.changes.map((c) => (c.op === 'put' ? c.profile.id : `-${c.id}`))).toEqual([
      'new-1',
      'demo-001',
      '-demo-002',
    ]);
    // The deleted id lost its cached vector; an upserted one's is never served for its new text.
    expect(await cache.getProfiles(['demo-002'])).toEqual([undefined]);
    const newHash = textHash(profileToText((await store.get('demo-001')) as Profile));
    expect(await cache.getProfiles(['demo-001'], { modelKey: 'm', contentHashes: [newHash] })).toEqual([undefined]);

    // Rerunning the same batch is safe: the same end state, now as updates.
    const again = (await call(app, 'POST', '/api/v1/profiles/batch', { upsert: [person('new-1')] })).json as ProfileBatchResponse;
    expect(again.results).toEqual([{ id: 'new-1', status: 'updated' }]);
  });

  it("the feed follows a batch as soon as it is answered: deleted ids are gone, upserted ones are candidates", async () => {
    const store = await backend.make(demoProfiles(6));
    const app = appOn(store);
    const feedIds = async (): Promise<string[]> => {
      const res = await call(app, 'POST', '/api/v1/feed', { profile_id: 'demo-001', limit: 100 });
      expect(res.status).toBe(200);
      return (res.json as { results: { profile: { id: string } }[] }).results.map((r) => r.profile.id);
    };
    expect(await feedIds()).toEqual(expect.arrayContaining(['demo-002', 'demo-003']));

    const res = await call(app, 'POST', '/api/v1/profiles/batch', { upsert: [person('new-1')], delete: ['demo-002', 'demo-003'] });
    expect(res.status).toBe(200);
    const after = await feedIds();
    expect(after).toContain('new-1');
    expect(after).not.toContain('demo-002');
    expect(after).not.toContain('demo-003');
  });

  it('a batch of only bad items answers 200 with every error and changes nothing', async () => {
    const store = await backend.make(demoProfiles(3));
    const app = appOn(store);
    const before = await snapshot(store);
    const res = await call(app, 'POST', '/api/v1/profiles/batch', { upsert: [{ id: 'x' }], delete: [''] });
    expect(res.status).toBe(200);
    expect((res.json as ProfileBatchResponse).results.map((r) => r.status)).toEqual(['error', 'error']);
    expect(await snapshot(store)).toEqual(before);
  });

  it('body-level problems answer as for single writes and change nothing', async () => {
    const store = await backend.make(demoProfiles(3));
    const app = appOn(store, { maxImportBatch: 4, maxBodyBytes: 4096 });
    const before = await snapshot(store);
    const cases: [unknown, number, string, RegExp][] = [
      ['{"upsert": [', 400, 'invalid_json', /not valid JSON/],
      ['', 400, 'empty_input', /empty/],
      [[person('a')], 422, 'validation', /JSON object/],
      [{}, 422, 'validation', /`upsert`.*`delete`/],
      [{ upsert: person('a') }, 422, 'validation', /`upsert` must be an array/],
      [{ delete: 'a' }, 422, 'validation', /`delete` must be an array/],
      [{ upsert: [], delete: [] }, 400, 'empty_input', /both empty/],
      [{ upsert: [person('a'), person('b'), person('c')], delete: ['d', 'e'] }, 413, 'batch_too_large', /5 items.*max_import_batch 4 \(MAX_IMPORT_BATCH\)/],
      [{ upsert: [{ ...person('a'), bio: 'x'.repeat(5000) }] }, 413, 'payload_too_large', /max_body_bytes 4096/],
    ];
    for (const [body, status, errorType, message] of cases) {
      const res = await call(app, 'POST', '/api/v1/profiles/batch', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(res.json).toMatchObject({ error_type: errorType, error: expect.stringMatching(message) });
    }
    expect(await snapshot(store)).toEqual(before);
  });

  it('a sync client sees a bulk import like single writes', async () => {
    const store = await backend.make([]);
    const app = appOn(store);
    const upsert = Array.from({ length: 1000 }, (_, i) => person(`bulk-${String(i).padStart(4, '0')}`));
    const res = await call(app, 'POST', '/api/v1/profiles/batch', { upsert });
    expect((res.json as ProfileBatchResponse).results.every((r) => r.status === 'created')).toBe(true);
    const page = (await call(app, 'GET', '/api/v1/sync?limit=1000')).json as SyncResponse;
    expect(page.changes).toHaveLength(1000);
    expect(page.changes.map((c) => c.op === 'put' && c.profile.id)).toEqual(upsert.map((p) => p.id));
  });
});

describe('POST /profiles/batch with Redis down', () => {
  it('answers 503 store_unavailable at once, and writes again once Redis is back', async () => {
    const redis = await startThrowawayRedis();
    const store = new RedisProfileStore({ url: redis.url, keyPrefix: `nearfeed-test:batch:${randomUUID()}:` });
    try {
      const app = appOn(store);
      expect((await call(app, 'POST', '/api/v1/profiles/batch', { upsert: [person('a')] })).status).toBe(200);
      await redis.stop();
      const down = await call(app, 'POST', '/api/v1/profiles/batch', { upsert: [person('b')], delete: ['a'] });
      expect(down.status).toBe(503);
      expect(down.json).toMatchObject({ error_type: 'store_unavailable' });
      expect(down.headers.get('retry-after')).toBe('2');
      await redis.start();
      let back = await call(app, 'POST', '/api/v1/profiles/batch', { upsert: [person('b')] });
      for (let i = 0; i < 100 && back.status === 503; i++) {
        await new Promise((r) => setTimeout(r, 50));
        back = await call(app, 'POST', '/api/v1/profiles/batch', { upsert: [person('b')] });
      }
      expect(back.status).toBe(200);
      // The refused request changed nothing: the restarted Redis is empty and holds only the retried write.
      expect((await store.list()).map((p) => p.id)).toEqual(['b']);
    } finally {
      await store.close();
      await redis.stop();
    }
  });
});
