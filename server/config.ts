/**
 * Server settings from env: the shared ones (shared/config.ts `parseConfig`) plus the server's own. Every
 * invalid value is a ConfigError naming the variable, the value and what is allowed.
 */
import { ConfigError, parseBoolean, parseConfig } from '../shared/config';
import type { ServerConfig } from './deps';
import { LOG_LEVELS, type LogLevel } from './log';
import { parseApiKeys } from './http/access';
import { looksLikeModelUrl, ModelUrlError, parseModelUrl, type ModelUrl } from './embedder/model-url';

/** One server-only env variable, for docs and error messages. */
export interface ServerVariable {
  name: string;
  default: string;
  description: string;
}

/** The server's own variables (the shared ones are in shared/config.ts CONFIG_VARIABLES). */
export const SERVER_VARIABLES: readonly ServerVariable[] = Object.freeze([
  { name: 'PORT', default: '8787', description: 'HTTP port.' },
  { name: 'REDIS_URL', default: '', description: 'Redis for the embedding cache (and the store with PROFILE_STORE=redis); unset: in-memory cache.' },
  { name: 'PROFILE_STORE', default: 'memory', description: 'memory (seeded with the demo data) or redis (needs REDIS_URL).' },
  { name: 'EMBEDDING_CACHE_TTL', default: '3600', description: 'Seconds an embedding cache entry lives.' },
  { name: 'MAX_BODY_BYTES', default: '2097152', description: 'Largest request body; larger ones get 413 payload_too_large.' },
  { name: 'MAX_BATCH_SIZE', default: '64', description: 'Most items in one batch request; more get 413 batch_too_large.' },
  { name: 'EMBED_CLAIM_IDLE_MS', default: '30000', description: 'PROFILE_STORE=redis: embedding queue entries a process took and did not finish within this long (it crashed) are taken over by another process.' },
  { name: 'INDEX_POLL_MS', default: '1000', description: "How often a process's candidate index re-reads the change log and the shared vectors when no write nudge came." },
  { name: 'MAX_IMPORT_BATCH', default: '1000', description: 'Most items (upserts + deletes) in one POST /profiles/batch; more get 413 batch_too_large.' },
  { name: 'MAX_TEXT_BYTES', default: '32768', description: 'Largest single text in UTF-8 bytes (422 above); texts are truncated to max_seq_length tokens.' },
  { name: 'DYNAMIC_BATCHING', default: 'true', description: 'Coalesce concurrent embedding requests into one model call.' },
  { name: 'BATCH_WINDOW_MS', default: '3', description: 'How long a request waits for others to share its model call.' },
  { name: 'MAX_QUEUE_SIZE', default: '1024', description: 'Texts waiting for the model before requests get 429 overloaded.' },
  { name: 'API_KEYS', default: '', description: 'write:<key>,read:<key>,... (keys of 16+ characters); unset: writes only from loopback clients.' },
  { name: 'REQUIRE_READ_KEY', default: 'false', description: 'true: reads need a key too (health and the demo page stay open).' },
  { name: 'CORS_ORIGINS', default: '', description: 'Comma-separated origins (https://app.example) whose pages may call the API; unset: none.' },
  { name: 'TRUST_PROXY', default: 'false', description: 'true behind a reverse proxy: the client address is the last X-Forwarded-For hop.' },
  { name: 'RATE_LIMIT_PER_SECOND', default: '100', description: 'Requests per second per API key (or client address); 0 turns rate limits off.' },
  { name: 'RATE_LIMIT_BURST', default: '200', description: 'Extra requests a client may make above the rate in a short peak.' },
  { name: 'METRICS', default: 'true', description: 'false: no GET /metrics and no request timing.' },
  { name: 'LOG_LEVEL', default: 'info', description: 'trace, debug, info, warn, error, fatal or silent: JSON log lines at this level and above go to stdout.' },
  { name: 'HEADERS_TIMEOUT_MS', default: '10000', description: 'A client must send its request headers within this long (408 and closed after).' },
  { name: 'REQUEST_TIMEOUT_MS', default: '30000', description: 'A client must send its whole request (headers and body) within this long; a silent socket is closed after it too.' },
  { name: 'HF_ENDPOINT', default: 'https://huggingface.co', description: 'Hugging Face hub (or mirror) that hub model ids are downloaded from.' },
  { name: 'MODEL_CACHE_DIR', default: 'models/cache', description: 'Where downloaded models are kept: EMBEDDING_MODEL URLs under url/, hub models under hub/ (relative paths: to the working directory).' },
  { name: 'MODEL_DOWNLOAD_TIMEOUT_MS', default: '600000', description: 'Longest a model download from an EMBEDDING_MODEL URL may take, all files together; slower: refused, nothing kept.' },
  { name: 'MODEL_DOWNLOAD_MAX_BYTES', default: '4294967296', description: 'Most bytes a model download from an EMBEDDING_MODEL URL may have, all files together; more: refused, nothing kept.' },
  { name: 'KEEP_ALIVE_TIMEOUT_MS', default: '5000', description: 'An idle keep-alive connection is closed after this long.' },
]);

type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = raw(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(name, v, `${name} must be an integer in [${min}, ${max}], got "${v}"`);
  }
  return n;
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

export interface LoadedServerConfig {
  config: ServerConfig;
  /** Non-fatal notes from the shared parser (e.g. weights renormalised). */
  warnings: string[];
}

/** Parses and validates every setting; throws ConfigError on the first invalid one. */
export function loadServerConfig(env: Env): LoadedServerConfig {
  const { config: shared, warnings } = parseConfig(env);

  const redisUrl = raw(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/./.test(redisUrl)) {
    throw new ConfigError('REDIS_URL', redisUrl, `REDIS_URL must be a redis:// or rediss:// URL, got "${redisUrl}"`);
  }
  const store = raw(env, 'PROFILE_STORE') ?? 'memory';
  if (store !== 'memory' && store !== 'redis') {
    throw new ConfigError('PROFILE_STORE', store, `PROFILE_STORE must be one of memory, redis, got "${store}"`);
  }
  if (store === 'redis' && redisUrl === undefined) {
    throw new ConfigError('PROFILE_STORE', store, 'PROFILE_STORE=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379)');
  }

  const maxBodyBytes = int(env, 'MAX_BODY_BYTES', 2 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  const maxBatchSize = int(env, 'MAX_BATCH_SIZE', 64, 1, 4096);
  const maxImportBatch = int(env, 'MAX_IMPORT_BATCH', 1000, 1, 100_000);
  const maxTextBytes = int(env, 'MAX_TEXT_BYTES', 32 * 1024, 1, maxBodyBytes);
  const maxQueueSize = int(env, 'MAX_QUEUE_SIZE', 1024, 1, 1_000_000);
  if (maxQueueSize < maxBatchSize) {
    throw new ConfigError(
      'MAX_QUEUE_SIZE',
      maxQueueSize,
      `MAX_QUEUE_SIZE (${maxQueueSize}) must be >= MAX_BATCH_SIZE (${maxBatchSize}), or a full batch could never queue`,
    );
  }

  const headersTimeoutMs = int(env, 'HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = int(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new ConfigError(
      'REQUEST_TIMEOUT_MS',
      requestTimeoutMs,
      `REQUEST_TIMEOUT_MS (${requestTimeoutMs}) must be >= HEADERS_TIMEOUT_MS (${headersTimeoutMs}): the headers are part of the request`,
    );
  }

  let apiKeys;
  try {
    apiKeys = parseApiKeys(raw(env, 'API_KEYS'));
  } catch (err) {
    // The value holds secrets: name the variable and the entry, never echo it.
    throw new ConfigError('API_KEYS', '[redacted]', (err as Error).message);
  }
  const requireReadKey = parseBoolean(env.REQUIRE_READ_KEY, 'REQUIRE_READ_KEY', false);
  if (requireReadKey && apiKeys.length === 0) {
    throw new ConfigError('REQUIRE_READ_KEY', 'true', 'REQUIRE_READ_KEY=true needs API_KEYS with at least one key');
  }
  const corsOrigins = (raw(env, 'CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !isOrigin(origin)) {
      throw new ConfigError('CORS_ORIGINS', origin, `CORS_ORIGINS entries must be origins like https://app.example.com (scheme, host, optional port; no path), got "${origin}"`);
    }
  }

  // A URL model is named by its ModelUrl everywhere; the URL itself (which may hold secrets) stays in it.
  let modelUrl: ModelUrl | undefined;
  if (looksLikeModelUrl(shared.embeddingModel)) {
    try {
      modelUrl = parseModelUrl(shared.embeddingModel);
    } catch (err) {
      if (err instanceof ModelUrlError) throw new ConfigError('EMBEDDING_MODEL', '[redacted]', err.message);
      throw err;
    }
  }

  const hfEndpoint = raw(env, 'HF_ENDPOINT') ?? 'https://huggingface.co';
  if (!/^https?:\/\/[^\s/]+/.test(hfEndpoint)) {
    throw new ConfigError('HF_ENDPOINT', hfEndpoint, `HF_ENDPOINT must be an http(s) URL such as https://hf-mirror.example.com, got "${hfEndpoint}"`);
  }

  const logLevel = raw(env, 'LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', logLevel, `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  return {
    config: {
      ...shared,
      ...(modelUrl !== undefined ? { embeddingModel: modelUrl.name, modelUrl } : {}),
      hfEndpoint,
      modelCacheDir: raw(env, 'MODEL_CACHE_DIR') ?? 'models/cache',
      modelDownloadTimeoutMs: int(env, 'MODEL_DOWNLOAD_TIMEOUT_MS', 600_000, 1000, 24 * 3600 * 1000),
      modelDownloadMaxBytes: int(env, 'MODEL_DOWNLOAD_MAX_BYTES', 4 * 1024 ** 3, 1024, Number.MAX_SAFE_INTEGER),
      port: int(env, 'PORT', 8787, 0, 65535),
      ...(redisUrl !== undefined ? { redisUrl } : {}),
      profileStore: store,
      embeddingCacheTtl: int(env, 'EMBEDDING_CACHE_TTL', 3600, 1, 365 * 24 * 3600),
      maxBodyBytes,
      maxBatchSize,
      maxImportBatch,
      embedClaimIdleMs: int(env, 'EMBED_CLAIM_IDLE_MS', 30_000, 100, 3_600_000),
      indexPollMs: int(env, 'INDEX_POLL_MS', 1000, 50, 600_000),
      maxTextBytes,
      dynamicBatching: parseBoolean(env.DYNAMIC_BATCHING, 'DYNAMIC_BATCHING', true),
      batchWindowMs: int(env, 'BATCH_WINDOW_MS', 3, 0, 1000),
      maxQueueSize,
      headersTimeoutMs,
      requestTimeoutMs,
      logLevel: logLevel as LogLevel,
      apiKeys,
      requireReadKey,
      corsOrigins,
      trustProxy: parseBoolean(env.TRUST_PROXY, 'TRUST_PROXY', false),
      metrics: parseBoolean(env.METRICS, 'METRICS', true),
      rateLimit: {
        perSecond: int(env, 'RATE_LIMIT_PER_SECOND', 100, 0, 1_000_000),
        burst: int(env, 'RATE_LIMIT_BURST', 200, 0, 10_000_000),
      },
      keepAliveTimeoutMs: int(env, 'KEEP_ALIVE_TIMEOUT_MS', 5000, 100, 600_000),
    },
    warnings,
  };
}
