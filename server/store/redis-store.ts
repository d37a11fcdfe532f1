/**
 * Profile store on Redis, so several server processes share one candidate set and one change log.
 *
 * Key layout (every key under `keyPrefix`, default `nearfeed:store:`):
 * - `profiles`   hash   id → profile JSON (the live set)
 * - `log`        zset   id scored by the seq of its latest change: compacted by construction, since ZADD
 *                       moves an id instead of adding a second entry; with the epoch, a live id's score is
 *                       its version (ETag)
 * - `tombstones` zset   deleted id → seq of its delete, oldest pruned first past `maxTombstones`
 * - `seq`        string INCR counter: the log head
 * - `floor`      string highest seq of a pruned tombstone; cursors below it must refetch
 * - `epoch`      string random id of this log; a new one whenever a write finds no `seq` (new, flushed or
 *                       evicted key space), so cursors of an older log are refused
 * - `embed`      stream the durable embedding queue: one entry `{id, v: seq}` per put, added by the same script
 *                       as the put; worked off by every process through one consumer group
 *                       (server/ranking/redis-embedding-queue.ts), which deletes an entry once acknowledged
 *
 * Every write script also PUBLISHes the new log head on the channel named like the `log` key: the nudge by which
 * other processes' candidate indexes read a write at once (`watch`, redis-watch.ts) instead of at their next poll.
 *
 * Every write call (one write or a chunk of up to WRITE_CHUNK) and every page read is one Lua script, so a change
 * and its log entry land atomically and a page is a consistent snapshot.
 *
 * Outages (as in the Redis embedding cache): the offline queue is off, no command is retried or resent after a
 * reconnect, and every command has `commandTimeoutMs`. A circuit breaker (`run`) is open while the connection is
 * down or since a command timed out (a stalled Redis), until a background PING answers in time again: calls
 * then reject at once, unsent, with StoreUnavailableError (routes: 503 store_unavailable), and a write says
 * `not_applied`. Only the calls in flight when Redis stops answering wait out the timeout; a write among them
 * says `unknown` (it may still land). ioredis keeps reconnecting (capped backoff); `status()` is false while
 * the breaker is open.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Profile } from '../../shared/types';
import { describeRedisError, failFastRedisOptions, isCommandTimeout, StallWatch } from '../redis/connection';
import { decodeCursor, encodeCursor } from './cursor';
import { LogWatch } from './redis-watch';
import { ALL, shapeKey, type SyncShape } from './shape';
import {
  checkPageLimit,
  formatVersion,
  StoreUnavailableError,
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

/** What the embedding queue consumer (server/ranking/redis-embedding-queue.ts) works with. */
export interface EmbeddingStreamAccess {
  /** The store's connection (fail-fast; duplicate it for blocking reads). */
  redis: Redis;
  /** The `embed` stream the write scripts add to. */
  stream: string;
  /** The `log` zset: an entry is current while its `v` is its id's score there. */
  log: string;
}

export interface RedisStoreOptions {
  /** A connection to use (not closed by `close()`); otherwise one is opened to `url`. */
  redis?: Redis;
  /** Redis URL when no connection is given (default redis://127.0.0.1:6379). */
  url?: string;
  /** Prefix of every key (default `nearfeed:store:`); tests use a unique one. */
  keyPrefix?: string;
  /** Tombstones kept before the oldest are dropped (default 100,000); older cursors then must refetch. */
  maxTombstones?: number;
  /** A command without a reply after this long fails with StoreUnavailableError (default 1000 ms). */
  commandTimeoutMs?: number;
  /** Give up one connection attempt after this long (default 2000 ms); reconnection goes on. */
  connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts (default 2000 ms). */
  maxReconnectDelayMs?: number;
}

const KEY_NAMES = ['profiles', 'log', 'tombstones', 'seq', 'floor', 'epoch', 'embed'] as const;

// KEYS: profiles, log, tombstones, seq, floor, epoch, embed (always all seven, in this order).
const ENSURE_EPOCH = `redis.call('SET', KEYS[6], ARGV[1], 'NX')`;
/**
 * Before a write: a key space without a counter (new, wiped, or its `seq` evicted) starts a new epoch, so no
 * cursor of an earlier log can be served by the restarted count.
 */
const WRITE_EPOCH = `if redis.call('EXISTS', KEYS[4]) == 0 then redis.call('SET', KEYS[6], ARGV[1]) end`;

/**
 * After a put: queue the new version for embedding. Not MAXLEN-capped: a cap would drop the unembedded work of
 * a big import; the stream is bounded by the work outstanding instead, as consumers delete what they acknowledge.
 */
const QUEUE_EMBEDDING = `redis.call('XADD', KEYS[7], '*', 'id', id, 'v', seq)`;
/** After a script that logged something: nudge followers of the log (they read it themselves; the head is all it says). */
const NUDGE = `redis.call('PUBLISH', KEYS[2], redis.call('GET', KEYS[4]) or '0')`;

/**
 * Every put and delete, single or bulk. ARGV: epoch candidate, max tombstones, then per write `op, id, json,
 * match` (op 'p' put with the profile JSON, 'd' delete with json ''; match '' none, '*' the profile must exist,
 * '=' followed by space-separated versions: its version must be one of them). → the epoch, then per write a
 * code and a seq: put 1 created / 0 replaced, delete 1 deleted / 0 unknown id (nothing logged), 2 the match
 * failed (nothing written); the seq is the write's change (0 when none), or the current one after a failed
 * match. A version is `<first 8 of the epoch>-<seq>` (formatVersion in profile-store.ts). Tombstones past the
 * maximum are pruned once, at the end.
 */
const WRITE_LUA = `local epoch_checked = false
local deleted_any = false
local epoch = redis.call('GET', KEYS[6]) or ''
local out = {''}
for i = 3, #ARGV, 4 do
  local op, id, match = ARGV[i], ARGV[i + 1], ARGV[i + 3]
  local code = 0
  local seq = 0
  local allowed = true
  if match ~= '' then
    allowed = false
    if redis.call('HEXISTS', KEYS[1], id) == 1 then
      seq = redis.call('ZSCORE', KEYS[2], id) or '0'
      if match == '*' then
        allowed = true
      else
        local version = string.sub(epoch, 1, 8) .. '-' .. seq
        for v in string.gmatch(string.sub(match, 2), '%S+') do
          if v == version then
            allowed = true
            break
          end
        end
      end
    end
  end
  if not allowed then
    code = 2
  elseif op == 'p' or redis.call('HDEL', KEYS[1], id) == 1 then
    if not epoch_checked then
      ${WRITE_EPOCH}
      epoch_checked = true
    end
    seq = redis.call('INCR', KEYS[4])
    redis.call('ZADD', KEYS[2], seq, id)
    if op == 'p' then
      code = redis.call('HSET', KEYS[1], id, ARGV[i + 2])
      redis.call('ZREM', KEYS[3], id)
      ${QUEUE_EMBEDDING}
    else
      code = 1
      deleted_any = true
      redis.call('ZADD', KEYS[3], seq, id)
    end
  else
    seq = 0
  end
  out[#out + 1] = code
  out[#out + 1] = seq
end
if deleted_any then
  local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[2])
  if excess > 0 then
    local floor = tonumber(redis.call('GET', KEYS[5]) or '0')
    local popped = redis.call('ZPOPMIN', KEYS[3], excess)
    for i = 1, #popped, 2 do
      redis.call('ZREM', KEYS[2], popped[i])
      local s = tonumber(popped[i + 1])
      if s > floor then floor = s end
    end
    redis.call('SET', KEYS[5], floor)
  end
end
if epoch_checked then ${NUDGE} end
out[1] = redis.call('GET', KEYS[6]) or ''
return out`;

/** ARGV: id → nil, or {profile JSON, epoch, seq of its latest change}: a profile and its version, atomically. */
const READ_LUA = `local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return false end
return {json, redis.call('GET', KEYS[6]) or '', redis.call('ZSCORE', KEYS[2], ARGV[1]) or '0'}`;

/** Writes per script call: bounds one script's run (Redis is single-threaded) and its argument list. */
export const WRITE_CHUNK = 1000;

/** ARGV: epoch candidate, then id1, json1, id2, json2, ... → 1 seeded, 0 when the store was ever written */
const SEED_LUA = `if redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
${WRITE_EPOCH}
for i = 2, #ARGV, 2 do
  local seq = redis.call('INCR', KEYS[4])
  local id = ARGV[i]
  redis.call('HSET', KEYS[1], id, ARGV[i + 1])
  redis.call('ZADD', KEYS[2], seq, id)
  ${QUEUE_EMBEDDING}
end
${NUDGE}
return 1`;

/**
 * ARGV: epoch candidate, has cursor (1|0), cursor epoch, cursor seq, cursor baseline, limit, scan budget, then
 * the shape's tags (none: the whole set).
 * → {'must_refetch'} or {epoch, cursor seq, baseline, has_more (1|0), op1, payload1, op2, payload2, ...}
 * op 'p' carries the profile JSON, op 'd' the id. Tombstones at or below the baseline are skipped; a profile
 * without any of the tags counts as a tombstone.
 */
const CHANGES_LUA = `${ENSURE_EPOCH}
local epoch = redis.call('GET', KEYS[6])
local head = tonumber(redis.call('GET', KEYS[4]) or '0')
local floor = tonumber(redis.call('GET', KEYS[5]) or '0')
local seq = 0
local baseline = head
if ARGV[2] == '1' then
  seq = tonumber(ARGV[4])
  baseline = tonumber(ARGV[5])
  local known = math.max(seq, baseline)
  if ARGV[3] ~= epoch or seq > head or baseline > head or floor > known then return {'must_refetch'} end
end
local limit = tonumber(ARGV[6])
local budget = tonumber(ARGV[7])
local shape = {}
local shaped = #ARGV >= 8
for i = 8, #ARGV do shape[ARGV[i]] = true end
local function in_shape(json)
  if not shaped then return true end
  local ok, profile = pcall(cjson.decode, json)
  if not ok or type(profile) ~= 'table' or type(profile.tags) ~= 'table' then return false end
  for _, tag in ipairs(profile.tags) do
    if shape[tag] then return true end
  end
  return false
end
local out = {}
local count = 0
local last = seq
local has_more = 0
local from = seq
while budget > 0 do
  local chunk = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. from, '+inf', 'WITHSCORES', 'LIMIT', 0, math.min(budget, 256))
  if #chunk == 0 then break end
  for i = 1, #chunk, 2 do
    local id = chunk[i]
    local s = tonumber(chunk[i + 1])
    from = s
    budget = budget - 1
    local json = redis.call('HGET', KEYS[1], id)
    if json and not in_shape(json) then json = false end
    if json or s > baseline then
      if count == limit then has_more = 1 break end
      if json then
        out[#out + 1] = 'p'
        out[#out + 1] = json
      else
        out[#out + 1] = 'd'
        out[#out + 1] = id
      end
      count = count + 1
      last = s
    end
  end
  if has_more == 1 then break end
end
if has_more == 0 then
  if budget <= 0 and from < head then
    -- Out of budget inside a run of skipped entries: resume after the last one scanned.
    has_more = 1
    last = from
  else
    last = head
  end
end
local result = {epoch, tostring(last), tostring(baseline), has_more}
for i = 1, #out do result[#result + 1] = out[i] end
return result`;

type Keys = Record<(typeof KEY_NAMES)[number], string>;

/** The scripts as ioredis custom commands (defineCommand adds them at run time). */
interface StoreScripts {
  nearfeedStoreWrite(...args: (string | number)[]): Promise<(string | number)[]>;
  nearfeedStoreRead(...args: string[]): Promise<[string, string, string] | null>;
  nearfeedStoreSeed(...args: (string | number)[]): Promise<number>;
  nearfeedStoreChanges(...args: (string | number)[]): Promise<(string | number)[]>;
}

export class RedisProfileStore implements ProfileStore {
  readonly backend = 'redis' as const;
  readonly keyPrefix: string;
  private readonly redis: Redis;
  private readonly scripts: StoreScripts;
  private readonly ownsConnection: boolean;
  private readonly keys: Keys;
  private readonly maxTombstones: number;
  private readonly commandTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  /** True once the connection was ready or failed at least once: before that, a call waits for the first outcome. */
  private settled = false;
  /** The last connection or command error, reported as the reason of an outage. */
  private lastError: string | undefined;
  /** Set when a command timed out on a connection ioredis still thinks ready; cleared by a timely PING. */
  private readonly stall: StallWatch;
  private closing = false;
  private watcher: LogWatch | undefined;

  constructor(options: RedisStoreOptions = {}) {
    this.ownsConnection = options.redis === undefined;
    const url = options.url ?? 'redis://127.0.0.1:6379';
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 2000;
    this.redis =
      options.redis ??
      new Redis(
        url,
        // A request that was answered 503 must change nothing later: see failFastRedisOptions.
        failFastRedisOptions({
          connectionName: 'nearfeed-profile-store',
          commandTimeoutMs: this.commandTimeoutMs,
          connectTimeoutMs: this.connectTimeoutMs,
          maxReconnectDelayMs,
        }),
      );
    this.stall = new StallWatch(this.redis, () => {
      this.lastError = undefined;
    });
    // Always listen: an 'error' event without a listener would crash the process.
    let reported = false;
    this.redis.on('error', (err: Error) => {
      this.settled = true;
      this.lastError = describeRedisError(err);
      if (this.ownsConnection && !reported && !this.closing) {
        console.warn(`[nearfeed] profile store: Redis error (${this.lastError}); answering 503 until it is back`);
      }
      reported = true;
    });
    this.redis.on('close', () => {
      this.settled = true;
      this.lastError ??= 'connection closed';
    });
    this.redis.on('ready', () => {
      this.settled = true;
      if (reported && this.ownsConnection && !this.closing) console.info('[nearfeed] profile store: Redis is back');
      reported = false;
      if (!this.stall.stalled) this.lastError = undefined;
    });
    this.keyPrefix = options.keyPrefix ?? 'nearfeed:store:';
    this.maxTombstones = options.maxTombstones ?? 100_000;
    this.keys = Object.fromEntries(KEY_NAMES.map((name) => [name, this.keyPrefix + name])) as Keys;
    const numberOfKeys = KEY_NAMES.length;
    this.redis.defineCommand('nearfeedStoreWrite', { lua: WRITE_LUA, numberOfKeys });
    this.redis.defineCommand('nearfeedStoreSeed', { lua: SEED_LUA, numberOfKeys });
    this.redis.defineCommand('nearfeedStoreRead', { lua: READ_LUA, numberOfKeys });
    this.redis.defineCommand('nearfeedStoreChanges', { lua: CHANGES_LUA, numberOfKeys });
    this.scripts = this.redis as unknown as StoreScripts;
  }

  async get(id: string): Promise<Profile | undefined> {
    const json = await this.run(() => this.redis.hget(this.keys.profiles, id));
    return json === null ? undefined : parseProfile(json);
  }

  async list(ids?: readonly string[]): Promise<Profile[]> {
    if (ids) {
      if (ids.length === 0) return [];
      const values = await this.run(() => this.redis.hmget(this.keys.profiles, ...ids));
      return values.flatMap((json) => (json === null ? [] : [parseProfile(json)]));
    }
    const all = await this.run(() => this.redis.hgetall(this.keys.profiles));
    return Object.keys(all)
      .sort()
      .map((id) => parseProfile(all[id] as string));
  }

  async read(id: string): Promise<VersionedProfile | undefined> {
    const reply = await this.run(() => this.scripts.nearfeedStoreRead(...this.keyList(), id));
    if (reply === null) return undefined;
    const [json, epoch, seq] = reply;
    return { profile: parseProfile(json), version: formatVersion(epoch, seq) };
  }

  async write(writes: readonly ProfileWrite[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (let start = 0; start < writes.length; start += WRITE_CHUNK) {
      const chunk = writes.slice(start, start + WRITE_CHUNK);
      let reply: ScriptWrites;
      try {
        reply = await this.writeChunk(chunk.map((w) => [w, '']));
      } catch (err) {
        // Earlier chunks are applied: the request as a whole was, in part.
        if (start > 0 && err instanceof StoreUnavailableError) throw new StoreUnavailableError(err.reason, 'unknown');
        throw err;
      }
      chunk.forEach((w, i) => outcomes.push(outcomeOf(w, reply.codes[i] as number)));
    }
    return outcomes;
  }

  async writeIf(write: ProfileWrite, match?: VersionMatch): Promise<ConditionalWriteResult> {
    const { epoch, codes, seqs } = await this.writeChunk([[write, encodeMatch(match)]]);
    const [code, seq] = [codes[0] as number, seqs[0] as string];
    if (code === MATCH_FAILED) {
      return { outcome: 'precondition_failed', ...(seq !== '0' && { version: formatVersion(epoch, seq) }) };
    }
    const outcome = outcomeOf(write, code);
    return write.op === 'put' ? { outcome, version: formatVersion(epoch, seq) } : { outcome };
  }

  /** One write script call: each write with its encoded match ('' for none). */
  private async writeChunk(writes: readonly (readonly [ProfileWrite, string])[]): Promise<ScriptWrites> {
    const args = writes.flatMap(([w, match]) =>
      w.op === 'put' ? ['p', w.profile.id, JSON.stringify(w.profile), match] : ['d', w.id, '', match],
    );
    const [epoch, ...flat] = await this.run(
      () => this.scripts.nearfeedStoreWrite(...this.keyList(), epochOffer(), this.maxTombstones, ...args),
      true,
    );
    const codes: number[] = [];
    const seqs: string[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      codes.push(Number(flat[i]));
      seqs.push(String(flat[i + 1]));
    }
    return { epoch: String(epoch), codes, seqs };
  }

  async put(profile: Profile): Promise<boolean> {
    return (await this.write([{ op: 'put', profile }]))[0] === 'created';
  }

  async delete(id: string): Promise<boolean> {
    return (await this.write([{ op: 'delete', id }]))[0] === 'deleted';
  }

  /**
   * Loads `profiles` when this key space was never written (the demo data set at start). Atomic, so of several
   * processes starting at once exactly one seeds. True when it seeded.
   */
  async seedIfEmpty(profiles: readonly Profile[]): Promise<boolean> {
    const args = profiles.flatMap((p) => [p.id, JSON.stringify(p)]);
    return (await this.run(() => this.scripts.nearfeedStoreSeed(...this.keyList(), epochOffer(), ...args))) === 1;
  }

  async changesSince(cursor: string | null, limit: number, shape: SyncShape = ALL): Promise<ChangePage | 'must_refetch'> {
    checkPageLimit(limit);
    const key = shapeKey(shape);
    const state = cursor === null ? undefined : decodeCursor(cursor);
    if (cursor !== null && (!state || state.shape !== key)) return 'must_refetch';
    const reply = await this.run(() =>
      this.scripts.nearfeedStoreChanges(
        ...this.keyList(),
        epochOffer(),
        state ? 1 : 0,
        state?.epoch ?? '',
        state?.seq ?? 0,
        state?.baseline ?? 0,
        limit,
        // Bounds one script's run (Redis is single-threaded) when a page crosses many skipped tombstones.
        limit * 4 + 1000,
        ...new Set(shape.tags),
      ),
    );
    if (reply[0] === 'must_refetch') return 'must_refetch';
    const [epoch, seq, baseline, hasMore, ...flat] = reply;
    const changes: ProfileChange[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const payload = String(flat[i + 1]);
      changes.push(flat[i] === 'p' ? { op: 'put', profile: parseProfile(payload) } : { op: 'delete', id: payload });
    }
    return {
      changes,
      cursor: encodeCursor({ epoch: String(epoch), seq: Number(seq), baseline: Number(baseline), shape: key }),
      hasMore: Number(hasMore) === 1,
    };
  }

  /** Nudges `listener` after every write by any process on this key space (pub/sub, redis-watch.ts). */
  watch(listener: () => void): () => void {
    if (this.closing) return () => undefined;
    this.watcher ??= new LogWatch(this.redis, this.keys.log);
    return this.watcher.add(listener);
  }

  /** The connection and keys of the durable embedding queue (see the key layout). */
  embeddingStream(): EmbeddingStreamAccess {
    return { redis: this.redis, stream: this.keys.embed, log: this.keys.log };
  }

  /** Deletes every key of this store (tests clean up with it). */
  async destroy(): Promise<void> {
    await this.run(() => this.redis.del(...this.keyList()));
  }

  status(): StoreStatus {
    const connected = !this.closing && !this.stall.stalled && this.redis.status === 'ready';
    return connected ? { backend: 'redis', connected } : { backend: 'redis', connected, reason: this.reason() };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.stall.stop();
    this.watcher?.close();
    if (!this.ownsConnection) return;
    if (this.redis.status === 'ready') {
      // quit() waits for a reply a stalled Redis never sends: bounded, then the socket is dropped anyway.
      await Promise.race([this.redis.quit().catch(() => undefined), sleep(this.commandTimeoutMs)]);
    }
    this.redis.disconnect();
  }

  /**
   * Runs one Redis call behind the circuit breaker; any failure (down, stalled, refused) becomes
   * StoreUnavailableError with the outcome a write would have. Before the first connection attempt has an
   * outcome (just after start) it waits for that, at most the connect timeout. Later the breaker is open while
   * the connection is down or stalled (a command timed out and no PING has answered since): the call fails at
   * once, never sent, instead of waiting out the reconnect or the command timeout. The StallWatch's background
   * PING closes it: Redis answers in order, so by then every command sent before the stall has run.
   */
  private async run<T>(call: () => Promise<T>, write = false): Promise<T> {
    const refused = write ? 'not_applied' : undefined;
    if (this.closing) throw new StoreUnavailableError('the store is closed', refused);
    if (this.redis.status !== 'ready' && !this.settled) await this.firstOutcome();
    if (this.redis.status !== 'ready' || this.stall.stalled) throw new StoreUnavailableError(this.reason(), refused);
    try {
      return await call();
    } catch (err) {
      const message = describeRedisError(err);
      if (isCommandTimeout(err)) this.markStalled();
      this.lastError = message;
      throw new StoreUnavailableError(`Redis: ${message}`, write && !isNeverSent(err) ? 'unknown' : refused);
    }
  }

  private reason(): string {
    if (this.closing) return 'the store is closed';
    if (this.stall.stalled) return `Redis does not answer within ${this.commandTimeoutMs} ms`;
    return `Redis is unreachable (${this.lastError ?? `connection ${this.redis.status}`})`;
  }

  /** Resolves when the connection is ready or has failed once, or after the connect timeout. */
  private async firstOutcome(): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        this.redis.off('error', done);
        resolve();
      };
      const timer = setTimeout(done, this.connectTimeoutMs);
      this.redis.once('ready', done);
      this.redis.once('error', done);
    });
  }

  private markStalled(): void {
    if (!this.closing) this.stall.mark();
  }

  private keyList(): string[] {
    return KEY_NAMES.map((name) => this.keys[name]);
  }
}

/** A write script's reply, split up. */
interface ScriptWrites {
  epoch: string;
  codes: number[];
  seqs: string[];
}

/** The write script's code for a write whose match failed. */
const MATCH_FAILED = 2;

function outcomeOf(w: ProfileWrite, code: number): WriteOutcome {
  const done = code === 1;
  return w.op === 'put' ? (done ? 'created' : 'updated') : done ? 'deleted' : 'not_found';
}

/**
 * A VersionMatch as the write script's `match` argument. Versions never hold white space (formatVersion), so
 * a client's tag that does is left out: it could not match anyway.
 */
function encodeMatch(match: VersionMatch | undefined): string {
  if (match === undefined) return '';
  if (match === '*') return '*';
  return `=${match.filter((v) => /^\S+$/.test(v)).join(' ')}`;
}

/**
 * Offered with every script call as the epoch for a key space that has none yet (the first offer wins). Fresh
 * each time: a wiped key space must get a new epoch even from a process that offered one before.
 */
function epochOffer(): string {
  return randomUUID();
}

/**
 * ioredis refused to send: the connection went down between the breaker's check and the call (offline queue
 * off). Anything else (a timeout, a connection closed with the command in flight, a reply error) may have run.
 */
function isNeverSent(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith("Stream isn't writeable");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function parseProfile(json: string): Profile {
  return JSON.parse(json) as Profile;
}
