/**
 * The typed message protocol between the page (WorkerEmbedderClient) and the embedding worker.
 * Every request carries an id; the worker answers it exactly once with `ready`, `vectors`, `done` or `error`.
 * Vectors travel as one transferred Float32Array (n × dimension), so no copy and no per-vector message.
 */
import type { EmbedderInfo, EmbeddingDtype } from '../../shared/embedder';
import type { ModelLoadTimings } from './load-timings';
import type { WasmThreads } from './wasm-threads';

/** Devices the worker can run a session on. */
export type WorkerDevice = 'webgpu' | 'wasm';

/** What the worker loads and how it batches: the options of the worker-side embedder and of `init`. */
export interface WorkerModelOptions {
  /** Folder name under `modelBaseUrl`, or a hub id when `allowRemoteModels`. */
  model: string;
  /** Absolute URL ending in '/', where served model folders live. */
  modelBaseUrl: string;
  /** True only for hub ids: a served folder must never fall through to the hub. */
  allowRemoteModels: boolean;
  dtype: EmbeddingDtype;
  device: WorkerDevice;
  /**
   * Truncation length the caller already knows (e.g. the server's max_seq_length for the same model).
   * When absent the worker reads sentence_bert_config.json, then falls back to the tokenizer's limit.
   */
  maxSeqLength?: number;
  /** Largest number of texts run in one session call. */
  maxBatchSize: number;
  /** Upper bound of padded tokens (batch × longest) per session call; attention memory grows with it. */
  maxBatchTokens: number;
  /** Threads for ORT's WASM backend; default one per core up to 4, and always 1 without cross-origin isolation. */
  wasmThreads?: number;
  /**
   * Absolute URLs of ONNX Runtime Web's files, resolved on the page side: an app's bundler sees (and emits)
   * assets the page's module references, not those inside the prebuilt worker chunk it copies as it is.
   */
  ortFiles: { mjs: string; wasm: string };
}

/** Receives model download progress: a fraction in 0..1 and a human-readable detail. */
export type ProgressListener = (fraction: number, detail: string) => void;

export interface InitRequest extends WorkerModelOptions {
  type: 'init';
  id: number;
}

export interface EmbedRequest {
  type: 'embed';
  id: number;
  texts: string[];
}

export interface DisposeRequest {
  type: 'dispose';
  id: number;
}

export type WorkerRequest = InitRequest | EmbedRequest | DisposeRequest;

export interface ReadyResponse {
  type: 'ready';
  id: number;
  info: EmbedderInfo;
  loadMs: number;
  /** Threads ORT's WASM backend runs with, and why that many. */
  threads: WasmThreads;
  /** Where the load spent its time, measured in the worker. */
  timings: ModelLoadTimings | null;
}

export interface VectorsResponse {
  type: 'vectors';
  id: number;
  dimension: number;
  /** n × dimension, row-major, in the caller's order. */
  data: Float32Array;
  runMs: number;
}

export interface DoneResponse {
  type: 'done';
  id: number;
}

export interface ErrorResponse {
  type: 'error';
  id: number;
  message: string;
}

/**
 * Unsolicited: model download progress while `init` runs, the bytes of the tokenizer's and the model's files
 * so far over their total. Stays below 1 (at most 0.99): `ready` is what completes the phase.
 */
export interface ProgressMessage {
  type: 'progress';
  phase: 'model';
  /** 0..0.99, never going back. */
  fraction: number;
  /** e.g. "12.3/90.9 MB". */
  detail: string;
}

export type WorkerResponse = ReadyResponse | VectorsResponse | DoneResponse | ErrorResponse;
export type WorkerMessage = WorkerResponse | ProgressMessage;
