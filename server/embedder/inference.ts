/**
 * One model run: pad a batch of token ids into int64 tensors, run the session through transformers.js and
 * pool the token vectors into sentence embeddings.
 */
import { Tensor, type PreTrainedModel } from '@huggingface/transformers';
import { padBatch } from '../../shared/embedding/pad-batch';
import { float16BitsToFloat32, meanPoolNormalize } from '../../shared/embedding/pooling';
import type { EncodedText } from '../../shared/embedding/token-encoder';

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
  const { batch, seqLength, inputIds, attentionMask, tokenTypeIds } = padBatch(rows, padTokenId);
  const dims = [batch, seqLength];
  const feeds: Record<string, Tensor> = {
    input_ids: new Tensor('int64', inputIds, dims),
    attention_mask: new Tensor('int64', attentionMask, dims),
  };
  if (sessionInputNames(model).includes('token_type_ids')) {
    feeds['token_type_ids'] = new Tensor('int64', tokenTypeIds, dims);
  }

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
  return meanPoolNormalize({ data: toFloat32(hidden), batch, seqLength, dim }, attentionMask);
}

function toFloat32(tensor: OutputTensor): Float32Array {
  if (tensor.data instanceof Float32Array) return tensor.data;
  if (tensor.type === 'float16' && tensor.data instanceof Uint16Array) return float16BitsToFloat32(tensor.data);
  if (tensor.type === 'float16' || tensor.type === 'float64') {
    return Float32Array.from(tensor.data as ArrayLike<number>);
  }
  throw new Error(`unsupported model output type ${tensor.type}: expected float32 or float16 token vectors`);
}
