/**
 * ONNX message encoders (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).
 * Field numbers follow onnx/onnx.proto (IR version 8, the level of opset 17). Only what the generator needs.
 */
import { ProtoWriter } from './protobuf';

/** TensorProto.DataType values used here. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** Attribute values the graph builder may attach to a node; the type is inferred from the JS value. */
export type AttributeValue = number | string | readonly number[] | { float: number } | TensorSpec;

/** An initializer or constant tensor: raw little-endian bytes plus shape and element type. */
export interface TensorSpec {
  name: string;
  dataType: DataTypeCode;
  dims: readonly number[];
  raw: Uint8Array;
}

export interface NodeSpec {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: Readonly<Record<string, AttributeValue>>;
}

/** A graph input/output: element type and dims, each a fixed size or a symbolic name ("batch"). */
export interface ValueInfoSpec {
  name: string;
  dataType: DataTypeCode;
  dims: readonly (number | string)[];
}

export interface ModelSpec {
  graphName: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorSpec[];
  inputs: readonly ValueInfoSpec[];
  outputs: readonly ValueInfoSpec[];
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
}

const IR_VERSION = 8;

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_TENSOR = 4;
const ATTR_INTS = 7;

export function encodeTensor(t: TensorSpec): Uint8Array {
  const w = new ProtoWriter();
  if (t.dims.length > 0) w.packedInts(1, t.dims); // dims
  w.int(2, t.dataType); // data_type
  w.string(8, t.name); // name
  w.bytes(9, t.raw); // raw_data
  return w.finish();
}

function isTensor(v: AttributeValue): v is TensorSpec {
  return typeof v === 'object' && 'raw' in v;
}

function encodeAttribute(name: string, value: AttributeValue): Uint8Array {
  const w = new ProtoWriter().string(1, name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`attribute ${name}: use {float} for non-integers`);
    w.int(3, value).int(20, ATTR_INT);
  } else if (typeof value === 'string') {
    w.string(4, value).int(20, ATTR_STRING);
  } else if (Array.isArray(value)) {
    w.packedInts(8, value as readonly number[]).int(20, ATTR_INTS);
  } else if (isTensor(value as AttributeValue)) {
    w.bytes(5, encodeTensor(value as TensorSpec)).int(20, ATTR_TENSOR);
  } else {
    w.float(2, (value as { float: number }).float).int(20, ATTR_FLOAT);
  }
  return w.finish();
}

function encodeNode(n: NodeSpec): Uint8Array {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes)) w.bytes(5, encodeAttribute(k, v));
  return w.finish();
}

function encodeValueInfo(v: ValueInfoSpec): Uint8Array {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d); // dim_value
    else dim.string(2, d); // dim_param
    shape.bytes(1, dim.finish());
  }
  const tensorType = new ProtoWriter().int(1, v.dataType).bytes(2, shape.finish());
  const type = new ProtoWriter().bytes(1, tensorType.finish()); // TypeProto.tensor_type
  return new ProtoWriter().string(1, v.name).bytes(2, type.finish()).finish();
}

/** Serialises a whole model to the bytes of a `.onnx` file. */
export function encodeModel(m: ModelSpec): Uint8Array {
  const g = new ProtoWriter();
  for (const n of m.nodes) g.bytes(1, encodeNode(n));
  g.string(2, m.graphName);
  for (const t of m.initializers) g.bytes(5, encodeTensor(t));
  for (const i of m.inputs) g.bytes(11, encodeValueInfo(i));
  for (const o of m.outputs) g.bytes(12, encodeValueInfo(o));

  const opset = new ProtoWriter().string(1, '').int(2, m.opsetVersion);
  return new ProtoWriter()
    .int(1, IR_VERSION)
    .string(2, m.producerName)
    .string(3, m.producerVersion)
    .string(6, m.docString)
    .bytes(7, g.finish())
    .bytes(8, opset.finish())
    .finish();
}
