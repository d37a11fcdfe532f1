/**
 * The feed learns on the device: Pass and Hide on a card take that profile out of the feed, Like brings
 * similar profiles up, and what the user did survives a reload (IndexedDB).
 */
import { expect, test } from './support/fixtures';
import { openDemo, readDemo, waitForFeed } from './support/demo';

test('like / pass / hide change the feed and persist across a reload', async ({ page }) => {
  const first = await openDemo(page, { device: 'wasm' });
  const ids = () => page.locator('.feed-grid .card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-id')));
  const before = first.feed.results.map((r) => r.profile.id);
  expect(await ids()).toEqual(before);

  const [passed, hidden, liked] = before as [string, string, string];
  const react = async (id: string, type: 'pass' | 'hide' | 'like') => {
    const n = (await readDemo(page)).rankCount;
    await page.locator(`.feed-grid .card[data-id="${id}"] button[data-react="${type}"]`).click();
    return waitForFeed(page, n);
  };

  await react(passed, 'pass');
  await react(hidden, 'hide');
  const afterLike = await react(liked, 'like');
  const now = afterLike.feed.results.map((r) => r.profile.id);
  expect(now).not.toContain(passed);
  expect(now).not.toContain(hidden);
  expect(now).not.toEqual(before.filter((id) => id !== passed && id !== hidden));
  // The like explains itself on the cards it moved.
  expect(afterLike.feed.results.some((r) => r.because?.id === liked)).toBe(true);
  await expect(page.locator('.feed-grid .adapted').first()).toContainText('Because you liked');

  await page.reload();
  const reloaded = await waitForFeed(page);
  const persisted = reloaded.feed.results.map((r) => r.profile.id);
  expect(persisted).not.toContain(passed);
  expect(persisted).not.toContain(hidden);
  expect(persisted).toEqual(now);
});
