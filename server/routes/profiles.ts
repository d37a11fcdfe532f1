/**
 * /profiles/{id}: read, create or replace, and delete one candidate profile. A write also drops the profile's
 * cached vector, so the next feed or sync embeds the new text.
 */
import { Hono } from 'hono';
import type { ProfileDeleteResponse, ProfileResponse } from '../../shared/api';
import { validateProfile } from '../../shared/profile-schema';
import type { ServerDeps } from '../deps';
import { describe, readJsonObject, requireId } from '../http/body';
import { ApiFailure } from '../http/errors';

/** Routes `GET|PUT|DELETE /profiles/:id`, mounted under /api/v1. */
export function profileRoutes(deps: ServerDeps): Hono {
  const { store, ml } = deps;
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

  app.get('/profiles/:id', async (c) => {
    const id = requireId(c.req.param('id'), 'id');
    const profile = await store.get(id);
    if (!profile) throw new ApiFailure('not_found', `profile \`${id}\` not found`);
    const res: ProfileResponse = profile;
    return c.json(res);
  });

  app.put('/profiles/:id', async (c) => {
    const id = requireId(c.req.param('id'), 'id');
    const body = await readJsonObject(c);
    if (body.id !== undefined && body.id !== id) {
      const given = typeof body.id === 'string' ? JSON.stringify(body.id) : describe(body.id);
      throw new ApiFailure('validation', `\`id\` in the body (${given}) must match the id in the path ("${id}") or be left out`);
    }
    const checked = validateProfile({ ...body, id });
    if (!checked.ok) throw new ApiFailure('validation', checked.message);
    const created = await store.put(checked.profile);
    await forget(id);
    const res: ProfileResponse = checked.profile;
    return c.json(res, created ? 201 : 200);
  });

  app.delete('/profiles/:id', async (c) => {
    const id = requireId(c.req.param('id'), 'id');
    if (!(await store.delete(id))) throw new ApiFailure('not_found', `profile \`${id}\` not found`);
    await forget(id);
    const res: ProfileDeleteResponse = { id, deleted: true };
    return c.json(res);
  });

  return app;
}
