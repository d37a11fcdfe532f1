/**
 * Request validation: Hono's zod validator (@hono/zod-validator) with the schemas of shared/api/, its failures
 * turned into ApiFailures by the one rule of shared/api/common.ts (field path, rule, limit). Handlers read the
 * parsed, typed values with `c.req.valid('json' | 'query' | 'param')`.
 *
 * A JSON body is read once, before the validator: an empty body is 400 empty_input and malformed JSON 400
 * invalid_json (the validator alone would answer both as its own 400). A body that is not declared JSON never
 * gets here: the app answers it 415 first (json-body.ts).
 */
import { zValidator } from '@hono/zod-validator';
import type { Context } from 'hono';
import type { z } from 'zod';
import { issueError } from '../../shared/api/common';
import { ApiFailure } from './errors';

/** Throws the ApiFailure for a failed parse; `root` names the whole value in messages. */
function failOn(root: string) {
  return (result: { success: true } | { success: false; error: z.core.$ZodError }): void => {
    if (result.success) return;
    const e = issueError(result.error.issues, root);
    throw new ApiFailure(e.errorType, e.message, e.param);
  };
}

/**
 * Reads the body as JSON and leaves the value in Hono's body cache for the validator. The body limit
 * (body-limit.ts) applies while it is read.
 */
async function readJson(c: Context): Promise<void> {
  const text = await c.req.text();
  if (text.trim() === '') throw new ApiFailure('empty_input', 'request body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ApiFailure('invalid_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
  // Hono answers c.req.json() from this cache: the body is parsed once.
  c.req.bodyCache.json = Promise.resolve(value);
}

/** Validates the JSON body with `schema`; the handler reads it with `c.req.valid('json')`. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  const validate = zValidator('json', schema, failOn('request body'));
  const middleware: typeof validate = async (c, next) => {
    await readJson(c);
    return validate(c, next);
  };
  return middleware;
}

/** Validates the query string with `schema`; the handler reads it with `c.req.valid('query')`. */
export function queryParams<T extends z.ZodType>(schema: T) {
  return zValidator('query', schema, failOn('query'));
}

/** Validates the path parameters with `schema`; the handler reads them with `c.req.valid('param')`. */
export function pathParams<T extends z.ZodType>(schema: T) {
  return zValidator('param', schema, failOn('path'));
}
