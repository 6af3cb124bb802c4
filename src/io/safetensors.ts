// safetensors on host arrays: bytes <-> { name: { dtype, shape, data } } plus string metadata.
// Files written here load with PyTorch's `safetensors.torch.load_file`, and files it writes
// load here (F16/BF16/F64 as float32, integer types as int32).
import type { DType } from '../backend/backend.js';
import { writeFileAtomic } from './atomicWrite.js';
import { openFile } from './fileReader.js';
import {
  type DecodedArray, type FloatWriteDType, type SafeDType, decodedArray, decodeElements, decodeInto, dtypeBytes, encodeElements, writtenBytes, writtenDType,
} from './dtypes.js';
import { type Header, type TensorEntry, METADATA_KEY, encodeHeader, headerLength, parseHeader } from './header.js';

/** A tensor's values on the host, row-major. */
export interface HostTensor {
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

/** What can be written: a Float64Array is written as F64, to keep the cpu backend's values exact. */
export interface WritableTensor {
  shape: readonly number[];
  data: DecodedArray;
}

export interface LoadedTensor {
  shape: readonly number[];
  /** Float64Array only for F64 tensors read with `exactF64`. */
  data: DecodedArray;
  dtype: DType;
  /** The type it had in the file, before conversion to float32/int32. */
  fileDtype: SafeDType;
}

export interface Safetensors {
  /** In file order. */
  tensors: Map<string, LoadedTensor>;
  metadata: Record<string, string>;
}

export type TensorSource = Map<string, WritableTensor> | Record<string, WritableTensor>;

export interface ReadOptions {
  /** F64 tensors come back as Float64Array instead of rounded to float32 (exact resumption on cpu). */
  exactF64?: boolean;
}

const elementCount = (e: TensorEntry) => e.shape.reduce((a, b) => a * b, 1);

function loaded(e: TensorEntry, data: DecodedArray): LoadedTensor {
  return { shape: e.shape, data, dtype: data instanceof Int32Array ? 'int32' : 'float32', fileDtype: e.dtype };
}

const what = (source: string, e: TensorEntry) => `${source}: tensor '${e.name}' (${e.dtype})`;

function decodeBuffer(header: Header, buffer: Uint8Array, source: string, options: ReadOptions): Safetensors {
  const tensors = new Map<string, LoadedTensor>();
  for (const e of header.entries) {
    tensors.set(e.name, loaded(e, decodeElements(e.dtype, buffer.subarray(e.begin, e.end), elementCount(e), what(source, e), options.exactF64)));
  }
  return { tensors, metadata: header.metadata };
}

/** Parses a whole safetensors file held in memory. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors', options: ReadOptions = {}): Safetensors {
  const n = headerLength(bytes.subarray(0, 8), bytes.length, source);
  const header = parseHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n, source);
  return decodeBuffer(header, bytes.subarray(8 + n), source, options);
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
    const dtype = writtenDType(t.data, float);
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
 * Bytes per read. One read of more than 2 GiB is refused by Node (or worse), so large tensors
 * are read piece by piece into one scratch buffer and decoded straight into their array.
 */
export const READ_CHUNK_BYTES = 64 * 1024 * 1024;

/** An open safetensors file whose header is validated; tensors are read one at a time, on demand. */
export interface SafetensorsReader {
  /** The tensors in file order, with their dtype, shape and byte range (before any is read). */
  readonly entries: readonly TensorEntry[];
  readonly metadata: Record<string, string>;
  /** Reads and decodes one tensor, in chunks of at most `chunkBytes`. */
  read(name: string, options?: ReadOptions): Promise<LoadedTensor>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Bytes per read (default READ_CHUNK_BYTES), rounded down to whole 8-byte elements. */
  chunkBytes?: number;
}

/**
 * Opens a file (in a page, or for an http(s) URL: fetches it) and validates its header against
 * the file's size, so a file that claims more than it holds is rejected before anything is
 * allocated for its tensors. Only the tensors asked for are read: a file larger than memory can
 * still give up any one tensor that fits.
 */
export async function openSafetensorsFile(path: string | URL, options: OpenOptions = {}, op = 'openSafetensorsFile'): Promise<SafetensorsReader> {
  if (typeof path !== 'string' && !(path instanceof URL)) throw new Error(`${op}: expected a path or URL, got ${path === null ? 'null' : typeof path}`);
  // Messages start with the public function called (load, loadSafetensors, ...) and quote the path short.
  const source = `${op}: safetensors file '${String(path).slice(0, 200)}'`;
  const chunkBytes = options.chunkBytes ?? READ_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 8) throw new Error(`${op}: chunkBytes must be an integer >= 8, got ${chunkBytes}`);
  const chunk = chunkBytes - (chunkBytes % 8);
  const file = await openFile(path).catch((e: Error) => {
    throw new Error(`${source} cannot be opened: ${e.message.slice(0, 300)}`, { cause: e });
  });
  try {
    const size = file.size;
    const first8 = new Uint8Array(Math.min(8, size));
    await file.readInto(first8, 0);
    const n = headerLength(first8, size, source);
    const json = new Uint8Array(n);
    await file.readInto(json, 8);
    const header = parseHeader(json, size - 8 - n, source);
    const byName = new Map(header.entries.map((e) => [e.name, e]));
    const dataStart = 8 + n;
    return {
      entries: header.entries,
      metadata: header.metadata,
      async read(name, readOptions = {}) {
        const e = byName.get(name);
        if (!e) throw new Error(`${source}: no tensor named '${name}' (it has ${header.entries.length} tensors)`);
        const out = decodedArray(e.dtype, elementCount(e), readOptions.exactF64 ?? false, what(source, e));
        const scratch = new Uint8Array(Math.min(chunk, e.end - e.begin));
        const width = dtypeBytes(e.dtype);
        for (let at = e.begin; at < e.end; at += chunk) {
          const piece = scratch.subarray(0, Math.min(chunk, e.end - at));
          await file.readInto(piece, dataStart + at);
          decodeInto(e.dtype, piece, out, (at - e.begin) / width, what(source, e));
        }
        return loaded(e, out);
      },
      close: () => file.close(),
    };
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** Reads every tensor of a file (see openSafetensorsFile for the checks made first). */
export async function readSafetensorsFile(path: string | URL, options: ReadOptions = {}, op = 'readSafetensorsFile'): Promise<Safetensors> {
  const reader = await openSafetensorsFile(path, {}, op);
  try {
    const tensors = new Map<string, LoadedTensor>();
    for (const e of reader.entries) tensors.set(e.name, await reader.read(e.name, options));
    return { tensors, metadata: reader.metadata };
  } finally {
    await reader.close();
  }
}

/** Writes atomically: readers see the old file or the whole new one, never a partial write. */
export async function writeSafetensorsFile(path: string, tensors: TensorSource, metadata: Record<string, string> = {}, options: EncodeOptions = {}): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata, options));
}
