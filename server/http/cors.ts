/**
 * CORS for the origins in CORS_ORIGINS, with Hono's cors middleware. A page from an allowed origin gets its
 * preflight answered (the methods, `content-type`, `authorization`, `if-match`) and may read the headers a
 * client needs (ETag, Retry-After, RateLimit-*, X-Request-Id); any other origin gets no Access-Control-Allow-*
 * header at all, so its browser refuses to let the page read the answer.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/** The middleware for `origins` (['*']: any origin), or undefined when no origin is allowed. */
export function corsFor(origins: readonly string[]): MiddlewareHandler | undefined {
  if (origins.length === 0) return undefined;
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const handler = cors({
    origin: any ? '*' : [...allowed],
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowHeaders: ['content-type', 'authorization', 'if-match', 'if-none-match', 'x-request-id'],
    exposeHeaders: [
      'etag',
      'retry-after',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'www-authenticate',
      'x-request-id',
    ],
    maxAge: 600,
  });
  return async (c, next) => {
    const origin = c.req.header('origin');
    // Hono's cors sets Allow-Methods/Expose-Headers whatever the origin: only run it for an allowed one.
    if (origin !== undefined && (any || allowed.has(origin))) return handler(c, next);
    await next();
    if (!any) c.header('vary', 'Origin', { append: true });
  };
}
