/**
 * EMBEDDING_MODEL=<URL>: the generated test model served by a real node:http server on 127.0.0.1, downloaded
 * by the server's own loader (server/main.ts loadModel) into a temporary MODEL_CACHE_DIR, then loaded by the
 * real onnxruntime-node. Failures (cut transfer, wrong digest, timeout, too large, unreachable) must refuse the
 * model and leave nothing in the cache; a second start must not need the network.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../shared/embedder';
import { loadServerConfig } from '../server/config';
import { ConfigError } from '../shared/config';
import { loadModel, modelCacheDirs } from '../server/main';
import type { ModelState } from '../server/ml/health';
import { TEST_MODEL_DIR } from './support/candidate-app';
import { loadTestEmbedder } from './support/ml-fixture';
import { serveModelFolder, sha256sums, type ModelHttpOptions, type ModelHttpServer } from './support/model-http-server';

const TEXTS = ['seed-stage climate founder in berlin', 'staff engineer, search and ranking', ''];

let direct: Embedder;
let directVectors: Float32Array[];
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  direct = await loadTestEmbedder();
  directVectors = await direct.embed(TEXTS);
});
afterAll(async () => {
  await direct.dispose();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(options: ModelHttpOptions = {}): Promise<ModelHttpServer> {
  const server = await serveModelFolder(TEST_MODEL_DIR, options);
  cleanups.push(() => server.close());
  return server;
}

function tempCache(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nearfeed-model-cache-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** main's loadModel on EMBEDDING_MODEL=url, with its log lines. */
async function load(url: string, cacheDir: string, env: Record<string, string> = {}) {
  const { config } = loadServerConfig({ EMBEDDING_MODEL: url, MODEL_CACHE_DIR: cacheDir, ML_DEVICE: 'cpu', ...env });
  const lines: string[] = [];
  const model = await loadModel(config, (m) => lines.push(m));
  if (model.state === 'ready') cleanups.push(() => model.embedder.dispose());
  return { config, model, lines };
}

function failure(model: ModelState): string {
  expect(model.state).toBe('failed');
  return model.state === 'failed' ? model.error : '';
}

/** What the URL cache folder holds (complete downloads and partial ones alike). */
function cached(cacheDir: string): string[] {
  try {
    return readdirSync(path.join(cacheDir, 'url'));
  } catch {
    return [];
  }
}

describe('EMBEDDING_MODEL as a URL', () => {
  it('downloads once (credentials and query kept out of logs), embeds exactly as the folder, and starts offline from the cache', async () => {
    const secret = 's3cr3t-pass';
    const server = await serve({
      manifest: true,
      require: { authorization: `Basic ${Buffer.from(`reader:${secret}`).toString('base64')}`, query: '?sig=tok3n' },
    });
    const url = server.url.replace('http://', `http://reader:${secret}@`) + '?sig=tok3n';
    const cacheDir = tempCache();

    const first = await load(url, cacheDir);
    expect(first.model.state).toBe('ready');
    if (first.model.state !== 'ready') return;
    const name = first.config.modelUrl!.name;
    expect(name).toMatch(/^nearfeed-test-[0-9a-f]{10}$/);
    expect(first.config.embeddingModel).toBe(name);
    expect(first.model.embedder.info.model).toBe(name);
    expect(await first.model.embedder.embed(TEXTS)).toEqual(directVectors);
    expect(first.model.embedder.info.family).toEqual(direct.info.family);
    expect(cached(cacheDir)).toEqual([name]);
    expect(server.requests).toEqual(expect.arrayContaining(['SHA256SUMS', 'modules.json', '1_Pooling/config.json', 'onnx/model.onnx']));
    // Progress: where from (no secrets), each file as it completes, the outcome.
    const log = first.lines.join('\n');
    expect(log).toContain(`downloading ${server.url} into ${path.join(cacheDir, 'url', name)}`);
    expect(log).toMatch(/onnx\/model\.onnx: 1\.\d MB done/);
    expect(log).toMatch(/downloaded \d+ files, 1\.\d MB in [\d.]+ s, verified against SHA256SUMS/);
    expect(log).not.toContain(secret);
    expect(log).not.toContain('tok3n');
    expect(JSON.stringify(first.config)).not.toContain(secret);
    expect(JSON.stringify(first.config)).not.toContain('tok3n');

    await server.close();
    const second = await load(url, cacheDir);
    expect(second.model.state).toBe('ready');
    if (second.model.state !== 'ready') return;
    expect(second.lines.join('\n')).toContain('using the download cached in');
    expect(await second.model.embedder.embed(TEXTS)).toEqual(directVectors);
  });

  it('refuses a file cut short (the connection closes before Content-Length) and keeps nothing', async () => {
    const server = await serve({
      handle: (file, _req, res) => {
        if (file !== 'onnx/model.onnx') return false;
        res.writeHead(200, { 'content-length': '1466910' });
        res.write(Buffer.alloc(100_000));
        setTimeout(() => res.destroy(), 20);
        return true;
      },
    });
    const cacheDir = tempCache();
    const { model } = await load(server.url, cacheDir);
    expect(failure(model)).toMatch(/onnx\/model\.onnx is incomplete: the connection closed after 100000 of 1466910 bytes; nothing was kept/);
    expect(cached(cacheDir)).toEqual([]);
  });

  /** The test model's folder, with `sums` as its SHA256SUMS. */
  function serveWithManifest(sums: string): ReturnType<typeof serve> {
    return serve({
      handle: (file, _req, res) => {
        if (file !== 'SHA256SUMS') return false;
        res.writeHead(200).end(sums);
        return true;
      },
    });
  }

  it('refuses a file whose sha256 differs from SHA256SUMS, naming the file', async () => {
    const sums = sha256sums(TEST_MODEL_DIR).replace(/^[0-9a-f]{64}(?= {2}tokenizer\.json$)/m, '0'.repeat(64));
    const server = await serveWithManifest(sums);
    const cacheDir = tempCache();
    const { model } = await load(server.url, cacheDir);
    expect(failure(model)).toMatch(/tokenizer\.json does not match its sha256 in SHA256SUMS \(expected 0{64}, got [0-9a-f]{64}\)/);
    expect(cached(cacheDir)).toEqual([]);
  });

  it('refuses a file the manifest does not list', async () => {
    const sums = sha256sums(TEST_MODEL_DIR).replace(/^.* {2}onnx\/model\.onnx\n/m, '');
    const server = await serveWithManifest(sums);
    const cacheDir = tempCache();
    const { model } = await load(server.url, cacheDir);
    expect(failure(model)).toContain('onnx/model.onnx is not listed in SHA256SUMS');
    expect(cached(cacheDir)).toEqual([]);
  });

  it('refuses a download slower than MODEL_DOWNLOAD_TIMEOUT_MS', async () => {
    const server = await serve({
      handle: (file, _req, res) => {
        if (file !== 'onnx/model.onnx') return false;
        res.writeHead(200, { 'content-length': '1466910' });
        res.write(Buffer.alloc(1000)); // then nothing: a stalled transfer
        return true;
      },
    });
    const cacheDir = tempCache();
    const { model } = await load(server.url, cacheDir, { MODEL_DOWNLOAD_TIMEOUT_MS: '1000' });
    expect(failure(model)).toContain('download timed out after 1 s at onnx/model.onnx (MODEL_DOWNLOAD_TIMEOUT_MS=1000); nothing was kept');
    expect(cached(cacheDir)).toEqual([]);
  });

  it('refuses a model larger than MODEL_DOWNLOAD_MAX_BYTES', async () => {
    const server = await serve();
    const cacheDir = tempCache();
    const { model } = await load(server.url, cacheDir, { MODEL_DOWNLOAD_MAX_BYTES: '200000' });
    expect(failure(model)).toMatch(/exceeds MODEL_DOWNLOAD_MAX_BYTES \(200000 bytes; \d+ at onnx\/model\.onnx\)/);
    expect(cached(cacheDir)).toEqual([]);
  });

  it('says when the URL cannot be reached, without its address', async () => {
    const server = await serve();
    await server.close();
    const cacheDir = tempCache();
    const { model } = await load(server.url, cacheDir);
    const error = failure(model);
    expect(error).toMatch(/cannot reach the model URL \(ECONNREFUSED\) while fetching /);
    expect(error).not.toContain(String(server.port));
    expect(cached(cacheDir)).toEqual([]);
  });

  it('names a missing required file', async () => {
    const server = await serve({
      handle: (file, _req, res) => {
        if (file !== 'tokenizer.json') return false;
        res.writeHead(404).end();
        return true;
      },
    });
    const { model } = await load(server.url, tempCache());
    expect(failure(model)).toContain('tokenizer.json is missing at its URL (HTTP 404)');
  });

  it('adds the ONNX file of another dtype to a cached download', async () => {
    const server = await serve();
    const cacheDir = tempCache();
    expect((await load(server.url, cacheDir)).model.state).toBe('ready');
    const q8 = await load(server.url, cacheDir, { EMBEDDING_DTYPE: 'q8' });
    expect(q8.model.state).toBe('ready');
    expect(server.requests.filter((f) => f === 'onnx/model_quantized.onnx')).toHaveLength(1);
    expect(server.requests.filter((f) => f === 'onnx/model.onnx')).toHaveLength(1);
    expect(readdirSync(path.join(modelCacheDirs(q8.config).url, q8.config.modelUrl!.name, 'onnx')).sort()).toEqual([
      'model.onnx',
      'model_quantized.onnx',
    ]);
  });

  it('config: plain http only to loopback; the error never echoes the URL', () => {
    const bad = () => loadServerConfig({ EMBEDDING_MODEL: 'http://user:pw@models.example.com/m/' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/uses plain http to another machine: use https/);
    try {
      bad();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('pw@');
    }
    expect(loadServerConfig({ EMBEDDING_MODEL: 'https://models.example.com/team/model-v2/' }).config.embeddingModel).toMatch(
      /^model-v2-[0-9a-f]{10}$/,
    );
  });
});

describe('hub models through the server settings', () => {
  it('HF_ENDPOINT is the hub they come from and MODEL_CACHE_DIR/hub keeps them', async () => {
    const repo = 'nearfeed/nearfeed-test';
    const hub = await serve({ prefix: `/${repo}/resolve/main/` });
    const cacheDir = tempCache();
    const { config } = loadServerConfig({ EMBEDDING_MODEL: repo, HF_ENDPOINT: hub.origin, MODEL_CACHE_DIR: cacheDir, ML_DEVICE: 'cpu' });
    const model = await loadModel(config, () => {});
    expect(model.state).toBe('ready');
    if (model.state !== 'ready') return;
    cleanups.push(() => model.embedder.dispose());
    // Not the bundled fallback: the repository itself, from this endpoint.
    expect(model.notes).toEqual([]);
    expect(model.embedder.info.model).toBe(repo);
    expect(hub.requests).toContain('onnx/model.onnx');
    expect(readdirSync(path.join(modelCacheDirs(config).hub, repo, 'onnx'))).toContain('model.onnx');
    expect(await model.embedder.embed(TEXTS)).toEqual(directVectors);
  });

  it('HF_ENDPOINT must be an http(s) URL', () => {
    expect(() => loadServerConfig({ HF_ENDPOINT: 'hf-mirror' })).toThrow(/HF_ENDPOINT must be an http\(s\) URL/);
  });
});
