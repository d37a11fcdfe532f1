/** GET /openapi.json (mounted under /api/v1): the OpenAPI 3.1 document, built once with this server's limits. */
import { Hono } from 'hono';
import type { ServerDeps } from '../deps';
import { VERSION } from '../http/version';
import { openApiDocument } from '../openapi/document';

/** Routes `GET /openapi.json`. */
export function openapiRoutes(deps: ServerDeps): Hono {
  const app = new Hono();
  let document: Record<string, unknown> | undefined;
  app.get('/openapi.json', (c) => c.json((document ??= openApiDocument(deps.config, VERSION))));
  return app;
}
