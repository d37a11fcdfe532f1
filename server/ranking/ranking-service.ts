/**
 * The one ranking flow behind POST /feed, /ml/profiles/rank and /ml/profiles/rank/batch. A request is a query
 * (a stored profile or one sent inline) plus options; the candidates come from this process's live index, the
 * query vector from the index or one embedding, and the shared `rankCandidates` does the rest in one pass.
 *
 * The rules, in one place:
 * - Candidates whose vector is not ready are left out and counted in `pending_candidates`; when no more than
 *   `ON_THE_SPOT_EMBEDDINGS` are pending they are embedded right away instead.
 * - Without ML (off, not loaded, or failing during the request) every request ranks by diligence and
 *   engagement with `ml_applied: false` and `ml_unavailable` saying why; never an error.
 * - A `profile_id` the store does not hold is 404 naming the request field.
 */
import { profileToText } from '../../shared/profile-text';
import { recommend, type RecommendRankOptions, type RecommendResult } from '../../shared/recommend/recommend';
import type { CandidateMatrix } from '../../shared/scoring';
import type { Profile, RankWeights, ScoreBreakdown } from '../../shared/types';
import type { ServerConfig } from '../deps';
import { ApiFailure } from '../http/errors';
import { toRankCandidates } from '../http/rank-input';
import { recommendOptions, type RecommendFieldsJson } from '../http/recommend-input';
import { textHash } from '../ml/create-ml-service';
import type { MlService } from '../ml/ml-service';
import type { ProfileStore } from '../store/profile-store';
import type { CandidateIndex } from './candidate-index';

/**
 * Pending candidates (vector not computed yet) a request embeds on the spot, at interactive priority, when
 * that is all that is pending; more are left out and counted in `pending_candidates`.
 */
export const ON_THE_SPOT_EMBEDDINGS = 16;

/** Who a ranking is for. */
export type RankQuery =
  /** A stored profile; `field` names where its id sits in the request, for a 404 (`requests[2].profile_id`). */
  | { profileId: string; field: string }
  /** A profile sent inline (id '' when it has none). */
  | { profile: Profile };

/** One ranking request, validated (server/http/rank-input.ts parses it from JSON). */
export interface RankRequest {
  query: RankQuery;
  /** Rank only these candidates; all of the index when absent. */
  candidateIds?: readonly string[];
  /** Candidates never returned (the query's own id is always left out). */
  excludeIds?: readonly string[];
  limit: number;
  /** Request weights, merged over the configured ones. */
  weights?: Partial<RankWeights>;
  /** The recommendation layer's fields (interactions, diversity, group_decay, freshness, now). */
  recommend?: RecommendFieldsJson;
}

/** One ranked candidate. */
export interface RankedCandidate {
  profile: Profile;
  score: number;
  breakdown: ScoreBreakdown;
  /** The liked profile this result is closest to, when the taste vector lifted it. */
  because?: string;
}

/** The outcome of one request. */
export interface RankOutcome {
  results: RankedCandidate[];
  /** Model that computed the similarities; null when `ml_applied` is false. */
  model: string | null;
  ml_applied: boolean;
  /** The weights applied, normalised. */
  weights: RankWeights;
  /** Candidates left out because their vector is not computed yet (0 without ML). */
  pending_candidates: number;
  /** Why ML was not applied, when it was not. */
  ml_unavailable?: string;
}

export interface RankingServiceOptions {
  config: ServerConfig;
  store: ProfileStore;
  ml: MlService;
  index: CandidateIndex;
}

interface Resolved {
  req: RankRequest;
  query: Profile;
  /** True for a stored query: its vector may be in the index. */
  stored: boolean;
  excluded: Set<string>;
}

/** Ranks requests; see the module comment. */
export class RankingService {
  constructor(private readonly options: RankingServiceOptions) {}

  /** Ranks requests together: their pending candidates and inline queries are embedded in one call each. */
  async rank(requests: readonly RankRequest[]): Promise<RankOutcome[]> {
    const resolved = await Promise.all(requests.map((req) => this.resolve(req)));
    const { ml, index } = this.options;
    if (!ml.available() || !index.ranksWithVectors) {
      const why = ml.available() ? 'the candidate index holds no vectors' : 'ML is off or its model is not loaded';
      return resolved.map((r) => this.rankWithout(r, why));
    }
    let queries: Float32Array[];
    try {
      await this.embedPendingOnTheSpot(resolved);
      queries = await this.queryVectors(resolved);
    } catch (err) {
      const why = `ML failed during the request (${(err as Error).message})`;
      console.warn(`[nearfeed] ranked without ML: ${why}`);
      return resolved.map((r) => this.rankWithout(r, why));
    }
    const model = ml.info()?.model ?? null;
    return resolved.map((r, i) => {
      const pending = this.pendingFor(r);
      // Read the matrix and rank it in one synchronous step: its views are valid until the index changes.
      const matrix = r.req.candidateIds ? index.pickReady(r.req.candidateIds)! : index.readyMatrix()!;
      const ranked = this.score(queries[i]!, matrix, r);
      return { ...this.outcome(ranked), model, pending_candidates: pending };
    });
  }

  /** The query profile, 404 when a stored one is unknown (the index first, then the store). */
  private async resolve(req: RankRequest): Promise<Resolved> {
    let query: Profile;
    let stored = false;
    if ('profileId' in req.query) {
      const { profileId, field } = req.query;
      const found = this.options.index.profile(profileId) ?? (await this.options.store.get(profileId));
      if (!found) throw new ApiFailure('not_found', `profile \`${profileId}\` (${field}) not found`);
      query = found;
      stored = true;
    } else {
      query = req.query.profile;
    }
    const excluded = new Set(req.excludeIds);
    if (query.id !== '') excluded.add(query.id);
    return { req, query, stored, excluded };
  }

  /** Every candidate of the request that is pending and not excluded. */
  private pendingCandidates(r: Resolved): string[] {
    const { index } = this.options;
    const ids = r.req.candidateIds ?? index.pendingIds(Number.POSITIVE_INFINITY);
    return ids.filter((id) => !r.excluded.has(id) && index.isPending(id));
  }

  private pendingFor(r: Resolved): number {
    return new Set(this.pendingCandidates(r)).size;
  }

  /** A handful of pending candidates are embedded now (interactive priority); more wait for the worker. */
  private async embedPendingOnTheSpot(resolved: readonly Resolved[]): Promise<void> {
    const { index, ml } = this.options;
    if (index.pendingCount === 0) return;
    const ids = new Set<string>();
    for (const r of resolved) for (const id of this.pendingCandidates(r)) ids.add(id);
    if (ids.size === 0 || ids.size > ON_THE_SPOT_EMBEDDINGS) return;
    const profiles = [...ids].map((id) => index.profile(id)!);
    const vectors = await ml.profileVectors(profiles);
    profiles.forEach((p, i) => index.setVector(p.id, textHash(profileToText(p)), vectors[i]!));
  }

  /**
   * One query vector per request, as the query side (`ml.queryVectors`: the query prompt for a model that has
   * one; otherwise a stored query's cached vector, an inline one's text embedding), in one call.
   */
  private queryVectors(resolved: readonly Resolved[]): Promise<Float32Array[]> {
    return this.options.ml.queryVectors(resolved.map((r) => ({ profile: r.query, stored: r.stored })));
  }

  /**
   * The one call into the shared ranking (`recommend`: rankCandidates plus the recommendation layer): every
   * request option reaches it here.
   */
  private score(query: Float32Array | null, candidates: CandidateMatrix | ReturnType<typeof toRankCandidates>, r: Resolved): RecommendResult {
    const { config, index } = this.options;
    const options: RecommendRankOptions = {
      weights: { ...config.weights, ...r.req.weights },
      limit: r.req.limit,
      excludeIds: r.excluded,
      ...recommendOptions(r.req.recommend ?? {}, config.taste, (id) => index.profile(id)),
    };
    return recommend(query, candidates, options);
  }

  private rankWithout(r: Resolved, why: string): RankOutcome {
    const { index } = this.options;
    const profiles = r.req.candidateIds
      ? [...new Set(r.req.candidateIds)].flatMap((id) => index.profile(id) ?? [])
      : [...index.profiles()];
    const ranked = this.score(null, toRankCandidates(profiles), r);
    return { ...this.outcome(ranked), model: null, pending_candidates: 0, ml_unavailable: why };
  }

  private outcome(ranked: RecommendResult): Omit<RankOutcome, 'model' | 'pending_candidates'> {
    const { index } = this.options;
    return {
      results: ranked.results.map((x) => ({
        profile: index.profile(x.id)!,
        score: x.score,
        breakdown: x.breakdown,
        ...(x.because !== undefined ? { because: x.because } : {}),
      })),
      ml_applied: ranked.ml_applied,
      weights: ranked.weights,
    };
  }
}
