/**
 * What every route group's schemas share: the error body, the limits a server puts on requests, field builders
 * whose failures say the field, the rule and the limit, and the one function that turns zod issues into an API
 * error. Schemas are zod v4; the wire types are inferred from them (`z.input` is what a client sends,
 * `z.output` what a handler receives), so server, browser package and the OpenAPI document cannot drift.
 */
import { z } from 'zod';

// ------------------------------------------------------------------------------------------------- errors

/** Every `error_type` an endpoint answers; each goes with one HTTP status (server/http/errors.ts). */
export const API_ERROR_TYPES = [
  'invalid_json',
  'empty_input',
  'validation',
  'payload_too_large',
  'batch_too_large',
  'unsupported_media_type',
  'unauthorized',
  'forbidden',
  'precondition_failed',
  'rate_limited',
  'not_found',
  'overloaded',
  'ml_unavailable',
  'must_refetch',
  'store_unavailable',
  'internal',
] as const;

/** One of {@link API_ERROR_TYPES}. */
export type ApiErrorType = (typeof API_ERROR_TYPES)[number];

/** Error body of every non-2xx response outside /v1 (the OpenAI-compatible routes use OpenAI's shape). */
export const apiErrorSchema = z
  .object({
    error: z.string().meta({ description: 'What went wrong, naming the field and the limit where one applies.' }),
    error_type: z.enum(API_ERROR_TYPES),
    outcome: z
      .enum(['not_applied', 'unknown'])
      .optional()
      .meta({
        description:
          'Only on a 503 `store_unavailable` answering a write: `not_applied` when the write was refused before it ' +
          'reached the store (it will never happen), `unknown` when it was sent and no answer came (it may have ' +
          'happened). Retrying is safe either way; send `If-Match` to be sure nothing else changed in between.',
      }),
  })
  .meta({ id: 'ApiError' });

/** Error body of every non-2xx response: `{error, error_type}`. */
export type ApiError = z.infer<typeof apiErrorSchema>;

// ------------------------------------------------------------------------------------------------- limits

/** The request limits a server applies; schemas are built with the server's values (see /ml/info). */
export interface RequestLimits {
  /** MAX_BATCH_SIZE: most items of one batch request. */
  maxBatchSize: number;
  /** MAX_TEXT_BYTES: largest single text in UTF-8 bytes. */
  maxTextBytes: number;
}

// ------------------------------------------------------------------------------------------------ messages

/** The received value as a message shows it: short strings quoted, long ones by length, arrays by count. */
export function got(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (typeof input === 'string') {
    return input.length > 40 ? `a string of ${input.length} characters` : JSON.stringify(input);
  }
  if (Array.isArray(input)) return `an array of ${input.length} items`;
  if (input === null) return 'null';
  if (typeof input === 'object') return 'an object';
  return String(input);
}

/** A zod error callback: the rule and what was received (`must be ..., got 1.7`); the field is added later. */
export const rule =
  (text: string) =>
  (iss: { input?: unknown }): string =>
    `${text}, got ${got(iss.input)}`;

/** `["tags", 3]` → `tags[3]`; the root → `root`. */
export function formatPath(path: readonly PropertyKey[], root: string): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || root;
}

/** An issue the API reports with another type than `validation` carries it in `params.error_type`. */
interface TypedParams {
  error_type?: ApiErrorType;
}

/** The API error for a failed parse. */
export interface IssueError {
  errorType: ApiErrorType;
  /** The field path (`requests[2].profile_id`), null for the body as a whole. */
  param: string | null;
  /** e.g. "`texts[1]` must be a string, got 3". */
  message: string;
}

/**
 * The error to answer for a failed parse: a too-large batch first (the client must split it whatever else is
 * wrong), otherwise the first issue. The message starts with the field path; a rule received with ", got
 * nothing" reads "is required and ...".
 */
export function issueError(issues: readonly z.core.$ZodIssue[], root = 'request body'): IssueError {
  const typeOf = (i: z.core.$ZodIssue): ApiErrorType =>
    (i.code === 'custom' ? (i.params as TypedParams | undefined)?.error_type : undefined) ?? 'validation';
  const flat = issues.flatMap(throughUnion);
  const issue = flat.find((i) => typeOf(i) === 'batch_too_large') ?? flat[0];
  if (!issue) return { errorType: 'validation', param: null, message: `${root} is invalid` };
  const param = issue.path.length > 0 ? formatPath(issue.path, root) : null;
  const subject = param === null ? root : `\`${param}\``;
  const text = issue.message.endsWith(', got nothing')
    ? `is required and ${issue.message.slice(0, -', got nothing'.length)}`
    : issue.message;
  return { errorType: typeOf(issue), param, message: `${subject}${text.startsWith(':') ? '' : ' '}${text}` };
}

/**
 * A union's issue says only "no branch matched". When the value had the type of one branch (a string for
 * `string | string[]`), that branch's own first issue is the useful one: "must not be empty", the byte limit.
 */
function throughUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const branch = issue.errors.find((errs) => errs.length > 0 && !errs.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
  if (!branch) return [issue];
  return branch.flatMap((e) => throughUnion({ ...e, path: [...issue.path, ...e.path] } as z.core.$ZodIssue));
}

// --------------------------------------------------------------------------------------------------- fields

/** UTF-8 size of a string (lone surrogates count 3, as their replacement character is encoded). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * A text to embed: a string, not blank (400 empty_input), at most `maxBytes` UTF-8 bytes (422, max_text_bytes).
 * Longer in tokens than the model's max_seq_length is truncated, never rejected.
 */
export function text(maxBytes: number) {
  return z
    .string({ error: rule('must be a string') })
    .check((ctx) => {
      if (ctx.value.trim() === '') {
        ctx.issues.push({ code: 'custom', message: 'must not be empty', input: ctx.value, params: { error_type: 'empty_input' } });
        return;
      }
      const bytes = utf8Length(ctx.value);
      if (bytes > maxBytes) {
        ctx.issues.push({ code: 'custom', message: `is ${bytes} bytes > max_text_bytes ${maxBytes}`, input: ctx.value });
      }
    })
    .meta({ minLength: 1, description: `Not blank; at most ${maxBytes} UTF-8 bytes (max_text_bytes).` });
}

/**
 * A batch: an array of 1..`maxItems` (the server's max_batch_size) items. None is 400 empty_input; more is 413
 * batch_too_large.
 */
export function batch<T extends z.ZodType>(item: T, maxItems: number) {
  return z
    .array(item, { error: rule('must be an array') })
    .superRefine(
      (items, ctx) => {
        if (items.length === 0) {
          ctx.addIssue({ code: 'custom', message: 'must not be empty', input: items, params: { error_type: 'empty_input' } });
        } else if (items.length > maxItems) {
          ctx.addIssue({
            code: 'custom',
            message: `: batch size ${items.length} > maximum allowed batch size ${maxItems} (see max_batch_size in /api/v1/ml/info)`,
            input: items,
            params: { error_type: 'batch_too_large' },
          });
        }
      },
      // Counted even when items are wrong: a too-large batch is reported first.
      { when: (payload) => Array.isArray(payload.value) },
    )
    .meta({ minItems: 1, maxItems });
}

/** A profile id as a reference (path, query, candidate list): a string of 1-128 characters. */
export const profileIdRef = z
  .string({ error: rule('must be a profile id (a string of 1-128 characters)') })
  .min(1, { error: rule('must be a profile id (a string of 1-128 characters)') })
  .max(128, { error: rule('must be a profile id (a string of 1-128 characters)') });

/**
 * Optional profile ids, at most `maxItems` (413 batch_too_large above). Callers use them as a set, so repeats
 * are dropped (first kept): the scorer refuses a candidate listed twice.
 */
export function idList(maxItems: number) {
  return z
    .array(profileIdRef, { error: rule('must be an array of profile ids') })
    .superRefine(
      (ids, ctx) => {
        if (ids.length > maxItems) {
          ctx.addIssue({
            code: 'custom',
            message: `: batch size ${ids.length} > maximum allowed batch size ${maxItems}`,
            input: ids,
            params: { error_type: 'batch_too_large' },
          });
        }
      },
      { when: (payload) => Array.isArray(payload.value) },
    )
    .transform((ids) => [...new Set(ids)])
    .meta({ maxItems });
}

/** An integer in [min, max]. */
export function intIn(min: number, max: number) {
  const r = rule(`must be an integer in [${min}, ${max}]`);
  return z.number({ error: r }).int({ error: r }).min(min, { error: r }).max(max, { error: r });
}

/** A finite number in [min, max]. */
export function numberIn(min: number, max: number) {
  const r = rule(`must be a number in [${min}, ${max}]`);
  return z.number({ error: r }).min(min, { error: r }).max(max, { error: r });
}

/** A boolean. */
export function flag() {
  return z.boolean({ error: rule('must be true or false') });
}

/** One of fixed strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: rule(`must be one of ${values.map((v) => `"${v}"`).join(', ')}`) });
}
