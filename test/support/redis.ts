/**
 * Helpers for tests that need a real Redis.
 *
 * - The shared server is `TEST_REDIS_URL` (REDIS_URL or redis://127.0.0.1:6379). Several engineers' suites
 *   use it at once: never FLUSHDB or SHUTDOWN it; give every test run its own `uniqueKeyPrefix()` and remove
 *   those keys afterwards with `deleteKeysWithPrefix()`.
 * - To stop and restart Redis mid-test, use `startThrowawayRedis()`: a private redis-server child on a free
 *   port that nothing else knows about; `startPersistentRedis()` for one that keeps acknowledged writes across
 *   a SIGKILL and can be paused (SIGSTOP).
 * - `recordCommands()` watches the shared server with MONITOR to count what a piece of code really sends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import os from 'node:os';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** `test:{label}:{pid}:{random}:`: keys of one test run, unique across processes and runs. */
export function uniqueKeyPrefix(label: string): string {
  return `test:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** A plain client for the test's own checks; resolves once it is ready. Close it with `quit()`. */
export async function connectTestRedis(url = TEST_REDIS_URL): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined); // the test sees failures through its commands
  await client.connect();
  return client;
}

/** Deletes every key starting with `prefix` (SCAN, never KEYS or FLUSHDB: others share the server). */
export async function deleteKeysWithPrefix(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** One command as MONITOR saw it. `source` is the client's address, or 'lua' for calls inside a script. */
export interface SeenCommand {
  name: string;
  args: string[];
  source: string;
}

/**
 * Runs `action` while MONITOR watches the server and returns the commands that mention `prefix` in a key or
 * argument, in order. Commands executed inside Lua scripts come back with `source: 'lua'`; a client's round
 * trips are the others. Waits for a marker command so every command of the action has been seen.
 */
export async function recordCommands(
  prefix: string,
  action: () => Promise<unknown>,
  url = TEST_REDIS_URL,
): Promise<SeenCommand[]> {
  const client = await connectTestRedis(url);
  const monitor = await client.monitor();
  monitor.on('error', () => undefined);
  const seen: SeenCommand[] = [];
  const marker = `${prefix}__end_of_recording__${randomBytes(4).toString('hex')}`;
  let markerSeen: () => void = () => undefined;
  const markerPromise = new Promise<void>((resolve) => (markerSeen = resolve));
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args.includes(marker)) markerSeen();
    else if (args.some((a) => a.startsWith(prefix))) {
      seen.push({ name: (args[0] ?? '').toLowerCase(), args: args.slice(1), source });
    }
  });
  try {
    await action();
    await client.echo(marker);
    await withTimeout(markerPromise, 5000, 'MONITOR did not see the end marker');
  } finally {
    monitor.disconnect();
    await client.quit();
  }
  return seen;
}

/** A private redis-server child process on a free port, for stopping Redis mid-test. */
export interface ThrowawayRedis {
  port: number;
  url: string;
  /** Kills the server (SIGKILL: an abrupt outage) and waits for it to be gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: it keeps nothing on disk). */
  start(): Promise<void>;
}

/** Starts a throwaway redis-server (or only reserves its port with `{ started: false }`). Stop it in afterAll. */
export async function startThrowawayRedis(options: { started?: boolean } = {}): Promise<ThrowawayRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const server: ThrowawayRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child) return;
      const proc = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no',
          '--dir', os.tmpdir()],
        { stdio: 'ignore' },
      );
      child = proc;
      proc.once('exit', () => {
        if (child === proc) child = undefined;
      });
      await waitForPong(port, 5000);
    },
    async stop() {
      const proc = child;
      if (!proc) return;
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGKILL');
      await gone;
    },
  };
  if (options.started !== false) await server.start();
  return server;
}

/** A redis-server child that keeps its data across SIGKILL (AOF, fsync always) and can be paused. */
export interface PersistentRedis {
  url: string;
  /** The port as text, to look for in what must not carry the address. */
  port: string;
  start(): Promise<void>;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that holds its connections but answers nothing. */
  pause(): void;
  resume(): void;
  cleanup(): Promise<void>;
}

/**
 * Starts a throwaway redis-server on a free port that keeps what it acknowledged across SIGKILL: an append-only
 * file in a temp dir, fsynced before every reply. `cleanup()` in afterAll kills it and removes the dir.
 */
export async function startPersistentRedis(): Promise<PersistentRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nearfeed-redis-aof-'));
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const redis: PersistentRedis = {
    url,
    port: String(port),
    async start() {
      if (child) return;
      const proc = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always',
          '--dir', dir, '--daemonize', 'no'],
        { stdio: 'ignore' },
      );
      child = proc;
      proc.once('exit', () => {
        if (child === proc) child = undefined;
      });
      const deadline = Date.now() + 5000;
      for (;;) {
        try {
          const probe = await connectTestRedis(url);
          await probe.ping();
          await probe.quit();
          return;
        } catch {
          if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
          await sleep(50);
        }
      }
    },
    async kill() {
      const proc = child;
      if (!proc) return;
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGCONT'); // a paused process must run to die cleanly
      proc.kill('SIGKILL');
      await gone;
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async cleanup() {
      await redis.kill();
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.setTimeout(500);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` until it holds; throws with `what` after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Rejects with `message` if `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
