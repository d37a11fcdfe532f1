/** Request body size limit: Content-Length checked up front, chunked bodies counted while streaming. */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiFailure } from './errors';

/** 413 payload_too_large for any body over `maxBytes` (MAX_BODY_BYTES). */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiFailure('payload_too_large', `request body exceeds max_body_bytes ${maxBytes} (MAX_BODY_BYTES)`);
    },
  });
}
