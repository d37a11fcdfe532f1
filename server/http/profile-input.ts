/**
 * A user's own profile sent inline as a rank query: validated by the shared schema (the same rules the
 * browser applies), then checked against max_text_bytes. Scores need no diligence/engagement of the query.
 */
import { validateUserProfile } from '../../shared/profile-schema';
import { profileToText } from '../../shared/profile-text';
import type { Profile } from '../../shared/types';
import { utf8Bytes } from './body';
import { ApiFailure } from './errors';

/** Validates an inline profile; `field` names it in messages (e.g. `requests[2].profile`). */
export function parseInlineProfile(value: unknown, field: string, maxTextBytes: number): Profile {
  const checked = validateUserProfile(value);
  if (!checked.ok) {
    const message = field === 'profile' ? checked.message : `${field}: ${checked.message}`;
    // No text at all is an empty input, not a type error.
    throw new ApiFailure(checked.empty ? 'empty_input' : 'validation', message);
  }
  const p = checked.profile;
  const profile: Profile = {
    id: p.id ?? '',
    name: p.name,
    headline: p.headline,
    bio: p.bio,
    tags: p.tags,
    diligence: 0,
    engagement: 0,
    updated_at: new Date(0).toISOString(),
  };
  const bytes = utf8Bytes(profileToText(profile));
  if (bytes > maxTextBytes) {
    throw new ApiFailure('validation', `\`${field}\` makes a text of ${bytes} bytes > max_text_bytes ${maxTextBytes}`);
  }
  return profile;
}
