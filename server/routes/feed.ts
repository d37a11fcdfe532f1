/**
 * POST /feed: the ranked feed for one user, for devices that do not rank locally. Ranked by the shared
 * `recommend` the browser uses (rankCandidates plus the interactions, diversity and freshness the request
 * sends), over every stored candidate but the user and `exclude_ids`, so the server's feed and the device's
 * feed are the same feed. Without ML (off, not loaded, or failing during this request)
 * it still answers, ranked by diligence and engagement, with `ml_applied: false`.
 */
import { Hono } from 'hono';
import { profileToText } from '../../shared/profile-text';
import { recommend, type RecommendResult } from '../../shared/recommend/recommend';
import type { FeedResponse } from '../../shared/api';
import type { Profile, RankWeights } from '../../shared/types';
import type { ServerDeps } from '../deps';
import { optionalIds, optionalInt, readJsonObject, requireId } from '../http/body';
import { parseInlineProfile } from '../http/profile-input';
import { optionalWeights, queryProfileField, requireStoredProfile, toRankCandidates } from '../http/rank-input';
import { parseRecommendFields, recommendOptions, tasteProfileIds, type RecommendFieldsJson } from '../http/recommend-input';

/** Results when the request gives no `limit`. */
export const FEED_DEFAULT_LIMIT = 20;
/** Most results one feed request returns. */
export const FEED_MAX_LIMIT = 1000;
/** Most ids `exclude_ids` may hold. */
export const FEED_MAX_EXCLUDE_IDS = 10_000;

interface ParsedFeedRequest {
  /** The user as the query: a stored profile (profile_id) or one sent inline (id '' when it has none). */
  user: Profile;
  /** True for a stored profile: its vector lives in the profile cache, beside the candidates'. */
  stored: boolean;
  limit: number;
  excludeIds: string[];
  weights: RankWeights;
  /** interactions, diversity, group_decay, freshness, now. */
  recommend: RecommendFieldsJson;
}

/** Routes `POST /feed`, mounted under /api/v1. */
export function feedRoutes(deps: ServerDeps): Hono {
  const { store, ml, config } = deps;
  const app = new Hono();

  async function parseRequest(body: Record<string, unknown>): Promise<ParsedFeedRequest> {
    const hasId = queryProfileField(body) === 'profile_id';
    const limit = optionalInt(body.limit, 'limit', 1, FEED_MAX_LIMIT) ?? FEED_DEFAULT_LIMIT;
    const excludeIds = optionalIds(body.exclude_ids, 'exclude_ids', FEED_MAX_EXCLUDE_IDS) ?? [];
    // Request weights merged over the configured ones.
    const weights: RankWeights = { ...config.weights, ...optionalWeights(body.weights, 'weights', config.weights) };
    const user = hasId
      ? await requireStoredProfile(store, requireId(body.profile_id, 'profile_id'), 'profile_id')
      : parseInlineProfile(body.profile, 'profile', config.maxTextBytes);
    return { user, stored: hasId, limit, excludeIds, weights, recommend: parseRecommendFields(body) };
  }

  /** Ranks with similarity; undefined when ML is unavailable or fails on the way (the caller degrades). */
  /** `recommend` over the candidates (vectors: with similarity), leaving out the user and `exclude_ids`. */
  function rank(req: ParsedFeedRequest, query: Float32Array | null, candidates: Profile[], excluded: Set<string>, vectors?: Float32Array[]) {
    return recommend(query, toRankCandidates(candidates, vectors), {
      weights: req.weights,
      limit: req.limit,
      excludeIds: excluded,
      ...recommendOptions(req.recommend, config.taste, candidates),
    });
  }

  async function rankWithMl(req: ParsedFeedRequest, candidates: Profile[], excluded: Set<string>): Promise<RecommendResult | undefined> {
    if (!ml.available()) return undefined;
    try {
      // A stored user's vector is usually cached already (as someone else's candidate): one profile read.
      const [query, vectors] = req.stored
        ? await ml.profileVectors([req.user, ...candidates]).then(([q, ...rest]) => [q, rest] as const)
        : await Promise.all([
            ml.embedTexts([profileToText(req.user)]).then((r) => r.vectors[0]),
            ml.profileVectors(candidates),
          ]);
      if (!query) return undefined;
      return rank(req, query, candidates, excluded, vectors);
    } catch (err) {
      console.warn('[nearfeed] feed ranked without ML, it failed during the request:', err);
      return undefined;
    }
  }

  app.post('/feed', async (c) => {
    const req = await parseRequest(await readJsonObject(c));
    const excluded = new Set(req.excludeIds);
    if (req.user.id !== '') excluded.add(req.user.id);
    // Excluded candidates are dropped before ranking, so no vector is computed for them; those the taste vector
    // reads stay (left out of the results by the ranker), as on a device, which holds every candidate.
    const taste = tasteProfileIds(req.recommend);
    const candidates = (await store.list()).filter((p) => !excluded.has(p.id) || taste.has(p.id));

    const ranked = (await rankWithMl(req, candidates, excluded)) ?? rank(req, null, candidates, excluded);
    const byId = new Map(candidates.map((p) => [p.id, p]));
    const body: FeedResponse = {
      results: ranked.results.map((r) => ({
        profile: byId.get(r.id) as Profile,
        score: r.score,
        breakdown: r.breakdown,
        ...(r.because !== undefined ? { because: r.because } : {}),
      })),
      model: ranked.ml_applied ? (ml.info()?.model ?? null) : null,
      ml_applied: ranked.ml_applied,
      weights: ranked.weights,
    };
    return c.json(body);
  });

  return app;
}
