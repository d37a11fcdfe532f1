/**
 * The engine's IndexedDB cache (idb-keyval, database 'nearfeed', store 'cache'): candidate profiles, their
 * vectors per model key, the sync cursor and the last server info. Every read validates; every failed write
 * drops the part it was writing, so the cache can be stale or empty but never wrong.
 */
import { createStore, del, get, keys, promisifyRequest, set, type UseStore } from 'idb-keyval';
import {
  packProfileChunks,
  packVectorChunks,
  profileChunkFingerprint,
  vectorChunkFingerprint,
  unpackProfileChunk,
  unpackVectorChunk,
  type HashedProfile,
  type StoredVector,
} from './chunks';
import { isInteractionType, type Interaction } from '../../shared/recommend/interactions';
import { unpackUserVector, type UserVectorRecord } from './user-vector';

/** Sync progress kept across page loads. */
export interface SyncState {
  cursor: string | null;
  /** ISO time of the last successful sync. */
  lastSync: string | null;
  /** `shapeKey` of the tags the cursor and the held candidates are of ('' for every candidate). */
  shape: string;
}

/** A stable name of a sync shape: its distinct tags, sorted, joined; '' for every candidate. */
export function shapeKey(tags: readonly string[] = []): string {
  return JSON.stringify([...new Set(tags)].sort()).slice(1, -1);
}

/** What the engine remembers about the model it ran, so it can start offline. */
export interface ModelMeta {
  model: string;
  modelKey: string;
  dimension: number;
  maxSeqLength: number;
  dtype: string;
}

/**
 * The device `auto` chose by timing WebGPU against WASM (client/engine/device-race.ts), remembered per model
 * and dtype with the browser and adapter it was measured on, so later visits skip the race until one changes.
 */
export interface DeviceChoice {
  device: 'webgpu' | 'wasm';
  /** `navigator.userAgent` at the time (a browser update re-measures). */
  browser: string;
  /** WebGPU adapter description (vendor, architecture, device). */
  adapter: string;
  webgpu: { queryMs: number; batchMs: number };
  wasm: { queryMs: number; batchMs: number };
  batchSize: number;
  /** ISO time of the measurement. */
  measuredAt: string;
}

const PROFILE_PREFIX = 'profiles/';
const VECTOR_PREFIX = 'vectors/';
const SYNC_KEY = 'sync-state';
const META_PREFIX = 'meta/';
const INTERACTIONS_KEY = 'interactions';
const DEVICE_CHOICE_PREFIX = 'device-choice/';
const USER_VECTOR_KEY = 'user-vector';

function isTiming(t: unknown): t is { queryMs: number; batchMs: number } {
  const o = t as { queryMs?: unknown; batchMs?: unknown } | null;
  return typeof o === 'object' && o !== null && Number.isFinite(o.queryMs) && Number.isFinite(o.batchMs);
}

function chunkKey(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(5, '0')}`;
}

function vectorPrefix(modelKey: string): string {
  return `${VECTOR_PREFIX}${modelKey}/`;
}

export interface LoadReport<T> {
  value: T;
  /** Records that failed validation and were deleted, with why. */
  dropped: string[];
}

export class FeedCache {
  private readonly store: UseStore;
  /** Fingerprint of each record this instance wrote, by key (see `replaceRecords`). */
  private readonly lastWritten = new Map<string, string>();

  constructor(dbName = 'nearfeed', storeName = 'cache') {
    this.store = createStore(dbName, storeName);
  }

  private async keysWithPrefix(prefix: string): Promise<string[]> {
    const all = await keys<IDBValidKey>(this.store);
    return all.filter((k): k is string => typeof k === 'string' && k.startsWith(prefix)).sort();
  }

  /**
   * Replaces every record under `prefix` with `records`, in one transaction (all or nothing). A record this
   * instance already wrote with the same fingerprint, and whose key is still there, is not written again: a
   * sync that changed one candidate rewrites its record, not all 10,000 vectors (~15 MB).
   */
  private async replaceRecords<T>(prefix: string, records: readonly T[], fingerprint: (record: T) => string): Promise<void> {
    const stale = await this.keysWithPrefix(prefix);
    const present = new Set(stale);
    const fresh = records.map((record, i) => {
      const key = chunkKey(prefix, i);
      const print = fingerprint(record);
      return { key, record, print, unchanged: present.has(key) && this.lastWritten.get(key) === print };
    });
    this.forgetWritten(prefix);
    await this.store('readwrite', (store) => {
      for (const { key, record, unchanged } of fresh) if (!unchanged) store.put(record, key);
      const kept = new Set(fresh.map((f) => f.key));
      for (const key of stale) if (!kept.has(key)) store.delete(key);
      return promisifyRequest(store.transaction);
    });
    for (const { key, print } of fresh) this.lastWritten.set(key, print);
  }

  /** Called before a write: a failed one must not leave fingerprints of records that may not be there. */
  private forgetWritten(prefix: string): void {
    for (const key of [...this.lastWritten.keys()]) if (key.startsWith(prefix)) this.lastWritten.delete(key);
  }

  private async deletePrefix(prefix: string): Promise<void> {
    await this.deleteKeys(await this.keysWithPrefix(prefix));
  }

  /** Deletes keys in one transaction. */
  private async deleteKeys(stale: readonly string[]): Promise<void> {
    if (stale.length === 0) return;
    await this.store('readwrite', (store) => {
      for (const key of stale) store.delete(key);
      return promisifyRequest(store.transaction);
    });
  }

  /** Reads every record under a prefix in one transaction. */
  private async readRecords(prefix: string): Promise<Array<[string, unknown]>> {
    const wanted = await this.keysWithPrefix(prefix);
    if (wanted.length === 0) return [];
    return this.store('readonly', (store) =>
      Promise.all(wanted.map(async (key) => [key, await promisifyRequest(store.get(key))] as [string, unknown])),
    );
  }

  async loadProfiles(): Promise<LoadReport<HashedProfile[]>> {
    const profiles: HashedProfile[] = [];
    const dropped: string[] = [];
    for (const [key, record] of await this.readRecords(PROFILE_PREFIX)) {
      const unpacked = unpackProfileChunk(record);
      if (unpacked.ok) profiles.push(...unpacked.entries);
      else {
        dropped.push(`${key}: ${unpacked.reason}`);
        await del(key, this.store);
      }
    }
    return { value: profiles, dropped };
  }

  async saveProfiles(profiles: Iterable<HashedProfile>): Promise<void> {
    try {
      await this.replaceRecords(PROFILE_PREFIX, packProfileChunks(profiles), profileChunkFingerprint);
    } catch (err) {
      // Half a candidate set must not look like a whole one: drop it and the cursor so the next sync refetches.
      await this.deletePrefix(PROFILE_PREFIX).catch(() => undefined);
      await del(SYNC_KEY, this.store).catch(() => undefined);
      throw err;
    }
  }

  async loadVectors(modelKey: string, dimension?: number): Promise<LoadReport<Map<string, StoredVector>>> {
    const vectors = new Map<string, StoredVector>();
    const dropped: string[] = [];
    for (const [key, record] of await this.readRecords(vectorPrefix(modelKey))) {
      const unpacked = unpackVectorChunk(record, { modelKey, dimension });
      if (unpacked.ok) for (const [id, v] of unpacked.vectors) vectors.set(id, v);
      else {
        dropped.push(`${key}: ${unpacked.reason}`);
        await del(key, this.store);
      }
    }
    return { value: vectors, dropped };
  }

  async saveVectors(modelKey: string, dimension: number, vectors: ReadonlyMap<string, StoredVector>): Promise<void> {
    try {
      await this.replaceRecords(vectorPrefix(modelKey), packVectorChunks(modelKey, dimension, vectors), vectorChunkFingerprint);
    } catch (err) {
      await this.deletePrefix(vectorPrefix(modelKey)).catch(() => undefined);
      throw err;
    }
  }

  /** Drops vectors of every other model key (a model change makes them unreachable). */
  async dropOtherModels(modelKey: string): Promise<void> {
    const mine = vectorPrefix(modelKey);
    await this.deleteKeys((await this.keysWithPrefix(VECTOR_PREFIX)).filter((k) => !k.startsWith(mine)));
  }

  /**
   * The sync state of `shape`. The state of another shape (the candidates held are that shape's) or none gives a
   * null cursor: the next pull starts from scratch and ends holding exactly this shape.
   */
  async loadSyncState(shape: string): Promise<SyncState> {
    const state = await get<unknown>(SYNC_KEY, this.store);
    if (typeof state === 'object' && state !== null) {
      const s = state as Partial<SyncState>;
      const stored = s.shape ?? '';
      if ((typeof s.cursor === 'string' || s.cursor === null) && (typeof s.lastSync === 'string' || s.lastSync === null)) {
        if (stored === shape) return { cursor: s.cursor, lastSync: s.lastSync, shape };
      }
    }
    return { cursor: null, lastSync: null, shape };
  }

  async saveSyncState(state: SyncState): Promise<void> {
    await set(SYNC_KEY, state, this.store);
  }

  async loadMeta(name: string): Promise<ModelMeta | undefined> {
    const meta = await get<unknown>(`${META_PREFIX}${name}`, this.store);
    if (typeof meta !== 'object' || meta === null) return undefined;
    const m = meta as Partial<ModelMeta>;
    if (
      typeof m.model === 'string' &&
      typeof m.modelKey === 'string' &&
      typeof m.dimension === 'number' &&
      typeof m.maxSeqLength === 'number' &&
      typeof m.dtype === 'string'
    ) {
      return m as ModelMeta;
    }
    return undefined;
  }

  async saveMeta(name: string, meta: ModelMeta): Promise<void> {
    await set(`${META_PREFIX}${name}`, meta, this.store);
  }

  /** The user's interactions, oldest first; records that are not interactions are skipped. */
  async loadInteractions(): Promise<Interaction[]> {
    const value = await get<unknown>(INTERACTIONS_KEY, this.store);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (v): v is Interaction =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as Interaction).profile_id === 'string' &&
        isInteractionType((v as Interaction).type) &&
        typeof (v as Interaction).at === 'string',
    );
  }

  /** Replaces the stored interactions (one record: at most MAX_INTERACTIONS small objects). */
  async saveInteractions(interactions: readonly Interaction[]): Promise<void> {
    await set(INTERACTIONS_KEY, interactions, this.store);
  }

  /** The remembered device choice for `name` (model|dtype); undefined when none or malformed. */
  async loadDeviceChoice(name: string): Promise<DeviceChoice | undefined> {
    const c = await get<unknown>(`${DEVICE_CHOICE_PREFIX}${name}`, this.store);
    if (typeof c !== 'object' || c === null) return undefined;
    const d = c as Partial<DeviceChoice>;
    const valid =
      (d.device === 'webgpu' || d.device === 'wasm') &&
      typeof d.browser === 'string' &&
      typeof d.adapter === 'string' &&
      isTiming(d.webgpu) &&
      isTiming(d.wasm) &&
      Number.isInteger(d.batchSize) &&
      typeof d.measuredAt === 'string';
    return valid ? (d as DeviceChoice) : undefined;
  }

  async saveDeviceChoice(name: string, choice: DeviceChoice): Promise<void> {
    await set(`${DEVICE_CHOICE_PREFIX}${name}`, choice, this.store);
  }

  /**
   * The user's vector for this model key and profile text, or why there is none (user-vector.ts). A corrupt
   * record is deleted.
   */
  async loadUserVector(expected: { modelKey: string; hash: string; dimension?: number }): Promise<Float32Array | string> {
    const unpacked = unpackUserVector(await get<unknown>(USER_VECTOR_KEY, this.store), expected);
    if (unpacked.ok) return unpacked.vector;
    if (unpacked.corrupt) await del(USER_VECTOR_KEY, this.store).catch(() => undefined);
    return unpacked.reason;
  }

  /** Replaces the stored user vector (one small record). */
  async saveUserVector(record: UserVectorRecord): Promise<void> {
    await set(USER_VECTOR_KEY, record, this.store);
  }

  /** Everything, e.g. after a must_refetch or from an app's "clear data" button. */
  async clearAll(): Promise<void> {
    this.lastWritten.clear();
    await this.store('readwrite', (store) => {
      store.clear();
      return promisifyRequest(store.transaction);
    });
  }
}
