/**
 * Every test runs offline: any attempt to reach a host other than this machine fails the test at once,
 * so a silent fetch of a hub model or a CDN file cannot hide behind a working fallback.
 */
import net from 'node:net';

const LOCAL = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function isLocal(host: string | undefined): boolean {
  return host === undefined || host === '' || LOCAL.has(host) || host.startsWith('127.');
}

const realFetch = globalThis.fetch;
globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!isLocal(url.hostname)) throw new Error(`test made a network request to ${url.href}`);
  return realFetch(input, init);
};

const realConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
  const first = args[0];
  const host =
    typeof first === 'object' && first !== null && 'host' in first
      ? String((first as { host?: string }).host ?? '')
      : typeof args[1] === 'string'
        ? args[1]
        : undefined;
  const isPipe = typeof first === 'object' && first !== null && 'path' in first;
  if (!isPipe && !isLocal(host)) throw new Error(`test opened a socket to ${host}`);
  return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
