/**
 * Request body parsing and field validation. Every failure is an ApiFailure whose message names the field
 * and, where one applies, the limit, so a client can fix its request without reading the server's code.
 */
import type { Context } from 'hono';
import { ApiFailure } from './errors';

/** A parsed JSON object body. */
export type JsonObject = Record<string, unknown>;

/**
 * Reads the body as one JSON object. Empty body → 400 empty_input; malformed JSON → 400 invalid_json;
 * any other JSON value → 422 validation.
 */
export async function readJsonObject(c: Context): Promise<JsonObject> {
  const text = await c.req.text();
  if (text.trim() === '') throw new ApiFailure('empty_input', 'request body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ApiFailure('invalid_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiFailure('validation', `request body must be a JSON object, got ${describe(value)}`);
  }
  return value as JsonObject;
}

/** 'a string', 'an array', 'null', ... for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' ? 'an object' : t === 'undefined' ? 'nothing' : `a ${t}`;
}

/** UTF-8 size of a string, the unit of max_text_bytes. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A non-empty string of at most `maxBytes` UTF-8 bytes. */
export function requireText(value: unknown, field: string, maxBytes: number): string {
  if (value === undefined) throw new ApiFailure('validation', `\`${field}\` is required (a string)`);
  if (typeof value !== 'string') {
    throw new ApiFailure('validation', `\`${field}\` must be a string, got ${describe(value)}`);
  }
  if (value.trim() === '') throw new ApiFailure('empty_input', `\`${field}\` must not be empty`);
  const bytes = utf8Bytes(value);
  if (bytes > maxBytes) {
    throw new ApiFailure('validation', `\`${field}\` is ${bytes} bytes > max_text_bytes ${maxBytes}`);
  }
  return value;
}

/** A non-empty array of at most `maxBatch` items; `batch_too_large` (413) above it. */
export function requireBatch(value: unknown, field: string, maxBatch: number): unknown[] {
  if (value === undefined) throw new ApiFailure('validation', `\`${field}\` is required (an array)`);
  if (!Array.isArray(value)) {
    throw new ApiFailure('validation', `\`${field}\` must be an array, got ${describe(value)}`);
  }
  if (value.length === 0) throw new ApiFailure('empty_input', `\`${field}\` must not be empty`);
  if (value.length > maxBatch) {
    throw new ApiFailure(
      'batch_too_large',
      `batch size ${value.length} > maximum allowed batch size ${maxBatch} (\`${field}\`; see max_batch_size in /api/v1/ml/info)`,
    );
  }
  return value;
}

/** An array of texts, each checked like `requireText`. */
export function requireTexts(value: unknown, field: string, maxBatch: number, maxBytes: number): string[] {
  return requireBatch(value, field, maxBatch).map((item, i) => requireText(item, `${field}[${i}]`, maxBytes));
}

/** A JSON object (for nested items such as pairs or batch requests). */
export function requireObject(value: unknown, field: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiFailure('validation', `\`${field}\` must be an object, got ${describe(value)}`);
  }
  return value as JsonObject;
}

/** An optional integer in [min, max]. */
export function optionalInt(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ApiFailure(
      'validation',
      `\`${field}\` must be an integer in [${min}, ${max}], got ${JSON.stringify(value) ?? describe(value)}`,
    );
  }
  return value;
}

/** An optional number in [min, max] (finite). */
export function optionalNumber(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ApiFailure(
      'validation',
      `\`${field}\` must be a number in [${min}, ${max}], got ${JSON.stringify(value) ?? describe(value)}`,
    );
  }
  return value;
}

/** An optional value out of a fixed set. */
export function optionalEnum<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ApiFailure(
      'validation',
      `\`${field}\` must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(value) ?? describe(value)}`,
    );
  }
  return value as T;
}

/**
 * An optional array of profile ids (strings of 1-128 characters), at most `maxItems`. Every caller uses it as
 * a set, so repeats are dropped (first occurrence kept): the scorer refuses a candidate listed twice.
 */
export function optionalIds(value: unknown, field: string, maxItems: number): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    throw new ApiFailure('validation', `\`${field}\` must be an array of profile ids, got ${describe(value)}`);
  }
  if (value.length > maxItems) {
    throw new ApiFailure('batch_too_large', `batch size ${value.length} > maximum allowed batch size ${maxItems} (\`${field}\`)`);
  }
  return [...new Set(value.map((id, i) => requireId(id, `${field}[${i}]`)))];
}

/** A profile id: a string of 1-128 characters. */
export function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 128) {
    throw new ApiFailure('validation', `\`${field}\` must be a profile id (a string of 1-128 characters), got ${describe(value)}`);
  }
  return value;
}
