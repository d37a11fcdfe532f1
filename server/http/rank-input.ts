/**
 * Request parts the ranking endpoints share (POST /feed, /ml/profiles/rank and its batch): who the query is,
 * the rerank weights, and the candidates as the shared scorer takes them. Failures are ApiFailures naming the
 * field, like every body check (body.ts).
 */
import { resolveWeights, type RankCandidate } from '../../shared/scoring';
import type { Profile, RankWeights } from '../../shared/types';
import type { ProfileStore } from '../store/profile-store';
import { optionalNumber, requireObject, type JsonObject } from './body';
import { ApiFailure } from './errors';

/**
 * Which of `profile_id` (a stored profile) and `profile` (one sent inline) names the query; exactly one must
 * be given. `at` turns a field name into its path in the request, e.g. `requests[2].profile_id`.
 */
export function queryProfileField(body: JsonObject, at: (name: string) => string = (name) => name): 'profile_id' | 'profile' {
  const hasId = body.profile_id !== undefined && body.profile_id !== null;
  const hasProfile = body.profile !== undefined && body.profile !== null;
  if (hasId === hasProfile) {
    throw new ApiFailure('validation', `give exactly one of \`${at('profile_id')}\` or \`${at('profile')}\``);
  }
  return hasId ? 'profile_id' : 'profile';
}

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
 * Optional rerank weights: an object whose `similarity`, `diligence` and `engagement` are each absent or in
 * [0, 1]. Returns only the given ones (undefined when there is no object); 422 naming the field when one is out
 * of range, or when merged over `base` they are all zero.
 */
export function optionalWeights(value: unknown, field: string, base: RankWeights): Partial<RankWeights> | undefined {
  if (value === undefined || value === null) return undefined;
  const w = requireObject(value, field);
  const weights: Partial<RankWeights> = {};
  for (const key of ['similarity', 'diligence', 'engagement'] as const) {
    const v = optionalNumber(w[key], `${field}.${key}`, 0, 1);
    if (v !== undefined) weights[key] = v;
  }
  try {
    resolveWeights({ ...base, ...weights }, true);
  } catch (err) {
    throw new ApiFailure('validation', `\`${field}\`: ${(err as Error).message}`);
  }
  return weights;
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
