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
 *  2. Time to first feed (`window.__nearfeed.firstFeedMs`: navigation start → first feed on screen), cold
 *     (fresh browser context: empty IndexedDB and browser caches) vs warm (reload in the same context), for
 *     server vectors reused (fp32, same model key as the server) and on-device embedding of every candidate
 *     (`dtype=q8`: another model key, so the browser embeds all candidates itself).
 *
 * On the MiniLM-shaped generated model (6×384, 30k vocabulary, like all-MiniLM-L6-v2), or the small test model
 * with `--quick`. Medians; the VM is shared, noisy and has 2 cores: read the ratios, not the absolute figures.
 *
 * Run: npx tsx bench/browser.ts [--quick] [--runs N] [--rounds N]
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
import { installNetworkGuard, type NetworkGuard } from '../e2e/support/network-guard';
import { ensureModel } from '../scripts/model/generate';
import { startServer, type ServerProcess } from './support/server-process';
import { median } from './support/stats';
import { sentence } from './support/texts';



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

/** One cold load in a fresh context and one warm reload in it; resolves with both first-feed times. */
async function coldWarmPair(browser: Browser, url: string, guards: NetworkGuard[]): Promise<[FirstFeed, FirstFeed]> {
  const context = await newContext(browser, guards);
  const missing: string[] = [];
  context.on('response', (r) => {
    if (r.status() === 404) missing.push(new URL(r.url()).pathname);
  });
  try {
    const page = await context.newPage();
    const attempt = async (load: () => Promise<unknown>) => {
      await load();
      try {
        return await waitFirstFeed(page, 300_000);
      } catch (err) {
        const why = missing.length > 0 ? ` (404: ${missing.join(', ')})` : '';
        throw new Error(`${err instanceof Error ? err.message : String(err)}${why}`, { cause: err });
      }
    };
    const cold = await attempt(() => page.goto(url));
    const warm = await attempt(() => page.reload());
    return [cold, warm];
  } finally {
    await context.close();
  }
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
}

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
    console.log(
      `single short text (${n} calls each): browser engine.embed([text]) ${fmt(median(pairs.map((p) => p.browser)))} ms, ` +
        `server POST /ml/embeddings ${fmt(median(pairs.map((p) => p.server)))} ms (loopback HTTP and the dynamic ` +
        `batching window included) → browser/server latency = ${fmt(median(pairs.map((p) => p.browser / p.server)), 2)}`,
    );
  } finally {
    await context.close();
  }
}

interface StartCase {
  label: string;
  params: Record<string, string>;
}

/** Cold (fresh context) then warm (reload) first-feed times, `runs` times; each run in a new context. */
async function coldVsWarm(browser: Browser, server: ServerProcess, c: StartCase, o: Options, guards: NetworkGuard[]) {
  const url = `${server.baseUrl}/?${new URLSearchParams(c.params).toString()}`;
  const cold: FirstFeed[] = [];
  const warm: FirstFeed[] = [];
  for (let run = 0; run < o.runs; run++) {
    // A run whose page broke for reasons outside the engine (see waitFirstFeed) is retried once, and says so.
    let pair: [FirstFeed, FirstFeed];
    try {
      pair = await coldWarmPair(browser, url, guards);
    } catch (err) {
      console.log(`  (${c.label}, run ${run + 1} retried: ${err instanceof Error ? err.message : String(err)})`);
      pair = await coldWarmPair(browser, url, guards);
    }
    cold.push(pair[0]);
    warm.push(pair[1]);
  }
  const coldMs = median(cold.map((r) => r.firstFeedMs));
  const warmMs = median(warm.map((r) => r.firstFeedMs));
  const perRun = cold.map((r, i) => r.firstFeedMs / warm[i]!.firstFeedMs);
  const last = (rs: FirstFeed[]) => rs[rs.length - 1]!.status;
  const embedded = (rs: FirstFeed[]) => rs.map((r) => r.status.embeddedCandidates).join('/');
  console.log(
    `${c.label}: cold ${fmt(coldMs, 0)} ms, warm ${fmt(warmMs, 0)} ms → cold/warm = ${fmt(coldMs / warmMs, 2)} ` +
      `(per-run ${fmt(Math.min(...perRun), 2)}–${fmt(Math.max(...perRun), 2)})  ` +
      `(runs cold ${cold.map((r) => fmt(r.firstFeedMs, 0)).join('/')}, warm ${warm.map((r) => fmt(r.firstFeedMs, 0)).join('/')} ms; ` +
      `${last(cold).device}, ${last(cold).modelKey}, ${last(cold).candidates} candidates, ` +
      `embedded on device cold ${embedded(cold)}, warm ${embedded(warm)})`,
  );
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
    },
  });
  const int = (name: string, v: string, min: number) => {
    const n = Number.parseInt(v, 10);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  return { quick: values.quick, runs: int('runs', values.runs, 1), rounds: int('rounds', values.rounds, 1) };
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
  let browser: Browser | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
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
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });

    console.log('\n-- embeddings/s, same texts: browser (WASM, demo engine) vs server (POST /ml/embeddings/batch)');
    await throughput(browser, server, info, modelDir, o, guards);

    console.log(
      `\n-- time to first feed (navigation → first feed on screen), cold = fresh context, warm = reload; ` +
        `median of ${o.runs} runs`,
    );
    const cases: StartCase[] = [
      { label: 'server vectors (fp32, same model key)', params: { device: 'wasm', limit: '20' } },
      { label: 'on-device embedding (q8, all candidates)', params: { device: 'wasm', dtype: 'q8', limit: '20' } },
    ];
    // The server computed its vectors for every candidate when the throughput page first synced, so no cold
    // run below pays for that server-side work.
    for (const c of cases) await coldVsWarm(browser, server, c, o, guards);

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
