/**
 * The contract between the server's parts. `createApp(deps)` (server/app.ts) takes these, so tests build the
 * app on real or test parts and `server/main.ts` wires the production ones.
 */
import type { NearfeedConfig } from '../shared/config';
import type { Profile } from '../shared/types';
import type { ProfileStore } from './store/profile-store';
import type { EmbeddingCache } from './cache/embedding-cache';
import type { MlService } from './ml/ml-service';
import type { Ranking } from './ranking/create-ranking';
import type { StaticFilesOptions } from './static';
import type { TransportTimeouts } from './http/node-server';
import type { Logger, LogLevel } from './log';
import type { ApiKey } from './http/access';
import type { RateLimiter, RateLimitSettings } from './http/rate-limit';
import type { Metrics } from './http/metrics';
import type { ModelUrl } from './embedder/model-url';

/** Server-only settings, read from env next to the shared ones. */
export interface ServerConfig extends NearfeedConfig, TransportTimeouts {
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
  /** MAX_IMPORT_BATCH (default 1000): most items in one POST /profiles/batch. */
  maxImportBatch: number;
  /** EMBED_CLAIM_IDLE_MS (default 30000): a Redis embedding queue entry unacknowledged this long is taken over. */
  embedClaimIdleMs: number;
  /** INDEX_POLL_MS (default 1000): the candidate index's read of the log and shared vectors without a nudge. */
  indexPollMs: number;
  /** Largest single text, in bytes; longer texts are truncated by tokens up to this. */
  maxTextBytes: number;
  /** DYNAMIC_BATCHING (default true): coalesce concurrent embedding requests into one model call. */
  dynamicBatching: boolean;
  /** BATCH_WINDOW_MS (default 3): how long the first waiting request waits for others to join its batch. */
  batchWindowMs: number;
  /** MAX_QUEUE_SIZE (default 1024): texts waiting for the model; beyond it requests get 429 overloaded. */
  maxQueueSize: number;
  /** LOG_LEVEL (default info). */
  logLevel: LogLevel;
  /** API_KEYS: empty means writes only from loopback clients. */
  apiKeys: readonly ApiKey[];
  /** REQUIRE_READ_KEY (default false). */
  requireReadKey: boolean;
  /** CORS_ORIGINS: origins whose pages may call the API ('*' for any); empty: none. */
  corsOrigins: readonly string[];
  /** TRUST_PROXY (default false): client address from X-Forwarded-For. */
  trustProxy: boolean;
  /** METRICS (default true): GET /metrics and the request timing behind it. */
  metrics: boolean;
  /** RATE_LIMIT_PER_SECOND / RATE_LIMIT_BURST; perSecond 0 is off. */
  rateLimit: RateLimitSettings;
  /** Set when EMBEDDING_MODEL is a URL; `embeddingModel` is then its name (`<last segment>-<hash>`), never the URL. */
  modelUrl?: ModelUrl;
  /** HF_ENDPOINT (default https://huggingface.co): the hub (or a mirror) hub ids come from. */
  hfEndpoint: string;
  /** MODEL_CACHE_DIR (default models/cache): downloaded models, `url/` and `hub/` under it. */
  modelCacheDir: string;
  /** MODEL_DOWNLOAD_TIMEOUT_MS (default 10 min): a whole URL model download. */
  modelDownloadTimeoutMs: number;
  /** MODEL_DOWNLOAD_MAX_BYTES (default 4 GiB): all files of a URL model download together. */
  modelDownloadMaxBytes: number;
}

/** Everything `createApp` runs on. */
export interface ServerDeps {
  config: ServerConfig;
  store: ProfileStore;
  cache: EmbeddingCache;
  ml: MlService;
  /** The live candidate index, embedding queue and ranking service of this process (server/ranking/). */
  ranking: Ranking;
  /** When set, the app also serves the built demo at `/` and model folders at `/models/<name>/`. */
  staticFiles?: StaticFilesOptions;
  /** Where request and failure lines go (default: the process logger, silent under vitest). */
  logger?: Logger;
  /** The rate limiter (default: per process, from `config.rateLimit`); main passes the Redis-shared one. */
  rateLimiter?: RateLimiter;
  /**
   * The registry behind GET /metrics (default: a new one for this app). Pass the one the ML service was
   * given as its observer, so inference and cache figures land in it too.
   */
  metrics?: Metrics;
}

/** What `createApp` needs: the parts, with the ranking side built over them when not given. */
export type AppDeps = Omit<ServerDeps, 'ranking'> & { ranking?: Ranking };

export type { Profile };
