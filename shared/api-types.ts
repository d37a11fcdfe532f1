/**
 * The wire types of the HTTP API under /api/v1: every request and response body, declared once. The server
 * builds its responses typed by these and the browser package parses into them, so the two cannot drift.
 * Field names are snake_case, exactly as they are sent. Error bodies are `ApiError` (shared/types.ts).
 */
import type { Profile, RankWeights, ScoreBreakdown } from './types';

// ---------------------------------------------------------------------------------------------- /ml/embeddings

/** Body of `POST /ml/embeddings`. */
export interface EmbeddingRequest {
  /** The text to embed (non-empty, at most `max_text_bytes`; longer in tokens is truncated, never rejected). */
  text: string;
}

/** Response of `POST /ml/embeddings`. */
export interface EmbeddingResponse {
  /** The L2-normalised, mean-pooled vector. */
  embedding: number[];
  /** Hub id or folder name of the model that computed it. */
  model: string;
  /** Length of `embedding`. */
  dimension: number;
}

/** How `POST /ml/embeddings/batch` encodes its vectors. */
export type EmbeddingEncoding = 'float' | 'base64';

/** Body of `POST /ml/embeddings/batch`. */
export interface EmbeddingBatchRequest {
  /** Texts to embed, 1..`max_batch_size`, each non-empty and at most `max_text_bytes`. */
  texts: string[];
  /** `float` (default): arrays of numbers; `base64`: little-endian float32, for bandwidth. */
  encoding?: EmbeddingEncoding;
}

/** Response of `POST /ml/embeddings/batch`, one vector per text in the order given. */
export interface EmbeddingBatchResponse {
  /** number[] per text with encoding `float`, a base64 string of little-endian float32 with `base64`. */
  embeddings: number[][] | string[];
  /** Hub id or folder name of the model that computed them. */
  model: string;
  /** Length of each vector (floats, also for base64). */
  dimension: number;
  /** The encoding used, as requested (default `float`). */
  encoding: EmbeddingEncoding;
  /** How many of the texts came from the embedding cache. */
  cached: number;
}

// ---------------------------------------------------------------------------------------------- /ml/similarity

/** Body of `POST /ml/similarity`, and one pair of `POST /ml/similarity/batch`. */
export interface SimilarityRequest {
  /** First text. */
  a: string;
  /** Second text. */
  b: string;
}

/** Response of `POST /ml/similarity`. */
export interface SimilarityResponse {
  /** Cosine similarity of the two texts' embeddings, in [-1, 1]. */
  similarity: number;
  /** Model that computed the embeddings. */
  model: string;
}

/** Body of `POST /ml/similarity/batch`. */
export interface SimilarityBatchRequest {
  /** Pairs to compare, 1..`max_batch_size`; each distinct text is embedded once. */
  pairs: SimilarityRequest[];
}

/** Response of `POST /ml/similarity/batch`. */
export interface SimilarityBatchResponse {
  /** One cosine similarity per pair, in the order given. */
  similarities: number[];
  /** Model that computed the embeddings. */
  model: string;
}

// ------------------------------------------------------------------------------------------- /ml/profiles/rank

/** The user's own profile sent inline as a query (`/ml/profiles/rank`, `/feed`); not stored. */
export interface InlineProfileJson {
  /** Optional id; a candidate with this id is left out of the results. */
  id?: string;
  name: string;
  headline: string;
  bio: string;
  tags: string[];
}

/** Body of `POST /ml/profiles/rank`, and each item of `requests` in `/ml/profiles/rank/batch`. */
export interface RankRequestJson {
  /** A stored profile as the query; give this or `profile`, not both. */
  profile_id?: string;
  /** An inline profile as the query; give this or `profile_id`, not both. */
  profile?: InlineProfileJson;
  /** Candidates to rank (at most 10,000 ids); all stored candidates when left out. */
  candidate_ids?: string[];
  /** Most results to return, 1..10,000 (default 20). */
  limit?: number;
  /** Weights merged over the configured ones, each in [0, 1]. */
  weights?: Partial<RankWeights>;
}

/** One ranked candidate of a rank response. */
export interface RankedProfileJson {
  /** The candidate's id. */
  profile_id: string;
  /** Total score (= `breakdown.total`). */
  score: number;
  /** The per-feature parts of the score. */
  breakdown: ScoreBreakdown;
}

/** Response of `POST /ml/profiles/rank`, and each item of a rank batch response. */
export interface RankResponseJson {
  /** Best first; equal scores ordered by id. */
  results: RankedProfileJson[];
  /** Model that computed the similarities, null when `ml_applied` is false. */
  model: string | null;
  /** False when ranked by diligence and engagement alone (ML off or unavailable). */
  ml_applied: boolean;
}

/** Body of `POST /ml/profiles/rank/batch`. */
export interface RankBatchRequest {
  /** 1..`max_batch_size` rank requests; one invalid item fails the whole call. */
  requests: RankRequestJson[];
}

/** Response of `POST /ml/profiles/rank/batch`. */
export interface RankBatchResponse {
  /** One rank response per request, in the order given. */
  results: RankResponseJson[];
}

// ------------------------------------------------------------------------------------- /ml/health and /ml/info

/** Response of `GET /ml/health` (HTTP 503 when `status` is `unavailable`, 200 otherwise). */
export interface MlHealth {
  /** ready: all parts up; degraded: serving on a fallback (see `reasons`); unavailable: no ML. */
  status: 'ready' | 'degraded' | 'unavailable';
  /** ML_ENABLED as configured. */
  ml_enabled: boolean;
  /** The model in use, or the configured one when none is loaded. */
  model: {
    /** Hub id or folder name. */
    name: string;
    /** True when the model is loaded and serving. */
    available: boolean;
    /** What inference runs on (cpu, cuda), null when no model is loaded. */
    device: string | null;
    /** fp32, q8 or fp16. */
    dtype: string;
    /** Vector length, null when no model is loaded. */
    dimension: number | null;
  };
  /** The embedding cache. */
  cache: {
    /** redis when REDIS_URL is set, memory otherwise. */
    backend: 'redis' | 'memory';
    /** False while Redis is unreachable (requests are computed without the cache). */
    connected: boolean;
  };
  /** The profile store (candidates, sync log). */
  store: {
    /** PROFILE_STORE: memory or redis. */
    backend: 'memory' | 'redis';
    /** False while the store is unreachable (store routes answer 503 store_unavailable). */
    connected: boolean;
  };
  /** Why the status is not ready, one line per cause; empty when ready. */
  reasons: string[];
}

/** Response of `GET /ml/info`: the model and the limits a client needs. */
export interface MlInfo {
  /** True when a model is loaded and ML is enabled. */
  ml_available: boolean;
  /** Hub id or served folder name of the server's model (the configured one when none is loaded). */
  model: string;
  /** Model key (model id | dtype | max_seq_length) of vectors from this server; null without a model. */
  model_key: string | null;
  /** Vector length; null without a model. */
  dimension: number | null;
  /** fp32, q8 or fp16. */
  dtype: string;
  /** What inference runs on; null without a model. */
  device: string | null;
  /** Tokens per text before truncation; null when not known. */
  max_seq_length: number | null;
  /** Most items one batch request may hold. */
  max_batch_size: number;
  /** Largest single text in UTF-8 bytes. */
  max_text_bytes: number;
  /** Largest request body in bytes. */
  max_body_bytes: number;
  /** Texts that may wait for the model before requests get 429 overloaded. */
  max_queue_size: number;
  /** Whether concurrent requests are coalesced into one model batch. */
  dynamic_batching: boolean;
  /** How long the first waiting request waits for others to join its batch, in ms. */
  batch_window_ms: number;
  /** Always true: texts longer than `max_seq_length` tokens are truncated, not rejected. */
  auto_truncate: boolean;
  /** Server version. */
  version: string;
}

// ------------------------------------------------------------------------------------------------- /profiles

/** Body of `PUT /profiles/{id}`: the profile; `id` may be left out and must equal the path's when given. */
export type ProfilePutRequest = Omit<Profile, 'id'> & { id?: string };

/** Response of `GET /profiles/{id}` and `PUT /profiles/{id}` (201 created, 200 replaced): the stored profile. */
export type ProfileResponse = Profile;

/** Response of `DELETE /profiles/{id}`. */
export interface ProfileDeleteResponse {
  /** The deleted profile's id. */
  id: string;
  /** Always true (an unknown id is 404 not_found). */
  deleted: true;
}

// ------------------------------------------------------------------------------------------------------ /sync

/** A profile's vector as sync sends it. */
export interface SyncEmbedding {
  /** The model key (model id | dtype | max_seq_length): use the vector only when yours is the same. */
  model: string;
  /** Vector length in floats. */
  dimension: number;
  /** base64 of little-endian float32. */
  vector: string;
}

/**
 * One change of `GET /sync`, in change order, at most one per id: a created or replaced profile (with the
 * server's vector when `embeddings=true`), or a tombstone.
 */
export type SyncChange = { op: 'put'; profile: Profile; embedding?: SyncEmbedding } | { op: 'delete'; id: string };

/** Response of `GET /sync?cursor=&limit=&embeddings=`. */
export interface SyncResponse {
  /** At most `limit` changes, in change order. */
  changes: SyncChange[];
  /** Opaque; pass it back as `cursor` for the next page. */
  cursor: string;
  /** True when more changes follow right now. */
  has_more: boolean;
}

// ------------------------------------------------------------------------------------------------------ /feed

/** Body of `POST /feed`. */
export interface FeedRequest {
  /** The user sent inline; give this or `profile_id`, not both. */
  profile?: InlineProfileJson;
  /** A stored profile as the user; give this or `profile`, not both. */
  profile_id?: string;
  /** Most results, 1..1000 (default 20). */
  limit?: number;
  /** Candidate ids to leave out (at most 10,000). */
  exclude_ids?: string[];
  /** Weights merged over the configured ones, each in [0, 1]. */
  weights?: Partial<RankWeights>;
}

/** One entry of the feed. */
export interface FeedItem {
  /** The full candidate profile. */
  profile: Profile;
  /** Total score (= `breakdown.total`). */
  score: number;
  /** The per-feature parts of the score. */
  breakdown: ScoreBreakdown;
}

/** Response of `POST /feed`. */
export interface FeedResponse {
  /** Best first; equal scores ordered by id. */
  results: FeedItem[];
  /** Model id that computed the similarities, null when `ml_applied` is false. */
  model: string | null;
  /** False when ranked by diligence and engagement alone. */
  ml_applied: boolean;
  /** The weights applied, normalised (similarity 0 without ML). */
  weights: RankWeights;
}
