/**
 * The schema layer (shared/api/): how zod issues become API errors (field path, rule, limit, error type), and
 * the JSON body reader in front of Hono's validator (400 empty_input / 400 invalid_json).
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { batch, idList, issueError, text, utf8Length } from '../shared/api/common';
import { rankRequestSchema } from '../shared/api/feed';
import { openaiEmbeddingsRequestSchema } from '../shared/api/openai';
import { errorResponse } from '../server/http/errors';
import { jsonBody } from '../server/http/validate';

const limits = { maxBatchSize: 3, maxTextBytes: 10, weights: { similarity: 0.6, diligence: 0.3, engagement: 0.1 } };

function errorOf(schema: z.ZodType, value: unknown) {
  const r = schema.safeParse(value);
  if (r.success) throw new Error(`expected a failure, parsed ${JSON.stringify(r.data)}`);
  return issueError(r.error.issues);
}

describe('issueError', () => {
  it('names the field path, the rule and the limit, with the error type the issue carries', () => {
    const body = z.object({ texts: batch(text(10), 3) });
    expect(errorOf(body, { texts: ['ok', 3] })).toEqual({
      errorType: 'validation',
      param: 'texts[1]',
      message: '`texts[1]` must be a string, got 3',
    });
    expect(errorOf(body, { texts: ['ok', '   '] })).toMatchObject({ errorType: 'empty_input', param: 'texts[1]' });
    expect(errorOf(body, { texts: [] })).toMatchObject({ errorType: 'empty_input', message: '`texts` must not be empty' });
    expect(errorOf(body, { texts: ['ééééééé'] }).message).toBe('`texts[0]` is 14 bytes > max_text_bytes 10');
    expect(errorOf(body, {}).message).toBe('`texts` is required and must be an array');
  });

  it('reports a too-large batch before anything wrong inside it', () => {
    const body = z.object({ texts: batch(text(10), 3) });
    expect(errorOf(body, { texts: [1, 'a', 'b', 'c'] })).toMatchObject({
      errorType: 'batch_too_large',
      message: '`texts`: batch size 4 > maximum allowed batch size 3 (see max_batch_size in /api/v1/ml/info)',
    });
    const ids = z.object({ ids: idList(2) });
    expect(errorOf(ids, { ids: ['a', 'b', 'c'] })).toMatchObject({ errorType: 'batch_too_large', param: 'ids' });
    expect(z.object({ ids: idList(3) }).parse({ ids: ['a', 'b', 'a'] })).toEqual({ ids: ['a', 'b'] });
  });

  it('looks through a union into the branch the value belongs to', () => {
    const openai = openaiEmbeddingsRequestSchema(limits);
    expect(errorOf(openai, { input: '' })).toMatchObject({ errorType: 'empty_input', param: 'input' });
    expect(errorOf(openai, { input: ['a', 'b', 'c', 'd'] })).toMatchObject({ errorType: 'batch_too_large' });
    expect(errorOf(openai, { input: ['a', 5] })).toMatchObject({ param: 'input[1]' });
    expect(errorOf(openai, { input: [[1, 2]] })).toMatchObject({ param: 'input[0]' });
    expect(errorOf(openai, { input: 5 }).message).toContain('token-id arrays are not accepted');
  });

  it('rank requests: exactly one query, weights in range and not all zero, paths through a batch', () => {
    const rank = rankRequestSchema(limits);
    expect(errorOf(rank, {}).message).toBe('request body: give exactly one of `profile_id` or `profile`');
    expect(errorOf(rank, { profile_id: 'p', profile: { name: 'x' } }).message).toContain('exactly one');
    expect(rank.parse({ profile: { name: 'A' }, profile_id: null })).toMatchObject({ profile: { name: 'A', id: '' } });
    expect(errorOf(rank, { profile_id: 'p', weights: { diligence: 1.5 } }).message).toMatch(
      /^`weights\.diligence` must be a number in \[0, 1\]/,
    );
    expect(errorOf(rank, { profile_id: 'p', weights: [1, 0, 0] }).message).toMatch(/^`weights` must be an object/);
    expect(errorOf(rank, { profile_id: 'p', weights: { similarity: 0, diligence: 0, engagement: 0 } }).message).toMatch(
      /^`weights`: weights must not all be 0/,
    );
    // Zeros merged over a base that still has weight are fine, and only the given ones are kept.
    expect(rank.parse({ profile_id: 'p', weights: { similarity: 0, diligence: null } }).weights).toEqual({ similarity: 0 });
    expect(errorOf(rank, { profile: { name: ' ' } })).toMatchObject({ errorType: 'empty_input', param: 'profile' });
  });

  it('counts UTF-8 bytes as Node does, lone surrogates included', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', '\ud800', 'a\udc00b', 'x😀y\ud83d']) {
      expect(utf8Length(s), JSON.stringify(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });
});

describe('jsonBody', () => {
  const app = new Hono();
  app.onError((err) => errorResponse(err));
  app.post('/echo', jsonBody(z.object({ text: text(100) })), (c) => c.json(c.req.valid('json')));
  const send = (body: string, type = 'application/json') =>
    app.request('/echo', { method: 'POST', body, headers: { 'content-type': type } });

  it('parses a JSON body into the typed value', async () => {
    const res = await send('{"text":"hi","extra":1}', 'application/json; charset=utf-8');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ text: 'hi' });
  });

  it('answers 400 empty_input and 400 invalid_json', async () => {
    expect((await (await send('  ')).json()) as object).toMatchObject({ error_type: 'empty_input' });
    const bad = await send('{"text": ');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error_type: 'invalid_json' });
  });
});
