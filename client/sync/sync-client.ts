/**
 * Incremental pull of /api/v1/sync into the engine's candidate set: pages of changes in change order, puts
 * and tombstones, resuming from the stored cursor. With tags, of one shape only: a candidate that leaves it
 * arrives as a tombstone. A 409 must_refetch (cursor unknown or expired) starts over
 * without a cursor; such a full pull ends by dropping every local candidate the server no longer listed.
 * Server vectors are accepted only when they carry exactly our model key and dimension.
 */
import { base64ToFloat32 } from '../../shared/base64';
import type { Profile } from '../../shared/types';
import { ApiRequestError, type ServerApi, type SyncChange } from '../api/server-api';

/** Where pulled changes go (the engine's candidate set). */
export interface SyncTarget {
  put(profile: Profile, serverVector: Float32Array | null): void;
  remove(id: string): void;
  /** Every id held locally, for the end of a full pull. */
  ids(): Iterable<string>;
}

export interface PullOptions {
  cursor: string | null;
  /** Changes per page. */
  limit: number;
  /** Ask the server to attach its vectors (default true). */
  embeddings?: boolean;
  /** The shape to pull: candidates with any of these tags; default (empty) every candidate. */
  tags?: readonly string[];
  modelKey: string | null;
  dimension: number | null;
  onPage?: (applied: number) => void;
}

export interface PullResult {
  cursor: string;
  applied: number;
  /** True when this pull started from no cursor (first sync or must_refetch). */
  full: boolean;
  /** Puts that came with a usable server vector. */
  serverVectors: number;
  /** Server vectors ignored (other model key, wrong dimension, undecodable). */
  rejectedVectors: number;
}

/** Most pages one pull follows; a server that always says has_more cannot hang the client. */
const MAX_PAGES = 10_000;

export async function pullChanges(api: ServerApi, target: SyncTarget, options: PullOptions): Promise<PullResult> {
  let restarted = false;
  for (;;) {
    try {
      return await pullFrom(api, target, options, options.cursor === null || restarted ? null : options.cursor);
    } catch (err) {
      if (err instanceof ApiRequestError && err.errorType === 'must_refetch' && !restarted) {
        restarted = true;
        continue;
      }
      throw err;
    }
  }
}

async function pullFrom(
  api: ServerApi,
  target: SyncTarget,
  options: PullOptions,
  startCursor: string | null,
): Promise<PullResult> {
  const full = startCursor === null;
  const seen = new Set<string>();
  let cursor = startCursor;
  const result: PullResult = { cursor: '', applied: 0, full, serverVectors: 0, rejectedVectors: 0 };
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await api.sync(cursor, options.limit, options.embeddings ?? true, options.tags);
    for (const change of body.changes) applyChange(change, target, options, result, seen);
    result.applied += body.changes.length;
    options.onPage?.(result.applied);
    cursor = body.cursor;
    if (!body.has_more) break;
  }
  if (full) {
    // A pull from scratch lists every live candidate: anything else held locally was deleted meanwhile.
    for (const id of [...target.ids()]) if (!seen.has(id)) target.remove(id);
  }
  result.cursor = cursor ?? '';
  return result;
}

function applyChange(change: SyncChange, target: SyncTarget, options: PullOptions, result: PullResult, seen: Set<string>): void {
  if (change.op === 'delete') {
    seen.delete(change.id);
    target.remove(change.id);
    return;
  }
  seen.add(change.profile.id);
  let vector: Float32Array | null = null;
  const e = change.embedding;
  if (e) {
    if (e.model === options.modelKey && e.dimension === options.dimension) {
      try {
        vector = base64ToFloat32(e.vector, e.dimension);
        if (!vector.every(Number.isFinite)) vector = null;
      } catch {
        vector = null;
      }
    }
    if (vector) result.serverVectors++;
    else result.rejectedVectors++;
  }
  target.put(change.profile, vector);
}
