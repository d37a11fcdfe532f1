/**
 * Builds the server app on real parts for the server tests: the generated test model through the real
 * Node embedder (ONNX Runtime, no stub), the memory store seeded with demo profiles, the memory cache.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { createApp } from '../../server/app';
import { createMetrics, type Metrics } from '../../server/http/metrics';
import { createMemoryCache } from '../../server/cache/memory-cache';
import type { EmbeddingCache } from '../../server/cache/embedding-cache';
import { loadServerConfig } from '../../server/config';
import { demoProfiles } from '../../server/data/demo-profiles';
import type { ServerConfig } from '../../server/deps';
import { createNodeEmbedder } from '../../server/embedder/node-embedder';
import { createMlService, type ModelState, type NodeMlService } from '../../server/ml/create-ml-service';
import { createRanking, type Ranking } from '../../server/ranking/create-ranking';
import { MemoryProfileStore } from '../../server/store/memory-store';
import type { ProfileStore } from '../../server/store/profile-store';
import type { Embedder } from '../../shared/embedder';

export const TEST_MODEL_DIR = path.resolve('models/generated/nearfeed-test');

/** Loads the generated test model on the CPU (run `npm run model:test` first; `npm test` does). */
export async function loadTestEmbedder(): Promise<Embedder> {
  if (!existsSync(TEST_MODEL_DIR)) throw new Error(`${TEST_MODEL_DIR} is missing: run \`npm run model:test\``);
  const { embedder } = await createNodeEmbedder({ model: TEST_MODEL_DIR, dtype: 'fp32', device: 'cpu', logger: () => {} });
  return embedder;
}

/** Wraps an embedder to count its `embed` calls; inference still runs on the wrapped one. */
export function countingEmbedder(inner: Embedder): Embedder & { calls: number; texts: number } {
  const counting = {
    calls: 0,
    texts: 0,
    get info() {
      return inner.info;
    },
    async embed(texts: readonly string[]) {
      counting.calls++;
      counting.texts += texts.length;
      return inner.embed(texts);
    },
    dispose: async () => {},
  };
  return counting;
}

export interface TestApp {
  app: Hono;
  config: ServerConfig;
  ml: NodeMlService;
  store: ProfileStore;
  cache: EmbeddingCache;
  /** The app's ranking side (index, embedding queue); `await ranking.whenIdle()` for a fully embedded index. */
  ranking: Ranking;
  /** The app's metrics registry (GET /metrics), also the ML service's observer. */
  metrics: Metrics;
}

/** The app on the given model state; env overrides the test defaults (small limits so tests can hit them). */
export function buildTestApp(options: {
  /** A state, or a promise of one: health says `loading` until it resolved and answered a first inference. */
  model: ModelState | Promise<ModelState>;
  env?: Record<string, string>;
  cache?: EmbeddingCache;
  store?: ProfileStore;
}): TestApp {
  const { config } = loadServerConfig({
    EMBEDDING_MODEL: TEST_MODEL_DIR,
    ML_DEVICE: 'cpu',
    MAX_BATCH_SIZE: '8',
    MAX_TEXT_BYTES: '4096',
    MAX_BODY_BYTES: '65536',
    MAX_QUEUE_SIZE: '64',
    ...(!(options.model instanceof Promise) && options.model.state === 'disabled' ? { ML_ENABLED: 'false' } : {}),
    ...options.env,
  });
  const store = options.store ?? new MemoryProfileStore({ seed: demoProfiles(40) });
  const cache = options.cache ?? createMemoryCache({ maxEntries: 10_000, ttlSeconds: 3600 });
  const metrics = createMetrics();
  const ml = createMlService({ config, cache, store, model: options.model, observer: metrics });
  const ranking = createRanking({ config, store, cache, ml });
  return { app: createApp({ config, store, cache, ml, ranking, metrics }), config, ml, store, cache, ranking, metrics };
}

/** POSTs JSON (or a raw string body) through `app.request()`. */
export function post(app: Hono, route: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(route, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}
