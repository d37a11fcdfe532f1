/**
 * GET /api/v1/sync: a client pulling small pages while profiles are put and deleted ends with exactly the
 * server's set, over the memory store and the Redis store (real Redis, unique key prefix, removed afterwards);
 * must_refetch (409) for bogus, foreign and expired cursors; limits; embeddings from the real ML service.
 */
import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { base64ToFloat32 } from '../shared/base64';
import type { Embedder } from '../shared/embedder';
import { profileToText } from '../shared/profile-text';
import type { Profile } from '../shared/types';
import { createMemoryCache } from '../server/cache/memory-cache';
import { demoProfiles } from '../server/data/demo-profiles';
import type { MlService } from '../server/ml/ml-service';
import type { SyncResponse } from '../shared/api';
import { MemoryProfileStore } from '../server/store/memory-store';
import type { ProfileStore } from '../server/store/profile-store';
import { RedisProfileStore } from '../server/store/redis-store';
import { call, candidateApp, disabledMl, loadTestMl, readyRanking, testCache, testConfig } from './support/candidate-app';

const redisStores: RedisProfileStore[] = [];
afterAll(async () => {
  for (const store of redisStores) {
    await store.destroy();
    await store.close();
  }
});

async function redisStore(seed: Profile[], maxTombstones?: number): Promise<RedisProfileStore> {
  const store = new RedisProfileStore({ keyPrefix: `nearfeed-test:sync:${randomUUID()}:`, maxTombstones });
  redisStores.push(store);
  await store.seedIfEmpty(seed);
  return store;
}

function appOn(store: ProfileStore, ml?: MlService): Hono {
  const config = testConfig();
  const cache = testCache();
  return candidateApp({ config, store, cache, ml: ml ?? disabledMl(store, cache, config) });
}

/** A sync client as the browser runs it: applies pages to its local copy, keeps the cursor. */
class SyncClient {
  readonly local = new Map<string, Profile>();
  cursor: string | null = null;
  pages = 0;
  constructor(
    private readonly app: Hono,
    private readonly limit: number,
    /** `tags` of the shape this client syncs, e.g. 'a,b'; undefined: the whole set. */
    private readonly tags?: string,
  ) {}

  /** One page; returns has_more. Starts over on must_refetch, as the client is told to. */
  async pull(): Promise<boolean> {
    const query = new URLSearchParams({ limit: String(this.limit) });
    if (this.tags !== undefined) query.set('tags', this.tags);
    if (this.cursor !== null) query.set('cursor', this.cursor);
    const res = await call(this.app, 'GET', `/api/v1/sync?${query}`);
    if (res.status === 409) {
      expect(res.json).toMatchObject({ error_type: 'must_refetch' });
      this.local.clear();
      this.cursor = null;
      return true;
    }
    expect(res.status).toBe(200);
    const page = res.json as SyncResponse;
    expect(page.changes.length).toBeLessThanOrEqual(this.limit);
    const ids = page.changes.map((c) => (c.op === 'put' ? c.profile.id : c.id));
    expect(new Set(ids).size).toBe(ids.length); // compacted: one change per id
    for (const change of page.changes) {
      if (change.op === 'put') this.local.set(change.profile.id, change.profile);
      else this.local.delete(change.id);
    }
    this.cursor = page.cursor;
    this.pages++;
    return page.has_more;
  }

  async pullAll(): Promise<void> {
    while (await this.pull());
  }

  sorted(): Profile[] {
    return [...this.local.values()].sort(byId);
  }
}

function byId(a: Profile, b: Profile): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Deterministic PRNG for the mutation schedule (mulberry32). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random puts (edits, new ids, re-creations) and deletes through the HTTP routes. */
async function mutate(app: Hono, store: ProfileStore, rand: () => number, step: number, deleted: string[]): Promise<void> {
  const live = (await store.list()).map((p) => p.id);
  const ops = Math.floor(rand() * 4);
  for (let k = 0; k < ops; k++) {
    const r = rand();
    const pickLive = live[Math.floor(rand() * live.length)] as string;
    if (r < 0.35) {
      const current = (await store.get(pickLive)) as Profile | undefined;
      if (!current) continue;
      const res = await call(app, 'PUT', `/api/v1/profiles/${encodeURIComponent(pickLive)}`, {
        ...current,
        headline: `${current.headline} (edit ${step}.${k})`,
        diligence: Math.round(rand() * 1000) / 1000,
      });
      expect(res.status).toBe(200);
    } else if (r < 0.6) {
      const id = `new-${step}-${k}`;
      const res = await call(app, 'PUT', `/api/v1/profiles/${id}`, {
        name: `New Person ${step} ${k}`,
        headline: 'Engineer',
        bio: 'Joined during the sync.',
        tags: ['engineer'],
        diligence: 0.5,
        engagement: 0.5,
      });
      expect(res.status).toBe(201);
    } else if (r < 0.9) {
      const res = await call(app, 'DELETE', `/api/v1/profiles/${encodeURIComponent(pickLive)}`);
      if (res.status === 200) deleted.push(pickLive);
    } else if (deleted.length > 0) {
      const id = deleted.shift() as string;
      const res = await call(app, 'PUT', `/api/v1/profiles/${encodeURIComponent(id)}`, {
        name: `Back ${id}`,
        diligence: 0.9,
        engagement: 0.1,
      });
      expect([200, 201]).toContain(res.status);
    }
  }
}

const backends: { name: string; make(seed: Profile[], maxTombstones?: number): Promise<ProfileStore> }[] = [
  { name: 'memory', make: async (seed, maxTombstones) => new MemoryProfileStore({ seed, maxTombstones }) },
  { name: 'redis', make: redisStore },
];

describe.each(backends)('sync over the $name store', (backend) => {
  it('a client pulling 7 at a time while profiles change ends with exactly the server set', async () => {
    const store = await backend.make(demoProfiles(60));
    const app = appOn(store);
    const client = new SyncClient(app, 7);
    const rand = prng(7);
    const deleted: string[] = [];
    // Mutate between every pull for 30 pulls (a first sync and then incremental ones), then settle.
    for (let step = 0; step < 30; step++) {
      await client.pull();
      await mutate(app, store, rand, step, deleted);
    }
    await client.pullAll();
    expect(client.sorted()).toEqual((await store.list()).sort(byId));
    // The schedule really changed the set under the client: deletes, new ids, and a first sync over many pages.
    expect(deleted.length).toBeGreaterThan(3);
    expect([...client.local.keys()].some((id) => id.startsWith('new-'))).toBe(true);
    expect(client.pages).toBeGreaterThan(30);

    // Caught up: a further change arrives as exactly that change.
    const res = await call(app, 'DELETE', `/api/v1/profiles/${encodeURIComponent(client.sorted()[0]?.id ?? '')}`);
    expect(res.status).toBe(200);
    const page = await call(app, 'GET', `/api/v1/sync?cursor=${client.cursor}`);
    expect((page.json as SyncResponse).changes).toEqual([{ op: 'delete', id: client.sorted()[0]?.id }]);
  });

  // One memory store is one process; the Redis store is shared by several.
  it.runIf(backend.name === 'redis')('two processes on one store: a cursor from one is served by the other', async () => {
    const first = (await backend.make(demoProfiles(30))) as RedisProfileStore;
    const second = new RedisProfileStore({ keyPrefix: first.keyPrefix });
    redisStores.push(second);
    const appA = appOn(first);
    const appB = appOn(second);
    const client = new SyncClient(appA, 7);
    await client.pull();
    expect((await call(appB, 'DELETE', '/api/v1/profiles/demo-001')).status).toBe(200);
    expect((await call(appB, 'PUT', '/api/v1/profiles/only-b', { name: 'Only B', diligence: 1, engagement: 1 })).status).toBe(201);
    // Continue the same pull against the other process.
    const onB = new SyncClient(appB, 7);
    for (const [id, p] of client.local) onB.local.set(id, p);
    onB.cursor = client.cursor;
    await onB.pullAll();
    expect(onB.sorted()).toEqual((await first.list()).sort(byId));
  });

  it('sync by shape: only profiles with one of the tags; leaving the shape arrives as a delete, joining as a put', async () => {
    const tagged = (id: string, tags: string[]) => ({ name: `P ${id}`, tags, diligence: 0.5, engagement: 0.5 });
    const store = await backend.make([]);
    const app = appOn(store);
    const write = async (id: string, tags: string[]) =>
      expect((await call(app, 'PUT', `/api/v1/profiles/${id}`, tagged(id, tags))).status).toBeLessThan(300);
    for (let i = 0; i < 40; i++) await write(`p${String(i).padStart(2, '0')}`, i % 3 === 0 ? ['red'] : i % 3 === 1 ? ['blue', 'x'] : ['green']);
    const inShape = async () =>
      (await store.list()).filter((p) => p.tags.includes('red') || p.tags.includes('blue')).sort(byId);

    const client = new SyncClient(app, 4, 'red,blue');
    const whole = new SyncClient(app, 4);
    // A first pull of the shape, with the shape changing under it between pages.
    let step = 0;
    while (await client.pull()) {
      if (step === 2) await write('p00', ['green']); // leaves the shape mid-pull
      if (step === 3) await write('p02', ['blue']); // joins it
      step++;
    }
    await whole.pullAll();
    expect(client.sorted()).toEqual(await inShape());
    expect(client.local.has('p00')).toBe(false);
    expect(client.local.has('p02')).toBe(true);

    // Incremental: leaving → delete, joining → put, a delete in the shape → delete, changes outside → no-ops.
    const before = client.cursor;
    await write('p03', ['green']);
    await write('p05', ['red', 'green']);
    expect((await call(app, 'DELETE', '/api/v1/profiles/p01')).status).toBe(200);
    await write('p08', ['green', 'yellow']);
    const page = (await call(app, 'GET', `/api/v1/sync?tags=red,blue&cursor=${before}`)).json as SyncResponse;
    expect(page.changes).toEqual([
      { op: 'delete', id: 'p03' },
      { op: 'put', profile: await store.get('p05') },
      { op: 'delete', id: 'p01' },
      { op: 'delete', id: 'p08' },
    ]);
    await client.pullAll();
    expect(client.sorted()).toEqual(await inShape());
    // The whole-set client, unaffected, still converges to everything.
    await whole.pullAll();
    expect(whole.sorted()).toEqual((await store.list()).sort(byId));

    // A cursor belongs to its shape: another shape's (or the whole set's) cursor must refetch.
    for (const url of [`/api/v1/sync?tags=red&cursor=${client.cursor}`, `/api/v1/sync?cursor=${client.cursor}`, `/api/v1/sync?tags=red,blue&cursor=${whole.cursor}`]) {
      const res = await call(app, 'GET', url);
      expect(res.status, url).toBe(409);
      expect(res.json).toMatchObject({ error_type: 'must_refetch' });
    }
    // The order and repeats of the tags do not make another shape.
    expect((await call(app, 'GET', `/api/v1/sync?tags=blue,red,blue&cursor=${client.cursor}`)).status).toBe(200);
  });

  it('409 must_refetch for a bogus cursor and a cursor of another store; the client starts over', async () => {
    const store = await backend.make(demoProfiles(10));
    const app = appOn(store);
    for (const bogus of ['bogus', 'eyJ2IjoxfQ', '!!!', 'x'.repeat(2000)]) {
      const res = await call(app, 'GET', `/api/v1/sync?cursor=${encodeURIComponent(bogus)}`);
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ error_type: 'must_refetch', error: expect.stringContaining('cursor') });
    }
    const other = appOn(new MemoryProfileStore({ seed: demoProfiles(3) }));
    const foreign = ((await call(other, 'GET', '/api/v1/sync')).json as SyncResponse).cursor;
    expect((await call(app, 'GET', `/api/v1/sync?cursor=${foreign}`)).status).toBe(409);
  });

  it('409 must_refetch once the log was trimmed past the cursor; starting over converges', async () => {
    const store = await backend.make(demoProfiles(20), 3);
    const app = appOn(store);
    const client = new SyncClient(app, 7);
    await client.pullAll();
    const stale = client.cursor;
    for (const id of ['demo-001', 'demo-002', 'demo-003', 'demo-004', 'demo-005']) {
      expect((await call(app, 'DELETE', `/api/v1/profiles/${id}`)).status).toBe(200);
    }
    const res = await call(app, 'GET', `/api/v1/sync?cursor=${stale}`);
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ error_type: 'must_refetch' });
    await client.pullAll(); // sees the 409, clears, pulls from scratch
    expect(client.sorted()).toEqual((await store.list()).sort(byId));
    expect(client.local.has('demo-001')).toBe(false);
  });
});

describe('sync parameters', () => {
  const store = new MemoryProfileStore({ seed: demoProfiles(300) });
  const app = appOn(store);

  it('pages 100 by default and up to 5000', async () => {
    const first = (await call(app, 'GET', '/api/v1/sync')).json as SyncResponse;
    expect(first.changes).toHaveLength(100);
    expect(first.has_more).toBe(true);
    expect(first.changes[0]).toEqual({ op: 'put', profile: await store.get('demo-001') });
    const all = (await call(app, 'GET', '/api/v1/sync?limit=5000')).json as SyncResponse;
    expect(all.changes).toHaveLength(300);
    expect(all.has_more).toBe(false);
    expect(typeof all.cursor).toBe('string');
    // Without embeddings=true no vector is sent.
    expect(all.changes.every((c) => !('embedding' in c))).toBe(true);
  });

  it.each(['0', '5001', 'abc', '1.5', '-3', '99999999999'])('422 naming limit and its range for limit=%s', async (limit) => {
    const res = await call(app, 'GET', `/api/v1/sync?limit=${limit}`);
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ error_type: 'validation' });
    expect((res.json as { error: string }).error).toMatch(/`limit`.*\[1, 5000\]/);
  });

  it('422 naming tags for too many or too long tags', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `t${i}`).join(',');
    for (const [tags, message] of [[many, /`tags` lists 51 tags > 50/], ['x'.repeat(65), /`tags`.*at most 64 characters/]] as const) {
      const res = await call(app, 'GET', `/api/v1/sync?tags=${tags}`);
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({ error_type: 'validation', error: expect.stringMatching(message) });
    }
  });

  it('422 naming embeddings for a value that is not a boolean', async () => {
    const res = await call(app, 'GET', '/api/v1/sync?embeddings=maybe');
    expect(res.status).toBe(422);
    expect((res.json as { error: string }).error).toContain('`embeddings`');
  });

  it('embeddings=true without ML still syncs, without vectors', async () => {
    const res = await call(app, 'GET', '/api/v1/sync?embeddings=true&limit=5');
    expect(res.status).toBe(200);
    const page = res.json as SyncResponse;
    expect(page.changes).toHaveLength(5);
    expect(page.changes.every((c) => !('embedding' in c))).toBe(true);
  });
});

describe('sync with embeddings from the real model', () => {
  let store: MemoryProfileStore;
  let ml: Awaited<ReturnType<typeof loadTestMl>>;
  let embedder: Embedder;
  let app: Hono;

  beforeAll(async () => {
    store = new MemoryProfileStore({ seed: demoProfiles(25) });
    const config = testConfig();
    ml = await loadTestMl(store, testCache(), config);
    const { createNodeEmbedder } = await import('../server/embedder/node-embedder');
    const { TEST_MODEL_DIR } = await import('./support/candidate-app');
    embedder = (await createNodeEmbedder({ model: TEST_MODEL_DIR, dtype: 'fp32', device: 'cpu', logger: () => undefined })).embedder;
    app = appOn(store, ml);
  });
  afterAll(async () => {
    await ml?.close();
    await embedder?.dispose();
  });

  it('each put carries the model key, dimension and the base64 vector of its profile text', async () => {
    await store.delete('demo-002');
    const res = await call(app, 'GET', '/api/v1/sync?embeddings=true&limit=10');
    expect(res.status).toBe(200);
    const page = res.json as SyncResponse;
    const info = ml.info();
    expect(info).toBeDefined();
    const puts = page.changes.filter((c) => c.op === 'put');
    expect(puts).toHaveLength(10);
    // Computed independently, one text at a time on a separate session of the same model.
    const expected = await embedder.embed(puts.map((c) => profileToText(c.profile)));
    puts.forEach((change, i) => {
      expect(change.embedding?.model).toBe(info?.modelKey);
      expect(change.embedding?.dimension).toBe(info?.dimension);
      const vector = base64ToFloat32(change.embedding?.vector ?? '', info?.dimension);
      const want = expected[i] as Float32Array;
      let maxDiff = 0;
      for (let j = 0; j < want.length; j++) maxDiff = Math.max(maxDiff, Math.abs((vector[j] as number) - (want[j] as number)));
      expect(maxDiff).toBeLessThan(1e-5);
    });
    // Tombstones carry nothing extra.
    const cursorBefore = page.cursor;
    await store.delete('demo-003');
    const next = (await call(app, 'GET', `/api/v1/sync?embeddings=true&cursor=${cursorBefore}&limit=100`)).json as SyncResponse;
    expect(next.changes.at(-1)).toEqual({ op: 'delete', id: 'demo-003' });
  });

  it("carries the live index's vectors: nothing is embedded again for profiles whose vector is ready", async () => {
    const seeded = new MemoryProfileStore({ seed: demoProfiles(12) });
    const config = testConfig();
    // A cache too small for the set (as the default 20,000 entries are for 100k candidates): the index alone
    // must be enough.
    const cache = createMemoryCache({ maxEntries: 1, ttlSeconds: 3600 });
    const counting = await loadTestMl(seeded, cache, config);
    let embedded = 0;
    const ml: MlService = {
      ...counting,
      profileVectors: async (profiles) => {
        embedded += profiles.length;
        return counting.profileVectors(profiles);
      },
    };
    try {
      const ranking = await readyRanking({ config, store: seeded, cache, ml });
      embedded = 0;
      const res = await call(candidateApp({ config, store: seeded, cache, ml, ranking }), 'GET', '/api/v1/sync?embeddings=true&limit=20');
      const puts = (res.json as SyncResponse).changes.filter((c) => c.op === 'put');
      expect(puts).toHaveLength(12);
      expect(embedded).toBe(0);
      const expected = await embedder.embed(puts.map((c) => profileToText(c.profile)));
      puts.forEach((change, i) => {
        const vector = base64ToFloat32(change.embedding?.vector ?? '', ml.info()?.dimension);
        const want = expected[i] as Float32Array;
        for (let j = 0; j < want.length; j++) expect(Math.abs((vector[j] as number) - (want[j] as number))).toBeLessThan(1e-5);
      });
      await ranking.close();
    } finally {
      await counting.close();
    }
  });

  it('ML failing during the request: sync still answers, without vectors', async () => {
    const failing: MlService = {
      ...ml,
      available: () => true,
      info: () => ml.info(),
      profileVectors: async () => {
        throw new Error('simulated inference failure');
      },
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const res = await call(appOn(store, failing), 'GET', '/api/v1/sync?embeddings=true&limit=3');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('without embeddings'), expect.any(Error));
    warn.mockRestore();
    expect(res.status).toBe(200);
    expect((res.json as SyncResponse).changes.every((c) => !('embedding' in c))).toBe(true);
  });
});
