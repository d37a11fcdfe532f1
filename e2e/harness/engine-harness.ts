/**
 * Test-only page for e2e/engine.spec.ts: exposes the browser package and a few IndexedDB helpers on
 * `window.nearfeedHarness`, so the spec drives the real engine in Chromium with page.evaluate.
 */
import { createStore, entries, set } from 'idb-keyval';
import { FeedCache } from '../../client/cache/feed-cache';
import { CandidateSet } from '../../client/engine/candidate-set';
import { createFeedEngine } from '../../client/index';
import { wasmSimdAvailable } from '../../shared/similarity/kernel';
import type { EngineProgress, EngineStatus, FeedEngine, FeedEngineOptions } from '../../client/index';

declare global {
  interface Window {
    nearfeedHarness: NearfeedHarness;
  }
}

export interface NearfeedHarness {
  createFeedEngine: typeof createFeedEngine;
  engine: FeedEngine | null;
  progress: EngineProgress[];
  statuses: EngineStatus[];
  /**
   * Creates an engine and waits until its model is ready (`engine.ready()`), so the status returned names the
   * device, threads and self-check even after a fast start.
   */
  start(options: Partial<FeedEngineOptions>): Promise<EngineStatus>;
  /** Keys and a summary of every record of the engine's store. */
  records(databaseName?: string): Promise<Array<{ key: string; summary: string }>>;
  /** Overwrites one record (to simulate corruption). */
  corrupt(key: string, value: unknown, databaseName?: string): Promise<void>;
  readRecord(key: string, databaseName?: string): Promise<unknown>;
  /**
   * Writes `n` synthetic candidates with `dim`-dimensional vectors through the engine's cache, then reads them
   * back the way a warm start does (cache → candidate set → validity check), timing both.
   */
  cacheRoundTrip(n: number, dim: number, databaseName: string): Promise<CacheRoundTrip>;
  /**
   * Saves `n` synthetic candidates, edits the middle one and saves again through the same cache, recording the
   * keys the second save wrote; then reads everything back.
   */
  resaveOneChange(n: number, dim: number, databaseName: string): Promise<Resave>;
  /**
   * Adds `n` synthetic candidates to the IndexedDB database an engine synced (`databaseName`): clones of the
   * server candidates (round robin), `syn-<source id>-<k>`, with the source's vector (under that engine's model
   * key, with a hash of their own, so an engine starting there holds them as valid and has nothing to embed),
   * diligence and engagement: each scores exactly as its source and, by id, ranks right after it. Returns how
   * many server candidates the database held and how long writing took.
   */
  seedSynthetic(n: number, databaseName: string): Promise<{ serverCandidates: number; modelKey: string; dimension: number; saveMs: number }>;
  /** Switches `start` to the built library (dist/lib/index.js from `npm run build:lib`). */
  useBuiltLibrary(): Promise<void>;
  /** Whether this page's ranker runs the WebAssembly SIMD kernel (false: the JavaScript fallback). */
  wasmSimdKernel(): boolean;
}

export interface CacheRoundTrip {
  saveMs: number;
  loadMs: number;
  loaded: number;
  missing: number;
  records: number;
}

export interface Resave {
  written: string[];
  profiles: number;
  editedBio: string | null;
  vectors: number;
  editedHash: string | null;
}

/** `n` candidates with `dim`-dimensional vectors, ids in order, under a synthetic model key. */
function synthetic(n: number, dim: number) {
  const key = `synthetic|fp32|${dim}`;
  const entries = [];
  const vectors = new Map<string, { hash: string; vector: Float32Array }>();
  for (let i = 0; i < n; i++) {
    const id = `c-${String(i).padStart(6, '0')}`;
    const hash = `hash-${i}`;
    entries.push({
      profile: { id, name: `Name ${i}`, headline: 'Headline', bio: `Bio ${i}`, tags: ['t'], diligence: 0.5, engagement: 0.5, updated_at: '2026-01-01T00:00:00Z' },
      hash,
    });
    const v = new Float32Array(dim);
    for (let d = 0; d < dim; d++) v[d] = Math.sin(i + d);
    vectors.set(id, { hash, vector: v });
  }
  return { key, entries, vectors };
}

type Library = typeof import('../../client/index');
let library: Library = { createFeedEngine } as Library;

const harness: NearfeedHarness = {
  createFeedEngine,
  engine: null,
  progress: [],
  statuses: [],
  async start(options) {
    await harness.engine?.dispose();
    harness.progress = [];
    harness.statuses = [];
    harness.engine = await library.createFeedEngine({
      serverUrl: '',
      ...options,
      onProgress: (p) => harness.progress.push(p),
      onStatus: (s) => harness.statuses.push(s),
    });
    await harness.engine.ready();
    return harness.engine.status();
  },
  async records(databaseName = 'nearfeed') {
    const all = await entries<IDBValidKey, unknown>(createStore(databaseName, 'cache'));
    return all.map(([key, value]) => {
      const v = value as { ids?: unknown[]; profiles?: unknown[] };
      const summary = Array.isArray(v?.ids) ? `${v.ids.length} vectors` : Array.isArray(v?.profiles) ? `${v.profiles.length} profiles` : typeof value;
      return { key: String(key), summary };
    });
  },
  async corrupt(key, value, databaseName = 'nearfeed') {
    await set(key, value, createStore(databaseName, 'cache'));
  },
  async cacheRoundTrip(n, dim, databaseName) {
    const { key, entries, vectors } = synthetic(n, dim);
    const writer = new FeedCache(databaseName);
    const t0 = performance.now();
    await writer.saveProfiles(entries);
    await writer.saveVectors(key, dim, vectors);
    const t1 = performance.now();
    const reader = new FeedCache(databaseName);
    const profiles = await reader.loadProfiles();
    const loadedVectors = await reader.loadVectors(key, dim);
    const set = new CandidateSet();
    set.load(profiles.value, loadedVectors.value);
    const { missing } = await set.reconcile();
    set.packed(dim);
    const t2 = performance.now();
    const records = (await harness.records(databaseName)).length;
    return { saveMs: t1 - t0, loadMs: t2 - t1, loaded: set.size, missing: missing.length, records };
  },
  async resaveOneChange(n, dim, databaseName) {
    const { key, entries, vectors } = synthetic(n, dim);
    const cache = new FeedCache(databaseName);
    await cache.saveProfiles(entries);
    await cache.saveVectors(key, dim, vectors);
    // One candidate in the middle edited: its profile, text hash and vector change, nothing else.
    const id = entries[Math.floor(n / 2)]!.profile.id;
    const edited = entries.map((e) => (e.profile.id === id ? { profile: { ...e.profile, bio: 'edited' }, hash: 'edited' } : e));
    vectors.set(id, { hash: 'edited', vector: new Float32Array(dim).fill(0.25) });
    const written: string[] = [];
    const realPut = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function put(this: IDBObjectStore, value: unknown, k?: IDBValidKey) {
      if (typeof k === 'string') written.push(k);
      return realPut.call(this, value, k);
    };
    try {
      await cache.saveProfiles(edited);
      await cache.saveVectors(key, dim, vectors);
    } finally {
      IDBObjectStore.prototype.put = realPut;
    }
    const reader = new FeedCache(databaseName);
    const profiles = await reader.loadProfiles();
    const loaded = await reader.loadVectors(key, dim);
    return {
      written,
      profiles: profiles.value.length,
      editedBio: profiles.value.find((e) => e.profile.id === id)?.profile.bio ?? null,
      vectors: loaded.value.size,
      editedHash: loaded.value.get(id)?.hash ?? null,
    };
  },
  async seedSynthetic(n, databaseName) {
    const cache = new FeedCache(databaseName);
    const keys = (await harness.records(databaseName)).map((r) => r.key).filter((k) => k.startsWith('vectors/'));
    const modelKey = keys[0]?.slice('vectors/'.length, keys[0].lastIndexOf('/'));
    if (!modelKey) throw new Error(`no vectors in ${databaseName}: sync an engine there first`);
    const profiles = (await cache.loadProfiles()).value;
    const vectors = (await cache.loadVectors(modelKey)).value;
    const sources = profiles.flatMap((p) => {
      const v = vectors.get(p.profile.id);
      return v && v.hash === p.hash ? [{ profile: p.profile, vector: v.vector }] : [];
    });
    if (sources.length === 0) throw new Error('no valid server vectors to copy');
    const dimension = sources[0]!.vector.length;
    const t0 = performance.now();
    const all = [...profiles];
    for (let i = 0; i < n; i++) {
      const source = sources[i % sources.length]!;
      const id = `syn-${source.profile.id}-${String(Math.floor(i / sources.length)).padStart(6, '0')}`;
      const hash = `synthetic-${i}`;
      all.push({ profile: { ...source.profile, id, name: `Synthetic ${i}` }, hash });
      vectors.set(id, { hash, vector: source.vector });
    }
    await cache.saveProfiles(all);
    await cache.saveVectors(modelKey, dimension, vectors);
    return { serverCandidates: profiles.length, modelKey, dimension, saveMs: performance.now() - t0 };
  },
  async useBuiltLibrary() {
    const url = '/client/dist/index.js';
    library = (await import(/* @vite-ignore */ url)) as Library;
  },
  wasmSimdKernel: wasmSimdAvailable,
  async readRecord(key, databaseName = 'nearfeed') {
    const all = await entries<IDBValidKey, unknown>(createStore(databaseName, 'cache'));
    return all.find(([k]) => k === key)?.[1];
  },
};

window.nearfeedHarness = harness;
document.getElementById('state')!.textContent = 'ready';
