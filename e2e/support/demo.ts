/** Drives the demo page through its test hook (window.__nearfeed) instead of scraping the DOM. */
import { expect, test, type Page } from '@playwright/test';
import type { NearfeedTestHook } from '../../client/demo/test-hook';
import type { EngineStatus, FeedResult, UserProfile } from '../../client/types';

export interface DemoSnapshot {
  feed: FeedResult;
  user: UserProfile;
  status: EngineStatus;
  syncError: string | null;
  rankCount: number;
  progress: NearfeedTestHook['progress'];
  progressLog: NearfeedTestHook['progressLog'];
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
      progressLog: hook.progressLog,
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

/**
 * The model-download bar as the page saw it: at least one fraction strictly between 0 and 1 before the first
 * 1 (the download was reported while it ran, not only at its end), never going back, ending at 1.
 */
export function expectModelProgressMonotone(log: NearfeedTestHook['progressLog']): void {
  const model = log.filter((p) => p.phase === 'model').map((p) => p.fraction);
  const seen = `model fractions: ${model.join(' ')}`;
  test.info().annotations.push({ type: 'model progress', description: model.join(' ') });
  expect(model.length, seen).toBeGreaterThan(0);
  for (const f of model) {
    expect(Number.isFinite(f), seen).toBe(true);
    expect(f, seen).toBeGreaterThanOrEqual(0);
    expect(f, seen).toBeLessThanOrEqual(1);
  }
  const firstOne = model.indexOf(1);
  expect(firstOne, `${seen} (never reached 1)`).toBeGreaterThanOrEqual(0);
  expect(model.slice(0, firstOne).filter((f) => f > 0 && f < 1).length, `${seen} (no intermediate fraction before 1)`).toBeGreaterThan(0);
  for (let i = 1; i < model.length; i++) {
    expect(model[i]!, `${seen} (went back at #${i})`).toBeGreaterThanOrEqual(model[i - 1]!);
  }
  expect(model.at(-1), seen).toBe(1);
}

/** Whether the demo's IndexedDB holds a user vector (written in the background after a rank with the model). */
export async function userVectorStored(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const open = indexedDB.open('nearfeed');
        open.onerror = () => resolve(false);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('cache')) return resolve(false);
          const get = db.transaction('cache', 'readonly').objectStore('cache').get('user-vector');
          get.onsuccess = () => resolve(get.result !== undefined);
          get.onerror = () => resolve(false);
        };
      }),
  );
}
