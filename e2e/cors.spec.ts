/**
 * CORS in real Chromium: a page served from a second origin calls the API of a server started here with its
 * own env (CORS_ORIGINS naming one page origin, API_KEYS set). From the allowed origin a simple read and a
 * preflighted write (PUT, JSON, Authorization) go through and the exposed headers are readable; from an
 * origin not in the list the browser refuses the read, and the write is never sent (its preflight fails).
 *
 * The pages run in a browser context of their own, without the suite's network guard: while Playwright
 * intercepts a context's requests, Chromium's CORS preflights are answered inside the browser (seen: the PUT
 * from the refused origin reached the server), so the guard's context cannot show what a real browser does.
 * The server's own /metrics proves the preflights reached it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { pickFreePort } from './support/server';

const WRITE_KEY = 'cors-e2e-write-key-0123456789';
let api: ChildProcess | undefined;
let apiUrl = '';
const pages: http.Server[] = [];
let allowedOrigin = '';
let otherOrigin = '';

/** A page server on 127.0.0.1: a blank page, the origin the fetches are made from. */
async function pageServer(): Promise<string> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><title>second origin</title><p>cors</p></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pages.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function waitForServer(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the API server exited (${proc.exitCode}):\n${log()}`);
    const up = await fetch(url).then(() => true, () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the API server did not start:\n${log()}`);
}

test.beforeAll(async () => {
  allowedOrigin = await pageServer();
  otherOrigin = await pageServer();
  const port = pickFreePort();
  apiUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'REDIS_URL' && k !== 'PROFILE_STORE') env[k] = v;
  let output = '';
  // The server's own process and env: no model needed to answer CORS and candidate data.
  api = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...env, PORT: String(port), CORS_ORIGINS: allowedOrigin, API_KEYS: `write:${WRITE_KEY}`, ML_ENABLED: 'false', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  api.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  api.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitForServer(`${apiUrl}/api/v1/ml/info`, api, () => output);
});

test.afterAll(async () => {
  if (api && api.exitCode === null) {
    const gone = new Promise((r) => api!.once('exit', r));
    api.kill('SIGTERM');
    await gone;
  }
  await Promise.all(pages.map((s) => new Promise((r) => s.close(r))));
});

/** What the page sees when it calls the API: the status and headers it may read, or the fetch's error. */
interface Outcome {
  ok?: { status: number; requestId: string | null; rateLimit: string | null; body: string };
  error?: string;
}

async function callFrom(
  page: Page,
  origin: string,
  request: { path: string; method: string; headers?: Record<string, string>; body?: string },
): Promise<Outcome> {
  await page.goto(`${origin}/`);
  return page.evaluate(async ({ url, method, headers, body }) => {
    try {
      const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
      return {
        ok: {
          status: res.status,
          requestId: res.headers.get('x-request-id'),
          rateLimit: res.headers.get('ratelimit-limit'),
          body: await res.text(),
        },
      };
    } catch (err) {
      return { error: String(err) };
    }
  }, { url: `${apiUrl}${request.path}`, method: request.method, headers: request.headers ?? {}, body: request.body });
}

const PROFILE = JSON.stringify({ name: 'Cors', headline: 'Second origin', bio: 'Written from another origin.', tags: ['cors'], diligence: 0.5, engagement: 0.5 });
const write = (id: string) => ({
  path: `/api/v1/profiles/${id}`,
  method: 'PUT',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` },
  body: PROFILE,
});

/** A page in a fresh context with no request interception (see the module comment). */
async function plainPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/** How many requests the API server counted with these labels (its /metrics). */
async function served(labels: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`nearfeed_http_request_duration_seconds_count{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('an allowed origin reads, and writes after a preflight, and may read the exposed headers', async ({ browser }) => {
  const page = await plainPage(browser);
  const preflights = await served('method="OPTIONS",route="/api/*",status="204"');
  const read = await callFrom(page, allowedOrigin, { path: '/api/v1/sync?limit=1', method: 'GET' });
  expect(read.error).toBeUndefined();
  expect(read.ok?.status).toBe(200);
  expect(JSON.parse(read.ok!.body)).toHaveProperty('changes');
  expect(read.ok?.requestId).toBeTruthy();
  expect(read.ok?.rateLimit).toBeTruthy();

  const put = await callFrom(page, allowedOrigin, write('cors-allowed'));
  expect(put.error).toBeUndefined();
  expect(put.ok?.status).toBe(201);
  expect((await fetch(`${apiUrl}/api/v1/profiles/cors-allowed`)).status).toBe(200);
  // The PUT's preflight reached the server and was answered there.
  expect(await served('method="OPTIONS",route="/api/*",status="204"')).toBe(preflights + 1);
  await page.context().close();
});

test('any other origin: the read is refused by the browser, the write is never sent', async ({ browser }) => {
  const page = await plainPage(browser);
  const refusedPreflights = await served('method="OPTIONS",route="/api/*",status="404"');
  const read = await callFrom(page, otherOrigin, { path: '/api/v1/sync?limit=1', method: 'GET' });
  expect(read.ok).toBeUndefined();
  expect(read.error).toMatch(/TypeError|Failed to fetch/);

  const put = await callFrom(page, otherOrigin, write('cors-refused'));
  expect(put.ok).toBeUndefined();
  expect(put.error).toMatch(/TypeError|Failed to fetch/);
  // The preflight failed, so the PUT itself never reached the server.
  expect((await fetch(`${apiUrl}/api/v1/profiles/cors-refused`)).status).toBe(404);
  expect(await served('method="OPTIONS",route="/api/*",status="404"')).toBe(refusedPreflights + 1);
  await page.context().close();
});
