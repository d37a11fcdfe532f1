/**
 * PROFILE_STORE=redis with Redis going away: store routes answer 503 store_unavailable at once (never 500,
 * never a hang), /ml/health turns degraded with the reason and a `store` part, the ML endpoints that need no
 * store keep working, and everything returns to 200 / ready by itself when Redis is back. A write refused
 * during the outage changes nothing after it.
 *
 * Redis here is a private redis-server child on its own port (never the shared one on 6379), with an
 * append-only file fsynced on every write, so data written before a SIGKILL is there again after the restart
 * and "the failed PUT changed nothing" is a real check, not an empty store.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Hono } from 'hono';
import type { FeedResponse, MlHealth, SyncResponse } from '../shared/api';
import type { ApiError, Profile } from '../shared/types';
import { createApp } from '../server/app';
import { createRanking, type Ranking } from '../server/ranking/create-ranking';
import { demoProfiles } from '../server/data/demo-profiles';
import type { NodeMlService } from '../server/ml/create-ml-service';
import { createProfileStore } from '../server/store/create-store';
import { StoreUnavailableError } from '../server/store/profile-store';
import { RedisProfileStore } from '../server/store/redis-store';
import { call, loadTestMl, testCache, testConfig } from './support/candidate-app';
import { recordCommands, sleep, startPersistentRedis, startThrowawayRedis, waitUntil, type PersistentRedis } from './support/redis';

const PREFIX = 'nearfeed-test:outage:';
const SEED = demoProfiles(20);
const USER = { name: 'Ada', headline: 'Founder looking for a seed investor', bio: 'Climate software.', tags: ['climate'] };

let redis: PersistentRedis;
let store: RedisProfileStore;
let ml: NodeMlService;
let app: Hono;
let ranking: Ranking;

/** What the store logs (console.warn / console.info), to check that no line carries the Redis address. */
const logged: string[] = [];

beforeAll(async () => {
  for (const level of ['warn', 'info'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  }
  redis = await startPersistentRedis();
  store = new RedisProfileStore({ url: redis.url, keyPrefix: PREFIX });
  await store.seedIfEmpty(SEED);
  const config = testConfig({ profileStore: 'redis', redisUrl: redis.url });
  const cache = testCache();
  ml = await loadTestMl(store, cache, config);
  ranking = createRanking({ config, store, cache, ml });
  app = createApp({ config, store, cache, ml, ranking });
});

afterAll(async () => {
  await ml?.close();
  await store?.close();
  await redis?.cleanup();
  vi.restoreAllMocks();
});

function send(method: string, url: string, body?: unknown) {
  return call(app, method, url, body);
}

async function health(): Promise<{ status: number; body: MlHealth }> {
  const res = await call(app, 'GET', '/api/v1/ml/health');
  return { status: res.status, body: res.json as MlHealth };
}

function expectStoreUnavailable(res: { status: number; json: unknown }): void {
  expect(res.status).toBe(503);
  const body = res.json as ApiError;
  expect(body.error_type).toBe('store_unavailable');
  expect(body.error).toMatch(/^profile store unavailable: .*Redis/);
  expect(body.error).not.toContain(redis.port);
  // That it is refused at once, unsent, is the breaker test's (MONITOR sees nothing): no timing asserted here.
}

describe('Redis profile store outage', () => {
  const first = SEED[0] as Profile;
  const second = SEED[1] as Profile;

  it('healthy: store routes 200, health ready with a connected redis store', async () => {
    expect((await call(app, 'GET', `/api/v1/profiles/${first.id}`)).status).toBe(200);
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.store).toEqual({ backend: 'redis', connected: true });
    expect(body.reasons).toEqual([]);
  });

  it('Redis killed: 503 store_unavailable fast, health degraded with the reason, ML still 200, writes refused', async () => {
    await redis.kill();
    await waitUntil(() => !store.status().connected, 5000, 'the store to notice the outage');
    // Once a reconnection attempt has failed, the reason is the refused connection (logged once).
    await waitUntil(() => /connection refused/.test(store.status().reason ?? ''), 5000, 'a refused reconnection');

    expectStoreUnavailable(await send('GET', `/api/v1/profiles/${first.id}`));
    expectStoreUnavailable(await send('GET', '/api/v1/sync'));
    expectStoreUnavailable(await send('POST', '/api/v1/feed', { profile: USER }));
    expectStoreUnavailable(await send('POST', '/api/v1/ml/profiles/rank', { profile_id: first.id }));

    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.store).toEqual({ backend: 'redis', connected: false });
    expect(body.model.available).toBe(true);
    expect(body.reasons.some((r) => /profile store \(redis\) is unavailable: .*unreachable/.test(r))).toBe(true);
    // What failed, not where: the Redis address is internal, in health, in 503 bodies and in log lines.
    expect(body.reasons.some((r) => /unreachable \(connection refused \(ECONNREFUSED\)\)/.test(r))).toBe(true);
    expect(JSON.stringify(body)).not.toContain(redis.port);

    const embedded = await call(app, 'POST', '/api/v1/ml/embeddings', { text: 'still embedding while the store is down' });
    expect(embedded.status).toBe(200);
    expect((embedded.json as { dimension: number }).dimension).toBeGreaterThan(0);

    // Writes during the outage: refused, and (checked after recovery) never applied later.
    const refused = [
      await send('PUT', `/api/v1/profiles/${first.id}`, { ...first, headline: 'written during the outage' }),
      await send('DELETE', `/api/v1/profiles/${second.id}`),
      await send('PUT', '/api/v1/profiles/new-during-outage', { ...first, id: undefined }),
      await send('POST', '/api/v1/profiles/batch', { upsert: [{ ...first, id: 'batch-during-outage' }] }),
    ];
    for (const res of refused) {
      expectStoreUnavailable(res);
      expect((res.json as ApiError).outcome).toBe('not_applied');
    }
  });

  it('Redis back: 200 again and ready by itself; the refused writes changed nothing', async () => {
    await redis.start();
    await waitUntil(() => store.status().connected, 10_000, 'the store to reconnect');
    // Give any write that could have been queued or resent the chance to land before checking.
    await sleep(300);

    const got = await call(app, 'GET', `/api/v1/profiles/${first.id}`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(first);
    expect((await call(app, 'GET', `/api/v1/profiles/${second.id}`)).status).toBe(200);
    expect((await call(app, 'GET', '/api/v1/profiles/new-during-outage')).status).toBe(404);
    expect((await call(app, 'GET', '/api/v1/profiles/batch-during-outage')).status).toBe(404);

    const sync = await call(app, 'GET', '/api/v1/sync?limit=1000');
    expect(sync.status).toBe(200);
    const ids = (sync.json as SyncResponse).changes.map((c) => (c.op === 'put' ? c.profile.id : `-${c.id}`));
    expect(ids.sort()).toEqual(SEED.map((p) => p.id).sort());

    // The candidate index loads once the store answers; its vectors are computed by the embedding queue.
    expect(await ranking.whenIdle(30_000)).toBe(true);
    const feed = await call(app, 'POST', '/api/v1/feed', { profile: USER, limit: 5 });
    expect(feed.status).toBe(200);
    expect((feed.json as FeedResponse).results).toHaveLength(5);
    expect((feed.json as FeedResponse).pending_candidates).toBe(0);

    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.store).toEqual({ backend: 'redis', connected: true });

    // Writes work again.
    expect((await call(app, 'PUT', `/api/v1/profiles/${first.id}`, { ...first, headline: 'after recovery' })).status).toBe(200);
    expect(((await call(app, 'GET', `/api/v1/profiles/${first.id}`)).json as Profile).headline).toBe('after recovery');
  });

  it('Redis stalled (SIGSTOP): one timeout opens the breaker, then 503 at once and unsent (writes not_applied); SIGCONT closes it', async () => {
    type Res = Awaited<ReturnType<typeof call>>;
    let inFlight: Res | undefined;
    let reads: Res[] = [];
    let writes: Res[] = [];
    // MONITOR (connected before the pause) reports what Redis ran, including what was queued during the stall.
    const seen = await recordCommands(
      PREFIX,
      async () => {
        redis.pause();
        try {
          // Sent before anyone knows: waits out the command timeout and may still land, so its outcome is unknown.
          inFlight = await call(app, 'PUT', `/api/v1/profiles/${second.id}`, { ...second, headline: 'sent into the stall' });
          expect(store.status().connected).toBe(false);
          // Breaker open: answered without a command sent.
          reads = await Promise.all(Array.from({ length: 10 }, () => call(app, 'GET', `/api/v1/profiles/${first.id}`)));
          writes = await Promise.all(
            Array.from({ length: 5 }, (_, i) => call(app, 'PUT', `/api/v1/profiles/refused-${i}`, { ...second, id: undefined })),
          );
          const { body } = await health();
          expect(body.status).toBe('degraded');
          expect(body.store.connected).toBe(false);
          expect(body.reasons.some((r) => /Redis does not answer within 1000 ms/.test(r))).toBe(true);
        } finally {
          redis.resume();
        }
        // The PING probe closes the breaker once Redis answers again (after running what was queued before it).
        await waitUntil(() => store.status().connected, 10_000, 'the breaker to close');
      },
      redis.url,
    );
    expect(inFlight?.status).toBe(503);
    expect(inFlight?.json).toMatchObject({ error_type: 'store_unavailable', outcome: 'unknown' });
    for (const res of reads) {
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ error: expect.stringMatching(/does not answer/), error_type: 'store_unavailable' });
    }
    for (const res of writes) {
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ error_type: 'store_unavailable', outcome: 'not_applied' });
    }
    // Nothing refused reached Redis: no read of the GETs' id, no write of a refused id; the unknown write did run.
    expect(seen.filter((c) => c.source !== 'lua' && c.args.includes(first.id))).toEqual([]);
    expect(seen.filter((c) => c.args.some((a) => a.includes('refused-')))).toEqual([]);
    expect(seen.some((c) => c.args.some((a) => a.includes('sent into the stall')))).toBe(true);

    expect((await health()).body.status).toBe('ready');
    for (let i = 0; i < 5; i++) expect((await call(app, 'GET', `/api/v1/profiles/refused-${i}`)).status).toBe(404);
    expect(((await call(app, 'GET', `/api/v1/profiles/${second.id}`)).json as Profile).headline).toBe('sent into the stall');
    // Retrying it is safe: the same PUT again.
    const retried = await call(app, 'PUT', `/api/v1/profiles/${second.id}`, { ...second, headline: 'sent into the stall' });
    expect(retried.status).toBe(200);
  });

  it('no log line carries the Redis address', () => {
    expect(logged.some((line) => line.includes('profile store: Redis error (connection refused (ECONNREFUSED))'))).toBe(true);
    for (const line of logged) expect(line).not.toContain(redis.port);
  });
});

describe('Redis profile store down at start', () => {
  it('the server starts (seeding skipped with a warning), 503 until Redis appears, then serves and seeds nothing', async () => {
    const later = await startThrowawayRedis({ started: false });
    const warnings: string[] = [];
    // A start that waited for Redis would not get past this await (the test's own timeout says so).
    const down = await createProfileStore(
      { profileStore: 'redis', redisUrl: later.url },
      { seed: demoProfiles(3), warn: (m) => warnings.push(m) },
    );
    try {
      expect(warnings.join('\n')).toMatch(/could not seed Redis \(profile store unavailable: /);
      expect(down.status()).toMatchObject({ backend: 'redis', connected: false });
      await expect(down.get('x')).rejects.toBeInstanceOf(StoreUnavailableError);

      await later.start();
      await waitUntil(() => down.status().connected, 10_000, 'the store to connect');
      expect(await down.list()).toEqual([]);
    } finally {
      await down.close();
      await later.stop();
    }
  });
});
