/**
 * The demo build: client/demo → dist/demo, served by the nearfeed server at `/` (`npm start` builds it in
 * prestart). The library build is vite.lib.config.ts. `npx vite --config vite.config.ts` serves the demo
 * with hot reload and proxies the API and model files to a server on NEARFEED_SERVER (default :8787).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const fromRoot = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const server = process.env.NEARFEED_SERVER ?? 'http://127.0.0.1:8787';

export default defineConfig({
  root: fromRoot('./client/demo'),
  base: '/',
  publicDir: false,
  build: {
    outDir: fromRoot('./dist/demo'),
    emptyOutDir: true,
    target: 'es2022',
    // transformers.js alone is ~550 kB; the warning would only repeat that.
    chunkSizeWarningLimit: 1024,
  },
  worker: { format: 'es' },
  // onnxruntime-web finds its .wasm/.mjs files relative to itself; pre-bundling would move it away from them.
  optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
  server: {
    proxy: { '/api': server, '/models': server },
  },
});
