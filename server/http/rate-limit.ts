/**
 * Rate limits per client (API key, else address), with rate-limiter-flexible: RATE_LIMIT_PER_SECOND sustained
 * plus a RATE_LIMIT_BURST allowance. rate-limiter-flexible has no token-bucket class; its BurstyRateLimiter
 * (a per-second limiter backed by a burst limiter whose points refill over burst/rate seconds) is its way to
 * give a bucket's behaviour: steady traffic at the rate, short peaks up to rate + burst.
 *
 * With REDIS_URL the counters live in Redis, so every process behind a load balancer shares one budget per
 * client. Redis down or stalled must not stop the API: the limiter then counts in this process's memory
 * (per-process limits, logged once) until a background PING finds Redis answering again.
 */
import type { MiddlewareHandler } from 'hono';
import { Redis } from 'ioredis';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { failFastRedisOptions, StallWatch } from '../redis/connection';
import type { AccessVariables, RouteClass } from './access';
import { ApiFailure } from './errors';

/** RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST; perSecond 0 turns limits off. */
export interface RateLimitSettings {
  perSecond: number;
  burst: number;
}

/** The outcome of one request against its client's budget. */
export interface RateDecision {
  allowed: boolean;
  /** Requests per second the client may make (RateLimit-Limit). */
  limit: number;
  /** Left in the current second (RateLimit-Remaining). */
  remaining: number;
  /** Until the budget refills enough for another request, in ms (RateLimit-Reset, Retry-After). */
  resetMs: number;
}

export interface RateLimiter {
  readonly backend: 'memory' | 'redis';
  consume(clientId: string): Promise<RateDecision>;
  close(): Promise<void>;
}

export interface RateLimiterOptions extends RateLimitSettings {
  /** Share counters through this Redis (its own connection). */
  redisUrl?: string;
  /** Key prefix in Redis (default `nearfeed:ratelimit`); tests use a unique one. */
  keyPrefix?: string;
  /** A Redis call slower than this counts in memory instead (default 250 ms). */
  commandTimeoutMs?: number;
  /** Told once when Redis fails and once when it is back (never with its address). */
  warn?: (message: string) => void;
}

type Bucket = BurstyRateLimiter;

function burstWindowSeconds(s: RateLimitSettings): number {
  return Math.max(1, Math.ceil(s.burst / s.perSecond));
}

function memoryBucket(s: RateLimitSettings, keyPrefix: string): Bucket {
  return new BurstyRateLimiter(
    new RateLimiterMemory({ keyPrefix, points: s.perSecond, duration: 1 }),
    new RateLimiterMemory({ keyPrefix: `${keyPrefix}:burst`, points: Math.max(s.burst, 1), duration: burstWindowSeconds(s) }),
  );
}

function decide(res: RateLimiterRes, allowed: boolean, limit: number): RateDecision {
  return { allowed, limit, remaining: Math.max(0, res.remainingPoints), resetMs: Math.max(0, res.msBeforeNext) };
}

/** Builds the limiter: Redis-shared when `redisUrl` is set, otherwise per process. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const keyPrefix = options.keyPrefix ?? 'nearfeed:ratelimit';
  const memory = memoryBucket(options, keyPrefix);
  const run = async (bucket: Bucket, clientId: string): Promise<RateDecision> => {
    try {
      return decide(await bucket.consume(clientId), true, options.perSecond);
    } catch (err) {
      if (err instanceof RateLimiterRes) return decide(err, false, options.perSecond);
      throw err;
    }
  };
  if (options.redisUrl === undefined) {
    return { backend: 'memory', consume: (id) => run(memory, id), close: async () => undefined };
  }

  const warn = options.warn ?? (() => undefined);
  const redis = new Redis(
    options.redisUrl,
    failFastRedisOptions({
      connectionName: 'nearfeed-rate-limit',
      commandTimeoutMs: options.commandTimeoutMs ?? 250,
      connectTimeoutMs: 2000,
      maxReconnectDelayMs: 2000,
    }),
  );
  let degraded = false;
  const degrade = (why: string) => {
    if (!degraded) warn(`rate limits: Redis ${why}; counting per process until it is back`);
    degraded = true;
  };
  redis.on('error', () => degrade('is unreachable'));
  redis.on('ready', () => {
    if (degraded && !stall.stalled) warn('rate limits: Redis is back; limits are shared again');
    degraded = false;
  });
  const stall = new StallWatch(redis, () => {
    warn('rate limits: Redis answers again; limits are shared again');
    degraded = false;
  });
  const shared = new BurstyRateLimiter(
    new RateLimiterRedis({ storeClient: redis, keyPrefix, points: options.perSecond, duration: 1, rejectIfRedisNotReady: true }),
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}:burst`,
      points: Math.max(options.burst, 1),
      duration: burstWindowSeconds(options),
      rejectIfRedisNotReady: true,
    }),
  );

  return {
    backend: 'redis',
    async consume(clientId) {
      if (redis.status !== 'ready' || stall.stalled) return run(memory, clientId);
      try {
        return await run(shared, clientId);
      } catch (err) {
        // Not a verdict but a failure of Redis: count this one in memory, and stop asking a stalled Redis.
        if (err instanceof Error && /timed out/i.test(err.message) && stall.mark()) degrade('does not answer in time');
        return run(memory, clientId);
      }
    },
    async close() {
      stall.stop();
      redis.disconnect();
    },
  };
}

/**
 * The middleware: reads and writes count against their client's budget; public routes (health, the demo's
 * files) and in-process calls without a key do not. 429 rate_limited with Retry-After when it is spent;
 * every counted response carries RateLimit-Limit, -Remaining and -Reset.
 */
export function rateLimit(
  limiter: RateLimiter,
  /** Told of each refusal (the app's metrics count them by route class). */
  onLimited: (clientId: string, routeClass: RouteClass) => void = () => undefined,
): MiddlewareHandler<{ Variables: AccessVariables }> {
  return async (c, next) => {
    const client = c.get('client');
    if (c.get('routeClass') === 'public' || !client || client.id === 'in-process') return next();
    const d = await limiter.consume(client.id);
    const headers = {
      'ratelimit-limit': String(d.limit),
      'ratelimit-remaining': String(d.remaining),
      'ratelimit-reset': String(Math.ceil(d.resetMs / 1000)),
    };
    if (!d.allowed) {
      onLimited(client.id, c.get('routeClass'));
      throw new ApiFailure(
        'rate_limited',
        `rate limit of ${d.limit} requests per second (plus a burst allowance) exceeded; retry after the Retry-After seconds`,
        null,
        { ...headers, 'retry-after': String(Math.max(1, Math.ceil(d.resetMs / 1000))) },
      );
    }
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}
