/**
 * The browser's sync client (client/sync) against the real candidate routes run in-process (memory store, real
 * ML service on the generated test model): small pages while profiles change end with exactly the server's set,
 * tombstones apply, a 409 must_refetch restarts from scratch and drops what the server no longer has, server
 * vectors are taken only under the exact model key, and a shape (tags) holds only its slice, dropping a
 * candidate that leaves it.
 */
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { ServerApi } from '../client/api/server-api';
import { CandidateSet } from '../client/engine/candidate-set';
import { pullChanges } from '../client/sync/sync-client';
import type { Profile } from '../shared/types';
import { demoProfiles } from '../server/data/demo-profiles';
import type { NodeMlService } from '../server/ml/create-ml-service';
import { MemoryProfileStore } from '../server/store/memory-store';
import { candidateApp, loadTestMl, testCache, testConfig } from './support/candidate-app';

function inProcessApi(app: Hono): ServerApi {
  return new ServerApi('http://nearfeed.test', (input, init) => Promise.resolve(app.request(input, init)));
}

let ml: NodeMlService;
let store: MemoryProfileStore;
let app: Hono;
const seed: Profile[] = demoProfiles(60);

beforeAll(async () => {
  const config = testConfig();
  const cache = testCache();
  store = new MemoryProfileStore({ seed });
  ml = await loadTestMl(store, cache, config);
  app = candidateApp({ config, store, cache, ml });
});

async function serverIds(): Promise<string[]> {
  return (await store.list()).map((p) => p.id).sort();
}

describe('pullChanges', () => {
  it('ends with exactly the server set after paged pulls with puts and deletes in between', async () => {
    const api = inProcessApi(app);
    const key = ml.info()!.modelKey;
    const dim = ml.info()!.dimension;
    const local = new CandidateSet();
    const first = await pullChanges(api, local, { cursor: null, limit: 7, modelKey: key, dimension: dim });
    expect(first.full).toBe(true);
    expect([...local.ids()].sort()).toEqual(await serverIds());
    expect(first.serverVectors).toBe(seed.length);
    expect(first.rejectedVectors).toBe(0);

    await store.delete(seed[3]!.id);
    await store.put({ ...seed[4]!, bio: 'rewritten bio about climate hardware' });
    await store.put({ ...seed[0]!, id: 'client-sync-new', name: 'New Person' });
    const second = await pullChanges(api, local, { cursor: first.cursor, limit: 2, modelKey: key, dimension: dim });
    expect(second.full).toBe(false);
    expect(second.applied).toBe(3);
    expect([...local.ids()].sort()).toEqual(await serverIds());
    expect(local.get(seed[4]!.id)!.bio).toBe('rewritten bio about climate hardware');
    const { missing } = await local.reconcile();
    expect(missing).toEqual([]); // every vector came from the server
  });

  it('restarts on 409 must_refetch and drops candidates the server no longer lists', async () => {
    const api = inProcessApi(app);
    const local = new CandidateSet();
    local.put({ ...seed[0]!, id: 'ghost-only-local' }, null);
    const r = await pullChanges(api, local, { cursor: 'not-a-cursor', limit: 50, modelKey: null, dimension: null });
    expect(r.full).toBe(true);
    expect(local.get('ghost-only-local')).toBeUndefined();
    expect([...local.ids()].sort()).toEqual(await serverIds());
  });

  it('ignores server vectors under another model key or dimension', async () => {
    const api = inProcessApi(app);
    const dim = ml.info()!.dimension;
    const local = new CandidateSet();
    const other = await pullChanges(api, local, { cursor: null, limit: 100, modelKey: 'other|fp32|128', dimension: dim });
    expect(other.serverVectors).toBe(0);
    expect(other.rejectedVectors).toBe(local.size);
    expect((await local.reconcile()).missing.length).toBe(local.size);
    const wrongDim = await pullChanges(api, new CandidateSet(), {
      cursor: null,
      limit: 100,
      modelKey: ml.info()!.modelKey,
      dimension: dim + 1,
    });
    expect(wrongDim.serverVectors).toBe(0);
  });

  it('syncs one shape: only candidates with the tags; one that loses them is dropped, one that gains them arrives', async () => {
    const api = inProcessApi(app);
    const tags = ['shape-red', 'shape-blue'];
    const tagged = seed.slice(10, 20).map((p, i) => ({ ...p, tags: [...p.tags, tags[i % 2]!] }));
    for (const p of tagged) await store.put(p);
    const inShape = async () =>
      (await store.list()).filter((p) => p.tags.some((t) => tags.includes(t))).map((p) => p.id).sort();
    const local = new CandidateSet();
    const first = await pullChanges(api, local, { cursor: null, limit: 3, modelKey: null, dimension: null, tags });
    expect(first.full).toBe(true);
    expect([...local.ids()].sort()).toEqual(await inShape());
    expect(local.size).toBe(10);

    await store.put({ ...tagged[0]!, tags: ['none-of-them'] }); // leaves
    await store.put({ ...seed[30]!, tags: ['shape-blue'] }); // joins
    await store.put({ ...seed[31]!, bio: 'outside the shape, edited' }); // unrelated
    const next = await pullChanges(api, local, { cursor: first.cursor, limit: 2, modelKey: null, dimension: null, tags });
    expect(next.full).toBe(false);
    expect(local.get(tagged[0]!.id)).toBeUndefined();
    expect(local.get(seed[30]!.id)).toBeDefined();
    expect(local.get(seed[31]!.id)).toBeUndefined();
    expect([...local.ids()].sort()).toEqual(await inShape());

    // The cursor is of this shape: with other tags the pull starts over and ends holding that shape.
    const other = await pullChanges(api, local, { cursor: next.cursor, limit: 50, modelKey: null, dimension: null, tags: ['shape-red'] });
    expect(other.full).toBe(true);
    expect([...local.ids()].sort()).toEqual((await store.list()).filter((p) => p.tags.includes('shape-red')).map((p) => p.id).sort());
  });
});
