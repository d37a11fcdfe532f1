/**
 * GET/PUT/DELETE /api/v1/profiles/{id} through app.request(): shapes, validation naming the field, 404s,
 * a failed request changing nothing, and the profile's cached vector dropped on every write.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import type { Profile } from '../shared/types';
import { demoProfiles } from '../server/data/demo-profiles';
import { validateProfile } from '../shared/profile-schema';
import { profileToText } from '../shared/profile-text';
import { textHash } from '../server/ml/create-ml-service';
import type { EmbeddingCache } from '../server/cache/embedding-cache';
import { MemoryProfileStore } from '../server/store/memory-store';
import { call, candidateApp, disabledMl, testCache, testConfig } from './support/candidate-app';

const ada: Profile = {
  id: 'ada',
  name: 'Ada Stone',
  headline: 'Founder at Brightpath',
  bio: 'Building a payments platform for small businesses.',
  tags: ['founder', 'fintech'],
  diligence: 0.8,
  engagement: 0.4,
  updated_at: '2026-01-02T03:04:05.000Z',
};

let store: MemoryProfileStore;
let cache: EmbeddingCache;
let app: Hono;

beforeEach(() => {
  store = new MemoryProfileStore({ seed: demoProfiles(20) });
  cache = testCache();
  const config = testConfig();
  app = candidateApp({ config, store, cache, ml: disabledMl(store, cache, config) });
});

async function snapshot(): Promise<unknown> {
  const page = await store.changesSince(null, 1000);
  return { list: await store.list(), changes: page !== 'must_refetch' && page.changes };
}

async function cacheVector(id: string): Promise<void> {
  await cache.setProfiles([{ id, entry: { vector: new Float32Array([1, 0, 0]), modelKey: 'm', contentHash: 'h' } }]);
  expect((await cache.getProfiles([id]))[0]).toBeDefined();
}

describe('GET /profiles/:id', () => {
  it('returns the stored profile', async () => {
    const res = await call(app, 'GET', '/api/v1/profiles/demo-003');
    expect(res.status).toBe(200);
    expect(res.json).toEqual(await store.get('demo-003'));
  });

  it('404 not_found for an unknown id', async () => {
    const res = await call(app, 'GET', '/api/v1/profiles/nobody');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'profile `nobody` not found', error_type: 'not_found' });
  });

  it('422 naming `id` for an id over 128 characters', async () => {
    const res = await call(app, 'GET', `/api/v1/profiles/${'x'.repeat(129)}`);
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ error_type: 'validation', error: expect.stringContaining('`id`') });
    expect((res.json as { error: string }).error).toContain('1-128');
  });

  it('decodes percent-encoded ids', async () => {
    await store.put({ ...ada, id: 'a b/c' });
    const res = await call(app, 'GET', `/api/v1/profiles/${encodeURIComponent('a b/c')}`);
    expect(res.status).toBe(200);
    expect((res.json as Profile).id).toBe('a b/c');
  });
});

describe('PUT /profiles/:id', () => {
  it('creates (201), then replaces (200), and the change reaches the store and its log', async () => {
    const created = await call(app, 'PUT', '/api/v1/profiles/ada', ada);
    expect(created.status).toBe(201);
    expect(created.json).toEqual(ada);
    expect(await store.get('ada')).toEqual(ada);

    const changed = { ...ada, headline: 'CEO at Brightpath' };
    const replaced = await call(app, 'PUT', '/api/v1/profiles/ada', changed);
    expect(replaced.status).toBe(200);
    expect(await store.get('ada')).toEqual(changed);
    const page = await store.changesSince(null, 1000);
    if (page === 'must_refetch') throw new Error('must_refetch');
    expect(page.changes.at(-1)).toEqual({ op: 'put', profile: changed });
  });

  it('fills a missing id from the path and a missing updated_at with the server time', async () => {
    const { id: _id, updated_at: _t, ...rest } = ada;
    const before = Date.now();
    const res = await call(app, 'PUT', '/api/v1/profiles/from-path', rest);
    expect(res.status).toBe(201);
    const stored = (await store.get('from-path')) as Profile;
    expect(stored).toMatchObject({ ...rest, id: 'from-path' });
    expect(Date.parse(stored.updated_at)).toBeGreaterThanOrEqual(before - 1000);
    // What the server answers is what it stored, and valid by the shared schema.
    expect(res.json).toEqual(stored);
    expect(validateProfile(res.json).ok).toBe(true);
  });

  it('leaves the cached vector to the content-hash check, which never serves it for the new text', async () => {
    await cacheVector('demo-001');
    const current = (await store.get('demo-001')) as Profile;
    const res = await call(app, 'PUT', '/api/v1/profiles/demo-001', { ...current, bio: 'A new bio.' });
    expect(res.status).toBe(200);
    // Not dropped: a drop after the write could land after another process cached the new version's vector.
    expect((await cache.getProfiles(['demo-001'], { modelKey: 'm', contentHashes: ['h'] }))[0]).toBeDefined();
    const updated = textHash(profileToText((await store.get('demo-001')) as Profile));
    expect((await cache.getProfiles(['demo-001'], { modelKey: 'm', contentHashes: [updated] }))[0]).toBeUndefined();
  });

  const bad: [string, unknown, number, string, string][] = [
    ['an id that differs from the path', { ...ada, id: 'other' }, 422, 'validation', '`id`'],
    ['diligence out of range', { ...ada, diligence: 1.5 }, 422, 'validation', 'diligence'],
    ['engagement of the wrong type', { ...ada, engagement: 'high' }, 422, 'validation', 'engagement'],
    ['a missing name', { ...ada, name: undefined }, 422, 'validation', 'name'],
    ['a bad tag', { ...ada, tags: ['ok', 7] }, 422, 'validation', 'tags[1]'],
    ['a bio over its limit', { ...ada, bio: 'x'.repeat(5001) }, 422, 'validation', 'bio'],
    ['a malformed updated_at', { ...ada, updated_at: 'yesterday' }, 422, 'validation', 'updated_at'],
    ['a JSON array', [ada], 422, 'validation', 'object'],
    ['malformed JSON', '{"id": "ada",', 400, 'invalid_json', 'JSON'],
    ['an empty body', '', 400, 'empty_input', 'empty'],
  ];
  it.each(bad)('rejects %s and changes nothing', async (_what, body, status, type, names) => {
    await cacheVector('ada');
    const before = await snapshot();
    const res = await call(app, 'PUT', '/api/v1/profiles/ada', body);
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error_type: type });
    expect((res.json as { error: string }).error).toContain(names);
    expect(await snapshot()).toEqual(before);
    expect((await cache.getProfiles(['ada']))[0]).toBeDefined();
  });

  it('413 payload_too_large for a body over the limit, changing nothing', async () => {
    const config = testConfig({ maxBodyBytes: 2048 });
    const small = candidateApp({ config, store, cache, ml: disabledMl(store, cache, config) });
    const before = await snapshot();
    const res = await call(small, 'PUT', '/api/v1/profiles/ada', { ...ada, bio: 'word '.repeat(1000) });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error_type: 'payload_too_large' });
    expect(await snapshot()).toEqual(before);
  });
});

describe('DELETE /profiles/:id', () => {
  it('deletes, leaves a tombstone in the log and drops the cached vector', async () => {
    await cacheVector('demo-002');
    const res = await call(app, 'DELETE', '/api/v1/profiles/demo-002');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: 'demo-002', deleted: true });
    expect(await store.get('demo-002')).toBeUndefined();
    expect((await cache.getProfiles(['demo-002']))[0]).toBeUndefined();
    expect((await call(app, 'GET', '/api/v1/profiles/demo-002')).status).toBe(404);
  });

  it('404 not_found for an unknown id, changing nothing', async () => {
    const before = await snapshot();
    const res = await call(app, 'DELETE', '/api/v1/profiles/nobody');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error_type: 'not_found' });
    expect(await snapshot()).toEqual(before);
  });
});

describe('ETag and If-Match', () => {
  const url = '/api/v1/profiles/demo-003';
  const ifMatch = (value: string) => ({ 'if-match': value });

  it('GET and PUT send the version as a strong ETag; every write changes it', async () => {
    const got = await call(app, 'GET', url);
    const tag = got.headers.get('etag');
    expect(tag).toMatch(/^"[^"]+"$/);
    const put = await call(app, 'PUT', url, { ...(got.json as Profile), headline: 'v2' });
    expect(put.status).toBe(200);
    const next = put.headers.get('etag');
    expect(next).toMatch(/^"[^"]+"$/);
    expect(next).not.toBe(tag);
    expect((await call(app, 'GET', url)).headers.get('etag')).toBe(next);
    const created = await call(app, 'PUT', '/api/v1/profiles/ada', ada);
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe((await call(app, 'GET', '/api/v1/profiles/ada')).headers.get('etag'));
  });

  it('PUT with the current ETag (alone, in a list, or *) applies; with a stale one 412 and nothing changes', async () => {
    const first = await call(app, 'GET', url);
    const v1 = first.headers.get('etag') as string;
    const ok = await call(app, 'PUT', url, { ...(first.json as Profile), headline: 'edited once' }, ifMatch(v1));
    expect(ok.status).toBe(200);
    const v2 = ok.headers.get('etag') as string;

    const before = await snapshot();
    const stale = await call(app, 'PUT', url, { ...(first.json as Profile), headline: 'lost update' }, ifMatch(v1));
    expect(stale.status).toBe(412);
    expect(stale.json).toEqual({ error: expect.stringMatching(/demo-003.*has changed.*GET it and retry/), error_type: 'precondition_failed' });
    expect(stale.headers.get('etag')).toBe(v2); // the current version, to retry with after a GET
    expect(await snapshot()).toEqual(before);

    expect((await call(app, 'PUT', url, { ...(first.json as Profile), headline: 'in a list' }, ifMatch(`"x", ${v1}, ${v2}`))).status).toBe(200);
    expect((await call(app, 'PUT', url, { ...(first.json as Profile), headline: 'star' }, ifMatch('*'))).status).toBe(200);
  });

  it('If-Match: * on a missing profile is 412 (PUT creates nothing, DELETE is not 404); on DELETE a stale ETag is 412', async () => {
    const create = await call(app, 'PUT', '/api/v1/profiles/ada', ada, ifMatch('*'));
    expect(create.status).toBe(412);
    expect(create.json).toEqual({ error: 'If-Match: profile `ada` does not exist', error_type: 'precondition_failed' });
    expect(create.headers.get('etag')).toBeNull();
    expect(await store.get('ada')).toBeUndefined();
    expect((await call(app, 'DELETE', '/api/v1/profiles/ada', undefined, ifMatch('*'))).status).toBe(412);

    const v1 = (await call(app, 'GET', url)).headers.get('etag') as string;
    await call(app, 'PUT', url, { ...(await store.get('demo-003')), headline: 'moved on' });
    const stale = await call(app, 'DELETE', url, undefined, ifMatch(v1));
    expect(stale.status).toBe(412);
    expect(await store.get('demo-003')).toBeDefined();
    const current = (await call(app, 'GET', url)).headers.get('etag') as string;
    expect((await call(app, 'DELETE', url, undefined, ifMatch(current))).status).toBe(200);
    expect(await store.get('demo-003')).toBeUndefined();
  });

  it('a weak ETag never matches (412); a malformed If-Match is 422 naming the header', async () => {
    const tag = (await call(app, 'GET', url)).headers.get('etag') as string;
    const body = await store.get('demo-003');
    expect((await call(app, 'PUT', url, body, ifMatch(`W/${tag}`))).status).toBe(412);
    for (const bad of ['nope', '"unterminated', '"a" "b"', ',', `${tag}, *`]) {
      const res = await call(app, 'PUT', url, body, ifMatch(bad));
      expect(res.status, bad).toBe(422);
      expect(res.json).toEqual({ error: expect.stringContaining('If-Match'), error_type: 'validation' });
    }
    const many = Array.from({ length: 33 }, (_, i) => `"t${i}"`).join(', ');
    expect((await call(app, 'PUT', url, body, ifMatch(many))).json).toMatchObject({ error: expect.stringMatching(/33 entity tags > 32/) });
  });
});

describe('demo data set', () => {
  it('is deterministic, valid by the shared schema, varied, and spread over [0, 1]', () => {
    const a = demoProfiles();
    expect(a).toHaveLength(300);
    expect(JSON.stringify(demoProfiles())).toBe(JSON.stringify(a));
    expect(new Set(a.map((p) => p.id)).size).toBe(300);
    for (const p of a) {
      const checked = validateProfile(p);
      expect(checked.ok && checked.profile).toEqual(p);
    }
    // Varied text: names and bios unique, headlines nearly so; every role present.
    expect(new Set(a.map((p) => p.name)).size).toBe(300);
    expect(new Set(a.map((p) => p.bio)).size).toBe(300);
    expect(new Set(a.map((p) => p.headline)).size).toBeGreaterThan(270);
    const roles = new Set(a.map((p) => p.tags[0]));
    expect([...roles].sort()).toEqual(['advisor', 'designer', 'engineer', 'founder', 'investor', 'operator', 'researcher']);
    for (const key of ['diligence', 'engagement'] as const) {
      const values = a.map((p) => p[key]).sort((x, y) => x - y);
      expect(values[0]).toBeLessThan(0.2);
      expect(values.at(-1)).toBeGreaterThan(0.8);
      expect(new Set(values).size).toBeGreaterThan(200);
    }
  });
});
