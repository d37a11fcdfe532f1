/**
 * The MlService implementation: text cache → dynamic batcher → embedder, profile vectors with the
 * content-hash guard, and health. Routes reach inference only through this.
 */
import { createHash } from 'node:crypto';
import type { Embedder, EmbedderInfo } from '../../shared/embedder';
import { feedPromptNames, promptedText, UnknownPromptError } from '../../shared/embedding/model-family';
import { profileToText } from '../../shared/profile-text';
import type { Profile } from '../../shared/types';
import type { EmbeddingCache } from '../cache/embedding-cache';
import type { ServerConfig } from '../deps';
import { errorSummary } from '../embedder/model-source';
import { ApiFailure } from '../http/errors';
import type { ProfileStore } from '../store/profile-store';
import { planBatches, type BatchLimits } from '../../shared/embedding/batch-plan';
import { DynamicBatcher, QueueFullError, type BatcherStats } from './dynamic-batcher';
import { computeHealth, type ModelState } from './health';
import type { MlObserver, MlService, MlServiceHealth, ProfileVectorOptions } from './ml-service';
import { PriorityLanes, type Priority } from './priority-lanes';

export type { ModelState } from './health';

export interface MlServiceOptions {
  config: ServerConfig;
  cache: EmbeddingCache;
  /** Read again right before a profile vector is written, so a vector of an old version is never stored. */
  store: ProfileStore;
  /**
   * The model, or a promise of it: health says `loading` (and ML routes answer 503 with Retry-After) until it
   * resolved and the model answered its first inference.
   */
  model: ModelState | Promise<ModelState>;
  /**
   * Runs once a model given as a promise is loaded and warm, with the service already answering on it, before
   * health says ready: the server rebuilds its ranking over the model here.
   */
  onLoaded?: () => Promise<void>;
  /** Told of each model call and cache lookup (the app's metrics); default: nobody. */
  observer?: MlObserver;
}

/** MlService plus counters for tests and benchmarks. */
export interface NodeMlService extends MlService {
  /** Dynamic batcher counters; undefined when ML is unavailable or dynamic batching is off. */
  batcherStats(): BatcherStats | undefined;
  /** Texts this process ran through the model so far, per priority. */
  embeddedTexts(): Record<Priority, number>;
  /**
   * Resolves once the model given as a promise has loaded and answered its first inference (or failed to):
   * health has left `loading`. Resolves at once for a model given as a state.
   */
  whenLoaded(): Promise<void>;
}

/** What a model does while health says `loading`, for messages. */
const LOADING_PHASES = 'download, session start, first inference';
/** Retry-After of a 503 while the model loads: a small model is ready in seconds. */
const LOADING_RETRY_AFTER_S = 5;

/**
 * A loaded model's first inference, through the embedder as requests will call it: only after it answered
 * does health say `ready` (the first run of an ONNX session allocates and is the slow one). A model that
 * cannot answer it is a failed load.
 */
async function warmUp(model: ModelState): Promise<ModelState> {
  if (model.state !== 'ready') return model;
  try {
    await model.embedder.embed(['nearfeed warm-up']);
    return model;
  } catch (err) {
    await model.embedder.dispose().catch(() => undefined);
    return { state: 'failed', error: `its first inference failed: ${errorSummary(err)}` };
  }
}

/** Batch limits of an embedder that does not state its own (the Node embedder's defaults). */
const FALLBACK_LIMITS: BatchLimits = { maxBatchSize: 32, maxBatchTokens: 8192 };

/** sha256 hex of the UTF-8 text: the `{sha256}` part of `embedding:text:{model_key}:{sha256}`. */
export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The server's content hash of a profile: the same value as shared `contentHash` (sha256 hex of
 * `profileToText`), computed synchronously with node:crypto, which costs a third of a WebCrypto digest and
 * runs for every candidate of every /feed and /ml/profiles/rank request.
 */
function profileHash(profile: Profile): string {
  return textHash(profileToText(profile));
}

/**
 * The MlService over a loaded model (or none: then every ML call is 503 ml_unavailable and health says why).
 * Dynamic batching is set up here when `config.dynamicBatching` is on.
 */
export function createMlService(options: MlServiceOptions): NodeMlService {
  const { config, cache, store } = options;
  const observer = options.observer;
  let state: ModelState = config.mlEnabled ? { state: 'loading' } : { state: 'disabled' };
  let embedder: Embedder | undefined;
  let batcher: DynamicBatcher<string, Float32Array> | undefined;
  let closed = false;

  /** Takes a loaded (or failed) model: from here on requests reach it. */
  function adopt(next: ModelState): void {
    state = config.mlEnabled ? next : { state: 'disabled' };
    embedder = state.state === 'ready' ? state.embedder : undefined;
    batcher =
      embedder && config.dynamicBatching
        ? new DynamicBatcher<string, Float32Array>({
            run: (texts) => runOnModel('interactive', texts),
            maxBatchSize: config.maxBatchSize,
            windowMs: config.batchWindowMs,
            maxQueueSize: config.maxQueueSize,
          })
        : undefined;
  }

  // True while a loaded model's ranking is being set up (onLoaded): health still says loading.
  let settingUp = false;
  const loaded: Promise<void> =
    options.model instanceof Promise
      ? options.model
          .then(warmUp, (err: unknown): ModelState => ({ state: 'failed', error: errorSummary(err) }))
          .then(async (next) => {
            if (closed) return void (next.state === 'ready' ? await next.embedder.dispose().catch(() => undefined) : undefined);
            settingUp = next.state === 'ready' && options.onLoaded !== undefined;
            adopt(next);
            if (settingUp) await options.onLoaded?.().catch(() => undefined);
            settingUp = false;
          })
      : Promise.resolve(adopt(options.model));

  // One run at a time on the session; interactive runs before background ones (priority-lanes.ts).
  const lanes = new PriorityLanes();
  const embedded: Record<Priority, number> = { interactive: 0, background: 0 };
  function runOnModel(lane: Priority, texts: string[]): Promise<Float32Array[]> {
    const e = requireEmbedder();
    embedded[lane] += texts.length;
    return lanes.run(lane, async () => {
      const start = performance.now();
      const vectors = await e.embed(texts);
      observer?.inference(lane, texts.length, (performance.now() - start) / 1000);
      return vectors;
    });
  }

  function requireEmbedder(): Embedder {
    if (embedder) return embedder;
    if (state.state === 'loading') {
      throw new ApiFailure(
        'ml_unavailable',
        `ML is loading: the model is not ready yet (${LOADING_PHASES}); retry in ${LOADING_RETRY_AFTER_S} s, see /api/v1/ml/health`,
        null,
        { 'retry-after': String(LOADING_RETRY_AFTER_S) },
      );
    }
    const why =
      state.state === 'failed' ? `the model failed to load (${state.error})` : 'ML is disabled (ML_ENABLED=false)';
    throw new ApiFailure('ml_unavailable', `ML is unavailable: ${why}; see /api/v1/ml/health`);
  }

  /**
   * Texts being embedded right now. Concurrent requests on a cold cache all miss the same candidates; each
   * queueing its own copy would multiply the work and fill the queue (429) with duplicates.
   */
  const inFlight = new Map<string, Promise<Float32Array>>();

  /** Vectors of texts: a text already being embedded for another request is awaited, not queued again. */
  function infer(texts: string[], priority: Priority = 'interactive'): Promise<Float32Array[]> {
    requireEmbedder();
    const fresh = [...new Set(texts.filter((t) => !inFlight.has(t)))];
    if (fresh.length > 0) {
      const run = priority === 'interactive' ? runModel(fresh) : runBackground(fresh);
      fresh.forEach((text, i) => {
        const one = run.then((vectors) => vectors[i]!);
        inFlight.set(text, one);
        // Gone once settled, failed or not: a later request computes (or retries) it itself.
        const done = () => {
          if (inFlight.get(text) === one) inFlight.delete(text);
        };
        one.then(done, done);
      });
    }
    return Promise.all(texts.map((t) => inFlight.get(t)!));
  }

  /**
   * Background work in the token-budgeted batches the embedder plans, each batch queued on its own so an
   * interactive run waits for at most one of them.
   */
  async function runBackground(texts: string[]): Promise<Float32Array[]> {
    const e = requireEmbedder();
    const limits = 'limits' in e ? (e.limits as BatchLimits) : FALLBACK_LIMITS;
    const lengths = e.countTokens ? await e.countTokens(texts) : texts.map((t) => t.length);
    const out = new Array<Float32Array>(texts.length);
    for (const batch of planBatches(lengths, limits)) {
      const vectors = await runOnModel('background', batch.map((i) => texts[i]!));
      batch.forEach((i, j) => {
        out[i] = vectors[j]!;
      });
    }
    return out;
  }

  /** Runs texts through the model: coalesced with concurrent requests when dynamic batching is on. */
  async function runModel(texts: string[]): Promise<Float32Array[]> {
    requireEmbedder();
    if (!batcher) return runOnModel('interactive', texts);
    try {
      return await batcher.submit(texts);
    } catch (err) {
      if (err instanceof QueueFullError) {
        throw new ApiFailure('overloaded', `${err.message}; retry later`);
      }
      throw err;
    }
  }

  /** The texts the model sees: `texts` under the prompt `promptName` names (or the default prompt). */
  function prompted(texts: readonly string[], promptName: string | undefined): string[] {
    const family = requireEmbedder().info.family;
    try {
      return texts.map((t) => promptedText(family, t, promptName));
    } catch (err) {
      if (err instanceof UnknownPromptError) throw new ApiFailure('validation', err.message, 'prompt_name');
      throw err;
    }
  }

  /** Cache calls never fail a request: a broken cache is a miss and a dropped write (health reports it). */
  async function quietly<T>(op: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await op();
    } catch {
      return fallback;
    }
  }

  const service: NodeMlService = {
    available: () => embedder !== undefined,

    info: (): EmbedderInfo | undefined => embedder?.info,

    async embedTexts(rawTexts, options = {}) {
      const e = requireEmbedder();
      const key = e.info.modelKey;
      // The prompt is part of the text: the cache key is the hash of what the model sees.
      const texts = prompted(rawTexts, options.promptName);
      // One cache read and one model pass for the distinct texts; duplicates share a vector.
      const distinct = [...new Set(texts)];
      const hashes = distinct.map(textHash);
      const hits = await quietly(
        () => cache.getTexts(key, hashes),
        distinct.map(() => undefined),
      );
      const byText = new Map<string, Float32Array>();
      const missing: string[] = [];
      const missingHashes: string[] = [];
      distinct.forEach((text, i) => {
        // The cache answers only entries of this model key and text hash (server/cache/entry-checks.ts).
        const hit = hits[i];
        if (hit) byText.set(text, hit.vector);
        else {
          missing.push(text);
          missingHashes.push(hashes[i]!);
        }
      });
      let cached = 0;
      for (const t of texts) if (byText.has(t)) cached++;
      observer?.cacheLookups('text', distinct.length - missing.length, missing.length);

      if (missing.length > 0) {
        const vectors = await infer(missing);
        missing.forEach((text, i) => byText.set(text, vectors[i]!));
        await quietly(
          () => cache.setTexts(key, missingHashes.map((textHash, i) => ({ textHash, vector: vectors[i]! }))),
          undefined,
        );
      }
      return { vectors: texts.map((t) => byText.get(t)!), cached };
    },

    async countTokens(texts, options) {
      const e = requireEmbedder();
      if (!e.countTokens) throw new ApiFailure('internal', 'the loaded embedder cannot count tokens');
      return e.countTokens(texts, options);
    },

    async profileVectors(profiles: readonly Profile[], options: ProfileVectorOptions = {}) {
      const e = requireEmbedder();
      const key = e.info.modelKey;
      const ids = profiles.map((p) => p.id);
      // Each text is built once: hashed for the cache read, and embedded as it is on a miss. The hash is the
      // profile's content hash; the document prompt, if any, is part of the model key.
      const texts = profiles.map(profileToText);
      const hashes = texts.map(textHash);
      const documentPrompt = feedPromptNames(e.info.family).document;
      const read = await quietly(
        () => cache.readProfiles(ids, { modelKey: key, contentHashes: hashes }),
        undefined,
      );
      // Given the model key and hashes, the cache answers a miss for a vector of another model or another
      // version of the profile (server/cache/entry-checks.ts).
      const out: (Float32Array | undefined)[] = profiles.map((_, i) => read?.entries[i]?.vector);
      const missIdx: number[] = [];
      out.forEach((v, i) => {
        if (!v) missIdx.push(i);
      });
      observer?.cacheLookups('profile', profiles.length - missIdx.length, missIdx.length);
      if (missIdx.length === 0) return out as Float32Array[];

      const computed = await infer(prompted(missIdx.map((i) => texts[i]!), documentPrompt), options.priority);
      missIdx.forEach((i, j) => {
        out[i] = computed[j]!;
      });

      // The profile may have changed while its vector was computed: read the store again and let the cache
      // write only entries whose hash is still the stored profile's (deleted profiles are not written).
      const missIds = missIdx.map((i) => ids[i]!);
      // A store that cannot be read now cannot confirm the versions: the vectors are still the caller's (computed
      // from the profiles it passed), they are only not cached.
      const current = await quietly(() => store.list(missIds), []);
      const currentHash = new Map(current.map((p) => [p.id, profileHash(p)]));
      const entries = missIdx
        .filter((i) => currentHash.get(ids[i]!) === hashes[i])
        .map((i) => ({ id: ids[i]!, entry: { vector: out[i]!, modelKey: key, contentHash: hashes[i]! } }));
      if (entries.length > 0) {
        await quietly(
          () =>
            cache.setProfiles(entries, {
              ticket: read?.ticket,
              currentContentHashes: entries.map((en) => currentHash.get(en.id)),
            }),
          undefined,
        );
      }
      return out as Float32Array[];
    },

    async queryVectors(queries) {
      const e = requireEmbedder();
      const sides = feedPromptNames(e.info.family);
      const out = new Array<Float32Array>(queries.length);
      const storedIdx: number[] = [];
      const textIdx: number[] = [];
      queries.forEach((q, i) => (q.stored && sides.query === sides.document ? storedIdx : textIdx).push(i));
      const promptName = sides.query === sides.document ? sides.document : sides.query;
      const [stored, texts] = await Promise.all([
        storedIdx.length > 0 ? service.profileVectors(storedIdx.map((i) => queries[i]!.profile)) : [],
        textIdx.length > 0
          ? service.embedTexts(
              textIdx.map((i) => profileToText(queries[i]!.profile)),
              promptName === undefined ? {} : { promptName },
            ).then((r) => r.vectors)
          : [],
      ]);
      storedIdx.forEach((i, k) => (out[i] = stored[k]!));
      textIdx.forEach((i, k) => (out[i] = texts[k]!));
      return out;
    },

    async forgetProfiles(ids) {
      await quietly(() => cache.deleteProfiles(ids), undefined);
    },

    async health(): Promise<MlServiceHealth> {
      return computeHealth(config, settingUp ? { state: 'loading' } : state, cache, store);
    },

    queuedTexts: () => batcher?.stats().queued ?? 0,

    batcherStats: () => batcher?.stats(),

    embeddedTexts: () => ({ ...embedded }),

    whenLoaded: () => loaded,

    async close() {
      closed = true;
      batcher?.close();
      await embedder?.dispose();
    },
  };
  return service;
}
