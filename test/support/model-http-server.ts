/**
 * A model folder served over plain node:http on 127.0.0.1, as a bucket or a static host would serve it, for
 * the EMBEDDING_MODEL=URL tests. Each request can be answered by a test's own handler first (to cut a file
 * short, hold it, or serve a doctored SHA256SUMS); everything else is the folder's file or a 404.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

export interface ModelHttpServer {
  /** The folder's URL, e.g. `http://127.0.0.1:41234/models/nearfeed-test/`. */
  url: string;
  /** The server's root, e.g. `http://127.0.0.1:41234/` (a hub endpoint). */
  origin: string;
  port: number;
  /** Files asked for, in order (paths relative to the folder, query stripped). */
  requests: string[];
  close(): Promise<void>;
}

/** Answers `file` itself and returns true, or returns false to let the folder answer. */
export type FileHandler = (file: string, req: IncomingMessage, res: ServerResponse) => boolean;

export interface ModelHttpOptions {
  handle?: FileHandler;
  /** Every request must carry these (a URL with user:password and a signed query); 401 otherwise. */
  require?: { authorization: string; query: string };
  /** Serve a correct SHA256SUMS of the folder (default false: no manifest, 404). */
  manifest?: boolean;
  /** URL path of the folder (default `/models/<basename>/`; a hub serves `/<repo>/resolve/main/`). */
  prefix?: string;
}

/** `sha256sum`-style lines for every file under `dir` (hidden files left out). */
export function sha256sums(dir: string): string {
  const lines: string[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(path.join(dir, sub))) {
      if (entry.startsWith('.')) continue;
      const rel = sub ? `${sub}/${entry}` : entry;
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
      else lines.push(`${createHash('sha256').update(readFileSync(path.join(dir, rel))).digest('hex')}  ${rel}`);
    }
  };
  walk('');
  return `${lines.join('\n')}\n`;
}

/** Serves `dir` at `/models/<basename>/`; see the module comment. */
export async function serveModelFolder(dir: string, options: ModelHttpOptions = {}): Promise<ModelHttpServer> {
  const prefix = options.prefix ?? `/models/${path.basename(dir)}/`;
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const file = url.pathname.startsWith(prefix) ? decodeURIComponent(url.pathname.slice(prefix.length)) : '';
    requests.push(file);
    if (options.require && (req.headers.authorization !== options.require.authorization || url.search !== options.require.query)) {
      res.writeHead(401).end();
      return;
    }
    if (options.handle?.(file, req, res)) return;
    if (file === 'SHA256SUMS' && options.manifest) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(sha256sums(dir));
      return;
    }
    const full = path.join(dir, file);
    if (file === '' || file.includes('..') || !statSync(full, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(full);
    res.writeHead(200, { 'content-length': String(body.byteLength) }).end(body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    origin: `http://127.0.0.1:${port}/`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
