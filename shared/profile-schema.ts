/**
 * Validation of profiles arriving from outside (HTTP bodies, sync payloads, demo data, browser forms).
 * Errors name the field and the limit, e.g. `"diligence" must be a number in [0, 1], got 1.7`, so the server
 * can return them as is in `{error, error_type: 'validation'}`.
 *
 * Decisions:
 * - `updated_at` is optional on input and defaults to the time of validation (`options.now`, default
 *   `new Date()`), written as `toISOString()`. A PUT without it is stamped by the server; a given value must
 *   be ISO 8601 date-time with a zone (`Z` or `±hh:mm`) and is kept as given.
 * - `headline`, `bio` default to '' and `tags` to []; `name`, `id`, `diligence`, `engagement` are required.
 * - Lengths count UTF-16 code units (JavaScript's `length`), the same in every runtime.
 * - Unknown fields are dropped, not rejected: clients may send more than the server keeps.
 */
import { z } from 'zod';
import { formatPath, rule } from './api/common';
import type { Profile } from './types';

/** Limits of profile fields; the server's docs and /ml/info are built on these. */
export const PROFILE_LIMITS = Object.freeze({
  idMaxLength: 128,
  nameMaxLength: 200,
  headlineMaxLength: 300,
  bioMaxLength: 5000,
  maxTags: 50,
  tagMaxLength: 64,
});

export type ProfileValidation = { ok: true; profile: Profile } | { ok: false; field: string; message: string };

export interface ValidateProfileOptions {
  /** Clock for a missing `updated_at` (tests pass a fixed one). */
  now?: () => Date;
}

// ---------------------------------------------------------------------------------------------------------
// Schemas. Every error callback returns the rule and what was received; `formatIssue` prefixes the field.

const NO_CONTROL = /^[^\p{Cc}]*$/u;

function boundedString(min: number, max: number, what: string) {
  const r = rule(what);
  return z.string({ error: r }).min(min, { error: r }).max(max, { error: r });
}

const L = PROFILE_LIMITS;

const idSchema = boundedString(1, L.idMaxLength, `must be a string of 1-${L.idMaxLength} characters`).regex(
  NO_CONTROL,
  { error: rule('must not contain control characters') },
);
const nameSchema = boundedString(
  1,
  L.nameMaxLength,
  `must be a non-empty string of at most ${L.nameMaxLength} characters`,
).refine((s) => s.trim().length > 0, {
  error: rule(`must be a non-empty string of at most ${L.nameMaxLength} characters`),
});
const headlineSchema = boundedString(0, L.headlineMaxLength, `must be a string of at most ${L.headlineMaxLength} characters`);
const bioSchema = boundedString(0, L.bioMaxLength, `must be a string of at most ${L.bioMaxLength} characters`);
const tagsSchema = z
  .array(boundedString(1, L.tagMaxLength, `must be a string of 1-${L.tagMaxLength} characters`), {
    error: rule(`must be an array of at most ${L.maxTags} strings`),
  })
  .max(L.maxTags, { error: rule(`must be an array of at most ${L.maxTags} strings`) });
const unitSchema = z
  .number({ error: rule('must be a number in [0, 1]') })
  .min(0, { error: rule('must be a number in [0, 1]') })
  .max(1, { error: rule('must be a number in [0, 1]') });
const timeSchema = z.iso.datetime({
  offset: true,
  error: rule('must be an ISO 8601 date-time with a time zone, e.g. "2026-01-31T12:00:00Z"'),
});

/** A profile id (1-128 characters, no control characters); other schemas naming a profile reuse it. */
export const profileIdSchema = idSchema;
/** An ISO 8601 date-time with a zone, as `updated_at` takes it. */
export const isoTimeSchema = timeSchema;

/** A candidate profile as accepted on input (`updated_at` optional: see the module comment). */
export const profileInputSchema = z.object(
  {
    id: idSchema,
    name: nameSchema,
    headline: headlineSchema.default(''),
    bio: bioSchema.default(''),
    tags: tagsSchema.default([]),
    diligence: unitSchema,
    engagement: unitSchema,
    updated_at: timeSchema.optional(),
  },
  { error: rule('must be a JSON object') },
);

/** A user profile as a feed query: any of the text fields (shared/api/feed.ts requires one non-empty). */
export const userProfileInputSchema = z.object(
  {
    id: idSchema.optional(),
    name: boundedString(0, L.nameMaxLength, `must be a string of at most ${L.nameMaxLength} characters`).default(''),
    headline: headlineSchema.default(''),
    bio: bioSchema.default(''),
    tags: tagsSchema.default([]),
  },
  { error: rule('must be a JSON object') },
);

// ---------------------------------------------------------------------------------------------------------

/** Validates a candidate profile; on failure names the first bad field (`tags[3]` for an element). */
export function validateProfile(input: unknown, options: ValidateProfileOptions = {}): ProfileValidation {
  const r = profileInputSchema.safeParse(input);
  if (!r.success) return failure(r.error.issues[0], 'profile');
  const p = r.data;
  const profile: Profile = {
    id: p.id,
    name: p.name,
    headline: p.headline,
    bio: p.bio,
    tags: p.tags,
    diligence: p.diligence,
    engagement: p.engagement,
    updated_at: p.updated_at ?? (options.now ? options.now() : new Date()).toISOString(),
  };
  return { ok: true, profile };
}

export { formatPath } from './api/common';

function failure(
  issue: { path: readonly PropertyKey[]; message: string; code?: string; input?: unknown } | undefined,
  root: string,
): { ok: false; field: string; message: string } {
  if (!issue) return { ok: false, field: root, message: `"${root}" is invalid` };
  const field = formatPath(issue.path, root);
  const missing = issue.code === 'invalid_type' && issue.message.endsWith(', got nothing');
  const message = missing
    ? `"${field}" is required and ${issue.message.replace(/, got nothing$/, '')}`
    : `"${field}" ${issue.message}`;
  return { ok: false, field, message };
}
