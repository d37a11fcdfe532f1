/**
 * In-memory embedding cache: one LRU (a Map in recency order) with a TTL per entry, the default backend when
 * no REDIS_URL is set. Same keys, checks and ticket semantics as the Redis backend (see embedding-cache.ts).
 * Vectors are copied in and out, so a caller mutating a returned array cannot corrupt the cache.
 */
import { randomUUID } from 'node:crypto';
import type {
  CachedEmbedding,
  EmbeddingCache,
  ProfileReadOptions,
  ProfileReadResult,
  ProfileWriteOptions,
  ProfileWriteTicket,
} from './embedding-cache';
import { acceptProfileEntry, acceptTextEntry, checkTtlSeconds, contentHashAllowsWrite } from './entry-checks';
import { profileKey, textKey } from './keys';

export interface MemoryCacheOptions {
  /** Most entries kept (profiles and texts together); the least recently used go first. */
  maxEntries: number;
  /** Lifetime of an entry in seconds (EMBEDDING_CACHE_TTL). */
  ttlSeconds: number;
  /** How long an invalidation outlives its profile's entry, for tickets; default max(ttlSeconds, 600). */
  generationTtlSeconds?: number;
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number;
}

interface Stored {
  entry: CachedEmbedding;
  expiresAt: number;
}

function copyEntry(entry: CachedEmbedding): CachedEmbedding {
  return { vector: Float32Array.from(entry.vector), modelKey: entry.modelKey, contentHash: entry.contentHash };
}

/** An in-process `EmbeddingCache` (LRU + TTL); always connected. */
export function createMemoryCache(options: MemoryCacheOptions): EmbeddingCache {
  const { maxEntries } = options;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`embedding cache: maxEntries must be an integer >= 1, got ${maxEntries}`);
  }
  const ttlMs = checkTtlSeconds(options.ttlSeconds) * 1000;
  const generationTtlMs =
    checkTtlSeconds(options.generationTtlSeconds ?? Math.max(options.ttlSeconds, 600), 'generationTtlSeconds') *
    1000;
  const now = options.now ?? Date.now;
  const lru = new Map<string, Stored>();
  const generations = new Map<string, { token: string; expiresAt: number }>();

  function read(key: string): CachedEmbedding | undefined {
    const stored = lru.get(key);
    if (!stored) return undefined;
    if (stored.expiresAt <= now()) {
      lru.delete(key);
      return undefined;
    }
    lru.delete(key); // re-insert: a Map iterates in insertion order, so the end is the most recent
    lru.set(key, stored);
    return copyEntry(stored.entry);
  }

  function write(key: string, entry: CachedEmbedding): void {
    lru.delete(key);
    lru.set(key, { entry: copyEntry(entry), expiresAt: now() + ttlMs });
    while (lru.size > maxEntries) {
      const oldest = lru.keys().next();
      if (oldest.done) break;
      lru.delete(oldest.value);
    }
  }

  function generation(id: string): string | null {
    const gen = generations.get(id);
    if (!gen) return null;
    if (gen.expiresAt <= now()) {
      generations.delete(id);
      return null;
    }
    return gen.token;
  }

  function pruneGenerations(): void {
    if (generations.size <= maxEntries) return;
    const t = now();
    for (const [id, gen] of generations) if (gen.expiresAt <= t) generations.delete(id);
  }

  const getProfiles = async (ids: readonly string[], readOptions?: ProfileReadOptions) =>
    ids.map((id, i) => acceptProfileEntry(read(profileKey(id)), i, readOptions));

  return {
    backend: 'memory',
    connected: () => true,

    async getTexts(modelKey, textHashes) {
      return textHashes.map((hash) => acceptTextEntry(read(textKey(modelKey, hash)), modelKey, hash));
    },

    async setTexts(modelKey, entries) {
      for (const { textHash, vector } of entries) {
        write(textKey(modelKey, textHash), { vector, modelKey, contentHash: textHash });
      }
    },

    getProfiles,

    async readProfiles(ids, readOptions): Promise<ProfileReadResult> {
      const ticket: ProfileWriteTicket = { generations: new Map(ids.map((id) => [id, generation(id)])) };
      return { entries: await getProfiles(ids, readOptions), ticket };
    },

    async setProfiles(entries, writeOptions?: ProfileWriteOptions) {
      const ticket = writeOptions?.ticket;
      entries.forEach(({ id, entry }, i) => {
        if (!contentHashAllowsWrite(entry, i, writeOptions)) return;
        if (ticket && (!ticket.generations.has(id) || ticket.generations.get(id) !== generation(id))) return;
        write(profileKey(id), entry);
      });
    },

    async deleteProfiles(ids) {
      for (const id of ids) {
        lru.delete(profileKey(id));
        generations.set(id, { token: randomUUID(), expiresAt: now() + generationTtlMs });
      }
      pruneGenerations();
    },

    async close() {
      lru.clear();
      generations.clear();
    },
  };
}
