/**
 * Public types of the browser package. `createFeedEngine(options)` (client/index.ts) returns a `FeedEngine`.
 */
import type { EmbeddingDtype } from '../shared/embedder';
import type { Profile, RankWeights, ScoreBreakdown } from '../shared/types';

/** Where the engine runs inference. 'auto': WebGPU when it passes the self-check, else WASM, else the server. */
export type EngineDevice = 'auto' | 'webgpu' | 'wasm' | 'server';

/** The user's own profile, used as the feed query. Never leaves the device unless the device is 'server'. */
export type UserProfile = Pick<Profile, 'name' | 'headline' | 'bio' | 'tags'> & { id?: string };

export interface FeedEngineOptions {
  /** Base URL of the nearfeed server, e.g. '' (same origin) or 'https://feed.example.com'. */
  serverUrl: string;
  /** Hub id or the name of a model folder served under `modelBaseUrl`. Default: the server's model (from /api/v1/ml/info). */
  model?: string;
  /** Where model folders are served, default `${serverUrl}/models/`. */
  modelBaseUrl?: string;
  /** Default fp32. */
  dtype?: EmbeddingDtype;
  /** Default 'auto'. */
  device?: EngineDevice;
  /** Rerank weights; defaults 0.6 / 0.3 / 0.1. */
  weights?: Partial<RankWeights>;
  /**
   * IndexedDB database name of the cache (default 'nearfeed'). Two engines with different names keep separate
   * caches (e.g. two apps on one origin, or tests).
   */
  databaseName?: string;
  /** Called while the model downloads and while candidates are embedded the first time. */
  onProgress?: (progress: EngineProgress) => void;
  /** Called whenever `status()` changes. */
  onStatus?: (status: EngineStatus) => void;
}

export interface EngineProgress {
  phase: 'model' | 'embedding' | 'sync';
  /** 0..1 when known. */
  fraction: number;
  detail?: string;
}

export interface EngineStatus {
  /** Device in use after the choice and self-check; 'loading' until ready. */
  device: 'webgpu' | 'wasm' | 'server' | 'loading';
  /** Why this device (e.g. "WebGPU self-check cosine 0.42 < 0.999, using WASM"). */
  deviceReason: string;
  model: string | null;
  modelKey: string | null;
  dimension: number | null;
  /** WebGPU self-check against WASM, when it ran. */
  selfCheck: { cosine: number; passed: boolean } | null;
  /** Candidates held locally (IndexedDB). */
  candidates: number;
  /** Candidate vectors computed on this device since the engine started. */
  embeddedCandidates: number;
  /** Candidate vectors taken from IndexedDB or from the server's sync since the engine started. */
  cacheHits: number;
  /** ISO time of the last successful sync, or null. */
  lastSync: string | null;
  /** Milliseconds the last rankFeed took. */
  lastRankMs: number | null;
  /** Last non-fatal problem (offline, quota, corrupted cache record), or null. */
  warning: string | null;
}

export interface RankedCandidate {
  profile: Profile;
  score: number;
  breakdown: ScoreBreakdown;
}

export interface FeedResult {
  results: RankedCandidate[];
  /** False when ranked without similarity (ML unavailable). */
  ml_applied: boolean;
  /** Where the ranking ran. */
  device: 'webgpu' | 'wasm' | 'server';
  rank_ms: number;
}

export interface FeedEngine {
  /** Pulls candidate changes (and server vectors for the same model key) into IndexedDB. */
  sync(): Promise<{ applied: number; full: boolean }>;
  /** Ranks the local candidates for this user; on device 'server', asks POST /api/v1/feed. */
  rankFeed(user: UserProfile, options?: { limit?: number; excludeIds?: readonly string[] }): Promise<FeedResult>;
  /** Embeds texts on the device in use. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  status(): EngineStatus;
  dispose(): Promise<void>;
}
