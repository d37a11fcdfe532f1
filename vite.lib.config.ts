/**
 * The library build of the browser package: `npm run build:lib` → client/dist/index.js (ESM), the embedding
 * worker as its own chunk, ONNX Runtime's asyncify .wasm/.mjs as emitted assets (never inlined, never a CDN),
 * and .d.ts files from tsconfig.lib.json. Dependencies stay external: the app's bundler resolves them once.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const fromRoot = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/**
 * onnxruntime-web's bundle holds `new URL("ort-wasm-simd-threaded.asyncify.wasm", import.meta.url)` as a
 * fallback for when `wasmPaths` is unset. Library mode inlines every such asset as base64 (two 36 MB copies in
 * the worker). The worker always sets `wasmPaths` to the emitted asset (client/worker/ort-assets.ts), so the
 * fallback is pointed at the worker's own location instead — the same URL in a bundled module worker, but
 * invisible to the asset inliner.
 */
function ortFallbackUrlNotInlined(): Plugin {
  const pattern = /new URL\("(ort-wasm-simd-threaded[.\w]*\.wasm)",import\.meta\.url\)/g;
  return {
    name: 'nearfeed:ort-fallback-url-not-inlined',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('onnxruntime-web') || !pattern.test(code)) return null;
      pattern.lastIndex = 0;
      return { code: code.replace(pattern, 'new URL("$1",self.location.href)'), map: null };
    },
  };
}

export default defineConfig({
  // Relative asset URLs (resolved against import.meta.url), so the package works wherever the app serves it.
  base: './',
  publicDir: false,
  build: {
    outDir: fromRoot('./client/dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: fromRoot('./client/index.ts'),
      formats: ['es'],
      fileName: () => 'index.js',
    },
    rollupOptions: {
      // idb-keyval is tiny and used by the page side only; transformers.js lives in the worker chunk, which
      // must be self-contained (a worker cannot share the app's module graph).
      external: ['idb-keyval'],
      // Hashed names, like the worker chunk's: ONNX Runtime's files can then be cached as immutable.
      output: { assetFileNames: 'assets/[name]-[hash][extname]' },
    },
  },
  worker: { format: 'es', plugins: () => [ortFallbackUrlNotInlined()] },
});
