/**
 * A strictly serial task queue. ONNX Runtime sessions are not meant to run two inferences at once (and on
 * two cores it only makes both slower), so every run on one session goes through one of these.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Runs `task` after every task queued before it has settled; its result or error is passed through. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const result = this.tail.then(task, task);
    // The chain continues whether this task succeeds or fails, so one failure never blocks later callers.
    this.tail = result.then(
      () => this.settle(),
      () => this.settle(),
    );
    return result;
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.pending;
  }

  /** Resolves once everything queued so far has settled. */
  async idle(): Promise<void> {
    await this.tail;
  }

  private settle(): void {
    this.pending -= 1;
  }
}
