/**
 * The wire rule of an interaction list (`"interactions": [...]` of POST /feed and /ml/profiles/rank), as a zod
 * schema the server validates requests with. Kept apart from interactions.ts so the browser bundle, which
 * only reads records it wrote itself, does not pull in zod.
 */
import { z } from 'zod';
import { isoTimeSchema, profileIdSchema } from '../profile-schema';
import { INTERACTION_TYPES, MAX_INTERACTIONS, type Interaction } from './interactions';

/** One interaction: a known type, a profile id like a profile's, an optional ISO time with a zone. */
export const interactionSchema = z.object(
  {
    profile_id: profileIdSchema,
    type: z.enum(INTERACTION_TYPES as [string, ...string[]], {
      error: (iss) => `must be one of ${INTERACTION_TYPES.join(', ')}, got ${JSON.stringify(iss.input) ?? 'nothing'}`,
    }),
    at: isoTimeSchema.optional(),
  },
  { error: () => 'must be an object {profile_id, type, at?}' },
);

/** The list: at most MAX_INTERACTIONS items. */
export const interactionsSchema = z
  .array(interactionSchema, { error: () => 'must be an array of interactions' })
  .max(MAX_INTERACTIONS, { error: (iss) => `holds ${(iss.input as unknown[]).length} items > the maximum ${MAX_INTERACTIONS}` });

export type InteractionsParse = { ok: true; interactions: Interaction[] } | { ok: false; field: string; message: string };

/**
 * Validates `value` as an interaction list; on failure names the first bad item by index and field
 * (`interactions[3].type must be one of ...`). `root` is the field's path in the request.
 */
export function parseInteractions(value: unknown, root = 'interactions'): InteractionsParse {
  const r = interactionsSchema.safeParse(value);
  if (r.success) return { ok: true, interactions: r.data as Interaction[] };
  const issue = r.error.issues[0]!;
  const field = root + issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
  return { ok: false, field, message: `"${field}" ${issue.message}` };
}
