/**
 * The browser package itself (client/), driven in Chromium through a test-only harness page
 * (e2e/harness/engine.html, served by Vite's dev server and proxied to the server under test). Real worker,
 * real onnxruntime-web, real IndexedDB; every non-local request fails the test (fixtures' network guard).
 */
import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import type { EngineStatus, FeedResult, UserProfile } from '../client/types';
import { harnessConfig } from './harness/vite.config';
import { expectSameFeed } from './support/compare-feeds';
import { E2E_BASE_URL } from './support/server';
import { getProfile, putProfile, serverFeed } from './support/server-api';
import { expect, test } from './support/fixtures';

/** E2E_HARNESS_PORT pins the harness' port; by default the OS picks a free one, so parallel runs never collide. */
const HARNESS_PORT = harnessPort(process.env.E2E_HARNESS_PORT);
let harnessUrl = '';

const USER: UserProfile = {
  name: 'Ada Lovelace',
  headline: 'Founder building developer tools for data teams',
  bio: 'Second-time founder in Berlin. Looking for a seed investor and a technical co-founder who loves compilers.',
  tags: ['devtools', 'seed', 'berlin'],
};

let vite: ViteDevServer;

test.beforeAll(async () => {
  vite = await createServer(harnessConfig(E2E_BASE_URL, HARNESS_PORT));
  await vite.listen();
  const address = vite.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error(`harness server has no TCP address (${String(address)})`);
  harnessUrl = `http://127.0.0.1:${address.port}/e2e/harness/engine.html`;
});

function harnessPort(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const port = Number.parseInt(value, 10);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`E2E_HARNESS_PORT=${value} is not a port (0..65535)`);
  return port;
}

test.afterAll(async () => {
  await vite?.close();
});

async function openHarness(page: Page): Promise<void> {
  await page.goto(harnessUrl);
  await expect(page.locator('#state')).toHaveText('ready', { timeout: 60_000 });
}

async function startEngine(page: Page, options: Record<string, unknown>): Promise<EngineStatus> {
  return page.evaluate((o) => window.nearfeedHarness.start(o), options);
}

async function sync(page: Page): Promise<{ applied: number; full: boolean }> {
  return page.evaluate(() => window.nearfeedHarness.engine!.sync());
}

async function rank(page: Page, user: UserProfile, limit: number, excludeIds?: string[]): Promise<FeedResult> {
  return page.evaluate(([u, l, x]) => window.nearfeedHarness.engine!.rankFeed(u, { limit: l, excludeIds: x }), [
    user,
    limit,
    excludeIds,
  ] as const);
}

async function status(page: Page): Promise<EngineStatus> {
  return page.evaluate(() => window.nearfeedHarness.engine!.status());
}

test('WASM embeddings equal the server embeddings within 1e-5, ORT files come from this origin', async ({
  page,
  request,
  networkGuard,
}) => {
  await openHarness(page);
  const st = await startEngine(page, { device: 'wasm' });
  expect(st.device, st.deviceReason).toBe('wasm');
  // The harness page is not cross-origin isolated: one thread, and the status says why.
  expect(st.threads).toEqual({ count: 1, reason: expect.stringContaining('not cross-origin isolated') });
  const texts = [
    'hello world',
    profileLikeText(USER),
    'Ünïcödé café — naïve façade, 東京 and emoji 🚀 in one line',
    'seed '.repeat(400), // far past max_seq_length: both sides must truncate alike
  ];
  const browser = await page.evaluate(
    async (t) => (await window.nearfeedHarness.engine!.embed(t)).map((v) => Array.from(v)),
    texts,
  );
  const res = await request.post('/api/v1/ml/embeddings/batch', { data: { texts } });
  expect(res.status(), await res.text()).toBe(200);
  const server = ((await res.json()) as { embeddings: number[][] }).embeddings;
  expect(browser.length).toBe(texts.length);
  for (let i = 0; i < texts.length; i++) {
    expect(browser[i]!.length).toBe(st.dimension);
    const maxDiff = Math.max(...browser[i]!.map((v, d) => Math.abs(v - server[i]![d]!)));
    expect(maxDiff, `text #${i}`).toBeLessThan(1e-5);
  }
  const ortFiles = networkGuard.localRequests.filter((u) => u.includes('ort-wasm-simd-threaded'));
  expect(ortFiles.some((u) => u.includes('.wasm')), ortFiles.join('\n')).toBe(true);
});

test('concurrent embed calls queue in the worker and give the vectors one batched call gives', async ({ page }) => {
  await openHarness(page);
  await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-concurrent' });
  const diff = await page.evaluate(async () => {
    const engine = window.nearfeedHarness.engine!;
    const texts = Array.from({ length: 24 }, (_, i) => `candidate ${i} ${'builds data tools '.repeat(1 + (i % 5))}`);
    const together = await engine.embed(texts);
    const apart = await Promise.all(texts.map((t) => engine.embed([t]).then((v) => v[0]!)));
    let max = 0;
    together.forEach((v, i) => v.forEach((x, d) => (max = Math.max(max, Math.abs(x - apart[i]![d]!)))));
    return { max, n: apart.length };
  });
  expect(diff.n).toBe(24);
  expect(diff.max).toBeLessThan(1e-5);
});

test('WASM feed equals the server feed; server vectors are used as is; a reload embeds nothing', async ({
  page,
  request,
}) => {
  await openHarness(page);
  const first = await startEngine(page, { device: 'wasm' });
  expect(first.modelKey).not.toBeNull();
  const synced = await sync(page);
  expect(synced.full).toBe(true);
  const limit = 25;
  const feed = await rank(page, USER, limit);
  expect(feed.device).toBe('wasm');
  expect(feed.ml_applied).toBe(true);
  // Ranked by the same WebAssembly SIMD kernel the server runs (shared/similarity), not the JS fallback.
  expect(await page.evaluate(() => window.nearfeedHarness.wasmSimdKernel())).toBe(true);
  const expected = await serverFeed(request, USER, limit);
  expectSameFeed(feed.results, expected.results);
  const afterFirst = await status(page);
  // Same model key as the server: every candidate vector came with the sync.
  expect(afterFirst.embeddedCandidates).toBe(0);
  expect(afterFirst.cacheHits).toBe(afterFirst.candidates);
  expect(afterFirst.candidates).toBeGreaterThan(0);

  await page.reload();
  await expect(page.locator('#state')).toHaveText('ready');
  const warm = await startEngine(page, { device: 'wasm' });
  expect(warm.candidates).toBe(afterFirst.candidates);
  expect(warm.embeddedCandidates).toBe(0);
  expect(warm.cacheHits).toBe(afterFirst.candidates);
  const again = await rank(page, USER, limit);
  expectSameFeed(again.results, feed.results, 0);
  expect((await status(page)).embeddedCandidates).toBe(0);
});

test('another model key embeds candidates locally once; a profile edit re-embeds exactly that one', async ({
  page,
  request,
}) => {
  await openHarness(page);
  // q8 on the device vs fp32 on the server: different model key, so no server vector may be used.
  const st = await startEngine(page, { device: 'wasm', dtype: 'q8', databaseName: 'nearfeed-q8' });
  expect(st.modelKey).toContain('|q8|');
  await sync(page);
  const cold = await status(page);
  expect(cold.embeddedCandidates).toBe(cold.candidates);
  expect(cold.cacheHits).toBe(0);
  const progress = await page.evaluate(() => window.nearfeedHarness.progress.filter((p) => p.phase === 'embedding'));
  expect(progress.at(-1)?.fraction).toBe(1);

  await page.reload();
  await expect(page.locator('#state')).toHaveText('ready');
  const warm = await startEngine(page, { device: 'wasm', dtype: 'q8', databaseName: 'nearfeed-q8' });
  expect(warm.embeddedCandidates).toBe(0);
  expect(warm.cacheHits).toBe(cold.candidates);

  const victim = await getProfile(request, 'demo-042');
  try {
    await putProfile(request, { ...victim, bio: `${victim.bio} Now also investing in climate hardware.`, updated_at: new Date().toISOString() });
    const result = await sync(page);
    expect(result.applied).toBeGreaterThanOrEqual(1);
    expect((await status(page)).embeddedCandidates).toBe(1);
    // An edit that leaves the embedded text alone (scores) keeps the vector.
    await putProfile(request, { ...victim, diligence: victim.diligence === 0.5 ? 0.6 : 0.5 });
    await sync(page);
    expect((await status(page)).embeddedCandidates).toBe(2);
  } finally {
    await putProfile(request, victim);
  }
});

test("a model change drops the old model key's vector records; profiles and the new key's vectors stay", async ({ page }) => {
  await openHarness(page);
  const db = 'nearfeed-model-change';
  const fp32 = await startEngine(page, { device: 'wasm', dtype: 'fp32', databaseName: db });
  await sync(page);
  const before = (await page.evaluate((name) => window.nearfeedHarness.records(name), db)).map((r) => r.key);
  expect(before.some((k) => k.startsWith(`vectors/${fp32.modelKey}/`)), JSON.stringify(before)).toBe(true);

  await page.reload();
  await expect(page.locator('#state')).toHaveText('ready');
  const q8 = await startEngine(page, { device: 'wasm', dtype: 'q8', databaseName: db });
  expect(q8.modelKey).not.toBe(fp32.modelKey);
  await sync(page);
  const after = (await page.evaluate((name) => window.nearfeedHarness.records(name), db)).map((r) => r.key);
  expect(after.filter((k) => k.startsWith(`vectors/${fp32.modelKey}/`))).toEqual([]);
  expect(after.some((k) => k.startsWith(`vectors/${q8.modelKey}/`)), JSON.stringify(after)).toBe(true);
  expect(after.some((k) => k.startsWith('profiles/')), JSON.stringify(after)).toBe(true);
});

test('corrupted IndexedDB records are dropped and recomputed; the feed stays right', async ({ page, request }) => {
  await openHarness(page);
  const st = await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-corrupt' });
  await sync(page);
  const n = (await status(page)).candidates;
  const key = `vectors/${st.modelKey}/00000`;
  const original = (await page.evaluate(([k]) => window.nearfeedHarness.readRecord(k!, 'nearfeed-corrupt'), [key])) as {
    data: Float32Array;
  };
  expect(original).toBeTruthy();

  // 1. wrong length
  await page.evaluate(
    ([k]) =>
      window.nearfeedHarness
        .readRecord(k!, 'nearfeed-corrupt')
        .then((r) => window.nearfeedHarness.corrupt(k!, { ...(r as object), data: new Float32Array(3) }, 'nearfeed-corrupt')),
    [key],
  );
  await page.reload();
  await expect(page.locator('#state')).toHaveText('ready');
  let s = await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-corrupt' });
  expect(s.warning).toContain('corrupted');
  const feed = await rank(page, USER, 20);
  expectSameFeed(feed.results, (await serverFeed(request, USER, 20)).results);
  expect((await status(page)).embeddedCandidates).toBe(n);

  // 2. a NaN inside an otherwise well-formed record
  await page.evaluate(
    ([k]) =>
      window.nearfeedHarness.readRecord(k!, 'nearfeed-corrupt').then((r) => {
        const rec = r as { data: Float32Array };
        const data = rec.data.slice();
        data[5] = Number.NaN;
        return window.nearfeedHarness.corrupt(k!, { ...rec, data }, 'nearfeed-corrupt');
      }),
    [key],
  );
  await page.reload();
  await expect(page.locator('#state')).toHaveText('ready');
  s = await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-corrupt' });
  expect(s.warning).toContain('non-finite');
  expectSameFeed((await rank(page, USER, 20)).results, feed.results);

  // 3. a profile record with a missing field: candidates come back through a full pull
  await page.evaluate(() =>
    window.nearfeedHarness.corrupt('profiles/00000', { format: 1, profiles: [{ id: 'x' }], hashes: ['h'] }, 'nearfeed-corrupt'),
  );
  await page.reload();
  await expect(page.locator('#state')).toHaveText('ready');
  s = await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-corrupt' });
  expect(s.warning).toContain('corrupted');
  expect(s.candidates).toBe(0);
  expect((await sync(page)).full).toBe(true);
  expect((await status(page)).candidates).toBe(n);
  expectSameFeed((await rank(page, USER, 20)).results, feed.results);
});

test('a quota error while writing the cache degrades to a warning; the feed is right and the next start resyncs', async ({
  page,
  request,
}) => {
  await openHarness(page);
  // Simulated failure: IndexedDB refuses every write as if the origin's quota were used up.
  await page.evaluate(() => {
    const realPut = IDBObjectStore.prototype.put;
    (window as unknown as { restorePut: () => void }).restorePut = () => {
      IDBObjectStore.prototype.put = realPut;
    };
    IDBObjectStore.prototype.put = function put(this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (this.name === 'cache' && typeof key === 'string' && /^(profiles|vectors)\//.test(key)) {
        throw new DOMException('simulated quota', 'QuotaExceededError');
      }
      return realPut.call(this, value, key);
    };
  });
  await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-quota' });
  const result = await sync(page);
  expect(result.applied).toBeGreaterThan(0);
  const s = await status(page);
  expect(s.warning).toContain('could not write the local cache');
  expectSameFeed((await rank(page, USER, 20)).results, (await serverFeed(request, USER, 20)).results);
  const records = await page.evaluate(() => window.nearfeedHarness.records('nearfeed-quota'));
  // Read from the right database: the writes the simulated quota spared (the model's meta) are there.
  expect(records.map((r) => r.key).some((k) => k.startsWith('meta/')), JSON.stringify(records)).toBe(true);
  expect(records.filter((r) => r.key.startsWith('profiles/') || r.key.startsWith('vectors/'))).toEqual([]);
  expect(records.map((r) => r.key)).not.toContain('sync-state');

  await page.reload();
  await expect(page.locator('#state')).toHaveText('ready');
  const again = await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-quota' });
  expect(again.candidates).toBe(0);
  expect((await sync(page)).full).toBe(true);
  expect((await status(page)).candidates).toBe(s.candidates);
});

test('an expired cursor (409 must_refetch) restarts the sync from scratch', async ({ page }) => {
  await openHarness(page);
  await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-refetch' });
  await sync(page);
  const n = (await status(page)).candidates;
  await page.evaluate(() =>
    window.nearfeedHarness.corrupt('sync-state', { cursor: 'expired-cursor', lastSync: null }, 'nearfeed-refetch'),
  );
  // A stale local candidate the server never had must be gone after the full pull.
  await page.evaluate(async () => {
    const rec = (await window.nearfeedHarness.readRecord('profiles/00000', 'nearfeed-refetch')) as {
      format: number;
      profiles: Array<Record<string, unknown>>;
      hashes: string[];
    };
    const ghost = { ...rec.profiles[0], id: 'zz-ghost' };
    await window.nearfeedHarness.corrupt(
      'profiles/00000',
      { ...rec, profiles: [...rec.profiles, ghost], hashes: [...rec.hashes, rec.hashes[0]] },
      'nearfeed-refetch',
    );
  });
  await page.reload();
  await expect(page.locator('#state')).toHaveText('ready');
  const statuses: number[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/api/v1/sync')) statuses.push(r.status());
  });
  const s = await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-refetch' });
  expect(s.candidates).toBe(n + 1);
  const result = await sync(page);
  expect(statuses[0]).toBe(409);
  expect(result.full).toBe(true);
  expect((await status(page)).candidates).toBe(n);
  const ids = (await rank(page, USER, 1000)).results.map((r) => r.profile.id);
  expect(ids).not.toContain('zz-ghost');
});

test('offline after the first load: sync fails soft and the feed comes from IndexedDB', async ({ page, context }) => {
  await openHarness(page);
  await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-offline' });
  await sync(page);
  const online = await rank(page, USER, 20);

  // The server's paths only (the harness' own modules live under /@fs/…/client/api/ too).
  await context.route(
    (url) => url.pathname.startsWith('/api/') || url.pathname.startsWith('/models/'),
    (route) => route.abort('internetdisconnected'),
  );
  await page.reload();
  await expect(page.locator('#state')).toHaveText('ready');
  const s = await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-offline' });
  expect(s.device, s.deviceReason).toBe('wasm');
  const result = await sync(page);
  expect(result.applied).toBe(0);
  expect((await status(page)).warning).toContain('sync failed');
  const offline = await rank(page, USER, 20);
  expectSameFeed(offline.results, online.results, 0);
  expect((await status(page)).embeddedCandidates).toBe(0);
});

test('with interactions and diversity on, the device feed equals the server feed (local and server mode)', async ({ page, request }) => {
  await openHarness(page);
  await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-interactions' });
  await sync(page);
  const first = await rank(page, USER, 20);
  const ids = first.results.map((r) => r.profile.id);
  const now = Date.parse('2026-03-01T12:00:00Z');
  const recorded = await page.evaluate(async (feedIds) => {
    const engine = window.nearfeedHarness.engine!;
    await engine.recordInteraction(feedIds[0]!, 'like');
    await engine.recordInteraction(feedIds[3]!, 'like');
    await engine.recordInteraction(feedIds[1]!, 'pass');
    await engine.recordInteraction(feedIds[2]!, 'hide');
    await engine.recordInteraction(feedIds[4]!, 'view');
    return engine.interactions();
  }, ids);
  expect(recorded.map((r) => r.type)).toEqual(['like', 'like', 'pass', 'hide', 'view']);
  const options = { limit: 20, diversity: 0.3, now };
  const local = await page.evaluate(([u, o]) => window.nearfeedHarness.engine!.rankFeed(u, o), [USER, options] as const);
  expect(local.device).toBe('wasm');
  const shown = local.results.map((r) => r.profile.id);
  for (const gone of ids.slice(0, 4)) expect(shown).not.toContain(gone);
  expect(local.results.some((r) => r.because !== undefined)).toBe(true);
  const server = await serverFeed(request, USER, 20, { interactions: recorded, diversity: 0.3, now: new Date(now).toISOString() });
  expectSameFeed(local.results, server.results, 1e-5);
  expect(local.results.map((r) => r.because?.id)).toEqual(server.results.map((r) => r.because));

  // Server mode sends the stored interactions (same database: same interactions) and gets the same feed.
  await startEngine(page, { device: 'server', databaseName: 'nearfeed-interactions' });
  const viaServer = await page.evaluate(([u, o]) => window.nearfeedHarness.engine!.rankFeed(u, o), [USER, options] as const);
  expect(viaServer.device).toBe('server');
  expectSameFeed(viaServer.results, local.results, 1e-5);
  await page.evaluate(() => window.nearfeedHarness.engine!.clearInteractions());
  expect(await page.evaluate(() => window.nearfeedHarness.engine!.interactions())).toEqual([]);
});

test("device 'server' ranks nothing locally and returns the server's feed", async ({ page, request }) => {
  await openHarness(page);
  const st = await startEngine(page, { device: 'server', databaseName: 'nearfeed-server' });
  expect(st.device).toBe('server');
  const feed = await rank(page, USER, 20);
  expect(feed.device).toBe('server');
  expectSameFeed(feed.results, (await serverFeed(request, USER, 20)).results, 0);
  expect((await status(page)).embeddedCandidates).toBe(0);
});

test("'auto' on a low-end device without WebGPU ranks on the server and says why", async ({ page, request }) => {
  // Simulated device: no WebGPU, 1 GB, 1 core (the browser under test has more).
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
    Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => 1, configurable: true });
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 1, configurable: true });
  });
  await openHarness(page);
  const st = await startEngine(page, { device: 'auto', databaseName: 'nearfeed-lowend' });
  expect(st.device).toBe('server');
  expect(st.deviceReason).toContain('low-end');
  expectSameFeed((await rank(page, USER, 20)).results, (await serverFeed(request, USER, 20)).results, 0);
});

test("a WASM runtime that cannot load falls back to the server with the reason", async ({ page, context, request }) => {
  // Simulated failure: the ONNX Runtime binary does not arrive.
  // The binary only: the page's `?import&url` module request for its URL (Vite's dev server) must still load.
  await context.route(
    (url) => /ort-wasm-simd-threaded[^/]*\.wasm$/.test(url.pathname) && !url.searchParams.has('import'),
    (route) => route.abort('failed'),
  );
  await openHarness(page);
  const st = await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-nowasm' });
  expect(st.device).toBe('server');
  expect(st.deviceReason).toContain('WASM failed to load');
  expectSameFeed((await rank(page, USER, 20)).results, (await serverFeed(request, USER, 20)).results, 0);
});

test('WebGPU (SwiftShader) passes the self-check against WASM and ranks the same feed', async ({ page }) => {
  test.setTimeout(240_000);
  await openHarness(page);
  const wasm = await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-gpu' });
  expect(wasm.device).toBe('wasm');
  await sync(page);
  const wasmFeed = await rank(page, USER, 20);
  // Forced: 'auto' never takes a software fallback adapter such as SwiftShader (see webgpu.spec.ts).
  const st = await startEngine(page, { device: 'webgpu', databaseName: 'nearfeed-gpu' });
  expect(st.device, st.deviceReason).toBe('webgpu');
  expect(st.selfCheck?.passed).toBe(true);
  expect(st.selfCheck!.cosine).toBeGreaterThanOrEqual(0.999);
  const gpuFeed = await rank(page, USER, 20);
  expect(gpuFeed.device).toBe('webgpu');
  expectSameFeed(gpuFeed.results, wasmFeed.results);
});

test('10,000 cached candidates with 384-dim vectors come back from a handful of records, all valid', async ({
  page,
}, testInfo) => {
  await openHarness(page);
  const r = await page.evaluate(() => window.nearfeedHarness.cacheRoundTrip(10_000, 384, 'nearfeed-10k'));
  expect(r.loaded).toBe(10_000);
  expect(r.missing).toBe(0);
  expect(r.records).toBeLessThanOrEqual(10);
  // Reported, not asserted (timings on a shared VM are not test material).
  testInfo.annotations.push({ type: 'timing', description: `10k×384 save ${r.saveMs.toFixed(0)} ms, warm load ${r.loadMs.toFixed(0)} ms` });
  console.log(`[engine.spec] 10k×384 cache: save ${r.saveMs.toFixed(0)} ms, warm load+validate+pack ${r.loadMs.toFixed(0)} ms`);
});

test('50,000 candidates: warm start from IndexedDB without re-embedding, a delta sync, a rank ordered by score', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(180_000);
  const n = 50_000;
  const db = 'nearfeed-50k';
  await openHarness(page);
  await startEngine(page, { device: 'wasm', databaseName: db });
  await sync(page);
  // The 50k stay in this device's IndexedDB: the shared e2e server keeps its own candidate set.
  const seeded = await page.evaluate(([count, name]) => window.nearfeedHarness.seedSynthetic(count, name), [n, db] as const);
  const total = seeded.serverCandidates + n;

  const victim = await getProfile(request, 'demo-042');
  try {
    // A change on the server while the device was away: the warm start's sync pulls only it.
    await putProfile(request, { ...victim, bio: `${victim.bio} Now also mentoring first-time founders.`, updated_at: new Date().toISOString() });
    const warm = await page.evaluate(async (name) => {
      const t0 = performance.now();
      const st = await window.nearfeedHarness.start({ device: 'wasm', databaseName: name });
      return { ms: performance.now() - t0, st };
    }, db);
    expect(warm.st.modelKey).toBe(seeded.modelKey);
    expect(warm.st.candidates).toBe(total);
    expect(warm.st.embeddedCandidates).toBe(0);
    expect(warm.st.cacheHits).toBe(total);

    const delta = await sync(page);
    expect(delta.full).toBe(false);
    expect(delta.applied).toBeGreaterThanOrEqual(1);
    expect(delta.applied).toBeLessThan(100);
    const afterSync = await status(page);
    expect(afterSync.candidates).toBe(total);
    // Only the edited candidate (or none, when its vector came with the sync) was embedded.
    expect(afterSync.embeddedCandidates).toBeLessThanOrEqual(1);

    const first = await page.evaluate(async (u) => {
      const t0 = performance.now();
      const feed = await window.nearfeedHarness.engine!.rankFeed(u, { limit: 20 });
      return { ms: performance.now() - t0, feed };
    }, USER);
    const again = await page.evaluate(async (u) => {
      const t0 = performance.now();
      const feed = await window.nearfeedHarness.engine!.rankFeed(u, { limit: 20 });
      return { ms: performance.now() - t0, feed, lastRankMs: window.nearfeedHarness.engine!.status().lastRankMs };
    }, USER);
    const results = again.feed.results;
    expect(results).toHaveLength(20);
    const scores = results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // The best is a server candidate; its clones score exactly as it does and follow it by id.
    const top = results[0]!;
    expect(top.profile.id.startsWith('syn-')).toBe(false);
    for (const r of results.slice(1)) {
      expect(r.profile.id.startsWith(`syn-${top.profile.id}-`), r.profile.id).toBe(true);
      expect(r.score).toBe(top.score);
    }
    expect(first.feed.results.map((r) => r.profile.id)).toEqual(results.map((r) => r.profile.id));

    // Reported, not asserted (timings on a shared VM are not test material).
    const line =
      `${total.toLocaleString('en')} candidates × ${seeded.dimension}: IndexedDB write ${seeded.saveMs.toFixed(0)} ms; warm start to ready ${warm.ms.toFixed(0)} ms ` +
      `(startup ${JSON.stringify(warm.st.startup)}); rank (first, user embedded) ${first.ms.toFixed(0)} ms, again ${again.ms.toFixed(0)} ms (lastRankMs ${again.lastRankMs?.toFixed(1)})`;
    testInfo.annotations.push({ type: 'timing', description: line });
    console.log(`[engine.spec] ${line}`);
  } finally {
    await putProfile(request, victim);
  }
});

test('saving 10,000 candidates after one edit rewrites only the records holding it', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(() => window.nearfeedHarness.resaveOneChange(10_000, 384, 'nearfeed-resave'));
  // The middle candidate sits in the third record of 2,000 (profiles and vectors alike).
  expect(r.written).toEqual(['profiles/00002', 'vectors/synthetic|fp32|384/00002']);
  expect([r.profiles, r.vectors]).toEqual([10_000, 10_000]);
  expect([r.editedBio, r.editedHash]).toEqual(['edited', 'edited']);
});

test('the library build (client/dist) runs with its own ORT files and ranks the same feed', async ({
  page,
  request,
  networkGuard,
}) => {
  test.setTimeout(240_000);
  execFileSync('npm', ['run', 'build:lib'], { stdio: 'pipe', timeout: 180_000 });
  await openHarness(page);
  await page.evaluate(() => window.nearfeedHarness.useBuiltLibrary());
  const st = await startEngine(page, { device: 'wasm', databaseName: 'nearfeed-lib' });
  expect(st.device, st.deviceReason).toBe('wasm');
  await sync(page);
  expectSameFeed((await rank(page, USER, 20)).results, (await serverFeed(request, USER, 20)).results);
  const ort = networkGuard.localRequests.filter((u) => /\/client\/dist\/assets\/ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/.test(u));
  expect(ort.length, networkGuard.localRequests.filter((u) => u.includes('ort-')).join('\n')).toBeGreaterThan(0);
});

/** The text the engine embeds for a profile, written out here so the test does not reuse the code under test. */
function profileLikeText(u: UserProfile): string {
  return `${u.name}. ${u.headline}. ${u.bio} Tags: ${u.tags.join(', ')}`;
}
