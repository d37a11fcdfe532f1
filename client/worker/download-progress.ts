/**
 * One 0..1 fraction for a model load out of transformers.js' per-file progress events ('initiate',
 * 'download', 'progress' with loaded/total bytes, 'done'): the bytes of every file seen so far over their
 * total. transformers.js' own 'progress_total' covers only the model's files, and only when it could read
 * their sizes beforehand, so the worker sums the per-file events itself.
 */
import type { ProgressInfo } from '@huggingface/transformers';

/** What a progress bar needs: the fraction and the bytes behind it. */
export interface DownloadFraction {
  /** 0..0.99: 1 is left for the moment the session is ready, which is later than the last byte. */
  fraction: number;
  loaded: number;
  total: number;
}

/** The weights dominate the bytes; until their size is known any fraction would run ahead of the truth. */
const WEIGHTS_FILE = /\.onnx(_data)?$/;
const MAX_DOWNLOAD_FRACTION = 0.99;

export class DownloadProgress {
  private readonly files = new Map<string, { loaded: number; total: number; weights: boolean }>();
  private reported = 0;

  /**
   * Takes one event; returns the overall fraction when it moved on by at least `step` (so a large download
   * does not post a message per network chunk), else null. Reported fractions never go back, even when a
   * file that starts late adds to the total.
   */
  update(event: ProgressInfo, step = 0.01): DownloadFraction | null {
    if (event.status !== 'initiate' && event.status !== 'download' && event.status !== 'progress' && event.status !== 'done') {
      return null;
    }
    const key = `${event.name}/${event.file}`;
    const file = this.files.get(key) ?? { loaded: 0, total: 0, weights: WEIGHTS_FILE.test(event.file) };
    this.files.set(key, file);
    if (event.status === 'progress' && Number.isFinite(event.total) && event.total > 0) {
      file.total = event.total;
      file.loaded = Math.min(Math.max(0, event.loaded), event.total);
    } else if (event.status === 'done') {
      file.loaded = file.total;
    }

    let loaded = 0;
    let total = 0;
    let weightsKnown = false;
    for (const f of this.files.values()) {
      loaded += f.loaded;
      total += f.total;
      if (f.weights && f.total > 0) weightsKnown = true;
    }
    if (!weightsKnown || total === 0) return null;
    const fraction = Math.min(MAX_DOWNLOAD_FRACTION, loaded / total);
    const finished = fraction >= MAX_DOWNLOAD_FRACTION && this.reported < MAX_DOWNLOAD_FRACTION;
    if (fraction < this.reported + step && !finished) return null;
    this.reported = fraction;
    return { fraction, loaded, total };
  }
}
