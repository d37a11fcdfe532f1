/**
 * GET /api/v1/openapi.json: a valid OpenAPI 3.1 document by an independent validator
 * (@seriousme/openapi-schema-validator), listing every route the app serves, with error responses.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './support/ml-fixture';

const t = buildTestApp({ model: { state: 'disabled' } });

async function document(): Promise<{ openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }> {
  const res = await t.app.request('/api/v1/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator does reject a broken document.
    const broken = { ...doc, paths: { '/x': { get: { responses: { 200: { content: {} } } } } } };
    expect((await new Validator().validate(broken as never)).valid).toBe(false);
  });

  it('lists every route of the app, and each with its error responses', async () => {
    const doc = await document();
    const routes = t.app.routes
      .filter((r) => r.method !== 'ALL') // middleware and the JSON 404 of unknown API paths
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(routes.length).toBeGreaterThan(15);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect([...new Set(routes)].sort()).toEqual([...documented].sort());
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) expect(Object.keys(op.responses), `${method} ${path}`).toContain('500');
    }
  });

  it('states this server limits and the OpenAI error shape on /v1', async () => {
    const doc = (await document()) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const batch = doc.paths['/api/v1/ml/embeddings/batch'].post;
    expect(batch.requestBody.content['application/json'].schema.properties.texts.maxItems).toBe(t.config.maxBatchSize);
    expect(batch.responses['413'].content['application/json'].schema.$ref).toBe('#/components/schemas/ApiError');
    expect(doc.paths['/v1/embeddings'].post.responses['422'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/OpenAIError',
    );
    expect(doc.paths['/api/v1/sync'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['cursor', 'limit', 'embeddings', 'tags']);
  });

  it('describes profile versions: ETag on GET and PUT, If-Match and 412 on PUT and DELETE, a failed write\'s outcome', async () => {
    const doc = (await document()) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const profile = doc.paths['/api/v1/profiles/{id}'];
    expect(Object.keys(profile.get.responses['200'].headers)).toEqual(['ETag']);
    expect(Object.keys(profile.put.responses['200'].headers)).toEqual(['ETag']);
    expect(Object.keys(profile.put.responses['201'].headers)).toEqual(['ETag']);
    for (const op of [profile.put, profile.delete]) {
      expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header' }));
      expect(op.responses['412'].headers.ETag).toBeDefined();
      expect(op.responses['412'].content['application/json'].schema.$ref).toBe('#/components/schemas/ApiError');
    }
    expect(doc.components.schemas.ApiError.properties.outcome.enum).toEqual(['not_applied', 'unknown']);
    expect(doc.components.schemas.ApiError.properties.error_type.enum).toContain('precondition_failed');
  });
});
