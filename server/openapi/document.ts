/**
 * The OpenAPI 3.1 document of every route, generated from the zod schemas of shared/api/ with the server's
 * limits (zod's own JSON Schema output: draft 2020-12, OpenAPI 3.1's dialect). One table lists the routes;
 * a test checks that every route of the app is in it and validates the document.
 */
import { z } from 'zod';
import { apiErrorSchema } from '../../shared/api/common';
import { feedRequestSchema, feedResponseSchema, rankRequestSchema } from '../../shared/api/feed';
import {
  embeddingBatchRequestSchema,
  embeddingBatchResponseSchema,
  embeddingRequestSchema,
  embeddingResponseSchema,
  mlHealthSchema,
  mlInfoSchema,
  rankBatchRequestSchema,
  rankBatchResponseSchema,
  rankResponseSchema,
  similarityBatchRequestSchema,
  similarityBatchResponseSchema,
  similarityRequestSchema,
  similarityResponseSchema,
} from '../../shared/api/ml';
import {
  openaiEmbeddingsRequestSchema,
  openaiEmbeddingsResponseSchema,
  openaiErrorSchema,
  openaiModelsResponseSchema,
} from '../../shared/api/openai';
import {
  profileBatchRequestSchema,
  profileBatchResponseSchema,
  profileDeleteResponseSchema,
  profilePathSchema,
  profilePutSchema,
  profileSchema,
} from '../../shared/api/profiles';
import { syncQuerySchema, syncResponseSchema } from '../../shared/api/sync';
import {
  teiEmbedRequestSchema,
  teiEmbedResponseSchema,
  teiRerankRequestSchema,
  teiRerankResponseSchema,
} from '../../shared/api/tei';
import type { RankLimits } from '../../shared/api/feed';

type JsonSchema = Record<string, unknown>;

/** One operation of the table. */
interface Operation {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI path (`/api/v1/profiles/{id}`). */
  path: string;
  tag: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
  /** Success status → response schema (a plain JSON value when the schema is undefined). */
  responses: Record<number, z.ZodType | undefined>;
  /** Error statuses the route answers, besides 500. */
  errors: number[];
  /** OpenAI's error shape (the /v1 routes) instead of `{error, error_type}`. */
  openaiErrors?: boolean;
  /** The success body's media type when it is not JSON (a plain string body). */
  textResponse?: string;
  /** Success responses carry the profile's version as `ETag`. */
  etag?: boolean;
  /** Takes `If-Match` (then a 412 may carry the current `ETag`). */
  ifMatch?: boolean;
}

const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed JSON, or an empty body, text, array or profile.',
  401: 'A key is needed (REQUIRE_READ_KEY=true) or the one sent is unknown (WWW-Authenticate: Bearer).',
  404: 'Unknown profile or route.',
  409: 'Unknown or expired sync cursor: sync again without one.',
  412: 'If-Match did not hold: the profile changed since that version (its current ETag is sent), or it does not exist.',
  413: 'Body over max_body_bytes, or a batch over max_batch_size.',
  415: 'A body without Content-Type: application/json.',
  422: 'A field of the wrong type or out of range (the message names it and the limit).',
  429: 'The inference queue is full, or the client’s rate limit is spent (Retry-After).',
  500: 'An unexpected failure.',
  503: 'ML unavailable, or the profile store down (Retry-After); a write says its `outcome` (not_applied | unknown).',
};

/** The routes, with the schemas built for `limits`. */
function operations(limits: RankLimits & { maxImportBatch: number }): Operation[] {
  const ml = [400, 413, 415, 422, 429, 503];
  return [
    { method: 'post', path: '/api/v1/ml/embeddings', tag: 'ml', summary: 'Embed one text', body: embeddingRequestSchema(limits), responses: { 200: embeddingResponseSchema }, errors: ml },
    { method: 'post', path: '/api/v1/ml/embeddings/batch', tag: 'ml', summary: 'Embed texts', body: embeddingBatchRequestSchema(limits), responses: { 200: embeddingBatchResponseSchema }, errors: ml },
    { method: 'post', path: '/api/v1/ml/similarity', tag: 'ml', summary: 'Cosine similarity of two texts', body: similarityRequestSchema(limits), responses: { 200: similarityResponseSchema }, errors: ml },
    { method: 'post', path: '/api/v1/ml/similarity/batch', tag: 'ml', summary: 'Cosine similarity of pairs', body: similarityBatchRequestSchema(limits), responses: { 200: similarityBatchResponseSchema }, errors: ml },
    { method: 'post', path: '/api/v1/ml/profiles/rank', tag: 'ml', summary: 'Rank candidates for a profile', body: rankRequestSchema(limits), responses: { 200: rankResponseSchema }, errors: [...ml, 404] },
    { method: 'post', path: '/api/v1/ml/profiles/rank/batch', tag: 'ml', summary: 'Rank for several profiles', body: rankBatchRequestSchema(limits), responses: { 200: rankBatchResponseSchema }, errors: [...ml, 404] },
    { method: 'get', path: '/api/v1/ml/health', tag: 'ml', summary: 'Model, cache and store health', responses: { 200: mlHealthSchema, 503: mlHealthSchema }, errors: [] },
    { method: 'get', path: '/api/v1/ml/info', tag: 'ml', summary: 'The model and the request limits', responses: { 200: mlInfoSchema }, errors: [] },
    { method: 'get', path: '/api/v1/profiles/{id}', tag: 'profiles', summary: 'Read a profile', params: profilePathSchema, responses: { 200: profileSchema }, errors: [404, 422, 503], etag: true },
    { method: 'put', path: '/api/v1/profiles/{id}', tag: 'profiles', summary: 'Create (201) or replace (200) a profile', params: profilePathSchema, body: profilePutSchema, responses: { 200: profileSchema, 201: profileSchema }, errors: [400, 412, 413, 415, 422, 503], etag: true, ifMatch: true },
    { method: 'delete', path: '/api/v1/profiles/{id}', tag: 'profiles', summary: 'Delete a profile', params: profilePathSchema, responses: { 200: profileDeleteResponseSchema }, errors: [404, 412, 422, 503], ifMatch: true },
    { method: 'post', path: '/api/v1/profiles/batch', tag: 'profiles', summary: 'Create, replace and delete many profiles (per-item results)', body: profileBatchRequestSchema(limits), responses: { 200: profileBatchResponseSchema }, errors: [400, 413, 415, 422, 503] },
    { method: 'get', path: '/api/v1/sync', tag: 'sync', summary: 'Changes since a cursor', query: syncQuerySchema, responses: { 200: syncResponseSchema }, errors: [409, 422, 503] },
    { method: 'post', path: '/api/v1/feed', tag: 'feed', summary: 'The ranked feed for a user', body: feedRequestSchema(limits), responses: { 200: feedResponseSchema }, errors: [400, 404, 413, 415, 422, 503] },
    { method: 'get', path: '/api/v1/openapi.json', tag: 'docs', summary: 'This document', responses: { 200: undefined }, errors: [] },
    { method: 'post', path: '/v1/embeddings', tag: 'openai', summary: 'OpenAI-compatible embeddings', body: openaiEmbeddingsRequestSchema(limits), responses: { 200: openaiEmbeddingsResponseSchema }, errors: ml, openaiErrors: true },
    { method: 'get', path: '/v1/models', tag: 'openai', summary: 'OpenAI-compatible model list', responses: { 200: openaiModelsResponseSchema }, errors: [], openaiErrors: true },
    { method: 'post', path: '/embed', tag: 'tei', summary: 'TEI-compatible embeddings', body: teiEmbedRequestSchema(limits), responses: { 200: teiEmbedResponseSchema }, errors: ml },
    { method: 'get', path: '/metrics', tag: 'ops', summary: 'Prometheus metrics (text exposition format); needs a read key when REQUIRE_READ_KEY=true', responses: { 200: undefined }, errors: [401, 429], textResponse: 'text/plain; version=0.0.4; charset=utf-8' },
    { method: 'post', path: '/rerank', tag: 'tei', summary: 'TEI-compatible rerank (cosine)', body: teiRerankRequestSchema(limits), responses: { 200: teiRerankResponseSchema }, errors: ml },
  ];
}

/**
 * JSON Schema of a zod schema, its named parts (`.meta({id})`) moved to `components` and referenced there.
 * Requests are described as sent (`io: 'input'`), responses as answered.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const out = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  delete out.$schema;
  const defs = out.$defs as Record<string, JsonSchema> | undefined;
  delete out.$defs;
  const rewritten = JSON.parse(JSON.stringify(out).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  for (const [name, def] of Object.entries(defs ?? {})) {
    components[name] = JSON.parse(JSON.stringify(def).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  }
  return rewritten;
}

/** Path or query parameters from an object schema's properties. */
function parameters(schema: z.ZodObject, where: 'path' | 'query', components: Record<string, JsonSchema>): JsonSchema[] {
  const s = jsonSchema(schema, 'input', components);
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(props).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

const ETAG_HEADER = {
  ETag: {
    description: "The profile's version, a strong entity tag; send it back in If-Match to update only that version.",
    schema: { type: 'string' },
  },
};

const IF_MATCH_PARAMETER = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description:
    'Apply only if the profile exists (`*`) or its current ETag is one of these strong entity tags ' +
    '(`"v1", "v2"`); otherwise 412 precondition_failed and nothing changes. Checked atomically with the write.',
  schema: { type: 'string' },
};

/** The OpenAPI 3.1 document for a server with these limits and version. */
export function openApiDocument(limits: RankLimits & { maxImportBatch: number }, version: string): Record<string, unknown> {
  const components: Record<string, JsonSchema> = {};
  const apiError = jsonSchema(apiErrorSchema, 'output', components);
  const openaiError = jsonSchema(openaiErrorSchema, 'output', components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations(limits)) {
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(op.responses)) {
      responses[status] = {
        description: status === '201' ? 'Created' : status === '503' ? 'Unavailable' : 'OK',
        ...(op.etag ? { headers: ETAG_HEADER } : {}),
        content: op.textResponse
          ? { [op.textResponse]: { schema: { type: 'string' } } }
          : json(schema ? jsonSchema(schema, 'output', components) : { type: 'object' }),
      };
    }
    for (const status of [...op.errors, 500]) {
      if (responses[status]) continue;
      responses[status] = {
        description: ERROR_TEXT[status] ?? 'Error',
        ...(status === 412 ? { headers: ETAG_HEADER } : {}),
        content: json(op.openaiErrors ? openaiError : apiError),
      };
    }
    const parameters_ = [
      ...(op.params ? parameters(op.params, 'path', components) : []),
      ...(op.query ? parameters(op.query, 'query', components) : []),
      ...(op.ifMatch ? [IF_MATCH_PARAMETER] : []),
    ];
    (paths[op.path] ??= {})[op.method] = {
      tags: [op.tag],
      summary: op.summary,
      operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
      ...(parameters_.length > 0 ? { parameters: parameters_ } : {}),
      ...(op.body ? { requestBody: { required: true, content: json(jsonSchema(op.body, 'input', components)) } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'nearfeed',
      version,
      description:
        'Embeddings, similarity and ranking of a discovery feed; candidate profiles and their sync. Errors are ' +
        '`{error, error_type}` (OpenAI\'s shape on /v1). Limits are this server\'s (see /api/v1/ml/info).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [
      { name: 'ml', description: 'Embeddings, similarity, ranking, health' },
      { name: 'profiles', description: 'Candidate profiles' },
      { name: 'sync', description: 'Incremental pull of candidate changes' },
      { name: 'feed', description: 'The ranked feed' },
      { name: 'openai', description: 'OpenAI-compatible embeddings' },
      { name: 'tei', description: 'text-embeddings-inference-compatible routes' },
      { name: 'docs', description: 'This description' },
      { name: 'ops', description: 'Operating the server: metrics' },
    ],
    paths,
    components: { schemas: components },
  };
}
