// safetensors on host arrays: bytes <-> { name: { dtype, shape, data } } plus string metadata.
// Files written here load with PyTorch's `safetensors.torch.load_file`, and files it writes
// load here (F16/BF16/F64 as float32, integer types as int32).
import type { DType } from '../backend/backend.js';
import { writeFileAtomic } from './atomicWrite.js';
import { openFile } from './fileReader.js';
import { type FloatWriteDType, type SafeDType, decodeElements, encodeElements, writtenBytes, writtenDType } from './dtypes.js';
import { type Header, type TensorEntry, METADATA_KEY, encodeHeader, headerLength, parseHeader } from './header.js';

/** A tensor's values on the host, row-major. */
export interface HostTensor {
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

export interface LoadedTensor extends HostTensor {
  dtype: DType;
  /** The type it had in the file, before conversion to float32/int32. */
  fileDtype: SafeDType;
}

export interface Safetensors {
  /** In file order. */
  tensors: Map<string, LoadedTensor>;
  metadata: Record<string, string>;
}

export type TensorSource = Map<string, HostTensor> | Record<string, HostTensor>;

function decodeBuffer(header: Header, buffer: Uint8Array, source: string): Safetensors {
  const tensors = new Map<string, LoadedTensor>();
  for (const e of header.entries) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    const data = decodeElements(e.dtype, buffer.subarray(e.begin, e.end), count, `${source}: tensor '${e.name}' (${e.dtype})`);
    tensors.set(e.name, { shape: e.shape, data, dtype: data instanceof Int32Array ? 'int32' : 'float32', fileDtype: e.dtype });
  }
  return { tensors, metadata: header.metadata };
}

/** Parses a whole safetensors file held in memory. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): Safetensors {
  const n = headerLength(bytes.subarray(0, 8), bytes.length, source);
  const header = parseHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n, source);
  return decodeBuffer(header, bytes.subarray(8 + n), source);
}

/** Tensors are laid out in the order given; the header follows that order too. */
export interface EncodeOptions {
  /** The type float32 tensors are written as (int32 ones stay I32): 'F32' (default), or 'F16' /
   *  'BF16' for half-size files, rounded to nearest even, as torch's .half() / .bfloat16(). */
  floatDtype?: FloatWriteDType;
}

export function encodeSafetensors(tensors: TensorSource, metadata: Record<string, string> = {}, options: EncodeOptions = {}): Uint8Array {
  const op = 'encodeSafetensors';
  const float = options.floatDtype ?? 'F32';
  if (float !== 'F32' && float !== 'F16' && float !== 'BF16') throw new Error(`${op}: floatDtype must be 'F32', 'F16' or 'BF16', got '${String(float)}'`);
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new Error(`${op}: metadata values must be strings; '${k}' is ${typeof v}`);
  }
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const entries: TensorEntry[] = [];
  let at = 0;
  for (const [name, t] of list) {
    if (name === '' || name === METADATA_KEY) throw new Error(`${op}: '${name}' cannot name a tensor (empty or reserved)`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`${op}: tensor '${name}' has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${count}`);
    const dtype = writtenDType(t.data instanceof Int32Array ? 'int32' : 'float32', float);
    const bytes = writtenBytes(dtype) * count;
    entries.push({ name, dtype, shape: [...t.shape], begin: at, end: at + bytes });
    at += bytes;
  }
  const head = encodeHeader(entries, metadata);
  const out = new Uint8Array(head.length + at);
  out.set(head);
  list.forEach(([, t], i) => encodeElements(t.data, out.subarray(head.length + entries[i]!.begin, head.length + entries[i]!.end), float));
  return out;
}

/**
 * Reads a file (in a page, or for an http(s) URL: fetches it), validating its header against
 * the file's size before reading the tensor bytes, so a file that claims more than it holds is
 * rejected without allocating for it.
 */
export async function readSafetensorsFile(path: string | URL, op = 'readSafetensorsFile'): Promise<Safetensors> {
  if (typeof path !== 'string' && !(path instanceof URL)) throw new Error(`${op}: expected a path or URL, got ${path === null ? 'null' : typeof path}`);
  const source = `${op}: safetensors file '${String(path).slice(0, 200)}'`;
  const file = await openFile(path).catch((e: Error) => {
    throw new Error(`${source} cannot be opened: ${e.message.slice(0, 300)}`, { cause: e });
  });
  try {
    const size = file.size;
    const n = headerLength(await file.readAt(0, Math.min(8, size)), size, source);
    const header = parseHeader(await file.readAt(8, n), size - 8 - n, source);
    return decodeBuffer(header, await file.readAt(8 + n, size - 8 - n), source);
  } finally {
    await file.close();
  }
}

/** Writes atomically: readers see the old file or the whole new one, never a partial write. */
export async function writeSafetensorsFile(path: string, tensors: TensorSource, metadata: Record<string, string> = {}, options: EncodeOptions = {}): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata, options));
}
