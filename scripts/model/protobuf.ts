/**
 * A minimal protocol-buffers encoder: just enough of the wire format (varint, fixed32 and length-delimited
 * fields) to write ONNX files without a dependency. Messages are built bottom-up: a sub-message is encoded
 * to bytes first and embedded as a length-delimited field, so no length pre-pass is needed.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LEN = 2;

/** Appends protobuf fields to a growing list of byte chunks; `finish()` concatenates them once. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private tag(field: number, wire: number): void {
    this.push(encodeVarint(BigInt(field * 8 + wire)));
  }

  /** int32/int64/enum/bool field; negatives are written as 64-bit two's complement, as protobuf requires. */
  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.push(encodeVarint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  /** float field (fixed32, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  /** bytes or embedded-message field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.push(encodeVarint(BigInt(value.length)));
    this.push(value);
    return this;
  }

  /** UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** Packed repeated int64 field (proto3 default for repeated scalars; ONNX readers accept both forms). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.push(encodeVarint(BigInt.asUintN(64, BigInt(v))));
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** Base-128 varint of a non-negative 64-bit value. */
export function encodeVarint(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError(`varint of a negative value ${value}`);
  const bytes: number[] = [];
  let v = value;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(bytes);
}
