/**
 * The nearfeed HTTP app. A factory over its parts (store, cache, ML service), so tests run it through
 * `app.request()` on real or failing parts and `server/main.ts` wires the production ones.
 *
 * Every response that is not a success is `{error, error_type}`: unknown routes 404, handler failures with
 * their ApiFailure status, anything unexpected 500 internal (logged, never a crash).
 */
import { Hono } from 'hono';
import type { ServerDeps } from './deps';
import { limitBody } from './http/body-limit';
import { ApiFailure, errorResponse } from './http/errors';
import { feedRoutes } from './routes/feed';
import { mlRoutes } from './routes/ml';
import { profileRoutes } from './routes/profiles';
import { syncRoutes } from './routes/sync';
import { staticRoutes } from './static';
import { StoreUnavailableError } from './store/profile-store';

/** Base path of the JSON API. */
export const API_BASE = '/api/v1';

/** Builds the app: the JSON API under /api/v1 and, when `deps.staticFiles` is set, the demo and models. */
export function createApp(deps: ServerDeps): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    // Expected failures are the client's or an outage the store already reported once: no stack per request.
    const expected = err instanceof ApiFailure || err instanceof StoreUnavailableError || (err instanceof Error && 'status' in err);
    if (!expected) {
      console.error(`[nearfeed] ${c.req.method} ${c.req.path} failed:`, err);
    }
    return errorResponse(err);
  });
  app.notFound((c) =>
    c.json({ error: `no route for ${c.req.method} ${c.req.path}`, error_type: 'not_found' as const }, 404),
  );

  const api = new Hono();
  api.use('*', limitBody(deps.config.maxBodyBytes));
  api.route('/ml', mlRoutes(deps));
  // Candidate data: /profiles/{id}, /sync, /feed.
  api.route('/', profileRoutes(deps));
  api.route('/', syncRoutes(deps));
  api.route('/', feedRoutes(deps));
  app.route(API_BASE, api);

  if (deps.staticFiles) app.route('/', staticRoutes(deps.staticFiles));
  return app;
}
