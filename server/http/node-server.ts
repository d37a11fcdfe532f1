/**
 * The Node HTTP server under the app, with every socket bounded in time: a client that sends its headers or
 * body a byte at a time (slowloris), or opens a connection and sends nothing, is cut off instead of holding a
 * socket for ever.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

/** How long a socket may take for each phase (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS). */
export interface TransportTimeouts {
  /** Until the request's headers are complete; Node answers 408 and closes after it. */
  headersTimeoutMs: number;
  /** Until the whole request (headers and body) is received. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long without a new request. */
  keepAliveTimeoutMs: number;
}

export interface ServeOptions extends TransportTimeouts {
  port: number;
  /** Interface to bind (default: all). */
  hostname?: string;
}

export interface RunningServer {
  server: Server;
  /** Stops accepting, lets in-flight requests finish, closes idle sockets; resolves when all are gone. */
  close(): Promise<void>;
}

/** Serves `app` and resolves once it listens. */
export async function serveApp(app: Hono, options: ServeOptions): Promise<RunningServer> {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = options;
  let listening: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const server = serve(
    {
      fetch: app.fetch,
      port: options.port,
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      serverOptions: {
        headersTimeout: headersTimeoutMs,
        requestTimeout: requestTimeoutMs,
        keepAliveTimeout: keepAliveTimeoutMs,
        // Node checks the two timeouts above on this interval (default 30 s): check often enough that they hold.
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 2))),
      },
    },
    () => listening(),
  ) as Server;
  // A connection that sends nothing at all is not "receiving headers" yet in Node's eyes: the socket idle timeout
  // covers it (and any socket that stalls for longer than a whole request may take).
  server.setTimeout(requestTimeoutMs, (socket) => socket.destroy());
  await ready;
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
