/**
 * Ranking requests as the ranking service takes them: the validated body of POST /feed, /ml/profiles/rank or
 * a batch item (shared/api/feed.ts `rankRequestSchema`) turned into a `RankRequest`, and stored profiles as
 * the shared scorer's input.
 */
import type { z } from 'zod';
import { DEFAULT_RANK_LIMIT, type rankRequestSchema } from '../../shared/api/feed';
import type { RankCandidate } from '../../shared/scoring';
import type { Profile } from '../../shared/types';
import type { RankRequest } from '../ranking/ranking-service';

/** A ranking request body after validation. */
export type ParsedRankRequest = z.output<ReturnType<typeof rankRequestSchema>>;

/** The service's request for a validated body; `field` is its path in the request ('' for the whole body). */
export function toRankRequest(body: ParsedRankRequest, field: string): RankRequest {
  const at = (name: string) => (field ? `${field}.${name}` : name);
  const query =
    body.profile_id !== undefined && body.profile_id !== null
      ? { profileId: body.profile_id, field: at('profile_id') }
      : { profile: body.profile! };
  return {
    query,
    ...(body.candidate_ids ? { candidateIds: body.candidate_ids } : {}),
    ...(body.exclude_ids ? { excludeIds: body.exclude_ids } : {}),
    limit: body.limit ?? DEFAULT_RANK_LIMIT,
    ...(body.weights ? { weights: body.weights } : {}),
    recommend: body,
  };
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
