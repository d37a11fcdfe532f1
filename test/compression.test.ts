/**
 * Response compression negotiated from Accept-Encoding, on the whole app (API JSON and static files): br when
 * accepted (preferred on a tie), gzip otherwise, nothing when not accepted; small responses, images and ONNX
 * weights left alone; static files compressed once in the background and then served from the copy; exact
 * Content-Length everywhere, checked over a real socket too.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncResponse } from '../shared/api';
import { createApp } from '../server/app';
import { demoProfiles } from '../server/data/demo-profiles';
import { CompressedFiles } from '../server/http/compressed-files';
import { MemoryProfileStore } from '../server/store/memory-store';
import { disabledMl, testCache, testConfig } from './support/candidate-app';

let dir: string;
let app: Hono;
let compressed: CompressedFiles;
/** A "wasm" file with repetitive content, so it compresses. */
let bigWasm: Buffer;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nearfeed-compression-'));
  const demo = path.join(dir, 'demo');
  mkdirSync(demo);
  writeFileSync(path.join(demo, 'index.html'), `<!doctype html><title>t</title>${'<p>hello</p>'.repeat(200)}`);
  writeFileSync(path.join(demo, 'tiny.js'), 'export const x = 1;\n');
  writeFileSync(path.join(demo, 'pic.png'), Buffer.alloc(50_000, 7));
  bigWasm = Buffer.alloc(300_007);
  for (let i = 0; i < bigWasm.length; i++) bigWasm[i] = (i * 31) % 251 < 40 ? i % 7 : 0;
  writeFileSync(path.join(demo, 'ort.wasm'), bigWasm);
  writeFileSync(path.join(demo, 'model.onnx'), bigWasm);
  compressed = new CompressedFiles();
  const store = new MemoryProfileStore({ seed: demoProfiles(300) });
  const cache = testCache();
  const config = testConfig();
  app = createApp({ config, store, cache, ml: disabledMl(store, cache, config), staticFiles: { demoDir: demo, compressed } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function get(url: string, acceptEncoding?: string, method = 'GET'): Promise<{ res: Response; bytes: Buffer }> {
  const res = await app.request(url, { method, headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

function decode(encoding: string | null, bytes: Buffer): Buffer {
  if (encoding === 'br') return brotliDecompressSync(bytes);
  if (encoding === 'gzip') return gunzipSync(bytes);
  return bytes;
}

describe('API responses', () => {
  it('are sent as is without Accept-Encoding, and compressed to the same JSON when accepted', async () => {
    const plain = await get('/api/v1/sync?limit=300');
    expect(plain.res.headers.get('content-encoding')).toBeNull();
    expect(plain.res.headers.get('vary')).toMatch(/accept-encoding/i);
    const json = JSON.parse(plain.bytes.toString('utf8')) as SyncResponse;
    expect(json.changes).toHaveLength(300);

    for (const [accept, want] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0.5, gzip', 'gzip'],
      ['*', 'br'],
    ] as const) {
      const { res, bytes } = await get('/api/v1/sync?limit=300', accept);
      expect(res.headers.get('content-encoding'), accept).toBe(want);
      expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
      expect(bytes.length).toBeLessThan(plain.bytes.length / 3);
      expect(decode(want, bytes).equals(plain.bytes)).toBe(true);
    }
  });

  it('are not compressed when no offered encoding is acceptable', async () => {
    for (const accept of ['identity', 'gzip;q=0, br;q=0', 'deflate', '']) {
      const { res } = await get('/api/v1/sync?limit=300', accept);
      expect(res.headers.get('content-encoding'), accept).toBeNull();
    }
  });

  it('leaves small responses and errors alone, with their length', async () => {
    const { res, bytes } = await get('/api/v1/profiles/demo-001', 'br, gzip');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
    expect(JSON.parse(bytes.toString('utf8'))).toMatchObject({ id: 'demo-001' });
    const missing = await get('/api/v1/profiles/nobody', 'br, gzip');
    expect(missing.res.status).toBe(404);
    expect(missing.res.headers.get('content-encoding')).toBeNull();
    expect(JSON.parse(missing.bytes.toString('utf8'))).toMatchObject({ error_type: 'not_found' });
  });
});

describe('static files', () => {
  it('the first request gets the file as is; once its copy is made, the accepted encoding', async () => {
    const first = await get('/ort.wasm', 'br');
    expect(first.res.headers.get('content-encoding')).toBeNull();
    expect(first.res.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(first.bytes.equals(bigWasm)).toBe(true);
    await compressed.settled();

    const wasm = await get('/ort.wasm', 'br');
    expect(wasm.res.headers.get('content-encoding')).toBe('br');
    expect(Number(wasm.res.headers.get('content-length'))).toBe(wasm.bytes.length);
    expect(wasm.bytes.length).toBeLessThan(bigWasm.length / 4);
    expect(brotliDecompressSync(wasm.bytes).equals(bigWasm)).toBe(true);

    await get('/', 'gzip');
    await compressed.settled();
    const html = await get('/', 'gzip');
    expect(html.res.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(html.bytes).toString('utf8')).toContain('<title>t</title>');
  });

  it('never compresses images, ONNX weights, tiny files, HEAD, or for a client that does not accept it', async () => {
    for (const url of ['/pic.png', '/model.onnx', '/tiny.js', '/ort.wasm']) {
      await get(url, 'br, gzip');
      await get(url, 'gzip');
    }
    await compressed.settled();
    for (const url of ['/pic.png', '/model.onnx', '/tiny.js']) {
      const { res } = await get(url, 'br, gzip');
      expect(res.headers.get('content-encoding'), url).toBeNull();
    }
    const plain = await get('/ort.wasm');
    expect(plain.res.headers.get('content-encoding')).toBeNull();
    expect(plain.bytes.equals(bigWasm)).toBe(true);
    expect((await get('/ort.wasm', 'identity')).res.headers.get('content-encoding')).toBeNull();
    const head = await get('/ort.wasm', 'br', 'HEAD');
    expect(head.res.headers.get('content-encoding')).toBeNull();
    expect(head.res.headers.get('content-length')).toBe(String(bigWasm.length));
  });

  it('arrives whole over a real socket, compressed and not, with its exact length', async () => {
    let server: ServerType | undefined;
    try {
      const port = await new Promise<number>((resolve) => {
        server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
      });
      await rawGet(port, '/ort.wasm', 'gzip');
      await rawGet(port, '/ort.wasm', 'br');
      await compressed.settled();
      for (const accept of ['gzip', 'br', undefined]) {
        const { headers, body } = await rawGet(port, '/ort.wasm', accept);
        const encoding = (headers['content-encoding'] as string | undefined) ?? null;
        expect(encoding).toBe(accept ?? null);
        expect(headers['content-length']).toBe(String(body.length));
        expect(decode(encoding, body).equals(bigWasm)).toBe(true);
      }
      const api = await rawGet(port, '/api/v1/sync?limit=300', 'br');
      expect(api.headers['content-encoding']).toBe('br');
      expect(api.headers['content-length']).toBe(String(api.body.length));
      expect((JSON.parse(brotliDecompressSync(api.body).toString('utf8')) as SyncResponse).changes).toHaveLength(300);
    } finally {
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    }
  });
});

/** node:http GET that keeps the bytes as sent (fetch would decode them). */
function rawGet(port: number, url: string, acceptEncoding?: string): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}
