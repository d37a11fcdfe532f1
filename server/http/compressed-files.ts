/**
 * Compressed copies of static files, made once per file version and encoding and kept in memory (bounded,
 * least recently used out first). Made in the background: the request that finds no copy is served the file
 * as it is at once and the copy serves the requests after it, so nobody waits seconds for a 27 MB wasm to be
 * compressed. A copy belongs to one (path, size, mtime): a rebuilt file gets a new one.
 */
import { readFile } from 'node:fs/promises';
import { compressBytes, type Encoding } from './compression';

export interface CompressedFilesOptions {
  /** Most bytes of compressed copies held (default 96 MiB). */
  maxBytes?: number;
  /** Files larger than this are never compressed (default 64 MiB): the work and memory outweigh the gain. */
  maxFileBytes?: number;
}

/** The file a copy is of: its path and the version stat() reported. */
export interface FileVersion {
  path: string;
  size: number;
  mtimeMs: number;
}

export class CompressedFiles {
  private readonly copies = new Map<string, Buffer>();
  private readonly making = new Map<string, Promise<void>>();
  /** Versions whose compressed form was no smaller (already compressed data): never tried again. */
  private readonly incompressible = new Set<string>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxFileBytes: number;

  constructor(options: CompressedFilesOptions = {}) {
    this.maxBytes = options.maxBytes ?? 96 * 1024 * 1024;
    this.maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
  }

  /** The compressed copy when it is ready; otherwise undefined, and one is started in the background. */
  get(file: FileVersion, encoding: Encoding): Buffer | undefined {
    if (file.size > this.maxFileBytes) return undefined;
    const key = `${encoding}|${file.size}|${file.mtimeMs}|${file.path}`;
    const copy = this.copies.get(key);
    if (copy) {
      // Most recently used last.
      this.copies.delete(key);
      this.copies.set(key, copy);
      return copy;
    }
    if (!this.making.has(key) && !this.incompressible.has(key)) {
      const job = this.make(key, file, encoding)
        .catch(() => undefined) // unreadable now: served as is, tried again at the next request
        .finally(() => this.making.delete(key));
      this.making.set(key, job);
    }
    return undefined;
  }

  /** Resolves when every copy being made is done (tests). */
  async settled(): Promise<void> {
    await Promise.all(this.making.values());
  }

  private async make(key: string, file: FileVersion, encoding: Encoding): Promise<void> {
    const raw = await readFile(file.path);
    // Changed while we were reading: this copy would be of neither version.
    if (raw.byteLength !== file.size) return;
    const packed = await compressBytes(raw, encoding);
    if (packed.byteLength >= raw.byteLength || packed.byteLength > this.maxBytes) {
      this.incompressible.add(key);
      return;
    }
    for (const old of [...this.copies.keys()]) {
      if (old.endsWith(`|${file.path}`) && old.startsWith(`${encoding}|`)) this.drop(old);
    }
    this.copies.set(key, packed);
    this.bytes += packed.byteLength;
    for (const oldest of this.copies.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  private drop(key: string): void {
    const copy = this.copies.get(key);
    if (!copy) return;
    this.copies.delete(key);
    this.bytes -= copy.byteLength;
  }
}
