/**
 * Builds the ONNX graph of a BERT encoder (opset 17) with the interface of all-MiniLM-L6-v2's export:
 * inputs input_ids / attention_mask / token_type_ids (int64 [batch, sequence]; the MPNet-like variant has no
 * token_type_ids, as all-mpnet-base-v2's export), output last_hidden_state
 * (float32 [batch, sequence, hidden]). Only common operators, so the CPU, WASM and WebGPU providers all run it.
 *
 * Two precisions from one builder:
 * - fp32: MatMul + Add for every dense layer;
 * - q8: what onnxruntime's quantize_dynamic emits and transformers.js loads as dtype "q8": int8 weights,
 *   activations quantized per call (DynamicQuantizeLinear → MatMulInteger → rescale), and an int8 word
 *   embedding table read through Gather → DequantizeLinear.
 */
import { DataType, type AttributeValue, type DataTypeCode, type ModelSpec, type NodeSpec, type TensorSpec } from './onnx';
import type { ModelSize } from './sizes';
import type { BertWeights, Weight } from './weights';

export type Precision = 'fp32' | 'q8';

const OPSET = 17;
// The additive mask value of the classic BERT exports: exp(-10000) is exactly 0 in float32, and unlike -inf it
// never turns a fully padded row into NaN.
const MASK_NEGATIVE = -10000;

function bytesOf(array: Float32Array | Int8Array | BigInt64Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Collects nodes and initializers; node outputs are named after the node so the graph reads like an export. */
class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: TensorSpec[] = [];
  private readonly names = new Set<string>();

  tensor(name: string, dataType: DataTypeCode, dims: number[], raw: Uint8Array): string {
    if (this.names.has(name)) throw new Error(`duplicate initializer ${name}`);
    this.names.add(name);
    this.initializers.push({ name, dataType, dims, raw });
    return name;
  }

  f32(name: string, w: Weight): string {
    return this.tensor(name, DataType.FLOAT, w.dims, bytesOf(w.data));
  }

  scalarF32(name: string, value: number): string {
    return this.tensor(name, DataType.FLOAT, [], bytesOf(Float32Array.of(value)));
  }

  i64(name: string, values: number[]): string {
    return this.tensor(name, DataType.INT64, [values.length], bytesOf(BigInt64Array.from(values, (v) => BigInt(v))));
  }

  /** Adds a node and returns its output names (`<name>_output_<i>`). */
  op(opType: string, name: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputs = 1): string[] {
    if (this.names.has(name)) throw new Error(`duplicate node ${name}`);
    this.names.add(name);
    const outs = Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`);
    this.nodes.push({ opType, name, inputs, outputs: outs, attributes });
    return outs;
  }

  op1(opType: string, name: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.op(opType, name, inputs, attributes)[0]!;
  }
}

/** Symmetric per-tensor int8 quantization, as quantize_dynamic does for weights. */
export function quantizeInt8(data: Float32Array): { values: Int8Array; scale: number } {
  let max = 0;
  for (const v of data) max = Math.max(max, Math.abs(v));
  const scale = Math.fround(max > 0 ? max / 127 : 1);
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = Math.max(-127, Math.min(127, Math.round(data[i]! / scale)));
  return { values, scale };
}

class BertGraph {
  private readonly g = new GraphBuilder();
  // One DynamicQuantizeLinear per activation, shared by the dense layers that read it (Q, K and V).
  private readonly quantizedInputs = new Map<string, string[]>();

  constructor(
    private readonly size: ModelSize,
    private readonly weights: BertWeights,
    private readonly precision: Precision,
  ) {}

  private dense(x: string, prefix: string, w: Weight, b: Weight): string {
    const g = this.g;
    const bias = g.f32(`${prefix}.bias`, b);
    if (this.precision === 'fp32') {
      const y = g.op1('MatMul', `${prefix}/MatMul`, [x, g.f32(`${prefix}.weight`, w)]);
      return g.op1('Add', `${prefix}/Add`, [y, bias]);
    }
    let q = this.quantizedInputs.get(x);
    if (q === undefined) {
      q = g.op('DynamicQuantizeLinear', `${x}_quant`, [x], {}, 3);
      this.quantizedInputs.set(x, q);
    }
    const [xq, xScale, xZero] = q as [string, string, string];
    const { values, scale } = quantizeInt8(w.data);
    const wq = g.tensor(`${prefix}.weight_quantized`, DataType.INT8, w.dims, bytesOf(values));
    const acc = g.op1('MatMulInteger', `${prefix}/MatMul_quant`, [xq, wq, xZero]);
    const accF = g.op1('Cast', `${prefix}/MatMul_quant_cast`, [acc], { to: DataType.FLOAT });
    const s = g.op1('Mul', `${prefix}/MatMul_quant_scale`, [xScale, g.scalarF32(`${prefix}.weight_scale`, scale)]);
    const y = g.op1('Mul', `${prefix}/MatMul_quant_output`, [accF, s]);
    return g.op1('Add', `${prefix}/Add`, [y, bias]);
  }

  private layerNorm(x: string, prefix: string, scale: Weight, bias: Weight): string {
    const g = this.g;
    return g.op1('LayerNormalization', `${prefix}/LayerNormalization`, [x, g.f32(`${prefix}.weight`, scale), g.f32(`${prefix}.bias`, bias)], {
      axis: -1,
      epsilon: { float: 1e-12 },
    });
  }

  private embeddings(): string {
    const g = this.g;
    const w = this.weights;
    let words: string;
    if (this.precision === 'fp32') {
      words = g.op1('Gather', '/embeddings/word_embeddings/Gather', [g.f32('embeddings.word_embeddings.weight', w.wordEmbeddings), 'input_ids']);
    } else {
      const { values, scale } = quantizeInt8(w.wordEmbeddings.data);
      const table = g.tensor('embeddings.word_embeddings.weight_quantized', DataType.INT8, w.wordEmbeddings.dims, bytesOf(values));
      const picked = g.op1('Gather', '/embeddings/word_embeddings/Gather', [table, 'input_ids']);
      const zero = g.tensor('embeddings.word_embeddings.weight_zero_point', DataType.INT8, [], bytesOf(Int8Array.of(0)));
      words = g.op1('DequantizeLinear', '/embeddings/word_embeddings/DequantizeLinear', [
        picked,
        g.scalarF32('embeddings.word_embeddings.weight_scale', scale),
        zero,
      ]);
    }
    // An MPNet-like graph has no token types: the sum skips that table and the input does not exist.
    const types = this.size.family.tokenTypeIds
      ? g.op1('Gather', '/embeddings/token_type_embeddings/Gather', [
          g.f32('embeddings.token_type_embeddings.weight', w.tokenTypeEmbeddings),
          'token_type_ids',
        ])
      : undefined;
    // Positions 0..seq-1 are implicit (the model has only three inputs): slice the first seq rows of the table.
    const seqLen = g.op1('Shape', '/embeddings/Shape', ['input_ids'], { start: 1, end: 2 });
    const positions = g.op1('Slice', '/embeddings/position_embeddings/Slice', [
      g.f32('embeddings.position_embeddings.weight', w.positionEmbeddings),
      g.i64('/embeddings/slice_starts', [0]),
      seqLen,
      g.i64('/embeddings/slice_axes', [0]),
    ]);
    const sum1 = types === undefined ? words : g.op1('Add', '/embeddings/Add', [words, types]);
    const sum2 = g.op1('Add', '/embeddings/Add_1', [sum1, positions]);
    return this.layerNorm(sum2, 'embeddings.LayerNorm', w.embeddingNormScale, w.embeddingNormBias);
  }

  /** [batch, seq] 0/1 mask → additive [batch, 1, 1, seq] bias: 0 where attended, MASK_NEGATIVE on padding. */
  private attentionBias(): string {
    const g = this.g;
    const expanded = g.op1('Unsqueeze', '/mask/Unsqueeze', ['attention_mask', g.i64('/mask/unsqueeze_axes', [1, 2])]);
    const asFloat = g.op1('Cast', '/mask/Cast', [expanded], { to: DataType.FLOAT });
    const inverted = g.op1('Sub', '/mask/Sub', [g.scalarF32('/mask/one', 1), asFloat]);
    return g.op1('Mul', '/mask/Mul', [inverted, g.scalarF32('/mask/negative', MASK_NEGATIVE)]);
  }

  private layer(x: string, index: number, bias: string): string {
    const g = this.g;
    const w = this.weights.layers[index]!;
    const { numHeads, hiddenSize } = this.size;
    const headDim = hiddenSize / numHeads;
    const p = `encoder.layer.${index}`;
    const headsShape = g.i64(`${p}/heads_shape`, [0, 0, numHeads, headDim]);
    const mergedShape = g.i64(`${p}/merged_shape`, [0, 0, hiddenSize]);

    const toHeads = (t: string, name: string, perm: number[]): string =>
      g.op1('Transpose', `${p}/attention/self/${name}/Transpose`, [g.op1('Reshape', `${p}/attention/self/${name}/Reshape`, [t, headsShape])], { perm });

    const q = toHeads(this.dense(x, `${p}.attention.self.query`, w.query, w.queryBias), 'query', [0, 2, 1, 3]);
    const k = toHeads(this.dense(x, `${p}.attention.self.key`, w.key, w.keyBias), 'key', [0, 2, 3, 1]);
    const v = toHeads(this.dense(x, `${p}.attention.self.value`, w.value, w.valueBias), 'value', [0, 2, 1, 3]);

    const scores = g.op1('MatMul', `${p}/attention/self/scores/MatMul`, [q, k]);
    const scaled = g.op1('Div', `${p}/attention/self/scores/Div`, [scores, g.scalarF32(`${p}/attention/self/sqrt_head_dim`, Math.sqrt(headDim))]);
    const masked = g.op1('Add', `${p}/attention/self/scores/Add`, [scaled, bias]);
    const probs = g.op1('Softmax', `${p}/attention/self/Softmax`, [masked], { axis: -1 });
    const context = g.op1('MatMul', `${p}/attention/self/context/MatMul`, [probs, v]);
    const merged = g.op1('Reshape', `${p}/attention/self/context/Reshape`, [
      g.op1('Transpose', `${p}/attention/self/context/Transpose`, [context], { perm: [0, 2, 1, 3] }),
      mergedShape,
    ]);

    const attnOut = this.dense(merged, `${p}.attention.output.dense`, w.attentionOut, w.attentionOutBias);
    const attnRes = g.op1('Add', `${p}/attention/output/residual/Add`, [attnOut, x]);
    const h1 = this.layerNorm(attnRes, `${p}.attention.output.LayerNorm`, w.attentionNormScale, w.attentionNormBias);

    const inter = this.dense(h1, `${p}.intermediate.dense`, w.intermediate, w.intermediateBias);
    // Exact (erf) GELU, as BERT defines it: x * 0.5 * (1 + erf(x / sqrt(2))).
    const erf = g.op1('Erf', `${p}/intermediate/gelu/Erf`, [g.op1('Div', `${p}/intermediate/gelu/Div`, [inter, g.scalarF32(`${p}/gelu/sqrt2`, Math.SQRT2)])]);
    const onePlus = g.op1('Add', `${p}/intermediate/gelu/Add`, [erf, g.scalarF32(`${p}/gelu/one`, 1)]);
    const gated = g.op1('Mul', `${p}/intermediate/gelu/Mul`, [inter, onePlus]);
    const gelu = g.op1('Mul', `${p}/intermediate/gelu/Mul_1`, [gated, g.scalarF32(`${p}/gelu/half`, 0.5)]);

    const out = this.dense(gelu, `${p}.output.dense`, w.output, w.outputBias);
    const outRes = g.op1('Add', `${p}/output/residual/Add`, [out, h1]);
    return this.layerNorm(outRes, `${p}.output.LayerNorm`, w.outputNormScale, w.outputNormBias);
  }

  build(version: string): ModelSpec {
    const bias = this.attentionBias();
    let x = this.embeddings();
    for (let i = 0; i < this.size.numLayers; i++) x = this.layer(x, i, bias);
    this.g.op1('Identity', '/output/Identity', [x]);
    // Rename the last node's output to the public name.
    const last = this.g.nodes[this.g.nodes.length - 1]!;
    this.g.nodes[this.g.nodes.length - 1] = { ...last, outputs: ['last_hidden_state'] };

    const io = (name: string) => ({ name, dataType: DataType.INT64, dims: ['batch_size', 'sequence_length'] });
    return {
      graphName: `nearfeed-bert-${this.size.id}-${this.precision}`,
      nodes: this.g.nodes,
      initializers: this.g.initializers,
      inputs: [io('input_ids'), io('attention_mask'), ...(this.size.family.tokenTypeIds ? [io('token_type_ids')] : [])],
      outputs: [{ name: 'last_hidden_state', dataType: DataType.FLOAT, dims: ['batch_size', 'sequence_length', this.size.hiddenSize] }],
      opsetVersion: OPSET,
      producerName: 'nearfeed-generate-model',
      producerVersion: version,
      docString: `nearfeed generated BERT encoder (${this.size.id}, ${this.precision}); random weights, not a trained model`,
    };
  }
}

/** The ONNX model description for one size and precision; encode it with `encodeModel`. */
export function buildBertModel(size: ModelSize, weights: BertWeights, precision: Precision, version: string): ModelSpec {
  return new BertGraph(size, weights, precision).build(version);
}
