/**
 * The OpenAI-compatible (/v1/embeddings, /v1/models) and TEI-compatible (/embed, /rerank) routes, on a real
 * server listening on a port, driven by the official `openai` client and plain fetch: the same vectors as
 * /api/v1/ml/embeddings/batch, Matryoshka `dimensions`, real token counts, OpenAI-shaped errors surfacing as
 * the SDK's typed errors, and TEI's shapes, order, top_n and flags.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64ToFloat32 } from '../shared/base64';
import type { NodeEmbedder } from '../server/embedder/node-embedder';
import { buildTestApp, loadTestEmbedder, type TestApp } from './support/ml-fixture';

let embedder: NodeEmbedder;
let t: TestApp;
let server: ServerType;
let base: string;
let client: OpenAI;

beforeAll(async () => {
  embedder = (await loadTestEmbedder()) as NodeEmbedder;
  t = buildTestApp({ model: { state: 'ready', embedder, notes: [] } });
  server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await embedder.dispose();
});

const TEXTS = ['Founder building climate software in Berlin', 'seed investor in fintech', 'a designer of mobile apps'];

async function postJson(route: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function nativeBatch(texts: string[]): Promise<number[][]> {
  const { status, json } = await postJson('/api/v1/ml/embeddings/batch', { texts });
  expect(status).toBe(200);
  return (json as { embeddings: number[][] }).embeddings;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

describe('OpenAI-compatible /v1', () => {
  it('float, base64 and the SDK default (base64 decoded by the SDK) equal /api/v1/ml/embeddings/batch', async () => {
    const native = await nativeBatch(TEXTS);
    const floats = await client.embeddings.create({ model: 'anything', input: TEXTS, encoding_format: 'float' });
    expect(floats.object).toBe('list');
    expect(floats.model).toBe(embedder.info.model);
    expect(floats.data.map((d) => d.index)).toEqual([0, 1, 2]);
    floats.data.forEach((d, i) => expect(maxDiff(d.embedding, native[i]!)).toBeLessThan(1e-6));

    const b64 = await client.embeddings.create({ model: 'anything', input: TEXTS, encoding_format: 'base64' });
    b64.data.forEach((d, i) => {
      const decoded = base64ToFloat32(d.embedding as unknown as string, embedder.info.dimension);
      expect(maxDiff(decoded, native[i]!)).toBeLessThan(1e-6);
    });

    const sdkDefault = await client.embeddings.create({ model: 'anything', input: TEXTS[1]! });
    expect(sdkDefault.data).toHaveLength(1);
    expect(maxDiff(sdkDefault.data[0]!.embedding, native[1]!)).toBeLessThan(1e-6);
  });

  it('dimensions keeps the first n values, renormalised', async () => {
    const [full] = await nativeBatch([TEXTS[0]!]);
    const n = 16;
    const short = await client.embeddings.create({ model: 'm', input: [TEXTS[0]!], dimensions: n, encoding_format: 'float' });
    const v = short.data[0]!.embedding;
    expect(v).toHaveLength(n);
    expect(norm(v)).toBeCloseTo(1, 5);
    const prefix = full!.slice(0, n);
    const scale = norm(prefix);
    expect(maxDiff(v, prefix.map((x) => x / scale))).toBeLessThan(1e-6);
    const all = await client.embeddings.create({ model: 'm', input: 'x', dimensions: embedder.info.dimension });
    expect(all.data[0]!.embedding).toHaveLength(embedder.info.dimension);
  });

  it("usage counts the tokenizer's tokens (after truncation)", async () => {
    const long = Array.from({ length: embedder.info.maxSeqLength * 2 }, (_, i) => `word${i % 30}`).join(' ');
    const input = [...TEXTS, long];
    const res = await client.embeddings.create({ model: 'm', input });
    const counts = await embedder.countTokens(input);
    const total = counts.reduce((a, b) => a + b, 0);
    expect(counts[3]).toBe(embedder.info.maxSeqLength);
    expect(res.usage).toEqual({ prompt_tokens: total, total_tokens: total });
  });

  it('errors surface as the SDK typed errors, in OpenAI shape with param and code', async () => {
    const tooWide = await client.embeddings
      .create({ model: 'm', input: 'x', dimensions: embedder.info.dimension + 1 })
      .catch((e: unknown) => e);
    expect(tooWide).toBeInstanceOf(OpenAI.UnprocessableEntityError);
    const err = tooWide as InstanceType<typeof OpenAI.UnprocessableEntityError>;
    expect(err.status).toBe(422);
    expect(err.param).toBe('dimensions');
    expect(err.code).toBe('validation');
    expect(err.type).toBe('invalid_request_error');
    expect(err.message).toContain(String(embedder.info.dimension));

    const empty = await client.embeddings.create({ model: 'm', input: '' }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(OpenAI.BadRequestError);
    expect((empty as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('empty_input');

    const tooMany = await client.embeddings
      .create({ model: 'm', input: Array.from({ length: t.config.maxBatchSize + 1 }, (_, i) => `t${i}`) })
      .catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(OpenAI.APIError);
    expect((tooMany as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    expect((tooMany as InstanceType<typeof OpenAI.APIError>).code).toBe('batch_too_large');

    // Token ids (what some clients send by default) are refused with a message that says what to send.
    const ids = await postJson('/v1/embeddings', { model: 'm', input: [[101, 2023]] });
    expect(ids.status).toBe(422);
    expect(ids.json).toMatchObject({ error: { param: 'input[0]', code: 'validation', type: 'invalid_request_error' } });
    const unknown = await fetch(`${base}/v1/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found', param: null } });
  });

  it('ML unavailable is a 503 server_error in OpenAI shape', async () => {
    const off = buildTestApp({ model: { state: 'disabled' } });
    const res = await off.app.request('/v1/embeddings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', input: 'hi' }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { type: 'server_error', code: 'ml_unavailable' } });
  });

  it('GET /v1/models lists the served model', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([embedder.info.model]);
    expect(models.data[0]).toMatchObject({ object: 'model', owned_by: 'nearfeed' });
  });
});

describe('TEI-compatible /embed and /rerank', () => {
  type Ranked = { index: number; score: number; text?: string }[];

  it('/embed answers one vector per input (a string gives one), equal to the native batch', async () => {
    const native = await nativeBatch(TEXTS);
    const many = await postJson('/embed', { inputs: TEXTS });
    expect(many.status).toBe(200);
    const vectors = many.json as number[][];
    expect(vectors).toHaveLength(3);
    vectors.forEach((v, i) => expect(maxDiff(v, native[i]!)).toBeLessThan(1e-6));
    const one = await postJson('/embed', { inputs: TEXTS[2], normalize: true, truncate: true });
    expect(one.json as number[][]).toHaveLength(1);
    expect(maxDiff((one.json as number[][])[0]!, native[2]!)).toBeLessThan(1e-6);
  });

  it('/embed: normalize false is refused, truncate false refuses a text over max_seq_length', async () => {
    const normalize = await postJson('/embed', { inputs: 'x', normalize: false });
    expect(normalize.status).toBe(422);
    expect(normalize.json).toMatchObject({ error_type: 'validation', error: expect.stringContaining('normalize') });
    const long = Array.from({ length: embedder.info.maxSeqLength + 10 }, () => 'word').join(' ');
    const refused = await postJson('/embed', { inputs: ['short', long], truncate: false });
    expect(refused.status).toBe(422);
    expect((refused.json as { error: string }).error).toContain('`inputs[1]`');
    expect((refused.json as { error: string }).error).toContain(`max_seq_length ${embedder.info.maxSeqLength}`);
    expect((await postJson('/embed', { inputs: ['short', long] })).status).toBe(200);
    expect((await postJson('/embed', { inputs: [] })).status).toBe(400);
  });

  it('/rerank orders by cosine, best first, with top_n, return_text and raw_scores', async () => {
    const query = 'climate software founder';
    const texts = ['a designer of mobile apps', 'Founder building climate software in Berlin', 'seed investor', 'climate'];
    const [q, ...vs] = await nativeBatch([query, ...texts]);
    const cosines = vs.map((v) => v.reduce((s, x, i) => s + x * q![i]!, 0));
    const expected = cosines.map((c, index) => ({ index, c })).sort((a, b) => b.c - a.c || a.index - b.index);

    const raw = (await postJson('/rerank', { query, texts, raw_scores: true })).json as Ranked;
    expect(raw.map((r) => r.index)).toEqual(expected.map((e) => e.index));
    raw.forEach((r) => expect(r.score).toBeCloseTo(cosines[r.index]!, 5));
    expect(raw.every((r) => r.text === undefined)).toBe(true);

    const top = (await postJson('/rerank', { query, texts, top_n: 2, return_text: true })).json as Ranked;
    expect(top).toHaveLength(2);
    top.forEach((r, k) => {
      expect(r.index).toBe(expected[k]!.index);
      expect(r.text).toBe(texts[r.index]);
      expect(r.score).toBeCloseTo((cosines[r.index]! + 1) / 2, 5);
    });
    const bad = await postJson('/rerank', { query, texts, top_n: 0 });
    expect(bad.status).toBe(422);
    expect((bad.json as { error: string }).error).toContain('`top_n`');
  });
});
