/**
 * /api/v1/profiles/{id}: read, create or replace, and delete one candidate profile. The field rules are the
 * shared profile schema's (shared/profile-schema.ts), the same the browser applies.
 */
import { z } from 'zod';
import { PROFILE_LIMITS, profileInputSchema } from '../profile-schema';
import { profileIdRef } from './common';

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
