/**
 * Settings both runtimes share, and the one parser/validator for them: `parseConfig` reads env-style strings
 * on the server, `configFromOptions` takes typed options in the browser. Both apply the same rules; only the
 * names in error messages differ (env variable names vs option names), so each user reads the name they typed.
 */
import type { EmbeddingDtype } from './embedder';
import type { RankWeights } from './types';
import { DEFAULT_WEIGHTS, normaliseWeights } from './scoring';
import { DEFAULT_TASTE_WEIGHTS, type TasteWeights } from './recommend/options';

/** Where inference runs. The library's own 'auto' does not fall back, so nearfeed resolves it itself. */
export type MlDevice = 'cpu' | 'cuda' | 'webgpu' | 'auto';

export interface NearfeedConfig {
  /** ML_ENABLED (default true). */
  mlEnabled: boolean;
  /** EMBEDDING_MODEL: hub id, local folder or (server) https:// URL of a folder (default Xenova/all-MiniLM-L6-v2). */
  embeddingModel: string;
  /** EMBEDDING_DTYPE (default fp32). */
  embeddingDtype: EmbeddingDtype;
  /** ML_DEVICE (default auto). */
  mlDevice: MlDevice;
  /** ML_SIMILARITY_WEIGHT, ML_DILIGENCE_WEIGHT, ML_ENGAGEMENT_WEIGHT, normalised to sum 1. */
  weights: RankWeights;
  /** TASTE_ALPHA, TASTE_BETA, TASTE_GAMMA: Rocchio weights of the taste vector (not normalised). */
  taste: TasteWeights;
  /** MAX_SEQ_LENGTH: overrides the model's max_seq_length when set. */
  maxSeqLength?: number;
}

/** Allowed EMBEDDING_DTYPE values. */
export const EMBEDDING_DTYPES: readonly EmbeddingDtype[] = Object.freeze(['fp32', 'q8', 'fp16'] as const);
/** Allowed ML_DEVICE values. */
export const ML_DEVICES: readonly MlDevice[] = Object.freeze(['cpu', 'cuda', 'webgpu', 'auto'] as const);
/** Spellings ML_ENABLED accepts (case-insensitive). */
export const BOOLEAN_TRUE_VALUES: readonly string[] = Object.freeze(['true', '1', 'yes']);
export const BOOLEAN_FALSE_VALUES: readonly string[] = Object.freeze(['false', '0', 'no']);
/** Two weight sums closer than this count as equal (1/3 + 1/3 + 1/3 typed as decimals). */
export const WEIGHT_SUM_TOLERANCE = 1e-6;

/** The defaults of every setting (`maxSeqLength` unset: the model's own max_seq_length applies). */
export const DEFAULT_CONFIG: Readonly<NearfeedConfig> = Object.freeze({
  mlEnabled: true,
  embeddingModel: 'Xenova/all-MiniLM-L6-v2',
  embeddingDtype: 'fp32',
  mlDevice: 'auto',
  weights: Object.freeze({ ...DEFAULT_WEIGHTS }),
  taste: Object.freeze({ ...DEFAULT_TASTE_WEIGHTS }),
});

/** One row per env variable, for READMEs, `--help` output and server config built on top. */
export interface ConfigVariable {
  name: EnvVariable;
  /** The default as it would be written in env, or '' when unset by default. */
  default: string;
  /** Allowed values or range, in words. */
  allowed: string;
  description: string;
}

export type EnvVariable =
  | 'ML_ENABLED'
  | 'EMBEDDING_MODEL'
  | 'EMBEDDING_DTYPE'
  | 'ML_DEVICE'
  | 'ML_SIMILARITY_WEIGHT'
  | 'ML_DILIGENCE_WEIGHT'
  | 'ML_ENGAGEMENT_WEIGHT'
  | 'TASTE_ALPHA'
  | 'TASTE_BETA'
  | 'TASTE_GAMMA'
  | 'MAX_SEQ_LENGTH';

export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze([
  {
    name: 'ML_ENABLED',
    default: 'true',
    allowed: 'true/false, 1/0, yes/no',
    description: 'Use embeddings for similarity. Off: feeds are ranked by diligence and engagement only.',
  },
  {
    name: 'EMBEDDING_MODEL',
    default: DEFAULT_CONFIG.embeddingModel,
    allowed: 'a Hugging Face hub id, a local model folder, or (server) an https:// URL of a model folder',
    description: 'Sentence-embedding model (BERT-style, ONNX files in the hub layout).',
  },
  {
    name: 'EMBEDDING_DTYPE',
    default: DEFAULT_CONFIG.embeddingDtype,
    allowed: EMBEDDING_DTYPES.join(' | '),
    description: 'Model precision: picks onnx/model.onnx, model_quantized.onnx or model_fp16.onnx.',
  },
  {
    name: 'ML_DEVICE',
    default: DEFAULT_CONFIG.mlDevice,
    allowed: ML_DEVICES.join(' | '),
    description: "Inference device; 'auto' picks the best available and falls back to CPU.",
  },
  {
    name: 'ML_SIMILARITY_WEIGHT',
    default: String(DEFAULT_WEIGHTS.similarity),
    allowed: 'number in [0, 1]; the three weights sum to at most 1',
    description: 'Weight of profile similarity in the feed score.',
  },
  {
    name: 'ML_DILIGENCE_WEIGHT',
    default: String(DEFAULT_WEIGHTS.diligence),
    allowed: 'number in [0, 1]; the three weights sum to at most 1',
    description: 'Weight of the candidate diligence score.',
  },
  {
    name: 'ML_ENGAGEMENT_WEIGHT',
    default: String(DEFAULT_WEIGHTS.engagement),
    allowed: 'number in [0, 1]; the three weights sum to at most 1',
    description: 'Weight of the candidate engagement score.',
  },
  {
    name: 'TASTE_ALPHA',
    default: String(DEFAULT_TASTE_WEIGHTS.alpha),
    allowed: 'number in (0, 1]',
    description: "Weight of the user's own profile in the taste vector (Rocchio α).",
  },
  {
    name: 'TASTE_BETA',
    default: String(DEFAULT_TASTE_WEIGHTS.beta),
    allowed: 'number in [0, 1]',
    description: 'Weight of the liked / connected profiles in the taste vector (Rocchio β).',
  },
  {
    name: 'TASTE_GAMMA',
    default: String(DEFAULT_TASTE_WEIGHTS.gamma),
    allowed: 'number in [0, 1]',
    description: 'Weight of the passed profiles, subtracted, in the taste vector (Rocchio γ).',
  },
  {
    name: 'MAX_SEQ_LENGTH',
    default: '',
    allowed: 'positive integer',
    description: "Token limit inputs are truncated to; unset: the model's max_seq_length (256 for all-MiniLM-L6-v2).",
  },
] satisfies ConfigVariable[]);

/** A setting with an invalid value. The message names the setting, the value and what is allowed. */
export class ConfigError extends Error {
  /** The env variable or option name at fault (for the weights' sum: the three names joined by ' + '). */
  readonly variable: string;
  readonly value: unknown;

  constructor(variable: string, value: unknown, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.variable = variable;
    this.value = value;
  }
}

export interface ParsedConfig {
  config: NearfeedConfig;
  /** Non-fatal notes, e.g. weights renormalised because their sum was below 1. */
  warnings: string[];
}

/**
 * Parses and validates settings from env-style strings (e.g. `process.env`). Unset or blank variables take
 * their defaults; other variables in `source` are ignored. Throws `ConfigError` on the first invalid value.
 */
export function parseConfig(source: Readonly<Record<string, string | undefined>>): ParsedConfig {
  return resolve(
    {
      mlEnabled: source.ML_ENABLED,
      embeddingModel: source.EMBEDDING_MODEL,
      embeddingDtype: source.EMBEDDING_DTYPE,
      mlDevice: source.ML_DEVICE,
      similarity: source.ML_SIMILARITY_WEIGHT,
      diligence: source.ML_DILIGENCE_WEIGHT,
      engagement: source.ML_ENGAGEMENT_WEIGHT,
      alpha: source.TASTE_ALPHA,
      beta: source.TASTE_BETA,
      gamma: source.TASTE_GAMMA,
      maxSeqLength: source.MAX_SEQ_LENGTH,
    },
    ENV_NAMES,
  );
}

/** Browser-side options: the same settings, typed, any subset; weights may be partial. */
export interface ConfigOptions {
  mlEnabled?: boolean;
  embeddingModel?: string;
  embeddingDtype?: EmbeddingDtype;
  mlDevice?: MlDevice;
  weights?: Partial<RankWeights>;
  /** Rocchio weights of the taste vector, merged over DEFAULT_TASTE_WEIGHTS. */
  taste?: Partial<TasteWeights>;
  maxSeqLength?: number;
}

/**
 * Same rules as `parseConfig`, for typed options (e.g. `createFeedEngine(options)`); error messages name the
 * option (`weights.similarity`) instead of the env variable. Values are checked at run time too, since
 * options often come from untyped JavaScript or a form.
 */
export function configFromOptions(options: ConfigOptions = {}): ParsedConfig {
  return resolve(
    {
      mlEnabled: options.mlEnabled,
      embeddingModel: options.embeddingModel,
      embeddingDtype: options.embeddingDtype,
      mlDevice: options.mlDevice,
      similarity: options.weights?.similarity,
      diligence: options.weights?.diligence,
      engagement: options.weights?.engagement,
      alpha: options.taste?.alpha,
      beta: options.taste?.beta,
      gamma: options.taste?.gamma,
      maxSeqLength: options.maxSeqLength,
    },
    OPTION_NAMES,
  );
}

// ---------------------------------------------------------------------------------------------------------

type Field =
  | 'mlEnabled'
  | 'embeddingModel'
  | 'embeddingDtype'
  | 'mlDevice'
  | 'similarity'
  | 'diligence'
  | 'engagement'
  | 'alpha'
  | 'beta'
  | 'gamma'
  | 'maxSeqLength';

type RawConfig = Record<Field, unknown>;

const ENV_NAMES: Readonly<Record<Field, string>> = {
  mlEnabled: 'ML_ENABLED',
  embeddingModel: 'EMBEDDING_MODEL',
  embeddingDtype: 'EMBEDDING_DTYPE',
  mlDevice: 'ML_DEVICE',
  similarity: 'ML_SIMILARITY_WEIGHT',
  diligence: 'ML_DILIGENCE_WEIGHT',
  engagement: 'ML_ENGAGEMENT_WEIGHT',
  alpha: 'TASTE_ALPHA',
  beta: 'TASTE_BETA',
  gamma: 'TASTE_GAMMA',
  maxSeqLength: 'MAX_SEQ_LENGTH',
};

const OPTION_NAMES: Readonly<Record<Field, string>> = {
  mlEnabled: 'mlEnabled',
  embeddingModel: 'embeddingModel',
  embeddingDtype: 'embeddingDtype',
  mlDevice: 'mlDevice',
  similarity: 'weights.similarity',
  diligence: 'weights.diligence',
  engagement: 'weights.engagement',
  alpha: 'taste.alpha',
  beta: 'taste.beta',
  gamma: 'taste.gamma',
  maxSeqLength: 'maxSeqLength',
};

function resolve(raw: RawConfig, names: Readonly<Record<Field, string>>): ParsedConfig {
  const warnings: string[] = [];
  const config: NearfeedConfig = {
    mlEnabled: parseBoolean(raw.mlEnabled, names.mlEnabled, DEFAULT_CONFIG.mlEnabled),
    embeddingModel: parseModel(raw.embeddingModel, names.embeddingModel),
    embeddingDtype: parseEnum(raw.embeddingDtype, names.embeddingDtype, EMBEDDING_DTYPES, DEFAULT_CONFIG.embeddingDtype),
    mlDevice: parseEnum(raw.mlDevice, names.mlDevice, ML_DEVICES, DEFAULT_CONFIG.mlDevice),
    weights: parseWeights(raw, names, warnings),
    taste: parseTaste(raw, names),
  };
  const maxSeqLength = parsePositiveInt(raw.maxSeqLength, names.maxSeqLength);
  if (maxSeqLength !== undefined) config.maxSeqLength = maxSeqLength;
  return { config, warnings };
}

/** Unset: undefined, null, or a blank string (an env line `ML_DEVICE=` means "not set", not "invalid"). */
function isUnset(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * A boolean setting: unset → `fallback`; true/false, 1/0, yes/no in any case; anything else a ConfigError
 * naming `name`. The server's own switches (DYNAMIC_BATCHING) use it too, so every flag reads alike.
 */
export function parseBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (isUnset(value)) return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (BOOLEAN_TRUE_VALUES.includes(v)) return true;
    if (BOOLEAN_FALSE_VALUES.includes(v)) return false;
  }
  throw new ConfigError(
    name,
    value,
    `${name} must be one of true, false, 1, 0, yes, no, got ${show(value)}`,
  );
}

function parseModel(value: unknown, name: string): string {
  if (isUnset(value)) return DEFAULT_CONFIG.embeddingModel;
  if (typeof value !== 'string') {
    throw new ConfigError(name, value, `${name} must be a hub id or a local folder path (a string), got ${show(value)}`);
  }
  return value.trim();
}

function parseEnum<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (isUnset(value)) return fallback;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    const hit = allowed.find((a) => a === v);
    if (hit !== undefined) return hit;
  }
  throw new ConfigError(name, value, `${name} must be one of ${allowed.join(', ')}, got ${show(value)}`);
}

function parsePositiveInt(value: unknown, name: string): number | undefined {
  if (isUnset(value)) return undefined;
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ConfigError(name, value, `${name} must be a positive integer (1 or more), got ${show(value)}`);
  }
  return n;
}

function parseWeight(value: unknown, name: string, fallback: number): number {
  if (isUnset(value)) return fallback;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new ConfigError(name, value, `${name} must be a number in [0, 1], got ${show(value)}`);
  }
  return n;
}

function parseWeights(raw: RawConfig, names: Readonly<Record<Field, string>>, warnings: string[]): RankWeights {
  const keys = ['similarity', 'diligence', 'engagement'] as const;
  const w: RankWeights = {
    similarity: parseWeight(raw.similarity, names.similarity, DEFAULT_WEIGHTS.similarity),
    diligence: parseWeight(raw.diligence, names.diligence, DEFAULT_WEIGHTS.diligence),
    engagement: parseWeight(raw.engagement, names.engagement, DEFAULT_WEIGHTS.engagement),
  };
  const sum = w.similarity + w.diligence + w.engagement;
  const joined = keys.map((k) => names[k]).join(' + ');
  const terms = () =>
    keys.map((k) => `${names[k]}=${w[k]}${isUnset(raw[k]) ? ' (default)' : ''}`).join(', ');
  if (sum > 1 + WEIGHT_SUM_TOLERANCE) {
    throw new ConfigError(joined, sum, `${joined} must sum to at most 1, got ${round(sum)} (${terms()})`);
  }
  if (!(sum > 0)) {
    throw new ConfigError(joined, sum, `${joined} must sum to more than 0, got 0 (${terms()})`);
  }
  const normalised = normaliseWeights(w);
  if (sum < 1 - WEIGHT_SUM_TOLERANCE) {
    warnings.push(
      `${joined} sum to ${round(sum)} < 1 (${terms()}); renormalised to ` +
        keys.map((k) => `${k} ${round(normalised[k])}`).join(', '),
    );
  }
  return normalised;
}

/** Rocchio weights: each a weight in [0, 1] like the rerank weights, α > 0 (the profile always anchors the query). */
function parseTaste(raw: RawConfig, names: Readonly<Record<Field, string>>): TasteWeights {
  const alpha = parseWeight(raw.alpha, names.alpha, DEFAULT_TASTE_WEIGHTS.alpha);
  if (alpha === 0) throw new ConfigError(names.alpha, raw.alpha, `${names.alpha} must be a number in (0, 1], got 0`);
  return {
    alpha,
    beta: parseWeight(raw.beta, names.beta, DEFAULT_TASTE_WEIGHTS.beta),
    gamma: parseWeight(raw.gamma, names.gamma, DEFAULT_TASTE_WEIGHTS.gamma),
  };
}

/** For messages: enough digits to be exact for typed values, without float noise (0.30000000000000004). */
function round(x: number): string {
  return String(Number(x.toPrecision(12)));
}
