/** Request body size limit: Content-Length checked up front, chunked bodies counted while streaming. */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiFailure, errorResponse } from './errors';

/**
 * 413 payload_too_large for any body over `maxBytes` (MAX_BODY_BYTES), with `Connection: close`: the rest of
 * the body is still on its way, and a keep-alive socket would otherwise be dropped under the client's next
 * request once the adapter gives up draining it (500 ms). Closing tells the client to use a new connection.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      const res = errorResponse(
        new ApiFailure('payload_too_large', `request body exceeds max_body_bytes ${maxBytes} (MAX_BODY_BYTES)`),
      );
      res.headers.set('connection', 'close');
      return res;
    },
  });
}
