/**
 * Several real server processes (`tsx server/main.ts`, test model, PROFILE_STORE=redis) on one throwaway
 * redis-server on a free port (its own key space, so nothing here touches the shared Redis):
 * - a write through process A is in process B's feed, ranked with ML, by B's write nudge: both run with a
 *   10-minute index poll, so only the pub/sub nudge can bring it;
 * - concurrent puts and deletes through both processes leave each process's index equal to the store;
 * - a process SIGKILLed during a bulk import's embedding backlog leaves entries pending under its consumer;
 *   another process takes them over (XAUTOCLAIM), pending_embeddings reaches 0 and every profile has its vector;
 * - a process started after the cached vectors expired (EMBEDDING_CACHE_TTL), with the stream long empty,
 *   embeds what its index holds pending itself.
 * Every wait is bounded; nothing asserts a duration.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedResponse, MlHealth, SyncResponse } from '../shared/api';
import { startServer, type ServerProcess } from '../bench/support/server-process';
import { profileKey } from '../server/cache/keys';
import { EMBED_GROUP } from '../server/ranking/redis-embedding-queue';
import { TEST_MODEL_DIR } from './support/candidate-app';
import { sleep, startThrowawayRedis, type ThrowawayRedis } from './support/redis';

/** The store's default key prefix: each test has a redis-server of its own. */
const STORE = 'nearfeed:store:';

/** Rate limits off (RATE_LIMIT_PER_SECOND=0): the tests write faster than a client may. */
function serverEnv(redis: ThrowawayRedis, extra: Record<string, string> = {}): Record<string, string> {
  return { REDIS_URL: redis.url, PROFILE_STORE: 'redis', RATE_LIMIT_PER_SECOND: '0', LOG_LEVEL: 'warn', ...extra };
}

function person(id: string, headline: string): Record<string, unknown> {
  return { id, name: `Person ${id}`, headline, bio: `Works as ${headline}.`, tags: ['multi'], diligence: 0.5, engagement: 0.5 };
}

async function call<T>(server: ServerProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.baseUrl}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Every candidate of the server's index with a ready vector (a feed over all of them). */
async function feedAll(server: ServerProcess, extra: Record<string, unknown> = {}): Promise<FeedResponse> {
  const query = { name: 'Query', headline: 'Engineer', bio: 'Looking around.', tags: ['multi'] };
  const res = await call<FeedResponse>(server, 'POST', '/feed', { profile: query, limit: 10_000, ...extra });
  expect(res.status).toBe(200);
  return res.body;
}

async function pendingEmbeddings(server: ServerProcess): Promise<number | null> {
  return (await call<MlHealth>(server, 'GET', '/ml/health')).body.pending_embeddings;
}

/** The store's whole set as /sync pages it. */
async function storeSet(server: ServerProcess): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const query = new URLSearchParams({ limit: '5000' });
    if (cursor) query.set('cursor', cursor);
    const body = (await call<SyncResponse>(server, 'GET', `/sync?${query}`)).body;
    for (const c of body.changes) if (c.op === 'put') out.set(c.profile.id, c.profile);
    cursor = body.cursor;
    if (!body.has_more) return out;
  }
  throw new Error('sync did not end within 100 pages');
}

/** Polls `check` every 100 ms until it returns true; fails naming `what` after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

function groupInfo(raw: unknown[][]): Record<string, unknown> | undefined {
  for (const g of raw) {
    const f: Record<string, unknown> = {};
    for (let i = 0; i + 1 < g.length; i += 2) f[String(g[i])] = g[i + 1];
    if (f.name === EMBED_GROUP) return f;
  }
  return undefined;
}

/** A throwaway redis-server, a client on it and the server processes a test starts (all stopped after it). */
function deployment(): { redis: ThrowawayRedis; client: Redis; servers: ServerProcess[] } {
  const d = { servers: [] as ServerProcess[] } as { redis: ThrowawayRedis; client: Redis; servers: ServerProcess[] };
  beforeAll(async () => {
    d.redis = await startThrowawayRedis();
    d.client = new Redis(d.redis.url);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(d.servers.map((s) => s.stop()));
    d.client?.disconnect();
    await d.redis?.stop();
  }, 60_000);
  return d;
}

describe('two server processes on one Redis', () => {
  let redis: ThrowawayRedis;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    // A 10-minute poll: anything B shows within the test came by the nudge.
    a = await startServer({ model: TEST_MODEL_DIR, env: serverEnv(redis, { INDEX_POLL_MS: '600000' }) });
    b = await startServer({ model: TEST_MODEL_DIR, env: serverEnv(redis, { INDEX_POLL_MS: '600000' }) });
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  }, 60_000);

  it("a write through A is in B's feed, ranked with ML, without B's poll", async () => {
    const id = 'mp-nudge-1';
    expect((await call(a, 'PUT', `/profiles/${id}`, person(id, 'Lighthouse keeper'))).status).toBe(201);
    let feed: FeedResponse | undefined;
    await eventually(
      async () => {
        feed = await feedAll(b, { candidate_ids: [id] });
        return feed.results.some((r) => r.profile.id === id);
      },
      15_000,
      "A's write in B's feed",
    );
    expect(feed!.ml_applied).toBe(true);
    expect(feed!.results[0]!.breakdown.similarity).toBeGreaterThan(0);

    // A delete through B leaves A's feed the same way.
    expect((await call(b, 'DELETE', `/profiles/${id}`)).status).toBe(200);
    await eventually(async () => (await feedAll(a, { candidate_ids: [id] })).results.length === 0, 15_000, "B's delete in A's feed");
  }, 60_000);

  it("each process's index equals the store after concurrent puts and deletes through both", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `mp-race-${String(i).padStart(2, '0')}`);
    // 4 rounds; in each, both processes write every id (different text) concurrently and some are deleted.
    for (let round = 0; round < 4; round++) {
      await Promise.all(
        ids.flatMap((id, i) => [
          call(a, 'PUT', `/profiles/${id}`, person(id, `Role ${round}-a-${i}`)),
          call(b, 'PUT', `/profiles/${id}`, person(id, `Role ${round}-b-${i}`)),
          ...(i % 3 === round % 3 ? [call(i % 2 ? a : b, 'DELETE', `/profiles/${id}`)] : []),
        ]),
      );
      await call(round % 2 ? a : b, 'POST', '/profiles/batch', {
        upsert: ids.slice(0, 10).map((id, i) => person(id, `Batch ${round}-${i}`)),
        delete: ids.slice(30, 33),
      });
    }
    const stored = await storeSet(a);
    const expected = [...stored.values()].filter((p) => (p as { id: string }).id.startsWith('mp-race-'));
    expect(expected.length).toBeGreaterThan(0);
    for (const server of [a, b]) {
      await eventually(async () => (await pendingEmbeddings(server)) === 0, 30_000, 'the embedding queue to drain');
      await eventually(
        async () => {
          const feed = await feedAll(server, { candidate_ids: ids });
          const held = feed.results.map((r) => r.profile).sort((x, y) => x.id.localeCompare(y.id));
          return feed.pending_candidates === 0 && JSON.stringify(held) === JSON.stringify(expected.sort((x, y) => (x as { id: string }).id.localeCompare((y as { id: string }).id)));
        },
        30_000,
        "the process's index to equal the store",
      );
    }
  }, 120_000);
});

describe('a process killed during the embedding backlog', () => {
  const d = deployment();
  const N = 4000;

  it('leaves its work to another process, which finishes it: nothing lost, every profile embedded', async () => {
    const first = await startServer({ model: TEST_MODEL_DIR, env: serverEnv(d.redis) });
    d.servers.push(first);
    const ids: string[] = [];
    for (let start = 0; start < N; start += 1000) {
      const upsert = Array.from({ length: 1000 }, (_, i) => person(`mp-kill-${start + i}`, `Craft ${start + i} of many`));
      ids.push(...upsert.map((p) => p.id as string));
      const res = await call<{ results: { status: string }[] }>(first, 'POST', '/profiles/batch', { upsert });
      expect(res.status).toBe(200);
      expect(res.body.results.every((r) => r.status === 'created')).toBe(true);
    }
    // Crash it mid-batch: freeze the process, and kill it only while it holds entries it has not acknowledged
    // (between two batches it holds none, so a blind kill could land there, or after the backlog was done).
    let before: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 200; attempt++) {
      first.pause();
      await sleep(50); // commands it sent before the freeze reach Redis
      before = groupInfo((await d.client.xinfo('GROUPS', `${STORE}embed`)) as unknown[][]);
      if (Number(before?.pending) > 0) break;
      first.resume();
      await sleep(attempt % 7); // thaw for a varying moment, so the next freeze lands elsewhere in its cycle
    }
    await first.kill();
    d.servers = d.servers.filter((s) => s !== first);

    // The crash left work behind: entries delivered to the dead consumer and never acknowledged.
    expect(Number(before?.pending), 'no freeze found entries in progress: the backlog was gone').toBeGreaterThan(0);
    expect(before?.consumers).toBe(1);

    const second = await startServer({ model: TEST_MODEL_DIR, env: serverEnv(d.redis, { EMBED_CLAIM_IDLE_MS: '500' }) });
    d.servers.push(second);
    await eventually(async () => (await pendingEmbeddings(second)) === 0, 150_000, 'pending_embeddings to reach 0');
    const after = groupInfo((await d.client.xinfo('GROUPS', `${STORE}embed`)) as unknown[][]);
    expect(after).toMatchObject({ pending: 0, lag: 0 });
    expect(await d.client.xlen(`${STORE}embed`)).toBe(0);
    // XAUTOCLAIM moved the dead consumer's entries: none is pending under any consumer now.
    const consumers = (await d.client.xinfo('CONSUMERS', `${STORE}embed`, EMBED_GROUP)) as unknown[][];
    expect(consumers.length).toBeGreaterThanOrEqual(2);
    for (const c of consumers) expect(c[c.indexOf('pending') + 1]).toBe(0);

    // Every imported profile has its vector in the shared cache, and the live process ranks them all.
    const present = await d.client.exists(...ids.map((id) => profileKey(id)));
    expect(present).toBe(N);
    await eventually(
      async () => {
        const feed = await feedAll(second, { candidate_ids: ids.slice(0, 5000) });
        return feed.pending_candidates === 0 && feed.results.length === N;
      },
      15_000,
      'every imported profile ranked with its vector',
    );
  }, 360_000);
});

describe('a process started after the cached vectors expired', () => {
  const d = deployment();
  // More than a feed embeds on the spot (16): only the worker can make them ready.
  const N = 40;

  it('embeds the profiles its index holds pending with nothing queued for them', async () => {
    const env = serverEnv(d.redis, { EMBEDDING_CACHE_TTL: '1', EMBED_CLAIM_IDLE_MS: '500' });
    const first = await startServer({ model: TEST_MODEL_DIR, env });
    d.servers.push(first);
    const ids = Array.from({ length: N }, (_, i) => `mp-ttl-${i}`);
    const res = await call(first, 'POST', '/profiles/batch', { upsert: ids.map((id, i) => person(id, `Trade ${i}`)) });
    expect(res.status).toBe(200);
    await eventually(async () => (await pendingEmbeddings(first)) === 0, 60_000, 'the import to be embedded');
    await first.stop();
    d.servers = [];
    // The vectors expire from the cache; the stream holds nothing for them any more.
    await eventually(async () => (await d.client.exists(...ids.map((id) => profileKey(id)))) === 0, 10_000, 'the vectors to expire');
    expect(await d.client.xlen(`${STORE}embed`)).toBe(0);

    const second = await startServer({ model: TEST_MODEL_DIR, env });
    d.servers.push(second);
    await eventually(
      async () => {
        const feed = await feedAll(second, { candidate_ids: ids });
        return feed.pending_candidates === 0 && feed.results.length === N;
      },
      60_000,
      'every profile ranked with its vector',
    );
  }, 240_000);
});
