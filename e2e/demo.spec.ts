/**
 * The demo on the WASM path: it ranks the example profile on the device, and the feed is the server's feed
 * for the same input; editing the profile re-ranks; the device switch lives in the URL. Screenshots of the
 * desktop and phone layouts are saved as artifacts.
 */
import { expect, test } from './support/fixtures';
import { expectSameFeed } from './support/compare-feeds';
import { expectModelProgressMonotone, openDemo, waitForFeed } from './support/demo';
import { serverFeed } from './support/server-api';

test('WASM: the demo ranks on the device and equals the server feed', async ({ page, request }, testInfo) => {
  const demo = await openDemo(page, { device: 'wasm' });

  expect(demo.status.device).toBe('wasm');
  expect(demo.feed.device).toBe('wasm');
  expect(demo.feed.ml_applied).toBe(true);
  expect(demo.status.dimension).toBeGreaterThan(0);
  expect(demo.status.candidates).toBeGreaterThan(demo.feed.results.length);
  expect(demo.feed.results).toHaveLength(24);
  // Served cross-origin isolated (COOP + COEP), so ORT's WASM may run threads: one per core but one, up to 4.
  const env = await page.evaluate(() => ({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency }));
  expect(env.isolated).toBe(true);
  expect(demo.status.threads?.count).toBe(Math.max(1, Math.min(4, env.cores - 1)));
  expect(demo.status.threads?.reason).toContain('cross-origin isolated');
  // The model was downloaded by this page: the bar moved through the download, never back, to its end.
  expect(demo.progress.model).toBe(1);
  expectModelProgressMonotone(demo.progressLog);

  const server = await serverFeed(request, demo.user, demo.feed.results.length);
  expect(server.ml_applied).toBe(true);
  expectSameFeed(demo.feed.results, server.results, 1e-5);

  // What is on screen is that feed, in that order, with the status the engine reports.
  const ids = await page.locator('.feed-grid .card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-id')));
  expect(ids).toEqual(demo.feed.results.map((r) => r.profile.id));
  await expect(page.locator('[data-stat="device"] .device-name')).toHaveText('WASM');
  await expect(page.locator('[data-stat="candidates"] .stat-value')).toHaveText(demo.status.candidates.toLocaleString('en'));
  const first = page.locator('.feed-grid .card').first();
  await expect(first.locator('.why-summary')).not.toBeEmpty();
  await expect(first.locator('.bar')).toHaveCount(3);

  await page.waitForTimeout(800); // let the finished progress bars fade out of the picture
  const desktop = testInfo.outputPath('demo-desktop.png');
  await page.screenshot({ path: desktop });
  await testInfo.attach('demo-desktop', { path: desktop, contentType: 'image/png' });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await waitForFeed(page);
  await page.waitForTimeout(800);
  const phone = testInfo.outputPath('demo-phone.png');
  await page.screenshot({ path: phone });
  await testInfo.attach('demo-phone', { path: phone, contentType: 'image/png' });
  // Usable on a phone: nothing wider than the screen, the first card in view.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.locator('.feed-grid .card').first()).toBeInViewport();
  // The profile folds into one line on a phone; a tap opens the form.
  await expect(page.locator('textarea[name="bio"]')).toBeHidden();
  await page.locator('#profile-panel summary').click();
  await expect(page.locator('textarea[name="bio"]')).toBeVisible();
  const phoneForm = testInfo.outputPath('demo-phone-profile.png');
  await page.screenshot({ path: phoneForm });
  await testInfo.attach('demo-phone-profile', { path: phoneForm, contentType: 'image/png' });
});

test('editing the profile re-ranks the feed, still equal to the server feed', async ({ page, request }) => {
  const before = await openDemo(page, { device: 'wasm', limit: '12' });

  await page.fill('textarea[name="bio"]', 'Climate hardware engineer looking for designers and a technical cofounder for a battery recycling startup.');
  await page.fill('input[name="headline"]', 'Engineer building battery recycling machines');
  const tagEntry = page.locator('input[name="tag-entry"]');
  for (let i = 0; i < before.user.tags.length; i++) await tagEntry.press('Backspace');
  await tagEntry.fill('climate, hardware, design');
  await tagEntry.press('Enter');
  await page.getByRole('button', { name: 'Rank my feed' }).click();

  const after = await waitForFeed(page, before.rankCount);
  expect(after.user.tags).toEqual(['climate', 'hardware', 'design']);
  expect(after.user.bio).toContain('battery recycling');
  // A different query gives different similarities (the ranking really used the new text).
  const simBefore = new Map(before.feed.results.map((r) => [r.profile.id, r.breakdown.similarity]));
  const changed = after.feed.results.filter((r) => simBefore.has(r.profile.id) && simBefore.get(r.profile.id) !== r.breakdown.similarity);
  expect(changed.length + after.feed.results.filter((r) => !simBefore.has(r.profile.id)).length).toBeGreaterThan(0);

  const server = await serverFeed(request, after.user, 12);
  expectSameFeed(after.feed.results, server.results, 1e-5);
});

test('the device switch reloads the engine and persists the choice in the URL', async ({ page }) => {
  const wasm = await openDemo(page, { device: 'wasm', limit: '6' });
  expect(wasm.status.device).toBe('wasm');

  await page.locator('.seg[data-device="server"]').click();
  await expect(page).toHaveURL(/[?&]device=server/);
  const server = await waitForFeed(page, wasm.rankCount);
  expect(server.status.device).toBe('server');
  expect(server.feed.device).toBe('server');

  await page.reload();
  await waitForFeed(page);
  await expect(page.locator('.seg[data-device="server"]')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('[data-stat="device"] .device-name')).toHaveText('Server');
});
