/**
 * Options of the recommendation layer, their defaults, and the one function that checks them. Every option is
 * off or neutral by default except the ones interactions switch on (taste, fatigue), so a request without
 * interactions and without options ranks exactly as `rankCandidates` does.
 */
import type { Profile } from '../types';
import type { Interaction } from './interactions';

/** Rocchio weights: query = normalise(alpha·profile + beta·mean(positives) − gamma·mean(negatives)). */
export interface TasteWeights {
  /** Weight of the user's own profile vector, in (0, 1]. */
  alpha: number;
  /** Weight of the liked / connected profiles' mean, in [0, 1]. */
  beta: number;
  /** Weight of the passed profiles' mean, subtracted, in [0, 1]. */
  gamma: number;
}

/** SMART's classic proportions, as the issue and Qdrant's recommend API use them. */
export const DEFAULT_TASTE_WEIGHTS: Readonly<TasteWeights> = Object.freeze({ alpha: 1, beta: 0.75, gamma: 0.25 });

/** How seen and passed candidates are held back (anchor: X home-mixer's FeedbackFatigueScorer). */
export interface FatigueOptions {
  /** Days a passed candidate stays out of the feed (default 14). */
  passCooldownDays: number;
  /** Score factor of a passed candidate after its cool-down, in [0, 1] (default 0.5). */
  passReturnFactor: number;
  /** Score discount per recent view without an action, in [0, 1) (default 0.05: 0.95 per view). */
  viewDiscount: number;
  /** Lowest factor views alone can bring a candidate to, in [0, 1] (default 0.5). */
  viewFloor: number;
}

export const DEFAULT_FATIGUE: Readonly<FatigueOptions> = Object.freeze({
  passCooldownDays: 14,
  passReturnFactor: 0.5,
  viewDiscount: 0.05,
  viewFloor: 0.5,
});

/** Multiplicative decay of a candidate's score by the age of its `updated_at`. */
export interface FreshnessOptions {
  /** Age in days at which the factor is 0.5 (before the floor), > 0. */
  halfLifeDays: number;
  /** Lowest factor, in [0, 1]: old profiles are pushed down, never out. */
  floor: number;
}

/** Recency half-life of interactions in days (a like 30 days old counts half). */
export const DEFAULT_INTERACTION_HALF_LIFE_DAYS = 30;

/** Group decay as X applies it to authors: the k-th result of one group (0-based) gets (1 − floor)·factor^k + floor. */
export const GROUP_DECAY = Object.freeze({ factor: 0.5, floor: 0.25 });

/** Options of `recommend`; none is required, and with none set it is `rankCandidates`. */
export interface RecommendOptions {
  /** The current time (epoch ms, ISO string or Date); required once interactions or freshness are used. */
  now?: number | string | Date;
  /** What the user did, any order; at most MAX_INTERACTIONS. Unknown profile ids are ignored. */
  interactions?: readonly Interaction[];
  /** Rocchio weights, merged over DEFAULT_TASTE_WEIGHTS. */
  taste?: Partial<TasteWeights>;
  /** Recency half-life of interactions, days > 0 (default 30). */
  halfLifeDays?: number;
  /** Fatigue settings, merged over DEFAULT_FATIGUE. */
  fatigue?: Partial<FatigueOptions>;
  /** Freshness decay on `updated_at`; off when absent. */
  freshness?: FreshnessOptions;
  /** MMR re-ordering of the top candidates, in [0, 1]: 0 off, else λ = 1 − diversity. Needs vectors. */
  diversity?: number;
  /** Decay repeats of one group (a profile's first tag, its role in the demo data) 1, 0.625, 0.4375 … ≥ 0.25. */
  groupDecay?: boolean;
  /** The candidate profile of an id, for `updated_at` (freshness) and `tags[0]` (group decay). */
  profileOf?: (id: string) => Pick<Profile, 'updated_at' | 'tags'> | undefined;
}

/** The options after defaults and checks; `now` in epoch ms. */
export interface ResolvedRecommendOptions {
  now: number | null;
  interactions: readonly Interaction[];
  taste: TasteWeights;
  halfLifeDays: number;
  fatigue: FatigueOptions;
  freshness: FreshnessOptions | null;
  diversity: number;
  groupDecay: boolean;
}

/** True when the options change nothing: the feed is `rankCandidates`' own. */
export function isNeutral(o: ResolvedRecommendOptions): boolean {
  return o.interactions.length === 0 && o.freshness === null && o.diversity === 0 && !o.groupDecay;
}

/**
 * Merges options over the defaults and checks them; throws a RangeError naming the option and its range
 * (`diversity must be a number in [0, 1], got 2`).
 */
export function resolveRecommendOptions(o: RecommendOptions = {}): ResolvedRecommendOptions {
  const taste = {
    alpha: inRange(o.taste?.alpha, 'taste.alpha', DEFAULT_TASTE_WEIGHTS.alpha, 0, 1, true),
    beta: inRange(o.taste?.beta, 'taste.beta', DEFAULT_TASTE_WEIGHTS.beta, 0, 1),
    gamma: inRange(o.taste?.gamma, 'taste.gamma', DEFAULT_TASTE_WEIGHTS.gamma, 0, 1),
  };
  const fatigue = {
    passCooldownDays: inRange(o.fatigue?.passCooldownDays, 'fatigue.passCooldownDays', DEFAULT_FATIGUE.passCooldownDays, 0, 3650),
    passReturnFactor: inRange(o.fatigue?.passReturnFactor, 'fatigue.passReturnFactor', DEFAULT_FATIGUE.passReturnFactor, 0, 1),
    viewDiscount: inRange(o.fatigue?.viewDiscount, 'fatigue.viewDiscount', DEFAULT_FATIGUE.viewDiscount, 0, 0.99),
    viewFloor: inRange(o.fatigue?.viewFloor, 'fatigue.viewFloor', DEFAULT_FATIGUE.viewFloor, 0, 1),
  };
  const freshness =
    o.freshness === undefined || o.freshness === null
      ? null
      : {
          halfLifeDays: inRange(o.freshness.halfLifeDays, 'freshness.halfLifeDays', NaN, 0, 36500, true),
          floor: inRange(o.freshness.floor, 'freshness.floor', 0, 0, 1),
        };
  const interactions = o.interactions ?? [];
  if (!Array.isArray(interactions)) throw new RangeError('interactions must be an array');
  const resolved: ResolvedRecommendOptions = {
    now: o.now === undefined ? null : toMillis(o.now, 'now'),
    interactions,
    taste,
    halfLifeDays: inRange(o.halfLifeDays, 'halfLifeDays', DEFAULT_INTERACTION_HALF_LIFE_DAYS, 0, 36500, true),
    fatigue,
    freshness,
    diversity: inRange(o.diversity, 'diversity', 0, 0, 1),
    groupDecay: o.groupDecay === true,
  };
  if (resolved.now === null && (interactions.length > 0 || freshness !== null)) {
    throw new RangeError('now is required with interactions or freshness (pass the current time; pure code reads no clock)');
  }
  return resolved;
}

/** Epoch ms of a time option or an ISO string; a RangeError naming `field` when it is not a time. */
export function toMillis(value: number | string | Date, field: string): number {
  const ms = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`${field} must be a time (epoch ms, ISO 8601 string or Date), got ${String(value)}`);
  return ms;
}

/** `value` (or `fallback` when undefined) checked to lie in [min, max] — (min, max] with `openMin`. */
function inRange(value: number | undefined, field: string, fallback: number, min: number, max: number, openMin = false): number {
  const v = value === undefined ? fallback : value;
  const ok = typeof v === 'number' && Number.isFinite(v) && (openMin ? v > min : v >= min) && v <= max;
  if (!ok) {
    throw new RangeError(`${field} must be a number in ${openMin ? '(' : '['}${min}, ${max}], got ${String(value)}`);
  }
  return v;
}
