/**
 * The transport, through a real Node server and raw sockets: a 413 leaves a keep-alive client able to send its
 * next request, slow and silent sockets are cut off, JSON bodies need a JSON content type, unknown /api/* paths
 * are JSON 404 for every method, and an upload aborted by its client is one debug line, not a failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../server/log';
import { openRawSocket, startTestServer, type TestServer } from './support/http-server';
import { sleep } from './support/redis';

const MAX_BODY = 4096;

let server: TestServer;
let demoDir: string;
beforeAll(async () => {
  // A demo page, so an unknown /api path could fall through to it (the page answers extension-less paths).
  demoDir = mkdtempSync(path.join(tmpdir(), 'nearfeed-transport-demo-'));
  writeFileSync(path.join(demoDir, 'index.html'), '<!doctype html><title>demo</title>');
  server = await startTestServer(
    { maxBodyBytes: MAX_BODY, headersTimeoutMs: 600, requestTimeoutMs: 1200, keepAliveTimeoutMs: 1000 },
    { staticFiles: { demoDir } },
  );
});
afterAll(async () => {
  await server?.close();
  rmSync(demoDir, { recursive: true, force: true });
});

function profileBody(): string {
  return JSON.stringify({ name: 'Ada', headline: 'Founder', bio: 'Payments.', tags: ['x'], diligence: 0.5, engagement: 0.5 });
}

describe('413 on a keep-alive connection', () => {
  it('a declared oversized body is refused and the socket does not swallow the next request', async () => {
    const raw = await openRawSocket(server.port);
    // Megabytes: more than the adapter drains in its 500 ms before it drops the socket.
    const big = 'x'.repeat(3_000_000);
    raw.socket.write(
      `PUT /api/v1/profiles/ada HTTP/1.1\r\nHost: t\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${big.length}\r\n\r\n${big}`,
    );
    const [first] = await raw.responses(1);
    expect(first).toMatch(/^HTTP\/1\.1 413 /);
    expect(first).toContain('"error_type":"payload_too_large"');
    if (/\r\nconnection: close\r\n/i.test(first!)) {
      // The server said it closes: the client knows to open a new connection, and it does close.
      await raw.closed;
      return;
    }
    // It promised keep-alive: the next request on this socket must be answered.
    raw.socket.write('GET /api/v1/profiles/demo-001 HTTP/1.1\r\nHost: t\r\n\r\n');
    const responses = await raw.responses(2, 3000);
    expect(responses[1]).toMatch(/^HTTP\/1\.1 200 /);
    raw.socket.destroy();
  });

  it('Node fetch (keep-alive) gets 413 and then a normal answer to its next request', async () => {
    const big = 'x'.repeat(3_000_000);
    const refused = await fetch(`${server.url}/api/v1/profiles/ada`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(refused.status).toBe(413);
    await refused.text();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/api/v1/profiles/demo-001`);
      expect(res.status).toBe(200);
      await res.text();
    }
  });
});

describe('slow and silent sockets', () => {
  it('headers sent one byte at a time: the socket is closed after HEADERS_TIMEOUT_MS', async () => {
    const raw = await openRawSocket(server.port);
    const request = 'GET /api/v1/profiles/demo-001 HTTP/1.1\r\nHost: t\r\nX-Slow: ' + 'a'.repeat(10_000);
    let closed = false;
    void raw.closed.then(() => (closed = true));
    for (let i = 0; i < request.length && !closed; i++) {
      raw.socket.write(request[i]!);
      await sleep(20);
    }
    // The drip would take ~200 s; the loop ended because the server cut the socket off.
    expect(closed).toBe(true);
    await raw.closed;
    expect(raw.received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
  });

  it('a body sent one byte at a time: the socket is closed after REQUEST_TIMEOUT_MS', async () => {
    const raw = await openRawSocket(server.port);
    const body = profileBody();
    raw.socket.write(
      `PUT /api/v1/profiles/slow HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    let closed = false;
    void raw.closed.then(() => (closed = true));
    for (let i = 0; i < body.length && !closed; i++) {
      raw.socket.write(body[i]!);
      await sleep(100);
    }
    expect(closed).toBe(true);
    expect(await raw.closed).toBeLessThan(10_000);
    // Nothing was stored from the cut-off request.
    expect(await server.deps.store.get('slow')).toBeUndefined();
  });

  it('a connection that never sends a byte is closed', async () => {
    const raw = await openRawSocket(server.port);
    expect(await raw.closed).toBeLessThan(10_000);
  });

  it('an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS', async () => {
    const raw = await openRawSocket(server.port);
    raw.socket.write('GET /api/v1/profiles/demo-001 HTTP/1.1\r\nHost: t\r\n\r\n');
    expect((await raw.responses(1))[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(await raw.closed).toBeLessThan(10_000);
  });
});

describe('JSON bodies need a JSON content type', () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
    it(`PUT with ${type ?? 'no content type'} → 415 unsupported_media_type, nothing stored`, async () => {
      const res = await fetch(`${server.url}/api/v1/profiles/ct-test`, {
        method: 'PUT',
        headers: type ? { 'content-type': type } : {},
        body: type === undefined ? new Blob([profileBody()]) : profileBody(),
      });
      expect(res.status).toBe(415);
      const body = (await res.json()) as { error: string; error_type: string };
      expect(body.error_type).toBe('unsupported_media_type');
      expect(body.error).toMatch(/application\/json/);
      expect(await server.deps.store.get('ct-test')).toBeUndefined();
    });
  }

  it('application/json with a charset, and application/*+json, are accepted', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/merge-patch+json']) {
      const res = await fetch(`${server.url}/api/v1/profiles/ct-ok`, { method: 'PUT', headers: { 'content-type': type }, body: profileBody() });
      expect(res.status).toBeLessThan(300);
    }
  });
});

describe('unknown /api/* paths', () => {
  for (const path of ['/api', '/api/', '/api/v1', '/api/v1/', '/api/v1/profiles', '/api/v1/nope', '/api/v2/feed', '/v1/nope']) {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']) {
      it(`${method} ${path} → JSON 404`, async () => {
        const res = await fetch(`${server.url}${path}`, { method });
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        if (method === 'HEAD') return;
        const body = (await res.json()) as { error_type?: string; error?: { code: string } };
        // /v1 answers in OpenAI's error shape, everything else in nearfeed's.
        expect(body.error_type ?? body.error?.code).toBe('not_found');
      });
    }
  }
});

describe('an upload aborted by its client', () => {
  it('is one debug line with the request id, not an error with a stack; the server keeps serving', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const own = await startTestServer({}, { logger });
    try {
      const raw = await openRawSocket(own.port);
      raw.socket.write(
        'PUT /api/v1/profiles/aborted HTTP/1.1\r\nHost: t\r\nX-Request-Id: upload-1\r\nContent-Type: application/json\r\n' +
          'Content-Length: 100000\r\n\r\n{"name":"Ada","bio":"',
      );
      await sleep(200);
      raw.socket.destroy();
      await raw.closed;
      await sleep(300);
      const about = lines.filter((l) => l.request_id === 'upload-1');
      expect(about).toHaveLength(1);
      expect(about[0]).toMatchObject({ level: 20, msg: expect.stringMatching(/closed the connection/) });
      expect(lines.filter((l) => (l.level as number) >= 40)).toEqual([]);
      expect(await own.deps.store.get('aborted')).toBeUndefined();
      expect((await fetch(`${own.url}/api/v1/profiles/demo-001`)).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});
