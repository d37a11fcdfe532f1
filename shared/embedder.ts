/**
 * The one embedder interface. Each runtime implements it: the server on onnxruntime-node
 * (server/embedder/), the browser in a Web Worker on onnxruntime-web (client/worker/).
 */

/** Numeric precision the ONNX model runs in; picks the file (model.onnx, model_quantized.onnx, model_fp16.onnx). */
export type EmbeddingDtype = 'fp32' | 'q8' | 'fp16';

/** What an embedder actually runs, as reported in health and status. */
export interface EmbedderInfo {
  /** Model as loaded: hub id or local folder. */
  model: string;
  dtype: EmbeddingDtype;
  /** Device the session really runs on (after any fallback), e.g. 'cpu', 'cuda', 'webgpu', 'wasm'. */
  device: string;
  /** Length of every vector `embed` returns. */
  dimension: number;
  /** Token limit inputs are truncated to (sentence-transformers' max_seq_length). */
  maxSeqLength: number;
  /** Cache key part that changes whenever the vectors could change: see `modelKey`. */
  modelKey: string;
}

/** Turns texts into L2-normalised, mean-pooled sentence embeddings. */
export interface Embedder {
  readonly info: EmbedderInfo;
  /** One vector per text, in the caller's order. Calls are queued; never two runs on one session at once. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Token counts after truncation (before it with `truncate: false`), for batching, limits and usage. */
  countTokens?(texts: readonly string[], options?: { truncate?: boolean }): Promise<number[]>;
  dispose(): Promise<void>;
}

/**
 * A key that names everything the vectors depend on: model id, dtype and truncation length. Two embedders
 * with the same key produce the same vectors; a cache entry under another key is never read.
 */
export function modelKey(model: string, dtype: EmbeddingDtype, maxSeqLength: number): string {
  return `${model}|${dtype}|${maxSeqLength}`;
}
