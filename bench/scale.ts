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
 * The machine is shared and noisy: read the ratios, not the absolute figures.
 *
 * Run: npx tsx bench/scale.ts   (BENCH_IMPORT=20000 for a quicker run; `-- redis` for steps 1 and 3 only)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SyncResponse } from '../shared/api';
import { freePort, startServer, type ServerProcess } from './support/server-process';
import { WORDS } from './support/texts';

const IMPORT_N = Number(process.env.BENCH_IMPORT ?? 100_000);
const PUT_N = 2_000;
const TEST_MODEL = path.resolve('models/generated/nearfeed-test');
const MINILM_MODEL = path.resolve('models/generated/nearfeed-minilm-shaped');
const PAGE_SIZES = [500, 1000, 2000, 5000];

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

/** The p-th percentile (nearest rank) of a sample. */
function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

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
  const withVectors = await fullSync(server.baseUrl, 5000, 'br, gzip', true);
  const withVectorsPlain = await fullSync(server.baseUrl, 5000, undefined, true);
  console.log(
    `  embeddings=true, page 5000: ${withVectors.trips} trips, ${mb(withVectorsPlain.bytes)} identity → ${mb(withVectors.bytes)} br ` +
      `(${(withVectors.bytes / withVectorsPlain.bytes).toFixed(3)}), ${withVectors.seconds.toFixed(1)} s (br) / ${withVectorsPlain.seconds.toFixed(1)} s (identity, vectors then cached)`,
  );
}

export async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nearfeed-scale-'));
  try {
    const onlyRedis = process.argv.includes('redis');
    const memory = await importFigures(TEST_MODEL, IMPORT_N, dir, !onlyRedis);
    await redisFigures(IMPORT_N, dir, memory);
    if (onlyRedis) return;
    if (existsSync(path.join(MINILM_MODEL, 'onnx', 'model.onnx'))) await importFigures(MINILM_MODEL, 10_000, dir, false);
    else console.log('MiniLM-shaped model missing (npm run model:bench): its import figure is skipped');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await main();
