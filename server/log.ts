/**
 * The server's structured log: one JSON object per line (pino), so a log pipeline can filter by level, request
 * id or route without parsing prose. What never goes into a line: a profile's text, an API key or an
 * Authorization header, an internal address (Redis URL, host:port). Log what happened and to which request id.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** LOG_LEVEL values, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A logger at `level` writing to `destination` (default stdout). Headers are never logged by this server,
 * but any object that carries one has its Authorization and cookies replaced, as a second line of defence.
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'nearfeed' },
    redact: {
      paths: ['authorization', 'headers.authorization', 'req.headers.authorization', 'headers.cookie', 'key', 'apiKey'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The process's logger until `main` configures one (tests get a quiet one unless they pass their own). */
export const defaultLogger: Logger = createLogger(process.env.VITEST ? 'silent' : 'info');
