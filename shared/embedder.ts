import { familyKey, type ModelFamily } from './embedding/model-family';

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
  /** How token vectors become sentence vectors, and the model's prompts. */
  family: EmbedderFamily;
  /** Cache key part that changes whenever the vectors could change: see `modelKey`. */
  modelKey: string;
}

/** The parts of a model's sentence-transformers configuration that change its vectors. */
export type EmbedderFamily = Pick<ModelFamily, 'pooling' | 'normalize' | 'prompts' | 'defaultPromptName' | 'doLowerCase'>;

/** What sentence-transformers builds for all-MiniLM-L6-v2 and nearfeed's generated test model. */
export const MEAN_NORMALIZED: EmbedderFamily = Object.freeze({
  pooling: 'mean',
  normalize: true,
  prompts: Object.freeze({}),
  doLowerCase: false,
});

/**
 * Turns texts into sentence embeddings the way the model's sentence-transformers configuration says (pooling,
 * normalisation, lower-casing). Prompts are the caller's: pass `promptedText(info.family, text, name)`.
 */
export interface Embedder {
  readonly info: EmbedderInfo;
  /** One vector per text, in the caller's order. Calls are queued; never two runs on one session at once. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Token counts after truncation (before it with `truncate: false`), for batching, limits and usage. */
  countTokens?(texts: readonly string[], options?: { truncate?: boolean }): Promise<number[]>;
  dispose(): Promise<void>;
}

/**
 * A key that names everything the vectors depend on: model id, dtype, truncation length and the family
 * (pooling, normalisation, lower-casing, prompts). Two embedders with the same key produce the same vectors;
 * a cache entry under another key is never read.
 */
export function modelKey(
  model: string,
  dtype: EmbeddingDtype,
  maxSeqLength: number,
  family: EmbedderFamily = MEAN_NORMALIZED,
): string {
  return `${model}|${dtype}|${maxSeqLength}|${familyKey(family)}`;
}
