/**
 * One suite over both profile stores: the memory store and the Redis store on the real Redis at
 * 127.0.0.1:6379 under a unique key prefix (deleted afterwards).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Profile } from '../shared/types';
import { decodeCursor, encodeCursor } from '../server/store/cursor';
import { MemoryProfileStore } from '../server/store/memory-store';
import type { ChangePage, ProfileStore, ProfileWrite, WriteOutcome } from '../server/store/profile-store';
import { RedisProfileStore, WRITE_CHUNK } from '../server/store/redis-store';
import { recordCommands } from './support/redis';

function profile(id: string, version = 1): Profile {
  return {
    id,
    name: `Person ${id}`,
    headline: `Headline ${id} v${version}`,
    bio: `Bio of ${id}, version ${version}.`,
    tags: ['test', `v${version}`],
    diligence: (version % 10) / 10,
    engagement: 0.5,
    updated_at: new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString(),
  };
}

const redisStores: RedisProfileStore[] = [];

interface Backend {
  name: string;
  make(options?: { maxTombstones?: number; seed?: Profile[] }): Promise<ProfileStore>;
  /** A second handle on the same data (another server process), where the backend has one. */
  sibling?(store: ProfileStore): ProfileStore;
}

const backends: Backend[] = [
  {
    name: 'memory',
    async make(options) {
      return new MemoryProfileStore(options);
    },
  },
  {
    name: 'redis',
    async make(options) {
      const store = new RedisProfileStore({
        keyPrefix: `nearfeed-test:${randomUUID()}:`,
        maxTombstones: options?.maxTombstones,
      });
      redisStores.push(store);
      if (options?.seed) await store.seedIfEmpty(options.seed);
      return store;
    },
    sibling(store) {
      const other = new RedisProfileStore({ keyPrefix: (store as RedisProfileStore).keyPrefix });
      redisStores.push(other);
      return other;
    },
  },
];

afterAll(async () => {
  for (const store of redisStores) {
    await store.destroy();
    await store.close();
  }
});

/** Pulls every page from `cursor` and applies it to `local`; returns the final cursor. */
async function pullAll(
  store: ProfileStore,
  local: Map<string, Profile>,
  cursor: string | null,
  limit: number,
): Promise<string> {
  for (;;) {
    const page = await store.changesSince(cursor, limit);
    if (page === 'must_refetch') throw new Error('unexpected must_refetch');
    expect(page.changes.length).toBeLessThanOrEqual(limit);
    applyPage(local, page);
    cursor = page.cursor;
    if (!page.hasMore) return cursor;
  }
}

function applyPage(local: Map<string, Profile>, page: ChangePage): void {
  for (const change of page.changes) {
    if (change.op === 'put') local.set(change.profile.id, change.profile);
    else local.delete(change.id);
  }
}

describe.each(backends)('$name profile store', (backend) => {
  let store: ProfileStore;
  beforeEach(async () => {
    store = await backend.make();
  });

  it('puts, gets, replaces, lists and deletes', async () => {
    expect(await store.get('a')).toBeUndefined();
    expect(await store.put(profile('b'))).toBe(true);
    expect(await store.put(profile('a'))).toBe(true);
    expect(await store.get('a')).toEqual(profile('a'));
    expect(await store.put(profile('a', 2))).toBe(false);
    expect(await store.get('a')).toEqual(profile('a', 2));
    expect((await store.list()).map((p) => p.id)).toEqual(['a', 'b']);
    expect((await store.list(['b', 'missing', 'a'])).map((p) => p.id)).toEqual(['b', 'a']);
    expect(await store.list([])).toEqual([]);
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.get('a')).toBeUndefined();
    expect((await store.list()).map((p) => p.id)).toEqual(['b']);
  });

  it('versions: every write of a profile gives it a new one, read with the profile, never reused', async () => {
    expect(await store.read('a')).toBeUndefined();
    const created = await store.writeIf({ op: 'put', profile: profile('a') });
    expect(created.outcome).toBe('created');
    expect(await store.read('a')).toEqual({ profile: profile('a'), version: created.version });
    await store.put(profile('b')); // another profile's write leaves a's version alone
    expect((await store.read('a'))?.version).toBe(created.version);
    const updated = await store.writeIf({ op: 'put', profile: profile('a', 2) });
    expect(updated).toEqual({ outcome: 'updated', version: expect.any(String) });
    expect(updated.version).not.toBe(created.version);
    // Same content again is still a write: a new version.
    const again = await store.writeIf({ op: 'put', profile: profile('a', 2) });
    expect(new Set([created.version, updated.version, again.version]).size).toBe(3);
    expect(await store.writeIf({ op: 'delete', id: 'a' })).toEqual({ outcome: 'deleted' });
    const recreated = await store.writeIf({ op: 'put', profile: profile('a') });
    expect([created.version, updated.version, again.version]).not.toContain(recreated.version);
  });

  it('conditional writes: If-Match by version list or *, checked with the write; a failed one changes nothing', async () => {
    const v1 = (await store.writeIf({ op: 'put', profile: profile('a') })).version as string;
    const v2 = (await store.writeIf({ op: 'put', profile: profile('a', 2) })).version as string;
    const before = await store.changesSince(null, 100);

    // A stale version, an empty list, '*' or any version on a missing profile: refused, the current version said.
    expect(await store.writeIf({ op: 'put', profile: profile('a', 3) }, [v1])).toEqual({ outcome: 'precondition_failed', version: v2 });
    expect(await store.writeIf({ op: 'delete', id: 'a' }, [v1, 'nonsense', 'with space'])).toEqual({ outcome: 'precondition_failed', version: v2 });
    expect(await store.writeIf({ op: 'put', profile: profile('a', 3) }, [])).toEqual({ outcome: 'precondition_failed', version: v2 });
    expect(await store.writeIf({ op: 'put', profile: profile('new') }, '*')).toEqual({ outcome: 'precondition_failed' });
    expect(await store.writeIf({ op: 'delete', id: 'new' }, [v2])).toEqual({ outcome: 'precondition_failed' });
    expect(await store.read('a')).toEqual({ profile: profile('a', 2), version: v2 });
    expect(await store.read('new')).toBeUndefined();
    expect(await store.changesSince(null, 100)).toEqual(before);

    // The current version (alone or in a list), or '*' on an existing profile: applied.
    const v3 = await store.writeIf({ op: 'put', profile: profile('a', 3) }, [v1, v2]);
    expect(v3).toEqual({ outcome: 'updated', version: expect.any(String) });
    const v4 = await store.writeIf({ op: 'put', profile: profile('a', 4) }, '*');
    expect(v4.outcome).toBe('updated');
    expect(await store.writeIf({ op: 'delete', id: 'a' }, [v4.version as string])).toEqual({ outcome: 'deleted' });
    expect(await store.read('a')).toBeUndefined();
  });

  it('concurrent conditional writers against one version (two processes where the backend has them): exactly one wins', async () => {
    const other = backend.sibling?.(store) ?? store;
    const { version } = await store.writeIf({ op: 'put', profile: profile('hot') });
    const writers = Array.from({ length: 12 }, (_, i) =>
      (i % 2 ? other : store).writeIf({ op: 'put', profile: { ...profile('hot', 2), bio: `writer ${i}` } }, [version as string]),
    );
    const results = await Promise.all(writers);
    const winners = results.flatMap((r, i) => (r.outcome === 'updated' ? [i] : []));
    expect(winners).toHaveLength(1);
    const winner = results[winners[0] as number];
    // Every loser was refused against the winner's version, which is what is stored: no update was lost.
    for (const r of results) if (r !== winner) expect(r).toEqual({ outcome: 'precondition_failed', version: winner?.version });
    expect(await other.read('hot')).toEqual({ profile: { ...profile('hot', 2), bio: `writer ${winners[0]}` }, version: winner?.version });
  });

  it('writes a batch in order through the one write path, each write logged like a single one', async () => {
    await store.put(profile('old'));
    const outcomes = await store.write([
      { op: 'put', profile: profile('a') },
      { op: 'put', profile: profile('old', 2) },
      { op: 'delete', id: 'missing' },
      { op: 'put', profile: profile('b') },
      { op: 'delete', id: 'b' },
      { op: 'put', profile: profile('a', 3) },
    ]);
    expect(outcomes).toEqual(['created', 'updated', 'not_found', 'created', 'deleted', 'updated']);
    expect(await store.list()).toEqual([profile('a', 3), profile('old', 2)]);
    expect(await store.write([])).toEqual([]);
    // The log holds the latest change per id; 'b' was created and deleted after this client's start.
    const fresh = new Map<string, Profile>();
    await pullAll(store, fresh, null, 2);
    expect([...fresh.values()].sort((x, y) => x.id.localeCompare(y.id))).toEqual([profile('a', 3), profile('old', 2)]);
  });

  it('a batch of deletes of unknown ids changes nothing, not even the log', async () => {
    await store.put(profile('a'));
    const before = await store.changesSince(null, 10);
    if (before === 'must_refetch') throw new Error('must_refetch');
    expect(await store.write([{ op: 'delete', id: 'x' }, { op: 'delete', id: 'y' }])).toEqual(['not_found', 'not_found']);
    const after = await store.changesSince(before.cursor, 10);
    expect(after !== 'must_refetch' && after.changes).toEqual([]);
  });

  it('prunes tombstones of a batch like single deletes', async () => {
    const small = await backend.make({ maxTombstones: 2 });
    await small.write(['a', 'b', 'c', 'd'].map((id) => ({ op: 'put', profile: profile(id) })));
    const start = await small.changesSince(null, 10);
    if (start === 'must_refetch') throw new Error('must_refetch');
    await small.write(['a', 'b', 'c'].map((id) => ({ op: 'delete', id })));
    // Three tombstones, two kept: the cursor from before them needs the pruned one.
    expect(await small.changesSince(start.cursor, 10)).toBe('must_refetch');
    const local = new Map<string, Profile>();
    await pullAll(small, local, null, 10);
    expect([...local.keys()]).toEqual(['d']);
  });

  it('returns copies, so a caller mutating a profile does not change the store', async () => {
    const p = profile('x');
    await store.put(p);
    p.name = 'changed';
    const got = (await store.get('x')) as Profile;
    got.tags.push('mutated');
    expect(await store.get('x')).toEqual(profile('x'));
  });

  it('keeps ids with odd characters intact', async () => {
    const id = 'ü/ spaced:{weird}|id' + 'x'.repeat(100);
    await store.put(profile(id));
    expect((await store.get(id))?.id).toBe(id);
    const page = await store.changesSince(null, 10);
    expect(page !== 'must_refetch' && page.changes).toEqual([{ op: 'put', profile: profile(id) }]);
  });

  it('pages the change log in change order, latest change per id only', async () => {
    for (const id of ['a', 'b', 'c', 'd']) await store.put(profile(id));
    await store.put(profile('b', 2)); // b moves to the end
    const first = await store.changesSince(null, 3);
    if (first === 'must_refetch') throw new Error('must_refetch');
    expect(first.changes.map((c) => (c.op === 'put' ? c.profile.id : c.id))).toEqual(['a', 'c', 'd']);
    expect(first.hasMore).toBe(true);
    const second = await store.changesSince(first.cursor, 3);
    if (second === 'must_refetch') throw new Error('must_refetch');
    expect(second.changes).toEqual([{ op: 'put', profile: profile('b', 2) }]);
    expect(second.hasMore).toBe(false);
    const empty = await store.changesSince(second.cursor, 3);
    expect(empty).toMatchObject({ changes: [], hasMore: false });
  });

  it('sends tombstones to a client that had the profile, not to one that starts from nothing', async () => {
    await store.put(profile('a'));
    await store.put(profile('b'));
    const synced = await store.changesSince(null, 10);
    if (synced === 'must_refetch') throw new Error('must_refetch');
    await store.delete('a');
    const incremental = await store.changesSince(synced.cursor, 10);
    expect(incremental).toMatchObject({ changes: [{ op: 'delete', id: 'a' }], hasMore: false });
    const fresh = await store.changesSince(null, 10);
    expect(fresh).toMatchObject({ changes: [{ op: 'put', profile: profile('b') }], hasMore: false });
  });

  it('a client paging a fresh sync still gets deletes that happen while it pages', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) await store.put(profile(id));
    const local = new Map<string, Profile>();
    const first = await store.changesSince(null, 2);
    if (first === 'must_refetch') throw new Error('must_refetch');
    applyPage(local, first); // has a, b
    await store.delete('a');
    await store.delete('e');
    await pullAll(store, local, first.cursor, 2);
    expect([...local.keys()].sort()).toEqual(['b', 'c', 'd']);
  });

  it('converges while profiles change between small pages', async () => {
    for (let i = 0; i < 40; i++) await store.put(profile(`p${i}`));
    const local = new Map<string, Profile>();
    let cursor: string | null = null;
    let step = 0;
    for (;;) {
      const page = await store.changesSince(cursor, 7);
      if (page === 'must_refetch') throw new Error('must_refetch');
      applyPage(local, page);
      cursor = page.cursor;
      // Between pulls: replace some, delete some, add new ones, re-add a deleted one.
      step++;
      if (step <= 6) {
        await store.put(profile(`p${step * 3}`, step + 1));
        await store.delete(`p${step * 5}`);
        await store.put(profile(`new${step}`));
        if (step === 4) await store.put(profile('p5', 9));
      }
      if (!page.hasMore && step > 6) break;
    }
    const server = await store.list();
    expect([...local.values()].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [...server].sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it('answers must_refetch for malformed, foreign and future cursors', async () => {
    await store.put(profile('a'));
    const page = await store.changesSince(null, 10);
    if (page === 'must_refetch') throw new Error('must_refetch');
    const state = decodeCursor(page.cursor);
    expect(state).toBeDefined();
    const good = state as NonNullable<typeof state>;
    expect(await store.changesSince('not-a-cursor', 10)).toBe('must_refetch');
    expect(await store.changesSince('%%%', 10)).toBe('must_refetch');
    expect(await store.changesSince('x'.repeat(600), 10)).toBe('must_refetch');
    expect(await store.changesSince(encodeCursor({ ...good, epoch: 'other-epoch' }), 10)).toBe('must_refetch');
    expect(await store.changesSince(encodeCursor({ ...good, seq: good.seq + 100 }), 10)).toBe('must_refetch');
    expect(await store.changesSince(page.cursor, 10)).toMatchObject({ changes: [], hasMore: false });
  });

  it('answers must_refetch once a tombstone the cursor still needs was pruned', async () => {
    const small = await backend.make({ maxTombstones: 2 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) await small.put(profile(id));
    const old = await small.changesSince(null, 100);
    if (old === 'must_refetch') throw new Error('must_refetch');
    await small.delete('a');
    const mid = await small.changesSince(old.cursor, 100);
    if (mid === 'must_refetch') throw new Error('must_refetch');
    expect(mid.changes).toEqual([{ op: 'delete', id: 'a' }]);
    await small.delete('b');
    await small.delete('c'); // three tombstones > 2: a's is pruned
    expect(await small.changesSince(old.cursor, 100)).toBe('must_refetch');
    // A cursor past the pruned tombstone is still served, and a fresh sync always is.
    const local = new Map<string, Profile>([
      ['b', profile('b')],
      ['c', profile('c')],
      ['d', profile('d')],
      ['e', profile('e')],
    ]);
    await pullAll(small, local, mid.cursor, 1);
    expect([...local.keys()].sort()).toEqual(['d', 'e']);
    const fresh = new Map<string, Profile>();
    await pullAll(small, fresh, null, 1);
    expect([...fresh.keys()].sort()).toEqual(['d', 'e']);
  });

  it('refuses a page limit that could never advance', async () => {
    await expect(store.changesSince(null, 0)).rejects.toThrow(RangeError);
    await expect(store.changesSince(null, 1.5)).rejects.toThrow(RangeError);
  });

  it('skips long runs of old tombstones for a fresh pull, sending no deletes', async () => {
    for (let i = 0; i < 1500; i++) await store.put(profile(`gone${String(i).padStart(4, '0')}`));
    for (let i = 0; i < 1500; i++) await store.delete(`gone${String(i).padStart(4, '0')}`);
    await store.put(profile('kept1'));
    await store.put(profile('kept2'));
    const local = new Map<string, Profile>();
    let cursor: string | null = null;
    let deletes = 0;
    for (;;) {
      const page = await store.changesSince(cursor, 1);
      if (page === 'must_refetch') throw new Error('must_refetch');
      deletes += page.changes.filter((c) => c.op === 'delete').length;
      applyPage(local, page);
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    expect(deletes).toBe(0);
    expect([...local.keys()].sort()).toEqual(['kept1', 'kept2']);
  });

  it('converges with writes running concurrently with the pulls', async () => {
    for (let i = 0; i < 30; i++) await store.put(profile(`p${i}`));
    const local = new Map<string, Profile>();
    let done = false;
    const writer = (async () => {
      for (let i = 0; i < 120; i++) {
        if (i % 3 === 2) await store.delete(`p${(i * 7) % 40}`);
        else await store.put(profile(`p${(i * 11) % 40}`, i));
      }
      done = true;
    })();
    let cursor: string | null = null;
    while (!done) {
      const page = await store.changesSince(cursor, 5);
      if (page === 'must_refetch') throw new Error('must_refetch');
      applyPage(local, page);
      cursor = page.cursor;
    }
    await writer;
    await pullAll(store, local, cursor, 5);
    expect([...local.values()].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      (await store.list()).sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it('loads a seed in order', async () => {
    const seeded = await backend.make({ seed: [profile('z'), profile('y')] });
    const page = await seeded.changesSince(null, 10);
    expect(page !== 'must_refetch' && page.changes.map((c) => c.op === 'put' && c.profile.id)).toEqual(['z', 'y']);
  });

  it.runIf(backend.sibling !== undefined)('shares one set and one log between processes', async () => {
    const other = (backend.sibling as (s: ProfileStore) => ProfileStore)(store);
    await store.put(profile('a'));
    await other.put(profile('b'));
    expect((await other.list()).map((p) => p.id)).toEqual(['a', 'b']);
    const page = await store.changesSince(null, 10);
    if (page === 'must_refetch') throw new Error('must_refetch');
    // A cursor from one process works on the other.
    await store.delete('a');
    expect(await other.changesSince(page.cursor, 10)).toMatchObject({ changes: [{ op: 'delete', id: 'a' }] });
    // Concurrent writers get distinct sequence numbers: every put shows up once in the log.
    await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? store : other).put(profile(`c${i}`))));
    const local = new Map<string, Profile>();
    await pullAll(other, local, null, 9);
    expect(local.size).toBe(51);
  });
});

describe('redis store epoch', () => {
  it('a cursor into a key space that was wiped must refetch', async () => {
    const store = new RedisProfileStore({ keyPrefix: `nearfeed-test:${randomUUID()}:` });
    redisStores.push(store);
    await store.put(profile('a'));
    const page = await store.changesSince(null, 10);
    if (page === 'must_refetch') throw new Error('must_refetch');
    await store.destroy(); // as a FLUSHDB or a new Redis would
    await store.put(profile('b'));
    expect(await store.changesSince(page.cursor, 10)).toBe('must_refetch');
  });
});

describe('redis store seeding', () => {
  it('seeds once, even when several processes start at once, and never after writes', async () => {
    const prefix = `nearfeed-test:${randomUUID()}:`;
    const stores = Array.from({ length: 3 }, () => new RedisProfileStore({ keyPrefix: prefix }));
    redisStores.push(...stores);
    const seeded = await Promise.all(stores.map((s) => s.seedIfEmpty([profile('a'), profile('b')])));
    expect(seeded.filter(Boolean)).toHaveLength(1);
    const first = stores[0] as RedisProfileStore;
    await first.delete('a');
    await first.delete('b');
    expect(await first.seedIfEmpty([profile('a')])).toBe(false);
    expect(await first.list()).toEqual([]);
  });
});

describe('redis store bulk writes', () => {
  it('sends one script call per chunk of WRITE_CHUNK writes, whatever the mix', async () => {
    // MONITOR slows Redis down a lot (every command inside the scripts is reported): a generous timeout.
    const store = new RedisProfileStore({ keyPrefix: `nearfeed-test:${randomUUID()}:`, commandTimeoutMs: 20_000 });
    redisStores.push(store);
    const writes: ProfileWrite[] = [];
    for (let i = 0; i < WRITE_CHUNK * 2 + 5; i++) {
      writes.push(i % 7 === 3 ? { op: 'delete', id: `p${i - 1}` } : { op: 'put', profile: profile(`p${i}`) });
    }
    let outcomes: WriteOutcome[] = [];
    const seen = await recordCommands(store.keyPrefix, async () => {
      outcomes = await store.write(writes);
    });
    const roundTrips = seen.filter((c) => c.source !== 'lua');
    // ioredis sends EVAL the first time a connection runs a script, EVALSHA after.
    expect(roundTrips.map((c) => c.name.replace('evalsha', 'eval'))).toEqual(['eval', 'eval', 'eval']);
    expect(outcomes.filter((o) => o === 'deleted')).toHaveLength(writes.filter((w) => w.op === 'delete').length);
    expect(await store.get('p0')).toEqual(profile('p0'));
  });
});
