/**
 * One model run: pad a batch of token ids into int64 tensors, run the session through transformers.js and
 * pool the token vectors into sentence embeddings.
 */
import { Tensor, type PreTrainedModel } from '@huggingface/transformers';
import type { EncodedText } from './token-encoder';
import { float16BitsToFloat32, meanPoolNormalize } from './pooling';

/** The output name of BERT-like encoders exported by Optimum / transformers.js. */
const TOKEN_OUTPUT = 'last_hidden_state';

interface OutputTensor {
  type: string;
  data: ArrayLike<number> | ArrayLike<bigint>;
  dims: readonly number[];
}

/** Input names the model's ONNX session declares. */
export function sessionInputNames(model: PreTrainedModel): readonly string[] {
  const session = (model.sessions as Record<string, { inputNames?: readonly string[] } | undefined>)['model'];
  return session?.inputNames ?? ['input_ids', 'attention_mask'];
}

/**
 * Embeds one batch: rows are padded on the right with `padTokenId` to the longest row; padding is masked
 * out of the mean, so the result does not depend on which other texts share the batch.
 */
export async function embedBatch(
  model: PreTrainedModel,
  rows: readonly EncodedText[],
  padTokenId: number,
): Promise<Float32Array[]> {
  const batch = rows.length;
  const seqLength = rows.reduce((max, row) => Math.max(max, row.ids.length), 0);
  const ids = new BigInt64Array(batch * seqLength).fill(BigInt(padTokenId));
  const mask = new BigInt64Array(batch * seqLength);
  const types = new BigInt64Array(batch * seqLength);
  rows.forEach((row, b) => {
    const base = b * seqLength;
    for (let t = 0; t < row.ids.length; t++) {
      ids[base + t] = BigInt(row.ids[t]!);
      mask[base + t] = 1n;
      types[base + t] = BigInt(row.typeIds?.[t] ?? 0);
    }
  });
  const dims = [batch, seqLength];
  const feeds: Record<string, Tensor> = {
    input_ids: new Tensor('int64', ids, dims),
    attention_mask: new Tensor('int64', mask, dims),
  };
  if (sessionInputNames(model).includes('token_type_ids')) feeds['token_type_ids'] = new Tensor('int64', types, dims);

  const outputs = (await model.forward(feeds)) as Record<string, OutputTensor>;
  const hidden = outputs[TOKEN_OUTPUT] ?? Object.values(outputs)[0];
  if (hidden === undefined) throw new Error('the model returned no outputs');
  const [outBatch, outSeq, dim] = hidden.dims;
  if (hidden.dims.length !== 3 || outBatch !== batch || outSeq !== seqLength || dim === undefined) {
    throw new Error(
      `expected token vectors of shape [${batch}, ${seqLength}, hidden] from the model, ` +
        `got [${hidden.dims.join(', ')}]`,
    );
  }
  return meanPoolNormalize({ data: toFloat32(hidden), batch, seqLength, dim }, mask);
}

function toFloat32(tensor: OutputTensor): Float32Array {
  if (tensor.data instanceof Float32Array) return tensor.data;
  if (tensor.type === 'float16' && tensor.data instanceof Uint16Array) return float16BitsToFloat32(tensor.data);
  if (tensor.type === 'float16' || tensor.type === 'float64') {
    return Float32Array.from(tensor.data as ArrayLike<number>);
  }
  throw new Error(`unsupported model output type ${tensor.type}: expected float32 or float16 token vectors`);
}
