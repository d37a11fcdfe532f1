/**
 * Dynamic batching on the real embedder (generated test model, ONNX Runtime): concurrent requests are
 * coalesced into fewer model calls with results identical to one call each; the bounded queue rejects with
 * QueueFullError (429 at the HTTP layer) instead of growing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../shared/embedder';
import { DynamicBatcher, QueueFullError } from '../server/ml/dynamic-batcher';
import { buildTestApp, countingEmbedder, loadTestEmbedder, post } from './support/ml-fixture';

let embedder: Embedder;
beforeAll(async () => {
  embedder = await loadTestEmbedder();
});
afterAll(async () => {
  await embedder.dispose();
});

const texts = Array.from({ length: 16 }, (_, i) => `concurrent request number ${i} about ${['seed rounds', 'design', 'hiring'][i % 3]}`);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('DynamicBatcher', () => {
  it('coalesces N concurrent single requests into fewer embedder calls with identical results', async () => {
    const counted = countingEmbedder(embedder);
    const batcher = new DynamicBatcher<string, Float32Array>({
      run: (items) => counted.embed(items),
      maxBatchSize: 64,
      windowMs: 5,
      maxQueueSize: 1024,
    });
    const results = await Promise.all(texts.map((t) => batcher.submit([t])));
    expect(counted.calls).toBeLessThan(texts.length);
    expect(counted.texts).toBe(texts.length);
    expect(batcher.stats()).toMatchObject({ runs: counted.calls, items: texts.length, queued: 0, rejected: 0 });
    // Same vectors as one embedder call per text.
    for (let i = 0; i < texts.length; i++) {
      const [alone] = await embedder.embed([texts[i]!]);
      expect(results[i]).toHaveLength(1);
      expect(maxAbsDiff(results[i]![0]!, alone!)).toBeLessThan(1e-5);
    }
  });

  it('caps a run at maxBatchSize and keeps each submission whole and in order', async () => {
    const seen: number[] = [];
    const batcher = new DynamicBatcher<string, Float32Array>({
      run: (items) => {
        seen.push(items.length);
        return embedder.embed(items);
      },
      maxBatchSize: 4,
      windowMs: 2,
      maxQueueSize: 100,
    });
    const groups = [texts.slice(0, 3), texts.slice(3, 5), texts.slice(5, 6), texts.slice(6, 10)];
    const out = await Promise.all(groups.map((g) => batcher.submit(g)));
    expect(seen.every((n) => n <= 4)).toBe(true);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(10);
    const direct = await embedder.embed(texts.slice(0, 10));
    expect(out.flat().map((v, i) => maxAbsDiff(v, direct[i]!)).every((d) => d < 1e-5)).toBe(true);
  });

  it('rejects with QueueFullError when the queue is full, and serves the rest', async () => {
    const batcher = new DynamicBatcher<string, Float32Array>({
      run: (items) => embedder.embed(items),
      maxBatchSize: 2,
      windowMs: 1,
      maxQueueSize: 3,
    });
    const settled = await Promise.allSettled(texts.map((t) => batcher.submit([t])));
    const rejected = settled.filter((s) => s.status === 'rejected');
    const fulfilled = settled.filter((s) => s.status === 'fulfilled');
    expect(rejected.length).toBeGreaterThan(0);
    expect(fulfilled.length).toBeGreaterThan(0);
    for (const r of rejected) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(QueueFullError);
    expect(batcher.stats().rejected).toBe(rejected.length);
  });

  it('a failing run rejects only the requests in that run; the next run works', async () => {
    let failNext = true;
    const batcher = new DynamicBatcher<string, Float32Array>({
      run: (items) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('simulated inference failure'));
        }
        return embedder.embed(items);
      },
      maxBatchSize: 8,
      windowMs: 1,
      maxQueueSize: 100,
    });
    await expect(batcher.submit(['first'])).rejects.toThrow('simulated inference failure');
    const [v] = await batcher.submit(['second']);
    expect(v).toHaveLength(embedder.info.dimension);
  });

  it('close() rejects what is waiting and refuses new work', async () => {
    const batcher = new DynamicBatcher<string, Float32Array>({
      run: (items) => embedder.embed(items),
      maxBatchSize: 8,
      windowMs: 50,
      maxQueueSize: 100,
    });
    const waiting = batcher.submit(['never runs']);
    batcher.close();
    await expect(waiting).rejects.toThrow('closed');
    await expect(batcher.submit(['late'])).rejects.toThrow('closed');
  });
});

describe('dynamic batching in the app', () => {
  it('concurrent POST /ml/embeddings share model calls and answer like sequential ones', async () => {
    const counted = countingEmbedder(embedder);
    const { app, ml } = buildTestApp({ model: { state: 'ready', embedder: counted, notes: [] }, env: { BATCH_WINDOW_MS: '5' } });
    const responses = await Promise.all(texts.map((text) => post(app, '/api/v1/ml/embeddings', { text })));
    expect(responses.map((r) => r.status)).toEqual(texts.map(() => 200));
    const vectors = await Promise.all(responses.map(async (r) => ((await r.json()) as { embedding: number[] }).embedding));
    expect(counted.calls).toBeLessThan(texts.length);
    expect(ml.batcherStats()?.runs).toBe(counted.calls);

    // Without dynamic batching: one embedder call per request, same vectors.
    const plain = countingEmbedder(embedder);
    const off = buildTestApp({ model: { state: 'ready', embedder: plain, notes: [] }, env: { DYNAMIC_BATCHING: 'false' } });
    for (let i = 0; i < texts.length; i++) {
      const res = await post(off.app, '/api/v1/ml/embeddings', { text: texts[i] });
      const v = ((await res.json()) as { embedding: number[] }).embedding;
      expect(maxAbsDiff(Float32Array.from(v), Float32Array.from(vectors[i]!))).toBeLessThan(1e-5);
    }
    expect(plain.calls).toBe(texts.length);
    expect(off.ml.batcherStats()).toBeUndefined();
  });
});
