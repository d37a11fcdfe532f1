/** Calls to the real nearfeed server under test (the one playwright.config.ts starts). */
import { expect, type APIRequestContext } from '@playwright/test';
import type { Profile, ScoreBreakdown } from '../../shared/types';
import type { UserProfile } from '../../client/types';

export interface ServerFeed {
  results: { profile: Profile; score: number; breakdown: ScoreBreakdown; because?: string }[];
  model: string | null;
  ml_applied: boolean;
}

/** POST /api/v1/feed for this user, as the server ranks it. */
export async function serverFeed(
  request: APIRequestContext,
  user: UserProfile,
  limit: number,
  /** More request fields, e.g. interactions, diversity, now. */
  extra: Record<string, unknown> = {},
): Promise<ServerFeed> {
  const profile = { name: user.name, headline: user.headline, bio: user.bio, tags: user.tags };
  const res = await request.post('/api/v1/feed', { data: { profile, limit, ...extra } });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as ServerFeed;
}

export async function getProfile(request: APIRequestContext, id: string): Promise<Profile> {
  const res = await request.get(`/api/v1/profiles/${encodeURIComponent(id)}`);
  expect(res.status(), await res.text()).toBe(200);
  const body = (await res.json()) as Profile | { profile: Profile };
  return 'profile' in body ? body.profile : body;
}

export async function putProfile(request: APIRequestContext, profile: Profile): Promise<void> {
  const res = await request.put(`/api/v1/profiles/${encodeURIComponent(profile.id)}`, { data: profile });
  expect(res.status(), await res.text()).toBeLessThan(300);
}

/** Every candidate the server holds now, pulled through GET /api/v1/sync page by page (tombstones applied). */
export async function allProfiles(request: APIRequestContext): Promise<Profile[]> {
  const byId = new Map<string, Profile>();
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const query = new URLSearchParams({ limit: '200', embeddings: 'false', ...(cursor ? { cursor } : {}) });
    const res = await request.get(`/api/v1/sync?${query.toString()}`);
    expect(res.status(), await res.text()).toBe(200);
    const body = (await res.json()) as {
      changes: Array<{ op: 'put'; profile: Profile } | { op: 'delete'; id: string }>;
      cursor: string;
      has_more: boolean;
    };
    for (const c of body.changes) {
      if (c.op === 'put') byId.set(c.profile.id, c.profile);
      else byId.delete(c.id);
    }
    cursor = body.cursor;
    if (!body.has_more) return [...byId.values()];
  }
  throw new Error('GET /api/v1/sync never reported has_more: false');
}
