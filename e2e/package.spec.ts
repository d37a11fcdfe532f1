/**
 * The browser package as an app gets it: `npm pack` of client/ (npm name `nearfeed`), installed offline from
 * the tarball into a fresh Vite app made here, built with Vite, served from its own origin, and run in
 * Chromium against the nearfeed server under test. The app must get no server code: no onnxruntime-node,
 * ioredis or hono in its node_modules, and ONNX Runtime Web runs from the package's own bundled files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './support/fixtures';
import { expectSameFeed } from './support/compare-feeds';
import { E2E_APP_PORT, E2E_BASE_URL } from './support/server';
import { serverFeed } from './support/server-api';
import type { UserProfile } from '../client/types';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USER: UserProfile = {
  name: 'Grace Hopper',
  headline: 'Compiler engineer looking for a technical co-founder',
  bio: 'Building developer tools for data teams in Berlin; raising a seed round.',
  tags: ['devtools', 'compilers', 'seed'],
};

const APP_MAIN = `import { createFeedEngine } from 'nearfeed';

window.runFeed = async (serverUrl, user, limit) => {
  const engine = await createFeedEngine({ serverUrl, device: 'wasm', databaseName: 'fresh-app' });
  await engine.sync();
  const feed = await engine.rankFeed(user, { limit });
  return { feed, status: engine.status() };
};
document.querySelector('#state').textContent = 'ready';
`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

let work: string;
let app: Server;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  work = mkdtempSync(path.join(tmpdir(), 'nearfeed-pack-'));
  // prepack builds the library (vite + .d.ts) first.
  execFileSync('npm', ['pack', '--workspace', 'client', '--pack-destination', work], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
  const filename = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!filename) throw new Error(`npm pack left no tarball in ${work}`);
  // Its one dependency, offline too: packed from this repository's install (npm's cache holds tarballs, not
  // the registry's package documents an install resolves a range with).
  const idb = execFileSync('npm', ['pack', path.join(ROOT, 'node_modules', 'idb-keyval'), '--pack-destination', work, '--ignore-scripts'], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim().split('\n').pop()!;
  const appDir = path.join(work, 'app');
  mkdirSync(appDir);
  writeFileSync(
    path.join(appDir, 'package.json'),
    JSON.stringify({
      name: 'fresh-app',
      private: true,
      type: 'module',
      dependencies: { nearfeed: `file:../${filename}` },
      overrides: { 'idb-keyval': `file:../${idb}` },
    }),
  );
  writeFileSync(
    path.join(appDir, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>fresh app</title></head>' +
      '<body><p id="state">loading</p><script type="module" src="/main.js"></script></body></html>',
  );
  writeFileSync(path.join(appDir, 'main.js'), APP_MAIN);
  // Offline: only npm's cache (filled by this repository's own install) may answer.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: appDir, stdio: 'pipe', timeout: 120_000 });
  // The app's own build, with the Vite this repository has (the app declares no build tool of its own).
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: appDir,
    stdio: 'pipe',
    timeout: 180_000,
  });
  app = await serveFolder(path.join(appDir, 'dist'), E2E_APP_PORT);
});

test.afterAll(async () => {
  await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the packed browser package installs into a fresh Vite app without server dependencies and ranks the server feed', async ({
  page,
  request,
  networkGuard,
}) => {
  test.setTimeout(180_000);
  const modules = new Set(readdirSync(path.join(work, 'app', 'node_modules')));
  expect([...modules].sort()).toEqual(['.package-lock.json', 'idb-keyval', 'nearfeed']);
  for (const absent of ['onnxruntime-node', 'ioredis', 'hono', 'onnxruntime-web', '@huggingface']) expect(modules.has(absent)).toBe(false);
  const manifest = JSON.parse(readFileSync(path.join(work, 'app', 'node_modules', 'nearfeed', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  expect(Object.keys(manifest.dependencies)).toEqual(['idb-keyval']);
  expect(existsSync(path.join(work, 'app', 'node_modules', 'nearfeed', 'dist', 'types', 'client', 'index.d.ts'))).toBe(true);

  await page.goto(`http://127.0.0.1:${E2E_APP_PORT}/`);
  await expect(page.locator('#state')).toHaveText('ready');
  const { feed, status } = await page.evaluate(
    ([serverUrl, user]) =>
      (window as unknown as { runFeed: (s: string, u: unknown, n: number) => Promise<{ feed: { results: never[]; ml_applied: boolean }; status: { device: string } }> }).runFeed(serverUrl, user, 20),
    [E2E_BASE_URL, USER] as const,
  );
  expect(status.device).toBe('wasm');
  expect(feed.ml_applied).toBe(true);
  expectSameFeed(feed.results, (await serverFeed(request, USER, 20)).results, 1e-5);
  // ONNX Runtime's .wasm came from the app's own build (the package's asset), not from the server or a CDN.
  const appOrigin = `http://127.0.0.1:${E2E_APP_PORT}/`;
  const ort = networkGuard.localRequests.filter((u) => u.startsWith(appOrigin) && /ort-wasm-simd-threaded[\w.-]*\.wasm$/.test(u));
  expect(ort.length, networkGuard.localRequests.join('\n')).toBeGreaterThan(0);
});

/** A static file server for the built app: its own origin, as an app's would be. */
function serveFolder(dir: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const file = path.join(dir, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
