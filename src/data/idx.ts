// The IDX format of the MNIST files: two zero bytes, a type code, the number of dimensions,
// each dimension as a big-endian u32, then the values big-endian in row-major order.
// Sizes are checked against the bytes present before anything is allocated.

export interface IdxArray {
  shape: number[];
  /** Bytes stay bytes (MNIST's pixels and labels); wider types are decoded into numbers. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'u8', bytes: 1 },
  0x09: { name: 'i8', bytes: 1 },
  0x0b: { name: 'i16', bytes: 2 },
  0x0c: { name: 'i32', bytes: 4 },
  0x0d: { name: 'f32', bytes: 4 },
  0x0e: { name: 'f64', bytes: 8 },
};

export function parseIdx(bytes: Uint8Array, source = 'idx'): IdxArray {
  if (bytes.length < 4) throw new Error(`${source}: truncated: ${bytes.length} bytes, an IDX file starts with a 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = TYPES[bytes[2]!];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !type) {
    throw new Error(`${source}: not an IDX file (magic bytes ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')})`);
  }
  const rank = bytes[3]!;
  const start = 4 + 4 * rank;
  if (bytes.length < start) throw new Error(`${source}: truncated in the ${rank} dimension sizes`);
  const shape = Array.from({ length: rank }, (_, d) => view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const need = start + count * type.bytes;
  if (bytes.length !== need) {
    throw new Error(`${source}: shape [${shape.join(', ')}] of ${type.name} needs ${need} bytes, the file has ${bytes.length}`);
  }
  const body = bytes.subarray(start);
  switch (type.name) {
    case 'u8': return { shape, data: body.slice() };
    case 'i8': return { shape, data: new Int8Array(body.slice().buffer) };
    case 'i16': return { shape, data: Int16Array.from({ length: count }, (_, i) => view.getInt16(start + 2 * i, false)) };
    case 'i32': return { shape, data: Int32Array.from({ length: count }, (_, i) => view.getInt32(start + 4 * i, false)) };
    case 'f32': return { shape, data: Float32Array.from({ length: count }, (_, i) => view.getFloat32(start + 4 * i, false)) };
    default: return { shape, data: Float64Array.from({ length: count }, (_, i) => view.getFloat64(start + 8 * i, false)) };
  }
}
