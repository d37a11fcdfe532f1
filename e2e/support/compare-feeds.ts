/** Asserts two feeds are the same feed: same candidates, same order, scores and breakdowns within `tol`. */
import { expect } from '@playwright/test';
import type { ScoreBreakdown } from '../../shared/types';

export interface FeedEntry {
  profile: { id: string };
  score: number;
  breakdown: ScoreBreakdown;
}

/**
 * Position by position: the scores agree within `tol`, and the ids are equal unless the two candidates at that
 * position are a near-tie (their scores within `tol` of each other), where float noise may legitimately swap
 * them. Both feeds must hold the same candidates.
 */
export function expectSameFeed(actual: readonly FeedEntry[], expected: readonly FeedEntry[], tol = 1e-5): void {
  const describe = (f: readonly FeedEntry[]) => f.map((r) => `${r.profile.id}:${r.score.toFixed(6)}`).join(' ');
  expect(actual.length, `feed length\nactual   ${describe(actual)}\nexpected ${describe(expected)}`).toBe(expected.length);
  expect(expected.length).toBeGreaterThan(0);
  const byId = new Map(expected.map((r) => [r.profile.id, r] as const));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as FeedEntry;
    const e = expected[i] as FeedEntry;
    const where = `position ${i + 1} (${a.profile.id} vs ${e.profile.id})`;
    expect(Math.abs(a.score - e.score), `score at ${where}`).toBeLessThanOrEqual(tol);
    const twin = byId.get(a.profile.id);
    expect(twin, `${a.profile.id} at ${where} is not in the expected feed`).toBeDefined();
    if (a.profile.id !== e.profile.id) {
      expect(Math.abs(a.score - (twin as FeedEntry).score), `order at ${where} (not a near-tie)`).toBeLessThanOrEqual(tol);
    }
    for (const k of ['similarity', 'diligence', 'engagement'] as const) {
      expect(Math.abs(a.breakdown[k] - (twin as FeedEntry).breakdown[k]), `${k} of ${a.profile.id}`).toBeLessThanOrEqual(tol);
    }
  }
}
