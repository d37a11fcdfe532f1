/**
 * Loads a tokenizer and an ONNX model through transformers.js, from a local folder or the hub, on the first
 * device that works. transformers.js reads its settings from one global `env`, so loads are serialised and
 * each sets the fields it needs (local folder: remote off; hub: remote on) and restores them afterwards.
 */
import path from 'node:path';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import {
  AutoModel,
  AutoTokenizer,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import type { EmbeddingDtype } from '../../shared/embedder';
import { readModelFamily, type ModelFamily } from '../../shared/embedding/model-family';
import {
  cudaUnavailableReason,
  describeDeviceError,
  deviceCandidates,
  type DeviceFallback,
  type NodeDevice,
  type RequestedDevice,
} from './device';
import { errorSummary, isHubId, readModelJson, type ModelSource } from './model-source';
import { SerialQueue } from './run-queue';

/** Where hub models come from and where downloads are kept. */
export interface HubOptions {
  /** Hub endpoint (HF_ENDPOINT), e.g. a mirror; default https://huggingface.co/. */
  endpoint?: string;
  /** Download cache folder; default transformers.js' own (under its package folder). */
  cacheDir?: string;
}

export interface LoadRequest {
  source: ModelSource;
  hub?: HubOptions;
  dtype: EmbeddingDtype;
  device: RequestedDevice;
  /** Runs once per device after the session is created; a throw rejects that device. */
  probe: (model: PreTrainedModel, tokenizer: PreTrainedTokenizer, family: ModelFamily) => Promise<void>;
  log: (message: string) => void;
}

export interface LoadedModel {
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  device: NodeDevice;
  /** Set when a device earlier in the list failed and a later one was used. */
  deviceFallback?: DeviceFallback;
  /** config.json as a plain object. */
  config: Record<string, unknown>;
  /** Pooling, normalisation, prompts and sentence_bert_config.json, read before any session was made. */
  family: ModelFamily;
  /** Input names the ONNX graph declares. */
  inputNames: readonly string[];
}

const loads = new SerialQueue();

/** Loads `request.source`; rejects when the files cannot be read or no device can run the model. */
export function loadModel(request: LoadRequest): Promise<LoadedModel> {
  return loads.run(() => withEnvFor(request.source, request.hub ?? {}, () => loadOnFirstDevice(request)));
}

async function loadOnFirstDevice(request: LoadRequest): Promise<LoadedModel> {
  const { source, dtype, log } = request;
  const loadId = idForTransformers(source);
  // Read first: a folder whose pooling nearfeed cannot run is refused before any download or session.
  const { family, unread } = await readFamily(source);
  // Throws when the hub is unreachable; the caller says so once, so the family files' misses are not repeated.
  const tokenizer = await AutoTokenizer.from_pretrained(loadId);
  for (const note of unread) log(note);
  const candidates = deviceCandidates(request.device);
  let firstFailure: { device: NodeDevice; reason: string } | undefined;
  for (const [index, device] of candidates.entries()) {
    let model: PreTrainedModel | undefined;
    const cudaMissing = device === 'cuda' ? cudaUnavailableReason() : undefined;
    if (cudaMissing !== undefined && index < candidates.length - 1) {
      // Not asked of ONNX Runtime: it would print a native error line before this note.
      firstFailure ??= { device, reason: cudaMissing };
      log(`nearfeed: not using CUDA (${cudaMissing}); running on ${candidates[index + 1]}`);
      continue;
    }
    try {
      model = await AutoModel.from_pretrained(loadId, { dtype, device });
      await request.probe(model, tokenizer, family);
    } catch (error) {
      await model?.dispose().catch(() => undefined);
      const isLast = index === candidates.length - 1;
      if (isLast) throw error;
      const reason = describeDeviceError(device, errorSummary(error, 400));
      firstFailure ??= { device, reason };
      log(`nearfeed: cannot run the model on ${device} (${reason}); trying ${candidates[index + 1]}`);
      continue;
    }
    const config = JSON.parse(JSON.stringify(model.config)) as Record<string, unknown>;
    return {
      tokenizer,
      model,
      device,
      ...(firstFailure
        ? { deviceFallback: { requested: firstFailure.device, used: device, reason: firstFailure.reason } }
        : {}),
      config,
      family,
      inputNames: sessionInputNames(model),
    };
  }
  throw new Error('no device to try');
}

/**
 * The name transformers.js resolves: a local folder is loaded as `<name>` under `env.localModelPath` = its
 * parent, or by absolute path when its name is not a valid model id.
 */
function idForTransformers(source: ModelSource): string {
  if (source.kind === 'hub') return source.id;
  return isHubId(source.name) ? source.name : source.dir;
}

type EnvFields = Pick<
  typeof env,
  'allowLocalModels' | 'allowRemoteModels' | 'localModelPath' | 'remoteHost' | 'cacheDir'
>;

async function withEnvFor<T>(source: ModelSource, hub: HubOptions, task: () => Promise<T>): Promise<T> {
  const saved: EnvFields = {
    allowLocalModels: env.allowLocalModels,
    allowRemoteModels: env.allowRemoteModels,
    localModelPath: env.localModelPath,
    remoteHost: env.remoteHost,
    cacheDir: env.cacheDir,
  };
  if (source.kind === 'local') {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = `${path.dirname(source.dir)}${path.sep}`;
  } else {
    // Local lookup off: a folder under localModelPath that happens to share the id must not shadow the hub.
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    if (hub.endpoint !== undefined) env.remoteHost = hub.endpoint.endsWith('/') ? hub.endpoint : `${hub.endpoint}/`;
    if (hub.cacheDir !== undefined) env.cacheDir = path.resolve(hub.cacheDir);
  }
  try {
    return await task();
  } finally {
    Object.assign(env, saved);
  }
}

/**
 * The model's sentence-transformers family, from the folder or the hub (each file through the hub cache, see
 * fetchHubJson). A hub file that cannot be fetched counts as absent, with a note in `unread`, logged only once
 * the model itself has loaded: when the hub is unreachable the model files fail the load too, and that is
 * reported once by the caller.
 */
async function readFamily(source: ModelSource): Promise<{ family: ModelFamily; unread: string[] }> {
  if (source.kind === 'local') {
    return { family: await readModelFamily(source.name, async (file) => readModelJson(source.dir, file)), unread: [] };
  }
  const unread: string[] = [];
  const family = await readModelFamily(source.id, async (file) => {
    try {
      return await fetchHubJson(source.id, file);
    } catch (error) {
      unread.push(`nearfeed: could not read ${file} of ${source.id} (${errorSummary(error)}); treating it as absent`);
      return undefined;
    }
  });
  return { family, unread };
}

/** Input names the model's ONNX session declares. */
export function sessionInputNames(model: PreTrainedModel): readonly string[] {
  const session = (model.sessions as Record<string, { inputNames?: readonly string[] } | undefined>)['model'];
  return session?.inputNames ?? ['input_ids', 'attention_mask'];
}

/**
 * A small JSON file of a hub repository, from transformers.js' file cache when it is there, else from the hub
 * through `env.fetch` (the fetch transformers.js itself uses), then kept in that cache next to the model's
 * files, so an offline restart truncates exactly as the first, online start did. Undefined when the
 * repository has no such file.
 */
async function fetchHubJson(id: string, file: string): Promise<Record<string, unknown> | undefined> {
  const cached = env.useFSCache && env.cacheDir ? path.join(env.cacheDir, id, file) : undefined;
  if (cached) {
    try {
      return JSON.parse(await readFile(cached, 'utf8')) as Record<string, unknown>;
    } catch {
      // Not cached: ask the hub.
    }
  }
  const repoPath = env.remotePathTemplate.replaceAll('{model}', id).replaceAll('{revision}', 'main');
  const url = [env.remoteHost, repoPath, file].map((part) => part.replace(/^\/+|\/+$/g, '')).join('/');
  const response = (await env.fetch(url, { signal: AbortSignal.timeout(10_000) })) as Response;
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  const text = await response.text();
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (cached) {
    await mkdir(path.dirname(cached), { recursive: true });
    await writeFile(cached, text);
  }
  return parsed;
}
