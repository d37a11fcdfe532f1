/**
 * POST /feed: the ranked feed for one user, for devices that do not rank locally. Ranked by the shared
 * `recommend` the browser uses (rankCandidates plus the interactions, diversity and freshness the request
 * sends), over every stored candidate but the user and `exclude_ids`, so the server's feed and the device's
 * feed are the same feed. Without ML (off, not loaded, or failing during this request)
 * it still answers, ranked by diligence and engagement, with `ml_applied: false`.
 */
import { Hono } from 'hono';
import { recommend, type RecommendResult } from '../../shared/recommend/recommend';
import type { z } from 'zod';
import { FEED_DEFAULT_LIMIT, feedRequestSchema, type FeedResponse } from '../../shared/api/feed';
import type { Profile, RankWeights } from '../../shared/types';
import type { ServerDeps } from '../deps';
import { requireStoredProfile, toRankCandidates } from '../http/rank-input';
import { recommendOptions, tasteProfileIds, type RecommendFieldsJson } from '../http/recommend-input';
import { jsonBody } from '../http/validate';

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

  const schema = feedRequestSchema(config);

  /** The request with the stored user read (404 when `profile_id` is unknown) and the weights merged. */
  async function resolveRequest(body: z.output<typeof schema>): Promise<ParsedFeedRequest> {
    const { profile_id: id, profile } = body;
    const stored = id !== undefined && id !== null;
    // The schema lets exactly one of profile_id and profile through.
    const user = stored ? await requireStoredProfile(store, id, 'profile_id') : profile!;
    // Request weights merged over the configured ones.
    const weights: RankWeights = { ...config.weights, ...body.weights };
    const limit = body.limit ?? FEED_DEFAULT_LIMIT;
    return { user, stored, limit, excludeIds: body.exclude_ids ?? [], weights, recommend: body };
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
      // The user is the query side (the query prompt, for a model that has one); candidates the document side.
      const [[query], vectors] = await Promise.all([
        ml.queryVectors([{ profile: req.user, stored: req.stored }]),
        ml.profileVectors(candidates),
      ]);
      if (!query) return undefined;
      return rank(req, query, candidates, excluded, vectors);
    } catch (err) {
      console.warn('[nearfeed] feed ranked without ML, it failed during the request:', err);
      return undefined;
    }
  }

  app.post('/feed', jsonBody(schema), async (c) => {
    const req = await resolveRequest(c.req.valid('json'));
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
