/**
 * Warm-up of a real server process (tsx server/main.ts) whose EMBEDDING_MODEL is a URL served by a local
 * node:http server that holds the ONNX file back: the server listens at once, health says `loading` (503),
 * ML routes answer 503 with Retry-After and feeds rank without similarity; once the file is let through the
 * model downloads, answers its first inference, health says `ready`, feeds apply ML, and the browser gets
 * the downloaded folder at /models/<name>/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MlHealth } from '../shared/api';
import { startServer, type ServerProcess } from '../bench/support/server-process';
import { TEST_MODEL_DIR } from './support/candidate-app';
import { serveModelFolder, type ModelHttpServer } from './support/model-http-server';

let models: ModelHttpServer;
let server: ServerProcess;
let cacheDir: string;
let release!: () => void;
const released = new Promise<void>((resolve) => (release = resolve));

beforeAll(async () => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'nearfeed-warm-up-cache-'));
  models = await serveModelFolder(TEST_MODEL_DIR, {
    handle: (file, req, res) => {
      if (file !== 'onnx/model.onnx' || req.url?.includes('released=1')) return false;
      // Answered (by the folder) only once the test has seen the loading state.
      void released.then(() => {
        res.writeHead(307, { location: `${models.url}onnx/model.onnx?released=1` }).end();
      });
      return true;
    },
  });
  server = await startServer({ model: models.url, env: { MODEL_CACHE_DIR: cacheDir }, waitFor: 'listening', timeoutMs: 60_000 });
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await models?.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function health(): Promise<{ status: number; body: MlHealth }> {
  const res = await fetch(`${server.baseUrl}/api/v1/ml/health`);
  return { status: res.status, body: (await res.json()) as MlHealth };
}

async function feed(): Promise<{ ml_applied: boolean; ml_unavailable?: string }> {
  const res = await fetch(`${server.baseUrl}/api/v1/feed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile_id: 'demo-001', limit: 5 }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { ml_applied: boolean; ml_unavailable?: string };
}

it('listens while the model loads: loading, then ready after its first inference', async () => {
  const loading = await health();
  expect(loading.status).toBe(503);
  expect(loading.body.status).toBe('loading');
  const name = loading.body.model.name;
  expect(name).toMatch(/^nearfeed-test-[0-9a-f]{10}$/);
  const embed = await fetch(`${server.baseUrl}/api/v1/ml/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'hello' }),
  });
  expect(embed.status).toBe(503);
  expect(embed.headers.get('retry-after')).toBe('5');
  expect(((await embed.json()) as { error_type: string }).error_type).toBe('ml_unavailable');
  const degraded = await feed();
  expect(degraded.ml_applied).toBe(false);
  expect(degraded.ml_unavailable).toBeTruthy();

  release();
  const deadline = Date.now() + 60_000;
  let ready = await health();
  while (ready.status !== 200 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    ready = await health();
  }
  expect(ready.body.reasons).toEqual([]);
  expect(ready.body).toMatchObject({ status: 'ready', model: { name, available: true } });
  // Ready means the ranking runs on the model: the very next feed applies it.
  expect((await feed()).ml_applied).toBe(true);

  // The browser loads the same files from this server.
  const config = await fetch(`${server.baseUrl}/models/${name}/config.json`);
  expect(config.status).toBe(200);
  expect(server.log()).toContain(`model ${name}: downloading ${models.url}`);
}, 90_000);
