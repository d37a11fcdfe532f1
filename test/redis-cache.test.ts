/**
 * The Redis embedding cache against a real Redis: the shared server on 127.0.0.1:6379 (own key prefix, cleaned
 * up) for behaviour and command counts, and a private throwaway redis-server for outages.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../server/cache/codec';
import type { CachedEmbedding, EmbeddingCache } from '../server/cache/embedding-cache';
import { profileGenerationKey, profileKey, textKey } from '../server/cache/keys';
import { createRedisCache, type CacheLogger } from '../server/cache/redis-cache';
import { modelKey } from '../shared/embedder';
import {
  TEST_REDIS_URL,
  connectTestRedis,
  deleteKeysWithPrefix,
  recordCommands,
  startThrowawayRedis,
  uniqueKeyPrefix,
  waitUntil,
  withTimeout,
  type ThrowawayRedis,
} from './support/redis';

const TTL = 120;
const MODEL = modelKey('models/generated/test', 'fp32', 128);
const OTHER_MODEL = modelKey('models/generated/test', 'q8', 128);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A deterministic, non-trivial 384-dim vector per seed. */
function vector(seed: number, dim = 384): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = Math.sin(seed * 7.31 + i * 0.173);
  return v;
}

function entry(contentHash: string, seed = 1, model = MODEL): CachedEmbedding {
  return { vector: vector(seed), modelKey: model, contentHash };
}

/** No line names the server's port (nor, with it, host:port or the URL). */
function expectNoAddress(lines: readonly string[], port: number): void {
  for (const line of lines) expect(line).not.toContain(String(port));
}

/** Records log lines instead of printing them, to count warnings. */
function collectingLogger(): CacheLogger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return { warnings, infos, warn: (m) => warnings.push(m), info: (m) => infos.push(m) };
}

async function readyCache(options: Parameters<typeof createRedisCache>[0]): Promise<EmbeddingCache> {
  const cache = createRedisCache(options);
  await waitUntil(() => cache.connected(), 5000, 'the cache to connect');
  return cache;
}

describe('entry codec', () => {
  it('round-trips vector, model key and hash, and refuses anything malformed', () => {
    const original = entry(sha256('some text'), 3);
    const buf = encodeEntry(original);
    expect(buf.subarray(0, 4).toString('latin1')).toBe('NFE1');
    expect(buf.length).toBe(12 + Buffer.byteLength(MODEL) + 64 + 4 * 384);
    expect(decodeEntry(buf)).toEqual(original);
    // The vector is float32 little-endian at the end.
    expect(buf.readFloatLE(buf.length - 4)).toBe(original.vector[383]);

    expect(decodeEntry(buf.subarray(0, buf.length - 1))).toBeUndefined();
    expect(decodeEntry(Buffer.concat([buf, Buffer.alloc(4)]))).toBeUndefined();
    expect(decodeEntry(Buffer.from('NFE2' + buf.subarray(4).toString('latin1'), 'latin1'))).toBeUndefined();
    expect(decodeEntry(Buffer.from('[0.1,0.2]'))).toBeUndefined();
    expect(decodeEntry(null)).toBeUndefined();
  });
});

describe('redis embedding cache on the shared server', () => {
  const prefix = uniqueKeyPrefix('embedding-cache');
  let admin: Redis;
  let cache: EmbeddingCache;

  beforeAll(async () => {
    admin = await connectTestRedis();
    cache = await readyCache({ url: TEST_REDIS_URL, ttlSeconds: TTL, keyPrefix: prefix });
  });

  afterEach(async () => {
    await deleteKeysWithPrefix(admin, prefix);
  });

  afterAll(async () => {
    await cache?.close();
    if (admin) {
      await deleteKeysWithPrefix(admin, prefix);
      expect(await admin.keys(`${prefix}*`)).toEqual([]);
      await admin.quit();
    }
  });

  it('misses, then hits, under the documented key names and value format', async () => {
    const texts = ['founder building climate software', 'seed investor in Berlin'];
    const hashes = texts.map(sha256);
    expect(cache.backend).toBe('redis');
    expect(await cache.getTexts(MODEL, hashes)).toEqual([undefined, undefined]);

    await cache.setTexts(MODEL, [{ textHash: hashes[0]!, vector: vector(1) }]);
    const [hit, miss] = await cache.getTexts(MODEL, hashes);
    expect(hit).toEqual({ vector: vector(1), modelKey: MODEL, contentHash: hashes[0] });
    expect(miss).toBeUndefined();

    const raw = await admin.getBuffer(`${prefix}embedding:text:${MODEL}:${hashes[0]}`);
    expect(raw && decodeEntry(raw)).toEqual(hit);

    expect(await cache.getProfiles(['p1'])).toEqual([undefined]);
    await cache.setProfiles([{ id: 'p1', entry: entry('h1', 2) }]);
    expect(await cache.getProfiles(['p1'])).toEqual([entry('h1', 2)]);
    expect(await admin.exists(`${prefix}embedding:profile:p1`)).toBe(1);
  });

  it('sets a TTL on every write, at most the configured one', async () => {
    const hash = sha256('ttl');
    await cache.setTexts(MODEL, [{ textHash: hash, vector: vector(1) }]);
    await cache.setProfiles([{ id: 'ttl', entry: entry('h') }]);
    for (const key of [textKey(MODEL, hash, prefix), profileKey('ttl', prefix)]) {
      const ttl = await admin.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(TTL);
    }
  });

  it('never serves another model key', async () => {
    const hash = sha256('model');
    await cache.setTexts(MODEL, [{ textHash: hash, vector: vector(1) }]);
    expect(await cache.getTexts(OTHER_MODEL, [hash])).toEqual([undefined]);

    await cache.setProfiles([{ id: 'm', entry: entry('h') }]);
    expect(await cache.getProfiles(['m'], { modelKey: OTHER_MODEL })).toEqual([undefined]);
    expect(await cache.getProfiles(['m'], { modelKey: MODEL })).toEqual([entry('h')]);

    // A value under a text key whose payload names another model (or text) is not served either.
    await admin.set(textKey(MODEL, hash, prefix), encodeEntry(entry(hash, 1, OTHER_MODEL)));
    expect(await cache.getTexts(MODEL, [hash])).toEqual([undefined]);
    await admin.set(textKey(MODEL, hash, prefix), encodeEntry(entry(sha256('other text'))));
    expect(await cache.getTexts(MODEL, [hash])).toEqual([undefined]);
  });

  it('misses when the content hash changed, and after deleteProfiles', async () => {
    await cache.setProfiles([{ id: 'a', entry: entry('a1') }, { id: 'b', entry: entry('b1') }]);
    expect(await cache.getProfiles(['a', 'b'], { contentHashes: ['a2', 'b1'] })).toEqual([undefined, entry('b1')]);

    await cache.deleteProfiles(['b']);
    expect(await cache.getProfiles(['a', 'b'])).toEqual([entry('a1'), undefined]);
    expect(await admin.exists(profileKey('b', prefix))).toBe(0);
    const genTtl = await admin.ttl(profileGenerationKey('b', prefix));
    expect(genTtl).toBeGreaterThan(0);
  });

  it('never serves a vector computed from a version that changed during the computation', async () => {
    // Compute starts from h1: read (a miss) with a ticket.
    const before = await cache.readProfiles(['p'], { modelKey: MODEL, contentHashes: ['h1'] });
    expect(before.entries).toEqual([undefined]);
    // While it runs the profile is updated to h2 and invalidated (PUT → deleteProfiles).
    await cache.deleteProfiles(['p']);
    // The late write of h1's vector, even after a store check that still saw h1, is dropped in Redis.
    await cache.setProfiles([{ id: 'p', entry: entry('h1') }], { ticket: before.ticket, currentContentHashes: ['h1'] });
    expect(await admin.exists(profileKey('p', prefix))).toBe(0);
    expect(await cache.getProfiles(['p'], { modelKey: MODEL, contentHashes: ['h2'] })).toEqual([undefined]);

    // A write without a ticket does land, but a reader of h2 still never gets h1's vector.
    await cache.setProfiles([{ id: 'p', entry: entry('h1') }]);
    expect(await cache.getProfiles(['p'], { modelKey: MODEL, contentHashes: ['h2'] })).toEqual([undefined]);

    // A computation that started after the invalidation writes and is served.
    const after = await cache.readProfiles(['p'], { modelKey: MODEL, contentHashes: ['h2'] });
    expect(after.entries).toEqual([undefined]);
    await cache.setProfiles([{ id: 'p', entry: entry('h2', 9) }], { ticket: after.ticket, currentContentHashes: ['h2'] });
    expect(await cache.getProfiles(['p'], { modelKey: MODEL, contentHashes: ['h2'] })).toEqual([entry('h2', 9)]);
  });

  it('drops only the invalidated profiles of a batch written with a ticket', async () => {
    const ids = ['r1', 'r2', 'r3'];
    const { ticket } = await cache.readProfiles(ids);
    await cache.deleteProfiles(['r2']);
    await cache.setProfiles(
      ids.map((id) => ({ id, entry: entry(`${id}-h`) })),
      { ticket },
    );
    expect((await cache.getProfiles(ids)).map((e) => e?.contentHash)).toEqual(['r1-h', undefined, 'r3-h']);
  });

  it('reads and writes a batch of 100 in one command each', async () => {
    const hashes = Array.from({ length: 100 }, (_, i) => sha256(`text ${i}`));
    const ids = Array.from({ length: 100 }, (_, i) => `batch-${i}`);
    const clientCommands = (seen: { name: string; source: string }[]) =>
      seen.filter((c) => c.source !== 'lua').map((c) => c.name);

    const textWrite = await recordCommands(prefix, () =>
      cache.setTexts(MODEL, hashes.map((textHash, i) => ({ textHash, vector: vector(i) }))),
    );
    expect(clientCommands(textWrite)).toEqual(['eval']);
    // Inside the script: one SET per entry, executed by Redis, not a round trip each.
    expect(textWrite.filter((c) => c.source === 'lua' && c.name === 'set')).toHaveLength(100);

    let read: (CachedEmbedding | undefined)[] = [];
    const textRead = await recordCommands(prefix, async () => {
      read = await cache.getTexts(MODEL, hashes);
    });
    expect(clientCommands(textRead)).toEqual(['mget']);
    expect(textRead[0]?.args).toHaveLength(100);
    expect(read.every((e, i) => e !== undefined && e.vector[5] === vector(i)[5])).toBe(true);

    let ticketRead: Awaited<ReturnType<EmbeddingCache['readProfiles']>> | undefined;
    const profileRead = await recordCommands(prefix, async () => {
      ticketRead = await cache.readProfiles(ids);
    });
    expect(clientCommands(profileRead)).toEqual(['mget']);
    const profileWrite = await recordCommands(prefix, () =>
      cache.setProfiles(ids.map((id, i) => ({ id, entry: entry(`h${i}`, i) })), { ticket: ticketRead?.ticket }),
    );
    expect(clientCommands(profileWrite)).toEqual(['eval']);
    const profileHits = await recordCommands(prefix, async () => {
      const got = await cache.getProfiles(ids, { contentHashes: ids.map((_, i) => `h${i}`) });
      expect(got.filter(Boolean)).toHaveLength(100);
    });
    expect(clientCommands(profileHits)).toEqual(['mget']);
  });
});

describe('redis embedding cache when Redis goes away', () => {
  let server: ThrowawayRedis;
  const caches: EmbeddingCache[] = [];

  beforeAll(async () => {
    server = await startThrowawayRedis({ started: false });
  });

  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    await server?.stop();
  });

  /** Every method resolves within this (commandTimeoutMs is 300 below): never a hang. */
  const PROMPT_MS = 1500;
  async function exerciseAll(cache: EmbeddingCache, hash: string) {
    expect(await withTimeout(cache.getTexts(MODEL, [hash]), PROMPT_MS, 'getTexts hung')).toEqual([undefined]);
    await withTimeout(cache.setTexts(MODEL, [{ textHash: hash, vector: vector(1) }]), PROMPT_MS, 'setTexts hung');
    expect(await withTimeout(cache.getProfiles(['p']), PROMPT_MS, 'getProfiles hung')).toEqual([undefined]);
    const read = await withTimeout(cache.readProfiles(['p']), PROMPT_MS, 'readProfiles hung');
    expect(read.entries).toEqual([undefined]);
    await withTimeout(cache.setProfiles([{ id: 'p', entry: entry('h') }], { ticket: read.ticket }), PROMPT_MS, 'setProfiles hung');
    await withTimeout(cache.deleteProfiles(['p']), PROMPT_MS, 'deleteProfiles hung');
  }

  it('starts without Redis, serves misses, and connects once Redis appears', async () => {
    const logger = collectingLogger();
    const cache = createRedisCache({ url: server.url, ttlSeconds: TTL, commandTimeoutMs: 300, logger });
    caches.push(cache);
    await exerciseAll(cache, sha256('before start'));
    expect(cache.connected()).toBe(false);

    await server.start();
    await waitUntil(() => cache.connected(), 10_000, 'the cache to connect after Redis started');
    const hash = sha256('after start');
    await cache.setTexts(MODEL, [{ textHash: hash, vector: vector(2) }]);
    expect((await cache.getTexts(MODEL, [hash]))[0]?.vector).toEqual(vector(2));
    expect(logger.warnings).toHaveLength(1);
    expect(logger.infos).toHaveLength(1);
    // What failed, never where: the Redis address is internal.
    expect(logger.warnings[0]).toMatch(/connection refused/);
    expectNoAddress([...logger.warnings, ...logger.infos], server.port);
  });

  it('answers misses while Redis is stopped and reconnects by itself when it is back', async () => {
    await server.start();
    const logger = collectingLogger();
    const cache = await readyCache({ url: server.url, ttlSeconds: TTL, commandTimeoutMs: 300, logger });
    caches.push(cache);
    const hash = sha256('kept');
    await cache.setTexts(MODEL, [{ textHash: hash, vector: vector(3) }]);
    expect((await cache.getTexts(MODEL, [hash]))[0]).toBeDefined();

    await server.stop();
    await waitUntil(() => !cache.connected(), 5000, 'connected() to turn false');
    for (let i = 0; i < 5; i++) await exerciseAll(cache, hash);
    expect(cache.connected()).toBe(false);
    expect(logger.warnings).toHaveLength(1); // once per outage, not per request
    expectNoAddress(logger.warnings, server.port);

    await server.start();
    await waitUntil(() => cache.connected(), 10_000, 'connected() to turn true again');
    // The restarted server is empty (it keeps nothing on disk): a miss, then a hit again.
    expect(await cache.getTexts(MODEL, [hash])).toEqual([undefined]);
    await cache.setTexts(MODEL, [{ textHash: hash, vector: vector(3) }]);
    expect((await cache.getTexts(MODEL, [hash]))[0]?.vector).toEqual(vector(3));
    expect(logger.warnings).toHaveLength(1);
    expect(logger.infos).toHaveLength(1);
  });

  it('treats a stalled Redis as down until it answers again', async () => {
    await server.start();
    const logger = collectingLogger();
    const cache = await readyCache({ url: server.url, ttlSeconds: TTL, commandTimeoutMs: 300, logger });
    caches.push(cache);
    const hash = sha256('stall');
    await cache.setTexts(MODEL, [{ textHash: hash, vector: vector(4) }]);

    const pauser = await connectTestRedis(server.url);
    try {
      await pauser.call('CLIENT', 'PAUSE', '2000', 'ALL'); // every client's commands wait 2 s
      expect(await withTimeout(cache.getTexts(MODEL, [hash]), PROMPT_MS, 'getTexts hung')).toEqual([undefined]);
      expect(cache.connected()).toBe(false);
      await waitUntil(() => cache.connected(), 10_000, 'connected() after the pause');
      expect((await cache.getTexts(MODEL, [hash]))[0]?.vector).toEqual(vector(4));
      expect(logger.warnings).toHaveLength(1);
    } finally {
      await pauser.quit();
    }
  });

  it('closes promptly even while Redis is down', async () => {
    await server.start();
    const cache = await readyCache({ url: server.url, ttlSeconds: TTL, commandTimeoutMs: 300, logger: collectingLogger() });
    await server.stop();
    await withTimeout(cache.close(), PROMPT_MS, 'close hung');
    expect(cache.connected()).toBe(false);
    expect(await cache.getTexts(MODEL, ['x'])).toEqual([undefined]);
  });
});
