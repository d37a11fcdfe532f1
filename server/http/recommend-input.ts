/**
 * The recommendation fields of a ranking request (/feed, /ml/profiles/rank and its batch; schema in
 * shared/api/feed.ts) as options of shared/recommend's `recommend`: one mapping both routes call.
 */
import type { Interaction } from '../../shared/recommend/interactions';
import type { RecommendOptions, TasteWeights } from '../../shared/recommend/options';
import type { Profile } from '../../shared/types';

/** The recommendation fields as the request schema parses them (absent or null: not given). */
export interface RecommendFieldsJson {
  interactions?: Interaction[] | null;
  diversity?: number | null;
  group_decay?: boolean | null;
  freshness?: { half_life_days: number; floor?: number | null } | null;
  now?: string | null;
}

/**
 * `recommend` options for a request; `profileOf` finds a candidate's profile (the candidate index's lookup).
 * `now` is the request's, else this server's clock (the one place the server reads it for ranking); the
 * Rocchio weights are the configured TASTE_*.
 */
export function recommendOptions(
  body: RecommendFieldsJson,
  taste: TasteWeights,
  profileOf: (id: string) => Profile | undefined,
): RecommendOptions {
  const options: RecommendOptions = { now: body.now ?? Date.now(), taste };
  if (body.interactions && body.interactions.length > 0) options.interactions = body.interactions;
  if (body.diversity) options.diversity = body.diversity;
  if (body.group_decay) options.groupDecay = true;
  if (body.freshness) options.freshness = { halfLifeDays: body.freshness.half_life_days, floor: body.freshness.floor ?? 0 };
  if (options.groupDecay || options.freshness) options.profileOf = profileOf;
  return options;
}

/**
 * Ids of profiles the taste vector reads (liked, connected, passed): a route keeps them among the ranked
 * candidates, left out of the results through `excludeIds`, so their vectors are there as on the device.
 */
export function tasteProfileIds(body: RecommendFieldsJson): Set<string> {
  const ids = new Set<string>();
  for (const it of body.interactions ?? []) if (it.type === 'like' || it.type === 'connect' || it.type === 'pass') ids.add(it.profile_id);
  return ids;
}
