/**
 * A Hono app with the candidate-data routes (/profiles, /sync, /feed) mounted under /api/v1 the way the
 * server mounts them, on real parts: a profile store, the memory embedding cache, and the real ML service over
 * the generated test model (or the real service with ML disabled, for the ML-unavailable path).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { createMemoryCache } from '../../server/cache/memory-cache';
import type { EmbeddingCache } from '../../server/cache/embedding-cache';
import { loadServerConfig } from '../../server/config';
import type { AppDeps, ServerConfig, ServerDeps } from '../../server/deps';
import { createNodeEmbedder } from '../../server/embedder/node-embedder';
import { limitBody } from '../../server/http/body-limit';
import { errorResponse } from '../../server/http/errors';
import { createMlService, type NodeMlService } from '../../server/ml/create-ml-service';
import { createRanking } from '../../server/ranking/create-ranking';
import { feedRoutes } from '../../server/routes/feed';
import { profileRoutes } from '../../server/routes/profiles';
import { syncRoutes } from '../../server/routes/sync';
import type { ProfileStore } from '../../server/store/profile-store';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The generated test model (`npm run model:test`, run by `pretest`). */
export const TEST_MODEL_DIR = path.join(ROOT, 'models', 'generated', 'nearfeed-test');

export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return { ...loadServerConfig({}).config, ...overrides };
}

export function testCache(): EmbeddingCache {
  return createMemoryCache({ maxEntries: 100_000, ttlSeconds: 3600 });
}

/** The real ML service on the generated test model, CPU, fp32. */
export async function loadTestMl(store: ProfileStore, cache: EmbeddingCache, config: ServerConfig): Promise<NodeMlService> {
  const { embedder, notes } = await createNodeEmbedder({
    model: TEST_MODEL_DIR,
    dtype: 'fp32',
    device: 'cpu',
    logger: () => undefined,
  });
  return createMlService({ config, cache, store, model: { state: 'ready', embedder, notes } });
}

/** The real ML service with ML switched off: `available()` is false, ranking falls back to the features. */
export function disabledMl(store: ProfileStore, cache: EmbeddingCache, config: ServerConfig): NodeMlService {
  return createMlService({ config: { ...config, mlEnabled: false }, cache, store, model: { state: 'disabled' } });
}

/**
 * The candidate routes under /api/v1 with the app's error rendering and body limit; the ranking side is
 * built over the parts when not given (pass one to wait for its embeddings, see `readyRanking`).
 */
export function candidateApp(parts: AppDeps): Hono {
  const deps: ServerDeps = { ...parts, ranking: parts.ranking ?? createRanking(parts) };
  const app = new Hono();
  app.onError((err) => errorResponse(err));
  const api = new Hono();
  api.use('*', limitBody(deps.config.maxBodyBytes));
  api.route('/', profileRoutes(deps));
  api.route('/', syncRoutes(deps));
  api.route('/', feedRoutes(deps));
  app.route('/api/v1', api);
  return app;
}

/** A ranking side over the parts whose start-up backlog (every stored profile's vector) is done. */
export async function readyRanking(parts: AppDeps): Promise<ServerDeps['ranking']> {
  const ranking = createRanking(parts);
  if (!(await ranking.whenIdle(60_000))) throw new Error('the embedding backlog did not drain within 60 s');
  return ranking;
}

/** JSON request helper: `call(app, 'PUT', '/api/v1/profiles/x', body)`; a string body is sent as is. */
export async function call(
  app: Hono,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json', ...headers };
  }
  const res = await app.request(url, init);
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
}
