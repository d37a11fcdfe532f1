/**
 * `npm start`: settings → profile store → embedding cache → ML service → app → HTTP server, then the model.
 * The server listens before the model has loaded (a URL model may take minutes to download): health says
 * `loading` and ML routes answer 503 with Retry-After until the model answered its first inference, then the
 * ranking is rebuilt over it. Only an invalid setting stops the start; a model that cannot load leaves ML
 * unavailable (health says why) while the server goes on serving candidate data, and a Redis that is down only
 * degrades the cache.
 */
import { existsSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app';
import { createEmbeddingCache } from './cache/create-cache';
import { loadServerConfig } from './config';
import type { ServerConfig } from './deps';
import { downloadModel } from './embedder/model-download';
import { errorSummary } from './embedder/model-source';
import { createNodeEmbedder } from './embedder/node-embedder';
import { serveApp } from './http/node-server';
import { createRateLimiter } from './http/rate-limit';
import { createMetrics } from './http/metrics';
import { createLogger, defaultLogger, type Logger } from './log';
import { createMlService, type ModelState } from './ml/create-ml-service';
import { createRanking } from './ranking/create-ranking';
import { switchableRanking } from './ranking/switchable-ranking';
import type { StaticFilesOptions } from './static';
import type { MlService } from './ml/ml-service';
import type { SwitchableRanking } from './ranking/switchable-ranking';
import { createProfileStore } from './store/create-store';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where `npm run model:test` / `model:bench` write their models. */
export const GENERATED_MODELS_DIR = path.join(ROOT, 'models', 'generated');
/** The bundled model a hub model falls back to when the hub is unreachable. */
export const BUNDLED_MODEL_DIR = path.join(GENERATED_MODELS_DIR, 'nearfeed-test');
/** The built demo (`npm run build:demo`). */
export const DEMO_DIR = path.join(ROOT, 'dist', 'demo');

/** The process logger: `main` replaces it with one at LOG_LEVEL. */
let logger: Logger = defaultLogger;

/** Longest wait at start for the embedding backlog before serving. */
const STARTUP_EMBED_WAIT_MS = 30_000;

function log(message: string): void {
  logger.info(message);
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** MODEL_CACHE_DIR's two parts: URL model downloads and transformers.js' hub cache. */
export function modelCacheDirs(config: ServerConfig): { url: string; hub: string } {
  const root = path.resolve(config.modelCacheDir);
  return { url: path.join(root, 'url'), hub: path.join(root, 'hub') };
}

/**
 * Loads the embedder (a URL model downloaded into the cache first); any failure becomes a 'failed' state,
 * never a failed start.
 */
export async function loadModel(config: ServerConfig, log: (message: string) => void = (m) => logger.info(m)): Promise<ModelState> {
  if (!config.mlEnabled) return { state: 'disabled' };
  const cacheDirs = modelCacheDirs(config);
  try {
    const model = config.modelUrl
      ? await downloadModel({
          url: config.modelUrl,
          cacheDir: cacheDirs.url,
          dtype: config.embeddingDtype,
          timeoutMs: config.modelDownloadTimeoutMs,
          maxBytes: config.modelDownloadMaxBytes,
          log,
        })
      : config.embeddingModel;
    const { embedder, notes } = await createNodeEmbedder({
      model,
      hub: { cacheDir: cacheDirs.hub, endpoint: config.hfEndpoint },
      dtype: config.embeddingDtype,
      device: config.mlDevice,
      ...(config.maxSeqLength !== undefined ? { maxSeqLength: config.maxSeqLength } : {}),
      ...(existsSync(BUNDLED_MODEL_DIR) ? { fallbackModelDir: BUNDLED_MODEL_DIR } : {}),
      logger: log,
    });
    return { state: 'ready', embedder, notes };
  } catch (err) {
    return { state: 'failed', error: errorSummary(err) };
  }
}

/** Demo and model folders served same-origin, so the browser never needs a hub or CDN. */
export function staticFilesFor(config: ServerConfig): StaticFilesOptions {
  const local = path.resolve(config.embeddingModel);
  // A URL model is served from its download folder under its name (a 404 until the download completed).
  const modelDirs = config.modelUrl
    ? { [config.modelUrl.name]: path.join(modelCacheDirs(config).url, config.modelUrl.name) }
    : isDirectory(local)
      ? { [path.basename(local)]: local }
      : undefined;
  return {
    ...(existsSync(path.join(DEMO_DIR, 'index.html')) ? { demoDir: DEMO_DIR } : {}),
    modelRoots: [GENERATED_MODELS_DIR],
    ...(modelDirs ? { modelDirs } : {}),
  };
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let loaded;
  try {
    loaded = loadServerConfig(env);
  } catch (err) {
    logger.fatal(`invalid configuration: ${(err as Error).message}`);
    process.exit(1);
  }
  const { config, warnings } = loaded;
  logger = createLogger(config.logLevel);
  for (const w of warnings) logger.warn(w);

  const store = await createProfileStore(config, { warn: (m) => logger.warn(m) });
  const cache = createEmbeddingCache({
    ...(config.redisUrl !== undefined ? { redisUrl: config.redisUrl } : {}),
    ttlSeconds: config.embeddingCacheTtl,
    logger: { warn: (m: string) => log(m), info: (m: string) => log(m) },
  });
  // One registry for the process: the app's requests and the ML service's model calls and cache lookups.
  const metrics = config.metrics ? createMetrics({ processMetrics: true }) : undefined;
  const ml = createMlService({
    config,
    cache,
    store,
    model: loadModel(config),
    ...(metrics ? { observer: metrics } : {}),
    // Before health says ready: a ready health means feeds rank with the model.
    onLoaded: () => ranking.switchTo(createRanking({ config, store, cache, ml })),
  });
  const ranking = switchableRanking(createRanking({ config, store, cache, ml }));
  try {
    await ranking.ready();
  } catch (err) {
    log(`warning: candidate index not loaded yet (${(err as Error).message}); it loads on the first request`);
  }
  // With Redis, every process behind the proxy counts against one budget per client.
  // RATE_LIMIT_PER_SECOND=0 turns limits off: no limiter at all (one with a zero rate cannot even be built).
  const rateLimiter =
    config.rateLimit.perSecond > 0
      ? createRateLimiter({
          ...config.rateLimit,
          ...(config.redisUrl !== undefined ? { redisUrl: config.redisUrl } : {}),
          warn: (m) => logger.warn(m),
        })
      : undefined;
  const app = createApp({
    config,
    store,
    cache,
    ml,
    ranking,
    logger,
    ...(rateLimiter ? { rateLimiter } : {}),
    ...(metrics ? { metrics } : {}),
    staticFiles: staticFilesFor(config),
  });
  if (config.apiKeys.length === 0) {
    logger.warn(
      'API_KEYS is not set: writes (PUT/DELETE /profiles, bulk writes) are accepted only from this host (loopback); set API_KEYS to accept them from elsewhere',
    );
  }

  // Give a Redis cache a moment to connect, so the status line tells the truth.
  for (let i = 0; i < 20 && config.redisUrl !== undefined && !cache.connected(); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const server = await serveApp(app, config);
  const { port } = server.server.address() as AddressInfo;
  log(`listening on http://localhost:${port} — ML ${config.mlEnabled ? 'loading' : 'disabled'}; cache ${cache.backend}, store ${store.backend}`);
  ml.whenLoaded().then(
    () => reportLoadedModel(ml, ranking),
    (err: unknown) => logger.error({ err: errorSummary(err) }, 'model load did not settle'),
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    // Stop accepting, let in-flight requests finish, then release the model and connections.
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void server.close().then(() =>
      ranking
        .close()
        .finally(() => Promise.allSettled([ml.close(), cache.close(), store.close(), rateLimiter?.close()]))
        .then(() => process.exit(0)),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** Once the model is ready (ranking switched, see main): the start-up backlog, then the status line. */
async function reportLoadedModel(ml: MlService, ranking: SwitchableRanking): Promise<void> {
  if (ml.available()) {
    // A short backlog (e.g. a freshly seeded store) is worked off within seconds; a long one while serving,
    // and feeds say how many candidates are still pending.
    if (!(await ranking.whenIdle(STARTUP_EMBED_WAIT_MS).catch(() => false))) {
      log(`${await ranking.pendingEmbeddings()} profiles still queued for embedding; serving meanwhile`);
    }
  }
  const health = await ml.health();
  const mlLine =
    health.status === 'unavailable'
      ? `ML unavailable (${health.reasons.join('; ')})`
      : `ML ${health.status}: ${health.model.name} on ${health.model.device} (${health.model.dtype}, ${health.model.dimension} dims)` +
        (health.reasons.length > 0 ? ` — ${health.reasons.join('; ')}` : '');
  log(mlLine);
}

// Run when executed directly (npm start), not when imported by a test or benchmark.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
