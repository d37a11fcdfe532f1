/**
 * /api/v1/ml/* through `app.request()` on the real generated model and the real Node embedder: shapes,
 * order, batch = single, base64 = float, the error table, limits from /ml/info, and static files.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64ToFloat32 } from '../shared/base64';
import { profileToText } from '../shared/profile-text';
import type { Embedder } from '../shared/embedder';
import { createApp } from '../server/app';
import { createLogger } from '../server/log';
import { createMemoryCache } from '../server/cache/memory-cache';
import { MemoryProfileStore } from '../server/store/memory-store';
import { demoProfiles } from '../server/data/demo-profiles';
import { createMlService } from '../server/ml/create-ml-service';
import { createRedisCache } from '../server/cache/redis-cache';
import { buildTestApp, countingEmbedder, loadTestEmbedder, post, TEST_MODEL_DIR, type TestApp } from './support/ml-fixture';
import { connectTestRedis, deleteKeysWithPrefix, recordCommands, uniqueKeyPrefix } from './support/redis';

let embedder: Embedder;
let t: TestApp;

beforeAll(async () => {
  embedder = await loadTestEmbedder();
  t = buildTestApp({ model: { state: 'ready', embedder, notes: [] } });
  // The start-up backlog (every stored profile's vector) done, so rankings see every candidate.
  expect(await t.ranking.whenIdle()).toBe(true);
});
afterAll(async () => {
  await embedder.dispose();
});

interface ErrorBody {
  error: string;
  error_type: string;
}

async function expectError(res: Response, status: number, type: string, mention?: string): Promise<ErrorBody> {
  const body = (await res.json()) as ErrorBody;
  expect({ status: res.status, type: body.error_type }).toEqual({ status, type });
  expect(typeof body.error).toBe('string');
  if (mention) expect(body.error).toContain(mention);
  return body;
}

async function embedOne(text: string): Promise<number[]> {
  const res = await post(t.app, '/api/v1/ml/embeddings', { text });
  expect(res.status).toBe(200);
  return ((await res.json()) as { embedding: number[] }).embedding;
}

function expectClose(a: readonly number[], b: readonly number[], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  expect(max).toBeLessThan(tol);
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('embeddings', () => {
  it('POST /ml/embeddings returns one normalised vector of the model dimension', async () => {
    const res = await post(t.app, '/api/v1/ml/embeddings', { text: 'Founder building climate software in Berlin' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { embedding: number[]; model: string; dimension: number };
    expect(body.dimension).toBe(embedder.info.dimension);
    expect(body.embedding).toHaveLength(embedder.info.dimension);
    expect(body.model).toBe(embedder.info.model);
    expect(Math.sqrt(dot(body.embedding, body.embedding))).toBeCloseTo(1, 5);
  });

  it('batch results equal single results, in order, and equal the embedder run directly', async () => {
    const texts = ['seed investor in fintech', 'a designer of mobile apps', 'robotics startup hiring engineers'];
    const res = await post(t.app, '/api/v1/ml/embeddings/batch', { texts });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { embeddings: number[][]; dimension: number; cached: number; model: string };
    expect(body.embeddings).toHaveLength(3);
    expect(body.cached).toBe(0);
    const direct = await embedder.embed(texts);
    for (let i = 0; i < texts.length; i++) {
      expectClose(body.embeddings[i]!, await embedOne(texts[i]!));
      expectClose(body.embeddings[i]!, Array.from(direct[i]!));
    }
    // Different texts give different vectors: the order is really the caller's.
    expect(dot(body.embeddings[0]!, body.embeddings[1]!)).toBeLessThan(0.9999);
  });

  it('counts cache hits: a repeated batch is served from the text cache', async () => {
    const texts = ['cache me once', 'cache me twice', 'cache me once'];
    const first = (await (await post(t.app, '/api/v1/ml/embeddings/batch', { texts })).json()) as { cached: number; embeddings: number[][] };
    expect(first.cached).toBe(0);
    expect(first.embeddings[0]).toEqual(first.embeddings[2]);
    const second = (await (await post(t.app, '/api/v1/ml/embeddings/batch', { texts: [...texts, 'new one'] })).json()) as {
      cached: number;
      embeddings: number[][];
    };
    expect(second.cached).toBe(3);
    expect(second.embeddings.slice(0, 3)).toEqual(first.embeddings);
  });

  it('base64 encoding decodes (little-endian float32) to the float results', async () => {
    const texts = ['base64 one', 'base64 two'];
    const floats = (await (await post(t.app, '/api/v1/ml/embeddings/batch', { texts })).json()) as { embeddings: number[][] };
    const res = await post(t.app, '/api/v1/ml/embeddings/batch', { texts, encoding: 'base64' });
    expect(res.status).toBe(200);
    const b64 = (await res.json()) as { embeddings: string[]; encoding: string };
    expect(b64.encoding).toBe('base64');
    b64.embeddings.forEach((s, i) => {
      const bytes = Buffer.from(s, 'base64');
      const le = Array.from({ length: bytes.length / 4 }, (_, k) => bytes.readFloatLE(k * 4));
      expect(le).toEqual(floats.embeddings[i]);
      expect(Array.from(base64ToFloat32(s))).toEqual(floats.embeddings[i]);
    });
  });

  it('truncates texts longer than max_seq_length tokens instead of rejecting them', async () => {
    const info = (await (await t.app.request('/api/v1/ml/info')).json()) as { max_seq_length: number };
    const long = Array.from({ length: info.max_seq_length * 2 }, (_, i) => `word${i % 50}`).join(' ');
    const a = await embedOne(long);
    // Words past the truncation point cannot change the vector.
    const b = await embedOne(`${long} and many more words that fall beyond the limit`);
    expectClose(a, b, 1e-6);
  });
});

describe('similarity', () => {
  it('POST /ml/similarity is the cosine of the two embeddings', async () => {
    const a = 'angel investor backing AI startups';
    const b = 'machine learning founder raising a seed round';
    const res = await post(t.app, '/api/v1/ml/similarity', { a, b });
    expect(res.status).toBe(200);
    const { similarity } = (await res.json()) as { similarity: number };
    expect(similarity).toBeCloseTo(dot(await embedOne(a), await embedOne(b)), 5);
    const self = (await (await post(t.app, '/api/v1/ml/similarity', { a, b: a })).json()) as { similarity: number };
    expect(self.similarity).toBeCloseTo(1, 5);
  });

  it('the batch equals the singles and embeds each distinct text once', async () => {
    const pairs = [
      { a: 'sim batch x', b: 'sim batch y' },
      { a: 'sim batch y', b: 'sim batch z' },
      { a: 'sim batch x', b: 'sim batch z' },
    ];
    const before = t.ml.batcherStats()!.items;
    const res = await post(t.app, '/api/v1/ml/similarity/batch', { pairs });
    expect(res.status).toBe(200);
    const { similarities } = (await res.json()) as { similarities: number[] };
    expect(t.ml.batcherStats()!.items - before).toBe(3);
    expect(similarities).toHaveLength(3);
    for (let i = 0; i < pairs.length; i++) {
      const single = (await (await post(t.app, '/api/v1/ml/similarity', pairs[i])).json()) as { similarity: number };
      expect(similarities[i]).toBeCloseTo(single.similarity, 6);
    }
  });
});

describe('profile ranking', () => {
  type Rank = {
    results: { profile_id: string; score: number; breakdown: { similarity: number; diligence: number; engagement: number } }[];
    model: string | null;
    ml_applied: boolean;
  };

  it('ranks all candidates for a stored profile, best first, without the profile itself', async () => {
    const res = await post(t.app, '/api/v1/ml/profiles/rank', { profile_id: 'demo-001', limit: 10 });
    const body = (await res.json()) as Rank;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.ml_applied).toBe(true);
    expect(body.model).toBe(embedder.info.model);
    expect(body.results).toHaveLength(10);
    expect(body.results.map((r) => r.profile_id)).not.toContain('demo-001');
    for (let i = 1; i < body.results.length; i++) expect(body.results[i - 1]!.score).toBeGreaterThanOrEqual(body.results[i]!.score);
    // The breakdown explains the score with the default weights.
    const r = body.results[0]!;
    const w = t.config.weights;
    expect(r.score).toBeCloseTo(w.similarity * r.breakdown.similarity + w.diligence * r.breakdown.diligence + w.engagement * r.breakdown.engagement, 6);
  });

  it('candidate_ids restricts the candidates; weights change the order; an inline profile works', async () => {
    const all = await t.store.list();
    const ids = all.slice(5, 12).map((p) => p.id);
    const only = (await (await post(t.app, '/api/v1/ml/profiles/rank', { profile_id: all[0]!.id, candidate_ids: ids })).json()) as Rank;
    expect(only.results.map((r) => r.profile_id).sort()).toEqual([...ids].sort());

    const byDiligence = (await (
      await post(t.app, '/api/v1/ml/profiles/rank', {
        profile_id: all[0]!.id,
        candidate_ids: ids,
        weights: { similarity: 0, diligence: 1, engagement: 0 },
      })
    ).json()) as Rank;
    const dil = byDiligence.results.map((r) => r.breakdown.diligence);
    expect(dil).toEqual([...dil].sort((a, b) => b - a));

    const inline = await post(t.app, '/api/v1/ml/profiles/rank', {
      profile: { name: 'Me', headline: 'Looking for climate tech cofounders', bio: '', tags: ['climate'] },
      limit: 5,
    });
    expect(inline.status).toBe(200);
    expect(((await inline.json()) as Rank).results).toHaveLength(5);
  });

  it('rank/batch answers one rank response per request, equal to the single calls', async () => {
    const requests = [{ profile_id: 'demo-002', limit: 5 }, { profile: { name: 'Investor in B2B SaaS' }, limit: 3 }];
    const res = await post(t.app, '/api/v1/ml/profiles/rank/batch', { requests });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: Rank[] };
    expect(results).toHaveLength(2);
    for (let i = 0; i < requests.length; i++) {
      const single = (await (await post(t.app, '/api/v1/ml/profiles/rank', requests[i])).json()) as Rank;
      expect(results[i]!.results.map((r) => r.profile_id)).toEqual(single.results.map((r) => r.profile_id));
      results[i]!.results.forEach((r, k) => expect(r.score).toBeCloseTo(single.results[k]!.score, 6));
    }
  });

  it('rank/batch on a cold process answers at once, says what is pending, and the queue embeds each profile once', async () => {
    // A fresh app: nothing cached, 40 profiles to embed, more than are embedded on the spot.
    const counting = countingEmbedder(embedder);
    const cold = buildTestApp({ model: { state: 'ready', embedder: counting, notes: [] } });
    const all = await cold.store.list();
    const requests = [
      { profile_id: all[0]!.id, limit: 50 },
      { profile_id: all[1]!.id, limit: 50 },
      { profile: { name: 'Seed investor' }, limit: 50 },
    ];
    const res = await post(cold.app, '/api/v1/ml/profiles/rank/batch', { requests });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: (Rank & { pending_candidates: number })[] };
    expect(results.map((r) => r.ml_applied)).toEqual([true, true, true]);
    // Whatever was not ready yet is counted, never silently dropped.
    for (const [i, r] of results.entries()) {
      const others = all.length - (i < 2 ? 1 : 0);
      expect(r.results.length + r.pending_candidates, `request ${i}`).toBe(others);
    }
    expect(await cold.ranking.whenIdle()).toBe(true);
    // Every stored profile once (the queries' own vectors included), plus the one inline query text.
    expect(counting.texts).toBe(all.length + 1);
    const again = (await (await post(cold.app, '/api/v1/ml/profiles/rank/batch', { requests })).json()) as { results: (Rank & { pending_candidates: number })[] };
    for (let i = 0; i < requests.length; i++) {
      expect(again.results[i]!.pending_candidates).toBe(0);
      const single = (await (await post(cold.app, '/api/v1/ml/profiles/rank', requests[i])).json()) as Rank;
      expect(again.results[i]!.results.map((r) => r.profile_id)).toEqual(single.results.map((r) => r.profile_id));
    }
    expect(counting.texts).toBe(all.length + 1);
  });

  it('concurrent rank requests on a cold process: no 429, each profile embedded once', async () => {
    const counting = countingEmbedder(embedder);
    const cold = buildTestApp({ model: { state: 'ready', embedder: counting, notes: [] } });
    const all = await cold.store.list();
    const responses = await Promise.all(
      all.slice(0, 4).map((p) => post(cold.app, '/api/v1/ml/profiles/rank', { profile_id: p.id })),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await cold.ranking.whenIdle()).toBe(true);
    expect(counting.texts).toBe(all.length);
  });

  it('profile vectors come from embedding:profile:{id} and equal the embedding of the profile text', async () => {
    const [p] = await t.store.list(['demo-003']);
    const [v] = await t.ml.profileVectors([p!]);
    const entries = await t.cache.getProfiles(['demo-003']);
    expect(entries[0]?.vector).toEqual(v);
    expectClose(Array.from(v!), await embedOne(profileToText(p!)));
  });
});

describe('cache use', () => {
  it('a profile updated while its vector is computed: the old vector is not stored, the new one is', async () => {
    const store = new MemoryProfileStore({ seed: demoProfiles(5) });
    const cache = createMemoryCache({ maxEntries: 100, ttlSeconds: 60 });
    const [before] = await store.list(['demo-002']);
    const after = { ...before!, bio: `${before!.bio} Now also advising climate startups.` };
    let updates = 0;
    // The real embedder; the store update lands while the model runs (as a concurrent PUT would).
    const racing: Embedder = {
      info: embedder.info,
      embed: async (texts) => {
        const out = embedder.embed(texts);
        if (updates++ === 0) {
          await store.put(after);
        }
        return out;
      },
      dispose: async () => {},
    };
    const ml = createMlService({ config: t.config, cache, store, model: { state: 'ready', embedder: racing, notes: [] } });
    const [oldVector] = await ml.profileVectors([before!]);
    expect(Array.from(oldVector!)).toEqual(Array.from((await embedder.embed([profileToText(before!)]))[0]!));
    expect((await cache.getProfiles(['demo-002']))[0]).toBeUndefined();

    const [newVector] = await ml.profileVectors([after]);
    expect(Array.from(newVector!)).not.toEqual(Array.from(oldVector!));
    expect((await cache.getProfiles(['demo-002']))[0]?.vector).toEqual(newVector);
  });

  it('a batch reads and writes the Redis text cache in one round trip each', async () => {
    const prefix = uniqueKeyPrefix('app-ml');
    const cache = createRedisCache({ url: 'redis://127.0.0.1:6379', ttlSeconds: 60, keyPrefix: prefix, logger: { warn: () => {}, info: () => {} } });
    try {
      for (let i = 0; i < 40 && !cache.connected(); i++) await new Promise((r) => setTimeout(r, 50));
      const { app } = buildTestApp({ model: { state: 'ready', embedder, notes: [] }, cache });
      const texts = Array.from({ length: 8 }, (_, i) => `round trip text ${i}`);
      const miss = await recordCommands(prefix, () => post(app, '/api/v1/ml/embeddings/batch', { texts }));
      const clientTrips = (cmds: typeof miss) => cmds.filter((c) => c.source !== 'lua').map((c) => c.name);
      expect(clientTrips(miss)).toHaveLength(2); // one read (all 8 keys), one write (all 8 entries)
      let cached = -1;
      const hit = await recordCommands(prefix, async () => {
        cached = ((await (await post(app, '/api/v1/ml/embeddings/batch', { texts })).json()) as { cached: number }).cached;
      });
      expect(cached).toBe(8);
      expect(clientTrips(hit)).toHaveLength(1);
    } finally {
      await cache.close();
      const client = await connectTestRedis();
      await deleteKeysWithPrefix(client, prefix);
      await client.quit();
    }
  });
});

describe('health and info', () => {
  it('GET /ml/health is ready with the model loaded and the cache up', async () => {
    const res = await t.app.request('/api/v1/ml/health');
    expect(res.status).toBe(200);
    const h = (await res.json()) as { status: string; reasons: string[]; model: { available: boolean; dimension: number } };
    expect(h.status).toBe('ready');
    expect(h.reasons).toEqual([]);
    expect(h.model).toMatchObject({ available: true, dimension: embedder.info.dimension });
  });

  it('GET /ml/info lists the limits, and they are enforced', async () => {
    const res = await t.app.request('/api/v1/ml/info');
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      max_batch_size: 8,
      max_text_bytes: 4096,
      max_seq_length: embedder.info.maxSeqLength,
      model: embedder.info.model,
      model_key: embedder.info.modelKey,
      dimension: embedder.info.dimension,
      dtype: 'fp32',
    });
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    const max = info.max_batch_size as number;
    const maxBytes = info.max_text_bytes as number;
    const atLimit = Array.from({ length: max }, (_, i) => `limit text ${i}`);
    expect((await post(t.app, '/api/v1/ml/embeddings/batch', { texts: atLimit })).status).toBe(200);
    await expectError(
      await post(t.app, '/api/v1/ml/embeddings/batch', { texts: [...atLimit, 'one more'] }),
      413,
      'batch_too_large',
      `batch size ${max + 1} > maximum allowed batch size ${max}`,
    );
    expect((await post(t.app, '/api/v1/ml/embeddings', { text: 'é'.repeat(maxBytes / 2) })).status).toBe(200);
    await expectError(await post(t.app, '/api/v1/ml/embeddings', { text: 'x'.repeat(maxBytes + 1) }), 422, 'validation', 'max_text_bytes');
  });
});

describe('errors', () => {
  it('unknown routes are 404 not_found in the error shape', async () => {
    await expectError(await t.app.request('/api/v1/nope'), 404, 'not_found');
    await expectError(await t.app.request('/api/v1/ml/embeddings'), 404, 'not_found'); // GET of a POST route
  });

  it('malformed JSON is 400 invalid_json, an empty body or text is 400 empty_input', async () => {
    await expectError(await post(t.app, '/api/v1/ml/embeddings', '{"text": '), 400, 'invalid_json');
    await expectError(await post(t.app, '/api/v1/ml/embeddings', ''), 400, 'empty_input');
    await expectError(await post(t.app, '/api/v1/ml/embeddings', { text: '' }), 400, 'empty_input', 'text');
    await expectError(await post(t.app, '/api/v1/ml/embeddings/batch', { texts: [] }), 400, 'empty_input', 'texts');
    await expectError(await post(t.app, '/api/v1/ml/similarity/batch', { pairs: [] }), 400, 'empty_input', 'pairs');
  });

  it('wrong types and out-of-range values are 422 validation naming the field', async () => {
    await expectError(await post(t.app, '/api/v1/ml/embeddings', { text: 5 }), 422, 'validation', '`text`');
    await expectError(await post(t.app, '/api/v1/ml/embeddings', [1, 2]), 422, 'validation', 'JSON object');
    await expectError(await post(t.app, '/api/v1/ml/embeddings/batch', { texts: ['ok', 3] }), 422, 'validation', 'texts[1]');
    await expectError(await post(t.app, '/api/v1/ml/embeddings/batch', { texts: ['ok'], encoding: 'hex' }), 422, 'validation', 'encoding');
    await expectError(await post(t.app, '/api/v1/ml/similarity/batch', { pairs: [{ a: 'x' }] }), 422, 'validation', 'pairs[0].b');
    await expectError(await post(t.app, '/api/v1/ml/profiles/rank', { profile_id: 'demo-001', limit: 0 }), 422, 'validation', 'limit');
    await expectError(
      await post(t.app, '/api/v1/ml/profiles/rank', { profile_id: 'demo-001', weights: { similarity: 2 } }),
      422,
      'validation',
      'weights.similarity',
    );
    await expectError(await post(t.app, '/api/v1/ml/profiles/rank', {}), 422, 'validation', 'profile_id');
    await expectError(
      await post(t.app, '/api/v1/ml/profiles/rank/batch', { requests: [{ profile_id: 'demo-001' }, { profile_id: 7 }] }),
      422,
      'validation',
      'requests[1].profile_id',
    );
  });

  it('candidate_ids naming one profile twice rank it once (not a 500)', async () => {
    const [query, cand] = await t.store.list(['demo-001', 'demo-004']);
    for (const profile of [{ profile_id: query!.id }, { profile: { name: 'Climate founder' } }]) {
      const res = await post(t.app, '/api/v1/ml/profiles/rank', { ...profile, candidate_ids: [cand!.id, cand!.id] });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: { profile_id: string }[] };
      expect(body.results.map((r) => r.profile_id)).toEqual([cand!.id]);
    }
  });

  it('an unknown profile is 404 not_found', async () => {
    await expectError(await post(t.app, '/api/v1/ml/profiles/rank', { profile_id: 'nobody' }), 404, 'not_found', 'nobody');
    const batch = await post(t.app, '/api/v1/ml/profiles/rank/batch', {
      requests: [{ profile_id: 'demo-001' }, { profile_id: 'nobody' }],
    });
    await expectError(batch, 404, 'not_found', '`nobody` (requests[1].profile_id)');
  });

  it('a body over MAX_BODY_BYTES is 413 payload_too_large, with or without Content-Length', async () => {
    const big = JSON.stringify({ text: 'y'.repeat(70_000) });
    await expectError(await post(t.app, '/api/v1/ml/embeddings', big), 413, 'payload_too_large', 'max_body_bytes');
    const chunk = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < chunk.length; i += 8192) controller.enqueue(chunk.slice(i, i + 8192));
        controller.close();
      },
    });
    const res = await t.app.request('/api/v1/ml/embeddings', {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      duplex: 'half',
    } as RequestInit);
    await expectError(res, 413, 'payload_too_large');
  });

  it('no client input produces a 500', async () => {
    const bodies: unknown[] = [null, 0, 'str', [], {}, { text: null }, { texts: 'abc' }, { texts: [null] }, { pairs: [1] }, { requests: [[]] }];
    for (const route of ['embeddings', 'embeddings/batch', 'similarity', 'similarity/batch', 'profiles/rank', 'profiles/rank/batch']) {
      for (const body of bodies) {
        const res = await post(t.app, `/api/v1/ml/${route}`, JSON.stringify(body));
        expect(res.status, `${route} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${route} ${JSON.stringify(body)}`).toBeLessThan(500);
      }
    }
  });

  it('a failing dependency gives 500 internal without taking the app down', async () => {
    // Simulated failure: a store whose reads throw.
    const store = new MemoryProfileStore({ seed: demoProfiles(3) });
    store.changesSince = async () => {
      throw new Error('disk on fire');
    };
    const cache = createMemoryCache({ maxEntries: 10, ttlSeconds: 60 });
    const ml = createMlService({ config: t.config, cache, store, model: { state: 'ready', embedder, notes: [] } });
    const lines: { level: number; msg: string; err?: { message: string } }[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const app = createApp({ config: t.config, store, cache, ml, logger });
    await expectError(await post(app, '/api/v1/ml/profiles/rank', { profile_id: 'demo-001' }), 500, 'internal');
    // One error line for the operator, with the cause; the client got only "internal server error".
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'request failed', err: { message: 'disk on fire' } });
    expect((await post(app, '/api/v1/ml/embeddings', { text: 'still alive' })).status).toBe(200);
  });

  it('ML endpoints answer 503 ml_unavailable while ML is disabled; ranking still works without ML', async () => {
    const off = buildTestApp({ model: { state: 'disabled' } });
    await expectError(await post(off.app, '/api/v1/ml/embeddings', { text: 'hi' }), 503, 'ml_unavailable');
    await expectError(await post(off.app, '/api/v1/ml/embeddings/batch', { texts: ['hi'] }), 503, 'ml_unavailable');
    await expectError(await post(off.app, '/api/v1/ml/similarity', { a: 'x', b: 'y' }), 503, 'ml_unavailable');
    await expectError(await post(off.app, '/api/v1/ml/similarity/batch', { pairs: [{ a: 'x', b: 'y' }] }), 503, 'ml_unavailable');
    const rank = await post(off.app, '/api/v1/ml/profiles/rank', { profile_id: 'demo-001', limit: 5 });
    expect(rank.status).toBe(200);
    const body = (await rank.json()) as { ml_applied: boolean; model: string | null; results: { breakdown: { similarity: number } }[] };
    expect(body.ml_applied).toBe(false);
    expect(body.model).toBeNull();
    expect(body.results.every((r) => r.breakdown.similarity === 0)).toBe(true);
    const info = (await (await off.app.request('/api/v1/ml/info')).json()) as { ml_available: boolean; max_batch_size: number };
    expect(info).toMatchObject({ ml_available: false, max_batch_size: 8 });
  });

  it('a full inference queue answers 429 overloaded, and every other request succeeds', async () => {
    const small = buildTestApp({
      model: { state: 'ready', embedder, notes: [] },
      env: { MAX_BATCH_SIZE: '2', MAX_QUEUE_SIZE: '2', BATCH_WINDOW_MS: '1' },
    });
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, i) => post(small.app, '/api/v1/ml/embeddings', { text: `queue pressure ${i}` })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const overloaded = responses.find((r) => r.status === 429)!;
    expect(overloaded.headers.get('retry-after')).toBe('1');
    await expectError(overloaded, 429, 'overloaded', 'max_queue_size 2');
  });
});

describe('static files', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'nearfeed-static-'));
  const demoDir = path.join(root, 'demo');
  const modelsDir = path.join(root, 'models');
  mkdirSync(demoDir, { recursive: true });
  mkdirSync(path.join(modelsDir, 'tiny', 'onnx'), { recursive: true });
  writeFileSync(path.join(demoDir, 'index.html'), '<!doctype html><title>nearfeed</title>');
  writeFileSync(path.join(demoDir, 'ort.wasm'), Buffer.from([0, 97, 115, 109]));
  mkdirSync(path.join(demoDir, 'assets'));
  writeFileSync(path.join(demoDir, 'assets', 'ort-wasm-simd-threaded.asyncify-CxOG5pUO.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(path.join(demoDir, 'assets', 'plain.js'), 'export {};');
  writeFileSync(path.join(modelsDir, 'tiny', 'onnx', 'model.onnx'), Buffer.from([8, 1]));
  writeFileSync(path.join(modelsDir, 'tiny', 'config.json'), '{"model_type":"bert"}');
  writeFileSync(path.join(root, 'secret.txt'), 'do not serve');

  function staticApp() {
    return createApp({
      ...t,
      staticFiles: { demoDir, modelRoots: [modelsDir], modelDirs: { 'nearfeed-test': TEST_MODEL_DIR } },
    });
  }

  it('serves the demo, the wasm and model files with the right content types', async () => {
    const app = staticApp();
    const index = await app.request('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('nearfeed');
    expect((await app.request('/some/client/route')).status).toBe(200);
    const wasm = await app.request('/ort.wasm');
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    const onnx = await app.request('/models/tiny/onnx/model.onnx');
    expect(onnx.status).toBe(200);
    expect(onnx.headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await onnx.arrayBuffer())).toEqual(new Uint8Array([8, 1]));
    expect((await app.request('/models/tiny/config.json')).headers.get('content-type')).toContain('application/json');
    const real = await app.request('/models/nearfeed-test/tokenizer.json');
    expect(real.status).toBe(200);
    // The API still wins over static files.
    expect((await app.request('/api/v1/ml/health')).status).toBe(200);
  });

  it('serves the demo cross-origin isolated (COOP + COEP) and lets other origins load model files', async () => {
    const app = staticApp();
    for (const p of ['/', '/ort.wasm', '/some/client/route']) {
      const res = await app.request(p);
      expect(res.headers.get('cross-origin-opener-policy'), p).toBe('same-origin');
      expect(res.headers.get('cross-origin-embedder-policy'), p).toBe('require-corp');
    }
    const onnx = await app.request('/models/tiny/onnx/model.onnx');
    expect(onnx.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('lets browsers keep content-hashed build files for a year; the page and unhashed files are revalidated', async () => {
    const app = staticApp();
    const hashed = await app.request('/assets/ort-wasm-simd-threaded.asyncify-CxOG5pUO.wasm');
    expect(hashed.status).toBe(200);
    expect(hashed.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    for (const p of ['/', '/ort.wasm', '/assets/plain.js', '/some/client/route']) {
      expect((await app.request(p)).headers.get('cache-control'), p).toBe('no-cache');
    }
  });

  it('never serves a file outside its folder', async () => {
    const app = staticApp();
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/models/tiny/..%2f..%2fsecret.txt',
      '/models/tiny/%2e%2e/%2e%2e/secret.txt',
      '/models/..%2f/secret.txt',
      '/models/tiny/..%5c..%5csecret.txt',
      '/models/tiny/missing.onnx',
    ]) {
      const res = await app.request(p);
      const text = await res.text();
      expect(text, p).not.toContain('do not serve');
      expect([404, 200], p).toContain(res.status);
      if (res.status === 200) expect(text, p).toContain('<title>nearfeed'); // the demo page, never the file
    }
  });
});
