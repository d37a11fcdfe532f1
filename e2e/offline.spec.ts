/**
 * Offline. The page and its model come from the nearfeed server, so "offline" cannot mean loading the page
 * with no server at all (there is no service worker). What is tested:
 * 1. Network cut after the first load (context.setOffline): sync fails with a warning, and the page still
 *    ranks, for the same profile and for an edited one, from the candidates and vectors in IndexedDB.
 * 2. The server's API stopped (every /api/ request refused) while its static files still load, then a reload:
 *    the new engine starts from IndexedDB and ranks, with a warning.
 */
import { expect, test } from './support/fixtures';
import { expectSameFeed } from './support/compare-feeds';
import { openDemo, refreshDemo, waitForFeed } from './support/demo';

const params = { device: 'wasm', limit: '12' };

test('network cut after the first load: still ranks from IndexedDB, with a warning', async ({ page, context }) => {
  const online = await openDemo(page, params);
  expect(online.status.lastSync).not.toBeNull();

  await context.setOffline(true);
  const offline = await refreshDemo(page, { sync: true });
  // The engine's sync fails soft: it resolves and says why in the status.
  expect(offline.status.warning).toContain('sync failed');
  expect(offline.status.device).toBe('wasm');
  expect(offline.status.candidates).toBe(online.status.candidates);
  expectSameFeed(offline.feed.results, online.feed.results, 0);
  await expect(page.locator('#warning')).toBeVisible();

  // A new query is embedded on the device with the model already loaded: no network needed.
  await page.fill('textarea[name="bio"]', 'Designer looking for an early-stage health startup.');
  await page.getByRole('button', { name: 'Rank my feed' }).click();
  const edited = await waitForFeed(page, offline.rankCount);
  expect(edited.feed.results).toHaveLength(12);
  expect(edited.user.bio).toContain('health startup');
  // Ranked with similarity, on the device: the new text really was embedded offline (other similarities).
  expect(edited.feed.device).toBe('wasm');
  expect(edited.feed.ml_applied).toBe(true);
  const simBefore = new Map(offline.feed.results.map((r) => [r.profile.id, r.breakdown.similarity]));
  const moved = edited.feed.results.filter((r) => simBefore.get(r.profile.id) !== r.breakdown.similarity);
  expect(moved.length).toBeGreaterThan(0);
  await context.setOffline(false);
});

test('server API refused, page reloaded: ranks from IndexedDB with a warning', async ({ page, context }) => {
  const online = await openDemo(page, params);

  const refused: string[] = [];
  await context.route(/\/api\/v1\//, async (route) => {
    refused.push(new URL(route.request().url()).pathname);
    await route.abort('connectionrefused');
  });
  await page.reload();
  const offline = await waitForFeed(page);
  expect(refused.length).toBeGreaterThan(0);
  expect(offline.status.warning).toContain('sync failed');
  expect(offline.status.candidates).toBe(online.status.candidates);
  expectSameFeed(offline.feed.results, online.feed.results, 0);
  await expect(page.locator('#warning')).toBeVisible();
});
