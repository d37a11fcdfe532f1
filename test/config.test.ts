import { describe, expect, it } from 'vitest';
import {
  CONFIG_VARIABLES,
  ConfigError,
  DEFAULT_CONFIG,
  EMBEDDING_DTYPES,
  ML_DEVICES,
  configFromOptions,
  parseConfig,
  type ConfigOptions,
} from '../shared/config';

/** Runs `fn`, expecting a ConfigError; returns it for further checks. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('parseConfig (env)', () => {
  it('gives the documented defaults for an empty environment', () => {
    const { config, warnings } = parseConfig({});
    expect(config).toEqual({
      mlEnabled: true,
      embeddingModel: 'Xenova/all-MiniLM-L6-v2',
      embeddingDtype: 'fp32',
      mlDevice: 'auto',
      weights: { similarity: 0.6, diligence: 0.3, engagement: 0.1 },
      taste: { alpha: 1, beta: 0.75, gamma: 0.25 },
    });
    expect(config.maxSeqLength).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(config).toEqual(DEFAULT_CONFIG);
  });

  it('treats blank values as unset and ignores unrelated variables', () => {
    const { config } = parseConfig({ ML_DEVICE: '  ', EMBEDDING_DTYPE: '', PATH: '/usr/bin', ML_ENABLED: undefined });
    expect(config.mlDevice).toBe('auto');
    expect(config.embeddingDtype).toBe('fp32');
    expect(config.mlEnabled).toBe(true);
  });

  it('reads every variable', () => {
    const { config, warnings } = parseConfig({
      ML_ENABLED: 'no',
      EMBEDDING_MODEL: ' ./models/generated/test ',
      EMBEDDING_DTYPE: 'Q8',
      ML_DEVICE: 'cuda',
      ML_SIMILARITY_WEIGHT: '0.5',
      ML_DILIGENCE_WEIGHT: '0.25',
      ML_ENGAGEMENT_WEIGHT: '0.25',
      TASTE_ALPHA: '0.9',
      TASTE_BETA: '0.5',
      TASTE_GAMMA: '0',
      MAX_SEQ_LENGTH: '128',
    });
    expect(config).toEqual({
      mlEnabled: false,
      embeddingModel: './models/generated/test',
      embeddingDtype: 'q8',
      mlDevice: 'cuda',
      weights: { similarity: 0.5, diligence: 0.25, engagement: 0.25 },
      taste: { alpha: 0.9, beta: 0.5, gamma: 0 },
      maxSeqLength: 128,
    });
    expect(warnings).toEqual([]);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['No', false],
  ])('ML_ENABLED=%s → %s', (value, expected) => {
    expect(parseConfig({ ML_ENABLED: value }).config.mlEnabled).toBe(expected);
  });

  it('rejects an unknown ML_ENABLED value, listing the accepted ones', () => {
    const err = configError(() => parseConfig({ ML_ENABLED: 'maybe' }));
    expect(err.variable).toBe('ML_ENABLED');
    expect(err.message).toBe('ML_ENABLED must be one of true, false, 1, 0, yes, no, got "maybe"');
  });

  it('rejects unknown enum values, listing the allowed ones', () => {
    const dtype = configError(() => parseConfig({ EMBEDDING_DTYPE: 'int4' }));
    expect(dtype.variable).toBe('EMBEDDING_DTYPE');
    expect(dtype.message).toBe('EMBEDDING_DTYPE must be one of fp32, q8, fp16, got "int4"');
    const device = configError(() => parseConfig({ ML_DEVICE: 'tpu' }));
    expect(device.variable).toBe('ML_DEVICE');
    for (const allowed of ML_DEVICES) expect(device.message).toContain(allowed);
    expect(device.message).toContain('"tpu"');
  });

  it.each(['1.5', '-0.1', 'abc', 'NaN', 'Infinity', '0.5x', '1e3'])(
    'rejects ML_SIMILARITY_WEIGHT=%s naming the variable, the value and the range',
    (value) => {
      const err = configError(() => parseConfig({ ML_SIMILARITY_WEIGHT: value }));
      expect(err.variable).toBe('ML_SIMILARITY_WEIGHT');
      expect(err.value).toBe(value);
      expect(err.message).toBe(`ML_SIMILARITY_WEIGHT must be a number in [0, 1], got "${value}"`);
    },
  );

  it('names the engagement and diligence variables in their own errors', () => {
    expect(configError(() => parseConfig({ ML_DILIGENCE_WEIGHT: '2' })).message).toMatch(/^ML_DILIGENCE_WEIGHT .* got "2"$/);
    expect(configError(() => parseConfig({ ML_ENGAGEMENT_WEIGHT: '-1' })).message).toMatch(/^ML_ENGAGEMENT_WEIGHT .* got "-1"$/);
  });

  it('rejects weights summing above 1, naming each variable and marking defaults', () => {
    const err = configError(() => parseConfig({ ML_SIMILARITY_WEIGHT: '0.8' }));
    expect(err.message).toBe(
      'ML_SIMILARITY_WEIGHT + ML_DILIGENCE_WEIGHT + ML_ENGAGEMENT_WEIGHT must sum to at most 1, got 1.2 ' +
        '(ML_SIMILARITY_WEIGHT=0.8, ML_DILIGENCE_WEIGHT=0.3 (default), ML_ENGAGEMENT_WEIGHT=0.1 (default))',
    );
  });

  it('rejects weights summing to 0', () => {
    const err = configError(() =>
      parseConfig({ ML_SIMILARITY_WEIGHT: '0', ML_DILIGENCE_WEIGHT: '0', ML_ENGAGEMENT_WEIGHT: '0' }),
    );
    expect(err.message).toMatch(/must sum to more than 0, got 0/);
  });

  it('accepts a sum within 1e-6 of 1 silently, normalised to exactly 1', () => {
    const { config, warnings } = parseConfig({
      ML_SIMILARITY_WEIGHT: '0.3333334',
      ML_DILIGENCE_WEIGHT: '0.3333334',
      ML_ENGAGEMENT_WEIGHT: '0.3333334',
    });
    expect(warnings).toEqual([]);
    const w = config.weights;
    expect(w.similarity + w.diligence + w.engagement).toBeCloseTo(1, 12);
    expect(w.similarity).toBeCloseTo(1 / 3, 12);
  });

  it('renormalises a sum below 1 with a warning', () => {
    const { config, warnings } = parseConfig({
      ML_SIMILARITY_WEIGHT: '0.4',
      ML_DILIGENCE_WEIGHT: '0.2',
      ML_ENGAGEMENT_WEIGHT: '0.2',
    });
    expect(config.weights.similarity).toBeCloseTo(0.5, 12);
    expect(config.weights.diligence).toBeCloseTo(0.25, 12);
    expect(config.weights.engagement).toBeCloseTo(0.25, 12);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/sum to 0\.8 < 1/);
    expect(warnings[0]).toMatch(/renormalised to similarity 0\.5, diligence 0\.25, engagement 0\.25/);
  });

  it.each(['0', '-5', '12.5', 'abc', '1e3'])('rejects MAX_SEQ_LENGTH=%s', (value) => {
    const err = configError(() => parseConfig({ MAX_SEQ_LENGTH: value }));
    expect(err.variable).toBe('MAX_SEQ_LENGTH');
    expect(err.message).toBe(`MAX_SEQ_LENGTH must be a positive integer (1 or more), got "${value}"`);
  });

  it('reads the Rocchio weights and checks them like the rerank weights', () => {
    expect(parseConfig({ TASTE_ALPHA: '0.8', TASTE_BETA: '1', TASTE_GAMMA: '0' }).config.taste).toEqual({ alpha: 0.8, beta: 1, gamma: 0 });
    expect(configFromOptions({ taste: { beta: 0.5 } }).config.taste).toEqual({ alpha: 1, beta: 0.5, gamma: 0.25 });
    expect(configError(() => parseConfig({ TASTE_BETA: '1.5' })).message).toBe('TASTE_BETA must be a number in [0, 1], got "1.5"');
    expect(configError(() => parseConfig({ TASTE_ALPHA: '0' })).message).toBe('TASTE_ALPHA must be a number in (0, 1], got 0');
    expect(configError(() => configFromOptions({ taste: { gamma: -1 } })).variable).toBe('taste.gamma');
  });

  it('documents every variable with its default and allowed values', () => {
    expect(CONFIG_VARIABLES.map((v) => v.name)).toEqual([
      'ML_ENABLED',
      'EMBEDDING_MODEL',
      'EMBEDDING_DTYPE',
      'ML_DEVICE',
      'ML_SIMILARITY_WEIGHT',
      'ML_DILIGENCE_WEIGHT',
      'ML_ENGAGEMENT_WEIGHT',
      'TASTE_ALPHA',
      'TASTE_BETA',
      'TASTE_GAMMA',
      'MAX_SEQ_LENGTH',
    ]);
    // The documented defaults parse back to the default config.
    const env = Object.fromEntries(CONFIG_VARIABLES.map((v) => [v.name, v.default]));
    expect(parseConfig(env).config).toEqual(DEFAULT_CONFIG);
    expect(CONFIG_VARIABLES.find((v) => v.name === 'EMBEDDING_DTYPE')?.allowed).toBe(EMBEDDING_DTYPES.join(' | '));
  });
});

describe('configFromOptions (browser)', () => {
  it('defaults match the env parser', () => {
    expect(configFromOptions()).toEqual(parseConfig({}));
  });

  it('takes typed options and partial weights', () => {
    const { config, warnings } = configFromOptions({ mlEnabled: false, embeddingDtype: 'fp16', weights: { similarity: 0.5, diligence: 0.4 } });
    expect(config.mlEnabled).toBe(false);
    expect(config.embeddingDtype).toBe('fp16');
    expect(config.weights.similarity).toBeCloseTo(0.5, 12);
    expect(config.weights.engagement).toBeCloseTo(0.1, 12);
    expect(warnings).toEqual([]);
  });

  it('names the option, not the env variable, in errors', () => {
    const err = configError(() => configFromOptions({ weights: { similarity: 3 } }));
    expect(err.variable).toBe('weights.similarity');
    expect(err.message).toBe('weights.similarity must be a number in [0, 1], got 3');
    const dev = configError(() => configFromOptions({ mlDevice: 'gpu' } as unknown as ConfigOptions));
    expect(dev.message).toBe('mlDevice must be one of cpu, cuda, webgpu, auto, got "gpu"');
    const sum = configError(() => configFromOptions({ weights: { similarity: 0.9 } }));
    expect(sum.message).toMatch(/^weights\.similarity \+ weights\.diligence \+ weights\.engagement must sum to at most 1/);
  });

  it('checks values from untyped callers at run time', () => {
    expect(() => configFromOptions({ maxSeqLength: 0 })).toThrow(/maxSeqLength must be a positive integer/);
    expect(() => configFromOptions({ mlEnabled: 'sometimes' } as unknown as ConfigOptions)).toThrow(ConfigError);
    expect(configFromOptions({ maxSeqLength: 64 }).config.maxSeqLength).toBe(64);
  });
});
