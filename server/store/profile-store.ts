/**
 * Candidate profiles and their change log. Implemented in memory (memory-store.ts, the default, seeded with the
 * demo data set) and on Redis (redis-store.ts, shared by several server processes); one test suite runs over
 * both (test/store.test.ts).
 *
 * The change log is what /sync pages through:
 * - Every put and delete gets the next sequence number; the log keeps only the latest change per id
 *   (compacted), so a page never holds two changes of one id and a client paging while profiles change ends
 *   with exactly the store's set.
 * - Deletes stay as tombstones `{op: 'delete', id}` so incremental clients learn about them. A pull that
 *   started from nothing (cursor null) is not sent tombstones of deletes older than its start.
 * - With a shape (a tag filter, shape.ts), a profile outside it is sent like a tombstone.
 * - Tombstones beyond the store's retention are pruned oldest first; a cursor that still needed one, a cursor
 *   of another store (the memory store of another process, a flushed Redis) or a malformed one gets
 *   'must_refetch', and the client starts over without a cursor.
 */
import type { Profile } from '../../shared/types';
import type { SyncShape } from './shape';

/** One entry of the change log, in change order. */
export type ProfileChange = { op: 'put'; profile: Profile } | { op: 'delete'; id: string };

/** One write: create or replace a profile, or delete one by id. */
export type ProfileWrite = { op: 'put'; profile: Profile } | { op: 'delete'; id: string };

/** What one write did: a put `created` or `updated`; a delete `deleted`, or `not_found` (nothing changed). */
export type WriteOutcome = 'created' | 'updated' | 'deleted' | 'not_found';

/**
 * Every profile has a version: an opaque string that changes with every write of that profile and is never
 * reused by the store, sent as its `ETag`. It is the seq of the profile's latest change in the change log,
 * prefixed by the log's epoch (so a wiped or restarted log never repeats an old version): `<epoch 8>-<seq>`.
 * The one place of this format; the Redis write script builds the same string (redis-store.ts).
 */
export function formatVersion(epoch: string, seq: number | string): string {
  return `${epoch.slice(0, 8)}-${seq}`;
}

/** A stored profile with its version. */
export interface VersionedProfile {
  profile: Profile;
  version: string;
}

/**
 * The condition of a conditional write (HTTP If-Match): `'*'` the profile must exist; a list: its current
 * version must be one of these (an empty list never matches).
 */
export type VersionMatch = '*' | readonly string[];

/** Whether `match` holds for a profile whose version is `current` (undefined: no such profile). */
export function versionMatches(match: VersionMatch, current: string | undefined): boolean {
  if (current === undefined) return false;
  return match === '*' || match.includes(current);
}

/**
 * What a conditional write did: a WriteOutcome, or `precondition_failed` (nothing changed). `version` is the
 * profile's version after a put, and its current one after a precondition_failed on an existing profile.
 */
export interface ConditionalWriteResult {
  outcome: WriteOutcome | 'precondition_failed';
  version?: string;
}

export interface ChangePage {
  /** At most `limit` changes, in change order, at most one per id. */
  changes: ProfileChange[];
  /** Opaque cursor to pass back for the next page (base64url; see cursor.ts). Valid across processes. */
  cursor: string;
  /** True when more changes follow this page right now. */
  hasMore: boolean;
}

/** Whether the store can be reached right now (for /ml/health). */
export interface StoreStatus {
  backend: 'memory' | 'redis';
  /** False while the backing server is unreachable or not answering in time; the memory store is always true. */
  connected: boolean;
  /** Why it is not connected (the last connection or command error), when it is not. */
  reason?: string;
}

/**
 * What a failed write did, as its 503 says in `outcome`: `not_applied` when it was refused before reaching the
 * backing server (down, or known to be stalled: the circuit breaker is open), so it never happens later;
 * `unknown` when it was sent and no answer came (a command timeout, a connection lost in flight), so it may
 * have happened or still happen. Every write is safe to retry: a put replaces, a delete of a deleted id is
 * `not_found`, and a write with `ifMatch` is refused if another write came first.
 */
export type FailedWriteOutcome = 'not_applied' | 'unknown';

/**
 * A store operation failed because the backing server is down, stalled or refused the command. Routes answer
 * it with 503 `store_unavailable` (server/http/errors.ts), with the `outcome` of a failed write.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    /** The cause in a few words, never an internal address, e.g. `Redis is unreachable (connection refused (ECONNREFUSED))`. */
    readonly reason: string,
    /** Set for a failed write (`write`, `put`, `delete`); a failed read changed nothing. */
    readonly outcome?: FailedWriteOutcome,
  ) {
    super(`profile store unavailable: ${reason}`);
  }
}

export interface ProfileStore {
  readonly backend: 'memory' | 'redis';
  /** Reachability right now; never throws, never waits. */
  status(): StoreStatus;
  // Every data method below rejects with StoreUnavailableError when the backing server fails, quickly (bounded by
  // a command timeout; at once while the server is known to be down), never hangs.
  /** A copy of the profile, or undefined. */
  get(id: string): Promise<Profile | undefined>;
  /** A copy of the profile with its version (read together, atomically), or undefined. */
  read(id: string): Promise<VersionedProfile | undefined>;
  /** Profiles with these ids in the order given (missing ones skipped), or all, sorted by id, when ids is undefined. */
  list(ids?: readonly string[]): Promise<Profile[]>;
  /**
   * The one write path: applies `writes` in order, each logged like a single change, and says what each did
   * (decided atomically with the write). Redis: one script call per chunk of writes, so a chunk lands whole
   * or not at all; a failure rejects (outcome `unknown` once an earlier chunk was applied) and the writes of
   * earlier chunks stay applied.
   */
  write(writes: readonly ProfileWrite[]): Promise<WriteOutcome[]>;
  /**
   * `write` of one write, applied only if `match` holds (none: always), decided atomically with the write, so
   * of two processes writing against the same version exactly one succeeds and no update is lost.
   */
  writeIf(write: ProfileWrite, match?: VersionMatch): Promise<ConditionalWriteResult>;
  /** `write` of one put; true when it created. */
  put(profile: Profile): Promise<boolean>;
  /** `write` of one delete; true when something was deleted (and a tombstone logged), false for an unknown id. */
  delete(id: string): Promise<boolean>;
  /**
   * Changes after `cursor` (null = from the start), at most `limit` (a positive integer, else RangeError);
   * 'must_refetch' when the cursor is unknown, malformed, expired or of another shape. With a `shape` (default
   * the whole set), a profile outside it counts as deleted: its change is sent as a delete, or skipped where a
   * tombstone would be (see shape.ts).
   */
  changesSince(cursor: string | null, limit: number, shape?: SyncShape): Promise<ChangePage | 'must_refetch'>;
  /**
   * Calls `listener` soon after any write to the store (by this process or, for a shared store, another), so
   * followers of the change log (the candidate index) read on without polling hard. A nudge carries no data
   * and may be lost; followers still poll now and then. Returns the unsubscribe.
   */
  watch?(listener: () => void): () => void;
  close(): Promise<void>;
}

/** A page of no changes could never advance: stores refuse such a limit rather than let a caller loop for ever. */
export function checkPageLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
}
