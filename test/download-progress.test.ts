/**
 * The worker's model download progress: transformers.js' per-file events (the shapes of
 * @huggingface/transformers' ProgressInfo) summed into one fraction that waits for the weights' size, never
 * goes back, steps in whole percents and leaves 1 to the ready session.
 */
import type { ProgressInfo } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { DownloadProgress } from '../client/worker/download-progress';

const name = 'nearfeed-test';
const initiate = (file: string): ProgressInfo => ({ status: 'initiate', name, file });
const download = (file: string): ProgressInfo => ({ status: 'download', name, file });
const bytes = (file: string, loaded: number, total: number): ProgressInfo => ({
  status: 'progress',
  name,
  file,
  loaded,
  total,
  progress: (loaded / total) * 100,
});
const done = (file: string): ProgressInfo => ({ status: 'done', name, file });

describe('DownloadProgress', () => {
  it('reports nothing until the weights have a size, then bytes of all files over their total', () => {
    const p = new DownloadProgress();
    expect(p.update(initiate('tokenizer.json'))).toBeNull();
    expect(p.update(download('tokenizer.json'))).toBeNull();
    // The tokenizer alone finishing must not look like a finished model.
    expect(p.update(bytes('tokenizer.json', 100, 100))).toBeNull();
    expect(p.update(done('tokenizer.json'))).toBeNull();
    expect(p.update(initiate('onnx/model.onnx'))).toBeNull();
    expect(p.update(bytes('onnx/model.onnx', 300, 900))).toEqual({ fraction: 0.4, loaded: 400, total: 1000 });
    expect(p.update(bytes('onnx/model.onnx', 800, 900))).toEqual({ fraction: 0.9, loaded: 900, total: 1000 });
  });

  it('never goes back when a late file adds to the total, and leaves 1 to the ready session', () => {
    const p = new DownloadProgress();
    p.update(initiate('onnx/model.onnx'));
    expect(p.update(bytes('onnx/model.onnx', 500, 1000))!.fraction).toBe(0.5);
    // config.json starting late: 500/2000 overall, but the bar holds at 0.5.
    expect(p.update(bytes('config.json', 0, 1000))).toBeNull();
    expect(p.update(bytes('config.json', 1000, 1000))!.fraction).toBe(0.75);
    expect(p.update(done('config.json'))).toBeNull();
    const last = p.update(done('onnx/model.onnx'));
    expect(last).toEqual({ fraction: 0.99, loaded: 2000, total: 2000 });
    expect(p.update(done('onnx/model.onnx'))).toBeNull();
  });

  it('posts at most one update per step and ignores events that are not per-file', () => {
    const p = new DownloadProgress();
    const fractions: number[] = [];
    for (let loaded = 0; loaded <= 100_000; loaded += 100) {
      const moved = p.update(bytes('onnx/model_quantized.onnx', loaded, 100_000));
      if (moved) fractions.push(moved.fraction);
    }
    expect(fractions.length).toBeGreaterThan(50);
    expect(fractions.length).toBeLessThanOrEqual(100);
    // Each step at least a percent (float tolerance), save the last one onto the 0.99 ceiling.
    const steps = fractions.slice(1).map((f, i) => f - fractions[i]!);
    expect(steps.slice(0, -1).every((d) => d >= 0.01 - 1e-12)).toBe(true);
    expect(steps.at(-1)).toBeGreaterThan(0);
    expect(fractions.at(-1)).toBe(0.99);
    expect(p.update({ status: 'ready', task: 'feature-extraction', model: name })).toBeNull();
    expect(
      p.update({ status: 'progress_total', name, progress: 100, loaded: 1, total: 1, files: {} }),
    ).toBeNull();
  });

  it('counts a file without a known size only once it reports bytes', () => {
    const p = new DownloadProgress();
    p.update(initiate('onnx/model.onnx_data'));
    expect(p.update(bytes('onnx/model.onnx_data', 10, Number.NaN))).toBeNull();
    expect(p.update(bytes('onnx/model.onnx_data', 10, 40))!.fraction).toBe(0.25);
  });
});
