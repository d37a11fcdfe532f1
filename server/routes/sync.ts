/**
 * GET /sync: incremental pull of candidate changes for browsers (Replicache/ElectricSQL style). Changes come in
 * change order, one per id (the latest), deletes as tombstones; the opaque cursor says where to resume, and an
 * unknown or expired one is 409 must_refetch: the client drops its copy and pulls again without a cursor.
 * With `embeddings=true` every put carries the server's vector, so a browser on the same model key need not
 * compute it. With `tags=a,b` the pull is of one shape (server/store/shape.ts): only profiles with one of
 * those tags, and one that loses them arrives as a delete.
 */
import { Hono } from 'hono';
import { float32ToBase64 } from '../../shared/base64';
import { profileToText } from '../../shared/profile-text';
import { syncQuerySchema, type SyncChange, type SyncResponse } from '../../shared/api';
import type { ServerDeps } from '../deps';
import { ApiFailure } from '../http/errors';
import { textHash } from '../ml/create-ml-service';
import { queryParams } from '../http/validate';
import type { ProfileChange } from '../store/profile-store';
import type { Profile } from '../../shared/types';

/** Routes `GET /sync`, mounted under /api/v1. */
export function syncRoutes(deps: ServerDeps): Hono {
  const { store, ml, ranking } = deps;
  const app = new Hono();

  app.get('/sync', queryParams(syncQuerySchema), async (c) => {
    const { cursor, limit, embeddings, tags } = c.req.valid('query');
    const page = await store.changesSince(cursor, limit, { tags });
    if (page === 'must_refetch') {
      throw new ApiFailure(
        'must_refetch',
        '`cursor` is unknown, expired (the change log was reset or trimmed past it) or of another `tags` shape; drop local candidates of this shape and sync again without a cursor',
      );
    }
    const changes: SyncChange[] = embeddings ? await withEmbeddings(page.changes) : page.changes;
    const body: SyncResponse = { changes, cursor: page.cursor, has_more: page.hasMore };
    return c.json(body);
  });

  /** Adds vectors to the puts, computed (or read from the cache) in one batch; none when ML is unavailable. */
  async function withEmbeddings(changes: ProfileChange[]): Promise<SyncChange[]> {
    const info = ml.info();
    if (!ml.available() || !info) return changes;
    const puts = changes.filter((ch): ch is Extract<ProfileChange, { op: 'put' }> => ch.op === 'put');
    if (puts.length === 0) return changes;
    // The live index holds every ready vector; the embedding cache is bounded (a 100k first sync would
    // recompute most of them there). Only the puts it has no vector for, for exactly this text, are embedded.
    const vectors: (Float32Array | undefined)[] = puts.map((ch) => readyVector(ch.profile));
    const missing = puts.flatMap((ch, i) => (vectors[i] ? [] : [i]));
    try {
      if (missing.length > 0) {
        const computed = await ml.profileVectors(missing.map((i) => puts[i]!.profile));
        missing.forEach((i, k) => (vectors[i] = computed[k]));
      }
    } catch (err) {
      // Sync must keep working without ML: the client computes what the server could not send.
      console.warn('[nearfeed] sync without embeddings, ML failed:', err);
      return changes;
    }
    const byId = new Map<string, Float32Array>();
    puts.forEach((ch, i) => {
      const v = vectors[i];
      if (v && v.length === info.dimension) byId.set(ch.profile.id, v);
    });
    return changes.map((ch) => {
      const vector = ch.op === 'put' ? byId.get(ch.profile.id) : undefined;
      if (ch.op !== 'put' || !vector) return ch;
      return { ...ch, embedding: { model: info.modelKey, dimension: vector.length, vector: float32ToBase64(vector) } };
    });
  }

  /** The index's vector of this profile version, when it is ready (not pending) and of exactly this text. */
  function readyVector(profile: Profile): Float32Array | undefined {
    const { index } = ranking;
    if (index.isPending(profile.id)) return undefined;
    const vector = index.vectorOf(profile.id);
    return vector && index.contentHash(profile.id) === textHash(profileToText(profile)) ? vector : undefined;
  }

  return app;
}
