/**
 * The worker-side Embedder: transformers.js on onnxruntime-web, one session, calls queued one at a time,
 * inputs batched by token length. Same embedding definition as the server: the model's own pooling and
 * normalisation (model-family.ts, pooling.ts), only the inputs its graph declares, truncated at
 * sentence-transformers' max_seq_length, not the tokenizer's model_max_length.
 */
import {
  AutoModel,
  AutoTokenizer,
  Tensor,
  env,
  type PreTrainedModel,
  type ProgressCallback,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { modelKey, type Embedder, type EmbedderInfo, type EmbeddingDtype } from '../../shared/embedder';
import { planBatches, runPlanned } from '../../shared/embedding/batch-plan';
import { readModelFamily, type ModelFamily } from '../../shared/embedding/model-family';
import { graphInputs, padBatch } from '../../shared/embedding/pad-batch';
import { poolTokens } from '../../shared/embedding/pooling';
import { decideMaxSeqLength } from '../../shared/embedding/seq-length';
import { TokenEncoder, type EncodedText } from '../../shared/embedding/token-encoder';
import { DownloadProgress } from './download-progress';
import { loadBreakdown, watchWasmCompile, type LoadMarks, type ModelLoadTimings } from './load-timings';
import { MODEL_CACHE_NAME, ValidatedModelCache } from './model-cache';
import type { ProgressListener, WorkerModelOptions } from './protocol';
import { chooseWasmThreads, type WasmThreads } from './wasm-threads';

export interface TransformersEmbedderOptions extends WorkerModelOptions {
  /** Download progress of the model's files, 0..0.99 (see ProgressMessage). */
  onProgress?: ProgressListener;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** transformers.js' dtype names for nearfeed's. */
const DTYPE: Record<EmbeddingDtype, 'fp32' | 'q8' | 'fp16'> = { fp32: 'fp32', q8: 'q8', fp16: 'fp16' };

/** What a load counts while it runs, for `ModelLoadTimings`. */
interface LoadCounts {
  downloadedFiles: number;
  downloadedBytes: number;
  cachedFiles: number;
  staleFiles: number;
  uncheckedFiles: number;
  /** First lookup or fetch of ORT's .wasm. */
  wasmStart?: number;
}

function configureRuntime(options: TransformersEmbedderOptions, counts: LoadCounts): WasmThreads {
  const base = new URL(options.modelBaseUrl, self.location.href);
  if (typeof caches !== 'undefined') {
    // Model files and ORT's WASM persist across visits in Cache Storage, revalidated per file version
    // (model-cache.ts); without Cache Storage (some private modes) every visit downloads them.
    env.useCustomCache = true;
    env.customCache = new ValidatedModelCache({
      validatePrefix: base.href,
      base: self.location.href,
      onOutcome: (url, outcome) => {
        if (url.endsWith('.wasm')) counts.wasmStart ??= performance.now();
        if (outcome === 'hit' || outcome === 'unchecked-offline') counts.cachedFiles++;
        if (outcome === 'unchecked-offline') counts.uncheckedFiles++;
        if (outcome === 'stale') counts.staleFiles++;
      },
    });
  }
  const plainFetch = globalThis.fetch.bind(globalThis);
  // Every network fetch transformers.js makes (a cache miss): counted, so a repeat visit can show it made none.
  env.fetch = (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    if (url.endsWith('.wasm')) counts.wasmStart ??= performance.now();
    // A one-byte Range request is transformers.js asking a file's size, not downloading it.
    const ranged = new Headers(init?.headers).has('range');
    if ((init?.method ?? 'GET') === 'GET' && !ranged) counts.downloadedFiles++;
    return plainFetch(input, init);
  };
  if (base.origin === self.location.origin) {
    // A path, not a URL: transformers.js 4.3.1 skips its local-file existence check (get_file_metadata) for
    // http(s) localModelPath values, decides tokenizer_config.json is missing and fails on tokenizer_class.
    env.allowLocalModels = true;
    env.localModelPath = base.pathname;
    env.allowRemoteModels = options.allowRemoteModels;
  } else {
    // A served folder on another origin goes through the "remote" path, pointed at that server, never the hub.
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.remoteHost = base.href;
    env.remotePathTemplate = '{model}/';
  }
  const onnx = env.backends.onnx;
  const threads = chooseWasmThreads({
    isolated: self.crossOriginIsolated,
    cores: self.navigator.hardwareConcurrency,
    requested: options.wasmThreads,
  });
  if (onnx?.wasm) {
    onnx.wasm.wasmPaths = options.ortFiles;
    // Set, not left to ORT: its default is half the cores, and without isolation it would warn and fall back.
    onnx.wasm.numThreads = threads.threads;
  }
  return threads;
}


/**
 * Reads one JSON file of the model for its family (modules.json, 1_Pooling/config.json, …): from the served
 * folder, then, for hub ids, from the hub. Undefined when absent: not every model is a sentence-transformers
 * model, and the family has a default for that. A file read once is kept in Cache Storage beside the
 * weights: offline, the family (and so the model key its cached vectors are stored under) stays the same.
 */
async function readModelFile(options: TransformersEmbedderOptions, file: string): Promise<unknown> {
  const urls = [`${options.modelBaseUrl}${options.model}/${file}`];
  if (options.allowRemoteModels) urls.push(`${env.remoteHost}${options.model}/resolve/main/${file}`);
  const cache = await openModelFileCache();
  for (const url of urls) {
    let res: Response | undefined;
    try {
      res = await fetch(url);
    } catch {
      // Unreachable: what this browser kept from an earlier visit, if anything.
      res = await cache?.match(url);
    }
    if (!res?.ok) continue;
    try {
      const body = (await res.clone().json()) as unknown;
      await cache?.put(url, res).catch(() => undefined);
      return body;
    } catch {
      // Not JSON: treated as absent.
    }
  }
  return undefined;
}

async function openModelFileCache(): Promise<Cache | undefined> {
  try {
    // The cache the weights are kept in (model-cache.ts), so one name holds everything of a model.
    return typeof caches === 'undefined' ? undefined : await caches.open(MODEL_CACHE_NAME);
  } catch {
    return undefined; // Cache Storage refused (opaque origin, storage off): read from the network only.
  }
}

export class TransformersEmbedder implements Embedder {
  /** Where this load spent its time (see load-timings.ts). */
  timings: ModelLoadTimings | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly encoder: TokenEncoder;
  private readonly inputNames: readonly string[];

  private constructor(
    readonly info: EmbedderInfo,
    tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    private readonly options: TransformersEmbedderOptions,
    /** Threads ORT's WASM backend runs with (set once per worker: ORT initialises its WASM once). */
    readonly threads: WasmThreads,
  ) {
    this.encoder = new TokenEncoder(tokenizer, info.maxSeqLength, info.family.doLowerCase);
    const session = (model.sessions as Record<string, { inputNames?: readonly string[] } | undefined>)['model'];
    this.inputNames = session?.inputNames ?? ['input_ids', 'attention_mask'];
  }

  static async load(options: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
    const counts: LoadCounts = { downloadedFiles: 0, downloadedBytes: 0, cachedFiles: 0, staleFiles: 0, uncheckedFiles: 0 };
    const marks: Omit<LoadMarks, 'configDone' | 'ready'> & Partial<LoadMarks> = { start: performance.now() };
    watchWasmCompile((_start, end) => {
      marks.wasmCompiled = end;
    });
    const threads = configureRuntime(options, counts);
    // Read first: a model whose pooling nearfeed cannot run is refused before its weights download.
    const family: ModelFamily = await readModelFamily(options.model, (file) => readModelFile(options, file));
    marks.configDone = performance.now();
    // One aggregate over the tokenizer's and the model's files, both loading at once.
    const download = new DownloadProgress();
    const progress: ProgressCallback = (p) => {
      if (p.status === 'done') marks.filesDone = performance.now();
      const moved = download.update(p);
      if (moved) counts.downloadedBytes = moved.loaded;
      if (moved) options.onProgress?.(moved.fraction, `${megabytes(moved.loaded)}/${megabytes(moved.total)} MB`);
    };
    const [tokenizer, model] = await Promise.all([
      AutoTokenizer.from_pretrained(options.model, { progress_callback: progress }),
      AutoModel.from_pretrained(options.model, {
        dtype: DTYPE[options.dtype],
        device: options.device,
        progress_callback: progress,
      }),
    ]);
    const config = model.config as { hidden_size?: unknown; max_position_embeddings?: unknown };
    const { maxSeqLength } = decideMaxSeqLength({
      modelName: options.model,
      override: options.maxSeqLength,
      sentenceBertConfig: family.sentenceBertConfig,
      modelMaxLength: Number(tokenizer.model_max_length),
      maxPositionEmbeddings: typeof config.max_position_embeddings === 'number' ? config.max_position_embeddings : undefined,
    });
    const hidden = config.hidden_size;
    const { pooling, normalize, prompts, defaultPromptName, doLowerCase } = family;
    const embedderFamily = {
      pooling,
      normalize,
      prompts,
      ...(defaultPromptName !== undefined ? { defaultPromptName } : {}),
      doLowerCase,
    };
    const info: EmbedderInfo = {
      model: options.model,
      dtype: options.dtype,
      device: options.device,
      dimension: typeof hidden === 'number' ? hidden : 0,
      maxSeqLength,
      family: embedderFamily,
      modelKey: modelKey(options.model, options.dtype, maxSeqLength, embedderFamily),
    };
    const embedder = new TransformersEmbedder(info, tokenizer, model, options, threads);
    if (info.dimension === 0) {
      // No hidden_size in config.json: learn the dimension from one run.
      const [probe] = await embedder.embed(['dimension probe']);
      info.dimension = probe?.length ?? 0;
    }
    // Progress reports bytes only for files that really downloaded (a cache hit reports none).
    if (counts.downloadedFiles === 0) counts.downloadedBytes = 0;
    const { wasmStart, ...tally } = counts;
    embedder.timings = loadBreakdown(
      { ...marks, configDone: marks.configDone, wasmStart, ready: performance.now() },
      tally,
    );
    return embedder;
  }

  async countTokens(texts: readonly string[]): Promise<number[]> {
    return this.encoder.count(texts);
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    const run = this.queue.then(() => this.embedNow(texts));
    // Serialise: a failed call must not block the next one.
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** One flat n × dimension array, the form the worker transfers. */
  async embedFlat(texts: readonly string[]): Promise<Float32Array> {
    const vectors = await this.embed(texts);
    const dim = this.info.dimension;
    const flat = new Float32Array(vectors.length * dim);
    vectors.forEach((v, i) => flat.set(v, i * dim));
    return flat;
  }

  private async embedNow(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const encoded = this.encoder.encode(texts);
    const plan = planBatches(
      encoded.map((e) => e.ids.length),
      { maxBatchSize: this.options.maxBatchSize, maxBatchTokens: this.options.maxBatchTokens },
    );
    return runPlanned(encoded, plan, (rows) => this.runBatch(rows));
  }

  private async runBatch(rows: EncodedText[]): Promise<Float32Array[]> {
    const padded = padBatch(rows, this.encoder.padTokenId);
    const { batch, seqLength } = padded;
    const dims = [batch, seqLength];
    const feeds = Object.fromEntries(
      Object.entries(graphInputs(padded, this.inputNames)).map(([name, data]) => [name, new Tensor('int64', data, dims)]),
    );
    const output = (await this.model(feeds)) as { last_hidden_state?: Tensor };
    let hidden = output.last_hidden_state;
    if (!hidden) throw new Error('model output has no last_hidden_state');
    // fp16 models may return float16; pool in float32 like the server does.
    if (hidden.type !== 'float32') hidden = hidden.to('float32');
    const dim = hidden.dims[2] ?? 0;
    const pooled = poolTokens({ data: hidden.data as Float32Array, batch, seqLength, dim }, padded.attentionMask, this.info.family);
    hidden.dispose();
    return pooled;
  }

  async dispose(): Promise<void> {
    await this.queue;
    await this.model.dispose();
  }
}
