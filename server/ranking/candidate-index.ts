/**
 * The live candidate index of one server process: every stored profile, and the packed matrix of those whose
 * vector for their current text is ready. Loaded once at start from the store's change log (the log /sync
 * serves) and kept current by following it from a cursor: the memory store nudges on every write, the Redis
 * store over pub/sub (with a periodic poll behind it, so a lost nudge costs at most `pollMs`). A feed ranks
 * `readyMatrix()` as it is: no store scan, no hashing, no cache round trip.
 *
 * A profile whose text changed, or that is new, is `pending` until its vector for that text arrives:
 * from this process's embedding worker (`setVector`), or, for work another process did, from the shared
 * embedding cache, read for the pending ids at load, on every nudge (the Redis queue nudges when a worker has
 * stored vectors) and every `pollMs`.
 */
import { profileToText } from '../../shared/profile-text';
import type { CandidateMatrix } from '../../shared/scoring';
import type { Profile } from '../../shared/types';
import { textHash } from '../ml/create-ml-service';
import type { ProfileChange, ProfileStore } from '../store/profile-store';
import { CandidateRows } from './candidate-rows';

/** Delay before a nudge whose read failed is tried again. */
const NUDGE_RETRY_MS = 500;

/** Changes read per page while following the log. */
const PAGE_SIZE = 5000;
/** Pending ids looked up in the cache per read. */
const VECTOR_READ_BATCH = 2000;

/** Reads vectors computed elsewhere: one per id, only when computed from exactly that content hash. */
export type VectorReader = (ids: readonly string[], contentHashes: readonly string[]) => Promise<(Float32Array | undefined)[]>;

export interface CandidateIndexOptions {
  store: ProfileStore;
  /**
   * Vector dimension of the loaded model; undefined when ML is off or unavailable (then the index holds
   * profiles only and nothing is pending).
   */
  dimension?: number;
  /** Where vectors computed by other processes (or before a restart) are found; none: only `setVector`. */
  readVectors?: VectorReader;
  /** Follow-up read of the log and of pending vectors when no nudge came, in ms (default 1000). */
  pollMs?: number;
  /** Where a failed background read is reported (default console.warn, once per outage). */
  warn?: (message: string) => void;
}

interface Entry {
  profile: Profile;
  /** sha256 of profileToText; '' when ML is off (nothing to match vectors against). */
  hash: string;
}

/** See the module comment. Call `start()` once before use and `close()` at shutdown. */
export class CandidateIndex {
  private readonly store: ProfileStore;
  private readonly entries = new Map<string, Entry>();
  private readonly rows: CandidateRows | undefined;
  /** Ids whose current version has no vector yet, with the time (ms) they became pending, oldest first. */
  private readonly pending = new Map<string, number>();
  private readonly readVectors: VectorReader | undefined;
  private readonly pollMs: number;
  private readonly warn: (message: string) => void;
  private cursor: string | null = null;
  private current: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private closed = false;
  private failing = false;
  private readonly pendingListeners = new Set<() => void>();
  /** A nudge's read is running / another nudge came meanwhile (one more read after it, not one per nudge). */
  private nudged = false;
  private nudgedAgain = false;

  constructor(options: CandidateIndexOptions) {
    this.store = options.store;
    this.rows = options.dimension !== undefined && options.dimension > 0 ? new CandidateRows(options.dimension) : undefined;
    this.readVectors = options.readVectors;
    this.pollMs = options.pollMs ?? 1000;
    this.warn = options.warn ?? ((m) => console.warn(`[nearfeed] ${m}`));
  }

  /** Loads every profile (and every vector the cache already holds), then follows the log. */
  async start(): Promise<void> {
    this.unwatch ??= this.store.watch?.(() => this.onNudge());
    await this.catchUp();
    if (!this.timer) this.schedulePoll();
  }

  /** Stops following the log. */
  async close(): Promise<void> {
    this.closed = true;
    this.unwatch?.();
    if (this.timer) clearTimeout(this.timer);
    await this.current?.catch(() => undefined);
  }

  /**
   * Applies every change logged before this call (and the vectors the cache has for them). Concurrent callers
   * share one read; a call made while a read runs waits for the next one, which starts after it: so after a
   * write is acknowledged by the store, `await catchUp()` guarantees the index shows it.
   */
  catchUp(): Promise<void> {
    if (!this.current) {
      this.current = this.drain().finally(() => {
        this.current = undefined;
      });
      return this.current;
    }
    this.next ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.catchUp();
      });
    return this.next;
  }

  /** Whether ML vectors are tracked (a model is loaded). */
  get ranksWithVectors(): boolean {
    return this.rows !== undefined;
  }

  /** Profiles held. */
  get size(): number {
    return this.entries.size;
  }

  /** Profiles whose vector is not ready yet. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** The stored profile (the index's own object: do not mutate), or undefined. */
  profile(id: string): Profile | undefined {
    return this.entries.get(id)?.profile;
  }

  /** Every profile held (ranking without ML ranks them all). */
  profiles(): IterableIterator<Profile> {
    const it = this.entries.values();
    return (function* () {
      for (const e of it) yield e.profile;
    })();
  }

  /** The content hash the index holds for `id` ('' when ML is off), or undefined. */
  contentHash(id: string): string | undefined {
    return this.entries.get(id)?.hash;
  }

  isPending(id: string): boolean {
    return this.pending.has(id);
  }

  /** Up to `max` pending ids, oldest first; with `olderThanMs`, only those pending at least that long. */
  pendingIds(max: number, olderThanMs = 0): string[] {
    const out: string[] = [];
    const since = Date.now() - olderThanMs;
    for (const [id, at] of this.pending) {
      // Oldest first, so the first one too young ends the list.
      if (out.length >= max || at > since) break;
      out.push(id);
    }
    return out;
  }

  /** The packed matrix of every candidate with a ready vector (views; rank it synchronously). */
  readyMatrix(): CandidateMatrix | undefined {
    return this.rows?.matrix();
  }

  /** Ready rows of these ids only, packed anew. */
  pickReady(ids: Iterable<string>): CandidateMatrix | undefined {
    return this.rows?.pick(ids);
  }

  /** A copy of the ready vector of `id`, or undefined. */
  vectorOf(id: string): Float32Array | undefined {
    return this.rows?.vectorOf(id);
  }

  /**
   * Records a vector computed from the profile version with `contentHash`; ignored (false) when the profile
   * is gone or has changed since (its new text is still pending).
   */
  setVector(id: string, contentHash: string, vector: Float32Array): boolean {
    const entry = this.entries.get(id);
    if (!this.rows || !entry || entry.hash !== contentHash) return false;
    this.rows.set(id, vector, entry.profile.diligence, entry.profile.engagement);
    this.pending.delete(id);
    return true;
  }

  /** Calls `listener` whenever a profile becomes pending; returns the unsubscribe. */
  onPending(listener: () => void): () => void {
    this.pendingListeners.add(listener);
    return () => this.pendingListeners.delete(listener);
  }

  private async drain(): Promise<void> {
    let added = false;
    const fresh: string[] = [];
    let reloading: Set<string> | undefined;
    for (;;) {
      const page = await this.store.changesSince(this.cursor, PAGE_SIZE);
      if (page === 'must_refetch') {
        // The log was reset or trimmed past our cursor: read it all again, then drop what it no longer holds.
        this.cursor = null;
        reloading = new Set();
        continue;
      }
      for (const change of page.changes) {
        if (reloading && change.op === 'put') reloading.add(change.profile.id);
        if (this.apply(change)) {
          added = true;
          if (change.op === 'put') fresh.push(change.profile.id);
        }
      }
      this.cursor = page.cursor;
      if (!page.hasMore) break;
    }
    if (reloading) {
      for (const id of [...this.entries.keys()]) if (!reloading.has(id)) this.apply({ op: 'delete', id });
    }
    if (fresh.length > 0) await this.lookUpVectors(fresh);
    if (added && this.pending.size > 0) for (const listener of this.pendingListeners) listener();
  }

  /** Applies one change; true when it left the profile pending. */
  private apply(change: ProfileChange): boolean {
    if (change.op === 'delete') {
      this.entries.delete(change.id);
      this.rows?.remove(change.id);
      this.pending.delete(change.id);
      return false;
    }
    const { profile } = change;
    const hash = this.rows ? textHash(profileToText(profile)) : '';
    const before = this.entries.get(profile.id);
    this.entries.set(profile.id, { profile, hash });
    if (!this.rows) return false;
    // Same text: the vector still holds, only diligence and engagement may have changed.
    if (before?.hash === hash && this.rows.setFeatures(profile.id, profile.diligence, profile.engagement)) return false;
    this.rows.remove(profile.id);
    // Re-added at the end: pending ids are served oldest change first.
    this.pending.delete(profile.id);
    this.pending.set(profile.id, Date.now());
    return true;
  }

  /** Fills pending ids from vectors computed elsewhere (the shared cache). Failures only leave them pending. */
  private async lookUpVectors(ids: readonly string[]): Promise<void> {
    if (!this.readVectors || !this.rows) return;
    for (let i = 0; i < ids.length; i += VECTOR_READ_BATCH) {
      const chunk = ids.slice(i, i + VECTOR_READ_BATCH).filter((id) => this.pending.has(id));
      if (chunk.length === 0) continue;
      const hashes = chunk.map((id) => this.entries.get(id)!.hash);
      let vectors: (Float32Array | undefined)[];
      try {
        vectors = await this.readVectors(chunk, hashes);
      } catch (err) {
        this.report(`candidate index: could not read vectors (${(err as Error).message}); they stay pending`);
        return;
      }
      chunk.forEach((id, j) => {
        const v = vectors[j];
        if (v) this.setVector(id, hashes[j]!, v);
      });
    }
  }

  /** A write or new vectors somewhere: read the log, then the cache for what is pending. Coalesced. */
  private onNudge(): void {
    if (this.closed) return;
    if (this.nudged) {
      this.nudgedAgain = true;
      return;
    }
    this.nudged = true;
    let failed = false;
    void this.catchUp()
      .then(() => this.lookUpVectors(this.pendingIds(VECTOR_READ_BATCH)))
      .catch(() => {
        failed = true;
      })
      .finally(() => {
        this.nudged = false;
        if (failed) {
          // A read that failed (a timeout under load, a store outage) is tried again soon, not at the next poll:
          // the write it was nudged for may be the last one for a long time.
          this.nudgedAgain = false;
          setTimeout(() => this.onNudge(), NUDGE_RETRY_MS).unref();
          return;
        }
        if (!this.nudgedAgain) return;
        this.nudgedAgain = false;
        this.onNudge();
      });
  }

  /** The safety net behind nudges: read the log again, and the cache for what is pending, every `pollMs`. */
  private schedulePoll(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.catchUp()
        .then(() => this.lookUpVectors(this.pendingIds(VECTOR_READ_BATCH)))
        .then(
          () => {
            this.failing = false;
          },
          (err: unknown) => this.report(`candidate index: could not follow the store (${(err as Error).message})`),
        )
        .finally(() => this.schedulePoll());
    }, this.pollMs);
    this.timer.unref();
  }

  private report(message: string): void {
    if (this.failing) return;
    this.failing = true;
    this.warn(message);
  }
}
