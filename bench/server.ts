/**
 * Server-side figures of the ML API, each a ratio of two variants measured in this one run:
 *  1. cache hit vs miss latency of POST /api/v1/ml/embeddings/batch with 100 texts (memory cache, and Redis
 *     when one answers on REDIS_URL / 127.0.0.1:6379, under a throwaway key prefix that is deleted after);
 *  2. requests/s of concurrent single POST /api/v1/ml/embeddings requests over real HTTP (loopback) with
 *     dynamic batching on vs off.
 * On the generated test model and, when present, the MiniLM-shaped one (`npm run model:bench`). Medians of
 * alternating rounds; the machine is shared and noisy, so read the ratios, not the absolute figures.
 *
 * Run: npx tsx bench/server.ts   (BENCH_ROUNDS, BENCH_CONCURRENCY, BENCH_REQUESTS override the defaults)
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from '../server/app';
import type { EmbeddingCache } from '../server/cache/embedding-cache';
import { createMemoryCache } from '../server/cache/memory-cache';
import { createRedisCache } from '../server/cache/redis-cache';
import { loadServerConfig } from '../server/config';
import { demoProfiles } from '../server/data/demo-profiles';
import { createNodeEmbedder, type NodeEmbedder } from '../server/embedder/node-embedder';
import { createMlService } from '../server/ml/create-ml-service';
import { MemoryProfileStore } from '../server/store/memory-store';
import { connectTestRedis, deleteKeysWithPrefix, uniqueKeyPrefix } from '../test/support/redis';
import { median } from './support/stats';
import { WORDS } from './support/texts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MODELS = ['nearfeed-test', 'nearfeed-minilm-shaped'].map((name) => path.resolve('models/generated', name));


/** A ~20-token sentence; `nonce` makes it unique so it is never a cache hit by accident. */
function sentence(i: number, nonce: string): string {
  const words = Array.from({ length: 14 }, (_, k) => WORDS[(i * 7 + k * 13 + ((i * k) % 5)) % WORDS.length]);
  return `${words.join(' ')} ${nonce}-${i}`;
}


function buildApp(embedder: NodeEmbedder, cache: EmbeddingCache, env: Record<string, string>): Hono {
  const { config } = loadServerConfig({ ML_DEVICE: 'cpu', MAX_BATCH_SIZE: '128', MAX_QUEUE_SIZE: '4096', ...env });
  const store = new MemoryProfileStore({ seed: demoProfiles(10) });
  // The embedder is shared between the apps of one model; close() of a service would dispose it.
  const ml = createMlService({ config, cache, store, model: { state: 'ready', embedder, notes: [] } });
  return createApp({ config, store, cache, ml });
}

async function postJson(app: Hono, route: string, body: unknown): Promise<unknown> {
  const res = await app.request(route, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (res.status !== 200) throw new Error(`${route}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Median ms of a 100-text batch that misses the cache and of the same batch again (all hits). */
async function cacheHitVsMiss(app: Hono): Promise<{ miss: number; hit: number }> {
  const miss: number[] = [];
  const hit: number[] = [];
  await postJson(app, '/api/v1/ml/embeddings/batch', { texts: Array.from({ length: 100 }, (_, i) => sentence(i, 'warm')) });
  for (let round = 0; round < ROUNDS; round++) {
    const texts = Array.from({ length: 100 }, (_, i) => sentence(i, `cache-${round}-${Math.random()}`));
    let t = performance.now();
    const first = (await postJson(app, '/api/v1/ml/embeddings/batch', { texts })) as { cached: number };
    miss.push(performance.now() - t);
    t = performance.now();
    const second = (await postJson(app, '/api/v1/ml/embeddings/batch', { texts })) as { cached: number };
    hit.push(performance.now() - t);
    if (first.cached !== 0 || second.cached !== 100) {
      throw new Error(`expected 0 then 100 cache hits, got ${first.cached} then ${second.cached}`);
    }
  }
  return { miss: median(miss), hit: median(hit) };
}

/** Requests/s of `count` single-text requests over HTTP, `CONCURRENCY` in flight at a time. */
async function singlesPerSecond(baseUrl: string, count: number, nonce: string): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${baseUrl}/api/v1/ml/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: sentence(i, nonce) }),
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return count / ((performance.now() - start) / 1000);
}

async function listen(app: Hono): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

async function redisCacheOrUndefined(prefix: string): Promise<EmbeddingCache | undefined> {
  const cache = createRedisCache({ url: REDIS_URL, ttlSeconds: 600, keyPrefix: prefix, logger: { warn: () => {}, info: () => {} } });
  for (let i = 0; i < 20 && !cache.connected(); i++) await new Promise((r) => setTimeout(r, 50));
  if (cache.connected()) return cache;
  await cache.close();
  return undefined;
}

export async function main(): Promise<void> {
  const models = MODELS.filter((dir) => existsSync(path.join(dir, 'onnx', 'model.onnx')));
  console.log(
    `server bench: medians of ${ROUNDS} rounds, ${CONCURRENCY} concurrent clients over loopback HTTP; ` +
      'shared/noisy machine: read the ratios, not the absolute figures',
  );
  const prefix = uniqueKeyPrefix('bench-server');
  const redis = await redisCacheOrUndefined(prefix);
  try {
    for (const dir of models) {
      const { embedder } = await createNodeEmbedder({ model: dir, dtype: 'fp32', device: 'cpu', logger: () => {} });
      const label = `${path.basename(dir)} (${embedder.info.dimension} dims)`;

      const caches: [string, EmbeddingCache][] = [['memory', createMemoryCache({ maxEntries: 100_000, ttlSeconds: 600 })]];
      if (redis) caches.push(['redis', redis]);
      for (const [name, cache] of caches) {
        const { miss, hit } = await cacheHitVsMiss(buildApp(embedder, cache, {}));
        console.log(
          `${label}: 100-text batch, ${name} cache: miss ${miss.toFixed(1)} ms, hit ${hit.toFixed(1)} ms → miss/hit = ${(miss / hit).toFixed(1)}x`,
        );
      }

      const requests = Number(process.env.BENCH_REQUESTS ?? (embedder.info.dimension >= 384 ? 192 : 768));
      const servers = {
        batched: await listen(buildApp(embedder, createMemoryCache({ maxEntries: 100_000, ttlSeconds: 600 }), {})),
        unbatched: await listen(
          buildApp(embedder, createMemoryCache({ maxEntries: 100_000, ttlSeconds: 600 }), { DYNAMIC_BATCHING: 'false' }),
        ),
      };
      const samples: Record<keyof typeof servers, number[]> = { batched: [], unbatched: [] };
      for (const [name, s] of Object.entries(servers)) await singlesPerSecond(s.url, 64, `warm-${name}`);
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate the order so drift on the shared machine hits both alike.
        const order = round % 2 === 0 ? (['batched', 'unbatched'] as const) : (['unbatched', 'batched'] as const);
        for (const name of order) samples[name].push(await singlesPerSecond(servers[name].url, requests, `rps-${name}-${round}`));
      }
      const on = median(samples.batched);
      const off = median(samples.unbatched);
      console.log(
        `${label}: ${requests} concurrent single requests: dynamic batching ${on.toFixed(0)} req/s, ` +
          `without ${off.toFixed(0)} req/s → with/without = ${(on / off).toFixed(2)}x`,
      );
      await servers.batched.close();
      await servers.unbatched.close();
      await embedder.dispose();
    }
  } finally {
    if (redis) {
      await redis.close();
      const client = await connectTestRedis(REDIS_URL);
      await deleteKeysWithPrefix(client, prefix);
      await client.quit();
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
