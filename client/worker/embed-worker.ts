/// <reference lib="webworker" />
/**
 * The embedding worker: owns one TransformersEmbedder (one ONNX session) so inference never blocks the page.
 * Embed requests that arrive while a run is going are coalesced into the next run (one token-sorted set of
 * batches), so many small calls cost about what one large call costs.
 */
import { errorText } from '../error-text';
import type { EmbedRequest, WorkerMessage, WorkerRequest } from './protocol';
import { TransformersEmbedder } from './transformers-embedder';

declare const self: DedicatedWorkerGlobalScope;

let embedder: TransformersEmbedder | null = null;
let pending: EmbedRequest[] = [];
let draining = false;

function post(message: WorkerMessage, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

async function drain(): Promise<void> {
  if (draining) return;
  draining = true;
  try {
    while (pending.length > 0) {
      const group = pending;
      pending = [];
      const current = embedder;
      if (!current) {
        for (const req of group) post({ type: 'error', id: req.id, message: 'embedder not initialised' });
        continue;
      }
      const started = performance.now();
      try {
        const flat = await current.embedFlat(group.flatMap((req) => req.texts));
        const runMs = performance.now() - started;
        const dim = current.info.dimension;
        let offset = 0;
        for (const req of group) {
          const data = flat.slice(offset * dim, (offset + req.texts.length) * dim);
          offset += req.texts.length;
          post({ type: 'vectors', id: req.id, dimension: dim, data, runMs }, [data.buffer]);
        }
      } catch (err) {
        for (const req of group) post({ type: 'error', id: req.id, message: errorText(err) });
      }
    }
  } finally {
    draining = false;
  }
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const req = event.data;
  switch (req.type) {
    case 'init': {
      const started = performance.now();
      try {
        await embedder?.dispose();
        embedder = await TransformersEmbedder.load({
          ...req,
          onProgress: (fraction, detail) => post({ type: 'progress', phase: 'model', fraction, detail }),
        });
        post({ type: 'ready', id: req.id, info: embedder.info, loadMs: performance.now() - started, threads: embedder.threads, timings: embedder.timings });
      } catch (err) {
        embedder = null;
        post({ type: 'error', id: req.id, message: errorText(err) });
      }
      break;
    }
    case 'embed':
      pending.push(req);
      void drain();
      break;
    case 'dispose':
      try {
        await embedder?.dispose();
      } finally {
        embedder = null;
        post({ type: 'done', id: req.id });
      }
      break;
  }
};
