/**
 * The Redis store's write nudge: every write script PUBLISHes on one channel (named like the store's `log`
 * key), and each process subscribes once, on a connection of its own (a subscribed connection can do nothing
 * else). A nudge carries no data: listeners read the log themselves from their cursor, so a lost message only
 * delays them until their poll. After a dropped subscription comes back, listeners are nudged once, for the
 * writes missed meanwhile.
 */
import type { Redis } from 'ioredis';

/** One subscription shared by every listener of a store. */
export class LogWatch {
  private readonly listeners = new Set<() => void>();
  private readonly subscriber: Redis;
  private closed = false;

  /** `connection` is duplicated (same URL and settings); the duplicate is closed by `close()`. */
  constructor(
    connection: Redis,
    private readonly channel: string,
  ) {
    // No offline queue on the store's connection: (re)subscribe on each 'ready' ourselves.
    this.subscriber = connection.duplicate({ connectionName: 'nearfeed-store-watch', autoResubscribe: false });
    this.subscriber.on('error', () => undefined); // the index's poll covers an outage; the store reports it
    this.subscriber.on('message', () => this.nudge());
    this.subscriber.on('ready', () => {
      if (this.closed) return;
      this.subscriber.subscribe(this.channel).then(
        () => this.nudge(),
        () => undefined,
      );
    });
  }

  /** Calls `listener` after every write to the store; returns the unsubscribe. */
  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.subscriber.disconnect();
  }

  private nudge(): void {
    for (const listener of this.listeners) listener();
  }
}
