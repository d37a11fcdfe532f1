/**
 * `GET /docs`: a human API reference (Swagger UI) over `/api/v1/openapi.json`, served from this package — the
 * page, its script and swagger-ui-dist's bundle — so it works offline and behind a strict CSP, no CDN.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { CompressedFiles } from './http/compressed-files';
import { serveFile } from './static';

const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'docs');
const SWAGGER_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The files under /docs/ and where they live; nothing else of either folder is served. */
const FILES: Readonly<Record<string, string>> = {
  'init.js': path.join(PAGE_DIR, 'init.js'),
  'swagger-ui.css': path.join(SWAGGER_DIR, 'swagger-ui.css'),
  'swagger-ui-bundle.js': path.join(SWAGGER_DIR, 'swagger-ui-bundle.js'),
};

/**
 * Swagger UI sets inline styles and shows data: images; its scripts are all files of this origin, so no inline
 * script runs and none is allowed. (nosniff, referrer and framing headers come from security-headers.ts, as on
 * every response.)
 */
const DOCS_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

/** Routes `/docs` (the page) and `/docs/<file>` (its three files). */
export function docsRoutes(compressed: CompressedFiles): Hono {
  const app = new Hono();
  app.on(['GET', 'HEAD'], '/docs', async (c) =>
    (await serveFile(c, path.join(PAGE_DIR, 'index.html'), 'no-cache', DOCS_HEADERS, compressed)) ?? c.notFound(),
  );
  app.on(['GET', 'HEAD'], '/docs/:file', async (c) => {
    const name = c.req.param('file');
    const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    // Versioned by the installed packages, not by file name: revalidated, never stale after an upgrade.
    const res = file && (await serveFile(c, file, 'no-cache', DOCS_HEADERS, compressed));
    return res || c.notFound();
  });
  return app;
}
