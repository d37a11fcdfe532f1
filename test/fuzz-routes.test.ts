/**
 * Property-based fuzz of every route (fast-check): the routes come from the app's own OpenAPI document, and
 * each run sends one of them (or an unknown neighbour) a random method, random headers and content type, a
 * random query and a random body — any JSON value, JSON objects built from the API's field names with random
 * values, or bytes that are not JSON. The app runs on real parts (the generated test model through ONNX
 * Runtime, the memory store and cache). Whatever is sent: never a 5xx, and every 4xx is the documented error
 * shape — `{error, error_type}`, OpenAI's `{error: {message, type, ...}}` under /v1.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, loadTestEmbedder, type TestApp } from './support/ml-fixture';

/** Field names the API's request schemas use: random objects over them get past "not an object" into the fields. */
const FIELDS = [
  'text', 'texts', 'a', 'b', 'pairs', 'profile', 'profile_id', 'candidates', 'limit', 'requests', 'input', 'inputs',
  'model', 'encoding_format', 'dimensions', 'query', 'truncate', 'normalize', 'prompt_name', 'upsert', 'delete', 'id',
  'name', 'headline', 'bio', 'tags', 'diligence', 'engagement', 'interactions', 'weights', 'diversity', 'exclude',
  'cursor', 'embeddings', 'user', 'raw_scores', 'return_text',
] as const;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND'] as const;
const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/vnd.api+json', 'text/plain', 'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '', 'application/jsonx',
] as const;
/** Headers the server reads, plus arbitrary ones. */
const HEADER_NAMES = [
  'authorization', 'origin', 'accept', 'accept-encoding', 'content-encoding', 'if-match', 'if-none-match', 'x-forwarded-for',
  'forwarded', 'x-request-id', 'range', 'access-control-request-method', 'access-control-request-headers',
] as const;

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const headerName = fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/));
const headers = fc.dictionary(headerName, printable, { maxKeys: 4 });

/** A JSON value of any shape, an object over the API's field names, or text that may not be JSON at all. */
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.jsonValue({ maxDepth: 2 })), { maxLength: 12 }),
  fc.record({ name: fc.string(), headline: fc.string(), bio: fc.string(), tags: fc.array(fc.string(), { maxLength: 5 }), diligence: fc.double(), engagement: fc.double() }, { requiredKeys: [] }),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 5 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 64 }).map((b) => new TextDecoder('latin1').decode(b)),
);

interface Route {
  method: string;
  /** OpenAPI path, `{id}` for a parameter. */
  path: string;
}

/** A concrete URL for a route template, with a random path parameter and query. */
function url(path: string, param: string, query: [string, string][]): string {
  const p = path.replace(/\{[^}]+\}/g, encodeURIComponent(param));
  const q = new URLSearchParams(query).toString();
  return q ? `${p}?${q}` : p;
}

describe('fuzz: every route, random input', () => {
  let t: TestApp;
  let routes: Route[] = [];
  beforeAll(async () => {
    t = buildTestApp({ model: { state: 'ready', embedder: await loadTestEmbedder(), notes: [] } });
    const doc = (await (await t.app.request('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })));
  });
  afterAll(async () => {
    await t.ranking.close();
    await t.ml.close();
  });

  it('covers every route of the document', () => {
    expect(routes.length).toBeGreaterThan(15);
  });

  it('never answers 5xx, and every 4xx has the error shape', async () => {
    const request = fc.record({
      route: fc.integer({ min: 0, max: 1_000 }),
      // Mostly the route's own method, sometimes any other.
      method: fc.option(fc.constantFrom(...METHODS), { freq: 3 }),
      // Sometimes a path next to the route: a sub-path or a trailing slash.
      suffix: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '/x', '/..', '/%2e%2e', '//') }),
      param: fc.oneof(fc.constantFrom('demo-001', 'demo-002', 'nope'), fc.string({ maxLength: 80 })),
      query: fc.array(fc.tuple(fc.constantFrom('cursor', 'limit', 'embeddings', 'tags', 'x'), fc.string({ maxLength: 20 })), { maxLength: 3 }),
      // Mostly JSON, so bodies get past the content-type check into validation.
      contentType: fc.oneof(
        { weight: 5, arbitrary: fc.constant('application/json') },
        { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
      headers,
      body,
    });
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const route = routes[r.route % routes.length]!;
        const method = r.method ?? route.method;
        const target = url(route.path + r.suffix, r.param, r.query);
        const h = new Headers();
        for (const [k, v] of Object.entries(r.headers)) h.set(k, v);
        if (r.contentType !== null) h.set('content-type', r.contentType);
        const withBody = r.body !== undefined && method !== 'GET' && method !== 'HEAD';
        const res = await t.app.request(target, { method, headers: h, ...(withBody ? { body: r.body } : {}) });
        const text = await res.text();
        const what = `${method} ${target} → ${res.status} ${text.slice(0, 300)}`;
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        expect(res.status, what).toBeLessThan(500);
        if (res.status < 400 || method === 'HEAD') return;
        const json = JSON.parse(text) as Record<string, unknown>;
        const openai = target === '/v1' || target.startsWith('/v1/') || target.startsWith('/v1?');
        if (openai) {
          const error = json.error as Record<string, unknown>;
          expect(typeof error?.message, what).toBe('string');
          expect(typeof error?.type, what).toBe('string');
        } else {
          expect(typeof json.error, what).toBe('string');
          expect(typeof json.error_type, what).toBe('string');
        }
      }),
      // A new seed each run (a failure prints its seed and path to replay); bounded runs keep it to seconds.
      { numRuns: 1000 },
    );
    // The fuzz reached past the front door: successes and the many ways of being refused.
    const statuses = [...seen.keys()];
    expect(statuses, JSON.stringify(Object.fromEntries(seen))).toContain(200);
    expect(statuses.filter((s) => s >= 400).length, JSON.stringify(Object.fromEntries(seen))).toBeGreaterThanOrEqual(4);
    console.log(`fuzz statuses: ${JSON.stringify(Object.fromEntries([...seen].sort((a, b) => a[0] - b[0])))}`);
  }, 120_000);
});
