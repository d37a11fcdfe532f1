/** The one error shape of every endpoint: `{error, error_type}` with the status that goes with it. */
import { HTTPException } from 'hono/http-exception';
import type { ApiError } from '../../shared/types';
import { StoreUnavailableError } from '../store/profile-store';

const STATUS: Record<ApiError['error_type'], 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 429 | 500 | 503> = {
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  precondition_failed: 412,
  rate_limited: 429,
  empty_input: 400,
  validation: 422,
  payload_too_large: 413,
  batch_too_large: 413,
  unsupported_media_type: 415,
  not_found: 404,
  overloaded: 429,
  ml_unavailable: 503,
  must_refetch: 409,
  store_unavailable: 503,
  internal: 500,
};

/** Throw from a handler; the app's onError turns it into the JSON body and status. */
export class ApiFailure extends HTTPException {
  constructor(
    readonly errorType: ApiError['error_type'],
    message: string,
    /** The request field at fault (`requests[2].limit`), for error shapes that carry it (OpenAI's `param`). */
    readonly param: string | null = null,
    /** Headers the response must carry (WWW-Authenticate on a 401, Retry-After and RateLimit-* on a 429). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(STATUS[errorType], { message });
  }

  body(): ApiError {
    return { error: this.message, error_type: this.errorType };
  }
}

/**
 * The JSON error response for a failure: an ApiFailure with its status, a profile store outage as 503
 * store_unavailable (from any route that reads or writes the store; a write's says its `outcome`), anything
 * else as 500 internal.
 */
export function errorResponse(err: unknown): Response {
  if (err instanceof StoreUnavailableError) {
    const body: ApiError = { error: err.message, error_type: 'store_unavailable', ...(err.outcome && { outcome: err.outcome }) };
    // ioredis reconnects within about two seconds of Redis being back.
    return Response.json(body, { status: STATUS.store_unavailable, headers: { 'retry-after': '2' } });
  }
  if (err instanceof ApiFailure) {
    // A full queue drains in milliseconds to seconds: tell clients when to try again.
    const headers: Record<string, string> = err.errorType === 'overloaded' ? { 'retry-after': '1', ...err.headers } : { ...err.headers };
    return Response.json(err.body(), { status: err.status, headers });
  }
  if (err instanceof HTTPException) {
    // Hono's own exceptions (e.g. from its middleware) keep their status but get our body shape.
    const status = err.status;
    const errorType: ApiError['error_type'] =
      status === 413
        ? 'payload_too_large'
        : status === 404
          ? 'not_found'
          : status === 415
            ? 'unsupported_media_type'
            : status < 500
              ? 'validation'
              : 'internal';
    const body: ApiError = { error: err.message || `HTTP ${status}`, error_type: errorType };
    return Response.json(body, { status });
  }
  const body: ApiError = { error: 'internal server error', error_type: 'internal' };
  return Response.json(body, { status: 500 });
}

/** OpenAI's error `type` for a status, as its SDKs expect it. */
function openaiErrorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * The same failure in OpenAI's shape, for the /v1 routes: `{error: {message, type, param, code}}` with
 * nearfeed's error_type as `code` and the field at fault as `param`; status and headers as errorResponse's.
 */
export async function openaiErrorResponse(err: unknown): Promise<Response> {
  const native = errorResponse(err);
  const body = (await native.json()) as ApiError;
  const param = err instanceof ApiFailure ? err.param : null;
  const error = { message: body.error, type: openaiErrorType(native.status), param, code: body.error_type };
  return Response.json({ error }, { status: native.status, headers: native.headers });
}
