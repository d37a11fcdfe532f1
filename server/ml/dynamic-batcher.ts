/**
 * Dynamic batching, the way TEI and Infinity do it: requests that arrive close together are coalesced into
 * one model call. The first request into an idle batcher waits at most `windowMs` for company (or until
 * `maxBatchSize` items are waiting); while a model call runs, new requests queue up and go together as soon as
 * it ends. The queue is bounded: past `maxQueueSize` waiting items, `submit` rejects with QueueFullError at
 * once instead of letting latency grow without limit.
 */

/** Thrown by `submit` when the queue cannot take the items; the HTTP layer answers 429 overloaded. */
export class QueueFullError extends Error {
  constructor(
    readonly queued: number,
    readonly maxQueueSize: number,
  ) {
    super(`inference queue is full: ${queued} texts waiting, max_queue_size ${maxQueueSize}`);
    this.name = 'QueueFullError';
  }
}

export interface DynamicBatcherOptions<I, O> {
  /** Runs one coalesced batch; must return one output per input, in order. Never called concurrently. */
  run(items: I[]): Promise<O[]>;
  /** Most items per `run` call; one submission larger than this still runs whole, alone. */
  maxBatchSize: number;
  /** How long the first item into an idle batcher waits for others, in ms. */
  windowMs: number;
  /** Most items waiting (not yet running) before `submit` rejects. */
  maxQueueSize: number;
}

/** Counters for tests, health and benchmarks. */
export interface BatcherStats {
  /** `run` calls made so far. */
  runs: number;
  /** Items sent through `run` so far. */
  items: number;
  /** Submissions rejected because the queue was full. */
  rejected: number;
  /** Items waiting right now. */
  queued: number;
}

interface Group<I, O> {
  items: readonly I[];
  resolve(out: O[]): void;
  reject(err: unknown): void;
}

/** Coalesces concurrent `submit` calls into `run` calls, one at a time (see the module comment). */
export class DynamicBatcher<I, O> {
  private readonly waiting: Group<I, O>[] = [];
  private queued = 0;
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly counters = { runs: 0, items: 0, rejected: 0 };

  constructor(private readonly options: DynamicBatcherOptions<I, O>) {
    if (!(options.maxBatchSize >= 1)) throw new RangeError('maxBatchSize must be >= 1');
    if (!(options.maxQueueSize >= 1)) throw new RangeError('maxQueueSize must be >= 1');
    if (!(options.windowMs >= 0)) throw new RangeError('windowMs must be >= 0');
  }

  /** Queues `items` for the next batch; resolves with their outputs in order. */
  submit(items: readonly I[]): Promise<O[]> {
    if (this.closed) return Promise.reject(new Error('batcher is closed'));
    if (items.length === 0) return Promise.resolve([]);
    // An oversized submission into an empty queue is let through: refusing it could never succeed on retry.
    if (this.queued > 0 && this.queued + items.length > this.options.maxQueueSize) {
      this.counters.rejected++;
      return Promise.reject(new QueueFullError(this.queued, this.options.maxQueueSize));
    }
    return new Promise<O[]>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      this.queued += items.length;
      this.schedule();
    });
  }

  stats(): BatcherStats {
    return { ...this.counters, queued: this.queued };
  }

  /** Rejects everything still waiting; later submissions fail. A running batch finishes. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const err = new Error('batcher is closed');
    for (const g of this.waiting.splice(0)) g.reject(err);
    this.queued = 0;
  }

  private schedule(): void {
    // While a batch runs, the queue fills; the end of the run flushes it.
    if (this.running) return;
    if (this.queued >= this.options.maxBatchSize) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.options.windowMs);
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.waiting.length === 0) return;

    const groups: Group<I, O>[] = [];
    let size = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (groups.length > 0 && size + next.items.length > this.options.maxBatchSize) break;
      this.waiting.shift();
      groups.push(next);
      size += next.items.length;
    }
    this.queued -= size;
    const items = groups.flatMap((g) => g.items);

    this.running = true;
    this.counters.runs++;
    this.counters.items += items.length;
    this.options
      .run(items)
      .then((outputs) => {
        if (outputs.length !== items.length) {
          throw new Error(`batch run returned ${outputs.length} outputs for ${items.length} inputs`);
        }
        let offset = 0;
        for (const g of groups) {
          g.resolve(outputs.slice(offset, offset + g.items.length));
          offset += g.items.length;
        }
      })
      .catch((err: unknown) => {
        for (const g of groups) g.reject(err);
      })
      .finally(() => {
        this.running = false;
        // Whatever arrived during the run has waited long enough: send it now.
        if (this.waiting.length > 0) this.flush();
      });
  }
}
