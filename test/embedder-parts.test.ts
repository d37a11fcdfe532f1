/**
 * The Node embedding engine's own pure parts: the serial queue, model-source resolution and device choice.
 * The parts it shares with the browser worker (batch plan, pooling, truncation) are tested in
 * shared-embedding.test.ts; the model-backed behaviour is in node-embedder.test.ts.
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SerialQueue } from '../server/embedder/run-queue';
import { errorSummary, hubIdFor, ModelSourceError, resolveModelSource, validateModelFolder } from '../server/embedder/model-source';
import { cudaUnavailableReason } from '../server/embedder/device';
import { deviceCandidates, deviceFallbackNote, isDegradation } from '../server/embedder/device';

describe('SerialQueue', () => {
  it('never runs two tasks at once and keeps their order', async () => {
    const queue = new SerialQueue();
    let running = 0;
    let maxRunning = 0;
    const order: number[] = [];
    const task = (id: number, ms: number) => async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(id);
      running -= 1;
      return id;
    };
    const results = await Promise.all([queue.run(task(1, 15)), queue.run(task(2, 1)), queue.run(task(3, 5))]);
    expect(results).toEqual([1, 2, 3]);
    expect(order).toEqual([1, 2, 3]);
    expect(maxRunning).toBe(1);
    expect(queue.size).toBe(0);
  });

  it('passes a failure to its caller and goes on with the next task', async () => {
    const queue = new SerialQueue();
    const failing = queue.run(async () => {
      throw new Error('boom');
    });
    const next = queue.run(async () => 'next');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});

describe('model source', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nearfeed-source-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('resolves a bare name as sentence-transformers does', () => {
    expect(resolveModelSource('all-MiniLM-L6-v2', tmp)).toEqual({ kind: 'hub', id: 'sentence-transformers/all-MiniLM-L6-v2' });
    expect(resolveModelSource('all-mpnet-base-v2', tmp)).toEqual({ kind: 'hub', id: 'sentence-transformers/all-mpnet-base-v2' });
    expect(hubIdFor('bert-base-uncased')).toBe('bert-base-uncased');
    expect(hubIdFor('BAAI/bge-small-en-v1.5')).toBe('BAAI/bge-small-en-v1.5');
  });

  it('checks for the CUDA provider library and the NVIDIA driver before ONNX Runtime is asked', () => {
    const machine = (files: string[], platform: NodeJS.Platform = 'linux') => ({
      platform,
      arch: 'x64',
      ortDir: '/ort',
      exists: (f: string) => files.includes(f),
    });
    const lib = '/ort/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so';
    expect(cudaUnavailableReason(machine([]))).toBe('the CUDA execution provider is not installed');
    expect(cudaUnavailableReason(machine([lib]))).toBe('no NVIDIA driver is loaded');
    expect(cudaUnavailableReason(machine([lib, '/proc/driver/nvidia/version']))).toBeUndefined();
    expect(cudaUnavailableReason(machine([], 'darwin'))).toBe('CUDA is not available on darwin');
    expect(cudaUnavailableReason({ ...machine([]), ortDir: undefined })).toBe('the CUDA execution provider is not installed');
  });

  it('tells hub ids from folders', () => {
    expect(resolveModelSource('Xenova/all-MiniLM-L6-v2', tmp)).toEqual({ kind: 'hub', id: 'Xenova/all-MiniLM-L6-v2' });
    expect(resolveModelSource('models/generated/nearfeed-test', tmp)).toEqual({
      kind: 'local',
      dir: path.join(tmp, 'models/generated/nearfeed-test'),
      name: 'nearfeed-test',
    });
    mkdirSync(path.join(tmp, 'mymodel'));
    expect(resolveModelSource('mymodel', tmp)).toMatchObject({ kind: 'local', name: 'mymodel' });
    expect(resolveModelSource('./mymodel/', tmp)).toMatchObject({ kind: 'local', name: 'mymodel' });
  });

  it('names the missing files and the command that creates them', () => {
    const dir = path.join(tmp, 'nearfeed-test');
    mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    writeFileSync(path.join(dir, 'config.json'), '{}');
    writeFileSync(path.join(dir, 'onnx', 'model.onnx'), '');
    expect(() => validateModelFolder(dir, 'q8')).toThrow(ModelSourceError);
    expect(() => validateModelFolder(dir, 'q8')).toThrow(
      /missing tokenizer\.json, tokenizer_config\.json, onnx\/model_quantized\.onnx \(onnx\/model_quantized\.onnx is the file for dtype q8\)\. .*`npm run model:test`/,
    );
    expect(() => validateModelFolder(path.join(tmp, 'absent'), 'fp32')).toThrow(/does not exist\. .*EMBEDDING_MODEL/);
  });
});

describe('errorSummary', () => {
  it('keeps what failed and drops where: a mirror URL, a peer address, with the cause', () => {
    const err = new Error('fetch failed https://hf-mirror.internal:8443/Xenova/x/resolve/main/config.json', {
      cause: new Error('connect ECONNREFUSED 10.0.0.5:443'),
    });
    const text = errorSummary(err);
    expect(text).toBe('fetch failed <address> (connect ECONNREFUSED <address>)');
    expect(text).not.toMatch(/hf-mirror|10\.0\.0\.5|8443/);
    expect(errorSummary(new Error('getaddrinfo ENOTFOUND huggingface.co'))).toBe('getaddrinfo ENOTFOUND huggingface.co');
  });
});

describe('device choice', () => {
  it('always ends with the CPU and reports only fallbacks the caller did not choose', () => {
    expect(deviceCandidates('auto')).toEqual(['cuda', 'cpu']);
    expect(deviceCandidates('webgpu')).toEqual(['webgpu', 'cpu']);
    expect(deviceCandidates('cpu')).toEqual(['cpu']);
    expect(isDegradation('auto', 'cpu')).toBe(false);
    expect(isDegradation('cuda', 'cpu')).toBe(true);
    expect(deviceFallbackNote({ requested: 'cuda', used: 'cpu', reason: 'Failed to load shared library' })).toBe(
      'running on CPU instead of the requested CUDA: Failed to load shared library; to use it, install the CUDA ' +
        'execution provider with `ONNXRUNTIME_NODE_INSTALL_CUDA=v12 npm install` (needs CUDA 12 and cuDNN 9)',
    );
  });
});
