/** Picks the embedding cache backend from the server settings: Redis when REDIS_URL is set, else memory. */
import type { EmbeddingCache } from './embedding-cache';
import { createMemoryCache } from './memory-cache';
import { createRedisCache, type CacheLogger } from './redis-cache';

export interface EmbeddingCacheSettings {
  /** REDIS_URL; absent → the in-memory LRU. */
  redisUrl?: string;
  /** EMBEDDING_CACHE_TTL in seconds. */
  ttlSeconds: number;
  /** Size of the in-memory LRU (default 20,000 entries ≈ 30 MB of 384-dim vectors). */
  maxEntries?: number;
  logger?: CacheLogger;
}

/** The cache `npm start` uses: Redis when `redisUrl` is set (it connects in the background), else the LRU. */
export function createEmbeddingCache(settings: EmbeddingCacheSettings): EmbeddingCache {
  if (settings.redisUrl) {
    return createRedisCache({ url: settings.redisUrl, ttlSeconds: settings.ttlSeconds, logger: settings.logger });
  }
  return createMemoryCache({ maxEntries: settings.maxEntries ?? 20_000, ttlSeconds: settings.ttlSeconds });
}
