/**
 * The independent reference for model-family tests (vitest and e2e): the folder's tokenizer, one padded batch
 * through a plain onnxruntime-node InferenceSession fed exactly the inputs the graph declares, then the pooling
 * written out by hand (not shared/embedding/pooling.ts), normalised when asked.
 */
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';

export type Mode = 'mean' | 'cls' | 'max' | 'lasttoken' | 'weightedmean' | 'mean_sqrt_len';

/** Vectors of `texts` (short enough not to be truncated) from the model folder `dir`. */
export async function referenceEmbeddings(dir: string, texts: string[], mode: Mode, normalize: boolean): Promise<Float32Array[]> {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  const tokenizer = await AutoTokenizer.from_pretrained(dir);
  const rows = texts.map((t) => (tokenizer._call(t, { return_tensor: false }) as unknown as { input_ids: number[] }).input_ids);
  const session = await ort.InferenceSession.create(path.join(dir, 'onnx', 'model.onnx'));
  try {
    const seq = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * seq);
    const mask = new BigInt64Array(rows.length * seq);
    rows.forEach((row, b) => row.forEach((id, t) => ((ids[b * seq + t] = BigInt(id)), (mask[b * seq + t] = 1n))));
    const dims = [rows.length, seq];
    const all: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, dims),
      attention_mask: new ort.Tensor('int64', mask, dims),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(rows.length * seq), dims),
    };
    const out = await session.run(Object.fromEntries(session.inputNames.map((n) => [n, all[n]!])));
    const hidden = out['last_hidden_state']!;
    const dim = hidden.dims[2]!;
    const h = hidden.data as Float32Array;
    return rows.map((row, b) => {
      const tok = (t: number, d: number) => h[(b * seq + t) * dim + d]!;
      const n = row.length;
      const v = Array.from({ length: dim }, (_, d) => {
        const values = Array.from({ length: n }, (_, t) => tok(t, d));
        switch (mode) {
          case 'mean':
            return values.reduce((a, x) => a + x, 0) / n;
          case 'mean_sqrt_len':
            return values.reduce((a, x) => a + x, 0) / Math.sqrt(n);
          case 'weightedmean':
            return values.reduce((a, x, t) => a + x * (t + 1), 0) / ((n * (n + 1)) / 2);
          case 'cls':
            return values[0]!;
          case 'max':
            return Math.max(...values);
          case 'lasttoken':
            return values[n - 1]!;
        }
      });
      const norm = normalize ? Math.hypot(...v) : 1;
      return Float32Array.from(v, (x) => x / norm);
    });
  } finally {
    await session.release();
  }
}

