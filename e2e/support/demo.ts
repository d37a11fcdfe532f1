/** Drives the demo page through its test hook (window.__nearfeed) instead of scraping the DOM. */
import { expect, type Page } from '@playwright/test';
import type { NearfeedTestHook } from '../../client/demo/test-hook';
import type { EngineStatus, FeedResult, UserProfile } from '../../client/types';

export interface DemoSnapshot {
  feed: FeedResult;
  user: UserProfile;
  status: EngineStatus;
  syncError: string | null;
  rankCount: number;
  progress: NearfeedTestHook['progress'];
}

/** The hook's current feed, user and engine status (throws when the demo has not ranked yet). */
export async function readDemo(page: Page): Promise<DemoSnapshot> {
  return page.evaluate(() => {
    const hook = window.__nearfeed;
    if (!hook?.engine || !hook.lastFeed || !hook.lastUser) throw new Error(`demo not ready (state ${hook?.state})`);
    return {
      feed: hook.lastFeed,
      user: hook.lastUser,
      status: hook.engine.status(),
      syncError: hook.syncError,
      rankCount: hook.rankCount,
      progress: hook.progress,
    };
  });
}

/** Waits until the demo has shown more than `after` feeds (or failed, which fails the wait with its error). */
export async function waitForFeed(page: Page, after = 0, timeout = 90_000): Promise<DemoSnapshot> {
  await page.waitForFunction(
    (n) => {
      const hook = window.__nearfeed;
      if (hook?.state === 'error') throw new Error(`demo error: ${hook.error}`);
      return hook !== undefined && hook.state === 'ready' && hook.rankCount > n;
    },
    after,
    { timeout, polling: 100 },
  );
  return readDemo(page);
}

/** Opens the demo with URL parameters (e.g. `{device: 'wasm'}`) and waits for its first feed. */
export async function openDemo(page: Page, params: Record<string, string> = {}, timeout?: number): Promise<DemoSnapshot> {
  const query = new URLSearchParams(params).toString();
  await page.goto(query ? `/?${query}` : '/');
  return waitForFeed(page, 0, timeout);
}

/** Syncs (unless told not to) and re-ranks through the hook; resolves with the new snapshot. */
export async function refreshDemo(page: Page, options: { sync?: boolean } = {}): Promise<DemoSnapshot> {
  const feed = await page.evaluate(async (o) => {
    const hook = window.__nearfeed;
    if (!hook) throw new Error('no demo hook');
    const f = await hook.refresh(o);
    if (!f) throw new Error(`refresh gave no feed: ${hook.error ?? hook.state}`);
    return f;
  }, options);
  const snap = await readDemo(page);
  expect(snap.feed).toEqual(feed);
  return snap;
}

/** Vectors of `texts` from the engine on the page, as plain arrays. */
export async function embedOnPage(page: Page, texts: string[]): Promise<number[][]> {
  return page.evaluate(async (t) => {
    const engine = window.__nearfeed?.engine;
    if (!engine) throw new Error('no engine');
    return (await engine.embed(t)).map((v) => Array.from(v));
  }, texts);
}
