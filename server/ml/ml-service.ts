/**
 * The server's ML facade: the embedder (or why there is none), the cache in front of it, dynamic batching
 * of concurrent requests, and health. Routes use this, never the embedder directly.
 */
import type { MlHealth } from '../../shared/api/ml';
import type { EmbedderInfo } from '../../shared/embedder';
import type { Profile } from '../../shared/types';
import type { Priority } from './priority-lanes';

export type { MlHealth } from '../../shared/api/ml';

/** /ml/health as the ML service knows it; the route adds `pending_embeddings` from the embedding queue. */
export type MlServiceHealth = Omit<MlHealth, 'pending_embeddings'>;

/** How `profileVectors` runs its cache misses. */
export interface ProfileVectorOptions {
  /** 'interactive' (default) for a request waiting on it; 'background' for the write-time embedding queue. */
  priority?: Priority;
}

/**
 * Told of every model call and embedding cache lookup (server/http/metrics.ts implements it for /metrics).
 * Calls are synchronous and cheap; an observer must not throw.
 */
export interface MlObserver {
  /** One model call: its lane, how many texts it embedded and how long it took. */
  inference(lane: Priority, size: number, seconds: number): void;
  /** Embedding cache lookups of one request: `text` (texts embedded on request) or `profile` vectors. */
  cacheLookups(kind: 'text' | 'profile', hits: number, misses: number): void;
}

/** What the routes may ask of the ML side. */
export interface MlService {
  /** True when an embedder is loaded and ML is enabled. */
  available(): boolean;
  /** Info of the loaded embedder, undefined while unavailable. */
  info(): EmbedderInfo | undefined;
  /**
   * Embeds texts through the text cache and the dynamic batcher; `cached` counts cache hits. `promptName`
   * picks one of the model's prompts (default: its default prompt, if any); an unknown name is a 422.
   */
  embedTexts(
    texts: readonly string[],
    options?: { promptName?: string },
  ): Promise<{ vectors: Float32Array[]; cached: number }>;
  /**
   * The model's token counts of texts, special tokens included: after truncation at max_seq_length (what the
   * model reads; usage figures), or before it with `truncate: false` (to refuse texts that would be cut).
   */
  countTokens(texts: readonly string[], options?: { truncate?: boolean }): Promise<number[]>;
  /**
   * Vectors of candidate profiles (the document side of a search), from `embedding:profile:{id}` when the
   * content hash still matches; misses are computed (at `options.priority`) and cached when the profile is
   * still the stored version.
   */
  profileVectors(profiles: readonly Profile[], options?: ProfileVectorOptions): Promise<Float32Array[]>;
  /**
   * Vectors of the profiles a feed is ranked for (the query side). For a model with query and document
   * prompts they are embedded with the query prompt; otherwise a stored profile's vector is its candidate
   * vector (usually cached) and an inline one's that of its text.
   */
  queryVectors(queries: readonly { profile: Profile; stored: boolean }[]): Promise<Float32Array[]>;
  /** Texts waiting for the model in the dynamic batcher right now (0 without one). */
  queuedTexts(): number;
  /** Drops these profiles' cached vectors (on every write), in one cache round trip. */
  forgetProfiles(ids: readonly string[]): Promise<void>;
  /** The /ml/health report (all but the queue's part), read live from the model state, the cache and the store. */
  health(): Promise<MlServiceHealth>;
  /** Rejects queued work and releases the model session (on shutdown). */
  close(): Promise<void>;
}
