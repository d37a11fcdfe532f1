/**
 * ONNX Runtime Web's runtime files, served from this package's own bundle. transformers.js points
 * `wasmPaths` at jsDelivr at import time; without these URLs the worker would fetch a CDN (and fail offline).
 * Imported on the page side (worker-client.ts) and handed to the worker: an app's bundler emits the assets a
 * page module references, while it copies the prebuilt worker chunk without looking inside.
 * transformers.js 4.3.1 imports `onnxruntime-web/webgpu` (ort.webgpu.bundle.min.mjs), whose WASM and WebGPU
 * backends both load the asyncify build: ort-wasm-simd-threaded.asyncify.{mjs,wasm}. `no-inline` keeps Vite's
 * library mode from inlining the 27 MB binary as base64.
 */
import asyncifyWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url&no-inline';
import asyncifyMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url&no-inline';

/** Absolute URLs of the self-hosted ORT files, as `env.backends.onnx.wasm.wasmPaths` takes them. */
export function ortWasmPaths(base: string): { mjs: string; wasm: string } {
  return { mjs: new URL(asyncifyMjsUrl, base).href, wasm: new URL(asyncifyWasmUrl, base).href };
}
