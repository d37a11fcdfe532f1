/**
 * POST /api/v1/feed, and the request parts every ranking route shares (/feed, /ml/profiles/rank and its batch):
 * who the query is (a stored `profile_id` or an inline `profile`, exactly one), the rerank weights, the
 * score breakdown.
 */
import { z } from 'zod';
import { userProfileInputSchema } from '../profile-schema';
import { profileToText } from '../profile-text';
import { resolveWeights } from '../scoring';
import type { Profile, RankWeights } from '../types';
import { isoTimeSchema } from '../profile-schema';
import { interactionsSchema } from '../recommend/interaction-schema';
import { flag, idList, intIn, numberIn, profileIdRef, rule, utf8Length, type RequestLimits } from './common';
import { profileSchema } from './profiles';

// One rule set for every ranking request (/feed, /ml/profiles/rank and its batch items).
/** Results when a ranking request gives no `limit`. */
export const DEFAULT_RANK_LIMIT = 20;
/** Most results one ranking request returns. */
export const MAX_RANK_LIMIT = 10_000;
/** Most ids `candidate_ids` or `exclude_ids` may hold. */
export const MAX_RANK_IDS = 10_000;

/** Limits of a ranking request: the server's text and batch limits and the weights request weights merge over. */
export interface RankLimits extends RequestLimits {
  /** The configured weights (RANK_WEIGHT_*). */
  weights: RankWeights;
}

/**
 * The user's own profile sent inline as a query, not stored: at least one text field non-empty (400
 * empty_input otherwise) and a profile text of at most max_text_bytes. Parsed into a Profile whose
 * diligence and engagement are 0 (a query's own are never scored) and whose id is '' when none is given.
 */
export function inlineProfile(maxTextBytes: number) {
  return userProfileInputSchema
    .superRefine((p, ctx) => {
      const text = profileToText(p);
      if (text === '') {
        ctx.addIssue({
          code: 'custom',
          message: 'must have at least one non-empty field of name, headline, bio, tags',
          input: p,
          params: { error_type: 'empty_input' },
        });
        return;
      }
      const bytes = utf8Length(text);
      if (bytes > maxTextBytes) {
        ctx.addIssue({ code: 'custom', message: `makes a text of ${bytes} bytes > max_text_bytes ${maxTextBytes}`, input: p });
      }
    })
    .transform(
      (p): Profile => ({
        id: p.id ?? '',
        name: p.name,
        headline: p.headline,
        bio: p.bio,
        tags: p.tags,
        diligence: 0,
        engagement: 0,
        updated_at: new Date(0).toISOString(),
      }),
    );
}

/**
 * Rerank weights merged over the configured ones: each of `similarity`, `diligence`, `engagement` absent
 * (or null) or in [0, 1], not all zero once merged. Parsed into only the given ones.
 */
export function rankWeights(base: RankWeights) {
  const w = numberIn(0, 1).nullish();
  return z
    .object({ similarity: w, diligence: w, engagement: w }, { error: rule('must be an object') })
    .transform((given) => {
      const out: Partial<RankWeights> = {};
      for (const key of ['similarity', 'diligence', 'engagement'] as const) {
        const v = given[key];
        if (v !== undefined && v !== null) out[key] = v;
      }
      return out;
    })
    .superRefine((given, ctx) => {
      try {
        resolveWeights({ ...base, ...given }, true);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `: ${(err as Error).message}`, input: given });
      }
    })
    .meta({ description: 'Weights merged over the configured ones, each in [0, 1]; not all zero.' });
}

/**
 * The recommendation layer's fields (shared/recommend), the same on /feed and /ml/profiles/rank: what the user
 * did, diversity, freshness, and the time to rank at.
 */
export function recommendFields() {
  return {
    interactions: interactionsSchema.nullish(),
    diversity: numberIn(0, 1)
      .nullish()
      .meta({ description: 'MMR re-ordering of the top candidates: 0 (default) off, up to 1; MMR λ = 1 − diversity.' }),
    group_decay: flag()
      .nullish()
      .meta({ description: "Decay repeats of one group (a profile's first tag): 1, 0.625, 0.4375 … down to 0.25." }),
    freshness: z
      .object(
        {
          half_life_days: numberIn(0.001, 36500).meta({ description: 'Age of `updated_at` at which the score halves.' }),
          floor: numberIn(0, 1).nullish().meta({ description: 'Lowest factor (default 0).' }),
        },
        { error: rule('must be an object {half_life_days, floor?}') },
      )
      .nullish()
      .meta({ description: 'Decay scores by the age of `updated_at`; off when absent.' }),
    now: isoTimeSchema
      .nullish()
      .meta({ description: "The time to rank at (ISO 8601); default the server's clock. Interactions' ages count from it." }),
  };
}

/** The query of a ranking request: exactly one of `profile_id` and `profile` (null counts as absent). */
export function rankQueryFields(limits: RankLimits) {
  return {
    ...recommendFields(),
    profile_id: profileIdRef.nullish().meta({ description: 'A stored profile as the query; give this or `profile`.' }),
    profile: inlineProfile(limits.maxTextBytes)
      .nullish()
      .meta({ description: 'An inline profile as the query (not stored); give this or `profile_id`.' }),
    weights: rankWeights(limits.weights).nullish(),
  };
}

/** Fails a ranking request that names its query by neither or both of `profile_id` and `profile`. */
export function exactlyOneQuery(
  body: { profile_id?: string | null; profile?: unknown },
  ctx: z.RefinementCtx,
): void {
  const hasId = body.profile_id !== undefined && body.profile_id !== null;
  const hasProfile = body.profile !== undefined && body.profile !== null;
  if (hasId === hasProfile) {
    ctx.addIssue({ code: 'custom', message: ': give exactly one of `profile_id` or `profile`', input: body });
  }
}

/**
 * The per-feature parts of a ranked candidate's score; `total` is their weighted sum, times the recommendation
 * layer's factors when it ran (shared/types.ts ScoreBreakdown).
 */
export const scoreBreakdownSchema = z
  .object({
    similarity: z.number(),
    diligence: z.number(),
    engagement: z.number(),
    total: z.number(),
    taste: z.number().optional().meta({ description: 'What likes and passes added to the weighted total.' }),
    fatigue: z.number().optional().meta({ description: 'Factor from passes and views without action (1: none).' }),
    freshness: z.number().optional().meta({ description: 'Factor from the age of updated_at (1: off).' }),
    diversity: z.number().optional().meta({ description: 'Factor from group decay (1: off or first of its group).' }),
    redundancy: z.number().optional().meta({ description: 'MMR: similarity to the closest result above it.' }),
  })
  .meta({ id: 'ScoreBreakdown' });

/** The liked profile a result is closest to, when the taste vector lifted it. */
export const becauseSchema = z.string().optional().meta({ description: 'Id of the liked profile this result is closest to.' });

/** Rank weights as applied (normalised). */
export const rankWeightsSchema = z
  .object({ similarity: z.number(), diligence: z.number(), engagement: z.number() })
  .meta({ id: 'RankWeights' });

/**
 * A ranking request: the body of `POST /feed` and of `POST /ml/profiles/rank`, and each item of its batch.
 * One schema, so the routes cannot drift apart.
 */
export function rankRequestSchema(limits: RankLimits) {
  return z
    .object(
      {
        ...rankQueryFields(limits),
        candidate_ids: idList(MAX_RANK_IDS)
          .nullish()
          .meta({ description: 'Rank only these candidates; all stored candidates when left out.' }),
        exclude_ids: idList(MAX_RANK_IDS).nullish().meta({ description: 'Candidate ids to leave out.' }),
        limit: intIn(1, MAX_RANK_LIMIT).nullish().meta({ description: `Most results (default ${DEFAULT_RANK_LIMIT}).` }),
      },
      { error: rule('must be a JSON object') },
    )
    .superRefine(exactlyOneQuery);
}

/** Body of `POST /feed`: a ranking request. */
export const feedRequestSchema = rankRequestSchema;

/** What every ranking response says besides its results. */
export const rankStatusFields = {
  pending_candidates: z
    .number()
    .int()
    .meta({ description: 'Candidates left out because their vector is still being computed (the embedding queue).' }),
  ml_unavailable: z.string().optional().meta({ description: 'Why ML was not applied; only when ml_applied is false.' }),
};

/** Response of `POST /feed`. */
export const feedResponseSchema = z.object({
  results: z
    .array(z.object({ profile: profileSchema, score: z.number(), breakdown: scoreBreakdownSchema, because: becauseSchema }))
    .meta({ description: 'Best first (equal scores by id); in MMR order when `diversity` > 0.' }),
  model: z.string().nullable().meta({ description: 'Model that computed the similarities; null when ml_applied is false.' }),
  ml_applied: z.boolean().meta({ description: 'False when ranked by diligence and engagement alone.' }),
  /** The weights applied, normalised (similarity 0 without ML). */
  weights: rankWeightsSchema,
  ...rankStatusFields,
});

/** The user's own profile sent inline as a query (as a client sends it). */
export type InlineProfileJson = z.input<ReturnType<typeof inlineProfile>>;
/** Body of `POST /feed` as a client sends it. */
export type FeedRequest = z.input<ReturnType<typeof feedRequestSchema>>;
/** Response of `POST /feed`. */
export type FeedResponse = z.infer<typeof feedResponseSchema>;
/** One entry of the feed. */
export type FeedItem = FeedResponse['results'][number];
