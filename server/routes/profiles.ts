/**
 * /profiles/{id}: read, create or replace, and delete one candidate profile. A write also drops the profile's
 * cached vector, so the next feed or sync embeds the new text.
 */
import { Hono } from 'hono';
import { got } from '../../shared/api/common';
import {
  profilePathSchema,
  profilePutSchema,
  type ProfileDeleteResponse,
  type ProfileResponse,
} from '../../shared/api/profiles';
import type { ServerDeps } from '../deps';
import { ApiFailure } from '../http/errors';
import { jsonBody, pathParams } from '../http/validate';

/** Routes `GET|PUT|DELETE /profiles/:id`, mounted under /api/v1. */
export function profileRoutes(deps: ServerDeps): Hono {
  const { store, ml, ranking } = deps;
  const app = new Hono();

  /** The cache entry goes whatever happens to the cache: the write already happened and must be answered. */
  async function forget(id: string): Promise<void> {
    try {
      await ml.forgetProfile(id);
    } catch (err) {
      // The content hash check on read still keeps a stale vector from being served.
      console.warn(`[nearfeed] could not drop the cached vector of profile ${JSON.stringify(id)}:`, err);
    }
  }

  const path = pathParams(profilePathSchema);

  app.get('/profiles/:id', path, async (c) => {
    const { id } = c.req.valid('param');
    const profile = await store.get(id);
    if (!profile) throw new ApiFailure('not_found', `profile \`${id}\` not found`);
    const res: ProfileResponse = profile;
    return c.json(res);
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
    const created = await store.put(profile);
    await forget(id);
    await ranking.afterWrite();
    return c.json(profile, created ? 201 : 200);
  });

  app.delete('/profiles/:id', path, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await store.delete(id))) throw new ApiFailure('not_found', `profile \`${id}\` not found`);
    await forget(id);
    await ranking.afterWrite();
    const res: ProfileDeleteResponse = { id, deleted: true };
    return c.json(res);
  });

  return app;
}
