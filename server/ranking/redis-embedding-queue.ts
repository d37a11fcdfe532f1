/**
 * The durable, shared embedding queue of `PROFILE_STORE=redis`: the store's write scripts add one entry
 * `{id, v}` (v = the put's log seq) to the `embed` stream atomically with each put, and every server process
 * consumes it through one consumer group:
 *
 * - `take` reads new entries (XREADGROUP, COUNT-bounded) and, every so often, takes over entries another
 *   consumer was given but did not acknowledge within `claimIdleMs` (XAUTOCLAIM): a process killed mid-batch
 *   loses nothing, its work is finished by the others.
 * - Entries of a version that is no longer current (the profile changed again or was deleted since: its log
 *   seq moved past `v`) are acknowledged without work, in the same script that checks them; only the newest
 *   version of a profile is embedded.
 * - `done` acknowledges and deletes the entries (XACK + XDEL in one MULTI): with a single consumer group an
 *   acknowledged entry is never read again, so the stream only ever holds outstanding work. It is not
 *   MAXLEN-capped, because a cap would drop the unembedded tail of a big import. The same MULTI publishes the
 *   store's write nudge (redis-watch.ts), so other processes' indexes pick the new vectors up from the cache.
 * - `wait` blocks on its own connection (XREADGROUP BLOCK) until an entry arrives, and keeps it for `take`.
 * - Consumers of processes gone for a minute with nothing pending are removed at the end of a reclaim round.
 *
 * A reclaimed entry whose vector the dead process had already cached costs no model run: the worker reads the
 * cache first (MlService.profileVectors). `pending()` is the group's pending (delivered, unacknowledged) plus
 * lag (not yet delivered) from XINFO GROUPS, the same number on every process.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { describeRedisError } from '../redis/connection';
import type { EmbeddingStreamAccess } from '../store/redis-store';
import type { EmbeddingJob, EmbeddingQueue } from './embedding-queue';

/** The one consumer group every process joins. */
export const EMBED_GROUP = 'embedders';

/**
 * KEYS: stream, log. ARGV: group, then per entry `entry id, profile id, v`. Acknowledges and deletes the
 * entries whose version is no longer its profile's latest change; returns the (1-based) positions of the others.
 */
const CURRENT_LUA = `local current, stale = {}, {}
for i = 2, #ARGV, 3 do
  local score = redis.call('ZSCORE', KEYS[2], ARGV[i + 1])
  if score and tonumber(score) == tonumber(ARGV[i + 2]) then
    current[#current + 1] = (i + 1) / 3
  else
    stale[#stale + 1] = ARGV[i]
  end
end
if #stale > 0 then
  redis.call('XACK', KEYS[1], ARGV[1], unpack(stale))
  redis.call('XDEL', KEYS[1], unpack(stale))
end
return current`;

/**
 * KEYS: stream. ARGV: group, idle ms, own name. Removes consumers with nothing pending that have not read for
 * `idle` ms (processes gone), so the group does not collect one consumer per process start. In a script, so
 * no consumer can take entries between the check and the removal (that would drop its pending entries).
 */
const PRUNE_LUA = `local removed = 0
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local f = {}
  for i = 1, #c, 2 do f[c[i]] = c[i + 1] end
  if f['pending'] == 0 and f['idle'] > tonumber(ARGV[2]) and f['name'] ~= ARGV[3] then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], f['name'])
    removed = removed + 1
  end
end
return removed`;


export interface RedisEmbeddingQueueOptions {
  access: EmbeddingStreamAccess;
  /** EMBED_CLAIM_IDLE_MS: entries unacknowledged this long by their consumer are taken over by another. */
  claimIdleMs: number;
  /** Longest single blocking read in `wait` (default 1000 ms). */
  blockMs?: number;
  /**
   * A consumer that has not read for this long (and at least `claimIdleMs`) with nothing pending is a process
   * gone, and is removed (default 60 s; a live one reads at least every `blockMs`).
   */
  consumerGoneMs?: number;
}

/** A stream entry as read: its id and the fields the write script set. */
interface Entry {
  entry: string;
  id: string;
  v: string;
}

type RawEntry = [string, string[] | null] | null;

interface QueueScripts {
  nearfeedEmbedCurrent(stream: string, log: string, group: string, ...args: string[]): Promise<number[]>;
  nearfeedEmbedPrune(stream: string, group: string, idleMs: number, self: string): Promise<number>;
}

/** See the module comment. */
export class RedisEmbeddingQueue implements EmbeddingQueue {
  private readonly redis: Redis;
  /** Blocking reads hold their connection: `wait` gets its own. */
  private readonly blocking: Redis;
  private readonly stream: string;
  private readonly log: string;
  private readonly consumer = `nearfeed-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly claimIdleMs: number;
  private readonly blockMs: number;
  private readonly consumerGoneMs: number;
  private groupReady = false;
  /** Entries a blocking read in `wait` received, handed out by the next `take`. */
  private buffered: Entry[] = [];
  private lastMax = 256;
  private claimCursor = '0-0';
  private lastClaimRound = 0;
  private closed = false;

  constructor(options: RedisEmbeddingQueueOptions) {
    const { access } = options;
    this.redis = access.redis;
    this.stream = access.stream;
    this.log = access.log;
    this.claimIdleMs = options.claimIdleMs;
    this.blockMs = options.blockMs ?? 1000;
    this.consumerGoneMs = Math.max(options.consumerGoneMs ?? 60_000, this.claimIdleMs);
    this.blocking = access.redis.duplicate({
      connectionName: 'nearfeed-embed-queue',
      // A blocking read answers after up to blockMs: its timeout must be longer.
      commandTimeout: this.blockMs + 2000,
    });
    this.blocking.on('error', () => undefined); // reads fail and the worker retries; the store reports outages
    this.redis.defineCommand('nearfeedEmbedCurrent', { lua: CURRENT_LUA, numberOfKeys: 2 });
    this.redis.defineCommand('nearfeedEmbedPrune', { lua: PRUNE_LUA, numberOfKeys: 1 });
  }

  pending(): Promise<number> {
    return said(() => this.count());
  }

  take(max: number): Promise<EmbeddingJob[]> {
    return said(() => this.takeNow(max));
  }

  done(jobs: readonly EmbeddingJob[]): Promise<void> {
    return said(() => this.ack(jobs));
  }

  wait(ms: number): Promise<void> {
    return said(() => this.block(ms));
  }

  private async count(): Promise<number> {
    const groups = (await this.redis.xinfo('GROUPS', this.stream).catch((err: Error) => {
      if (/no such key/i.test(err.message)) return [];
      throw err;
    })) as unknown[][];
    for (const raw of groups) {
      const group = fields(raw);
      if (group.name !== EMBED_GROUP) continue;
      // lag is null when Redis cannot tell (entries deleted ahead of the group): the stream holds only
      // outstanding work, so its length is then the same number.
      if (group.lag === null || group.lag === undefined) break;
      return Number(group.pending) + Number(group.lag);
    }
    return this.redis.xlen(this.stream);
  }

  private async takeNow(max: number): Promise<EmbeddingJob[]> {
    this.lastMax = max;
    await this.ensureGroup();
    const entries = this.buffered.splice(0, max);
    if (entries.length < max && Date.now() - this.lastClaimRound >= this.claimIdleMs / 2) {
      entries.push(...(await this.reclaim(max - entries.length)));
    }
    if (entries.length < max) {
      const reply = (await this.groupCall(() =>
        this.redis.xreadgroup('GROUP', EMBED_GROUP, this.consumer, 'COUNT', max - entries.length, 'STREAMS', this.stream, '>'),
      )) as [string, RawEntry[]][] | null;
      entries.push(...parseEntries(reply?.[0]?.[1] ?? []));
    }
    return this.current(entries);
  }

  private async ack(jobs: readonly EmbeddingJob[]): Promise<void> {
    const ids = jobs.flatMap((j) => (j.entry ? [j.entry] : []));
    if (ids.length === 0) return;
    await this.redis
      .multi()
      .xack(this.stream, EMBED_GROUP, ...ids)
      .xdel(this.stream, ...ids)
      // The vectors are in the cache: other processes' indexes read them now rather than at their next poll.
      .publish(this.log, 'vectors')
      .exec();
  }

  private async block(ms: number): Promise<void> {
    if (this.buffered.length > 0 || this.closed) return;
    if (this.blocking.status !== 'ready') {
      await sleep(Math.min(ms, this.blockMs));
      return;
    }
    await this.ensureGroup();
    const reply = (await this.groupCall(() =>
      this.blocking.xreadgroup(
        'GROUP', EMBED_GROUP, this.consumer,
        'COUNT', this.lastMax,
        'BLOCK', Math.max(1, Math.min(ms, this.blockMs)),
        'STREAMS', this.stream, '>',
      ),
    )) as [string, RawEntry[]][] | null;
    this.buffered.push(...parseEntries(reply?.[0]?.[1] ?? []));
  }

  async close(): Promise<void> {
    this.closed = true;
    // Entries read but not handed out stay pending under this consumer: another process reclaims them.
    this.blocking.disconnect();
  }

  /** The consumer group, created once (from the stream's start, so entries written before it are worked too). */
  private async ensureGroup(): Promise<void> {
    if (this.groupReady) return;
    try {
      await this.redis.xgroup('CREATE', this.stream, EMBED_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    this.groupReady = true;
  }

  /** Runs a group read; a group that vanished (the key space was wiped) is created again next time. */
  private async groupCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (/NOGROUP/.test((err as Error).message)) this.groupReady = false;
      throw err;
    }
  }

  /** One XAUTOCLAIM step through the group's pending entries; a round ends when the cursor wraps. */
  private async reclaim(count: number): Promise<Entry[]> {
    const [next, claimed] = (await this.groupCall(() =>
      this.redis.xautoclaim(this.stream, EMBED_GROUP, this.consumer, this.claimIdleMs, this.claimCursor, 'COUNT', count),
    )) as [string, RawEntry[], ...unknown[]];
    this.claimCursor = next;
    if (next === '0-0') {
      this.lastClaimRound = Date.now();
      const scripts = this.redis as unknown as QueueScripts;
      await scripts.nearfeedEmbedPrune(this.stream, EMBED_GROUP, this.consumerGoneMs, this.consumer);
    }
    return parseEntries(claimed);
  }

  /** Drops (acknowledging them) entries of versions that are no longer current; the rest become jobs. */
  private async current(entries: readonly Entry[]): Promise<EmbeddingJob[]> {
    if (entries.length === 0) return [];
    const args = entries.flatMap((e) => [e.entry, e.id, e.v]);
    const scripts = this.redis as unknown as QueueScripts;
    const keep = await scripts.nearfeedEmbedCurrent(this.stream, this.log, EMBED_GROUP, ...args);
    return keep.map((position) => {
      const e = entries[Number(position) - 1]!;
      return { id: e.id, entry: e.entry };
    });
  }
}

/**
 * Entries of an XREADGROUP / XAUTOCLAIM reply. A malformed one (not written by our script) gets an empty id,
 * which is never current, so it is acknowledged and dropped rather than reclaimed for ever.
 */
function parseEntries(raw: readonly RawEntry[]): Entry[] {
  const out: Entry[] = [];
  for (const item of raw) {
    if (!item) continue;
    const f = fields(item[1] ?? []);
    out.push({ entry: item[0], id: typeof f.id === 'string' ? f.id : '', v: typeof f.v === 'string' ? f.v : '-1' });
  }
  return out;
}

/** A flat Redis field list `[name, value, ...]` as an object. */
function fields(flat: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** Runs a queue call; a Redis failure is rethrown in words without the server's address (it reaches logs). */
async function said<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new Error(`embedding queue: ${describeRedisError(err)}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
