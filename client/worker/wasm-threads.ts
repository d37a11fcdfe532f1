/**
 * How many threads ONNX Runtime's WASM backend may use. Threads need SharedArrayBuffer, which a browser only
 * offers to a cross-origin isolated page (COOP `same-origin` + COEP `require-corp`, see README "Threads");
 * without it ORT would warn and run one thread anyway, so the worker asks for one and says why.
 */

/** Most threads asked for: ORT's own default cap, and small embedding models gain little beyond it. */
export const MAX_WASM_THREADS = 4;

export interface WasmThreads {
  threads: number;
  /** For status(), e.g. "2 threads (cross-origin isolated, 2 cores)". */
  reason: string;
}

/**
 * `requested`: the caller's `wasmThreads` option (clamped to 1..MAX_WASM_THREADS). Default: one thread per
 * logical core but one, up to the cap: the page's main thread keeps a core, and ORT's waiting threads spin,
 * so on 2 busy cores a second thread measured no gain and, under load, much worse latency.
 */
export function chooseWasmThreads(env: { isolated: boolean; cores: number | undefined; requested?: number }): WasmThreads {
  const cores = env.cores !== undefined && Number.isFinite(env.cores) && env.cores >= 1 ? Math.floor(env.cores) : 1;
  if (!env.isolated) {
    return { threads: 1, reason: '1 thread (page not cross-origin isolated: no SharedArrayBuffer)' };
  }
  if (env.requested !== undefined) {
    const threads = Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(env.requested)));
    return { threads, reason: `${threads} thread${threads === 1 ? '' : 's'} (requested ${env.requested}, cross-origin isolated, ${cores} cores)` };
  }
  const threads = Math.max(1, Math.min(MAX_WASM_THREADS, cores - 1));
  return { threads, reason: `${threads} thread${threads === 1 ? '' : 's'} (cross-origin isolated, ${cores} cores, one left for the page)` };
}
