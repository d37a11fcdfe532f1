/**
 * The worker's part of the time to first feed: where a model load spent its milliseconds. Marks are
 * performance.now() values taken in the worker; `loadBreakdown` turns them into non-overlapping phases.
 * transformers.js runs the steps in this order: the model's JSON files (family), tokenizer and weights (from
 * Cache Storage or the network), then ONNX Runtime's WASM (fetched or taken from the cache, then compiled by
 * `WebAssembly.instantiate`), then the session. ORT has no public "initialise" hook, so the worker notes the
 * first WebAssembly instantiation it sees (see `watchWasmCompile`).
 */

/** Milliseconds per phase of one model load in the worker. */
export interface ModelLoadTimings {
  /** The model's JSON files that decide its pooling and prompts (modules.json, sentence_bert_config.json, …). */
  config: number;
  /** Tokenizer and weights files, from Cache Storage or the network. */
  files: number;
  /** ONNX Runtime's .wasm: fetch (or Cache Storage read) and compile; null when it was already running. */
  ortWasm: number | null;
  /** The inference session's creation (graph optimisation, weights into WASM memory). */
  session: number;
  /** The whole load, init message to ready. */
  total: number;
  /** Files fetched over the network during this load (0 on a visit whose model files were all cached). */
  downloadedFiles: number;
  /** Bytes of those files as reported by the download progress (0 when none). */
  downloadedBytes: number;
  /** Files taken from Cache Storage (checked against the server where it could be reached). */
  cachedFiles: number;
  /** Cached files found outdated (the server has another version) and downloaded again. */
  staleFiles: number;
  /** Cached files used without the server's confirmation (the check failed: offline, or the server erred). */
  uncheckedFiles: number;
}

/** performance.now() marks of one load; optional ones are absent when the step did not happen. */
export interface LoadMarks {
  start: number;
  configDone: number;
  /** The last tokenizer or weights file finished (progress 'done'); absent when no event came. */
  filesDone?: number;
  /** First request for the ORT .wasm (cache lookup or fetch). */
  wasmStart?: number;
  /** First WebAssembly instantiation finished. */
  wasmCompiled?: number;
  ready: number;
}

const nonNegative = (x: number) => Math.max(0, x);

/** Splits a load into phases that add up to `total` (the session takes what is left after the others). */
export function loadBreakdown(
  marks: LoadMarks,
  counts: Pick<ModelLoadTimings, 'downloadedFiles' | 'downloadedBytes' | 'cachedFiles' | 'staleFiles' | 'uncheckedFiles'>,
): ModelLoadTimings {
  const total = nonNegative(marks.ready - marks.start);
  const config = nonNegative(marks.configDone - marks.start);
  // Files end where the WASM starts (transformers.js fetches the weights before it creates the session).
  const filesEnd = Math.min(marks.filesDone ?? marks.wasmStart ?? marks.ready, marks.wasmStart ?? Infinity, marks.ready);
  const files = nonNegative(filesEnd - marks.configDone);
  const ortWasm =
    marks.wasmCompiled !== undefined ? nonNegative(Math.min(marks.wasmCompiled, marks.ready) - Math.max(filesEnd, marks.wasmStart ?? filesEnd)) : null;
  const session = nonNegative(total - config - files - (ortWasm ?? 0));
  return { config, files, ortWasm, session, total, ...counts };
}

/**
 * Calls `onCompiled(start, end)` once, for the first `WebAssembly.instantiate`/`instantiateStreaming` in this
 * worker (ONNX Runtime's; the worker compiles nothing else), and restores the originals after it.
 */
export function watchWasmCompile(onCompiled: (start: number, end: number) => void): void {
  const wasm = WebAssembly as unknown as Record<'instantiate' | 'instantiateStreaming', (...args: unknown[]) => Promise<unknown>>;
  const originals = { instantiate: wasm.instantiate, instantiateStreaming: wasm.instantiateStreaming };
  let seen = false;
  for (const name of ['instantiate', 'instantiateStreaming'] as const) {
    const original = originals[name];
    if (typeof original !== 'function') continue;
    wasm[name] = function timed(this: unknown, ...args: unknown[]) {
      const start = performance.now();
      const result = original.apply(this, args);
      void result.then(
        () => {
          if (seen) return;
          seen = true;
          wasm.instantiate = originals.instantiate;
          if (originals.instantiateStreaming) wasm.instantiateStreaming = originals.instantiateStreaming;
          onCompiled(start, performance.now());
        },
        () => undefined,
      );
      return result;
    };
  }
}
