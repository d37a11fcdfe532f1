/**
 * Where a model comes from and what its folder must hold. A model is either a local folder in the Hugging
 * Face layout or a hub id; a local folder is checked up front so a missing file is a clear error with the fix,
 * not a stack trace from deep inside transformers.js.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { EmbeddingDtype } from '../../shared/embedder';
import { withoutAddresses } from '../redact';

/** A model to load: a local folder (absolute path) or a Hugging Face hub repository id. */
export type ModelSource =
  | { kind: 'local'; dir: string; name: string }
  | { kind: 'hub'; id: string };

/** The ONNX file transformers.js loads for each dtype (under `onnx/`). */
export const ONNX_FILE_FOR_DTYPE: Readonly<Record<EmbeddingDtype, string>> = {
  fp32: 'model.onnx',
  q8: 'model_quantized.onnx',
  fp16: 'model_fp16.onnx',
};

// The same pattern transformers.js uses to decide whether a name may be fetched from the hub.
const HUB_ID = /^(\b[\w\-.]+\b\/)?\b[\w\-.]{1,96}\b$/;

/** True for names the hub accepts as repository ids (`name` or `owner/name`). */
export function isHubId(name: string): boolean {
  return HUB_ID.test(name) && !name.includes('..') && !name.includes('--');
}

/**
 * Decides whether `model` names a local folder or a hub repository. A path that exists, or that is written
 * as a path (absolute, `./`, `../`, or with more than one `/`), is local; anything else that is a valid hub
 * id goes to the hub.
 */
export function resolveModelSource(model: string, cwd: string = process.cwd()): ModelSource {
  const trimmed = model.trim();
  if (trimmed === '') throw new ModelSourceError('EMBEDDING_MODEL is empty: give a hub id or a model folder.');
  const candidate = path.resolve(cwd, trimmed);
  const looksLikePath =
    path.isAbsolute(trimmed) || trimmed.startsWith('./') || trimmed.startsWith('../') || !isHubId(trimmed);
  if (looksLikePath || isDirectory(candidate)) {
    return { kind: 'local', dir: candidate, name: path.basename(candidate) };
  }
  return { kind: 'hub', id: hubIdFor(trimmed) };
}

/**
 * Plain transformers checkpoints that sentence-transformers loads under their own name (its
 * `basic_transformer_models` list, abridged to the encoders people embed with).
 */
const BASIC_TRANSFORMER_MODELS = new Set([
  'albert-base-v1', 'albert-base-v2', 'albert-large-v2', 'bert-base-cased', 'bert-base-uncased',
  'bert-base-multilingual-cased', 'bert-base-multilingual-uncased', 'bert-large-cased', 'bert-large-uncased',
  'distilbert-base-cased', 'distilbert-base-uncased', 'distilbert-base-multilingual-cased', 'distilroberta-base',
  'roberta-base', 'roberta-large', 'xlm-roberta-base', 'xlm-roberta-large', 't5-small', 't5-base', 'gpt2',
]);

/**
 * The hub id of a name, resolved as sentence-transformers resolves it: a bare name that is not a plain
 * transformers checkpoint is one of its own models (`all-MiniLM-L6-v2` → `sentence-transformers/all-MiniLM-L6-v2`).
 */
export function hubIdFor(name: string): string {
  if (name.includes('/') || BASIC_TRANSFORMER_MODELS.has(name.toLowerCase())) return name;
  return `sentence-transformers/${name}`;
}

/** A model source that cannot be used as given; the message says how to fix it. */
export class ModelSourceError extends Error {
  override readonly name = 'ModelSourceError';
}

/**
 * Checks that `dir` holds what transformers.js needs for `dtype`, and throws a `ModelSourceError` naming the
 * missing file and the command that creates it otherwise.
 */
export function validateModelFolder(dir: string, dtype: EmbeddingDtype): void {
  const onnxFile = path.join('onnx', ONNX_FILE_FOR_DTYPE[dtype]);
  const required = ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnxFile];
  const fix = fixHint(dir);
  if (!isDirectory(dir)) {
    throw new ModelSourceError(`Model folder ${dir} does not exist. ${fix}`);
  }
  const missing = required.filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length > 0) {
    const forDtype = missing.includes(onnxFile) ? ` (${onnxFile} is the file for dtype ${dtype})` : '';
    throw new ModelSourceError(`Model folder ${dir} is missing ${missing.join(', ')}${forDtype}. ${fix}`);
  }
  for (const file of ['config.json', 'tokenizer_config.json']) {
    try {
      JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch (error) {
      throw new ModelSourceError(`Model folder ${dir} has an unreadable ${file} (${errorSummary(error)}). ${fix}`);
    }
  }
}

/** The command that (re)creates a generated model, or what a hand-made folder must contain. */
function fixHint(dir: string): string {
  const name = path.basename(dir);
  if (name === 'nearfeed-test') return 'Generate the bundled test model with `npm run model:test`.';
  if (name === 'nearfeed-minilm-shaped') return 'Generate the benchmark model with `npm run model:bench`.';
  return (
    'Point EMBEDDING_MODEL at a folder in the Hugging Face layout (config.json, tokenizer.json, ' +
    'tokenizer_config.json, onnx/model.onnx and onnx/model_quantized.onnx for q8), or at a hub id such as ' +
    'Xenova/all-MiniLM-L6-v2; `npm run model:test` generates the bundled test model.'
  );
}

/** Reads a JSON file of a local model folder; undefined when it is absent. */
export function readModelJson(dir: string, file: string): Record<string, unknown> | undefined {
  const full = path.join(dir, file);
  if (!existsSync(full)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(full, 'utf8'));
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * First line of an error's message, shortened, with its cause when it has one (`fetch failed` alone does not
 * say that the host could not be resolved): enough for a log line or a health reason. URLs and addresses
 * (an internal hub mirror, a peer's IP) are replaced (redact.ts): health reasons are public.
 */
export function errorSummary(error: unknown, maxLength = 240): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n').find((line) => line.trim() !== '') ?? message;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  const text = withoutAddresses(cause && !firstLine.includes(cause) ? `${firstLine} (${cause})` : firstLine);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
