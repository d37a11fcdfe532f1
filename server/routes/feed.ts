/**
 * POST /feed: the ranked feed for one user, for devices that do not rank locally, with full candidate
 * profiles. The request schema and the ranking are the ones /ml/profiles/rank uses (shared/api/feed.ts,
 * server/ranking/), so the server's feed and the device's feed are the same feed and both endpoints follow
 * one rule set.
 */
import { Hono } from 'hono';
import { feedRequestSchema, type FeedResponse } from '../../shared/api';
import type { ServerDeps } from '../deps';
import { toRankRequest } from '../http/rank-input';
import { jsonBody } from '../http/validate';

/** Routes `POST /feed`, mounted under /api/v1. */
export function feedRoutes(deps: ServerDeps): Hono {
  const { ranking, config } = deps;
  const app = new Hono();

  app.post('/feed', jsonBody(feedRequestSchema(config)), async (c) => {
    const [ranked] = await ranking.rank([toRankRequest(c.req.valid('json'), '')]);
    const { results, model, ml_applied, weights, pending_candidates, ml_unavailable } = ranked!;
    const body: FeedResponse = {
      results,
      model,
      ml_applied,
      weights,
      pending_candidates,
      ...(ml_unavailable !== undefined ? { ml_unavailable } : {}),
    };
    return c.json(body);
  });

  return app;
}
