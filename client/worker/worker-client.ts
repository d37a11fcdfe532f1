/**
 * The page side of the embedding worker: an `Embedder` whose work runs in a dedicated module Worker.
 * Requests are matched to answers by id; a worker crash rejects everything still waiting.
 */
import type { Embedder, EmbedderInfo } from '../../shared/embedder';
import type { ModelLoadTimings } from './load-timings';
import { ortWasmPaths } from './ort-assets';
import type { WasmThreads } from './wasm-threads';
import type { InitRequest, ProgressListener, WorkerMessage, WorkerModelOptions, WorkerRequest } from './protocol';

/** The worker's model options; the batch limits default to 32 texts and 8192 padded tokens. */
export interface WorkerEmbedderOptions
  extends Omit<WorkerModelOptions, 'maxBatchSize' | 'maxBatchTokens' | 'ortFiles'>,
    Partial<Pick<WorkerModelOptions, 'maxBatchSize' | 'maxBatchTokens'>> {
  /** Model download progress, 0..0.99 while files load (the caller completes it when `start` resolves). */
  onProgress?: ProgressListener;
}

const DEFAULT_MAX_BATCH_SIZE = 32;
const DEFAULT_MAX_BATCH_TOKENS = 8192;

/** A request without its id (Omit does not distribute over a union). */
type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

interface Waiter {
  resolve: (message: WorkerMessage) => void;
  reject: (err: Error) => void;
}

export class WorkerEmbedder implements Embedder {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private infoValue: EmbedderInfo | null = null;
  private crashed: Error | null = null;
  /** Milliseconds the worker spent in its last session run(s) and in loading. */
  lastRunMs = 0;
  loadMs = 0;
  /** The worker's first session run after the load (ms), null until it ran: the "first inference" of a start. */
  firstRunMs: number | null = null;
  /** Where the load spent its time, measured in the worker. */
  timings: ModelLoadTimings | null = null;
  /** Threads ORT's WASM backend runs with in the worker, and why. */
  threads: WasmThreads = { threads: 1, reason: 'not loaded' };

  private constructor(
    private readonly worker: Worker,
    private readonly onProgress?: ProgressListener,
  ) {
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => this.receive(event.data);
    worker.onerror = (event: ErrorEvent) => this.fail(new Error(`embedding worker failed: ${event.message}`));
    // A reply that cannot be deserialised names no request: fail them all rather than leave one waiting forever.
    worker.onmessageerror = () => this.fail(new Error('embedding worker sent a message that could not be read'));
  }

  /** Starts a worker and loads the model in it; rejects when the model or ONNX Runtime cannot load. */
  static async start(options: WorkerEmbedderOptions): Promise<WorkerEmbedder> {
    const worker = new Worker(new URL('./embed-worker.ts', import.meta.url), { type: 'module', name: `nearfeed-${options.device}` });
    // The listener stays on this side: functions cannot cross postMessage.
    const { onProgress, ...model } = options;
    const client = new WorkerEmbedder(worker, onProgress);
    const init: Omit<InitRequest, 'id'> = {
      ...model,
      type: 'init',
      maxBatchSize: model.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      maxBatchTokens: model.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS,
      ortFiles: ortWasmPaths(import.meta.url),
    };
    try {
      const ready = await client.request(init);
      if (ready.type !== 'ready') throw new Error(`unexpected answer ${ready.type} to init`);
      client.infoValue = ready.info;
      client.loadMs = ready.loadMs;
      client.threads = ready.threads;
      client.timings = ready.timings;
      return client;
    } catch (err) {
      worker.terminate();
      throw err;
    }
  }

  get info(): EmbedderInfo {
    if (!this.infoValue) throw new Error('embedder not loaded');
    return this.infoValue;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const answer = await this.request({ type: 'embed', texts: [...texts] });
    if (answer.type !== 'vectors') throw new Error(`unexpected answer ${answer.type} to embed`);
    this.lastRunMs = answer.runMs;
    this.firstRunMs ??= answer.runMs;
    const { data, dimension } = answer;
    const out: Float32Array[] = [];
    // Views into the one transferred buffer: no copy per vector.
    for (let i = 0; i < texts.length; i++) out.push(data.subarray(i * dimension, (i + 1) * dimension));
    return out;
  }

  async dispose(): Promise<void> {
    if (!this.crashed) {
      try {
        await this.request({ type: 'dispose' });
      } catch {
        // Terminating below frees it either way.
      }
    }
    this.worker.terminate();
    this.fail(new Error('embedder disposed'));
  }

  private request(body: RequestBody): Promise<WorkerMessage> {
    if (this.crashed) return Promise.reject(this.crashed);
    const id = this.nextId++;
    return new Promise<WorkerMessage>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  private receive(message: WorkerMessage): void {
    if (message.type === 'progress') {
      this.onProgress?.(message.fraction, message.detail);
      return;
    }
    const waiter = this.waiting.get(message.id);
    if (!waiter) return;
    this.waiting.delete(message.id);
    if (message.type === 'error') waiter.reject(new Error(message.message));
    else waiter.resolve(message);
  }

  private fail(err: Error): void {
    this.crashed = err;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}
