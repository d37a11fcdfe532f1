/**
 * Embedding cache: Redis (ioredis) when REDIS_URL is set, an in-memory LRU otherwise.
 * Keys: `embedding:profile:{profile_id}` and `embedding:text:{model_key}:{sha256(text)}`.
 * Batch calls are one round trip (MGET / one script call). A down cache answers misses and swallows writes:
 * callers never fail because of it.
 *
 * Staleness, in two layers (both backends behave the same):
 * 1. Every entry carries the model key and the content hash it was computed from. Reads given
 *    `{ modelKey, contentHashes }` answer a miss on any mismatch, so an old vector is never served for new
 *    content and a model never reads another model's vector.
 * 2. Writes can be made conditional, so a vector computed while its profile changed is not even stored:
 *    `readProfiles` hands out a ticket (each profile's invalidation generation at read time);
 *    `deleteProfiles` replaces that generation; `setProfiles(entries, { ticket })` writes an entry only when
 *    its profile's generation is still the one in the ticket, checked atomically where the write happens.
 *    `currentContentHashes` additionally drops entries whose hash is no longer the profile's current one.
 */

/** What a cache entry carries besides the vector, so a stale or foreign vector is never served. */
export interface CachedEmbedding {
  vector: Float32Array;
  /** `modelKey(model, dtype, maxSeqLength)` of the embedder that computed the vector. */
  modelKey: string;
  /** Content hash of the text or profile the vector was computed from. */
  contentHash: string;
}

/** Checks a profile read applies; an entry that fails one is answered as a miss. */
export interface ProfileReadOptions {
  /** Only entries computed by this model key. */
  modelKey?: string;
  /** Current content hash per id (same order as `ids`); an entry with another hash is a miss. */
  contentHashes?: readonly (string | undefined)[];
}

/**
 * Each profile's invalidation generation as seen by a read; pass it to `setProfiles` so a vector computed
 * from what that read saw is dropped if the profile was invalidated since. Opaque; only valid for the cache
 * that issued it.
 */
export interface ProfileWriteTicket {
  readonly generations: ReadonlyMap<string, string | null>;
}

export interface ProfileReadResult {
  entries: (CachedEmbedding | undefined)[];
  ticket: ProfileWriteTicket;
}

/** Conditions of a profile write; an entry that fails one is silently not written. */
export interface ProfileWriteOptions {
  /** From the `readProfiles` that preceded the computation: skip profiles invalidated since then. */
  ticket?: ProfileWriteTicket;
  /**
   * The profiles' current content hash, same order as `entries` (read from the store right before writing):
   * an entry whose `contentHash` differs is not written.
   */
  currentContentHashes?: readonly (string | undefined)[];
}

/** The embedding cache both backends implement; see the module comment for keys and staleness rules. */
export interface EmbeddingCache {
  readonly backend: 'redis' | 'memory';
  /** Whether the backend answers right now (false while Redis is down or timing out). */
  connected(): boolean;
  /** Vectors of texts by sha256(text), only those stored under exactly this model key and hash. */
  getTexts(modelKey: string, textHashes: readonly string[]): Promise<(CachedEmbedding | undefined)[]>;
  setTexts(modelKey: string, entries: readonly { textHash: string; vector: Float32Array }[]): Promise<void>;
  /** Profile entries by id; with options, mismatching entries are misses (see `ProfileReadOptions`). */
  getProfiles(ids: readonly string[], options?: ProfileReadOptions): Promise<(CachedEmbedding | undefined)[]>;
  /** Like `getProfiles`, plus a ticket for a conditional `setProfiles` after computing the misses. */
  readProfiles(ids: readonly string[], options?: ProfileReadOptions): Promise<ProfileReadResult>;
  /** Writes profile entries (TTL from the cache's settings), subject to `options`. */
  setProfiles(entries: readonly { id: string; entry: CachedEmbedding }[], options?: ProfileWriteOptions): Promise<void>;
  /** Removes these profiles' entries and invalidates outstanding tickets for them (call on every write), in one round trip. */
  deleteProfiles(ids: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
