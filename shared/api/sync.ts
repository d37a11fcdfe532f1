/**
 * GET /api/v1/sync?cursor=&limit=&embeddings=&tags=: incremental pull of candidate changes. Query values arrive
 * as strings; the schema parses them into the cursor (null for a first sync), the page size, the flag and the
 * shape's tags.
 */
import { z } from 'zod';
import { PROFILE_LIMITS } from '../profile-schema';
import { profileSchema } from './profiles';

/** Changes per page when `limit` is not given. */
export const SYNC_DEFAULT_LIMIT = 100;
/** Most changes one page may hold: a first sync of 100,000 candidates in 20 round trips. */
export const SYNC_MAX_LIMIT = 5000;

const shown = (raw: string) => JSON.stringify(raw.slice(0, 40));

/** Query of `GET /sync`. */
export const syncQuerySchema = z.object({
  cursor: z
    .string({ error: 'must be given once, as an opaque string' })
    .optional()
    .transform((raw) => (raw === undefined || raw === '' ? null : raw))
    .meta({ description: 'Opaque cursor of the previous page; leave out for a first sync.' }),
  limit: z
    .string({ error: `must be given once, an integer in [1, ${SYNC_MAX_LIMIT}]` })
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return SYNC_DEFAULT_LIMIT;
      const n = /^[0-9]{1,7}$/.test(raw) ? Number(raw) : NaN;
      if (n >= 1 && n <= SYNC_MAX_LIMIT) return n;
      ctx.addIssue({ code: 'custom', message: `must be an integer in [1, ${SYNC_MAX_LIMIT}], got ${shown(raw)}`, input: raw });
      return z.NEVER;
    })
    .meta({ description: `Most changes in the page, 1..${SYNC_MAX_LIMIT} (default ${SYNC_DEFAULT_LIMIT}).` }),
  embeddings: z
    .string({ error: 'must be given once, true or false' })
    .optional()
    .transform((raw, ctx) => {
      const v = (raw ?? '').toLowerCase();
      if (v === '' || v === 'false' || v === '0') return false;
      if (v === 'true' || v === '1') return true;
      ctx.addIssue({ code: 'custom', message: `must be true or false, got ${shown(raw ?? '')}`, input: raw });
      return z.NEVER;
    })
    .meta({ description: "true: every put carries the server's vector (when its model is up)." }),
  tags: z
    .string({ error: 'must be given once, a comma-separated list of tags' })
    .optional()
    .transform((raw, ctx) => {
      const tags = [...new Set((raw ?? '').split(',').map((t) => t.trim()).filter((t) => t !== ''))];
      const { maxTags, tagMaxLength } = PROFILE_LIMITS;
      if (tags.length > maxTags) {
        ctx.addIssue({ code: 'custom', message: `lists ${tags.length} tags > ${maxTags}, the most a profile can have`, input: raw });
        return z.NEVER;
      }
      const long = tags.find((t) => t.length > tagMaxLength);
      if (long !== undefined) {
        ctx.addIssue({ code: 'custom', message: `must hold tags of at most ${tagMaxLength} characters, got one of ${long.length}`, input: raw });
        return z.NEVER;
      }
      return tags;
    })
    .meta({
      description:
        'Sync one shape: only profiles with at least one of these tags (comma-separated, exact match); one that loses them arrives as a delete. The cursor belongs to its shape.',
    }),
});

/** A profile's vector as sync sends it. */
export const syncEmbeddingSchema = z.object({
  model: z.string().meta({ description: 'The model key (model id | dtype | max_seq_length): use the vector only when yours is the same.' }),
  dimension: z.number().int().meta({ description: 'Vector length in floats.' }),
  vector: z.string().meta({ description: 'base64 of little-endian float32.' }),
});

/** One change, in change order, at most one per id: a created or replaced profile, or a tombstone. */
export const syncChangeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('put'), profile: profileSchema, embedding: syncEmbeddingSchema.optional() }),
  z.object({ op: z.literal('delete'), id: z.string() }),
]);

/** Response of `GET /sync`. */
export const syncResponseSchema = z.object({
  changes: z.array(syncChangeSchema).meta({ description: 'At most `limit` changes, in change order.' }),
  cursor: z.string().meta({ description: 'Opaque; pass it back as `cursor` for the next page.' }),
  has_more: z.boolean().meta({ description: 'True when more changes follow right now.' }),
});

/** Query of `GET /sync` as parsed. */
export type SyncQuery = z.output<typeof syncQuerySchema>;
/** A profile's vector as sync sends it. */
export type SyncEmbedding = z.infer<typeof syncEmbeddingSchema>;
/** One change of `GET /sync`. */
export type SyncChange = z.infer<typeof syncChangeSchema>;
/** Response of `GET /sync`. */
export type SyncResponse = z.infer<typeof syncResponseSchema>;
