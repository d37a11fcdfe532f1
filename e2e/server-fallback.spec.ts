/**
 * Server fallback: with `device=server`, or when neither WebGPU nor WASM can run, the feed comes from the
 * server's POST /api/v1/feed and is the same feed the device ranks.
 */
import { expect, test } from './support/fixtures';
import { expectSameFeed } from './support/compare-feeds';
import { openDemo } from './support/demo';
import { serverFeed } from './support/server-api';

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
  expect(demo.status.deviceReason).not.toBe('');
  expect(demo.feed.device).toBe('server');
  const direct = await serverFeed(request, demo.user, Number(LIMIT));
  expectSameFeed(demo.feed.results, direct.results, 1e-5);
  await expect(page.locator('[data-stat="device"] .device-name')).toHaveText('Server');
  test.info().annotations.push({ type: 'blocked wasm requests', description: String(blocked.length) });
});
