/**
 * The cold start's pure parts: the user-vector record (valid only for its model key and profile text), the
 * startup breakdown (engine steps recorded once, the worker's load split into phases that add up), and the
 * model-file cache's version check (a replaced model file is downloaded again, an unchanged one is not, and an
 * unreachable server keeps the cached copy).
 */
import { describe, expect, it } from 'vitest';
import { CACHE_FORMAT } from '../client/cache/chunks';
import { packUserVector, unpackUserVector } from '../client/cache/user-vector';
import { StartupClock } from '../client/engine/startup';
import { loadBreakdown } from '../client/worker/load-timings';
import { sameVersion, ValidatedModelCache, validatorOf, type CacheOutcome } from '../client/worker/model-cache';

const KEY = 'nearfeed-test|fp32|128|mean,norm';

describe('user vector record', () => {
  const vector = Float32Array.from([0.1, -0.2, 0.3]);

  it('round-trips for the same model key and text hash, as a copy', () => {
    const record = packUserVector(KEY, 'h1', vector);
    expect(record.format).toBe(CACHE_FORMAT);
    expect(record.vector).not.toBe(vector);
    const back = unpackUserVector(record, { modelKey: KEY, hash: 'h1', dimension: 3 });
    expect(back).toEqual({ ok: true, vector });
  });

  it('is not used for another text, model key or dimension (not corrupt: the caller embeds)', () => {
    const record = packUserVector(KEY, 'h1', vector);
    expect(unpackUserVector(record, { modelKey: KEY, hash: 'h2' })).toMatchObject({ ok: false, corrupt: false, reason: /another profile text/ });
    expect(unpackUserVector(record, { modelKey: 'other|q8', hash: 'h1' })).toMatchObject({ ok: false, corrupt: false, reason: /another model key/ });
    expect(unpackUserVector(record, { modelKey: KEY, hash: 'h1', dimension: 4 })).toMatchObject({ ok: false, corrupt: false });
    expect(unpackUserVector(undefined, { modelKey: KEY, hash: 'h1' })).toMatchObject({ ok: false, corrupt: false, reason: 'none stored' });
  });

  it('rejects malformed records as corrupt', () => {
    const good = packUserVector(KEY, 'h1', vector);
    const bad: unknown[] = [
      null,
      'x',
      { ...good, format: CACHE_FORMAT + 1 },
      { ...good, hash: 7 },
      { ...good, vector: [0.1, 0.2, 0.3] },
      { ...good, dimension: 4 },
      { ...good, vector: Float32Array.from([0.1, Number.NaN, 0.3]) },
      { ...good, vector: new Float32Array(0), dimension: 0 },
    ];
    for (const record of bad) expect(unpackUserVector(record, { modelKey: KEY, hash: 'h1' })).toMatchObject({ ok: false, corrupt: true });
  });
});

describe('startup breakdown', () => {
  it('records each step once, the first feed and model readiness from the start', () => {
    let now = 1000;
    const clock = new StartupClock(() => now);
    const info = clock.begin('info');
    now += 12;
    info();
    const sync1 = clock.begin('sync');
    now += 30;
    sync1();
    const sync2 = clock.begin('sync');
    now += 500;
    sync2(); // a later sync does not replace the first
    const rank = clock.begin('rank');
    now += 8;
    rank();
    clock.firstFeed('cached');
    now += 100;
    clock.firstFeed('model');
    clock.modelReady(900, null);
    clock.firstInference(16);
    clock.firstInference(40);
    const s = clock.snapshot();
    expect(s).toMatchObject({ info: 12, sync: 30, rank: 8, firstFeedAt: 550, userVector: 'cached', modelReadyAt: 650, modelLoad: 900, firstInference: 16 });
    expect(s.indexedDb).toBeNull();
  });

  it('splits a worker load into phases that add up to the total', () => {
    const counts = { downloadedFiles: 0, downloadedBytes: 0, cachedFiles: 5, staleFiles: 0, uncheckedFiles: 0 };
    const t = loadBreakdown({ start: 0, configDone: 20, filesDone: 120, wasmStart: 125, wasmCompiled: 400, ready: 700 }, counts);
    expect(t).toMatchObject({ config: 20, files: 100, ortWasm: 275, session: 305, total: 700, cachedFiles: 5 });
    expect(t.config + t.files + t.ortWasm! + t.session).toBeCloseTo(t.total, 9);
  });

  it('without a WASM compile (ORT already running) the session takes the rest', () => {
    const t = loadBreakdown({ start: 10, configDone: 15, filesDone: 50, ready: 90 }, { downloadedFiles: 3, downloadedBytes: 9, cachedFiles: 0, staleFiles: 0, uncheckedFiles: 0 });
    expect(t).toMatchObject({ config: 5, files: 35, ortWasm: null, session: 40, total: 80, downloadedFiles: 3 });
  });
});

/** An in-memory stand-in for one Cache Storage cache (Node has no Cache Storage). */
class MemoryCache {
  readonly entries = new Map<string, Response>();
  async match(url: string): Promise<Response | undefined> {
    return this.entries.get(url)?.clone();
  }
  async put(url: string, res: Response): Promise<void> {
    this.entries.set(url, res);
  }
  async delete(url: string): Promise<boolean> {
    return this.entries.delete(url);
  }
}

describe('model file cache', () => {
  const base = 'http://127.0.0.1:8787/';
  const weights = `${base}models/m/onnx/model.onnx`;
  const headers = (h: Record<string, string>) => new Headers(h);

  it('compares ETags first, else Last-Modified; no validator on a side keeps the copy', () => {
    expect(validatorOf(headers({ etag: 'W/"a"', 'last-modified': 'x' }))).toBe('etag:"a"');
    expect(validatorOf(headers({ 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }))).toBe('modified:Tue, 01 Dec 2026 10:00:00 GMT');
    expect(sameVersion(headers({ etag: '"a"' }), headers({ etag: '"b"' }))).toBe(false);
    expect(sameVersion(headers({ 'last-modified': 'a' }), headers({ 'last-modified': 'a' }))).toBe(true);
    expect(sameVersion(headers({}), headers({ etag: '"b"' }))).toBe(true);
  });

  async function setup(head: (url: string) => Promise<Response>) {
    const memory = new MemoryCache();
    const outcomes: Array<[string, CacheOutcome]> = [];
    const heads: string[] = [];
    const cache = new ValidatedModelCache({
      open: async () => memory as unknown as Cache,
      validatePrefix: `${base}models/`,
      base,
      fetch: async (url, init) => {
        heads.push(`${init.method} ${url}`);
        return head(url);
      },
      onOutcome: (url, outcome) => outcomes.push([url, outcome]),
    });
    await cache.put('/models/m/onnx/model.onnx', new Response('old', { headers: { 'last-modified': 'v1' } }));
    return { memory, cache, outcomes, heads };
  }

  it('an unchanged file is a hit after one HEAD; a second lookup in the same load asks nothing', async () => {
    const { cache, outcomes, heads } = await setup(async () => new Response(null, { headers: { 'last-modified': 'v1' } }));
    expect(await (await cache.match('/models/m/onnx/model.onnx'))?.text()).toBe('old');
    expect(await cache.match('/models/m/onnx/model.onnx')).toBeDefined();
    expect(heads).toEqual([`HEAD ${weights}`]);
    expect(outcomes).toEqual([[weights, 'hit']]);
  });

  it('a replaced file (new Last-Modified) is dropped, so transformers.js downloads it again', async () => {
    const { cache, memory, outcomes } = await setup(async () => new Response(null, { headers: { 'last-modified': 'v2' } }));
    expect(await cache.match(weights)).toBeUndefined();
    expect(memory.entries.has(weights)).toBe(false);
    expect(outcomes).toEqual([[weights, 'stale']]);
  });

  it('offline (the HEAD fails) the cached copy is used', async () => {
    const { cache, outcomes } = await setup(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await (await cache.match(weights))?.text()).toBe('old');
    expect(outcomes).toEqual([[weights, 'unchecked-offline']]);
  });

  it('files outside the model folders (the bundle’s hashed ORT files) are not checked', async () => {
    const { cache, heads } = await setup(async () => new Response(null, { headers: { 'last-modified': 'v2' } }));
    await cache.put('/assets/ort-abc123.wasm', new Response('wasm'));
    expect(await cache.match('/assets/ort-abc123.wasm')).toBeDefined();
    expect(heads).toEqual([]);
  });
});
