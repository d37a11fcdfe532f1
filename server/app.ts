/**
 * The nearfeed HTTP app. A factory over its parts (store, cache, ML service), so tests run it through
 * `app.request()` on real or failing parts and `server/main.ts` wires the production ones.
 *
 * Every request passes, in this order: request id → metrics (timing, http/metrics.ts) → security headers
 * (http/security-headers.ts) → CORS → access (route class, API key; access.ts) → rate limit → body checks
 * (size, JSON content type) → the routes.
 * Every response that is not a success is `{error, error_type}` (OpenAI's `{error: {...}}` under /v1): unknown
 * routes 404 (JSON for every method under /api, never the demo page), handler failures with their ApiFailure
 * status, anything unexpected 500 internal (logged, never a crash).
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppDeps, ServerDeps } from './deps';
import { limitBody } from './http/body-limit';
import { compression } from './http/compression';
import { ApiFailure, errorResponse, openaiErrorResponse } from './http/errors';
import { requireJsonBody } from './http/json-body';
import { accessControl } from './http/access';
import { corsFor } from './http/cors';
import { createRateLimiter, rateLimit } from './http/rate-limit';
import { createMetrics, metricsHandler, recordRequests } from './http/metrics';
import { baselineSecurityHeaders } from './http/security-headers';
import { defaultLogger } from './log';
import { feedRoutes } from './routes/feed';
import { mlRoutes } from './routes/ml';
import { openaiRoutes } from './routes/openai';
import { openapiRoutes } from './routes/openapi';
import { createRanking } from './ranking/create-ranking';
import { profileRoutes } from './routes/profiles';
import { syncRoutes } from './routes/sync';
import { teiRoutes } from './routes/tei';
import { docsRoutes } from './docs-page';
import { CompressedFiles } from './http/compressed-files';
import { staticRoutes } from './static';
import { StoreUnavailableError } from './store/profile-store';

/** Base path of the JSON API. */
export const API_BASE = '/api/v1';
/** Base path of the OpenAI-compatible routes. */
export const OPENAI_BASE = '/v1';

const isOpenAiPath = (path: string) => path === OPENAI_BASE || path.startsWith(`${OPENAI_BASE}/`);

/**
 * Builds the app: the JSON API under /api/v1 and, when `deps.staticFiles` is set, the demo, the API reference
 * page (/docs) and models. Without `deps.ranking` one is built over the given parts (started on first use).
 */
export function createApp(parts: AppDeps): Hono {
  const deps: ServerDeps = { ...parts, ranking: parts.ranking ?? createRanking(parts) };
  const logger = deps.logger ?? defaultLogger;
  const app = new Hono();
  const render = (err: unknown, path: string) => (isOpenAiPath(path) ? openaiErrorResponse(err) : errorResponse(err));
  // The JSON routes' responses (errors included); static files are compressed by staticRoutes itself.
  for (const path of [`${API_BASE}/*`, `${OPENAI_BASE}/*`, '/embed', '/rerank']) app.use(path, compression());

  app.onError((err, c) => {
    const requestId = c.get('requestId');
    if (c.req.raw.signal.aborted) {
      // The client went away (an aborted upload, a closed tab): nobody reads this answer and nothing failed here.
      logger.debug({ request_id: requestId, method: c.req.method, path: c.req.path }, 'client closed the connection before the request was read');
      return errorResponse(new ApiFailure('validation', 'the client closed the connection'));
    }
    // Expected failures are the client's or an outage the store already reported once: no stack per request.
    const expected = err instanceof ApiFailure || err instanceof StoreUnavailableError || (err instanceof Error && 'status' in err);
    if (!expected) logger.error({ request_id: requestId, method: c.req.method, path: c.req.path, err }, 'request failed');
    return render(err, c.req.path);
  });
  app.notFound((c) => render(new ApiFailure('not_found', `no route for ${c.req.method} ${c.req.path}`), c.req.path));

  app.use('*', requestId());
  // METRICS=false: no timing middleware and no /metrics route (the counters below go nowhere).
  const metrics = deps.metrics ?? createMetrics();
  if (deps.config.metrics) {
    metrics.setSources({ queuedTexts: () => deps.ml.queuedTexts(), pendingEmbeddings: () => deps.ranking.pendingEmbeddings() });
    app.use('*', recordRequests(metrics));
  }
  app.use('*', baselineSecurityHeaders());
  const cors = corsFor(deps.config.corsOrigins);
  if (cors) app.use('*', cors);
  const { apiKeys, requireReadKey, trustProxy } = deps.config;
  app.use('*', accessControl({ keys: apiKeys, requireReadKey, trustProxy }));
  if (deps.config.rateLimit.perSecond > 0) {
    const limiter = deps.rateLimiter ?? createRateLimiter(deps.config.rateLimit);
    app.use('*', rateLimit(limiter, (_client, cls) => metrics.rateLimited(cls)));
  }
  // Every route that takes a body: /api/v1, /v1 and the TEI routes.
  app.use('*', limitBody(deps.config.maxBodyBytes));
  app.use('*', requireJsonBody());

  const api = new Hono();
  api.route('/ml', mlRoutes(deps));
  // Candidate data: /profiles/{id}, /sync, /feed.
  api.route('/', profileRoutes(deps));
  api.route('/', syncRoutes(deps));
  api.route('/', feedRoutes(deps));
  api.route('/', openapiRoutes(deps));
  app.route(API_BASE, api);
  app.route(OPENAI_BASE, openaiRoutes(deps));
  app.route('/', teiRoutes(deps));
  // Prometheus scrapes; a read (access.ts): open unless REQUIRE_READ_KEY=true.
  if (deps.config.metrics) app.get('/metrics', metricsHandler(metrics));
  // Anything else under /api or /v1 is an unknown API route, whatever the method: JSON, not the demo's page.
  const unknownApiRoute = (c: { req: { method: string; path: string } }) =>
    render(new ApiFailure('not_found', `no route for ${c.req.method} ${c.req.path}`), c.req.path);
  for (const base of ['/api', OPENAI_BASE]) {
    app.all(base, unknownApiRoute);
    app.all(`${base}/*`, unknownApiRoute);
  }

  if (deps.staticFiles) {
    const compressed = deps.staticFiles.compressed ?? new CompressedFiles();
    app.route('/', docsRoutes(compressed));
    app.route('/', staticRoutes({ ...deps.staticFiles, compressed }));
  }
  return app;
}
