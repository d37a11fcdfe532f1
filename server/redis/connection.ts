/**
 * What the Redis embedding cache and the Redis profile store share about their connection: both must fail
 * fast on a down or stalled Redis instead of queueing, retrying or replaying commands, and both name the
 * server in log lines without its password.
 */
import type { RedisOptions } from 'ioredis';

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

/** The URL without its password (and without a trailing slash), for log lines and error messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'the configured URL';
  }
}
