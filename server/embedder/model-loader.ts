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
import {
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
  probe: (model: PreTrainedModel, tokenizer: PreTrainedTokenizer) => Promise<void>;
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
  /** sentence_bert_config.json, when the model has one. */
  sentenceBertConfig?: Record<string, unknown>;
}

const loads = new SerialQueue();

/** Loads `request.source`; rejects when the files cannot be read or no device can run the model. */
export function loadModel(request: LoadRequest): Promise<LoadedModel> {
  return loads.run(() => withEnvFor(request.source, request.hub ?? {}, () => loadOnFirstDevice(request)));
}

async function loadOnFirstDevice(request: LoadRequest): Promise<LoadedModel> {
  const { source, dtype, log } = request;
  const loadId = idForTransformers(source);
  const tokenizer = await AutoTokenizer.from_pretrained(loadId);
  const candidates = deviceCandidates(request.device);
  let firstFailure: { device: NodeDevice; reason: string } | undefined;
  for (const [index, device] of candidates.entries()) {
    let model: PreTrainedModel | undefined;
    try {
      model = await AutoModel.from_pretrained(loadId, { dtype, device });
      await request.probe(model, tokenizer);
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
    const sentenceBertConfig = await readSentenceBertConfig(source, log);
    return {
      tokenizer,
      model,
      device,
      ...(firstFailure
        ? { deviceFallback: { requested: firstFailure.device, used: device, reason: firstFailure.reason } }
        : {}),
      config,
      ...(sentenceBertConfig ? { sentenceBertConfig } : {}),
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

async function readSentenceBertConfig(
  source: ModelSource,
  log: (message: string) => void,
): Promise<Record<string, unknown> | undefined> {
  if (source.kind === 'local') return readModelJson(source.dir, 'sentence_bert_config.json');
  try {
    return await fetchHubJson(source.id, 'sentence_bert_config.json');
  } catch (error) {
    log(`nearfeed: no sentence_bert_config.json for ${source.id} (${errorSummary(error)})`);
    return undefined;
  }
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
