/**
 * Server fallback: with `device=server`, or when neither WebGPU nor WASM can run, the feed comes from the
 * server's POST /api/v1/feed and is the same feed the device ranks. When that /feed fails (503 or a cut
 * connection), the page ranks its synced candidates itself without similarity and says so, then returns to
 * the server's feed once /feed answers again.
 */
import { expect, test } from './support/fixtures';
import { expectSameFeed } from './support/compare-feeds';
import { openDemo, refreshDemo } from './support/demo';
import { allProfiles, serverFeed } from './support/server-api';

const LIMIT = '16';

test('device=server: the feed comes from the server and equals the on-device feed', async ({ page, context, request }) => {
  const server = await openDemo(page, { device: 'server', limit: LIMIT });
  expect(server.status.device).toBe('server');
  expect(server.feed.device).toBe('server');
  expect(server.feed.ml_applied).toBe(true);
  // Nothing was embedded on the device: it ranks nothing locally.
  expect(server.status.embeddedCandidates).toBe(0);

  const direct = await serverFeed(request, server.user, Number(LIMIT));
  expectSameFeed(server.feed.results, direct.results, 1e-5);

  const wasmPage = await context.newPage();
  const wasm = await openDemo(wasmPage, { device: 'wasm', limit: LIMIT });
  expect(wasm.feed.device).toBe('wasm');
  expectSameFeed(wasm.feed.results, server.feed.results, 1e-5);
});

test('auto without WebGPU and without a working WASM runtime falls back to the server', async ({ page, context, request }) => {
  // Simulated failure: no WebGPU in the page, and ONNX Runtime's .wasm binaries (which the WASM and the
  // WebGPU backends both need) cannot be fetched.
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  const blocked: string[] = [];
  await context.route(/\.wasm(\?|$)/, async (route) => {
    blocked.push(route.request().url());
    await route.abort('failed');
  });

  const demo = await openDemo(page, { limit: LIMIT });
  expect(demo.status.device).toBe('server');
  // The server because the WASM runtime failed (the simulated failure), not for some other reason.
  expect(blocked.length).toBeGreaterThan(0);
  expect(demo.status.deviceReason).toContain('WASM failed to load');
  expect(demo.feed.device).toBe('server');
  const direct = await serverFeed(request, demo.user, Number(LIMIT));
  expectSameFeed(demo.feed.results, direct.results, 1e-5);
  await expect(page.locator('[data-stat="device"] .device-name')).toHaveText('Server');
});

test("device=server: a failed /feed ranks here without similarity, says so honestly, and recovers", async ({
  page,
  request,
}, testInfo) => {
  const limit = Number(LIMIT);
  const before = await openDemo(page, { device: 'server', limit: LIMIT });
  expect(before.feed.device).toBe('server');
  expect(before.feed.fallback_reason).toBeUndefined();
  expect(before.status.warning ?? '').not.toContain('server feed failed');
  expect(before.status.candidates).toBeGreaterThan(limit);

  // Simulated failure, 1: the server answers /feed with 503 ml_unavailable.
  const failed: string[] = [];
  await page.route('**/api/v1/feed', async (route) => {
    failed.push(`503 ${route.request().method()}`);
    await route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ error: 'simulated: ML is unavailable', error_type: 'ml_unavailable' }),
    });
  });
  const down = await refreshDemo(page, { sync: false });
  expect(failed).toEqual(['503 POST']);
  expect(down.status.device).toBe('server');
  expect(down.feed.device).toBe('local');
  expect(down.feed.ml_applied).toBe(false);
  expect(down.feed.fallback_reason).toContain('server feed failed');
  expect(down.feed.fallback_reason).toContain('503');
  expect(down.status.warning).toContain('server feed failed');

  // Ranked from the candidates the page synced, by diligence and engagement alone: the documented default
  // weights (0.6 / 0.3 / 0.1) without similarity renormalise to 0.75 / 0.25. Expected feed computed here from
  // the server's own candidate data, not by the scoring module under test.
  const candidates = await allProfiles(request);
  expect(candidates.length).toBe(down.status.candidates);
  const expected = candidates
    .map((p) => ({
      profile: { id: p.id },
      score: 0.75 * p.diligence + 0.25 * p.engagement,
      breakdown: { similarity: 0, diligence: p.diligence, engagement: p.engagement, total: 0 },
    }))
    .sort((a, b) => b.score - a.score || (a.profile.id < b.profile.id ? -1 : a.profile.id > b.profile.id ? 1 : 0))
    .slice(0, limit);
  expect(down.feed.results).toHaveLength(limit);
  expectSameFeed(down.feed.results, expected, 1e-6);

  // The page says so: no claim that the server ranked this feed.
  await expect(page.locator('#warning')).toBeVisible();
  await expect(page.locator('#warning')).toContainText('server feed failed');
  const summary = page.locator('.feed-summary');
  await expect(summary).toContainText('without a model (the server feed failed)');
  await expect(summary).not.toContainText('ranked on the server');
  await expect(page.locator('#privacy')).toContainText('ranked in your browser');
  await expect(page.locator('#privacy')).not.toContainText('which ranks the feed for you');
  await expect(page.locator('[data-stat="device"] .device-reason')).toContainText('ranked in your browser');
  await page.waitForTimeout(800); // let the finished progress bars fade out of the picture
  const shot = testInfo.outputPath('demo-server-feed-failed.png');
  await page.screenshot({ path: shot, fullPage: false });
  await testInfo.attach('demo-server-feed-failed', { path: shot, contentType: 'image/png' });

  // Simulated failure, 2: the connection itself fails.
  await page.unroute('**/api/v1/feed');
  let aborted = 0;
  await page.route('**/api/v1/feed', async (route) => {
    aborted++;
    await route.abort('connectionrefused');
  });
  const cut = await refreshDemo(page, { sync: false });
  expect(aborted).toBe(1);
  expect(cut.feed.device).toBe('local');
  expect(cut.feed.fallback_reason).toContain('server feed failed');
  expect(cut.status.warning).toContain('server feed failed');
  expectSameFeed(cut.feed.results, expected, 1e-6);

  // Recovery: the next feed is the server's again, with similarity, and the warning is gone.
  await page.unroute('**/api/v1/feed');
  const back = await refreshDemo(page, { sync: false });
  expect(back.feed.device).toBe('server');
  expect(back.feed.ml_applied).toBe(true);
  expect(back.feed.fallback_reason).toBeUndefined();
  expect(back.status.warning ?? '').not.toContain('server feed failed');
  expectSameFeed(back.feed.results, (await serverFeed(request, back.user, limit)).results, 1e-5);
  await expect(summary).toContainText('ranked on the server');
  await expect(page.locator('#warning')).toBeHidden();
  await expect(page.locator('#privacy')).toContainText('which ranks the feed for you');
  await expect(page.locator('[data-stat="device"] .device-reason')).not.toContainText('ranked in your browser');
});
