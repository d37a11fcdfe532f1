/**
 * The IndexedDB cache, seen through the engine's counters: a reload embeds no candidate and gives the same
 * feed; a profile changed on the server and synced is the only one re-embedded.
 *
 * The server sends its vectors with sync when the browser runs the same model key (model, dtype, max length),
 * so with the defaults nothing is embedded on the device at all. To exercise on-device embedding the first
 * test runs the browser on q8 (`?dtype=q8`, the test model's quantized file): another model key, so every
 * candidate vector is computed in the browser and cached under that key.
 */
import { expect, test } from './support/fixtures';
import { expectSameFeed } from './support/compare-feeds';
import { openDemo, refreshDemo } from './support/demo';
import { getProfile, putProfile } from './support/server-api';

test.setTimeout(180_000);

test('on-device vectors: a reload embeds nothing; a changed profile is the only one re-embedded', async ({ page, request }) => {
  const params = { device: 'wasm', dtype: 'q8', limit: '20' };
  const cold = await openDemo(page, params, 150_000);
  expect(cold.status.modelKey).toContain('q8');
  expect(cold.status.candidates).toBeGreaterThan(0);
  // Cold: every candidate embedded here (nothing usable came from the server for this model key).
  expect(cold.status.embeddedCandidates).toBe(cold.status.candidates);
  expect(cold.progress.embedding).toBe(1);

  await page.reload();
  const warm = await openDemo(page, params);
  expect(warm.status.embeddedCandidates).toBe(0);
  expect(warm.status.cacheHits).toBeGreaterThanOrEqual(warm.status.candidates);
  expect(warm.status.candidates).toBe(cold.status.candidates);
  expectSameFeed(warm.feed.results, cold.feed.results, 0);

  // Change one candidate's text on the server; the next sync brings exactly that change.
  const target = warm.feed.results[warm.feed.results.length - 1]?.profile.id ?? 'demo-001';
  const profile = await getProfile(request, target);
  try {
    await putProfile(request, {
      ...profile,
      bio: `${profile.bio} Now also mentoring first-time founders in fintech and payments.`,
      updated_at: new Date().toISOString(),
    });
    const synced = await refreshDemo(page, { sync: true });
    expect(synced.status.embeddedCandidates).toBe(1);
    expect(synced.status.candidates).toBe(cold.status.candidates);
  } finally {
    // Restore it, even when an assertion failed, so later specs see the seeded data set.
    await putProfile(request, { ...profile, updated_at: new Date().toISOString() });
  }
});

test('server vectors (same model key): a reload and a synced change embed no candidate on the device', async ({ page, request }) => {
  const params = { device: 'wasm', limit: '20' };
  const cold = await openDemo(page, params);
  expect(cold.status.embeddedCandidates).toBe(0);
  expect(cold.status.cacheHits).toBeGreaterThanOrEqual(cold.status.candidates);

  await page.reload();
  const warm = await openDemo(page, params);
  expect(warm.status.embeddedCandidates).toBe(0);
  expectSameFeed(warm.feed.results, cold.feed.results, 0);

  const target = warm.feed.results[0]?.profile.id ?? 'demo-001';
  const profile = await getProfile(request, target);
  try {
    await putProfile(request, { ...profile, headline: `${profile.headline} (updated)`, updated_at: new Date().toISOString() });
    const hitsBefore = warm.status.cacheHits;
    const synced = await refreshDemo(page, { sync: true });
    expect(synced.status.embeddedCandidates).toBe(0);
    expect(synced.status.cacheHits).toBe(hitsBefore + 1);
  } finally {
    await putProfile(request, { ...profile, updated_at: new Date().toISOString() });
  }
});
