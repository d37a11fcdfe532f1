/**
 * What the ranking endpoints share once their request is validated (POST /feed, /ml/profiles/rank and its
 * batch; the request schemas are in shared/api/feed.ts): the stored query profile, and the candidates as the
 * shared scorer takes them.
 */
import type { RankCandidate } from '../../shared/scoring';
import type { Profile } from '../../shared/types';
import type { ProfileStore } from '../store/profile-store';
import { ApiFailure } from './errors';

/**
 * The stored profile a query names by id; 404 not_found naming the id and the request field it came from
 * (e.g. `requests[2].profile_id`), so a caller of a batch knows which item to fix.
 */
export async function requireStoredProfile(store: Pick<ProfileStore, 'get'>, id: string, field: string): Promise<Profile> {
  const found = await store.get(id);
  if (!found) throw new ApiFailure('not_found', `profile \`${id}\` (${field}) not found`);
  return found;
}

/**
 * Stored profiles as `rankCandidates` input; `vectors[i]` belongs to `profiles[i]`, and without vectors (ML
 * unavailable) every candidate ranks by diligence and engagement alone.
 */
export function toRankCandidates(profiles: readonly Profile[], vectors?: readonly Float32Array[]): RankCandidate[] {
  return profiles.map((p, i) => ({
    id: p.id,
    vector: vectors?.[i] ?? null,
    diligence: p.diligence,
    engagement: p.engagement,
  }));
}
