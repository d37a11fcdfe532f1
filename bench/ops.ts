/**
 * What the operational layer costs: requests/s over real HTTP (loopback, the production Node server) with
 * API keys, rate limits and metrics on vs all three off, measured side by side in one run (rounds in rotating
 * order, medians), printed as ratios (goal ≥ 0.95): per wall second, and per CPU second of the process, the
 * steadier figure on a shared machine.
 *
 * - on: API_KEYS with REQUIRE_READ_KEY=true (every request's key is checked), a rate limit high enough never
 *   to refuse (every request is counted), METRICS=true (every request timed into the histogram).
 * - on, Redis limits: the same with the rate limiter's counters in Redis (REDIS_URL / 127.0.0.1:6379, a
 *   throwaway key prefix), as several processes behind a proxy run; skipped when no Redis answers.
 * - off: no keys, RATE_LIMIT_PER_SECOND=0, METRICS=false.
 *
 * - off, again: the off server once more, so the run prints its own noise floor (an A/A ratio) beside the
 *   A/B ones; on a busy shared machine it is easily ±20%.
 *
 * Two requests: GET /api/v1/profiles/{id} (the cheapest route, so the overhead shows most) and POST
 * /api/v1/feed ranking 300 candidates by their features (ML off, so the model's time does not hide it).
 *
 * Then the middleware alone: CPU time per in-process request, on vs off, in short interleaved chunks (the
 * steadiest of the figures on a loaded machine).
 *
 * Run: npx tsx bench/ops.ts   (BENCH_ROUNDS, BENCH_CONCURRENCY, BENCH_REQUESTS, BENCH_CHUNKS override the
 * defaults; BENCH_PART=in-process runs only the last part)
 */
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { Hono } from 'hono';
import { createApp } from '../server/app';
import { createMemoryCache } from '../server/cache/memory-cache';
import { loadServerConfig } from '../server/config';
import { demoProfiles } from '../server/data/demo-profiles';
import { serveApp, type RunningServer } from '../server/http/node-server';
import { createRateLimiter, type RateLimiter } from '../server/http/rate-limit';
import { createMlService } from '../server/ml/create-ml-service';
import { createRanking } from '../server/ranking/create-ranking';
import { MemoryProfileStore } from '../server/store/memory-store';
import { connectTestRedis, deleteKeysWithPrefix, uniqueKeyPrefix } from '../test/support/redis';
import { median } from './support/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY = 'bench-ops-read-key-0123456789';

const ON = {
  API_KEYS: `read:${KEY},write:bench-ops-write-key-0123456789`,
  REQUIRE_READ_KEY: 'true',
  RATE_LIMIT_PER_SECOND: '1000000',
  RATE_LIMIT_BURST: '1000000',
  METRICS: 'true',
};
const OFF = { RATE_LIMIT_PER_SECOND: '0', METRICS: 'false' };

interface Variant {
  name: string;
  url: string;
  headers: Record<string, string>;
  close(): Promise<void>;
}

/** The app of a variant, on the memory store with 300 demo profiles, ML off. */
function buildApp(env: Record<string, string>, rateLimiter?: RateLimiter) {
  const { config } = loadServerConfig({ ML_ENABLED: 'false', LOG_LEVEL: 'silent', ...env });
  const store = new MemoryProfileStore({ seed: demoProfiles(300) });
  const cache = createMemoryCache({ maxEntries: 1000, ttlSeconds: 600 });
  const ml = createMlService({ config, cache, store, model: { state: 'disabled' } });
  const ranking = createRanking({ config, store, cache, ml });
  const app: Hono = createApp({ config, store, cache, ml, ranking, ...(rateLimiter ? { rateLimiter } : {}) });
  return { app, config, ranking };
}

async function start(name: string, env: Record<string, string>, rateLimiter?: RateLimiter): Promise<Variant> {
  const { app, config, ranking } = buildApp(env, rateLimiter);
  const server: RunningServer = await serveApp(app, { ...config, port: 0, hostname: '127.0.0.1' });
  const { port } = server.server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    headers: env.API_KEYS ? { authorization: `Bearer ${KEY}` } : {},
    close: async () => {
      await server.close();
      await ranking.close();
      await rateLimiter?.close();
    },
  };
}

interface Workload {
  name: string;
  send(v: Variant, i: number): Promise<Response>;
}

const FEED_BODY = JSON.stringify({ profile: { name: 'Bench', headline: 'Operator', bio: 'Measures things.', tags: ['x'], diligence: 0.5, engagement: 0.5 }, limit: 20 });
const WORKLOADS: Workload[] = [
  { name: 'GET /api/v1/profiles/{id}', send: (v, i) => fetch(`${v.url}/api/v1/profiles/demo-${String((i % 300) + 1).padStart(3, '0')}`, { headers: v.headers }) },
  {
    name: 'POST /api/v1/feed (300 candidates, features only)',
    send: (v) => fetch(`${v.url}/api/v1/feed`, { method: 'POST', headers: { ...v.headers, 'content-type': 'application/json' }, body: FEED_BODY }),
  },
];

/**
 * `count` requests, CONCURRENCY in flight (keep-alive), every answer checked and read: requests per wall
 * second, and per CPU second of this process (client and server both run here, so the client's share is the
 * same for every variant; CPU time hardly moves when other processes load the machine, wall time does).
 */
async function perSecond(v: Variant, w: Workload, count: number): Promise<{ wall: number; cpu: number }> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const res = await w.send(v, next++);
      if (res.status !== 200) throw new Error(`${v.name} ${w.name}: HTTP ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  const t = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(cpu);
  return { wall: count / ((performance.now() - t) / 1000), cpu: count / ((used.user + used.system) / 1e6) };
}

async function redisAnswers(): Promise<boolean> {
  try {
    const client = await connectTestRedis(REDIS_URL);
    client.disconnect();
    return true;
  } catch {
    return false;
  }
}

/**
 * The middleware alone, without sockets: CPU time per in-process GET /api/v1/profiles/{id} (app.request) on the
 * on and off apps, interleaved in short chunks (a load swing on the machine hits both sides alike). With a key
 * the in-process client is rate limited too, so "on" runs the key check, the limiter and the metrics.
 */
async function inProcess(): Promise<void> {
  const CHUNK = 200;
  const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 60);
  const sides = [
    { name: 'off', ...buildApp(OFF), headers: {} as Record<string, string> },
    { name: 'on', ...buildApp(ON), headers: { authorization: `Bearer ${KEY}` } },
  ];
  const cpu = new Map<string, number[]>(sides.map((s) => [s.name, []]));
  const run = async (side: (typeof sides)[number], i0: number) => {
    const t = process.cpuUsage();
    for (let i = 0; i < CHUNK; i++) {
      const res = await side.app.request(`/api/v1/profiles/demo-${String(((i0 + i) % 300) + 1).padStart(3, '0')}`, { headers: side.headers });
      if (res.status !== 200) throw new Error(`in-process ${side.name}: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
    const used = process.cpuUsage(t);
    return (used.user + used.system) / CHUNK;
  };
  for (const side of sides) await run(side, 0); // warm-up
  for (let k = 0; k < CHUNKS; k++) {
    for (const side of k % 2 === 0 ? sides : [...sides].reverse()) cpu.get(side.name)!.push(await run(side, k * CHUNK));
  }
  const off = median(cpu.get('off')!);
  const on = median(cpu.get('on')!);
  console.log(
    `in-process GET /api/v1/profiles/{id} (no sockets), ${CHUNKS} interleaved chunks of ${CHUNK}: off ${off.toFixed(1)} µs CPU, ` +
      `on ${on.toFixed(1)} µs CPU per request → on/off requests per CPU-second = ${(off / on).toFixed(3)} (goal ≥ 0.95)`,
  );
  await Promise.all(sides.map((s) => s.ranking.close()));
}

/** One side of the comparison: how to start its server. */
interface VariantSpec {
  name: string;
  env: Record<string, string>;
  /** Rate-limit counters in Redis under this key prefix. */
  redisPrefix?: string;
}

export async function main(): Promise<void> {
  console.log(
    `ops bench: requests/s over loopback HTTP, ${CONCURRENCY} concurrent keep-alive clients, ${REQUESTS} requests per ` +
      `round, medians of ${ROUNDS} rounds in rotating order, a fresh server per round (only one alive at a time); ` +
      'shared/noisy machine: read the ratios',
  );
  if (process.env.BENCH_PART === 'in-process') return inProcess();
  const prefix = uniqueKeyPrefix('bench-ops');
  // 'off, again' is the same server as 'off': its ratio is this run's noise floor (A/A).
  const specs: VariantSpec[] = [
    { name: 'off', env: OFF },
    { name: 'on', env: ON },
    { name: 'off, again (A/A: the noise)', env: OFF },
  ];
  if (await redisAnswers()) specs.push({ name: 'on, Redis limits', env: ON, redisPrefix: prefix });
  else console.log('(no Redis on REDIS_URL: the Redis-shared limiter is not measured)');
  // A server per measurement, alone in the process: a server that merely exists (its sockets, timers, heap)
  // must not slow the one measured, nor may the order they were made in (seen: ±30% between two identical ones).
  const measure = async (spec: VariantSpec, w: Workload) => {
    const limiter = spec.redisPrefix
      ? createRateLimiter({ perSecond: 1_000_000, burst: 1_000_000, redisUrl: REDIS_URL, keyPrefix: spec.redisPrefix })
      : undefined;
    const v = await start(spec.name, spec.env, limiter);
    try {
      await perSecond(v, w, Math.min(100, REQUESTS)); // warm-up: JIT, sockets, the candidate index
      return await perSecond(v, w, REQUESTS);
    } finally {
      await v.close();
    }
  };
  try {
    for (const w of WORKLOADS) {
      const wall = new Map<string, number[]>(specs.map((v) => [v.name, []]));
      const cpu = new Map<string, number[]>(specs.map((v) => [v.name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate the order, so every variant runs in every position equally often.
        for (let i = 0; i < specs.length; i++) {
          const spec = specs[(i + round) % specs.length]!;
          const r = await measure(spec, w);
          wall.get(spec.name)!.push(r.wall);
          cpu.get(spec.name)!.push(r.cpu);
        }
      }
      const off = { wall: median(wall.get('off')!), cpu: median(cpu.get('off')!) };
      console.log(`${w.name}: off ${off.wall.toFixed(0)} req/s (${off.cpu.toFixed(0)} per CPU-second)`);
      for (const spec of specs.slice(1)) {
        const on = { wall: median(wall.get(spec.name)!), cpu: median(cpu.get(spec.name)!) };
        console.log(
          `  ${spec.name}: ${on.wall.toFixed(0)} req/s → on/off = ${(on.wall / off.wall).toFixed(3)}; ` +
            `${on.cpu.toFixed(0)} per CPU-second → on/off = ${(on.cpu / off.cpu).toFixed(3)} (goal ≥ 0.95)`,
        );
      }
    }
    await inProcess();
  } finally {
    const client = await connectTestRedis(REDIS_URL).catch(() => undefined);
    if (client) {
      await deleteKeysWithPrefix(client, prefix);
      client.disconnect();
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
  process.exit(0);
}
