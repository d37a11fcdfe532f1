/**
 * What the Redis embedding cache and the Redis profile store share about their connection: both must fail
 * fast on a down or stalled Redis instead of queueing, retrying or replaying commands, and both describe its
 * failures without its address.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { withoutAddresses } from '../redact';

export interface FailFastSettings {
  /** Client name shown by CLIENT LIST, e.g. `nearfeed-profile-store`. */
  connectionName: string;
  /** A command without a reply after this long rejects. */
  commandTimeoutMs: number;
  /** Give up one connection attempt after this long; reconnection goes on. */
  connectTimeoutMs: number;
  /** Longest pause between reconnection attempts. */
  maxReconnectDelayMs: number;
}

/**
 * ioredis options for a connection whose callers get an answer at once while Redis is down: no offline queue
 * (a command fails instead of waiting for the reconnect), no retry and no resend after a reconnect (a request
 * already answered must change nothing later), a timeout on every command, and capped exponential reconnects.
 */
export function failFastRedisOptions(settings: FailFastSettings): RedisOptions {
  const { maxReconnectDelayMs } = settings;
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: settings.connectTimeoutMs,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 16), maxReconnectDelayMs),
    connectionName: settings.connectionName,
  };
}

/** Words for the socket errors a Redis connection meets; the code stays for searching the docs. */
const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connect timed out',
  EPIPE: 'connection broken',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/**
 * What went wrong with Redis, for health reasons, error bodies and log lines: the socket error in words
 * (`connection refused (ECONNREFUSED)`) or the client's message, never the server's address, which Node and
 * ioredis put into their messages (`connect ECONNREFUSED 10.0.0.7:6379`) and which is internal.
 */
export function describeRedisError(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && SOCKET_ERRORS[code]) return `${SOCKET_ERRORS[code]} (${code})`;
  // ioredis' wording is about its options; say what happened to the command instead.
  if (err instanceof Error && err.name === 'MaxRetriesPerRequestError') return 'connection lost before the reply';
  if (err instanceof Error && err.message.startsWith("Stream isn't writeable")) return 'not connected';
  return withoutAddresses(err instanceof Error ? err.message : String(err));
}

/** Whether a command failed by ioredis' `commandTimeout` (sent, no reply in time), not by the connection. */
export function isCommandTimeout(err: unknown): boolean {
  return err instanceof Error && err.message === 'Command timed out';
}

/** How often a stalled connection is PINGed to find out that it answers again. */
const PROBE_INTERVAL_MS = 500;

/**
 * A Redis that stops answering (paused, swapping, network black hole) still looks 'ready' to ioredis, and
 * every command would wait out its timeout. After one timeout the owner calls `mark()`, treats the connection
 * as down while `stalled` is true, and a background PING ends the stall as soon as Redis answers in time.
 */
export class StallWatch {
  private probe: NodeJS.Timeout | undefined;
  private isStalled = false;

  /** `onRecovered` runs once when a stall ends (after `stalled` turned false). */
  constructor(
    private readonly client: Pick<Redis, 'status' | 'ping'>,
    private readonly onRecovered: () => void = () => undefined,
  ) {}

  /** Whether the connection is in a stall right now. */
  get stalled(): boolean {
    return this.isStalled;
  }

  /** Starts a stall (after a command timed out); true when one was not already running. */
  mark(): boolean {
    if (this.isStalled) return false;
    this.isStalled = true;
    this.probe = setInterval(() => {
      if (this.client.status !== 'ready') return;
      this.client.ping().then(
        () => {
          if (!this.isStalled) return;
          this.isStalled = false;
          this.stop();
          this.onRecovered();
        },
        () => undefined,
      );
    }, PROBE_INTERVAL_MS);
    this.probe.unref();
    return true;
  }

  /** Stops probing (on close, or once the stall is over). */
  stop(): void {
    if (this.probe) clearInterval(this.probe);
    this.probe = undefined;
  }
}
