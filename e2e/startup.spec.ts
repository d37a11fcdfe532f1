/**
 * The cold start budget, seen in the demo: a reload with an unchanged profile ranks its first feed from the user
 * vector stored in IndexedDB before the model has loaded, and that feed equals the one ranked once the model is
 * ready; the model's files come from Cache Storage, so the reload downloads none of them.
 *
 * To see the order for certain, the reload's model load is held back: the worker checks its cached weights
 * against the server with a HEAD request (model-cache.ts), and the test holds that request until the first feed
 * is on screen. Without the fast start the feed would wait for the model and the test would time out waiting.
 */
import type { BrowserContext, Route } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { expectSameFeed } from './support/compare-feeds';
import { openDemo, refreshDemo, userVectorStored, waitForFeed } from './support/demo';

test.setTimeout(180_000);

/**
 * Holds every HEAD of a model weights file (the worker's cache check) until `release()`; `methods` lists the
 * weights requests seen (a GET would be a download).
 */
async function holdModelChecks(context: BrowserContext): Promise<{ methods: string[]; release: () => void }> {
  const methods: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await context.route(/\/models\/.*\.onnx$/, async (route: Route) => {
    methods.push(route.request().method());
    if (route.request().method() === 'HEAD') await released;
    await route.continue();
  });
  return { methods, release };
}

test('a reload ranks from the cached user vector before the model is ready, equal to the feed after it loads', async ({
  page,
  context,
}) => {
  const params = { device: 'wasm', limit: '20' };
  const cold = await openDemo(page, params, 150_000);
  expect(cold.feed.cached_query).toBeUndefined();
  expect(cold.status.ready).toBe(true);
  expect(cold.status.startup.userVector).toBe('model');
  expect(cold.status.startup.model?.total).toBeGreaterThan(0);
  await expect.poll(() => userVectorStored(page), { timeout: 30_000 }).toBe(true);

  // Weights requests of the reload: a HEAD (the cache check) is held until released; a GET would be a download.
  const { methods: weights, release } = await holdModelChecks(context);

  await page.reload();
  const fast = await waitForFeed(page, 0, 60_000);
  expect(fast.feed.cached_query).toBe(true);
  expect(fast.feed.ml_applied).toBe(true);
  expect(fast.status.ready).toBe(false);
  expect(fast.status.startup.userVector).toBe('cached');
  expect(fast.status.startup.modelReadyAt).toBeNull();
  expect(fast.status.startup.firstFeedAt).toBeGreaterThan(0);
  expect(fast.status.embeddedCandidates).toBe(0);

  release();
  await page.evaluate(() => window.__nearfeed!.engine!.ready());
  const after = await refreshDemo(page, { sync: false });
  expect(after.status.ready).toBe(true);
  expect(after.status.device, after.status.deviceReason).toBe('wasm');
  expect(after.feed.cached_query).toBeUndefined();
  expectSameFeed(after.feed.results, fast.feed.results, 1e-6);

  // The model came from Cache Storage: checked with a HEAD, never downloaded again.
  const model = after.status.startup.model;
  expect(model, 'worker load timings').not.toBeNull();
  expect(model!.downloadedFiles).toBe(0);
  expect(model!.cachedFiles).toBeGreaterThan(0);
  expect(model!.staleFiles).toBe(0);
  // Each cached file was confirmed by the server (its HEAD answered), not used unchecked.
  expect(model!.uncheckedFiles).toBe(0);
  expect(weights).toContain('HEAD');
  expect(weights).not.toContain('GET');
  expect(after.status.startup.modelReadyAt!).toBeGreaterThan(after.status.startup.firstFeedAt!);
});

test('an edited profile after a fast start waits for the model and is embedded, not taken from the cache', async ({
  page,
  context,
}) => {
  const params = { device: 'wasm', limit: '20' };
  await openDemo(page, params, 150_000);
  await expect.poll(() => userVectorStored(page), { timeout: 30_000 }).toBe(true);
  const { release } = await holdModelChecks(context);
  await page.reload();
  const fast = await waitForFeed(page, 0, 60_000);
  // The reload did start fast: its feed came from the stored vector, with the model still held back.
  expect(fast.feed.cached_query).toBe(true);
  expect(fast.status.ready).toBe(false);
  release();
  const edited = await page.evaluate(async () => {
    const hook = window.__nearfeed!;
    const user = { ...hook.lastUser!, bio: `${hook.lastUser!.bio} Also angel investing in climate tech.` };
    return hook.engine!.rankFeed(user, { limit: 20 });
  });
  expect(edited.cached_query).toBeUndefined();
  expect(edited.ml_applied).toBe(true);
  expect(fast.status.candidates).toBeGreaterThan(0);
});
