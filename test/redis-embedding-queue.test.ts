/**
 * The Redis embedding queue and write nudge in one test process, on real parts: two "processes" (each its own
 * store connection, Redis cache connection, ML service on the test model and ranking side) on the shared
 * Redis under a unique key prefix; the nudge's reconnection on a throwaway redis-server (it kills connections).
 * The multi-process behaviour over real server processes is in multi-process.test.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../shared/types';
import { createRedisCache } from '../server/cache/redis-cache';
import type { EmbeddingCache } from '../server/cache/embedding-cache';
import type { NodeMlService } from '../server/ml/create-ml-service';
import { createRanking, type Ranking } from '../server/ranking/create-ranking';
import { EMBED_GROUP, RedisEmbeddingQueue } from '../server/ranking/redis-embedding-queue';
import { RedisProfileStore } from '../server/store/redis-store';
import { loadTestMl, testConfig } from './support/candidate-app';
import {
  connectTestRedis,
  deleteKeysWithPrefix,
  sleep,
  startThrowawayRedis,
  TEST_REDIS_URL,
  waitUntil,
  type ThrowawayRedis,
} from './support/redis';

function person(id: string, headline: string): Profile {
  return { id, name: `Person ${id}`, headline, bio: `Works as ${headline}.`, tags: ['queue'], diligence: 0.5, engagement: 0.5, updated_at: '2026-01-01T00:00:00.000Z' };
}

interface Process {
  store: RedisProfileStore;
  cache: EmbeddingCache;
  ml: NodeMlService;
  ranking: Ranking;
}

describe('the Redis embedding queue shared by two processes', () => {
  const prefix = `test:queue7:${randomUUID()}:`;
  const config = testConfig({ embedClaimIdleMs: 60_000 });
  let client: Redis;
  const processes: Process[] = [];

  async function startProcess(): Promise<Process> {
    const store = new RedisProfileStore({ url: TEST_REDIS_URL, keyPrefix: `${prefix}store:` });
    const cache = createRedisCache({ url: TEST_REDIS_URL, keyPrefix: `${prefix}cache:`, ttlSeconds: 600, logger: { warn: () => undefined, info: () => undefined } });
    const ml = await loadTestMl(store, cache, config);
    const ranking = createRanking({ config, store, cache, ml });
    const p = { store, cache, ml, ranking };
    processes.push(p);
    return p;
  }

  beforeAll(async () => {
    client = await connectTestRedis();
  });
  afterAll(async () => {
    for (const p of processes) {
      await p.ranking.close();
      await Promise.all([p.ml.close(), p.cache.close(), p.store.close()]);
    }
    await deleteKeysWithPrefix(client, prefix);
    await client.quit();
  });

  it('embeds each profile once, in its newest version, whichever process takes it', async () => {
    // Three versions of 60 profiles queued before any consumer exists (180 stream entries).
    const writer = new RedisProfileStore({ url: TEST_REDIS_URL, keyPrefix: `${prefix}store:` });
    const ids = Array.from({ length: 60 }, (_, i) => `q-${i}`);
    for (let version = 0; version < 3; version++) {
      await writer.write(ids.map((id, i) => ({ op: 'put', profile: person(id, `Role ${version}-${i}`) })));
    }
    await writer.write([{ op: 'delete', id: 'q-0' }]);
    await writer.close();
    expect(await client.xlen(`${prefix}store:embed`)).toBe(180);

    const [a, b] = [await startProcess(), await startProcess()];
    await Promise.all([a.ranking.ready(), b.ranking.ready()]);
    expect(await a.ranking.whenIdle(60_000)).toBe(true);
    expect(await b.ranking.whenIdle(60_000)).toBe(true);

    // Only the newest version of the 59 live profiles ran through a model, on one process or the other.
    const background = a.ml.embeddedTexts().background + b.ml.embeddedTexts().background;
    expect(background).toBe(59);
    expect(await a.ranking.pendingEmbeddings()).toBe(0);
    expect(await b.ranking.pendingEmbeddings()).toBe(0);
    expect(await client.xlen(`${prefix}store:embed`)).toBe(0);
    for (const p of [a, b]) {
      expect(p.ranking.index.pendingCount).toBe(0);
      expect(p.ranking.index.profile('q-0')).toBeUndefined();
      expect(p.ranking.index.vectorOf('q-59')).toBeDefined();
      expect(p.ranking.index.profile('q-59')?.headline).toBe('Role 2-59');
    }
  }, 120_000);

  it('pending_embeddings counts entries not yet delivered and delivered but unfinished, on every process', async () => {
    const [a, b] = processes as [Process, Process];
    // A consumer that takes entries and never finishes them (a process that hangs), by hand.
    const stream = `${prefix}store:embed`;
    await Promise.all([a.ranking.close(), b.ranking.close()]);
    const store = new RedisProfileStore({ url: TEST_REDIS_URL, keyPrefix: `${prefix}store:` });
    await store.write(Array.from({ length: 10 }, (_, i) => ({ op: 'put' as const, profile: person(`p-${i}`, `Later ${i}`) })));
    await client.xreadgroup('GROUP', EMBED_GROUP, 'hung-consumer', 'COUNT', 4, 'STREAMS', stream, '>');
    const ranking = createRanking({ config, store, cache: a.cache, ml: a.ml });
    // 4 delivered to the hung consumer, 6 not delivered: the same 10 through any process's ranking.
    expect(await ranking.pendingEmbeddings()).toBe(10);
    await ranking.close();
    await store.close();
  }, 30_000);
});

describe('taking over from a dead consumer', () => {
  it('reclaims its entries after the claim idle time, skips versions written over, removes the gone consumers', async () => {
    const prefix = `test:queue7:${randomUUID()}:`;
    const client = await connectTestRedis();
    const store = new RedisProfileStore({ url: TEST_REDIS_URL, keyPrefix: prefix });
    const queue = new RedisEmbeddingQueue({ access: store.embeddingStream(), claimIdleMs: 100, consumerGoneMs: 200 });
    try {
      const stream = `${prefix}embed`;
      await store.write([1, 2, 3].map((i) => ({ op: 'put' as const, profile: person(`d-${i}`, `First ${i}`) })));
      expect(await queue.take(0 + 1)).toHaveLength(1); // creates the group; this consumer finishes d-1
      await queue.done([{ id: 'd-1', entry: (await client.xrange(stream, '-', '+'))[0]![0] }]);
      // A process takes d-2 and d-3 and dies; another consumer joined and left without taking anything.
      await client.xreadgroup('GROUP', EMBED_GROUP, 'dead', 'COUNT', 2, 'STREAMS', stream, '>');
      await client.xreadgroup('GROUP', EMBED_GROUP, 'left', 'COUNT', 2, 'STREAMS', stream, '>');
      await store.put(person('d-3', 'Second 3')); // d-3's entry is now an old version
      const fresh = await queue.take(10);
      expect(fresh.map((j) => j.id)).toEqual(['d-3']); // the new version only: nothing is idle long enough yet
      await queue.done(fresh);
      await sleep(300);
      const jobs = await queue.take(10);
      expect(jobs.map((j) => j.id)).toEqual(['d-2']); // reclaimed; d-3's old entry acknowledged unread
      await queue.done(jobs);
      const consumers = (await client.xinfo('CONSUMERS', stream, EMBED_GROUP)) as unknown[][];
      expect(consumers.map((c) => c[c.indexOf('name') + 1])).toEqual([expect.stringMatching(/^nearfeed-/)]);
      expect(await queue.pending()).toBe(0);
      expect(await client.xlen(stream)).toBe(0);
    } finally {
      await queue.close();
      await store.destroy();
      await store.close();
      await deleteKeysWithPrefix(client, prefix);
      await client.quit();
    }
  }, 30_000);
});

describe('the write nudge', () => {
  let redis: ThrowawayRedis;
  let store: RedisProfileStore;
  let writer: RedisProfileStore;

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    store = new RedisProfileStore({ url: redis.url, maxReconnectDelayMs: 100 });
    writer = new RedisProfileStore({ url: redis.url });
  });
  afterAll(async () => {
    await Promise.all([store?.close(), writer?.close()]);
    await redis?.stop();
  });

  it("reaches a watcher for another connection's writes, and again after its subscription was dropped", async () => {
    let nudges = 0;
    const off = store.watch(() => nudges++);
    await waitUntil(() => nudges > 0, 5000, 'the nudge after subscribing');
    const afterSubscribe = nudges;
    await writer.put(person('w-1', 'Watched'));
    await waitUntil(() => nudges > afterSubscribe, 5000, 'a nudge for a write');

    // Drop the subscription: it comes back by itself and nudges once for what it may have missed.
    const admin = await connectTestRedis(redis.url);
    const killed = await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    expect(killed).toBe(1);
    const beforeReconnect = nudges;
    await waitUntil(() => nudges > beforeReconnect, 5000, 'the nudge after the subscription came back');
    const afterReconnect = nudges;
    await writer.put(person('w-2', 'Watched again'));
    await waitUntil(() => nudges > afterReconnect, 5000, 'a nudge for a write after the reconnection');
    off();
    await admin.quit();
  }, 30_000);

  it("a queue call on a Redis that is down fails saying what failed, not the server's address", async () => {
    const queue = new RedisEmbeddingQueue({ access: writer.embeddingStream(), claimIdleMs: 1000 });
    await redis.stop();
    try {
      const err = await queue.pending().then(() => undefined, (e: unknown) => e as Error);
      expect(err?.message).toMatch(/^embedding queue: /);
      expect(err?.message).not.toContain(String(redis.port));
      expect(err?.message).not.toMatch(/127\.0\.0\.1|localhost/);
    } finally {
      await queue.close();
    }
  }, 30_000);
});
