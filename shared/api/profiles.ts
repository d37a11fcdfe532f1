/**
 * /api/v1/profiles/{id}: read, create or replace, and delete one candidate profile; /api/v1/profiles/batch:
 * many writes in one request. The field rules are the shared profile schema's (shared/profile-schema.ts), the
 * same the browser applies.
 */
import { z } from 'zod';
import { PROFILE_LIMITS, profileInputSchema } from '../profile-schema';
import { profileIdRef, rule } from './common';

/** A stored candidate profile, as every route answers it. */
export const profileSchema = z
  .object({
    id: z.string().meta({ description: `1-${PROFILE_LIMITS.idMaxLength} characters, unique.` }),
    name: z.string(),
    headline: z.string(),
    bio: z.string(),
    tags: z.array(z.string()),
    diligence: z.number().meta({ description: 'How complete and active the profile is, in [0, 1].' }),
    engagement: z.number().meta({ description: 'How much the profile engages with others, in [0, 1].' }),
    updated_at: z.string().meta({ description: 'ISO 8601 time of the last change.' }),
  })
  .meta({ id: 'Profile' });

/** Path of `/profiles/{id}`. */
export const profilePathSchema = z.object({ id: profileIdRef });

/**
 * Body of `PUT /profiles/{id}`: the profile; `id` may be left out and must equal the path's when given
 * (checked by the route, which knows the path); a missing `updated_at` is stamped with the server's time.
 */
export const profilePutSchema = profileInputSchema.extend({ id: profileInputSchema.shape.id.optional() });

/** Response of `DELETE /profiles/{id}`. */
export const profileDeleteResponseSchema = z.object({
  id: z.string().meta({ description: "The deleted profile's id." }),
  deleted: z.literal(true).meta({ description: 'Always true (an unknown id is 404 not_found).' }),
});

/** Body of `PUT /profiles/{id}` as a client sends it. */
export type ProfilePutRequest = z.input<typeof profilePutSchema>;
/** Response of `GET /profiles/{id}` and `PUT /profiles/{id}` (201 created, 200 replaced): the stored profile. */
export type ProfileResponse = z.infer<typeof profileSchema>;
/** Response of `DELETE /profiles/{id}`. */
export type ProfileDeleteResponse = z.infer<typeof profileDeleteResponseSchema>;

/**
 * Body of `POST /profiles/batch`: profiles to create or replace and ids to delete, at most `maxImportBatch`
 * (MAX_IMPORT_BATCH) in all. The items themselves are checked one by one by the route (the profile schema, a
 * profile id), because a bad item is reported in its result and the others are still written: here they are
 * only arrays.
 */
export function profileBatchRequestSchema(limits: { maxImportBatch: number }) {
  const items = z.array(z.unknown(), { error: rule('must be an array') });
  return z
    .object({
      upsert: items.optional().meta({ description: 'Profiles, each with its `id`, to create or replace.' }),
      delete: items.optional().meta({ description: 'Ids of profiles to delete.' }),
    }, { error: rule('must be a JSON object') })
    .check((ctx) => {
      const { upsert, delete: deletes } = ctx.value;
      if (upsert === undefined && deletes === undefined) {
        ctx.issues.push({ code: 'custom', message: 'must give `upsert` (an array of profiles) and/or `delete` (an array of profile ids)', input: ctx.value });
        return;
      }
      const total = (upsert?.length ?? 0) + (deletes?.length ?? 0);
      if (total === 0) {
        ctx.issues.push({ code: 'custom', message: 'has `upsert` and `delete` both empty', input: ctx.value, params: { error_type: 'empty_input' } });
      } else if (total > limits.maxImportBatch) {
        ctx.issues.push({
          code: 'custom',
          message: `holds ${total} items (upsert + delete) > max_import_batch ${limits.maxImportBatch} (MAX_IMPORT_BATCH); split it into several requests`,
          input: ctx.value,
          params: { error_type: 'batch_too_large' },
        });
      }
    });
}

/** What happened to one item of a batch; `error` and `error_type` only with status 'error' (nothing changed). */
export const profileBatchResultSchema = z.object({
  id: z.string().nullable().meta({ description: "The item's id; null when an invalid item had none." }),
  status: z.enum(['created', 'updated', 'deleted', 'not_found', 'error']),
  error: z.string().optional().meta({ description: 'Why the item was refused, starting with its place, e.g. `upsert[3]: ...`.' }),
  error_type: z.literal('validation').optional(),
});

/** Response of `POST /profiles/batch`: one result per item, upserts then deletes, each in input order. */
export const profileBatchResponseSchema = z.object({
  results: z.array(profileBatchResultSchema),
});

/** Body of `POST /profiles/batch` as a client sends it. */
export type ProfileBatchRequest = { upsert?: (ProfilePutRequest & { id: string })[]; delete?: string[] };
/** One result of `POST /profiles/batch`. */
export type ProfileBatchResult = z.infer<typeof profileBatchResultSchema>;
/** Response of `POST /profiles/batch`. */
export type ProfileBatchResponse = z.infer<typeof profileBatchResponseSchema>;
