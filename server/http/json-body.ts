/**
 * JSON bodies only with a JSON content type. Without this, a foreign page could make a browser send a
 * `text/plain` (or form) body to a JSON endpoint with no CORS preflight: the "simple request" loophole.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ApiFailure } from './errors';

/** `application/json` or any `application/<x>+json`, with or without parameters such as a charset. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * True when the request carries a body. On the wire that is a Content-Length above zero or a chunked
 * transfer (the adapter gives every POST a body stream, even an empty one); an in-process `app.request()`
 * with a body has neither header, so its body stream decides.
 */
function hasBody(c: Context): boolean {
  const headers = c.req.raw.headers;
  const length = headers.get('content-length');
  if (length !== null) return length.trim() !== '0';
  if (headers.has('transfer-encoding')) return true;
  const onTheWire = (c.env as { incoming?: unknown } | undefined)?.incoming !== undefined;
  return !onTheWire && c.req.raw.body !== null;
}

/** 415 unsupported_media_type for a request with a body whose Content-Type is not JSON. */
export function requireJsonBody(): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.header('content-type');
    if (hasBody(c) && !JSON_TYPE.test(given ?? '')) {
      throw new ApiFailure(
        'unsupported_media_type',
        `request body must be JSON with Content-Type: application/json, got ${given ? JSON.stringify(given.slice(0, 100)) : 'no Content-Type'}`,
      );
    }
    await next();
  };
}
