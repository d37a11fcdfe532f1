/**
 * Data and wire types shared by the browser package and the server. Wire format is JSON with snake_case
 * fields; these types describe it exactly.
 */

/** A candidate (or user) profile of the discovery network. */
export interface Profile {
  /** 1-128 characters, unique. */
  id: string;
  name: string;
  headline: string;
  bio: string;
  tags: string[];
  /** How complete and active the profile is, in [0, 1]. */
  diligence: number;
  /** How much the profile engages with others, in [0, 1]. */
  engagement: number;
  /** ISO 8601 time of the last change. */
  updated_at: string;
}

/**
 * The per-feature parts of a ranked candidate's score; `total` is their weighted sum. The recommendation
 * layer (shared/recommend) adds what it did, and then
 * total = (w_s·similarity + taste + w_d·diligence + w_e·engagement) · fatigue · freshness · diversity.
 */
export interface ScoreBreakdown {
  /** Similarity to the user's own profile, (cos + 1) / 2. */
  similarity: number;
  diligence: number;
  engagement: number;
  total: number;
  /** What the taste vector (likes and passes) added to the weighted total; 0 without feedback. */
  taste?: number;
  /** Factor of fatigue (passed before, viewed without action), in [0, 1]; 1 when none. */
  fatigue?: number;
  /** Factor of freshness on `updated_at`, in [floor, 1]; 1 when off. */
  freshness?: number;
  /** Factor of group decay (repeats of one first tag), in [0.25, 1]; 1 when off or first of its group. */
  diversity?: number;
  /** With MMR on: similarity (cos + 1) / 2 to the closest result above it, which MMR weighed against it; 0 first. */
  redundancy?: number;
}

/** Weights of the rerank; each in [0, 1], summing to 1 after normalisation. */
export interface RankWeights {
  similarity: number;
  diligence: number;
  engagement: number;
}

/** Error body of every non-2xx response (declared with the API's schemas). */
export type { ApiError } from './api/common';
