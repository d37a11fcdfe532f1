/**
 * Same-origin static files: the built demo at `/` and model folders at `/models/<name>/...`, so the browser
 * loads its model and ONNX Runtime files from the server that serves the page, never from a hub or CDN.
 * Paths are resolved inside their root folder and anything escaping it is a 404 (no directory traversal).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { CompressedFiles } from './http/compressed-files';
import { demoSecurityHeaders } from './http/security-headers';
import { chooseEncoding, isCompressibleType, MIN_COMPRESS_BYTES, varyOnEncoding } from './http/compression';

export interface StaticFilesOptions {
  /** The built demo (dist/demo), served at `/`; unknown extension-less paths get its index.html. */
  demoDir?: string;
  /** Folders whose subfolders are models, e.g. models/generated: `/models/<sub>/...`. */
  modelRoots?: readonly string[];
  /** Single model folders by the name they are served under (e.g. a configured local EMBEDDING_MODEL). */
  modelDirs?: Readonly<Record<string, string>>;
  /** Where compressed copies of the files are kept (default: a new one per `staticRoutes`). */
  compressed?: CompressedFiles;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.onnx_data': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

/** Content type by file extension; unknown ones are served as bytes. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * `root` joined with the URL sub-path, or undefined when the result would leave `root` (`..`, encoded
 * slashes, absolute paths, NUL bytes) or names a dotfile.
 */
export function resolveInside(root: string, subPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(subPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  // Dotfiles are never served: a downloaded model's bookkeeping (.nearfeed-download.json) and the like.
  if (decoded.split('/').some((segment) => segment.startsWith('.') && segment !== '.' && segment !== '..')) return undefined;
  const base = path.resolve(root);
  const full = path.resolve(base, `.${path.posix.sep}${decoded}`);
  return full === base || full.startsWith(base + path.sep) ? full : undefined;
}

/**
 * A build output whose name carries its content hash (Vite's `assets/<name>-<8 chars>.<ext>`): its bytes never
 * change under that name, so browsers may keep it for a year without asking again. Everything else of the demo
 * (index.html above all, which names the current hashes) is revalidated on every visit.
 */
export function isHashedAsset(urlPath: string): boolean {
  return /^\/assets\/[^/]+-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$/.test(urlPath);
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** A model name as it may appear in a URL segment: no separators, no dot-only names. */
function isSafeName(name: string): boolean {
  return /^[A-Za-z0-9._-]+$/.test(name) && name !== '.' && name !== '..';
}

/**
 * Model files may be loaded by an app on another origin (`modelBaseUrl`); an isolated page there admits them
 * only with this opt-in (or CORS).
 */
const MODEL_FILE_HEADERS: Readonly<Record<string, string>> = { 'cross-origin-resource-policy': 'cross-origin' };

/**
 * The file, compressed (br or gzip, as accepted) when its type compresses and its compressed copy is ready;
 * as it is otherwise (the copy is then made for the next request). ONNX weights are served as bytes
 * (application/octet-stream), never compressed: fp32 weights shrink by under 10% for seconds of CPU.
 */
export async function serveFile(
  c: Context,
  file: string | undefined,
  cacheControl: string,
  extraHeaders: Readonly<Record<string, string>>,
  compressed: CompressedFiles,
): Promise<Response | undefined> {
  if (!file) return undefined;
  const info = await stat(file).catch(() => undefined);
  if (!info) return undefined;
  if (info.isDirectory()) return serveFile(c, path.join(file, 'index.html'), cacheControl, extraHeaders, compressed);
  if (!info.isFile()) return undefined;
  const type = contentTypeOf(file);
  const headers = new Headers({
    'content-type': type,
    'content-length': String(info.size),
    'cache-control': cacheControl,
    'last-modified': info.mtime.toUTCString(),
    ...extraHeaders,
  });
  const compressible = isCompressibleType(type) && info.size >= MIN_COMPRESS_BYTES;
  if (compressible) varyOnEncoding(headers);
  if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers });
  const encoding = compressible ? chooseEncoding(c.req.header('accept-encoding')) : undefined;
  const copy = encoding && compressed.get({ path: file, size: info.size, mtimeMs: info.mtimeMs }, encoding);
  if (encoding && copy) {
    headers.set('content-encoding', encoding);
    headers.set('content-length', String(copy.byteLength));
    return new Response(copy as Uint8Array<ArrayBuffer>, { status: 200, headers });
  }
  const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  return new Response(body, { status: 200, headers });
}

function notFound(c: Context): Response {
  return c.json({ error: `no file at ${c.req.path}`, error_type: 'not_found' as const }, 404);
}

/** Routes for the demo and the model folders; mount at `/` after the API. */
export function staticRoutes(options: StaticFilesOptions): Hono {
  const app = new Hono();
  const modelDirs = options.modelDirs ?? {};
  const modelRoots = options.modelRoots ?? [];
  const compressed = options.compressed ?? new CompressedFiles();

  app.on(['GET', 'HEAD'], '/models/:name/*', async (c) => {
    const name = c.req.param('name');
    if (!isSafeName(name)) return notFound(c);
    const sub = c.req.path.slice(`/models/${name}/`.length);
    // Raw (still percent-encoded) sub-path so resolveInside decodes exactly once.
    const rawSub = new URL(c.req.url).pathname.split('/').slice(3).join('/');
    const dirs = [
      ...(Object.hasOwn(modelDirs, name) ? [modelDirs[name]!] : []),
      ...modelRoots.map((root) => path.join(root, name)),
    ];
    for (const dir of dirs) {
      const res = await serveFile(c, resolveInside(dir, rawSub || sub), 'public, max-age=3600', MODEL_FILE_HEADERS, compressed);
      if (res) return res;
    }
    return notFound(c);
  });

  if (options.demoDir) {
    const demoDir = options.demoDir;
    // The page's CSP and cross-origin isolation on every demo file (http/security-headers.ts).
    app.on(['GET', 'HEAD'], '*', demoSecurityHeaders(), async (c) => {
      const rawPath = new URL(c.req.url).pathname;
      const cacheControl = isHashedAsset(rawPath) ? IMMUTABLE : 'no-cache';
      const res = await serveFile(c, resolveInside(demoDir, rawPath), cacheControl, {}, compressed);
      if (res) return res;
      // A client-side route (no file extension) gets the page itself.
      if (path.extname(rawPath) === '') {
        const index = await serveFile(c, path.join(demoDir, 'index.html'), 'no-cache', {}, compressed);
        if (index) return index;
      }
      return notFound(c);
    });
  }
  return app;
}
