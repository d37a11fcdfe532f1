/**
 * The server's embedding engine: sentence-transformers-faithful embeddings (truncation at max_seq_length,
 * the model's own pooling and normalisation, see model-family.ts) on onnxruntime-node through transformers.js, with length-sorted,
 * token-budgeted batching and one queue per session.
 */
import path from 'node:path';
import type { PreTrainedModel } from '@huggingface/transformers';
import {
  modelKey,
  type Embedder,
  type EmbedderFamily,
  type EmbedderInfo,
  type EmbeddingDtype,
} from '../../shared/embedder';
import { planBatches, runPlanned, type BatchLimits, type LengthOrder } from '../../shared/embedding/batch-plan';
import { decideMaxSeqLength } from '../../shared/embedding/seq-length';
import { TokenEncoder, type EncodedText } from '../../shared/embedding/token-encoder';
import { deviceFallbackNote, isDegradation, type DeviceFallback, type RequestedDevice } from './device';
import { embedBatch, type RunSpec } from './inference';
import { loadModel, sessionInputNames, type HubOptions, type LoadedModel } from './model-loader';
import {
  errorSummary,
  resolveModelSource,
  validateModelFolder,
  type ModelSource,
} from './model-source';
import { SerialQueue } from './run-queue';

export { ModelSourceError } from './model-source';
import { UnsupportedModelError } from '../../shared/embedding/model-family';

export { UnsupportedModelError };
export type { HubOptions } from './model-loader';

/** Options of {@link createNodeEmbedder}. */
export interface NodeEmbedderOptions {
  /** Hub id (e.g. `Xenova/all-MiniLM-L6-v2`) or a local folder in the Hugging Face layout. */
  model: string;
  dtype: EmbeddingDtype;
  /** 'auto' tries CUDA then the CPU; a named device falls back to the CPU with a note. */
  device: RequestedDevice;
  /** MAX_SEQ_LENGTH: overrides the model's max_seq_length. */
  maxSeqLength?: number;
  /** The bundled model folder, used (and reported) when a hub model cannot be loaded. */
  fallbackModelDir?: string;
  /** Hub endpoint (e.g. a mirror, HF_ENDPOINT) and download cache folder, for hub ids. */
  hub?: HubOptions;
  /** Most texts in one model run (default 32). */
  maxBatchSize?: number;
  /** Most padded tokens (rows × longest row) in one model run (default 8192). */
  maxBatchTokens?: number;
  /** Order of texts within the batch plan (default longest-first, as sentence-transformers). */
  lengthOrder?: LengthOrder;
  /** Where warnings and progress go (default console.warn). */
  logger?: (message: string) => void;
}

/** The configured hub model could not be loaded and the bundled one runs instead. */
export interface ModelFallback {
  requested: string;
  used: string;
  reason: string;
}

/** A loaded embedder and every way it differs from what was asked. */
export interface NodeEmbedderLoad {
  embedder: NodeEmbedder;
  /** Human-readable degradations, for health's `reasons` (empty when everything is as configured). */
  notes: string[];
  /** The same degradations, structured. */
  fallbacks: { model?: ModelFallback; device?: DeviceFallback };
}

export const DEFAULT_MAX_BATCH_SIZE = 32;
export const DEFAULT_MAX_BATCH_TOKENS = 8192;

/**
 * Loads the model once and returns an {@link Embedder} on it. Rejects with a `ModelSourceError` (its message
 * says how to fix it) when a local folder is incomplete, and with the load error when the model cannot run.
 * A hub model that cannot be loaded (no network, unknown id) is replaced by `fallbackModelDir` when given;
 * a device that does not work is replaced by the CPU; both are reported in `notes` and `fallbacks`.
 */
export async function createNodeEmbedder(options: NodeEmbedderOptions): Promise<NodeEmbedderLoad> {
  const log = options.logger ?? ((message: string) => console.warn(message));
  assertOptions(options);
  const source = resolveModelSource(options.model);
  const notes: string[] = [];
  const fallbacks: NodeEmbedderLoad['fallbacks'] = {};

  let loaded: LoadedModel & { probeDimension: number };
  let used: ModelSource = source;
  if (source.kind === 'local') {
    validateModelFolder(source.dir, options.dtype);
    loaded = await loadWithProbe(source, options, log);
  } else {
    try {
      loaded = await loadWithProbe(source, options, log);
    } catch (error) {
      // A model nearfeed cannot run faithfully is a configuration error, not an outage: no stand-in for it.
      if (options.fallbackModelDir === undefined || error instanceof UnsupportedModelError) throw error;
      used = resolveModelSource(path.resolve(options.fallbackModelDir));
      if (used.kind !== 'local') throw error;
      validateModelFolder(used.dir, options.dtype);
      const reason = errorSummary(error);
      fallbacks.model = { requested: source.id, used: used.name, reason };
      const note =
        `using the bundled model "${used.name}" instead of the configured "${source.id}": ` +
        `it could not be loaded from the Hugging Face hub (${reason})`;
      notes.push(note);
      log(`nearfeed: ${note}`);
      loaded = await loadWithProbe(used, options, log);
    }
  }

  if (loaded.deviceFallback && isDegradation(options.device, loaded.device)) {
    fallbacks.device = loaded.deviceFallback;
    const note = deviceFallbackNote(loaded.deviceFallback);
    notes.push(note);
    log(`nearfeed: ${note}`);
  }

  const modelName = used.kind === 'hub' ? used.id : used.name;
  try {
    const embedder = finishLoad(loaded, modelName, options, notes, log);
    return { embedder, notes, fallbacks };
  } catch (error) {
    await loaded.model.dispose().catch(() => undefined);
    throw error;
  }
}

/** Decides truncation and dimension on a loaded model and wraps it in a {@link NodeEmbedder}. */
function finishLoad(
  loaded: LoadedModel & { probeDimension: number },
  modelName: string,
  options: NodeEmbedderOptions,
  notes: string[],
  log: (message: string) => void,
): NodeEmbedder {
  const positions = numberField(loaded.config, 'max_position_embeddings');
  const decision = decideMaxSeqLength({
    modelName,
    ...(options.maxSeqLength !== undefined ? { override: options.maxSeqLength } : {}),
    ...(loaded.family.sentenceBertConfig ? { sentenceBertConfig: loaded.family.sentenceBertConfig } : {}),
    ...(Number.isFinite(loaded.tokenizer.model_max_length)
      ? { modelMaxLength: loaded.tokenizer.model_max_length as number }
      : {}),
    ...(positions !== undefined ? { maxPositionEmbeddings: positions } : {}),
  });
  if (decision.clampedFrom !== undefined) {
    const note =
      `max_seq_length ${decision.clampedFrom} (${decision.source}) exceeds the model's ` +
      `${decision.maxSeqLength} positions; truncating at ${decision.maxSeqLength}`;
    notes.push(note);
    log(`nearfeed: ${note}`);
  }

  const { pooling, normalize, prompts, defaultPromptName, doLowerCase } = loaded.family;
  const family: EmbedderFamily = {
    pooling,
    normalize,
    prompts,
    ...(defaultPromptName !== undefined ? { defaultPromptName } : {}),
    doLowerCase,
  };
  log(
    `nearfeed: ${modelName}: ${pooling} pooling${normalize ? ', normalised' : ''} (${loaded.family.source})` +
      `${Object.keys(prompts).length > 0 ? `, prompts ${Object.keys(prompts).join(', ')}` : ''}` +
      `, truncating at ${decision.maxSeqLength} tokens (${decision.source})`,
  );
  const encoder = new TokenEncoder(loaded.tokenizer, decision.maxSeqLength, doLowerCase);
  const dimension = loaded.probeDimension || (numberField(loaded.config, 'hidden_size') ?? 0);
  const info: EmbedderInfo = {
    model: modelName,
    dtype: options.dtype,
    device: loaded.device,
    dimension,
    maxSeqLength: decision.maxSeqLength,
    family,
    modelKey: modelKey(modelName, options.dtype, decision.maxSeqLength, family),
  };
  const run: RunSpec = { padTokenId: encoder.padTokenId, inputNames: loaded.inputNames, pooling: { pooling, normalize } };
  const limits: BatchLimits = {
    maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    maxBatchTokens: options.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS,
  };
  return new NodeEmbedder(info, loaded.model, encoder, run, limits, options.lengthOrder ?? 'longest-first');
}

/** Rejects bad numeric options before anything is loaded. */
function assertOptions(options: NodeEmbedderOptions): void {
  for (const key of ['maxSeqLength', 'maxBatchSize', 'maxBatchTokens'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new RangeError(`${key} must be a positive integer, got ${String(value)}`);
    }
  }
}

/**
 * Loads and proves the session can run (a failing first run on a GPU moves on to the CPU). The probe's output
 * on the device that is kept gives the real dimension, so no second run is needed for it.
 */
async function loadWithProbe(
  source: ModelSource,
  options: NodeEmbedderOptions,
  log: (m: string) => void,
): Promise<LoadedModel & { probeDimension: number }> {
  let probeDimension = 0;
  const loaded = await loadModel({
    source,
    ...(options.hub ? { hub: options.hub } : {}),
    dtype: options.dtype,
    device: options.device,
    log,
    probe: async (model, tokenizer, family) => {
      const [vector] = await embedBatch(model, new TokenEncoder(tokenizer, 8).encode(['nearfeed']), {
        padTokenId: tokenizer.pad_token_id ?? 0,
        inputNames: sessionInputNames(model),
        pooling: family,
      });
      probeDimension = vector?.length ?? 0;
    },
  });
  return { ...loaded, probeDimension };
}

function numberField(object: Record<string, unknown>, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** An {@link Embedder} on one onnxruntime-node session. Create it with {@link createNodeEmbedder}. */
export class NodeEmbedder implements Embedder {
  private readonly queue = new SerialQueue();
  private disposed = false;

  constructor(
    readonly info: EmbedderInfo,
    private readonly model: PreTrainedModel,
    private readonly encoder: TokenEncoder,
    private readonly run: RunSpec,
    readonly limits: Readonly<BatchLimits>,
    readonly lengthOrder: LengthOrder,
  ) {}

  /**
   * One vector per text (pooled and normalised as the model's configuration says), in the caller's order. Texts longer than `info.maxSeqLength` tokens
   * are truncated; the empty string is a valid text. Calls wait for earlier calls on this session.
   */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.assertOpen();
    assertTexts(texts);
    if (texts.length === 0) return [];
    const encoded = this.encoder.encode(texts);
    return this.queue.run(() => this.embedPlanned(encoded));
  }

  /**
   * Token counts after truncation (special tokens included), as `embed` would feed them to the model; with
   * `truncate: false` the counts before truncation, to tell which texts are longer than `info.maxSeqLength`.
   */
  async countTokens(texts: readonly string[], options: { truncate?: boolean } = {}): Promise<number[]> {
    this.assertOpen();
    assertTexts(texts);
    return this.encoder.count(texts, options);
  }

  /** Token ids after truncation, special tokens included: exactly what `embed` feeds the model. */
  tokenIds(texts: readonly string[]): number[][] {
    this.assertOpen();
    assertTexts(texts);
    return this.encoder.encode(texts).map((encoded) => encoded.ids);
  }

  /** Runs waiting or queued. */
  get queued(): number {
    return this.queue.size;
  }

  /** Waits for queued runs, then releases the session. Later calls reject. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.idle();
    await this.model.dispose();
  }

  private async embedPlanned(encoded: readonly EncodedText[]): Promise<Float32Array[]> {
    const plan = planBatches(
      encoded.map((row) => row.ids.length),
      this.limits,
      this.lengthOrder,
    );
    return runPlanned(encoded, plan, (rows) => embedBatch(this.model, rows, this.run));
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error('the embedder has been disposed');
  }
}

function assertTexts(texts: readonly string[]): void {
  if (!Array.isArray(texts)) throw new TypeError('texts must be an array of strings');
  texts.forEach((text, i) => {
    if (typeof text !== 'string') throw new TypeError(`texts[${i}] must be a string, got ${typeof text}`);
  });
}
