/**
 * Two priorities in front of the model. Interactive work (a feed, an /ml call) and background work (the
 * write-time embedding queue) share one session, one run at a time; whenever the session is free the oldest
 * interactive run goes first, so a request never waits behind a bulk import, only behind the one background
 * batch that is already running. The background side submits one planned batch at a time, so that wait is
 * bounded by one token-budgeted batch.
 */

/** Which lane a model run waits in. */
export type Priority = 'interactive' | 'background';

interface Task {
  run(): Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Runs tasks one at a time, interactive ones before background ones (FIFO within a lane). */
export class PriorityLanes {
  private readonly lanes: Record<Priority, Task[]> = { interactive: [], background: [] };
  private running = false;

  /** Queues `task` in `lane`; resolves or rejects with its result. */
  run<T>(lane: Priority, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.lanes[lane].push({ run: task, resolve: resolve as (value: unknown) => void, reject });
      this.pump();
    });
  }

  /** Tasks waiting (not running) per lane. */
  waiting(): Record<Priority, number> {
    return { interactive: this.lanes.interactive.length, background: this.lanes.background.length };
  }

  private pump(): void {
    if (this.running) return;
    const next = this.lanes.interactive.shift() ?? this.lanes.background.shift();
    if (!next) return;
    this.running = true;
    let result: Promise<unknown>;
    try {
      result = next.run();
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(next.resolve, next.reject).finally(() => {
      this.running = false;
      this.pump();
    });
  }
}
