/**
 * WebGPU on SwiftShader (Chromium's CPU Vulkan, enabled by --enable-unsafe-webgpu): `auto` never picks this
 * software fallback adapter; forced, the self-check against WASM passes and the feed equals the WASM feed. SwiftShader runs shaders on the CPU, so this uses the small
 * test model, a small feed and a generous timeout; it checks correctness, never speed.
 */
import { expect, test } from './support/fixtures';
import { expectSameFeed } from './support/compare-feeds';
import { embedOnPage, expectModelProgressMonotone, openDemo } from './support/demo';

const LIMIT = '8';

test.setTimeout(300_000);

test('WebGPU: the self-check passes and the feed equals the WASM feed', async ({ page, context }) => {
  // Any page of the server: 127.0.0.1 is a secure origin, about:blank has no navigator.gpu.
  await page.goto('/no-such-file.txt');
  const hasAdapter = await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return !!(gpu && (await gpu.requestAdapter()));
  });
  expect(hasAdapter, 'Chromium gives a WebGPU adapter with --enable-unsafe-webgpu').toBe(true);

  const gpu = await openDemo(page, { device: 'webgpu', limit: LIMIT }, 240_000);
  expect(gpu.status.device, gpu.status.deviceReason).toBe('webgpu');
  expect(gpu.status.selfCheck).not.toBeNull();
  expect(gpu.status.selfCheck?.passed).toBe(true);
  expect(gpu.status.selfCheck?.cosine).toBeGreaterThanOrEqual(0.999);
  expect(gpu.feed.device).toBe('webgpu');
  // WebGPU and WASM (for the self-check) load side by side; the one bar of their mean still never goes back.
  expectModelProgressMonotone(gpu.progressLog);

  const wasmPage = await context.newPage();
  const wasm = await openDemo(wasmPage, { device: 'wasm', limit: LIMIT });
  expect(wasm.feed.device).toBe('wasm');
  expectSameFeed(gpu.feed.results, wasm.feed.results, 1e-5);

  // The vectors themselves agree, not just the order they produce.
  const texts = [gpu.user.bio, 'Angel investor in fintech and payments, pre-seed and seed.'];
  const [onGpu, onWasm] = [await embedOnPage(page, texts), await embedOnPage(wasmPage, texts)];
  for (let t = 0; t < texts.length; t++) {
    const a = onGpu[t] as number[];
    const b = onWasm[t] as number[];
    expect(a).toHaveLength(b.length);
    const maxDiff = Math.max(...a.map((x, i) => Math.abs(x - (b[i] as number))));
    expect(maxDiff).toBeLessThan(1e-5);
  }
});

test('auto: the SwiftShader fallback adapter is present but not used; WASM, and the status says why', async ({ page }) => {
  const demo = await openDemo(page, { limit: LIMIT });
  expect(demo.status.device, demo.status.deviceReason).toBe('wasm');
  expect(demo.status.deviceReason).toMatch(/^WebGPU adapter .*swiftshader.* is a software fallback .*; using WASM$/);
  // Nothing was raced or self-checked: the fallback adapter was never loaded.
  expect(demo.status.deviceRace).toBeNull();
  expect(demo.status.selfCheck).toBeNull();
  expect(demo.feed.device).toBe('wasm');
});
