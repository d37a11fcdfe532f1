/**
 * Public types of the browser package. `createFeedEngine(options)` (client/index.ts) returns a `FeedEngine`.
 */
import type { EmbeddingDtype } from '../shared/embedder';
import type { Interaction, InteractionType } from '../shared/recommend/interactions';
import type { FreshnessOptions, TasteWeights } from '../shared/recommend/options';
import type { Profile, RankWeights, ScoreBreakdown } from '../shared/types';
import type { ModelLoadTimings } from './worker/load-timings';

/**
 * Where the engine runs inference.
 * - 'auto': WebGPU when a hardware adapter exists (never a software fallback: `isFallbackAdapter` or
 *   SwiftShader), its result for a fixed sentence matches WASM (cosine >= 0.999, see `SELF_CHECK_MIN_COSINE`)
 *   AND it is faster than WASM, warm, both for one query text and for a candidate batch (`status().deviceRace`);
 *   else WASM. The choice is remembered per browser, adapter and model (IndexedDB), so later visits skip the
 *   race. A low-end device (no WebGPU and `navigator.deviceMemory` < 2 GB or
 *   `hardwareConcurrency` < 2, see `LOW_END_MIN_MEMORY_GB` / `LOW_END_MIN_CORES`) or a WASM runtime that fails
 *   to load ranks on the server.
 * - 'webgpu': WebGPU; the self-check still runs and is reported in `status().selfCheck`; a failing check keeps
 *   WebGPU (it was asked for) and sets `status().warning`. Without an adapter: WASM, with the reason.
 * - 'wasm': WASM only (server if it fails to load). 'server': POST /api/v1/feed, nothing ranked locally.
 */
export type EngineDevice = 'auto' | 'webgpu' | 'wasm' | 'server';

/** The user's own profile, used as the feed query. Never leaves the device unless the device is 'server'. */
export type UserProfile = Pick<Profile, 'name' | 'headline' | 'bio' | 'tags'> & { id?: string };

/** Options of `createFeedEngine`; only `serverUrl` is required. */
export interface FeedEngineOptions {
  /** Base URL of the nearfeed server, e.g. '' (same origin) or 'https://feed.example.com'. */
  serverUrl: string;
  /** Hub id or the name of a model folder served under `modelBaseUrl`. Default: the server's model (from /api/v1/ml/info). */
  model?: string;
  /** Where model folders are served, default `${serverUrl}/models/`. */
  modelBaseUrl?: string;
  /**
   * Model precision. Default: the server's when the model is the server's (so its synced vectors are reused);
   * offline, the one this device last used for the model; else fp32.
   */
  dtype?: EmbeddingDtype;
  /** Default 'auto'. */
  device?: EngineDevice;
  /**
   * Threads for ONNX Runtime's WASM backend, 1..4. Default: one per logical core (`hardwareConcurrency`) but
   * one (the page keeps a core), at most 4. Threads need a cross-origin isolated page (README "Threads"); otherwise always 1.
   */
  wasmThreads?: number;
  /** Rerank weights; defaults 0.6 / 0.3 / 0.1. */
  weights?: Partial<RankWeights>;
  /**
   * Rocchio weights of the taste vector (α profile, β likes, γ passes); defaults 1 / 0.75 / 0.25, the server's
   * TASTE_* defaults. A device in server mode ranks with the server's.
   */
  taste?: Partial<TasteWeights>;
  /**
   * Sync only one shape of the candidates: those with at least one of these tags (exact match). A candidate
   * that loses them is removed at the next sync. The sync cursor belongs to its shape: starting with other
   * tags than last time pulls the new shape from scratch. Default: every candidate.
   */
  tags?: readonly string[];
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

/** Warm timings of one device in the `auto` race, milliseconds. */
export interface DeviceTiming {
  /** Median of three one-text embeds (what every rank pays). */
  queryMs: number;
  /** One embed of `batchSize` candidate-like texts (what filling missing vectors pays). */
  batchMs: number;
}

/** The measurement behind an `auto` choice between WebGPU and WASM. */
export interface DeviceRaceStatus {
  webgpu: DeviceTiming;
  wasm: DeviceTiming;
  batchSize: number;
  /** WebGPU only when faster at both jobs. */
  winner: 'webgpu' | 'wasm';
  /** ISO time it was measured. */
  measuredAt: string;
  /** True when this start reused an earlier measurement (same browser, adapter and model) instead of racing. */
  remembered: boolean;
}

/** One step of a long phase: the model download, the sync, or embedding candidates on the device. */
export interface EngineProgress {
  phase: 'model' | 'embedding' | 'sync';
  /** 0..1 when known. */
  fraction: number;
  /** For people, e.g. "wasm: 12.3/90.9 MB" or "120/500". */
  detail?: string;
}

/**
 * Where the time to the first feed went, milliseconds, measured with performance.now() in the page (the
 * engine) and in the worker (`model`). Durations are of the first occurrence of each step; `…At` values count
 * from the engine's creation (`createFeedEngine`). Null: the step has not happened (yet), or does not apply
 * (no model on 'server').
 */
export interface StartupTimings {
  /** GET /api/v1/ml/info. */
  info: number | null;
  /** Reading candidates, their vectors and the user's vector from IndexedDB. */
  indexedDb: number | null;
  /** The model load as the page saw it: worker start, files, ORT, session, the WebGPU check if any. */
  modelLoad: number | null;
  /** When the model was ready (it loads in the background on a repeat visit with a cached user vector). */
  modelReadyAt: number | null;
  /** The worker's breakdown of the model load: ORT wasm fetch + compile, model files, session, downloads. */
  model: ModelLoadTimings | null;
  /** The first session run after the load (one query text, or the self-check). */
  firstInference: number | null;
  /** The first sync(). */
  sync: number | null;
  /** The first rankFeed(), the query's embedding included. */
  rank: number | null;
  /** When the first rankFeed() returned. */
  firstFeedAt: number | null;
  /**
   * Where the first feed's user vector came from: 'cached' (IndexedDB, no model needed), 'model' (embedded on
   * the device), 'server' (ranked by the server), 'none' (ranked without similarity).
   */
  userVector: 'cached' | 'model' | 'server' | 'none' | null;
}

/** What the engine runs on and holds; `status()` returns a copy, `onStatus` gets one on every change. */
export interface EngineStatus {
  /** Device in use after the choice and self-check; 'loading' until ready. */
  device: 'webgpu' | 'wasm' | 'server' | 'loading';
  /** Why this device (e.g. "WebGPU self-check cosine 0.42 < 0.999, using WASM"). */
  deviceReason: string;
  /** Model name (hub id or served folder); on 'server', the server's; null until known. */
  model: string | null;
  /**
   * Identity of the vectors (model, dtype, max sequence length): cached and synced vectors are used only when
   * theirs is equal. Null until known.
   */
  modelKey: string | null;
  /** Vector length; null until known. */
  dimension: number | null;
  /**
   * Threads ONNX Runtime's WASM backend runs with in the worker, and why (e.g. "1 thread (page not
   * cross-origin isolated: no SharedArrayBuffer)"); null until a model loaded, and on 'server'.
   */
  threads: { count: number; reason: string } | null;
  /** The timings behind an `auto` choice between WebGPU and WASM, when both were available; else null. */
  deviceRace: DeviceRaceStatus | null;
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
  /**
   * True once the engine can embed: the device's model has loaded (or the engine ranks on the server, or no
   * model could load). False while a repeat visit ranks from the cached user vector and the model loads in the
   * background; `ready()` resolves when it turns true.
   */
  ready: boolean;
  /** Where the time to the first feed went (see StartupTimings). */
  startup: StartupTimings;
}

/** One feed entry, best first. */
export interface RankedCandidate {
  profile: Profile;
  /** The weighted total the feed is sorted by. */
  score: number;
  /**
   * The factors behind `score`: similarity, diligence, engagement and their weighted `total`; with interactions
   * or diversity also taste, fatigue, freshness, diversity and redundancy (see ScoreBreakdown).
   */
  breakdown: ScoreBreakdown;
  /** The liked profile this candidate is closest to, when likes lifted it; `name` from the local candidates. */
  because?: { id: string; name: string };
}

/** Options of `rankFeed`. */
export interface RankFeedOptions {
  /** Most results (default 20). */
  limit?: number;
  /** Candidates to leave out (the user's own `id` always is). */
  excludeIds?: readonly string[];
  /** Rank with the recorded interactions (default true); false ranks as if none were recorded. */
  useInteractions?: boolean;
  /** MMR re-ordering of the top candidates, in [0, 1] (default 0: off). */
  diversity?: number;
  /** Decay repeats of one first tag (role): 1, 0.625, 0.4375 … down to 0.25 (default off). */
  groupDecay?: boolean;
  /** Decay scores by the age of `updated_at` (default off). */
  freshness?: FreshnessOptions;
  /** The time to rank at (default the device's clock); the server is sent the same. */
  now?: Date | number;
}

/** What `rankFeed` returns. */
export interface FeedResult {
  results: RankedCandidate[];
  /** False when ranked without similarity (ML unavailable). */
  ml_applied: boolean;
  /**
   * Where the ranking ran: on the device's model ('webgpu' | 'wasm'), on the server, or 'local': in this page
   * from the cached candidates without any model, because device 'server' is in use and its /feed failed
   * (then `ml_applied` is false, `fallback_reason` says why and `status().warning` starts "server feed failed").
   */
  device: 'webgpu' | 'wasm' | 'server' | 'local';
  /** Set when the feed was not ranked where `status().device` says it should have been: the reason. */
  fallback_reason?: string;
  /** Milliseconds `rankFeed` took, embedding missing candidates included. */
  rank_ms: number;
  /**
   * Set when the user's vector came from IndexedDB instead of the model: the model was still loading and the
   * profile text was the one embedded on an earlier visit (same model key and content hash).
   */
  cached_query?: true;
}

/** The engine `createFeedEngine` returns. */
export interface FeedEngine {
  /**
   * Pulls candidate changes from /api/v1/sync into IndexedDB (incremental from the stored cursor; from scratch
   * on the first call or after a 409 must_refetch), taking the server's vectors when its model key equals
   * ours and embedding the rest on the device. Never rejects for network or server errors: it resolves with
   * `applied: 0` and sets `status().warning`, and the engine keeps ranking what IndexedDB holds. `full` is
   * true when the pull started from scratch. Concurrent calls share one pull.
   */
  sync(): Promise<{ applied: number; full: boolean }>;
  /**
   * Ranks the local candidates for this user (default limit 20, the user's own `id` and `excludeIds` left
   * out) with the shared scoring module, so the result equals the server's /api/v1/feed for the same input.
   * Embeds any candidate still missing a vector first. On device 'server' it asks POST /api/v1/feed; if that
   * fails and candidates are held locally, it ranks them here without similarity (`device: 'local'`,
   * `ml_applied: false`, `fallback_reason`); with no local candidates it rejects with the server's error.
   */
  rankFeed(user: UserProfile, options?: RankFeedOptions): Promise<FeedResult>;
  /**
   * Records what the user did with a candidate (like, connect, pass, hide, view), stamped with the device's
   * clock, in IndexedDB. The last MAX_INTERACTIONS (1,000) are kept, oldest dropped. `rankFeed` uses them by
   * default: likes and passes move the taste vector, hidden profiles never come back, passed ones after 14
   * days with half their score, repeated views rotate the feed. They never leave the device, except with a
   * feed request in server mode.
   */
  recordInteraction(profileId: string, type: InteractionType): Promise<void>;
  /** What the device has recorded, oldest first (a copy). */
  interactions(): Interaction[];
  /** Erases every recorded interaction, on the device and in IndexedDB. */
  clearInteractions(): Promise<void>;
  /**
   * Embeds texts on the device in use (on 'server': POST /api/v1/ml/embeddings/batch), pooled and normalised
   * as the model's sentence-transformers configuration says. `promptName` picks one of the model's prompts
   * (e.g. `query` for E5-style models); default: its default prompt, if any.
   */
  embed(texts: readonly string[], options?: { promptName?: string }): Promise<Float32Array[]>;
  /** A snapshot of the engine's state (a copy; call again for fresh values, or use `onStatus`). */
  status(): EngineStatus;
  /**
   * Resolves when the engine can embed (`status().ready`): at once after a start that loaded the model, later
   * after a repeat visit's fast start (the feed ranks from the cached user vector while the model loads in the
   * background). Never rejects: a model that fails to load leaves the engine on the server, as at a normal start
   * (see `status().device` and `deviceReason`). `rankFeed` for an edited profile and `embed` wait for it themselves.
   */
  ready(): Promise<void>;
  /** Terminates the worker after pending writes; the engine cannot be used afterwards. */
  dispose(): Promise<void>;
}
