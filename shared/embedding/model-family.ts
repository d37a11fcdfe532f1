/**
 * What sentence-transformers reads from a model folder besides the weights, read here the same way for the
 * server and the browser worker: modules.json (which modules run, in order), the Pooling module's
 * config.json (the pooling mode), whether a Normalize module follows, config_sentence_transformers.json
 * (named prompts) and sentence_bert_config.json (max_seq_length, do_lower_case). A folder that asks for
 * something nearfeed does not run (a Dense layer, two pooling modes at once, prompts excluded from pooling)
 * is refused with the file and the setting named, never embedded wrongly.
 */
import type { PoolingMode, PoolingSpec } from './pooling';

/** Everything about a model, besides its weights and tokenizer, that changes its vectors. */
export interface ModelFamily extends PoolingSpec {
  /** Named prompts (config_sentence_transformers.json `prompts`), e.g. `{ query: 'query: ' }`. */
  prompts: Readonly<Record<string, string>>;
  /** The prompt used when a caller names none (`default_prompt_name`). */
  defaultPromptName?: string;
  /** sentence_bert_config.json `do_lower_case`: texts are lower-cased before tokenising. */
  doLowerCase: boolean;
  /** sentence_bert_config.json as read, for the truncation length (see seq-length.ts). */
  sentenceBertConfig?: Record<string, unknown>;
  /** Where the pooling came from, for logs: a file of the folder or the known-models table. */
  source: string;
}

/**
 * Reads one JSON file of the model folder by its path relative to the folder (e.g. `1_Pooling/config.json`).
 * Resolves undefined when the folder has no such file; rejects when it exists but cannot be read.
 */
export type ModelFileReader = (file: string) => Promise<unknown>;

/** A model folder whose sentence-transformers configuration nearfeed cannot run faithfully. */
export class UnsupportedModelError extends Error {
  override readonly name = 'UnsupportedModelError';
}

const MODULE_TYPE = 'sentence_transformers.models.';
/** Modules that change nothing nearfeed does not already do (the transformer itself) or that it runs. */
const RUNNABLE_MODULES = new Set(['Transformer', 'Pooling', 'Normalize']);

/** pooling_mode_* keys of 1_Pooling/config.json, in the order sentence-transformers concatenates them. */
const POOLING_KEYS: ReadonlyArray<readonly [string, PoolingMode]> = [
  ['pooling_mode_cls_token', 'cls'],
  ['pooling_mode_max_tokens', 'max'],
  ['pooling_mode_mean_tokens', 'mean'],
  ['pooling_mode_mean_sqrt_len_tokens', 'mean_sqrt_len'],
  ['pooling_mode_weightedmean_tokens', 'weightedmean'],
  ['pooling_mode_lasttoken', 'lasttoken'],
];

/**
 * Families of well-known models whose ONNX ports on the hub (Xenova/…) ship only the transformer's files,
 * keyed by repository name without its owner: what their sentence-transformers originals declare.
 */
export const KNOWN_FAMILIES: Readonly<Record<string, PoolingSpec>> = {
  'all-MiniLM-L6-v2': { pooling: 'mean', normalize: true },
  'all-MiniLM-L12-v2': { pooling: 'mean', normalize: true },
  'all-mpnet-base-v2': { pooling: 'mean', normalize: true },
  'paraphrase-multilingual-MiniLM-L12-v2': { pooling: 'mean', normalize: false },
};

/**
 * Reads the family of the model named `modelName` through `read`. Without modules.json a known model gets
 * its original's pooling, any other model mean pooling without normalisation (what sentence-transformers
 * builds for a plain transformers folder). Rejects with an {@link UnsupportedModelError} naming the file.
 */
export async function readModelFamily(modelName: string, read: ModelFileReader): Promise<ModelFamily> {
  const [modules, stConfig, sbertConfig] = await Promise.all([
    read('modules.json'),
    read('config_sentence_transformers.json'),
    read('sentence_bert_config.json'),
  ]);
  const sentenceBertConfig = isObject(sbertConfig) ? sbertConfig : undefined;
  const prompts = readPrompts(stConfig);
  const common = {
    ...prompts,
    doLowerCase: sentenceBertConfig?.['do_lower_case'] === true,
    ...(sentenceBertConfig ? { sentenceBertConfig } : {}),
  };

  if (modules === undefined) {
    const known = KNOWN_FAMILIES[modelName.split('/').pop() ?? modelName];
    if (known) return { ...known, ...common, source: 'known model' };
    return { pooling: 'mean', normalize: false, ...common, source: 'default (no modules.json)' };
  }

  const list = parseModules(modules);
  const poolingModule = list.find((m) => m.type === 'Pooling');
  if (!poolingModule) {
    throw new UnsupportedModelError(
      'modules.json has no sentence_transformers.models.Pooling module: nearfeed needs one to turn token ' +
        'vectors into a sentence vector',
    );
  }
  const poolingFile = `${poolingModule.path ? `${poolingModule.path}/` : ''}config.json`;
  const poolingConfig = await read(poolingFile);
  if (!isObject(poolingConfig)) {
    throw new UnsupportedModelError(`${poolingFile} is missing: modules.json names it for the Pooling module`);
  }
  const pooling = parsePoolingConfig(poolingConfig, poolingFile);
  if (poolingConfig['include_prompt'] === false && Object.keys(prompts.prompts).length > 0) {
    throw new UnsupportedModelError(
      `${poolingFile} sets include_prompt: false (prompt tokens left out of pooling), which nearfeed does not support`,
    );
  }
  const normalize = list.some((m) => m.type === 'Normalize' && list.indexOf(m) > list.indexOf(poolingModule));
  return { pooling, normalize, ...common, source: poolingFile };
}

interface ModuleEntry {
  type: string;
  path: string;
}

function parseModules(modules: unknown): ModuleEntry[] {
  if (!Array.isArray(modules)) throw new UnsupportedModelError('modules.json is not a list of modules');
  const entries = modules.map((m, i): ModuleEntry => {
    const type = isObject(m) && typeof m['type'] === 'string' ? m['type'] : undefined;
    if (type === undefined) throw new UnsupportedModelError(`modules.json entry ${i} has no "type"`);
    const short = type.startsWith(MODULE_TYPE) ? type.slice(MODULE_TYPE.length) : type;
    if (!RUNNABLE_MODULES.has(short)) {
      throw new UnsupportedModelError(
        `modules.json holds module ${type}, which nearfeed does not run (it runs Transformer, Pooling and ` +
          'Normalize): the vectors would differ from sentence-transformers',
      );
    }
    const path = isObject(m) && typeof m['path'] === 'string' ? m['path'] : '';
    if (path.split(/[\\/]/).includes('..') || path.startsWith('/')) {
      throw new UnsupportedModelError(`modules.json entry ${i} has path "${path}" outside the model folder`);
    }
    return { type: short, path };
  });
  return entries;
}

/** The one pooling mode a Pooling config.json enables; refuses none, several, or an unknown `pooling_mode`. */
export function parsePoolingConfig(config: Record<string, unknown>, file: string): PoolingMode {
  const named = config['pooling_mode'];
  if (typeof named === 'string') {
    const mode = POOLING_KEYS.find(([, m]) => m === named || `${m}_tokens` === named || (m === 'cls' && named === 'cls_token'));
    if (!mode) throw new UnsupportedModelError(`${file} sets pooling_mode "${named}", which nearfeed does not support`);
    return mode[1];
  }
  const enabled = POOLING_KEYS.filter(([key]) => config[key] === true).map(([, mode]) => mode);
  if (enabled.length === 1) return enabled[0]!;
  const unknown = Object.keys(config).filter(
    (k) => k.startsWith('pooling_mode_') && config[k] === true && !POOLING_KEYS.some(([key]) => key === k),
  );
  if (unknown.length > 0) {
    throw new UnsupportedModelError(`${file} enables ${unknown.join(', ')}, a pooling mode nearfeed does not support`);
  }
  if (enabled.length === 0) throw new UnsupportedModelError(`${file} enables no pooling mode`);
  throw new UnsupportedModelError(
    `${file} enables ${enabled.length} pooling modes at once (${enabled.join(' + ')}, concatenated): ` +
      'nearfeed supports exactly one of mean, cls, max, lasttoken, weightedmean, mean_sqrt_len',
  );
}

function readPrompts(stConfig: unknown): Pick<ModelFamily, 'prompts' | 'defaultPromptName'> {
  if (!isObject(stConfig)) return { prompts: {} };
  const raw = stConfig['prompts'];
  const prompts: Record<string, string> = {};
  if (isObject(raw)) {
    for (const [name, text] of Object.entries(raw)) {
      if (typeof text !== 'string') {
        throw new UnsupportedModelError(`config_sentence_transformers.json prompt "${name}" is not a string`);
      }
      prompts[name] = text;
    }
  }
  const name = stConfig['default_prompt_name'];
  if (typeof name === 'string' && name !== '') {
    if (!(name in prompts)) {
      throw new UnsupportedModelError(
        `config_sentence_transformers.json default_prompt_name "${name}" is not one of its prompts`,
      );
    }
    return { prompts, defaultPromptName: name };
  }
  return { prompts };
}

/** Names a model may use for the document side of a search, in the order they are looked for. */
const DOCUMENT_PROMPT_NAMES = ['document', 'passage', 'doc', 'corpus'] as const;

/**
 * The prompt of each side of the feed: when the model defines both a `query` prompt and a document prompt
 * (`document`, `passage`, …), the user's profile is embedded as the query and candidates as documents;
 * otherwise both sides get the default prompt (if any), so the comparison stays symmetric.
 */
export function feedPromptNames(family: PromptSet): {
  query?: string;
  document?: string;
} {
  const document = DOCUMENT_PROMPT_NAMES.find((name) => name in family.prompts);
  if ('query' in family.prompts && document !== undefined) return { query: 'query', document };
  const fallback = family.defaultPromptName;
  return fallback === undefined ? {} : { query: fallback, document: fallback };
}

/**
 * The text handed to the embedder for `text` under `promptName`, or under the default prompt when none is
 * named: prompt + text, as sentence-transformers' encode builds it (lower-casing, when the model asks for it,
 * is the tokeniser's step: see TokenEncoder). Throws an {@link UnknownPromptError} for a name the model lacks.
 */
export function promptedText(family: PromptSet, text: string, promptName?: string): string {
  const name = promptName ?? family.defaultPromptName;
  if (name === undefined) return text;
  const prompt = family.prompts[name];
  if (prompt === undefined) throw new UnknownPromptError(name, Object.keys(family.prompts));
  return prompt + text;
}

/** The prompts part of a family. */
export type PromptSet = Pick<ModelFamily, 'prompts' | 'defaultPromptName'>;

/** A `prompt_name` the model does not define. */
export class UnknownPromptError extends RangeError {
  override readonly name = 'UnknownPromptError';
  constructor(
    readonly promptName: string,
    readonly known: readonly string[],
  ) {
    super(
      known.length === 0
        ? `prompt_name "${promptName}": this model defines no prompts`
        : `prompt_name "${promptName}" is not one of this model's prompts (${known.join(', ')})`,
    );
  }
}

/**
 * The part of the model key that names the family: pooling, normalisation, lower-casing and a fingerprint
 * of the prompts. Two families with the same fragment produce the same vectors from the same weights.
 */
export function familyKey(family: Pick<ModelFamily, 'pooling' | 'normalize' | 'doLowerCase' | 'prompts' | 'defaultPromptName'>): string {
  let key = family.pooling + (family.normalize ? '+norm' : '');
  if (family.doLowerCase) key += '+lower';
  const names = Object.keys(family.prompts).sort();
  if (names.length > 0) {
    const text = JSON.stringify([names.map((n) => [n, family.prompts[n]]), family.defaultPromptName ?? null]);
    key += `+prompts-${fnv1a(text)}`;
  }
  return key;
}

/** 32-bit FNV-1a of a string's UTF-16 units, as 8 hex digits: short, synchronous and the same everywhere. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
