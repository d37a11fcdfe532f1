/**
 * The real app behind a real Node HTTP server on a free loopback port, for tests that need sockets: keep-alive,
 * timeouts, client addresses, aborted uploads. Memory store, memory cache and ML switched off unless given.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app';
import type { AppDeps, ServerConfig, ServerDeps } from '../../server/deps';
import { createRanking } from '../../server/ranking/create-ranking';
import { serveApp, type RunningServer } from '../../server/http/node-server';
import { demoProfiles } from '../../server/data/demo-profiles';
import { MemoryProfileStore } from '../../server/store/memory-store';
import { disabledMl, testCache, testConfig } from './candidate-app';

export interface TestServer {
  url: string;
  port: number;
  deps: ServerDeps;
  close(): Promise<void>;
}

/** Starts createApp(deps) on 127.0.0.1:0 with the server's own transport settings (timeouts from `config`). */
export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  depsOverrides: Partial<AppDeps> = {},
): Promise<TestServer> {
  const config = testConfig({ port: 0, ...overrides });
  const store = depsOverrides.store ?? new MemoryProfileStore({ seed: demoProfiles(10) });
  const cache = depsOverrides.cache ?? testCache();
  const parts = { config, store, cache, ml: disabledMl(store, cache, config), ...depsOverrides };
  const deps: ServerDeps = { ...parts, ranking: parts.ranking ?? createRanking(parts) };
  const running: RunningServer = await serveApp(createApp(deps), { ...config, hostname: '127.0.0.1' });
  const port = (running.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    deps,
    close: () => running.close(),
  };
}

/** A raw TCP connection that collects everything the server sends and notes when the server closes it. */
export interface RawSocket {
  socket: net.Socket;
  /** Everything received so far, as latin1 text. */
  received(): string;
  /** Resolves when the server ends or resets the connection; the time in ms since the socket opened. */
  closed: Promise<number>;
  /** Resolves once `received()` contains `count` complete HTTP responses (by status line). */
  responses(count: number, timeoutMs?: number): Promise<string[]>;
}

export async function openRawSocket(port: number): Promise<RawSocket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const opened = Date.now();
  let data = '';
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    data += chunk.toString('latin1');
    for (const w of waiters.splice(0)) w();
  });
  socket.on('error', () => undefined); // a reset is one way of being closed
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
  void closed.then(() => {
    for (const w of waiters.splice(0)) w();
  });
  const statusLines = () => data.split(/(?=HTTP\/1\.1 \d{3} )/).filter((part) => part.startsWith('HTTP/1.1 '));
  return {
    socket,
    received: () => data,
    closed,
    async responses(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (statusLines().length < count) {
        if (socket.destroyed || Date.now() > deadline) break;
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return statusLines();
    },
  };
}
