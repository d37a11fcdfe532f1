import { describe, expect, it } from 'vitest';
import { createMemoryCache } from '../server/cache/memory-cache';
import type { CachedEmbedding } from '../server/cache/embedding-cache';
import { modelKey } from '../shared/embedder';

const MODEL = modelKey('models/generated/test', 'fp32', 128);
const OTHER_MODEL = modelKey('models/generated/test', 'q8', 128);

function vec(...values: number[]): Float32Array {
  return Float32Array.from(values);
}

function entry(contentHash: string, values: number[] = [0.6, 0.8], model = MODEL): CachedEmbedding {
  return { vector: vec(...values), modelKey: model, contentHash };
}

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('memory embedding cache', () => {
  it('misses, then hits texts and profiles with their model key and hash', async () => {
    const cache = createMemoryCache({ maxEntries: 10, ttlSeconds: 60 });
    expect(cache.backend).toBe('memory');
    expect(cache.connected()).toBe(true);

    expect(await cache.getTexts(MODEL, ['t1', 't2'])).toEqual([undefined, undefined]);
    await cache.setTexts(MODEL, [{ textHash: 't1', vector: vec(1, 0) }]);
    const [t1, t2] = await cache.getTexts(MODEL, ['t1', 't2']);
    expect(t1).toEqual({ vector: vec(1, 0), modelKey: MODEL, contentHash: 't1' });
    expect(t2).toBeUndefined();

    expect(await cache.getProfiles(['p1'])).toEqual([undefined]);
    await cache.setProfiles([{ id: 'p1', entry: entry('h1') }]);
    expect(await cache.getProfiles(['p1', 'p2'])).toEqual([entry('h1'), undefined]);
  });

  it('evicts the least recently used entry first, counting reads as use', async () => {
    const cache = createMemoryCache({ maxEntries: 3, ttlSeconds: 60 });
    await cache.setProfiles([
      { id: 'a', entry: entry('ha') },
      { id: 'b', entry: entry('hb') },
      { id: 'c', entry: entry('hc') },
    ]);
    await cache.getProfiles(['a']); // a is now the most recent: b is the oldest
    await cache.setProfiles([{ id: 'd', entry: entry('hd') }]);
    const present = (await cache.getProfiles(['a', 'b', 'c', 'd'])).map((e) => e?.contentHash);
    expect(present).toEqual(['ha', undefined, 'hc', 'hd']);

    // Reads above left the order a, c, d (oldest first); rewriting c makes it a, d, c.
    await cache.setProfiles([{ id: 'c', entry: entry('hc2') }]);
    await cache.setTexts(MODEL, [{ textHash: 'x', vector: vec(1) }]); // evicts the oldest: a
    const after = (await cache.getProfiles(['a', 'c', 'd'])).map((e) => e?.contentHash);
    expect(after).toEqual([undefined, 'hc2', 'hd']);
  });

  it('expires entries after ttlSeconds on the injected clock', async () => {
    const clock = manualClock();
    const cache = createMemoryCache({ maxEntries: 10, ttlSeconds: 10, now: clock.now });
    await cache.setProfiles([{ id: 'p', entry: entry('h') }]);
    await cache.setTexts(MODEL, [{ textHash: 't', vector: vec(1) }]);
    clock.advance(9_999);
    expect((await cache.getProfiles(['p']))[0]?.contentHash).toBe('h');
    expect((await cache.getTexts(MODEL, ['t']))[0]?.contentHash).toBe('t');
    clock.advance(1); // exactly ttl: gone (a hit does not extend the lifetime)
    expect(await cache.getProfiles(['p'])).toEqual([undefined]);
    expect(await cache.getTexts(MODEL, ['t'])).toEqual([undefined]);
  });

  it('never serves another model key or a changed content hash', async () => {
    const cache = createMemoryCache({ maxEntries: 10, ttlSeconds: 60 });
    await cache.setTexts(MODEL, [{ textHash: 't', vector: vec(1) }]);
    expect(await cache.getTexts(OTHER_MODEL, ['t'])).toEqual([undefined]);

    await cache.setProfiles([{ id: 'p', entry: entry('h1') }]);
    expect(await cache.getProfiles(['p'], { modelKey: OTHER_MODEL })).toEqual([undefined]);
    expect(await cache.getProfiles(['p'], { contentHashes: ['h2'] })).toEqual([undefined]);
    expect(await cache.getProfiles(['p'], { modelKey: MODEL, contentHashes: ['h1'] })).toEqual([entry('h1')]);
    // Without options the caller gets the entry's model key and hash to judge itself.
    expect((await cache.getProfiles(['p']))[0]).toMatchObject({ modelKey: MODEL, contentHash: 'h1' });
  });

  it('deleteProfiles removes the entry', async () => {
    const cache = createMemoryCache({ maxEntries: 10, ttlSeconds: 60 });
    await cache.setProfiles([{ id: 'p', entry: entry('h1') }, { id: 'q', entry: entry('hq') }]);
    await cache.deleteProfiles(['p']);
    expect((await cache.getProfiles(['p', 'q'])).map((e) => e?.contentHash)).toEqual([undefined, 'hq']);
  });

  it('drops a vector computed from a version that was invalidated during the computation', async () => {
    const cache = createMemoryCache({ maxEntries: 10, ttlSeconds: 60 });
    // Compute starts from version h1: read (miss) and take the ticket.
    const { entries, ticket } = await cache.readProfiles(['p'], { modelKey: MODEL, contentHashes: ['h1'] });
    expect(entries).toEqual([undefined]);
    // Meanwhile the profile is updated to h2 and its cache entry invalidated.
    await cache.deleteProfiles(['p']);
    // The late write of h1's vector, even with a store check that still saw h1, stores nothing.
    await cache.setProfiles([{ id: 'p', entry: entry('h1') }], { ticket, currentContentHashes: ['h1'] });
    expect(await cache.getProfiles(['p'])).toEqual([undefined]);
    expect(await cache.getProfiles(['p'], { modelKey: MODEL, contentHashes: ['h2'] })).toEqual([undefined]);

    // A writer that ignores tickets still cannot make h1's vector visible to a reader of h2.
    await cache.setProfiles([{ id: 'p', entry: entry('h1') }]);
    expect(await cache.getProfiles(['p'], { modelKey: MODEL, contentHashes: ['h2'] })).toEqual([undefined]);

    // A computation that starts after the invalidation writes normally.
    const fresh = await cache.readProfiles(['p'], { modelKey: MODEL, contentHashes: ['h2'] });
    await cache.setProfiles([{ id: 'p', entry: entry('h2', [0, 1]) }], {
      ticket: fresh.ticket,
      currentContentHashes: ['h2'],
    });
    expect(await cache.getProfiles(['p'], { modelKey: MODEL, contentHashes: ['h2'] })).toEqual([entry('h2', [0, 1])]);
  });

  it('skips writes whose hash is no longer the current one, and ids the ticket never read', async () => {
    const cache = createMemoryCache({ maxEntries: 10, ttlSeconds: 60 });
    const { ticket } = await cache.readProfiles(['a', 'b']);
    await cache.setProfiles(
      [
        { id: 'a', entry: entry('a1') },
        { id: 'b', entry: entry('b1') },
        { id: 'c', entry: entry('c1') },
      ],
      { ticket, currentContentHashes: ['a1', 'b2', 'c1'] },
    );
    expect((await cache.getProfiles(['a', 'b', 'c'])).map((e) => e?.contentHash)).toEqual(['a1', undefined, undefined]);
  });

  it('copies vectors in and out, so callers cannot corrupt entries', async () => {
    const cache = createMemoryCache({ maxEntries: 10, ttlSeconds: 60 });
    const v = vec(1, 2);
    await cache.setTexts(MODEL, [{ textHash: 't', vector: v }]);
    v[0] = 99;
    const first = (await cache.getTexts(MODEL, ['t']))[0];
    expect(first?.vector).toEqual(vec(1, 2));
    if (first) first.vector[1] = 99;
    expect((await cache.getTexts(MODEL, ['t']))[0]?.vector).toEqual(vec(1, 2));
  });

  it('rejects settings that make no sense', () => {
    expect(() => createMemoryCache({ maxEntries: 0, ttlSeconds: 60 })).toThrow(/maxEntries/);
    expect(() => createMemoryCache({ maxEntries: 10, ttlSeconds: 0 })).toThrow(/ttlSeconds/);
  });
});
