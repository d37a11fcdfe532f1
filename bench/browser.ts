/**
 * Browser vs server, measured side by side in one run against the real server (`server/main.ts`, in-memory
 * defaults) and Debian's Chromium (the e2e launch flags, every non-local request aborted):
 *
 *  1. Embeddings/s for the SAME texts, short (~20 tokens) and long (~200 tokens): the demo's engine
 *     (`window.__nearfeed.engine.embed(texts)`, one call, batched in its worker, onnxruntime-web on WASM, timed
 *     inside the page) vs POST /api/v1/ml/embeddings/batch (batches ≤ max_batch_size from /ml/info, sent one
 *     after the other over loopback HTTP, timed in Node). Every round uses new texts (a round nonce is appended)
 *     and the server's answers must report `cached: 0`, so the server really computes; both sides embed
 *     exactly the same strings. Plus single-text latency: engine.embed([text]) vs POST /ml/embeddings.
 *     Query latency (one text) p50 and p95 both ways; 1 vs 2 ORT WASM threads (`?threads=1|2`) side by side.
 *  2. The cold start budget with `--candidates N` candidates (default 10,000, imported through POST
 *     /profiles/batch beside the demo's seeded ones; server vectors): a first visit (fresh context) and a repeat
 *     visit (reload: warm HTTP cache, IndexedDB and Cache Storage), `status().startup`'s breakdown for both
 *     (page, /ml/info, IndexedDB, sync, rank, ORT wasm, model files, session, first inference), and the goals as
 *     ratios: repeat visit first feed / 1 s, first visit first feed / (model ready + 100 ms).
 *  3. fp32 vs q8 on the device: a second server runs EMBEDDING_DTYPE=q8 on the same model and candidates, so
 *     each dtype has its server's vectors; per dtype the weights downloaded, the first visit's time to first
 *     feed, the browser's embeddings/s on the same texts, and the agreement of the two feeds (top-20 overlap).
 *
 * On the MiniLM-shaped generated model (6×384, 30k vocabulary, like all-MiniLM-L6-v2), or the small test model
 * with `--quick`. Medians; the VM is shared, noisy and has 2 cores: read the ratios, not the absolute figures.
 *
 * Run: npx tsx bench/browser.ts [--quick] [--runs N] [--rounds N] [--candidates N] [--only throughput,threads,cold,dtype]
 * Needs the demo build (dist/demo, `npm run build:demo`; built here when missing) and /usr/bin/chromium.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { AutoTokenizer, env as transformersEnv } from '@huggingface/transformers';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { EngineStatus } from '../client/types';
import type { MlInfo } from '../shared/api';
import type {} from '../client/demo/test-hook'; // window.__nearfeed
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/chromium';
import { userVectorStored } from '../e2e/support/demo';
import { installNetworkGuard, type NetworkGuard } from '../e2e/support/network-guard';
import { ensureModel } from '../scripts/model/generate';
import { startServer, type ServerProcess } from './support/server-process';
import { median, percentile } from './support/stats';
import { sentence, WORDS } from './support/texts';



const fmt = (x: number, digits = 1) => x.toFixed(digits);

async function postJson<T>(baseUrl: string, route: string, body: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${route}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Counts tokens (special tokens included) with the model's own tokenizer, in Node. */
async function tokenCounter(modelDir: string): Promise<(text: string) => number> {
  transformersEnv.allowRemoteModels = false;
  transformersEnv.allowLocalModels = true;
  transformersEnv.localModelPath = `${path.dirname(path.resolve(modelDir))}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(path.basename(modelDir));
  return (text) => tokenizer(text, { truncation: false }).input_ids.dims.at(-1) ?? 0;
}

/** `count` base texts of about `tokens` tokens each; a round appends its nonce, so no round repeats a text. */
function textsOfTokens(countTokens: (t: string) => number, tokens: number, count: number): string[] {
  const perWord = (countTokens(sentence(100, 1)) - 2) / 100;
  const words = Math.max(1, Math.round((tokens - 4) / perWord)); // ~2 tokens left for the nonce
  return Array.from({ length: count }, (_, i) => sentence(words + (i % 3) - 1, i + 1));
}

const withNonce = (texts: readonly string[], nonce: string) => texts.map((t, i) => `${t} ${nonce}x${i}`);

// ---- browser side ------------------------------------------------------------------------------------------

async function newContext(browser: Browser, guards: NetworkGuard[]): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  guards.push(await installNetworkGuard(context));
  return context;
}

interface FirstFeed {
  firstFeedMs: number;
  status: EngineStatus;
}

/**
 * Waits for the demo's first feed on the current document. Fails fast on a demo error, and when the page's
 * script never ran (no hook after 30 s: e.g. dist/demo was being rebuilt by someone's `npm start` while it
 * loaded, so its assets were missing).
 */
async function waitFirstFeed(page: Page, timeout: number): Promise<FirstFeed> {
  await page.waitForFunction(
    () => {
      const hook = window.__nearfeed;
      if (hook?.state === 'error') throw new Error(`demo error: ${hook.error}`);
      if (!hook && performance.now() > 30_000) throw new Error('demo script did not start (missing assets?)');
      return hook?.firstFeedMs != null && hook.engine !== null;
    },
    undefined,
    { timeout, polling: 50 },
  );
  return page.evaluate(() => {
    const hook = window.__nearfeed!;
    return { firstFeedMs: hook.firstFeedMs!, status: hook.engine!.status() };
  });
}

/** Seconds the page's engine takes for one embed(texts) call, timed inside the page. */
async function browserEmbedSeconds(page: Page, texts: readonly string[]): Promise<number> {
  return page.evaluate(async (t) => {
    const engine = window.__nearfeed?.engine;
    if (!engine) throw new Error('no engine on the demo page');
    const start = performance.now();
    const vectors = await engine.embed(t);
    const seconds = (performance.now() - start) / 1000;
    if (vectors.length !== t.length) throw new Error(`engine gave ${vectors.length} vectors for ${t.length} texts`);
    return seconds;
  }, texts);
}

async function browserVectors(page: Page, texts: readonly string[]): Promise<number[][]> {
  return page.evaluate(async (t) => (await window.__nearfeed!.engine!.embed(t)).map((v) => Array.from(v)), texts);
}

/** Milliseconds of each engine.embed([text]) call, one after the other. */
async function browserSingleMs(page: Page, texts: readonly string[]): Promise<number[]> {
  return page.evaluate(async (t) => {
    const engine = window.__nearfeed!.engine!;
    const ms: number[] = [];
    for (const text of t) {
      const start = performance.now();
      await engine.embed([text]);
      ms.push(performance.now() - start);
    }
    return ms;
  }, texts);
}

// ---- server side -------------------------------------------------------------------------------------------

interface BatchResponse {
  embeddings: number[][];
  cached: number;
}

/** Seconds for the server to embed `texts` in sequential batches ≤ maxBatch; every text must be a cache miss. */
async function serverEmbedSeconds(baseUrl: string, texts: readonly string[], maxBatch: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < texts.length; i += maxBatch) {
    const batch = texts.slice(i, i + maxBatch);
    const res = await postJson<BatchResponse>(baseUrl, '/api/v1/ml/embeddings/batch', { texts: batch });
    if (res.cached !== 0) throw new Error(`cache-busting failed: ${res.cached} of ${batch.length} texts were cached`);
  }
  return (performance.now() - start) / 1000;
}

async function serverVectors(baseUrl: string, texts: readonly string[], maxBatch: number): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += maxBatch) {
    const res = await postJson<BatchResponse>(baseUrl, '/api/v1/ml/embeddings/batch', {
      texts: texts.slice(i, i + maxBatch),
    });
    out.push(...res.embeddings);
  }
  return out;
}

async function serverSingleMs(baseUrl: string, texts: readonly string[]): Promise<number[]> {
  const ms: number[] = [];
  for (const text of texts) {
    const start = performance.now();
    await postJson(baseUrl, '/api/v1/ml/embeddings', { text });
    ms.push(performance.now() - start);
  }
  return ms;
}

// ---- the two measurements ----------------------------------------------------------------------------------

interface Options {
  quick: boolean;
  runs: number;
  rounds: number;
  /** Synthetic candidates imported beside the demo's seeded ones. */
  candidates: number;
  /** The sections to run (`--only cold,dtype`); all by default. */
  only: ReadonlySet<Section>;
}

const SECTIONS = ['throughput', 'threads', 'cold', 'dtype'] as const;
type Section = (typeof SECTIONS)[number];

async function throughput(browser: Browser, server: ServerProcess, info: MlInfo, modelDir: string, o: Options, guards: NetworkGuard[]) {
  const context = await newContext(browser, guards);
  try {
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/?device=wasm&limit=5`);
    const { status } = await waitFirstFeed(page, 180_000);
    if (status.device !== 'wasm') throw new Error(`demo runs on ${status.device}, not wasm: ${status.deviceReason}`);
    const env = await page.evaluate(() => ({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency }));
    console.log(
      `browser: Chromium ${browser.version()} headless, engine on ${status.device} (${status.modelKey}); ` +
        `crossOriginIsolated=${env.isolated} (ORT WASM ${env.isolated ? 'may use threads' : 'single-threaded'}), ` +
        `hardwareConcurrency ${env.cores}`,
    );
    console.log(
      `server: ${info.model_key ?? info.model} on ${info.device}, batches of ≤ ${info.max_batch_size} texts sent ` +
        `one after the other over loopback HTTP; every round's texts carry a new nonce and the server must answer ` +
        `cached: 0 (computed, not cached). ${o.rounds} rounds after a warm-up, each one browser call and the same ` +
        `texts to the server, back to back (order alternating); the ratio is the median of the per-round ratios`,
    );

    const countTokens = await tokenCounter(modelDir);
    const sets = [
      { label: 'short', tokens: 20, count: o.quick ? 16 : 32 },
      { label: 'long', tokens: 200, count: o.quick ? 4 : 8 },
    ];
    let nonce = 0;
    for (const set of sets) {
      const base = textsOfTokens(countTokens, set.tokens, set.count);
      // Warm-up round, also the correctness check: both sides must give the same vectors for the same texts.
      const warm = withNonce(base, `w${set.label}`);
      const [b, s] = [await browserVectors(page, warm), await serverVectors(server.baseUrl, warm, info.max_batch_size)];
      let maxDiff = 0;
      b.forEach((v, i) => v.forEach((x, k) => (maxDiff = Math.max(maxDiff, Math.abs(x - (s[i]?.[k] ?? NaN))))));
      const meanTokens = warm.map(countTokens).reduce((a, c) => a + c, 0) / warm.length;

      const rounds: Array<{ browser: number; server: number }> = [];
      for (let round = 0; round < o.rounds; round++) {
        const texts = withNonce(base, `r${nonce++}`);
        // Alternate who goes first; the pair runs within a second or two, inside one phase of the host's load.
        const first = round % 2 === 0 ? 'browser' : 'server';
        const rate = { browser: 0, server: 0 };
        for (const side of first === 'browser' ? (['browser', 'server'] as const) : (['server', 'browser'] as const)) {
          const seconds =
            side === 'browser'
              ? await browserEmbedSeconds(page, texts)
              : await serverEmbedSeconds(server.baseUrl, texts, info.max_batch_size);
          rate[side] = texts.length / seconds;
        }
        rounds.push(rate);
      }
      const ratios = rounds.map((r) => r.browser / r.server);
      console.log(
        `${set.label.padEnd(5)} (~${fmt(meanTokens, 0)} tokens, ${set.count} texts a call): ` +
          `browser WASM ${fmt(median(rounds.map((r) => r.browser)))} emb/s, ` +
          `server ${fmt(median(rounds.map((r) => r.server)))} emb/s → browser/server = ${fmt(median(ratios), 3)} ` +
          `(per-round ratios ${fmt(Math.min(...ratios), 3)}–${fmt(Math.max(...ratios), 3)}; ` +
          `max |Δ| browser vs server vectors ${maxDiff.toExponential(1)})`,
      );
    }

    // Single-text latency: what one query embedding costs each way; calls alternate browser/server in pairs.
    const n = o.quick ? 8 : 24;
    const singles = withNonce(textsOfTokens(countTokens, 20, n), 'single');
    await browserSingleMs(page, withNonce(singles.slice(0, 2), 'warm'));
    await serverSingleMs(server.baseUrl, withNonce(singles.slice(0, 2), 'warm'));
    const pairs: Array<{ browser: number; server: number }> = [];
    for (const [i, text] of singles.entries()) {
      // The same text both ways: the browser never touches the server's cache.
      const browserFirst = i % 2 === 0;
      const sMsBefore = browserFirst ? undefined : (await serverSingleMs(server.baseUrl, [text]))[0];
      const [bMs] = await browserSingleMs(page, [text]);
      const sMs = sMsBefore ?? (await serverSingleMs(server.baseUrl, [text]))[0];
      pairs.push({ browser: bMs!, server: sMs! });
    }
    const b = pairs.map((p) => p.browser);
    const sv = pairs.map((p) => p.server);
    console.log(
      `query latency, one short text (${n} calls each): browser engine.embed([text]) p50 ${fmt(percentile(b, 50))} / ` +
        `p95 ${fmt(percentile(b, 95))} ms (${status.device}, ${status.threads?.count ?? '?'} thread(s)), server POST ` +
        `/ml/embeddings p50 ${fmt(percentile(sv, 50))} / p95 ${fmt(percentile(sv, 95))} ms (loopback HTTP and the ` +
        `dynamic batching window included) → browser/server p50 = ${fmt(percentile(b, 50) / percentile(sv, 50), 2)}, ` +
        `p95 = ${fmt(percentile(b, 95) / percentile(sv, 95), 2)}`,
    );
  } finally {
    await context.close();
  }
}

// ---- cold start budget -------------------------------------------------------------------------------------

/** One visit: navigation → first feed, the engine's status then, and once its model was ready. */
interface Visit {
  firstFeedMs: number;
  atFeed: EngineStatus;
  ready: EngineStatus;
  feedIds: string[];
}

async function visit(page: Page, load: () => Promise<unknown>): Promise<Visit> {
  await load();
  const first = await waitFirstFeed(page, 600_000);
  return page.evaluate(
    async ({ firstFeedMs, atFeed }) => {
      const hook = window.__nearfeed!;
      await hook.engine!.ready();
      const feedIds = (hook.lastFeed?.results ?? []).map((r) => r.profile.id);
      return { firstFeedMs, atFeed, ready: hook.engine!.status(), feedIds };
    },
    { firstFeedMs: first.firstFeedMs, atFeed: first.status },
  );
}

/** `runs` × (first visit in a fresh context, then a reload of it). */
async function firstAndRepeat(browser: Browser, url: string, runs: number, guards: NetworkGuard[]): Promise<{ first: Visit[]; repeat: Visit[] }> {
  const first: Visit[] = [];
  const repeat: Visit[] = [];
  for (let run = 0; run < runs; run++) {
    const context = await newContext(browser, guards);
    try {
      const page = await context.newPage();
      first.push(await visit(page, () => page.goto(url)));
      // Written in the background after a rank with the model.
      for (const end = Date.now() + 60_000; !(await userVectorStored(page)); await new Promise((r) => setTimeout(r, 200))) {
        if (Date.now() > end) throw new Error('the demo did not store the user vector within 60 s');
      }
      repeat.push(await visit(page, () => page.reload()));
    } finally {
      await context.close();
    }
  }
  return { first, repeat };
}

type Row = [label: string, pick: (v: Visit) => number | null | undefined];

/** The startup breakdown, medians per column; '–' where a step did not happen. */
function printBreakdown(columns: Array<[string, Visit[]]>): void {
  const rows: Row[] = [
    ['page (navigation → engine created)', (v) => (v.atFeed.startup.firstFeedAt === null ? null : v.firstFeedMs - v.atFeed.startup.firstFeedAt)],
    ['GET /ml/info', (v) => v.atFeed.startup.info],
    ['IndexedDB load', (v) => v.atFeed.startup.indexedDb],
    ['sync', (v) => v.atFeed.startup.sync],
    ['first rank', (v) => v.atFeed.startup.rank],
    ['= time to first feed (navigation)', (v) => v.firstFeedMs],
    ['model: config JSON', (v) => v.ready.startup.model?.config],
    ['model: tokenizer + weights files', (v) => v.ready.startup.model?.files],
    ['model: ORT wasm fetch + compile', (v) => v.ready.startup.model?.ortWasm],
    ['model: session create', (v) => v.ready.startup.model?.session],
    ['model load (page side, total)', (v) => v.ready.startup.modelLoad],
    ['first inference', (v) => v.ready.startup.firstInference],
    ['model ready (since engine created)', (v) => v.ready.startup.modelReadyAt],
    ['first feed (since engine created)', (v) => v.atFeed.startup.firstFeedAt],
    ['model files downloaded (count)', (v) => v.ready.startup.model?.downloadedFiles],
    ['model files from Cache Storage (count)', (v) => v.ready.startup.model?.cachedFiles],
  ];
  const cell = (vs: Visit[], pick: Row[1]) => {
    const xs = vs.map(pick).filter((x): x is number => typeof x === 'number');
    return xs.length === 0 ? '–' : fmt(median(xs), 0);
  };
  console.log(`  ${''.padEnd(40)}${columns.map(([h]) => h.padStart(14)).join('')}`);
  for (const [label, pick] of rows) console.log(`  ${label.padEnd(40)}${columns.map(([, vs]) => cell(vs, pick).padStart(14)).join('')}`);
  const sources = columns.map(([h, vs]) => `${h}: ${vs.map((v) => v.atFeed.startup.userVector).join('/')}`).join('; ');
  console.log(`  user vector of the first feed — ${sources}`);
}

/** Top-k overlap of two feeds (same ids in both, as a fraction) and how many positions hold the same id. */
function agreement(a: readonly string[], b: readonly string[]): string {
  const inB = new Set(b);
  const overlap = a.filter((id) => inB.has(id)).length / Math.max(1, a.length);
  const same = a.filter((id, i) => b[i] === id).length;
  return `top-${a.length} overlap ${fmt(overlap, 2)}, same position ${same}/${a.length}`;
}

async function coldStartBudget(browser: Browser, server: ServerProcess, o: Options, guards: NetworkGuard[]): Promise<Visit[]> {
  const url = `${server.baseUrl}/?device=wasm&limit=20`;
  const { first, repeat } = await firstAndRepeat(browser, url, o.runs, guards);
  const last = repeat[repeat.length - 1]!.ready;
  console.log(`  ${last.candidates} candidates, ${last.modelKey}, ${last.device} (${last.threads?.reason ?? '?'}); median of ${o.runs} runs`);
  printBreakdown([
    ['first visit', first],
    ['repeat visit', repeat],
  ]);
  const repeatMs = median(repeat.map((v) => v.firstFeedMs));
  const firstRatios = first.map((v) => v.atFeed.startup.firstFeedAt! / (v.ready.startup.modelReadyAt! + 100));
  console.log(
    `  goal, repeat visit: first feed ${fmt(repeatMs, 0)} ms / 1000 ms = ${fmt(repeatMs / 1000, 2)} (≤ 1 meets it; runs ` +
      `${repeat.map((v) => fmt(v.firstFeedMs, 0)).join('/')} ms)`,
  );
  console.log(
    `  goal, first visit: first feed / (model ready + 100 ms), both since the engine was created = ` +
      `${fmt(median(firstRatios), 2)} (≤ 1 meets it; runs ${firstRatios.map((r) => fmt(r, 2)).join('/')})`,
  );
  return first;
}

/** 1 vs 2 ORT WASM threads: one page each, one-text latency and a short batch alternating between them. */
async function threadsSideBySide(browser: Browser, server: ServerProcess, o: Options, guards: NetworkGuard[], texts: readonly string[]) {
  const context = await newContext(browser, guards);
  try {
    const pages: Record<1 | 2, Page> = { 1: await context.newPage(), 2: await context.newPage() };
    const threads: Record<number, string> = {};
    for (const n of [1, 2] as const) {
      await pages[n].goto(`${server.baseUrl}/?device=wasm&limit=5&threads=${n}`);
      const { status } = await waitFirstFeed(pages[n], 300_000);
      threads[n] = status.threads?.reason ?? '?';
    }
    const single: Record<1 | 2, number[]> = { 1: [], 2: [] };
    const batch: Record<1 | 2, number[]> = { 1: [], 2: [] };
    for (let round = 0; round < o.rounds; round++) {
      for (const n of round % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const)) {
        single[n].push(...(await browserSingleMs(pages[n], withNonce(texts.slice(0, 4), `t${n}r${round}`))));
        batch[n].push(texts.length / (await browserEmbedSeconds(pages[n], withNonce(texts, `b${n}r${round}`))));
      }
    }
    console.log(`  1 thread: ${threads[1]}; 2 threads: ${threads[2]}`);
    console.log(
      `  one text p50: 1 thread ${fmt(percentile(single[1], 50))} ms, 2 threads ${fmt(percentile(single[2], 50))} ms → ` +
        `2/1 = ${fmt(percentile(single[2], 50) / percentile(single[1], 50), 2)}; p95 ${fmt(percentile(single[1], 95))} vs ` +
        `${fmt(percentile(single[2], 95))} ms; ${texts.length} short texts: ${fmt(median(batch[1]))} vs ${fmt(median(batch[2]))} ` +
        `emb/s → 2/1 = ${fmt(median(batch[2]) / median(batch[1]), 2)}`,
    );
  } finally {
    await context.close();
  }
}

/** fp32 vs q8 on the device, each with its own server's vectors (same model, same candidates). */
async function dtypes(browser: Browser, servers: Record<'fp32' | 'q8', ServerProcess>, o: Options, guards: NetworkGuard[], texts: readonly string[]) {
  const out: Record<string, { first: Visit[]; rate: number[] }> = {};
  for (const dtype of ['fp32', 'q8'] as const) {
    const url = `${servers[dtype].baseUrl}/?device=wasm&limit=20&dtype=${dtype}`;
    const first: Visit[] = [];
    const rate: number[] = [];
    for (let run = 0; run < o.runs; run++) {
      const context = await newContext(browser, guards);
      try {
        const page = await context.newPage();
        first.push(await visit(page, () => page.goto(url)));
        for (let round = 0; round < Math.max(2, Math.ceil(o.rounds / 2)); round++) {
          rate.push(texts.length / (await browserEmbedSeconds(page, withNonce(texts, `${dtype}${run}r${round}`))));
        }
      } finally {
        await context.close();
      }
    }
    out[dtype] = { first, rate };
  }
  const f = out.fp32!;
  const q = out.q8!;
  const bytes = (v: Visit[]) => median(v.map((x) => x.ready.startup.model?.downloadedBytes ?? 0));
  const ttff = (v: Visit[]) => median(v.map((x) => x.firstFeedMs));
  console.log(`  keys: ${f.first[0]!.ready.modelKey} vs ${q.first[0]!.ready.modelKey}; each server's vectors synced (embedded on device: ${f.first[0]!.ready.embeddedCandidates} / ${q.first[0]!.ready.embeddedCandidates})`);
  console.log(`  download (tokenizer + weights, first visit): fp32 ${fmt(bytes(f.first) / 1e6, 2)} MB, q8 ${fmt(bytes(q.first) / 1e6, 2)} MB → q8/fp32 = ${fmt(bytes(q.first) / bytes(f.first), 2)}`);
  console.log(`  time to first feed, first visit: fp32 ${fmt(ttff(f.first), 0)} ms, q8 ${fmt(ttff(q.first), 0)} ms → q8/fp32 = ${fmt(ttff(q.first) / ttff(f.first), 2)}`);
  console.log(`  browser embeddings/s (${texts.length} short texts a call): fp32 ${fmt(median(f.rate))}, q8 ${fmt(median(q.rate))} → q8/fp32 = ${fmt(median(q.rate) / median(f.rate), 2)}`);
  console.log(`  ranking agreement of the demo user's feed: ${agreement(q.first[0]!.feedIds, f.first[0]!.feedIds)}`);
}

// ---- data ------------------------------------------------------------------------------------------------------

function syntheticProfile(i: number): Record<string, unknown> {
  const w = (k: number) => WORDS[(i * 7 + k * 13 + ((i * k) % 5)) % WORDS.length]!;
  return {
    id: `bench-${String(i).padStart(6, '0')}`,
    name: `Person ${i}`,
    headline: `${w(1)} ${w(2)} at ${w(3)}`,
    bio: Array.from({ length: 24 }, (_, k) => w(k + 4)).join(' '),
    tags: [w(30), w(31)],
    diligence: (i % 97) / 96,
    engagement: (i % 89) / 88,
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}

/** Imports `n` synthetic candidates and waits until the server embedded them (its vectors are what syncs). */
async function importCandidates(server: ServerProcess, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    const upsert = Array.from({ length: Math.min(1000, n - i) }, (_, k) => syntheticProfile(i + k));
    await postJson(server.baseUrl, '/api/v1/profiles/batch', { upsert });
  }
  for (;;) {
    const info = (await (await fetch(`${server.baseUrl}/api/v1/ml/info`)).json()) as MlInfo;
    if (!info.pending_embeddings) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Source files under `dirs` modified after `file` (a build output), to warn about a stale build. */
function newerThan(file: string, dirs: readonly string[]): string[] {
  const built = statSync(file).mtimeMs;
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (statSync(p).mtimeMs > built) out.push(p);
    }
  };
  for (const dir of dirs) if (existsSync(dir)) walk(dir);
  return out;
}

const loadAvg = () => loadavg().map((x) => x.toFixed(2)).join(' ');

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '8' },
      candidates: { type: 'string', default: '10000' },
      only: { type: 'string', default: SECTIONS.join(',') },
    },
  });
  const only = new Set<Section>();
  for (const name of values.only.split(',')) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only takes ${SECTIONS.join(', ')}; got ${name}`);
    only.add(name as Section);
  }
  const int = (name: string, v: string, min: number) => {
    const n = Number.parseInt(v, 10);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  return {
    quick: values.quick,
    runs: int('runs', values.runs, 1),
    rounds: int('rounds', values.rounds, 1),
    candidates: int('candidates', values.candidates, 0),
    only,
  };
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const o = parseOptions(argv);
  if (!existsSync(path.join('dist', 'demo', 'index.html'))) {
    console.log('dist/demo missing: npm run build:demo');
    execFileSync('npm', ['run', 'build:demo'], { stdio: 'inherit' });
  }
  const stale = newerThan(path.join('dist', 'demo', 'index.html'), ['client', 'shared']);
  if (stale.length > 0) {
    console.log(`note: dist/demo is older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}: ` +
      'the figures are those of the built demo; `npm run build:demo` to measure the current client');
  }
  // Same as `npm run model:test` / `model:bench`: generates the model when missing or stale, a no-op otherwise.
  ensureModel('test');
  const modelDir = path.relative(process.cwd(), ensureModel(o.quick ? 'test' : 'minilm').dir);

  let server: ServerProcess | undefined;
  let serverQ8: ServerProcess | undefined;
  let browser: Browser | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await serverQ8?.stop();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanup().then(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const guards: NetworkGuard[] = [];
  try {
    const t0 = performance.now();
    const startLoad = loadAvg();
    server = await startServer({ model: modelDir });
    const info = (await (await fetch(`${server.baseUrl}/api/v1/ml/info`)).json()) as MlInfo;
    if (!info.model_key?.includes(path.basename(modelDir))) {
      throw new Error(`server runs ${info.model_key ?? info.model}, not ${modelDir}:\n${server.log()}`);
    }
    console.log(
      `browser bench: ${modelDir} (${info.dimension} dims, max_seq_length ${info.max_seq_length}), server ready in ` +
        `${fmt((performance.now() - t0) / 1000)} s; 2-core shared VM: read the ratios, not the absolute figures`,
    );
    if (o.only.has('dtype')) serverQ8 = await startServer({ model: modelDir, env: { EMBEDDING_DTYPE: 'q8' } });
    const importStart = performance.now();
    // Both servers embed every candidate at write time, so no visit below waits for server-side work.
    await Promise.all([server, serverQ8].flatMap((s) => (s ? [importCandidates(s, o.candidates)] : [])));
    console.log(`imported ${o.candidates} synthetic candidates into each server (${serverQ8 ? 'fp32 and q8' : 'fp32'}), embedded in ${fmt((performance.now() - importStart) / 1000)} s`);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
    const shortTexts = textsOfTokens(await tokenCounter(modelDir), 20, o.quick ? 16 : 32);

    if (o.only.has('throughput')) {
      console.log('\n-- embeddings/s, same texts: browser (WASM, demo engine) vs server (POST /ml/embeddings/batch)');
      await throughput(browser, server, info, modelDir, o, guards);
    }
    if (o.only.has('threads')) {
      console.log('\n-- ORT WASM threads, 1 vs 2, two demo pages side by side (rounds alternate)');
      await threadsSideBySide(browser, server, o, guards, shortTexts);
    }
    if (o.only.has('cold')) {
      console.log(`\n-- cold start budget (server vectors, fp32): first visit = fresh context, repeat visit = reload (ms)`);
      await coldStartBudget(browser, server, o, guards);
    }
    if (serverQ8) {
      console.log(`\n-- fp32 vs q8 on the device, each with its own server's vectors; first visits, median of ${o.runs}`);
      await dtypes(browser, { fp32: server, q8: serverQ8 }, o, guards, shortTexts);
    }

    console.log(`\nload average at the end ${loadAvg()} (at the start ${startLoad}; 2 cores; other processes share them)`);
    const violations = guards.flatMap((g) => g.violations);
    if (violations.length > 0) {
      throw new Error(`the browser tried to reach other hosts (aborted): ${[...new Set(violations)].join(', ')}`);
    }
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
