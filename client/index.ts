/**
 * nearfeed's browser package: a personalised discovery feed ranked on the user's device.
 *
 * ```ts
 * import { createFeedEngine } from 'nearfeed';
 * const engine = await createFeedEngine({ serverUrl: '' });
 * await engine.sync();
 * const feed = await engine.rankFeed({ name: 'Ada', headline: 'Founder', bio: '…', tags: ['devtools'] });
 * ```
 */
import { NearfeedEngine } from './engine/feed-engine';
import type { FeedEngine, FeedEngineOptions } from './types';

/**
 * Creates a feed engine: reads the server's model info, picks the device (WebGPU when it passes the
 * self-check against WASM, else WASM, else the server), loads the model in a Web Worker and the local
 * candidate cache from IndexedDB. Resolves once the engine can rank; call `sync()` to pull candidates.
 * Rejects only on invalid options (e.g. weights out of range); an unreachable server or a failing model
 * degrades (see `status().device`, `deviceReason` and `warning`).
 */
export async function createFeedEngine(options: FeedEngineOptions): Promise<FeedEngine> {
  const engine = new NearfeedEngine(options);
  await engine.start();
  return engine;
}

export type {
  EngineDevice,
  EngineProgress,
  EngineStatus,
  FeedEngine,
  FeedEngineOptions,
  FeedResult,
  RankedCandidate,
  RankFeedOptions,
  StartupTimings,
  UserProfile,
} from './types';
export type { ModelLoadTimings } from './worker/load-timings';
export type { Interaction, InteractionType } from '../shared/recommend/interactions';
export { INTERACTION_TYPES, MAX_INTERACTIONS } from '../shared/recommend/interactions';
export type { FreshnessOptions, TasteWeights } from '../shared/recommend/options';
export type { EmbeddingDtype } from '../shared/embedder';
export type { Profile, RankWeights, ScoreBreakdown } from '../shared/types';
export { LOW_END_MIN_CORES, LOW_END_MIN_MEMORY_GB } from './engine/device';
export { SELF_CHECK_MIN_COSINE, SELF_CHECK_SENTENCE } from './engine/self-check';
