/**
 * The engine behind `createFeedEngine`: picks the device (WebGPU → WASM → server), keeps candidates and
 * vectors in IndexedDB, syncs them from the server, and ranks with the shared scoring module.
 */
import { EMBEDDING_DTYPES } from '../../shared/config';
import type { EmbeddingDtype } from '../../shared/embedder';
import { feedPromptNames, promptedText } from '../../shared/embedding/model-family';
import { profileToText, sha256Hex } from '../../shared/profile-text';
import { DEFAULT_WEIGHTS, resolveWeights } from '../../shared/scoring';
import { isInteractionType, MAX_INTERACTIONS, type Interaction, type InteractionType } from '../../shared/recommend/interactions';
import { resolveRecommendOptions, type RecommendOptions, type TasteWeights } from '../../shared/recommend/options';
import { recommend, type RecommendResult } from '../../shared/recommend/recommend';
import type { Profile, RankWeights } from '../../shared/types';
import type { MlInfo } from '../../shared/api';
import { ApiRequestError, ServerApi } from '../api/server-api';
import { FeedCache, shapeKey, type ModelMeta } from '../cache/feed-cache';
import { packUserVector } from '../cache/user-vector';
import { pullChanges } from '../sync/sync-client';
import type {
  EngineProgress,
  EngineStatus,
  FeedEngine,
  FeedEngineOptions,
  FeedResult,
  RankedCandidate,
  RankFeedOptions,
  UserProfile,
} from '../types';
import { errorText } from '../error-text';
import { CandidateSet } from './candidate-set';
import { planDevice, probeCapabilities } from './device';
import { loadingStatus } from './loading-status';
import { describeRace } from './device-race';
import { loadLocalEmbedder, type LoadedEmbedder } from './local-embedder';
import { StartupClock } from './startup';
import { MAX_WASM_THREADS } from '../worker/wasm-threads';

/** Changes per /sync page: the server's most, so a first sync of 100,000 candidates is 20 round trips. */
const SYNC_PAGE_SIZE = 5000;
/** Candidates per embed call while filling missing vectors (progress granularity; the worker batches inside). */
const EMBED_CHUNK = 64;
/** Meta record of the model used last, for starting without the server. */
const LAST_META = 'last';
/** Feed length when the caller gives none (same default as the server's /feed). */
const DEFAULT_LIMIT = 20;

type LocalDevice = 'webgpu' | 'wasm';

/** A hub id looks like `owner/name`; a bare name is a folder the app serves. */
function isHubId(model: string): boolean {
  return /^[\w.-]+\/[\w.-]+$/.test(model) && !model.includes('..');
}

function absoluteFolderUrl(url: string): string {
  const base = typeof location === 'undefined' ? 'http://localhost/' : location.href;
  const abs = new URL(url, base).href;
  return abs.endsWith('/') ? abs : `${abs}/`;
}

export class NearfeedEngine implements FeedEngine {
  private readonly api: ServerApi;
  private readonly cache: FeedCache;
  private readonly candidates = new CandidateSet();
  private readonly weights: RankWeights;
  private readonly taste: TasteWeights;
  /** Recorded interactions, oldest first, mirrored in IndexedDB. */
  private recorded: Interaction[] = [];
  private embedder: LoadedEmbedder | null = null;
  /** The model load running in the background after a fast start (see `start`); null otherwise. */
  private loading: Promise<void> | null = null;
  /** `modelKey|hash` of the user vector last written to IndexedDB by this engine. */
  private savedUserVector: string | null = null;
  private readonly clock = new StartupClock();
  private info: MlInfo | null = null;
  private cursor: string | null = null;
  private syncing: Promise<{ applied: number; full: boolean }> | null = null;
  private filling: Promise<void> | null = null;
  private persistedVersion = -1;
  private writing: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly state: EngineStatus = loadingStatus('starting');

  constructor(private readonly options: FeedEngineOptions) {
    // Invalid weights fail here, with the option's name, not at the first rank.
    resolveWeights(options.weights, true);
    const threads = options.wasmThreads;
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS)) {
      throw new RangeError(`wasmThreads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${String(threads)}`);
    }
    this.weights = { ...DEFAULT_WEIGHTS, ...stripUndefined(options.weights ?? {}) };
    // Invalid Rocchio weights fail here too, named (`taste.alpha must be ...`).
    this.taste = resolveRecommendOptions({ taste: options.taste }).taste;
    this.api = new ServerApi(options.serverUrl);
    this.cache = new FeedCache(options.databaseName ?? 'nearfeed');
  }

  async start(): Promise<void> {
    const infoDone = this.clock.begin('info');
    try {
      this.info = await this.api.info();
      infoDone();
    } catch (err) {
      this.warn(`server info unavailable (${errorText(err)}); starting from the local cache`);
    }
    let cacheLoaded = (): void => undefined;
    const cacheReady = new Promise<void>((resolve) => (cacheLoaded = resolve));
    const requested = this.options.device ?? 'auto';
    const caps = await probeCapabilities();
    const plan = planDevice(requested, caps);
    // Only a hardware adapter under `auto` is raced against WASM; its identity keys the remembered result.
    const race = requested === 'auto' && plan.device === 'webgpu' ? { adapter: caps.adapterInfo ?? 'adapter' } : null;
    // Offline start: the model this device used last time (its files are in the browser's cache).
    const last = this.info === null ? await this.cache.loadMeta(LAST_META).catch(() => undefined) : undefined;
    const model = this.options.model ?? this.info?.model ?? last?.model ?? null;

    if (plan.device !== 'server' && model === null) {
      this.setDevice('server', 'no model known (server unreachable and no `model` option)');
    } else if (plan.device === 'server') {
      this.setDevice('server', plan.reason);
    } else {
      const device: LocalDevice = plan.device;
      const load = () => this.startLocal(model!, device, plan.reason, requested === 'webgpu', last, race);
      const fast = await this.fastStartMeta(model!, last);
      if (fast) {
        // The model key is known before the model loads, so nothing before the first rank needs the model: the
        // cache and the sync (server vectors) go on while it loads. A repeat visit with the user's vector stored
        // ranks without it at all; otherwise the first rank waits for it (its first inference is the query).
        this.state.model = fast.model;
        this.state.modelKey = fast.modelKey;
        this.state.dimension = fast.dimension;
        this.setDevice(device, `${plan.reason}; ranking from the vectors stored on this device while the model loads`);
        // The load starts once IndexedDB is read: on a repeat visit that read is on the first feed's path, and
        // the load (Cache Storage reads, the wasm compile) would compete with it for the device's cores. It also
        // settles after the cache load, so a key mismatch drops the vectors that load read, not fewer.
        this.loading = cacheReady
          .then(load)
          .catch((err: unknown) => {
            // Like a start whose model failed: the server ranks from now on (rankFeed relies on it).
            this.setDevice('server', `model failed to load (${errorText(err)}); ranking on the server`);
            this.warn(`model failed to load (${errorText(err)})`);
          })
          .finally(() => this.modelSettled(fast.modelKey));
      } else {
        await load();
      }
    }
    if (!this.loading) this.modelSettled(null);
    const cacheDone = this.clock.begin('indexedDb');
    await this.loadCache();
    this.recorded = await this.cache.loadInteractions().catch(() => []);
    cacheDone();
    cacheLoaded();
    this.emit();
  }

  /**
   * The model identity a fast start can use before the model loads: what this device ran last time for the
   * model and dtype (the key its stored vectors are under, even where it differs from the server's); else the
   * server's, when it runs this model in this dtype (its synced vectors are then ours). Undefined when neither
   * is known: the start waits for the model.
   */
  private async fastStartMeta(model: string, last: ModelMeta | undefined): Promise<Pick<ModelMeta, 'model' | 'modelKey' | 'dimension'> | undefined> {
    const dtype = this.dtypeFor(model, last);
    const own = await this.cache.loadMeta(`${model}|${dtype}`).catch(() => undefined);
    if (own) return own;
    const info = this.info;
    if (info !== null && info.model === model && info.dtype === dtype && info.model_key !== null && info.dimension !== null) {
      return { model, modelKey: info.model_key, dimension: info.dimension };
    }
    return undefined;
  }

  /**
   * The model load ended (at start, or in the background after a fast start whose predicted key was
   * `predictedKey`). On the server: the server's model identity. A loaded model whose key is not the predicted
   * one makes every held vector unusable: they are dropped and the next sync pulls from scratch.
   */
  private modelSettled(predictedKey: string | null): void {
    if (this.state.device === 'server') {
      this.state.model = this.info?.model ?? null;
      this.state.modelKey = this.info?.model_key ?? null;
      this.state.dimension = this.info?.dimension ?? null;
    } else if (predictedKey !== null && this.state.modelKey !== predictedKey) {
      this.candidates.dropVectors();
      this.cursor = null;
      this.warn(`the model's key ${this.state.modelKey} is not the stored ${predictedKey}; stored vectors dropped`);
    }
    this.state.ready = true;
    this.emit();
  }

  /** The dtype for `model`: the option, else the server's for its model, else the one this device used last, else fp32. */
  private dtypeFor(model: string, last: ModelMeta | undefined): EmbeddingDtype {
    const sameAsServer = this.info !== null && this.info.model === model;
    const lastDtype = last?.model === model && isDtype(last.dtype) ? last.dtype : undefined;
    return this.options.dtype ?? (sameAsServer && isDtype(this.info!.dtype) ? this.info!.dtype : (lastDtype ?? 'fp32'));
  }

  /** Resolves when the engine can embed (see FeedEngine.ready). */
  ready(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  /** `last`: the model this device ran last time, read by `start` when the server is unreachable. */
  private async startLocal(
    model: string,
    first: LocalDevice,
    reason: string,
    forcedWebgpu: boolean,
    last: ModelMeta | undefined,
    race: { adapter: string } | null,
  ): Promise<void> {
    const sameAsServer = this.info !== null && this.info.model === model;
    const dtype = this.dtypeFor(model, last);
    const metaName = `${model}|${dtype}`;
    const meta = await this.cache.loadMeta(metaName).catch(() => undefined);
    const maxSeqLength =
      sameAsServer && this.info!.max_seq_length !== null ? this.info!.max_seq_length : meta?.maxSeqLength;
    const browser = typeof navigator === 'undefined' ? '' : navigator.userAgent;
    const remembered = race
      ? await this.cache.loadDeviceChoice(metaName).then(
          (c) => (c && c.browser === browser && c.adapter === race.adapter ? c : undefined),
          () => undefined,
        )
      : undefined;
    if (remembered) {
      const { device, webgpu, wasm, batchSize, measuredAt } = remembered;
      this.state.deviceRace = { webgpu, wasm, batchSize, winner: device, measuredAt, remembered: true };
      first = device;
      reason = `${device === 'webgpu' ? 'WebGPU' : 'WASM'} measured faster on this browser and adapter (${describeRace(this.state.deviceRace)}, ${measuredAt}); not re-measured`;
    }
    const loadStarted = performance.now();
    const loaded = await loadLocalEmbedder({
      first,
      reason,
      forcedWebgpu,
      ...(race && !remembered ? { raceBatchSize: EMBED_CHUNK } : {}),
      trustedWebgpu: remembered?.device === 'webgpu',
      model: {
        model,
        modelBaseUrl: absoluteFolderUrl(this.options.modelBaseUrl ?? `${this.options.serverUrl}/models/`),
        allowRemoteModels: isHubId(model),
        dtype,
        maxSeqLength,
        maxBatchSize: this.info?.max_batch_size !== undefined ? Math.min(32, this.info.max_batch_size) : 32,
        wasmThreads: this.options.wasmThreads,
      },
      onProgress: (p) => this.progress(p),
    });
    this.state.selfCheck = loaded.selfCheck;
    if (loaded.race && race) {
      const measuredAt = new Date().toISOString();
      this.state.deviceRace = { ...loaded.race, measuredAt, remembered: false };
      const { winner, webgpu, wasm, batchSize } = loaded.race;
      const choice = { device: winner, browser, adapter: race.adapter, webgpu, wasm, batchSize, measuredAt };
      await this.cache.saveDeviceChoice(metaName, choice).catch(() => undefined);
    }
    this.setDevice(loaded.device, loaded.reason);
    if (loaded.warning) this.warn(loaded.warning);
    const chosen = loaded.embedder;
    if (!chosen) return;
    if (this.disposed) {
      // Disposed while the model loaded in the background.
      await chosen.dispose();
      return;
    }
    this.embedder = chosen;
    this.clock.modelReady(performance.now() - loadStarted, chosen.timings ?? null);
    this.state.threads = { count: chosen.threads.threads, reason: chosen.threads.reason };
    this.progress({ phase: 'model', fraction: 1, detail: `${this.state.device} ready in ${Math.round(chosen.loadMs)} ms` });
    const info = chosen.info;
    if (sameAsServer && this.info!.model_key !== null && this.info!.model_key !== info.modelKey) {
      this.warn(`model key ${info.modelKey} differs from the server's ${this.info!.model_key}; server vectors are not reused`);
    }
    this.state.model = info.model;
    this.state.modelKey = info.modelKey;
    this.state.dimension = info.dimension;
    const newMeta: ModelMeta = {
      model: info.model,
      modelKey: info.modelKey,
      dimension: info.dimension,
      maxSeqLength: info.maxSeqLength,
      dtype: info.dtype,
    };
    await this.cache.saveMeta(metaName, newMeta).catch(() => undefined);
    await this.cache.saveMeta(LAST_META, newMeta).catch(() => undefined);
  }

  /** Loads candidates and (for a local device) their vectors; corrupted records are dropped and reported. */
  private async loadCache(): Promise<void> {
    try {
      const sync = await this.cache.loadSyncState(shapeKey(this.options.tags));
      this.cursor = sync.cursor;
      this.state.lastSync = sync.lastSync;
      const profiles = await this.cache.loadProfiles();
      if (profiles.dropped.length > 0) {
        // Lost candidates can only come back through a full pull.
        this.cursor = null;
        this.warn(`dropped corrupted cache records: ${profiles.dropped.join('; ')}`);
      }
      const key = this.state.modelKey;
      const local = this.isLocal() && key !== null;
      const vectors = local
        ? await this.cache.loadVectors(key, this.state.dimension ?? undefined)
        : { value: new Map(), dropped: [] as string[] };
      if (vectors.dropped.length > 0) {
        this.warn(`dropped corrupted vector records (recomputing): ${vectors.dropped.join('; ')}`);
      }
      if (local) await this.cache.dropOtherModels(key).catch(() => undefined);
      this.candidates.load(profiles.value, vectors.value);
      if (local) {
        const { missing } = await this.candidates.reconcile();
        this.state.cacheHits += this.candidates.size - missing.length;
      }
      this.persistedVersion = this.candidates.version;
    } catch (err) {
      this.candidates.clear();
      this.cursor = null;
      this.warn(`local cache unreadable (${errorText(err)}); starting empty`);
      await this.cache.clearAll().catch(() => undefined);
    }
    this.state.candidates = this.candidates.size;
  }

  sync(): Promise<{ applied: number; full: boolean }> {
    this.assertOpen();
    if (!this.syncing) {
      this.syncing = this.syncNow().finally(() => {
        this.syncing = null;
      });
    }
    return this.syncing;
  }

  private async syncNow(): Promise<{ applied: number; full: boolean }> {
    const syncDone = this.clock.begin('sync');
    try {
      return await this.pullAndFill();
    } finally {
      syncDone();
    }
  }

  private async pullAndFill(): Promise<{ applied: number; full: boolean }> {
    this.progress({ phase: 'sync', fraction: 0, detail: 'pulling changes' });
    let pulled;
    try {
      pulled = await pullChanges(this.api, this.candidates, {
        cursor: this.cursor,
        limit: SYNC_PAGE_SIZE,
        // Server vectors only help a device that ranks locally (also while its model loads after a fast start).
        embeddings: this.isLocal(),
        tags: this.options.tags ?? [],
        modelKey: this.isLocal() ? this.state.modelKey : null,
        dimension: this.state.dimension,
        onPage: (applied) => this.progress({ phase: 'sync', fraction: 0, detail: `${applied} changes` }),
      });
    } catch (err) {
      const offline = err instanceof ApiRequestError && err.status === 0;
      this.warn(`sync failed${offline ? ' (offline?)' : ''}: ${errorText(err)}; using local candidates`);
      this.emit();
      return { applied: 0, full: false };
    }
    this.cursor = pulled.cursor;
    const { adoptedServerVectors } = await this.candidates.reconcile();
    this.state.cacheHits += adoptedServerVectors;
    this.state.lastSync = new Date().toISOString();
    this.state.candidates = this.candidates.size;
    if (this.state.warning?.startsWith('sync failed')) this.state.warning = null;
    this.progress({ phase: 'sync', fraction: 1, detail: `${pulled.applied} changes` });
    if (this.embedder) {
      try {
        await this.fillMissing();
      } catch (err) {
        this.warn(`embedding candidates failed (${errorText(err)}); they are retried at the next rank`);
      }
    }
    await this.persist(true);
    this.emit();
    return { applied: pulled.applied, full: pulled.full };
  }

  /** Embeds every candidate without a valid vector, in chunks, reporting progress. Single-flight. */
  private fillMissing(): Promise<void> {
    if (!this.filling) {
      this.filling = this.fillNow().finally(() => {
        this.filling = null;
      });
    }
    return this.filling;
  }

  private async fillNow(): Promise<void> {
    const embedder = this.embedder;
    if (!embedder) return;
    const { missing } = await this.candidates.reconcile();
    if (missing.length === 0) return;
    let done = 0;
    this.progress({ phase: 'embedding', fraction: 0, detail: `0/${missing.length}` });
    for (let i = 0; i < missing.length; i += EMBED_CHUNK) {
      const batch = missing
        .slice(i, i + EMBED_CHUNK)
        .map((id) => ({ id, profile: this.candidates.get(id), hash: this.candidates.hashOf(id) }))
        .filter((c): c is { id: string; profile: Profile; hash: string } => !!c.profile && c.hash !== undefined);
      // Candidates are the document side (the model's document prompt, if it has query and document ones).
      const document = feedPromptNames(embedder.info.family).document;
      const vectors = await embedder.embed(batch.map((c) => promptedText(embedder.info.family, profileToText(c.profile), document)));
      batch.forEach((c, k) => {
        if (this.candidates.setVector(c.id, vectors[k]!, c.hash)) this.state.embeddedCandidates++;
      });
      done += batch.length;
      this.progress({ phase: 'embedding', fraction: done / missing.length, detail: `${done}/${missing.length}` });
    }
    this.emit();
  }

  /** Writes candidates, vectors and the cursor when something changed. Serialised: writes never interleave. */
  private persist(withSyncState = false): Promise<void> {
    const run = this.writing.then(() => this.persistNow(withSyncState));
    this.writing = run;
    return run;
  }

  /** Write failures degrade to a warning, never throw. */
  private async persistNow(withSyncState: boolean): Promise<void> {
    const version = this.candidates.version;
    try {
      if (version !== this.persistedVersion) {
        await this.cache.saveProfiles(this.candidates.hashedProfiles());
        if (this.isLocal() && this.state.modelKey && this.state.dimension) {
          await this.cache.saveVectors(this.state.modelKey, this.state.dimension, this.candidates.validVectors());
        }
      }
      // The cursor is written after the data it covers, so a crash in between only repeats a pull.
      if (withSyncState) {
        await this.cache.saveSyncState({ cursor: this.cursor, lastSync: this.state.lastSync, shape: shapeKey(this.options.tags) });
      }
      this.persistedVersion = version;
    } catch (err) {
      // saveProfiles/saveVectors already dropped what they could not write; the next start resyncs.
      this.warn(`could not write the local cache (${errorText(err)}); the feed works, the next start resyncs`);
    }
  }

  async rankFeed(user: UserProfile, options: RankFeedOptions = {}): Promise<FeedResult> {
    this.assertOpen();
    const started = performance.now();
    const limit = options.limit ?? DEFAULT_LIMIT;
    const now = options.now === undefined ? Date.now() : options.now instanceof Date ? options.now.getTime() : options.now;
    const interactions = options.useInteractions === false ? [] : this.recorded;
    const layer: RecommendOptions = {
      now,
      interactions,
      taste: this.taste,
      diversity: options.diversity ?? 0,
      groupDecay: options.groupDecay ?? false,
      freshness: options.freshness,
    };
    // Bad options fail here, named, before any request or model run.
    resolveRecommendOptions(layer);
    if (this.state.device === 'server') {
      try {
        const res = await this.api.feed(user, {
          limit,
          excludeIds: options.excludeIds,
          weights: this.weights,
          recommend: {
            ...(interactions.length > 0 ? { interactions: [...interactions] } : {}),
            ...(layer.diversity ? { diversity: layer.diversity } : {}),
            ...(layer.groupDecay ? { group_decay: true } : {}),
            ...(layer.freshness ? { freshness: { half_life_days: layer.freshness.halfLifeDays, floor: layer.freshness.floor } } : {}),
            now: new Date(now).toISOString(),
          },
        });
        if (this.state.warning?.startsWith('server feed failed')) this.state.warning = null;
        const results = res.results.map(({ because, ...r }) => ({ ...r, ...this.because(because) }));
        return this.finishRank(started, 'server', { results, ml_applied: res.ml_applied, device: 'server' });
      } catch (err) {
        if (this.candidates.size === 0) throw err;
        const reason = `server feed failed (${errorText(err)}); ranked locally without similarity`;
        this.warn(reason);
        // Ranked here, from the cached candidates and without a model: say so, not 'server'.
        const local = this.rankLocal(null, user, limit, options.excludeIds, layer, 'local');
        return this.finishRank(started, 'none', { ...local, fallback_reason: reason });
      }
    }
    const text = profileToText(user);
    if (!this.embedder) {
      // Fast start, model still loading: the user vector stored for this exact text ranks without it.
      const stored = this.candidates.complete() ? await this.storedUserVector(text) : null;
      if (stored) {
        const device = this.state.device as LocalDevice;
        const ranked = this.rankLocal(stored, user, limit, options.excludeIds, layer, device);
        return this.finishRank(started, 'cached', { ...ranked, cached_query: true });
      }
      await this.ready();
      if (!this.embedder) {
        // The model could not load: the engine is on the server now, like a start whose model failed.
        const now: string = this.state.device; // set again by the load's end, after the check above
        if (now !== 'server') throw new Error(`no embedder on device ${now}`);
        return this.rankFeed(user, options);
      }
    }
    const embedder = this.embedder!;
    let query: Float32Array | null = null;
    try {
      // A sync landing during a fill leaves new gaps; a few rounds close them (each round is only the gap).
      for (let round = 0; round < 3 && !this.candidates.complete(); round++) await this.fillMissing();
      if (this.candidates.version !== this.persistedVersion) void this.persist();
      const family = embedder.info.family;
      [query = null] = await embedder.embed([promptedText(family, text, feedPromptNames(family).query)]);
      this.clock.firstInference(embedder.firstRunMs ?? null);
      if (query) void this.saveUserVector(text, query);
    } catch (err) {
      this.warn(`on-device embedding failed (${errorText(err)}); ranked without similarity`);
      query = null;
    }
    const device = this.state.device as LocalDevice;
    const ranked = this.rankLocal(query, user, limit, options.excludeIds, layer, device);
    return this.finishRank(started, query ? 'model' : 'none', ranked);
  }

  /** The stored user vector for this profile text under the current model key, or null. */
  private async storedUserVector(text: string): Promise<Float32Array | null> {
    const modelKey = this.state.modelKey;
    if (modelKey === null) return null;
    const hash = await sha256Hex(text);
    const found = await this.cache.loadUserVector({ modelKey, hash, dimension: this.state.dimension ?? undefined }).catch(() => 'unreadable');
    return typeof found === 'string' ? null : found;
  }

  /** Keeps the user's vector for the next visit; written only when the text or the model changed. */
  private async saveUserVector(text: string, vector: Float32Array): Promise<void> {
    const modelKey = this.state.modelKey;
    if (modelKey === null) return;
    const hash = await sha256Hex(text);
    const id = `${modelKey}|${hash}`;
    if (this.savedUserVector === id) return;
    this.savedUserVector = id;
    try {
      await this.cache.saveUserVector(packUserVector(modelKey, hash, vector));
    } catch (err) {
      this.savedUserVector = null;
      this.warn(`could not store the profile's vector (${errorText(err)}); the next visit waits for the model`);
    }
  }

  private rankLocal(
    query: Float32Array | null,
    user: UserProfile,
    limit: number,
    excludeIds: readonly string[] | undefined,
    layer: RecommendOptions,
    device: FeedResult['device'],
  ): Omit<FeedResult, 'rank_ms'> {
    const usable = query !== null && this.candidates.complete() && this.state.dimension !== null;
    const matrix = this.candidates.packed(this.state.dimension ?? 0, usable);
    const exclude = new Set(excludeIds ?? []);
    if (user.id !== undefined) exclude.add(user.id);
    const ranked: RecommendResult = recommend(usable ? query : null, matrix, {
      ...layer,
      weights: this.weights,
      limit,
      excludeIds: exclude,
      profileOf: (id) => this.candidates.get(id),
    });
    const results: RankedCandidate[] = ranked.results.map((r) => ({
      profile: this.candidates.get(r.id)!,
      score: r.score,
      breakdown: r.breakdown,
      ...this.because(r.because),
    }));
    return { results, ml_applied: ranked.ml_applied, device };
  }

  /** `because` with the liked profile's name from the local candidates (its id when it is not held here). */
  private because(id: string | undefined): { because?: { id: string; name: string } } {
    if (id === undefined) return {};
    return { because: { id, name: this.candidates.get(id)?.name ?? id } };
  }

  async recordInteraction(profileId: string, type: InteractionType): Promise<void> {
    this.assertOpen();
    if (typeof profileId !== 'string' || profileId.length === 0 || profileId.length > 128) {
      throw new RangeError(`recordInteraction: profileId must be a string of 1-128 characters, got ${JSON.stringify(profileId)}`);
    }
    if (!isInteractionType(type)) throw new RangeError(`recordInteraction: type must be one of like, connect, pass, hide, view, got ${JSON.stringify(type)}`);
    this.recorded = [...this.recorded, { profile_id: profileId, type, at: new Date().toISOString() }].slice(-MAX_INTERACTIONS);
    await this.saveInteractions();
  }

  interactions(): Interaction[] {
    return this.recorded.map((it) => ({ ...it }));
  }

  async clearInteractions(): Promise<void> {
    this.assertOpen();
    this.recorded = [];
    await this.saveInteractions();
  }

  /** A failed write keeps the interactions in memory for this session and says so. */
  private async saveInteractions(): Promise<void> {
    try {
      await this.cache.saveInteractions(this.recorded);
    } catch (err) {
      this.warn(`could not store interactions (${errorText(err)}); they last until the page closes`);
    }
  }

  private finishRank(
    started: number,
    userVector: 'cached' | 'model' | 'server' | 'none',
    result: Omit<FeedResult, 'rank_ms'>,
  ): FeedResult {
    const rankMs = performance.now() - started;
    this.clock.record('rank', rankMs);
    this.clock.firstFeed(userVector);
    this.state.lastRankMs = rankMs;
    this.emit();
    return { ...result, rank_ms: rankMs };
  }

  async embed(texts: readonly string[], options: { promptName?: string } = {}): Promise<Float32Array[]> {
    this.assertOpen();
    await this.ready();
    const embedder = this.embedder;
    if (embedder) return embedder.embed(texts.map((t) => promptedText(embedder.info.family, t, options.promptName)));
    const max = Math.max(1, this.info?.max_batch_size ?? 32);
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += max) {
      out.push(...(await this.api.embedBatch(texts.slice(i, i + max), options.promptName)));
    }
    return out;
  }

  status(): EngineStatus {
    return {
      ...this.state,
      selfCheck: this.state.selfCheck ? { ...this.state.selfCheck } : null,
      threads: this.state.threads ? { ...this.state.threads } : null,
      deviceRace: this.state.deviceRace ? structuredClone(this.state.deviceRace) : null,
      startup: this.clock.snapshot(),
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.syncing?.catch(() => undefined);
    await this.writing;
    await this.embedder?.dispose();
    this.embedder = null;
  }

  /** Ranks on this device (its model loaded, or loading in the background after a fast start). */
  private isLocal(): boolean {
    return this.state.device === 'wasm' || this.state.device === 'webgpu';
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error('FeedEngine is disposed');
  }

  private setDevice(device: EngineStatus['device'], reason: string): void {
    this.state.device = device;
    this.state.deviceReason = reason;
  }

  private warn(message: string): void {
    this.state.warning = message;
    this.emit();
  }

  private progress(p: EngineProgress): void {
    this.options.onProgress?.(p);
  }

  private emit(): void {
    this.options.onStatus?.(this.status());
  }
}

function isDtype(value: string): value is EmbeddingDtype {
  return (EMBEDDING_DTYPES as readonly string[]).includes(value);
}

function stripUndefined(w: Partial<RankWeights>): Partial<RankWeights> {
  const out: Partial<RankWeights> = {};
  for (const key of ['similarity', 'diligence', 'engagement'] as const) if (w[key] !== undefined) out[key] = w[key];
  return out;
}
