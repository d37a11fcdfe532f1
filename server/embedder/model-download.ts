/**
 * Downloads a model folder served over HTTP (EMBEDDING_MODEL=https://host/path/model/) once into the model
 * cache, then it is a local folder like any other. A download is all or nothing: files go into a hidden
 * `.partial-*` folder that is renamed to `<cache>/<name>/` only when every file arrived whole (Content-Length
 * met, the total under MODEL_DOWNLOAD_MAX_BYTES, each digest equal to the folder's SHA256SUMS when it has one)
 * within MODEL_DOWNLOAD_TIMEOUT_MS; on any failure the partial folder is removed, so a cut download never
 * loads as a model. A later start finds the folder and uses it without the network.
 *
 * Messages name the model by its `name` and the file at fault, never the URL: they reach health, which is
 * public. Only the start line in the log shows where the model comes from, without credentials or query.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmbeddingDtype } from '../../shared/embedder';
import { readModelFamily } from '../../shared/embedding/model-family';
import { ONNX_FILE_FOR_DTYPE } from './model-source';
import { isSecureTransport, type ModelUrl } from './model-url';

/** The optional digest list at the model URL: `sha256sum` output (`<64 hex>  <path>` per line). */
const MANIFEST_FILE = 'SHA256SUMS';
/** Written last into a complete download: what was fetched, for a later start (and people) to read. */
const DOWNLOAD_RECORD_FILE = '.nearfeed-download.json';

/** Settings of {@link downloadModel}. */
export interface DownloadOptions {
  url: ModelUrl;
  /** Where downloaded models live: `<cacheDir>/<url.name>/`. */
  cacheDir: string;
  /** Which ONNX file to fetch (onnx/model.onnx for fp32, …). */
  dtype: EmbeddingDtype;
  /** MODEL_DOWNLOAD_TIMEOUT_MS: the whole download, all files together. */
  timeoutMs: number;
  /** MODEL_DOWNLOAD_MAX_BYTES: most bytes of all files together. */
  maxBytes: number;
  /** Progress and outcome lines. */
  log: (message: string) => void;
  /** Least time between two progress lines of one file (default 2 s); every finished file gets one too. */
  progressIntervalMs?: number;
}

/** A download that did not give a whole, verified model; nothing of it was kept. */
export class ModelDownloadError extends Error {
  override readonly name = 'ModelDownloadError';
}

/** Files every model needs (model-source.ts validateModelFolder checks the same after the download). */
function requiredFiles(dtype: EmbeddingDtype): string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', `onnx/${ONNX_FILE_FOR_DTYPE[dtype]}`];
}

interface DownloadRecord {
  url: string;
  files: Record<string, { bytes: number; sha256: string }>;
  manifest: boolean;
  completedAt: string;
}

/**
 * The local folder of the model at `options.url`: the cached one when a complete download is there (a missing
 * ONNX file for another dtype is added to it, verified and atomically), else a fresh download. Rejects with a
 * {@link ModelDownloadError} naming the model and the file.
 */
export async function downloadModel(options: DownloadOptions): Promise<string> {
  const { url, cacheDir, dtype } = options;
  const finalDir = path.join(cacheDir, url.name);
  const record = await readRecord(finalDir);
  if (record) {
    const onnx = `onnx/${ONNX_FILE_FOR_DTYPE[dtype]}`;
    if (!(onnx in record.files)) await addFile(finalDir, record, onnx, options);
    options.log(`model ${url.name}: using the download cached in ${finalDir} (no network)`);
    return finalDir;
  }

  await mkdir(cacheDir, { recursive: true });
  await removeStalePartials(cacheDir, url.name, options.timeoutMs);
  const partial = path.join(cacheDir, `.partial-${url.name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(partial);
  options.log(`model ${url.name}: downloading ${url.display} into ${finalDir}`);
  const started = performance.now();
  try {
    const session = new DownloadSession(options, partial);
    const fresh = await session.run();
    await writeFile(path.join(partial, DOWNLOAD_RECORD_FILE), JSON.stringify(fresh, null, 2));
    try {
      await rename(partial, finalDir);
    } catch (error) {
      // Another process sharing the cache finished first: its folder is as good as ours.
      if (!(await readRecord(finalDir))) throw error;
      await rm(partial, { recursive: true, force: true });
    }
    const bytes = Object.values(fresh.files).reduce((sum, f) => sum + f.bytes, 0);
    options.log(
      `model ${url.name}: downloaded ${Object.keys(fresh.files).length} files, ${mb(bytes)} in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s${fresh.manifest ? `, verified against ${MANIFEST_FILE}` : ` (no ${MANIFEST_FILE} at the URL: digests not checked)`}`,
    );
    return finalDir;
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

/** Fetches one more file into a complete download (another dtype's ONNX file), checked as a first download is. */
async function addFile(dir: string, record: DownloadRecord, file: string, options: DownloadOptions): Promise<void> {
  const partial = path.join(dir, `.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(partial);
  try {
    const manifest = record.manifest ? parseManifest(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'), options.url.name) : undefined;
    const used = Object.values(record.files).reduce((sum, f) => sum + f.bytes, 0);
    const session = new DownloadSession(options, partial, { manifest, usedBytes: used });
    const entry = await session.file(file, true);
    if (!entry) throw new ModelDownloadError(`model ${options.url.name}: ${file} is missing at its URL (HTTP 404)`);
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await rename(path.join(partial, file), path.join(dir, file));
    record.files[file] = entry;
    await writeFile(path.join(dir, DOWNLOAD_RECORD_FILE), JSON.stringify(record, null, 2));
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}

/** One download attempt into `dir`, under one overall deadline and one byte budget. */
class DownloadSession {
  private readonly signal: AbortSignal;
  private readonly files: DownloadRecord['files'] = {};
  private manifest: Map<string, string> | undefined;
  private usedBytes: number;

  constructor(
    private readonly options: DownloadOptions,
    private readonly dir: string,
    preset: { manifest: Map<string, string> | undefined; usedBytes: number } = { manifest: undefined, usedBytes: 0 },
  ) {
    this.signal = AbortSignal.timeout(options.timeoutMs);
    this.manifest = preset.manifest;
    this.usedBytes = preset.usedBytes;
  }

  /** Manifest, the family files (which also say whether nearfeed can run the model), then the rest. */
  async run(): Promise<DownloadRecord> {
    const name = this.options.url.name;
    const manifestEntry = await this.file(MANIFEST_FILE, false, { verify: false });
    if (manifestEntry) this.manifest = parseManifest(await readFile(path.join(this.dir, MANIFEST_FILE), 'utf8'), name);
    // The files sentence-transformers reads, asked for exactly as the loader will ask for them.
    await readModelFamily(name, async (file) => {
      const entry = await this.file(file, false);
      return entry ? parseJson(await readFile(path.join(this.dir, file), 'utf8'), name, file) : undefined;
    });
    for (const file of requiredFiles(this.options.dtype)) {
      if (!(await this.file(file, true))) {
        throw new ModelDownloadError(`model ${name}: ${file} is missing at its URL (HTTP 404); a model folder needs ${requiredFiles(this.options.dtype).join(', ')}`);
      }
    }
    return { url: this.options.url.display, files: this.files, manifest: this.manifest !== undefined, completedAt: new Date().toISOString() };
  }

  /**
   * Downloads `file` into the session folder; undefined when the URL answers 404 for it. `verify: false` skips
   * the manifest check (for the manifest itself).
   */
  async file(file: string, required: boolean, { verify = true } = {}): Promise<{ bytes: number; sha256: string } | undefined> {
    const { url, log } = this.options;
    const label = `model ${url.name}: ${file}`;
    if (!isSafeRelativePath(file)) throw new ModelDownloadError(`${label}: not a plain relative path inside the model folder; refused`);
    if (this.files[file]) return this.files[file];
    const expected = verify ? this.manifest?.get(file) : undefined;
    if (verify && this.manifest && expected === undefined && required) {
      throw new ModelDownloadError(`${label} is not listed in ${MANIFEST_FILE}: the manifest must list every file of the model`);
    }

    const response = await this.guard(file, () =>
      fetch(url.fileUrl(file), { headers: { ...url.headers(), 'accept-encoding': 'identity' }, signal: this.signal, redirect: 'follow' }),
    );
    if (response.redirected && !isSecureTransport(new URL(response.url))) {
      await response.body?.cancel().catch(() => undefined);
      throw new ModelDownloadError(`${label} was redirected to plain http on another machine; refused (https only)`);
    }
    if (response.status === 404) {
      await response.body?.cancel().catch(() => undefined);
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new ModelDownloadError(`${label} answered HTTP ${response.status}${response.status === 401 || response.status === 403 ? ' (check the credentials or token in EMBEDDING_MODEL)' : ''}`);
    }
    if (verify && this.manifest && expected === undefined) {
      await response.body?.cancel().catch(() => undefined);
      throw new ModelDownloadError(`${label} is not listed in ${MANIFEST_FILE}: the manifest must list every file of the model`);
    }
    // A compressed body's length is not the file's: then only the digest (if any) vouches for it.
    const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
    const declared = encoded ? undefined : contentLength(response);
    if (declared !== undefined && this.usedBytes + declared > this.options.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw this.tooLarge(file, this.usedBytes + declared);
    }

    const target = path.join(this.dir, file);
    await mkdir(path.dirname(target), { recursive: true });
    const handle = await open(target, 'wx');
    const hash = createHash('sha256');
    let received = 0;
    let lastLog = performance.now();
    const interval = this.options.progressIntervalMs ?? 2000;
    try {
      await this.guard(file, async () => {
        const reader = response.body?.getReader();
        // A refused chunk (over the byte budget) stops the transfer too.
        const stop = (error: unknown) => reader?.cancel().catch(() => undefined).then(() => Promise.reject(error));
        for (let next = await reader?.read().catch(stop); next && !next.done; next = await reader!.read().catch(stop)) {
          const chunk = next.value;
          received += chunk.byteLength;
          if (this.usedBytes + received > this.options.maxBytes) throw this.tooLarge(file, this.usedBytes + received);
          hash.update(chunk);
          await handle.write(chunk);
          if (performance.now() - lastLog >= interval) {
            lastLog = performance.now();
            log(`${label}: ${mb(received)}${declared ? ` of ${mb(declared)} (${Math.floor((100 * received) / declared)}%)` : ''}`);
          }
        }
      }, () => received, declared);
    } finally {
      await handle.close();
    }
    if (declared !== undefined && received !== declared) {
      throw new ModelDownloadError(`${label} is incomplete: received ${received} of ${declared} bytes (Content-Length); nothing was kept`);
    }
    const sha256 = hash.digest('hex');
    if (expected !== undefined && expected !== sha256) {
      throw new ModelDownloadError(`${label} does not match its sha256 in ${MANIFEST_FILE} (expected ${expected}, got ${sha256}); nothing was kept`);
    }
    this.usedBytes += received;
    this.files[file] = { bytes: received, sha256 };
    log(`${label}: ${mb(received)} done (${Object.keys(this.files).length} files, ${mb(this.usedBytes)} so far)`);
    return this.files[file];
  }

  /** Runs a network step, turning aborts, dropped connections and unreachable hosts into named errors. */
  private async guard<T>(file: string, step: () => Promise<T>, received?: () => number, declared?: number): Promise<T> {
    const name = this.options.url.name;
    try {
      return await step();
    } catch (error) {
      if (error instanceof ModelDownloadError) throw error;
      if (this.signal.aborted) {
        throw new ModelDownloadError(
          `model ${name}: download timed out after ${Math.round(this.options.timeoutMs / 1000)} s at ${file} ` +
            `(MODEL_DOWNLOAD_TIMEOUT_MS=${this.options.timeoutMs}); nothing was kept`,
        );
      }
      if (received) {
        throw new ModelDownloadError(
          `model ${name}: ${file} is incomplete: the connection closed after ${received()}${declared !== undefined ? ` of ${declared}` : ''} bytes; nothing was kept`,
        );
      }
      throw new ModelDownloadError(`model ${name}: cannot reach the model URL (${networkCode(error)}) while fetching ${file}`);
    }
  }

  private tooLarge(file: string, bytes: number): ModelDownloadError {
    return new ModelDownloadError(
      `model ${this.options.url.name}: the download exceeds MODEL_DOWNLOAD_MAX_BYTES (${this.options.maxBytes} bytes; ${bytes} at ${file}); nothing was kept`,
    );
  }
}

/** `sha256sum` output → path → digest; a line that is not `<64 hex> [ *]<path>` is refused. */
function parseManifest(text: string, name: string): Map<string, string> {
  const digests = new Map<string, string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([0-9a-fA-F]{64}) [ *](?:\.\/)?(.+)$/.exec(line);
    if (!match) throw new ModelDownloadError(`model ${name}: ${MANIFEST_FILE} line ${i + 1} is not "<sha256 hex>  <path>" (sha256sum output)`);
    digests.set(match[2]!, match[1]!.toLowerCase());
  }
  return digests;
}

/** A path the model folder may hold: relative, `/`-separated, no `..` or hidden segments. */
function isSafeRelativePath(file: string): boolean {
  return file.split('/').every((part) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(part));
}

function parseJson(text: string, name: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelDownloadError(`model ${name}: ${file} is not valid JSON`);
  }
}

function contentLength(response: Response): number | undefined {
  const value = response.headers.get('content-length');
  if (value === null || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** The error's code (ECONNREFUSED, ENOTFOUND, a TLS code): what went wrong, without the address. */
function networkCode(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'network error';
}

async function readRecord(dir: string): Promise<DownloadRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(path.join(dir, DOWNLOAD_RECORD_FILE), 'utf8')) as DownloadRecord;
    return typeof record.files === 'object' && record.files !== null ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Partial folders of this model older than the timeout are left by a killed process: no download owns them. */
async function removeStalePartials(cacheDir: string, name: string, timeoutMs: number): Promise<void> {
  const entries = await readdir(cacheDir).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.startsWith(`.partial-${name}-`)) continue;
    const full = path.join(cacheDir, entry);
    const info = await stat(full).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > timeoutMs) await rm(full, { recursive: true, force: true });
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
