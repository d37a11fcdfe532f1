/**
 * Sync by shape (as ElectricSQL's shapes): a client may pull only the candidates that carry at least one of
 * some tags. Within a shape, a profile outside it is treated like a deleted one: a change that takes it out
 * arrives as a delete, and a pull from scratch is not sent it at all. A cursor belongs to one shape (its key is
 * in the cursor), so a cursor of another shape must refetch.
 */
import { createHash } from 'node:crypto';
import type { Profile } from '../../shared/types';

/** The slice of candidates a client syncs: profiles with any of `tags` (exact, case-sensitive match). */
export interface SyncShape {
  tags: readonly string[];
}

/** The whole candidate set. */
export const ALL: SyncShape = Object.freeze({ tags: Object.freeze([]) as readonly string[] });

/** True for the whole set (no tags given). */
export function isAll(shape: SyncShape): boolean {
  return shape.tags.length === 0;
}

/** Short stable key of a shape for cursors: '' for the whole set, else a hash of the sorted distinct tags. */
export function shapeKey(shape: SyncShape): string {
  if (isAll(shape)) return '';
  const tags = [...new Set(shape.tags)].sort();
  return createHash('sha256').update(JSON.stringify(tags)).digest('base64url').slice(0, 16);
}

/** Whether a profile is in the shape. */
export function inShape(profile: Pick<Profile, 'tags'>, shape: SyncShape): boolean {
  if (isAll(shape)) return true;
  return profile.tags.some((t) => shape.tags.includes(t));
}
