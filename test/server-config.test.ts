/** loadServerConfig: defaults, every server variable parsed, and errors that name the variable and the limit. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/config';
import { loadServerConfig, SERVER_VARIABLES } from '../server/config';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadServerConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadServerConfig', () => {
  it('has the documented defaults on an empty env', () => {
    const { config, warnings } = loadServerConfig({});
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      port: 8787,
      profileStore: 'memory',
      embeddingCacheTtl: 3600,
      maxBodyBytes: 2 * 1024 * 1024,
      maxBatchSize: 64,
      maxImportBatch: 1000,
      maxTextBytes: 32 * 1024,
      dynamicBatching: true,
      batchWindowMs: 3,
      maxQueueSize: 1024,
      mlEnabled: true,
      embeddingModel: 'Xenova/all-MiniLM-L6-v2',
    });
    expect(config.redisUrl).toBeUndefined();
    // The documented defaults are the parsed ones.
    const env = Object.fromEntries(SERVER_VARIABLES.map((v) => [v.name, v.default]));
    expect(loadServerConfig(env).config).toEqual(config);
  });

  it('reads every server variable', () => {
    const { config } = loadServerConfig({
      PORT: '9000',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      PROFILE_STORE: 'redis',
      EMBEDDING_CACHE_TTL: '60',
      MAX_BODY_BYTES: '100000',
      MAX_BATCH_SIZE: '16',
      MAX_IMPORT_BATCH: '250',
      MAX_TEXT_BYTES: '2000',
      DYNAMIC_BATCHING: 'false',
      BATCH_WINDOW_MS: '0',
      MAX_QUEUE_SIZE: '16',
      ML_ENABLED: 'false',
    });
    expect(config).toMatchObject({
      port: 9000,
      redisUrl: 'redis://127.0.0.1:6379/2',
      profileStore: 'redis',
      embeddingCacheTtl: 60,
      maxBodyBytes: 100000,
      maxBatchSize: 16,
      maxImportBatch: 250,
      maxTextBytes: 2000,
      dynamicBatching: false,
      batchWindowMs: 0,
      maxQueueSize: 16,
      mlEnabled: false,
    });
  });

  it('rejects invalid values, naming the variable, the value and the allowed range', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ PORT: 'eighty' }, 'PORT', /PORT must be an integer in \[0, 65535\], got "eighty"/],
      [{ PORT: '70000' }, 'PORT', /\[0, 65535\]/],
      [{ EMBEDDING_CACHE_TTL: '0' }, 'EMBEDDING_CACHE_TTL', /EMBEDDING_CACHE_TTL must be an integer in \[1, /],
      [{ MAX_BODY_BYTES: '1.5' }, 'MAX_BODY_BYTES', /MAX_BODY_BYTES must be an integer/],
      [{ MAX_BATCH_SIZE: '0' }, 'MAX_BATCH_SIZE', /MAX_BATCH_SIZE must be an integer in \[1, 4096\]/],
      [{ MAX_IMPORT_BATCH: '0' }, 'MAX_IMPORT_BATCH', /MAX_IMPORT_BATCH must be an integer in \[1, 100000\]/],
      [{ MAX_BODY_BYTES: '2048', MAX_TEXT_BYTES: '4096' }, 'MAX_TEXT_BYTES', /\[1, 2048\]/],
      [{ PROFILE_STORE: 'postgres' }, 'PROFILE_STORE', /PROFILE_STORE must be one of memory, redis, got "postgres"/],
      [{ PROFILE_STORE: 'redis' }, 'PROFILE_STORE', /needs REDIS_URL/],
      [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL', /redis:\/\/ or rediss:\/\//],
      [{ DYNAMIC_BATCHING: 'maybe' }, 'DYNAMIC_BATCHING', /DYNAMIC_BATCHING must be one of true, false/],
      [{ BATCH_WINDOW_MS: '-1' }, 'BATCH_WINDOW_MS', /\[0, 1000\]/],
      [{ MAX_BATCH_SIZE: '64', MAX_QUEUE_SIZE: '8' }, 'MAX_QUEUE_SIZE', /MAX_QUEUE_SIZE \(8\) must be >= MAX_BATCH_SIZE \(64\)/],
    ];
    for (const [env, variable, message] of cases) {
      const err = errorOf(env);
      expect(err.variable, JSON.stringify(env)).toBe(variable);
      expect(err.message, JSON.stringify(env)).toMatch(message);
    }
  });

  it('passes the shared settings through the shared parser (its errors included)', () => {
    expect(loadServerConfig({ EMBEDDING_DTYPE: 'q8', ML_DEVICE: 'cpu' }).config).toMatchObject({ embeddingDtype: 'q8', mlDevice: 'cpu' });
    expect(errorOf({ EMBEDDING_DTYPE: 'int4' }).variable).toBe('EMBEDDING_DTYPE');
    expect(errorOf({ ML_SIMILARITY_WEIGHT: '3' }).variable).toBe('ML_SIMILARITY_WEIGHT');
  });

  it('treats blank values as unset', () => {
    const { config } = loadServerConfig({ PORT: '  ', REDIS_URL: '' });
    expect(config.port).toBe(8787);
    expect('redisUrl' in config).toBe(false);
  });
});
