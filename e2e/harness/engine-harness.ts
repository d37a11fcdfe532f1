/**
 * Test-only page for e2e/engine.spec.ts: exposes the browser package and a few IndexedDB helpers on
 * `window.nearfeedHarness`, so the spec drives the real engine in Chromium with page.evaluate.
 */
import { createStore, entries, set } from 'idb-keyval';
import { createFeedEngine } from '../../client/index';
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
  start(options: Partial<FeedEngineOptions>): Promise<EngineStatus>;
  /** Keys and a summary of every record of the engine's store. */
  records(databaseName?: string): Promise<Array<{ key: string; summary: string }>>;
  /** Overwrites one record (to simulate corruption). */
  corrupt(key: string, value: unknown, databaseName?: string): Promise<void>;
  readRecord(key: string, databaseName?: string): Promise<unknown>;
  /** Switches `start` to the built library (dist/lib/index.js from `npm run build:lib`). */
  useBuiltLibrary(): Promise<void>;
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
  async useBuiltLibrary() {
    const url = '/dist/lib/index.js';
    library = (await import(/* @vite-ignore */ url)) as Library;
  },
  async readRecord(key, databaseName = 'nearfeed') {
    const all = await entries<IDBValidKey, unknown>(createStore(databaseName, 'cache'));
    return all.find(([k]) => k === key)?.[1];
  },
};

window.nearfeedHarness = harness;
document.getElementById('state')!.textContent = 'ready';
