/**
 * The wire rule of an interaction list (`"interactions": [...]` of POST /feed and /ml/profiles/rank), as the zod
 * schema shared/api's ranking requests use. Kept apart from interactions.ts so the browser bundle, which only
 * reads records it wrote itself, does not pull in zod.
 */
import { z } from 'zod';
import { profileIdRef, rule } from '../api/common';
import { isoTimeSchema } from '../profile-schema';
import { INTERACTION_TYPES, MAX_INTERACTIONS } from './interactions';

/** One interaction: a known type, a profile id, an optional ISO 8601 time with a zone. */
export const interactionSchema = z.object(
  {
    profile_id: profileIdRef,
    type: z.enum(INTERACTION_TYPES, { error: rule(`must be one of ${INTERACTION_TYPES.join(', ')}`) }),
    at: isoTimeSchema.optional(),
  },
  { error: rule('must be an object {profile_id, type, at?}') },
);

/** The list: at most MAX_INTERACTIONS items, each checked (a failure names its index). */
export const interactionsSchema = z
  .array(interactionSchema, { error: rule('must be an array of interactions') })
  .max(MAX_INTERACTIONS, { error: (iss) => `holds ${(iss.input as unknown[]).length} items > the maximum ${MAX_INTERACTIONS}` })
  .meta({ maxItems: MAX_INTERACTIONS, description: 'What the user did, `{profile_id, type, at?}`; unknown profile ids are ignored.' });
