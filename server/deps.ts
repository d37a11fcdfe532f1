/**
 * The contract between the server's parts. `createApp(deps)` (server/app.ts) takes these, so tests build the
 * app on real or test parts and `server/main.ts` wires the production ones.
 */
import type { NearfeedConfig } from '../shared/config';
import type { Profile } from '../shared/types';
import type { ProfileStore } from './store/profile-store';
import type { EmbeddingCache } from './cache/embedding-cache';
import type { MlService } from './ml/ml-service';

/** Server-only settings, read from env next to the shared ones. */
export interface ServerConfig extends NearfeedConfig {
  port: number;
  /** REDIS_URL: Redis for the embedding cache (and the store when profileStore is 'redis'). */
  redisUrl?: string;
  /** PROFILE_STORE: 'memory' (default, seeded with demo data) or 'redis'. */
  profileStore: 'memory' | 'redis';
  /** EMBEDDING_CACHE_TTL seconds (default 3600). */
  embeddingCacheTtl: number;
  /** Request body limit in bytes (default 2 MB). */
  maxBodyBytes: number;
  /** Largest batch a batch endpoint accepts. */
  maxBatchSize: number;
  /** Largest single text, in bytes; longer texts are truncated by tokens up to this. */
  maxTextBytes: number;
}

export interface ServerDeps {
  config: ServerConfig;
  store: ProfileStore;
  cache: EmbeddingCache;
  ml: MlService;
}

export type { Profile };
