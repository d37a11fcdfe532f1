/**
 * One model run: pad a batch of token ids into int64 tensors (only the inputs the graph declares), run the
 * session through transformers.js and pool the token vectors into sentence embeddings.
 */
import { Tensor, type PreTrainedModel } from '@huggingface/transformers';
import { graphInputs, padBatch } from '../../shared/embedding/pad-batch';
import { float16BitsToFloat32, poolTokens, type PoolingSpec } from '../../shared/embedding/pooling';
import type { EncodedText } from '../../shared/embedding/token-encoder';

/** The output name of BERT-like encoders exported by Optimum / transformers.js. */
const TOKEN_OUTPUT = 'last_hidden_state';

interface OutputTensor {
  type: string;
  data: ArrayLike<number> | ArrayLike<bigint>;
  dims: readonly number[];
}

/** What one run needs besides the rows: padding id, the graph's input names, the pooling. */
export interface RunSpec {
  padTokenId: number;
  inputNames: readonly string[];
  pooling: PoolingSpec;
}

/**
 * Embeds one batch: rows are padded on the right with `padTokenId` to the longest row; padding is masked
 * out of the pooling, so the result does not depend on which other texts share the batch.
 */
export async function embedBatch(
  model: PreTrainedModel,
  rows: readonly EncodedText[],
  spec: RunSpec,
): Promise<Float32Array[]> {
  const padded = padBatch(rows, spec.padTokenId);
  const { batch, seqLength } = padded;
  const dims = [batch, seqLength];
  const feeds = Object.fromEntries(
    Object.entries(graphInputs(padded, spec.inputNames)).map(([name, data]) => [name, new Tensor('int64', data, dims)]),
  );

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
  return poolTokens({ data: toFloat32(hidden), batch, seqLength, dim }, padded.attentionMask, spec.pooling);
}

function toFloat32(tensor: OutputTensor): Float32Array {
  if (tensor.data instanceof Float32Array) return tensor.data;
  if (tensor.type === 'float16' && tensor.data instanceof Uint16Array) return float16BitsToFloat32(tensor.data);
  if (tensor.type === 'float16' || tensor.type === 'float64') {
    return Float32Array.from(tensor.data as ArrayLike<number>);
  }
  throw new Error(`unsupported model output type ${tensor.type}: expected float32 or float16 token vectors`);
}
