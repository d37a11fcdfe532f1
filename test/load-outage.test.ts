/**
 * A bounded loopback load test with a Redis crash in the middle: a real server process (`tsx server/main.ts`,
 * test model, PROFILE_STORE=redis) on a throwaway redis-server that fsyncs its append-only file before every
 * reply, so what Redis acknowledged survives its SIGKILL. Concurrent writers PUT new profiles, DELETE some of
 * theirs and POST small batches for a few seconds; Redis is SIGKILLed after the first acknowledged writes and
 * restarted a second later; the writers go on until writes are acknowledged again. Then, from the store's set
 * (/sync):
 * - every write answered 2xx is there (a put with its content, a delete absent);
 * - every write answered 503 with `outcome: "not_applied"` left no trace;
 * - a 503 `unknown` (sent, no reply: the connection died with it in flight) may have gone either way;
 * - nothing else: no 5xx but 503 store_unavailable, no dropped connection.
 * Bounded: at most WRITERS × MAX_OPS writes, and every wait has a limit. Nothing asserts a duration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, SyncResponse } from '../shared/api';
import { startServer, type ServerProcess } from '../bench/support/server-process';
import { TEST_MODEL_DIR } from './support/candidate-app';
import { sleep, startPersistentRedis, type PersistentRedis } from './support/redis';

const WRITERS = 6;
/** Most writes of one writer (puts, deletes and batches all count). */
const MAX_OPS = 400;
/** Writers run at least this long ... */
const MIN_RUN_MS = 4000;
/** ... and until this many writes were acknowledged after the restart, but never longer than this. */
const ACKS_AFTER_RESTART = 30;
const MAX_RUN_MS = 30_000;

type Op = { kind: 'put'; id: string; headline: string } | { kind: 'delete'; id: string };
/** What the server said about one write: acknowledged, refused unapplied, or unknown. */
type Verdict = 'acked' | 'not_applied' | 'unknown';

interface Record_ {
  op: Op;
  verdict: Verdict;
}

let redis: PersistentRedis;
let server: ServerProcess;

beforeAll(async () => {
  redis = await startPersistentRedis();
  server = await startServer({
    model: TEST_MODEL_DIR,
    env: {
      REDIS_URL: redis.url,
      PROFILE_STORE: 'redis',
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_BURST: '1000000',
      LOG_LEVEL: 'warn',
    },
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await redis?.cleanup();
}, 60_000);

function person(id: string, headline: string): Record<string, unknown> {
  return { id, name: `Person ${id}`, headline, bio: `Load test profile ${id}.`, tags: ['load'], diligence: 0.5, engagement: 0.5 };
}

/**
 * Sends one request and classifies the answer: 2xx is acknowledged; a 503 must be store_unavailable with an
 * outcome; anything else fails the test (a DELETE's 404 too: only acknowledged puts are deleted, so a 404 would
 * be a lost write).
 */
async function send(method: string, path: string, body?: unknown): Promise<{ verdict: Verdict; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(`${server.baseUrl}/api/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new Error(`${method} ${path}: no answer from the server (${String(err)})\n${server.log()}`);
  }
  const json = (await res.json()) as unknown;
  if (res.ok) return { verdict: 'acked', json };
  const error = json as ApiError;
  if (res.status !== 503 || error.error_type !== 'store_unavailable' || !error.outcome) {
    throw new Error(`${method} ${path}: unexpected ${res.status} ${JSON.stringify(json)}`);
  }
  return { verdict: error.outcome, json };
}

describe('load with a Redis crash in the middle (real server process, AOF Redis)', () => {
  it('every acknowledged write survives, every not_applied write left no trace', async () => {
    const records: Record_[] = [];
    const phase = { killed: false, restarted: false, acksAfterRestart: 0, ackedBeforeKill: 0, refusedDuringOutage: 0 };
    const started = Date.now();
    const keepGoing = () => {
      const elapsed = Date.now() - started;
      if (elapsed > MAX_RUN_MS) return false;
      return elapsed < MIN_RUN_MS || !phase.restarted || phase.acksAfterRestart < ACKS_AFTER_RESTART;
    };
    const note = (op: Op, verdict: Verdict) => {
      records.push({ op, verdict });
      if (verdict === 'acked') {
        if (!phase.killed) phase.ackedBeforeKill++;
        if (phase.restarted) phase.acksAfterRestart++;
      } else if (phase.killed && !phase.restarted) {
        phase.refusedDuringOutage++;
      }
    };

    async function writer(w: number): Promise<void> {
      const mine: string[] = []; // ids this writer put and got acknowledged, not yet deleted
      for (let n = 0; n < MAX_OPS && keepGoing(); n++) {
        let verdict: Verdict;
        if (n % 7 === 3 && mine.length > 0) {
          const id = mine.shift() as string;
          ({ verdict } = await send('DELETE', `/profiles/${id}`));
          note({ kind: 'delete', id }, verdict);
          if (verdict === 'not_applied') mine.push(id);
        } else if (n % 5 === 4) {
          const puts = [0, 1, 2].map((k) => ({ kind: 'put' as const, id: `load-${w}-${n}-b${k}`, headline: `batch ${w}/${n}/${k}` }));
          let json: unknown;
          ({ verdict, json } = await send('POST', '/profiles/batch', { upsert: puts.map((p) => person(p.id, p.headline)) }));
          if (verdict === 'acked') {
            expect((json as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(['created', 'created', 'created']);
          }
          for (const p of puts) note(p, verdict);
          if (verdict === 'acked') mine.push(...puts.map((p) => p.id));
        } else {
          const op = { kind: 'put' as const, id: `load-${w}-${n}`, headline: `single ${w}/${n}` };
          ({ verdict } = await send('PUT', `/profiles/${op.id}`, person(op.id, op.headline)));
          note(op, verdict);
          if (verdict === 'acked') mine.push(op.id);
        }
        // Refused writes come back in milliseconds: a short pause keeps an outage from becoming a busy loop.
        if (verdict !== 'acked') await sleep(25);
      }
    }

    async function crash(): Promise<void> {
      while (phase.ackedBeforeKill < 20 && Date.now() - started < MAX_RUN_MS) await sleep(20);
      await redis.kill();
      phase.killed = true;
      await sleep(1000);
      await redis.start();
      phase.restarted = true;
    }

    await Promise.all([crash(), ...Array.from({ length: WRITERS }, (_, w) => writer(w))]);

    // The scenario really happened: writes acknowledged before the crash, refused during it, and after it.
    expect(phase.killed && phase.restarted).toBe(true);
    expect(phase.ackedBeforeKill).toBeGreaterThanOrEqual(20);
    expect(phase.refusedDuringOutage).toBeGreaterThan(0);
    expect(phase.acksAfterRestart).toBeGreaterThanOrEqual(ACKS_AFTER_RESTART);
    expect(records.length).toBeLessThanOrEqual(WRITERS * MAX_OPS * 3);
    expect(records.some((r) => r.verdict === 'not_applied')).toBe(true);

    // What each id must be now: the verdicts of its writes in order (one writer owns an id, so they are ordered).
    const expected = new Map<string, { state: 'present' | 'absent' | 'either'; headline?: string }>();
    for (const { op, verdict } of records) {
      const before = expected.get(op.id) ?? { state: 'absent' as const };
      if (verdict === 'not_applied') {
        expected.set(op.id, before);
      } else if (verdict === 'unknown') {
        // Applied or not: the state after it, or the one before (an unknown delete may leave the put before it).
        const headline = op.kind === 'put' ? op.headline : before.headline;
        expected.set(op.id, { state: 'either', ...(headline !== undefined && { headline }) });
      } else {
        expected.set(op.id, op.kind === 'put' ? { state: 'present', headline: op.headline } : { state: 'absent' });
      }
    }

    const stored = await storedLoadProfiles();
    let present = 0;
    let absent = 0;
    for (const [id, want] of expected) {
      const got = stored.get(id);
      if (want.state === 'present') {
        expect(got, `acknowledged put of ${id}`).toBe(want.headline);
        present++;
      } else if (want.state === 'absent') {
        expect(got, `${id} must be absent (never applied, or its delete acknowledged)`).toBeUndefined();
        absent++;
      } else if (got !== undefined) {
        expect(got, `${id} after a write of unknown outcome`).toBe(want.headline);
      }
    }
    // Nothing outside what was written appeared.
    for (const id of stored.keys()) expect(expected.has(id), id).toBe(true);
    expect(present).toBeGreaterThan(0);
    expect(absent).toBeGreaterThan(0);
    // The server's log (its last lines, covering the outage) says what failed, never the Redis address.
    expect(server.log()).not.toContain(redis.port);
    console.info(
      `load-outage: ${records.length} writes, ${records.filter((r) => r.verdict === 'acked').length} acknowledged, ` +
        `${records.filter((r) => r.verdict === 'not_applied').length} not_applied, ` +
        `${records.filter((r) => r.verdict === 'unknown').length} unknown; ${present} present and ${absent} absent as required`,
    );
  }, 120_000);
});

/** id → headline of every `load-` profile in the store, once the server reads it again (bounded wait). */
async function storedLoadProfiles(): Promise<Map<string, string>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await syncAll();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

async function syncAll(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const query = new URLSearchParams({ limit: '5000' });
    if (cursor) query.set('cursor', cursor);
    const res = await fetch(`${server.baseUrl}/api/v1/sync?${query}`);
    if (res.status !== 200) throw new Error(`sync answered ${res.status}`);
    const body = (await res.json()) as SyncResponse;
    for (const c of body.changes) {
      if (c.op === 'put' && c.profile.id.startsWith('load-')) out.set(c.profile.id, c.profile.headline);
    }
    cursor = body.cursor;
    if (!body.has_more) return out;
  }
  throw new Error('sync did not end within 100 pages');
}
