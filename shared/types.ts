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

/** The per-feature parts of a ranked candidate's score; `total` is their weighted sum. */
export interface ScoreBreakdown {
  similarity: number;
  diligence: number;
  engagement: number;
  total: number;
}

/** Weights of the rerank; each in [0, 1], summing to 1 after normalisation. */
export interface RankWeights {
  similarity: number;
  diligence: number;
  engagement: number;
}

/** Error body of every non-2xx response. */
export interface ApiError {
  error: string;
  error_type:
    | 'invalid_json'
    | 'empty_input'
    | 'validation'
    | 'payload_too_large'
    | 'batch_too_large'
    | 'not_found'
    | 'overloaded'
    | 'ml_unavailable'
    | 'must_refetch'
    | 'store_unavailable'
    | 'internal';
}
