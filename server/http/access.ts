/**
 * Who may do what: the one place that sorts every request into a route class and checks its API key.
 *
 * - `write`: anything that changes stored data: every PUT, PATCH and DELETE, and any POST under
 *   /api/v1/profiles (single and bulk writes). Needs a write key; without API_KEYS, only loopback clients.
 * - `read`: every other request to the API or a compatibility route (/sync, /feed, /ml/*, /v1/*, /embed, ...).
 *   Public unless REQUIRE_READ_KEY=true; then a read or write key.
 * - `public`: health probes and the demo's static files (GET/HEAD outside the API prefixes). Never a key.
 *
 * New routes are covered by default: a new POST under /api/v1/profiles is a write, anything else under an
 * API prefix a read. Keys are compared in constant time and never logged: a client is known by a fingerprint.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { ApiFailure } from './errors';

export type RouteClass = 'public' | 'read' | 'write';
export type KeyRole = 'read' | 'write';

/** One entry of API_KEYS. */
export interface ApiKey {
  role: KeyRole;
  key: string;
}

/** Paths that are API (a key may be needed, limits apply); GET/HEAD elsewhere are the demo's files. */
const API_PREFIXES = ['/api', '/v1', '/embed', '/rerank', '/info', '/metrics'];
/** Health probes stay open to load balancers whatever the key settings. */
const PUBLIC_PATHS = new Set(['/api/v1/ml/health', '/health']);
/** POSTs here change stored data. */
const WRITE_POST_PREFIX = '/api/v1/profiles';

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The class of a request, by method and path alone. */
export function routeClass(method: string, path: string): RouteClass {
  const m = method.toUpperCase();
  if (m === 'PUT' || m === 'PATCH' || m === 'DELETE') return 'write';
  if (m === 'POST' && under(path, WRITE_POST_PREFIX)) return 'write';
  if ((m === 'GET' || m === 'HEAD') && (PUBLIC_PATHS.has(path) || !API_PREFIXES.some((p) => under(path, p)))) {
    return 'public';
  }
  return 'read';
}

/** Who sent a request, as the rate limiter and the access check see it. */
export interface Client {
  /** `key:<fingerprint>`, `addr:<address>`, or `in-process` (app.request from this process, no socket). */
  id: string;
  /** The role of the key it presented, if any. */
  role?: KeyRole;
  /** A loopback client: 127.0.0.0/8 or ::1, not forwarded by a proxy; an in-process call counts as one. */
  loopback: boolean;
}

export interface AccessOptions {
  /** API_KEYS; empty: writes only from loopback. */
  keys: readonly ApiKey[];
  /** REQUIRE_READ_KEY: reads need a key too. */
  requireReadKey: boolean;
  /** TRUST_PROXY: the client address is the last hop of X-Forwarded-For (set by the proxy in front). */
  trustProxy: boolean;
}

/** Hono variables this module sets. */
export interface AccessVariables {
  client: Client;
  routeClass: RouteClass;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A short, stable, non-reversible name for a key (rate-limit buckets, logs). */
export function keyFingerprint(key: string): string {
  return digest(key).toString('hex').slice(0, 16);
}

/** The role of `presented`, comparing it against every key in constant time (no early exit). */
function findRole(keys: readonly { role: KeyRole; hash: Buffer }[], presented: string): KeyRole | undefined {
  const hash = digest(presented);
  let role: KeyRole | undefined;
  for (const k of keys) {
    if (timingSafeEqual(k.hash, hash) && role !== 'write') role = k.role;
  }
  return role;
}

function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/** The socket's peer address, or undefined for an in-process request. */
function socketAddress(c: Context): string | undefined {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  if (!incoming) return undefined;
  return incoming.socket?.remoteAddress ?? 'unknown';
}

/** The client's address and whether it is loopback, honouring TRUST_PROXY. */
export function clientAddress(c: Context, trustProxy: boolean): { address: string | undefined; loopback: boolean } {
  const peer = socketAddress(c);
  if (peer === undefined) return { address: undefined, loopback: true };
  const forwarded = c.req.header('x-forwarded-for');
  if (trustProxy && forwarded) {
    const hops = forwarded.split(',').map((h) => h.trim()).filter(Boolean);
    const last = hops[hops.length - 1] ?? peer;
    return { address: last, loopback: isLoopbackAddress(last) };
  }
  // A request relayed by a proxy on this host is not a local client, whatever the socket says.
  const relayed = forwarded !== undefined || c.req.header('forwarded') !== undefined;
  return { address: peer, loopback: !relayed && isLoopbackAddress(peer) };
}

function unauthorized(message: string): ApiFailure {
  return new ApiFailure('unauthorized', message, null, { 'www-authenticate': 'Bearer realm="nearfeed"' });
}

/** The access check: sets `client` and `routeClass`, answers 401/403 where the class needs more. */
export function accessControl(options: AccessOptions): MiddlewareHandler<{ Variables: AccessVariables }> {
  const keys = options.keys.map((k) => ({ role: k.role, hash: digest(k.key) }));
  const haveKeys = keys.length > 0;
  return async (c, next) => {
    const cls = routeClass(c.req.method, c.req.path);
    const { address, loopback } = clientAddress(c, options.trustProxy);
    c.set('routeClass', cls);
    if (cls === 'public') {
      c.set('client', { id: address === undefined ? 'in-process' : `addr:${address}`, loopback });
      return next();
    }

    const header = c.req.header('authorization');
    let role: KeyRole | undefined;
    let id = address === undefined ? 'in-process' : `addr:${address}`;
    // Without API_KEYS there is no key to check: a header is ignored (OpenAI SDKs always send one).
    if (header !== undefined && haveKeys) {
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      if (!match) throw unauthorized('the Authorization header must be `Bearer <API key>`');
      role = findRole(keys, match[1]!);
      if (!role) throw unauthorized('unknown API key');
      id = `key:${keyFingerprint(match[1]!)}`;
    }
    c.set('client', { id, loopback, ...(role ? { role } : {}) });

    if (cls === 'write' && role !== 'write') {
      if (role === 'read') throw new ApiFailure('forbidden', 'this API key may only read; writes need a write key');
      if (haveKeys) throw unauthorized('writes need an API key with write access (Authorization: Bearer <key>)');
      if (!loopback) {
        throw new ApiFailure(
          'forbidden',
          'writes are accepted only from the server’s own host while no API keys are configured (set API_KEYS)',
        );
      }
    }
    if (cls === 'read' && options.requireReadKey && !role) {
      throw unauthorized('this server needs an API key for reads (Authorization: Bearer <key>)');
    }
    return next();
  };
}

/** Parses API_KEYS (`write:<key>,read:<key>,...`); throws with a message that never repeats a key. */
export function parseApiKeys(raw: string | undefined): ApiKey[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry, i) => {
    const at = entry.indexOf(':');
    const role = entry.slice(0, at).trim();
    const key = entry.slice(at + 1).trim();
    if (at < 0 || (role !== 'read' && role !== 'write')) {
      throw new Error(`API_KEYS entry ${i + 1} must be read:<key> or write:<key>`);
    }
    if (key.length < 16 || /\s/.test(key)) {
      throw new Error(`API_KEYS entry ${i + 1} (${role}) must be a key of at least 16 characters without spaces`);
    }
    return { role, key };
  });
}
