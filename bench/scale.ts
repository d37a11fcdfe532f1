/**
 * Scale figures of the data path, each beside its baseline measured in this same run:
 *  1. Import: N profiles (BENCH_IMPORT, default 100,000) through `npm run import` (the CLI, POST
 *     /profiles/batch) into a real server process on the test model, profiles/s, beside single PUTs (the
 *     write path before bulk import) on a slice; then, where the server reports `pending_embeddings`, the
 *     seconds until it is 0. The same with 10,000 on the MiniLM-shaped model when present (`npm run model:bench`).
 *  2. A full first sync of those N candidates at several page sizes: round trips, bytes on the wire identity vs
 *     gzip vs br, seconds; the engine's page size (5,000) is the largest the server allows.
 *  3. Two processes on one Redis (PROFILE_STORE=redis, a throwaway redis-server on a free port; skipped without
 *     redis-server): the same import into process A while A and B both work off the shared queue, profiles/s
 *     and seconds until pending_embeddings is 0, beside the memory store's figures of step 1; then the time
 *     from a PUT on A to the profile in B's feed (the write nudge), beside the same on A itself, p50/p99.
 *  4. `/feed` over real HTTP (a real server process, test model, memory store) at 1k, 10k and 100k candidates
 *     (BENCH_FEED_SIZES), imported into one process step by step through POST /profiles/batch, each size
 *     waited on until pending_embeddings is 0: p50/p99 of FEED_ROUNDS feeds with the user's query vector
 *     cached (the same inline profile each time; its first, uncached feed is printed apart), interleaved with
 *     `rankCandidates` alone (what the ranking service calls, through `recommend`, for a feed without
 *     recommendation fields) on a matrix of the same size and dimension in this process; and the p50 of a feed
 *     over a one-candidate store, measured first in the same process. Goal (issue 7): feed p50 at the largest
 *     size ≤ 2 × bare rank p50 + one-candidate feed p50. With `-- feed`, step 2 then runs on that same store.
 * The machine is shared and noisy: read the ratios, not the absolute figures.
 *
 * Run: npx tsx bench/scale.ts   (BENCH_IMPORT=20000 for a quicker run; `-- redis` for steps 1 and 3 only;
 * `-- minilm` for the MiniLM-shaped 10k import and /feed only;
 * `-- feed` for steps 4 and 2 only)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SyncResponse } from '../shared/api';
import { DEFAULT_RANK_LIMIT } from '../shared/api/feed';
import { packCandidates, rankCandidates, type CandidateMatrix, type RankCandidate } from '../shared/scoring';
import { freePort, startServer, type ServerProcess } from './support/server-process';
import { percentile } from './support/stats';
import { WORDS } from './support/texts';

const IMPORT_N = Number(process.env.BENCH_IMPORT ?? 100_000);
const PUT_N = 2_000;
const TEST_MODEL = path.resolve('models/generated/nearfeed-test');
const MINILM_MODEL = path.resolve('models/generated/nearfeed-minilm-shaped');
const PAGE_SIZES = [500, 1000, 2000, 5000];
const FEED_SIZES = (process.env.BENCH_FEED_SIZES ?? '1000,10000,100000').split(',').map(Number);
const FEED_ROUNDS = 200;
/** What a browser's feed request accepts (the server answers br); the same feeds are also timed with `identity`. */
const BROWSER_ENCODING = 'gzip, deflate, br';
const FEED_WARMUP = 10;

function profile(i: number): Record<string, unknown> {
  const w = (k: number) => WORDS[(i * 7 + k * 13 + ((i * k) % 5)) % WORDS.length];
  return {
    id: `scale-${String(i).padStart(7, '0')}`,
    name: `Person ${i}`,
    headline: `${w(1)} ${w(2)} at ${w(3)}`,
    bio: Array.from({ length: 24 }, (_, k) => w(k + 4)).join(' '),
    tags: [w(30), w(31)].filter((t): t is string => t !== undefined),
    diligence: (i % 97) / 96,
    engagement: (i % 89) / 88,
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}

function writeJsonl(dir: string, n: number): string {
  const file = path.join(dir, `profiles-${n}.jsonl`);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify(profile(i)));
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Runs the CLI; resolves with its wall time in seconds. */
function runImport(file: string, server: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve('node_modules', '.bin', 'tsx'), ['scripts/import.ts', file, '--server', server], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', () => undefined);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`import exited ${code}: ${out}`));
      else resolve((performance.now() - started) / 1000);
    });
  });
}

/** Single PUTs, 8 in flight (what a client without the batch endpoint does); profiles/s. */
async function singlePuts(server: string, from: number, n: number): Promise<number> {
  const started = performance.now();
  let next = from;
  const worker = async () => {
    while (next < from + n) {
      const p = profile(next++);
      const res = await fetch(`${server}/api/v1/profiles/${p.id as string}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(p),
      });
      if (!res.ok) throw new Error(`PUT answered ${res.status}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return n / ((performance.now() - started) / 1000);
}

/** Seconds until /ml/health reports pending_embeddings 0, or undefined when the server has no such figure. */
async function secondsUntilEmbedded(server: string, timeoutS = 1800): Promise<number | undefined> {
  const started = performance.now();
  for (;;) {
    const health = (await (await fetch(`${server}/api/v1/ml/health`)).json()) as { pending_embeddings?: number };
    if (health.pending_embeddings === undefined) return undefined;
    if (health.pending_embeddings === 0) return (performance.now() - started) / 1000;
    if ((performance.now() - started) / 1000 > timeoutS) throw new Error(`still ${health.pending_embeddings} pending after ${timeoutS} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** GET over node:http keeping the wire bytes (fetch would decode them); returns the body decoded and its wire size. */
function rawGet(url: string, acceptEncoding: string | undefined): Promise<{ wire: number; json: SyncResponse }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', async () => {
          const body = Buffer.concat(chunks);
          const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
          const enc = res.headers['content-encoding'];
          const plain = enc === 'br' ? brotliDecompressSync(body) : enc === 'gzip' ? gunzipSync(body) : body;
          if (res.statusCode !== 200) return reject(new Error(`sync answered ${res.statusCode}: ${plain.toString().slice(0, 200)}`));
          resolve({ wire: body.length, json: JSON.parse(plain.toString('utf8')) as SyncResponse });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** A full first sync: round trips, wire bytes, seconds, candidates received. */
async function fullSync(server: string, limit: number, acceptEncoding: string | undefined, embeddings = false) {
  const started = performance.now();
  let cursor: string | null = null;
  let trips = 0;
  let bytes = 0;
  let puts = 0;
  for (;;) {
    const q = new URLSearchParams({ limit: String(limit), embeddings: String(embeddings) });
    if (cursor) q.set('cursor', cursor);
    const { wire, json } = await rawGet(`${server}/api/v1/sync?${q}`, acceptEncoding);
    trips++;
    bytes += wire;
    puts += json.changes.filter((c) => c.op === 'put').length;
    cursor = json.cursor;
    if (!json.has_more) break;
  }
  return { trips, bytes, seconds: (performance.now() - started) / 1000, puts };
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

/** What an import measured, for the ratios of later steps. */
interface ImportFigures {
  rate: number;
  /** Seconds from the end of the import until pending_embeddings was 0. */
  embedded: number | undefined;
}

async function importFigures(model: string, n: number, dir: string, withSync: boolean): Promise<ImportFigures> {
  const server = await startServer({ model, env: { MAX_QUEUE_SIZE: '100000' } });
  try {
    const file = writeJsonl(dir, n);
    const puts = await singlePuts(server.baseUrl, n, Math.min(PUT_N, n));
    const seconds = await runImport(file, server.baseUrl);
    const rate = n / seconds;
    console.log(`import ${n.toLocaleString('en')} profiles (${path.basename(model)}) via the CLI: ${seconds.toFixed(1)} s, ${Math.round(rate).toLocaleString('en')} profiles/s`);
    console.log(`  single PUTs (8 in flight, ${Math.min(PUT_N, n)} profiles): ${Math.round(puts).toLocaleString('en')} profiles/s → bulk import ${(rate / puts).toFixed(1)}× faster`);
    const embedded = await secondsUntilEmbedded(server.baseUrl);
    console.log(
      embedded === undefined
        ? '  pending_embeddings: not reported by this server (no write-time embedding queue yet)'
        : `  pending_embeddings 0 after ${embedded.toFixed(1)} s more (${Math.round(n / (seconds + embedded)).toLocaleString('en')} profiles/s written and embedded)`,
    );
    if (withSync) await syncFigures(server);
    return { rate, embedded };
  } finally {
    await server.stop();
  }
}

/** Starts a redis-server child on a free port that keeps nothing on disk; undefined without redis-server. */
async function throwawayRedis(): Promise<{ url: string; stop(): void } | undefined> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

/** ms from a PUT on `writer` until the profile is in `reader`'s feed (polled back to back), per round. */
async function writeToVisible(writer: ServerProcess, reader: ServerProcess, rounds: number, tag: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const p = { ...profile(9_000_000 + i), id: `visible-${tag}-${i}` };
    const started = performance.now();
    const res = await fetch(`${writer.baseUrl}/api/v1/profiles/${p.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(p),
    });
    if (!res.ok) throw new Error(`PUT answered ${res.status}`);
    await res.arrayBuffer();
    for (let tries = 0; ; tries++) {
      const feed = await fetch(`${reader.baseUrl}/api/v1/feed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ profile: { name: 'Query', headline: 'Engineer', bio: 'Looking.', tags: [] }, candidate_ids: [p.id] }),
      });
      if (feed.status !== 200) throw new Error(`feed answered ${feed.status}`);
      const body = (await feed.json()) as { results: { profile: { id: string } }[] };
      if (body.results.some((r) => r.profile.id === p.id)) break;
      if (tries > 10_000) throw new Error('write never became visible');
    }
    out.push(performance.now() - started);
  }
  return out;
}

async function redisFigures(n: number, dir: string, memory: ImportFigures): Promise<void> {
  const redis = await throwawayRedis();
  if (!redis) {
    console.log('two processes on Redis: skipped (no redis-server)');
    return;
  }
  const env = { REDIS_URL: redis.url, PROFILE_STORE: 'redis', MAX_QUEUE_SIZE: '100000', RATE_LIMIT_PER_SECOND: '1000000' };
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;
  try {
    a = await startServer({ model: TEST_MODEL, env });
    b = await startServer({ model: TEST_MODEL, env });
    const file = writeJsonl(dir, n);
    const seconds = await runImport(file, a.baseUrl);
    const rate = n / seconds;
    const embedded = (await secondsUntilEmbedded(a.baseUrl)) ?? NaN;
    console.log(`two processes on one Redis (test model), ${n.toLocaleString('en')} profiles imported through A:`);
    console.log(`  import ${seconds.toFixed(1)} s, ${Math.round(rate).toLocaleString('en')} profiles/s (${(rate / memory.rate).toFixed(2)}× the memory store's)`);
    console.log(
      `  pending_embeddings 0 after ${embedded.toFixed(1)} s more, A and B sharing the stream` +
        (memory.embedded !== undefined ? ` (memory store, one process: ${memory.embedded.toFixed(1)} s; ratio ${(embedded / memory.embedded).toFixed(2)})` : ''),
    );
    const rounds = 50;
    const cross = await writeToVisible(a, b, rounds, 'cross');
    const same = await writeToVisible(a, a, rounds, 'same');
    const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms`;
    console.log(`  write on A → in B's feed (${rounds} writes): ${fmt(cross)}; on A itself: ${fmt(same)}; ratio p50 ${(percentile(cross, 50) / percentile(same, 50)).toFixed(2)}`);
  } finally {
    await Promise.all([a?.stop(), b?.stop()]);
    redis.stop();
  }
}

async function syncFigures(server: ServerProcess): Promise<void> {
  console.log('full first sync (embeddings=false):');
  console.log('  page    trips   identity      gzip        br   br/identity  seconds(br)');
  for (const limit of PAGE_SIZES) {
    const plain = await fullSync(server.baseUrl, limit, undefined);
    const gz = await fullSync(server.baseUrl, limit, 'gzip');
    const br = await fullSync(server.baseUrl, limit, 'br, gzip');
    console.log(
      `  ${String(limit).padStart(5)}  ${String(br.trips).padStart(6)}  ${mb(plain.bytes).padStart(9)}  ${mb(gz.bytes).padStart(8)}  ${mb(br.bytes).padStart(8)}` +
        `  ${(br.bytes / plain.bytes).toFixed(3).padStart(11)}  ${br.seconds.toFixed(2).padStart(11)} (identity ${plain.seconds.toFixed(2)} s, ${br.puts} candidates)`,
    );
  }
  let withVectors: Awaited<ReturnType<typeof fullSync>>;
  let withVectorsPlain: Awaited<ReturnType<typeof fullSync>>;
  try {
    withVectors = await fullSync(server.baseUrl, 5000, 'br, gzip', true);
    withVectorsPlain = await fullSync(server.baseUrl, 5000, undefined, true);
  } catch (err) {
    // Reported, so the figures above survive it (a page taking longer than REQUEST_TIMEOUT_MS has its socket
    // closed: what a sync reading its vectors from the bounded embedding cache did at 100k).
    console.log(`  embeddings=true, page 5000: failed (${(err as Error).message})`);
    return;
  }
  console.log(
    `  embeddings=true, page 5000: ${withVectors.trips} trips, ${mb(withVectorsPlain.bytes)} identity → ${mb(withVectors.bytes)} br ` +
      `(${(withVectors.bytes / withVectorsPlain.bytes).toFixed(3)}), ${withVectors.seconds.toFixed(1)} s (br) / ${withVectorsPlain.seconds.toFixed(1)} s (identity, vectors then cached)`,
  );
}

/** Upserts profiles [from, to) through POST /profiles/batch (batches of 1,000, two in flight); seconds. */
async function batchImport(server: string, from: number, to: number): Promise<number> {
  const started = performance.now();
  let next = from;
  const worker = async () => {
    while (next < to) {
      const start = next;
      next = Math.min(to, next + 1000);
      const upsert = Array.from({ length: next - start }, (_, k) => profile(start + k));
      const res = await fetch(`${server}/api/v1/profiles/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ upsert }),
      });
      const body = (await res.json()) as { results?: { status: string }[] };
      if (!res.ok || body.results?.some((r) => r.status === 'error')) throw new Error(`batch answered ${res.status}`);
    }
  };
  await Promise.all([worker(), worker()]);
  return (performance.now() - started) / 1000;
}

/** Deletes every stored profile (ids from a full sync) through POST /profiles/batch. */
async function deleteAll(server: string): Promise<void> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const q = new URLSearchParams({ limit: '5000' });
    if (cursor) q.set('cursor', cursor);
    const page = (await (await fetch(`${server}/api/v1/sync?${q}`)).json()) as SyncResponse;
    for (const c of page.changes) if (c.op === 'put') ids.push(c.profile.id);
    cursor = page.cursor;
    if (!page.has_more) break;
  }
  for (let i = 0; i < ids.length; i += 1000) {
    const res = await fetch(`${server}/api/v1/profiles/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delete: ids.slice(i, i + 1000) }),
    });
    if (!res.ok) throw new Error(`batch delete answered ${res.status}`);
    await res.arrayBuffer();
  }
}

/** L2-normalised pseudo-random vectors (the ranking's cost depends on the size, not the values). */
function randomVector(dim: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const v = new Float32Array(dim);
  let sq = 0;
  for (let j = 0; j < dim; j++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[j] = s / 2 ** 32 - 0.5;
    sq += v[j]! * v[j]!;
  }
  const inv = 1 / Math.sqrt(sq);
  for (let j = 0; j < dim; j++) v[j] = v[j]! * inv;
  return v;
}

function randomMatrix(n: number, dim: number): CandidateMatrix {
  const rows: RankCandidate[] = Array.from({ length: n }, (_, i) => ({
    id: `bare-${i}`,
    vector: randomVector(dim, i + 1),
    diligence: (i % 97) / 96,
    engagement: (i % 89) / 88,
  }));
  return packCandidates(rows);
}

interface FeedBody {
  results: unknown[];
  ml_applied: boolean;
  pending_candidates: number;
}

/** One POST /feed for an inline profile; ms, and the body checked (ML applied, nothing pending, `expect` results). */
async function timedFeed(server: string, bio: string, expect: number, encoding = BROWSER_ENCODING): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${server}/api/v1/feed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-encoding': encoding },
    body: JSON.stringify({ profile: { name: 'Query', headline: 'Engineer', bio, tags: [] } }),
  });
  const body = (await res.json()) as FeedBody;
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`feed answered ${res.status}`);
  if (!body.ml_applied || body.pending_candidates !== 0 || body.results.length !== expect) {
    throw new Error(`feed not as expected: ml_applied ${body.ml_applied}, pending ${body.pending_candidates}, ${body.results.length} results`);
  }
  return ms;
}

/**
 * Step 4 (see the module comment). Two server processes: one holding a single candidate (the fixed cost of a
 * feed: HTTP, validation, the cached query, JSON), one growing through the sizes; in every round one feed from
 * each and one bare rank, so all three see the same machine load. Returns the growing server, holding the
 * largest size, when `keep` (for step 2), else stops it.
 */
async function feedFigures(keep: boolean, model = TEST_MODEL, sizes = FEED_SIZES): Promise<ServerProcess | undefined> {
  const env = { MAX_QUEUE_SIZE: '100000', RATE_LIMIT_PER_SECOND: '0' };
  const [oneServer, server] = await Promise.all([startServer({ model, env }), startServer({ model, env })]);
  let kept = false;
  try {
    const info = (await (await fetch(`${server.baseUrl}/api/v1/ml/info`)).json()) as { dimension: number };
    const dim = info.dimension;
    const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(2)} ms, p99 ${percentile(xs, 99).toFixed(2)} ms`;
    console.log(
      `/feed over HTTP (${path.basename(model)}, ${dim} dims, memory store, limit ${DEFAULT_RANK_LIMIT}; ${FEED_ROUNDS} rounds per size of: ` +
        'a feed from the growing server, one from a one-candidate server, one bare rankCandidates; query vector cached):',
    );
    // The memory store starts with the demo data: deleted first, in both.
    await Promise.all([deleteAll(oneServer.baseUrl), deleteAll(server.baseUrl)]);
    await batchImport(oneServer.baseUrl, 0, 1);
    await secondsUntilEmbedded(oneServer.baseUrl);

    let held = 0;
    let last: { n: number; feed: number; plain: number; bare: number; one: number } | undefined;
    for (const n of sizes) {
      const importS = await batchImport(server.baseUrl, held, n);
      const embedS = (await secondsUntilEmbedded(server.baseUrl)) ?? NaN;
      held = n;
      const matrix = randomMatrix(n, dim);
      const query = randomVector(dim, 7);
      const bio = `Looking for ${n} people.`;
      const limit = Math.min(DEFAULT_RANK_LIMIT, n);
      const first = await timedFeed(server.baseUrl, bio, limit);
      const oneFirst = await timedFeed(oneServer.baseUrl, bio, 1);
      const bareOnce = () => {
        const started = performance.now();
        rankCandidates(query, matrix, { limit: DEFAULT_RANK_LIMIT, excludeIds: new Set<string>() });
        return performance.now() - started;
      };
      const feeds: number[] = [];
      const plain: number[] = [];
      const ones: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < FEED_WARMUP + FEED_ROUNDS; i++) {
        const f = await timedFeed(server.baseUrl, bio, limit);
        const p = await timedFeed(server.baseUrl, bio, limit, 'identity');
        const o = await timedFeed(oneServer.baseUrl, bio, 1);
        const b = bareOnce();
        if (i < FEED_WARMUP) continue;
        feeds.push(f);
        plain.push(p);
        ones.push(o);
        bare.push(b);
      }
      console.log(`  ${n.toLocaleString('en')} candidates (imported in ${importS.toFixed(1)} s, pending_embeddings 0 ${embedS.toFixed(1)} s later):`);
      console.log(`    feed ${fmt(feeds)} (br, as a browser asks; first, query uncached: ${first.toFixed(1)} ms)`);
      console.log(`    feed ${fmt(plain)} (identity: not compressed)`);
      console.log(`    bare rankCandidates, ${n.toLocaleString('en')} × ${dim}: ${fmt(bare)}`);
      console.log(`    one-candidate feed ${fmt(ones)} (first, query uncached: ${oneFirst.toFixed(1)} ms)`);
      last = { n, feed: percentile(feeds, 50), plain: percentile(plain, 50), bare: percentile(bare, 50), one: percentile(ones, 50) };
    }
    if (last) {
      // The one-candidate feed's response (one result) is under MIN_COMPRESS_BYTES: never compressed.
      const budget = 2 * last.bare + last.one;
      for (const [label, feed] of [['br', last.feed], ['identity', last.plain]] as const) {
        console.log(
          `  goal at ${last.n.toLocaleString('en')} (${label}): feed p50 ${feed.toFixed(2)} ms ≤ 2 × bare rank p50 ${last.bare.toFixed(2)} ms + one-candidate feed p50 ` +
            `${last.one.toFixed(2)} ms = ${budget.toFixed(2)} ms → ${feed <= budget ? 'met' : 'not met'} (feed / budget ${(feed / budget).toFixed(2)})`,
        );
      }
    }
    kept = keep;
    return keep ? server : undefined;
  } finally {
    await oneServer.stop();
    if (!kept) await server.stop();
  }
}

export async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nearfeed-scale-'));
  try {
    if (process.argv.includes('feed')) {
      const server = (await feedFigures(true))!;
      try {
        await syncFigures(server);
      } finally {
        await server.stop();
      }
      return;
    }
    if (process.argv.includes('minilm')) {
      // The MiniLM-shaped figures alone: a 10k import through the CLI, then /feed at 10k.
      if (!existsSync(path.join(MINILM_MODEL, 'onnx', 'model.onnx'))) throw new Error('npm run model:bench first');
      await importFigures(MINILM_MODEL, 10_000, dir, false);
      await feedFigures(false, MINILM_MODEL, [10_000]);
      return;
    }
    const onlyRedis = process.argv.includes('redis');
    const memory = await importFigures(TEST_MODEL, IMPORT_N, dir, !onlyRedis);
    await redisFigures(IMPORT_N, dir, memory);
    if (onlyRedis) return;
    if (existsSync(path.join(MINILM_MODEL, 'onnx', 'model.onnx'))) await importFigures(MINILM_MODEL, 10_000, dir, false);
    else console.log('MiniLM-shaped model missing (npm run model:bench): its import figure is skipped');
    await feedFigures(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await main();
