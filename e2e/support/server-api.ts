/** Calls to the real nearfeed server under test (the one playwright.config.ts starts). */
import { expect, type APIRequestContext } from '@playwright/test';
import type { Profile, ScoreBreakdown } from '../../shared/types';
import type { UserProfile } from '../../client/types';

export interface ServerFeed {
  results: { profile: Profile; score: number; breakdown: ScoreBreakdown }[];
  model: string | null;
  ml_applied: boolean;
}

/** POST /api/v1/feed for this user, as the server ranks it. */
export async function serverFeed(request: APIRequestContext, user: UserProfile, limit: number): Promise<ServerFeed> {
  const profile = { name: user.name, headline: user.headline, bio: user.bio, tags: user.tags };
  const res = await request.post('/api/v1/feed', { data: { profile, limit } });
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
