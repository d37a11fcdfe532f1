/**
 * Embedding cache: Redis (ioredis) when REDIS_URL is set, an in-memory LRU otherwise.
 * Keys: `embedding:profile:{profile_id}` and `embedding:text:{model_key}:{sha256(text)}`.
 * Batch calls are one round trip (MGET / pipeline). A down cache answers misses and swallows writes:
 * callers never fail because of it.
 */

/** What a cache entry carries besides the vector, so a stale or foreign vector is never served. */
export interface CachedEmbedding {
  vector: Float32Array;
  modelKey: string;
  /** Content hash of the text or profile the vector was computed from. */
  contentHash: string;
}

export interface EmbeddingCache {
  readonly backend: 'redis' | 'memory';
  /** Whether the backend answers right now. */
  connected(): boolean;
  getTexts(modelKey: string, textHashes: readonly string[]): Promise<(CachedEmbedding | undefined)[]>;
  setTexts(modelKey: string, entries: readonly { textHash: string; vector: Float32Array }[]): Promise<void>;
  getProfiles(ids: readonly string[]): Promise<(CachedEmbedding | undefined)[]>;
  setProfiles(entries: readonly { id: string; entry: CachedEmbedding }[]): Promise<void>;
  deleteProfile(id: string): Promise<void>;
  close(): Promise<void>;
}
