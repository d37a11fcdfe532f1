/**
 * The default profile store: everything in this process's memory. The change log is compacted (only the
 * latest change of each id is kept) and deletes leave tombstones, pruned oldest first past `maxTombstones`.
 */
import { randomUUID } from 'node:crypto';
import type { Profile } from '../../shared/types';
import { cursorIsServable, decodeCursor, encodeCursor } from './cursor';
import { ALL, inShape, shapeKey, type SyncShape } from './shape';
import {
  checkPageLimit,
  formatVersion,
  versionMatches,
  type ChangePage,
  type ConditionalWriteResult,
  type ProfileChange,
  type ProfileStore,
  type ProfileWrite,
  type StoreStatus,
  type VersionedProfile,
  type VersionMatch,
  type WriteOutcome,
} from './profile-store';

export interface MemoryStoreOptions {
  /** Profiles loaded at creation, in this change order (e.g. `demoProfiles()`). */
  seed?: readonly Profile[];
  /**
   * Tombstones kept before the oldest are dropped (default 100,000). A client whose cursor predates a dropped
   * tombstone gets 'must_refetch'.
   */
  maxTombstones?: number;
}

interface LogEntry {
  seq: number;
  id: string;
}

/** A `ProfileStore` in this process's memory; its change log is gone on restart (cursors then must refetch). */
export class MemoryProfileStore implements ProfileStore {
  readonly backend = 'memory' as const;
  /** Changes with an older epoch's cursor are refused: a restarted process has a new log. */
  readonly epoch = randomUUID();
  private readonly profiles = new Map<string, Profile>();
  /** Latest change seq of every id that has one (live or tombstoned). */
  private readonly latest = new Map<string, number>();
  /** Tombstoned ids, oldest delete first (Map keeps insertion order). */
  private readonly tombstones = new Map<string, number>();
  /** Append-only, seq ascending; entries whose seq is no longer `latest` of their id are dead and skipped. */
  private log: LogEntry[] = [];
  private deadEntries = 0;
  private head = 0;
  /** Highest seq of a pruned tombstone. */
  private floor = 0;
  private readonly maxTombstones: number;
  private readonly watchers = new Set<() => void>();

  /** In process: always reachable. */
  status(): StoreStatus {
    return { backend: 'memory', connected: true };
  }

  constructor(options: MemoryStoreOptions = {}) {
    this.maxTombstones = options.maxTombstones ?? 100_000;
    for (const profile of options.seed ?? []) this.record(profile.id, structuredClone(profile));
  }

  async get(id: string): Promise<Profile | undefined> {
    const profile = this.profiles.get(id);
    return profile && structuredClone(profile);
  }

  async read(id: string): Promise<VersionedProfile | undefined> {
    const profile = this.profiles.get(id);
    return profile && { profile: structuredClone(profile), version: this.versionOf(id) as string };
  }

  async list(ids?: readonly string[]): Promise<Profile[]> {
    if (ids) {
      return ids.flatMap((id) => {
        const profile = this.profiles.get(id);
        return profile ? [structuredClone(profile)] : [];
      });
    }
    return [...this.profiles.values()].sort(byId).map((p) => structuredClone(p));
  }

  async write(writes: readonly ProfileWrite[]): Promise<WriteOutcome[]> {
    return writes.map((w) => this.apply(w));
  }

  /** Check and write run in one synchronous step: nothing can come between them. */
  async writeIf(write: ProfileWrite, match?: VersionMatch): Promise<ConditionalWriteResult> {
    const id = write.op === 'put' ? write.profile.id : write.id;
    if (match !== undefined) {
      const current = this.versionOf(id);
      if (!versionMatches(match, current)) return { outcome: 'precondition_failed', ...(current && { version: current }) };
    }
    const outcome = this.apply(write);
    return write.op === 'put' ? { outcome, version: this.versionOf(id) as string } : { outcome };
  }

  async put(profile: Profile): Promise<boolean> {
    return (await this.write([{ op: 'put', profile }]))[0] === 'created';
  }

  async delete(id: string): Promise<boolean> {
    return (await this.write([{ op: 'delete', id }]))[0] === 'deleted';
  }

  async changesSince(cursor: string | null, limit: number, shape: SyncShape = ALL): Promise<ChangePage | 'must_refetch'> {
    checkPageLimit(limit);
    const key = shapeKey(shape);
    let seq = 0;
    let baseline = this.head;
    if (cursor !== null) {
      const state = decodeCursor(cursor);
      if (!state || state.shape !== key || !cursorIsServable(state, this.epoch, this.head, this.floor)) return 'must_refetch';
      seq = state.seq;
      baseline = state.baseline;
    }
    const changes: ProfileChange[] = [];
    let last = seq;
    let i = this.firstAfter(seq);
    for (; i < this.log.length && changes.length < limit; i++) {
      const entry = this.log[i] as LogEntry;
      const profile = this.visible(entry, baseline, shape);
      if (profile === false) continue;
      last = entry.seq;
      changes.push(profile ? { op: 'put', profile: structuredClone(profile) } : { op: 'delete', id: entry.id });
    }
    while (i < this.log.length && this.visible(this.log[i] as LogEntry, baseline, shape) === false) i++;
    const hasMore = i < this.log.length;
    // At the end of the log the cursor moves to the head: nothing between `last` and it is live.
    const at = hasMore ? last : this.head;
    return { changes, cursor: encodeCursor({ epoch: this.epoch, seq: at, baseline, shape: key }), hasMore };
  }

  /** Nudges `listener` after every write, synchronously. */
  watch(listener: () => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  async close(): Promise<void> {}

  private apply(w: ProfileWrite): WriteOutcome {
    if (w.op === 'put') {
      const created = !this.profiles.has(w.profile.id);
      this.record(w.profile.id, structuredClone(w.profile));
      return created ? 'created' : 'updated';
    }
    if (!this.profiles.has(w.id)) return 'not_found';
    this.record(w.id, undefined);
    return 'deleted';
  }

  /** The live profile's version (its latest change's seq in this log), or undefined. */
  private versionOf(id: string): string | undefined {
    const seq = this.latest.get(id);
    return seq !== undefined && this.profiles.has(id) ? formatVersion(this.epoch, seq) : undefined;
  }

  /**
   * What a log entry sends: its profile (a put), undefined (a delete), or false (nothing: not its id's latest
   * change, or a tombstone the client never needs). A profile outside the shape counts as deleted.
   */
  private visible(entry: LogEntry, baseline: number, shape: SyncShape): Profile | undefined | false {
    if (this.latest.get(entry.id) !== entry.seq) return false;
    const profile = this.profiles.get(entry.id);
    if (profile && inShape(profile, shape)) return profile;
    return entry.seq > baseline ? undefined : false;
  }

  /** Appends a change (a put when `profile` is given, else a delete) and keeps the log compact. */
  private record(id: string, profile: Profile | undefined): void {
    const seq = ++this.head;
    if (this.latest.has(id)) this.deadEntries++;
    this.latest.set(id, seq);
    this.log.push({ seq, id });
    this.tombstones.delete(id);
    if (profile) {
      this.profiles.set(id, profile);
    } else {
      this.profiles.delete(id);
      this.tombstones.set(id, seq);
      this.pruneTombstones();
    }
    if (this.deadEntries > 1024 && this.deadEntries * 2 > this.log.length) this.compact();
    for (const listener of this.watchers) listener();
  }

  private pruneTombstones(): void {
    for (const [id, seq] of this.tombstones) {
      if (this.tombstones.size <= this.maxTombstones) break;
      this.tombstones.delete(id);
      this.latest.delete(id);
      this.deadEntries++;
      this.floor = Math.max(this.floor, seq);
    }
  }

  private compact(): void {
    this.log = this.log.filter((entry) => this.latest.get(entry.id) === entry.seq);
    this.deadEntries = 0;
  }

  /** Index of the first log entry with seq > `seq` (binary search; the log is seq ascending). */
  private firstAfter(seq: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.log[mid] as LogEntry).seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function byId(a: Profile, b: Profile): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
