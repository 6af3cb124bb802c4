// The safetensors element types: their widths and how each element becomes one of our two
// dtypes. Floats of any width become float32 (F16/BF16 exactly; F64 rounded); integers become
// int32, and a value int32 cannot hold is an error, never a silent wrap.
import type { DType } from '../backend/backend.js';

interface Codec {
  /** Bytes per element. */
  readonly bytes: number;
  /** The dtype a tensor of this type loads as. */
  readonly target: DType;
  /** The little-endian element at byte offset `at`. */
  read(view: DataView, at: number): number | bigint;
}

// Scratch words for reinterpreting the 16-bit formats' bits as a float32.
const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);

function f16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function bf16(h: number): number {
  // bfloat16 is the top half of a float32.
  bits[0] = h << 16;
  return asFloat[0]!;
}

const CODECS = {
  BOOL: { bytes: 1, target: 'int32', read: (v, at) => (v.getUint8(at) ? 1 : 0) },
  U8: { bytes: 1, target: 'int32', read: (v, at) => v.getUint8(at) },
  I8: { bytes: 1, target: 'int32', read: (v, at) => v.getInt8(at) },
  U16: { bytes: 2, target: 'int32', read: (v, at) => v.getUint16(at, true) },
  I16: { bytes: 2, target: 'int32', read: (v, at) => v.getInt16(at, true) },
  U32: { bytes: 4, target: 'int32', read: (v, at) => v.getUint32(at, true) },
  I32: { bytes: 4, target: 'int32', read: (v, at) => v.getInt32(at, true) },
  U64: { bytes: 8, target: 'int32', read: (v, at) => v.getBigUint64(at, true) },
  I64: { bytes: 8, target: 'int32', read: (v, at) => v.getBigInt64(at, true) },
  F16: { bytes: 2, target: 'float32', read: (v, at) => f16(v.getUint16(at, true)) },
  BF16: { bytes: 2, target: 'float32', read: (v, at) => bf16(v.getUint16(at, true)) },
  F32: { bytes: 4, target: 'float32', read: (v, at) => v.getFloat32(at, true) },
  F64: { bytes: 8, target: 'float32', read: (v, at) => v.getFloat64(at, true) },
} satisfies Record<string, Codec>;

export type SafeDType = keyof typeof CODECS;

/** Types the format defines that have no float32/int32 meaning here (8-bit floats, complex). */
const UNSUPPORTED = new Set(['F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F6_E2M3', 'F6_E3M2', 'F4', 'C64', 'C128']);

export const SAFE_DTYPES = Object.keys(CODECS) as SafeDType[];

export function isSafeDType(name: string): name is SafeDType {
  return Object.hasOwn(CODECS, name);
}

/** Why `name` cannot be loaded, for an error message. */
export function dtypeProblem(name: string): string {
  return UNSUPPORTED.has(name)
    ? `unsupported dtype '${name}' (dawngrad loads ${SAFE_DTYPES.join(', ')})`
    : `unknown dtype '${name}' (expected one of ${SAFE_DTYPES.join(', ')})`;
}

export function dtypeBytes(dtype: SafeDType): number {
  return CODECS[dtype].bytes;
}

export function targetDType(dtype: SafeDType): DType {
  return CODECS[dtype].target;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Decoded values: float32 and int32 as loaded tensors hold them; Float64Array for F64 kept exact. */
export type DecodedArray = Float32Array | Int32Array | Float64Array;

/**
 * The array `count` elements of `dtype` decode into. `exactF64` keeps F64 as Float64Array
 * (the cpu backend's own precision) instead of rounding it to float32. `what` names the
 * tensor when the memory cannot be had.
 */
export function decodedArray(dtype: SafeDType, count: number, exactF64: boolean, what: string): DecodedArray {
  try {
    if (dtype === 'F64' && exactF64) return new Float64Array(count);
    return CODECS[dtype].target === 'int32' ? new Int32Array(count) : new Float32Array(count);
  } catch (e) {
    throw new Error(`${what}: ${count} elements do not fit in memory (${(e as Error).message})`);
  }
}

/**
 * Converts the little-endian elements in `bytes` into `out` from element `start` on; reading a
 * large tensor chunk by chunk calls this once per chunk. `what` names the tensor in the error
 * for an integer that int32 cannot hold.
 */
export function decodeInto(dtype: SafeDType, bytes: Uint8Array, out: DecodedArray, start: number, what: string): void {
  const codec: Codec = CODECS[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.byteLength / codec.bytes;
  for (let i = 0, at = 0; i < count; i++, at += codec.bytes) {
    const x = codec.read(view, at);
    if (codec.target === 'int32' && (x < INT32_MIN || x > INT32_MAX)) {
      throw new Error(`${what}: element ${start + i} is ${x}, outside the int32 range dawngrad holds integers in`);
    }
    out[start + i] = Number(x);
  }
}

/** Converts `count` little-endian elements at `bytes` into a new array (see decodedArray). */
export function decodeElements(dtype: SafeDType, bytes: Uint8Array, count: number, what: string, exactF64 = false): DecodedArray {
  const out = decodedArray(dtype, count, exactF64, what);
  decodeInto(dtype, bytes.subarray(0, count * CODECS[dtype].bytes), out, 0, what);
  return out;
}

/** The widths float32 tensors can be written in: PyTorch's float32, float16 and bfloat16. */
export type FloatWriteDType = 'F32' | 'F16' | 'BF16';

/** The safetensors type an array is written as: I32, F64 for a Float64Array, else `float`. */
export function writtenDType(data: DecodedArray, float: FloatWriteDType = 'F32'): SafeDType {
  if (data instanceof Int32Array) return 'I32';
  return data instanceof Float64Array ? 'F64' : float;
}

/** float32 -> bfloat16 bits: the top half, rounded to nearest even; NaN stays a (quiet) NaN. */
export function toBf16(x: number): number {
  asFloat[0] = x;
  const b = bits[0]!;
  if (Number.isNaN(x)) return (b >>> 16) | 0x40;
  return (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
}

/** float32 -> IEEE float16 bits, rounded to nearest even: too large becomes +-Infinity, too
 *  small a subnormal or +-0, NaN a quiet NaN. */
export function toF16(x: number): number {
  asFloat[0] = x;
  const b = bits[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const frac = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (frac ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A subnormal half (or zero): the significand with its hidden bit, shifted into place.
    if (e < -10) return sign;
    const m = frac | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let h = m >>> shift;
    if (rest > half || (rest === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (frac >>> 13);
  const rest = frac & 0x1fff;
  // A carry out of the significand bumps the exponent, up to Infinity: still correct bits.
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return sign | h;
}

/** Bytes per element when written as `dtype`. */
export function writtenBytes(dtype: SafeDType): number {
  return CODECS[dtype].bytes;
}

/** Writes elements little-endian (the format's byte order, whatever the machine's). A
 *  Float64Array is written as F64, whatever `float` says: it is there to be kept exact. */
export function encodeElements(data: DecodedArray, into: Uint8Array, float: FloatWriteDType = 'F32'): void {
  const view = new DataView(into.buffer, into.byteOffset, into.byteLength);
  if (data instanceof Float64Array) for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i]!, true);
  else if (data instanceof Int32Array) for (let i = 0; i < data.length; i++) view.setInt32(4 * i, data[i]!, true);
  else if (float === 'F16') for (let i = 0; i < data.length; i++) view.setUint16(2 * i, toF16(data[i]!), true);
  else if (float === 'BF16') for (let i = 0; i < data.length; i++) view.setUint16(2 * i, toBf16(data[i]!), true);
  else for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
}
