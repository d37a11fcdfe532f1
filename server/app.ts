/**
 * The nearfeed HTTP app. A factory over its parts (store, cache, ML service), so tests run it through
 * `app.request()` on real or failing parts and `server/main.ts` wires the production ones.
 *
 * Every response that is not a success is `{error, error_type}` (OpenAI's `{error: {...}}` under /v1): unknown
 * routes 404, handler failures with their ApiFailure status, anything unexpected 500 internal (logged, never a
 * crash).
 */
import { Hono } from 'hono';
import type { ServerDeps } from './deps';
import { limitBody } from './http/body-limit';
import { ApiFailure, errorResponse, openaiErrorResponse } from './http/errors';
import { feedRoutes } from './routes/feed';
import { mlRoutes } from './routes/ml';
import { openaiRoutes } from './routes/openai';
import { profileRoutes } from './routes/profiles';
import { syncRoutes } from './routes/sync';
import { teiRoutes } from './routes/tei';
import { staticRoutes } from './static';
import { StoreUnavailableError } from './store/profile-store';

/** Base path of the JSON API. */
export const API_BASE = '/api/v1';
/** Base path of the OpenAI-compatible routes. */
export const OPENAI_BASE = '/v1';

const isOpenAiPath = (path: string) => path === OPENAI_BASE || path.startsWith(`${OPENAI_BASE}/`);

/** Builds the app: the JSON API under /api/v1 and, when `deps.staticFiles` is set, the demo and models. */
export function createApp(deps: ServerDeps): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    // Expected failures are the client's or an outage the store already reported once: no stack per request.
    const expected = err instanceof ApiFailure || err instanceof StoreUnavailableError || (err instanceof Error && 'status' in err);
    if (!expected) {
      console.error(`[nearfeed] ${c.req.method} ${c.req.path} failed:`, err);
    }
    return isOpenAiPath(c.req.path) ? openaiErrorResponse(err) : errorResponse(err);
  });
  app.notFound((c) => {
    const notFound = new ApiFailure('not_found', `no route for ${c.req.method} ${c.req.path}`);
    return isOpenAiPath(c.req.path) ? openaiErrorResponse(notFound) : errorResponse(notFound);
  });

  // Every route that takes a body: /api/v1, /v1 and the TEI routes.
  app.use('*', limitBody(deps.config.maxBodyBytes));

  const api = new Hono();
  api.route('/ml', mlRoutes(deps));
  // Candidate data: /profiles/{id}, /sync, /feed.
  api.route('/', profileRoutes(deps));
  api.route('/', syncRoutes(deps));
  api.route('/', feedRoutes(deps));
  app.route(API_BASE, api);
  app.route(OPENAI_BASE, openaiRoutes(deps));
  app.route('/', teiRoutes(deps));

  if (deps.staticFiles) app.route('/', staticRoutes(deps.staticFiles));
  return app;
}
