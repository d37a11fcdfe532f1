/**
 * The real nearfeed server (`server/main.ts`, what `npm start` runs after its prestart) as a child process for
 * benchmarks: in-memory store and cache, a given model folder, CPU, on a free loopback port. It runs in its own
 * process group, so stopping it also ends tsx's node child and leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

export interface ServerProcess {
  /** e.g. `http://127.0.0.1:41234` */
  readonly baseUrl: string;
  /** Last lines the server printed (for error messages). */
  log(): string;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole process group at once (a crash: no shutdown code runs); resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT to the whole process group: freezes it where it is (e.g. to inspect its work before a kill). */
  pause(): void;
  resume(): void;
}

export interface StartServerOptions {
  /** Model folder (e.g. models/generated/nearfeed-minilm-shaped). */
  model: string;
  /** Extra env, applied last. */
  env?: Record<string, string>;
  /** How long to wait for /api/v1/ml/health to answer. */
  timeoutMs?: number;
  /** 'ready' (default): until health answers 200; 'listening': until it answers at all (e.g. 503 loading). */
  waitFor?: 'ready' | 'listening';
}

/** A port nothing listens on right now (asked from the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Starts `tsx server/main.ts` (not `npm start`: its prestart would rebuild the demo while someone else may be
 * editing the client) and waits until the ML health endpoint answers 200 with the model loaded (or, with
 * `waitFor: 'listening'`, until it answers at all).
 */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // In-memory defaults, as the e2e suite runs it: no Redis, no shared store (unless `env` sets them).
  delete env.REDIS_URL;
  delete env.PROFILE_STORE;
  Object.assign(env, { ML_DEVICE: 'cpu', ...options.env, PORT: String(port), EMBEDDING_MODEL: options.model });

  const tsx = path.resolve('node_modules', '.bin', 'tsx');
  const child = spawn(tsx, ['server/main.ts'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const server: ServerProcess = {
    baseUrl,
    log: () => lines.join('\n'),
    async stop(graceMs = 10_000) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
      // tsx's node child is in the same group; make sure it is gone too.
      killGroup(child, 'SIGKILL');
    },
    async kill() {
      killGroup(child, 'SIGKILL');
      await exited(child);
    },
    pause: () => killGroup(child, 'SIGSTOP'),
    resume: () => killGroup(child, 'SIGCONT'),
  };

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${server.log()}`);
    try {
      const res = await fetch(`${baseUrl}/api/v1/ml/health`);
      if (res.status === 200 || options.waitFor === 'listening') return server;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await server.stop();
  throw new Error(`server did not become healthy within ${options.timeoutMs ?? 120_000} ms:\n${server.log()}`);
}
