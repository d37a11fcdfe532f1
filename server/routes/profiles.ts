/**
 * /profiles/{id}: read, create or replace, and delete one candidate profile, with its version as ETag and
 * If-Match honoured (http/preconditions.ts); /profiles/batch: many writes in one request (bulk import). Every
 * write goes through the store's write path (`store.write`, `store.writeIf`); a delete also drops the profile's
 * cached vector. A put does not: the cache answers only for the content hash asked for, so the old vector is
 * never served, and dropping it after the write raced the embedding worker of another process, which may
 * already have cached the new version's vector (the drop then lost it for every other process).
 */
import { Hono } from 'hono';
import { got } from '../../shared/api/common';
import {
  profileBatchRequestSchema,
  profilePathSchema,
  profilePutSchema,
  type ProfileBatchResponse,
  type ProfileDeleteResponse,
  type ProfileResponse,
} from '../../shared/api/profiles';
import type { ServerDeps } from '../deps';
import { parseProfileBatch } from '../http/batch-input';
import { ApiFailure } from '../http/errors';
import { etag, parseIfMatch, preconditionFailed } from '../http/preconditions';
import { jsonBody, pathParams } from '../http/validate';

/** Routes `GET|PUT|DELETE /profiles/:id` and `POST /profiles/batch`, mounted under /api/v1. */
export function profileRoutes(deps: ServerDeps): Hono {
  const { store, ml, ranking, config } = deps;
  const app = new Hono();

  /** Deleted profiles' vectors go; whatever happens to the cache, the deletes happened and must be answered. */
  async function forget(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await ml.forgetProfiles(ids);
    } catch (err) {
      // The content hash check on read still keeps a stale vector from being served.
      console.warn(`[nearfeed] could not drop the cached vectors of ${ids.length} deleted profile(s):`, err);
    }
  }

  app.post('/profiles/batch', jsonBody(profileBatchRequestSchema(config)), async (c) => {
    const items = parseProfileBatch(c.req.valid('json'));
    const writes = items.flatMap((item) => ('write' in item ? [item.write] : []));
    const outcomes = writes.length > 0 ? await store.write(writes) : [];
    await forget(writes.flatMap((w) => (w.op === 'delete' ? [w.id] : [])));
    // Once per batch, as the single routes do per write: the index never serves a profile this batch deleted.
    if (writes.length > 0) await ranking.afterWrite();
    let next = 0;
    const res: ProfileBatchResponse = {
      results: items.map((item) => {
        if (!('write' in item)) return { id: item.id, status: 'error', error: item.error, error_type: 'validation' };
        const w = item.write;
        return { id: w.op === 'put' ? w.profile.id : w.id, status: outcomes[next++]! };
      }),
    };
    return c.json(res);
  });

  const path = pathParams(profilePathSchema);

  app.get('/profiles/:id', path, async (c) => {
    const { id } = c.req.valid('param');
    const found = await store.read(id);
    if (!found) throw new ApiFailure('not_found', `profile \`${id}\` not found`);
    const res: ProfileResponse = found.profile;
    return c.json(res, 200, { etag: etag(found.version) });
  });

  app.put('/profiles/:id', path, jsonBody(profilePutSchema), async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    if (body.id !== undefined && body.id !== id) {
      throw new ApiFailure('validation', `\`id\` in the body (${got(body.id)}) must match the id in the path ("${id}") or be left out`, 'id');
    }
    const { name, headline, bio, tags, diligence, engagement } = body;
    const updated_at = body.updated_at ?? new Date().toISOString();
    const profile: ProfileResponse = { id, name, headline, bio, tags, diligence, engagement, updated_at };
    const done = await store.writeIf({ op: 'put', profile }, parseIfMatch(c.req.header('if-match')));
    if (done.outcome === 'precondition_failed') throw preconditionFailed(id, done.version);
    await ranking.afterWrite();
    return c.json(profile, done.outcome === 'created' ? 201 : 200, { etag: etag(done.version as string) });
  });

  app.delete('/profiles/:id', path, async (c) => {
    const { id } = c.req.valid('param');
    const done = await store.writeIf({ op: 'delete', id }, parseIfMatch(c.req.header('if-match')));
    if (done.outcome === 'precondition_failed') throw preconditionFailed(id, done.version);
    if (done.outcome === 'not_found') throw new ApiFailure('not_found', `profile \`${id}\` not found`);
    await forget([id]);
    await ranking.afterWrite();
    const res: ProfileDeleteResponse = { id, deleted: true };
    return c.json(res);
  });

  return app;
}
