// The safetensors header: an 8-byte little-endian length N, then N bytes of JSON
//   { "__metadata__"?: { string: string }, name: { dtype, shape, data_offsets: [begin, end] }, ... }
// padded with spaces to a multiple of 8, then the byte buffer the offsets point into.
// Everything a file claims is checked against the file's real size before any tensor memory
// is allocated, so a corrupt or hostile file gives an error, not a crash or a huge allocation.
import { type SafeDType, dtypeBytes, dtypeProblem, isSafeDType } from './dtypes.js';

/** One tensor's entry, validated: its bytes are buffer[begin, end). */
export interface TensorEntry {
  name: string;
  dtype: SafeDType;
  shape: number[];
  begin: number;
  end: number;
}

export interface Header {
  /** In file order (sorted by begin). */
  entries: TensorEntry[];
  metadata: Record<string, string>;
}

/** The reference implementation's cap; a larger claimed header is corruption, not data. */
export const MAX_HEADER_BYTES = 100_000_000;

export const METADATA_KEY = '__metadata__';

/** N from the first 8 bytes, checked against the size of the whole file. */
export function headerLength(first8: Uint8Array, fileBytes: number, source: string): number {
  if (fileBytes < 8) throw new Error(`${source}: truncated: ${fileBytes} bytes, but a safetensors file starts with an 8-byte header length`);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(fileBytes - 8)) throw new Error(`${source}: header length ${n} is larger than the ${fileBytes - 8} bytes after the length field (truncated or not a safetensors file)`);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new Error(`${source}: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (n < 2n) throw new Error(`${source}: header length ${n} is too small to hold a JSON object`);
  return Number(n);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * A short quote of a header value for an error message: a hostile file can put megabytes, or
 * nesting deep enough to overflow JSON.stringify's stack, where a shape should be.
 */
export function excerpt(value: unknown, max = 120): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[...]' : '{...}';
  }
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

/** Deeper than any real header (entries are two levels down); JSON.parse recurses per level. */
export const MAX_HEADER_NESTING = 64;

/** The deepest [ / { nesting in a JSON text, counted outside strings, stopping past `limit`. */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function parseEntry(name: string, raw: unknown, source: string): TensorEntry {
  const where = `${source}: tensor '${name}'`;
  if (!isPlainObject(raw)) throw new Error(`${where}: expected an object { dtype, shape, data_offsets }, got ${excerpt(raw)}`);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') throw new Error(`${where}: missing dtype`);
  if (!isSafeDType(dtype)) throw new Error(`${where}: ${dtypeProblem(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw new Error(`${where}: shape must be an array of non-negative integers, got ${excerpt(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw new Error(`${where}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${excerpt(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  // Multiplying step by step with a bound keeps a hostile shape from overflowing to a small number.
  let bytes = dtypeBytes(dtype);
  for (const d of shape as number[]) {
    bytes *= d;
    if (bytes > Number.MAX_SAFE_INTEGER) throw new Error(`${where}: shape ${excerpt(shape)} is impossibly large`);
  }
  if (end - begin !== bytes) {
    throw new Error(`${where}: shape ${excerpt(shape)} of ${dtype} needs ${bytes} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

function parseMetadata(raw: unknown, source: string): Record<string, string> {
  if (!isPlainObject(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
    throw new Error(`${source}: ${METADATA_KEY} must map strings to strings`);
  }
  return Object.fromEntries(Object.entries(raw)) as Record<string, string>;
}

/**
 * Parses and validates the JSON header. `bufferBytes` is the size of the byte buffer after
 * it: the tensors must tile it exactly, as the reference implementation requires (no overlap,
 * no gap, nothing past the end).
 */
export function parseHeader(json: Uint8Array, bufferBytes: number, source: string): Header {
  let raw: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(json);
    if (nestingDepth(text, MAX_HEADER_NESTING) > MAX_HEADER_NESTING) {
      throw new Error(`nested more than ${MAX_HEADER_NESTING} levels deep; a safetensors header has 3`);
    }
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(raw)) throw new Error(`${source}: the header must be a JSON object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
  let metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (name === METADATA_KEY) metadata = parseMetadata(value, source);
    else entries.push(parseEntry(name, value, source));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of entries) {
    if (e.begin < at) throw new Error(`${source}: tensor '${e.name}' at bytes [${e.begin}, ${e.end}) overlaps the tensor before it, which ends at ${at}`);
    if (e.begin > at) throw new Error(`${source}: bytes [${at}, ${e.begin}) before tensor '${e.name}' belong to no tensor`);
    at = e.end;
  }
  if (at > bufferBytes) throw new Error(`${source}: truncated: the tensors need ${at} bytes of data, the file has ${bufferBytes}`);
  if (at < bufferBytes) throw new Error(`${source}: ${bufferBytes - at} bytes after the last tensor belong to no tensor`);
  return { entries, metadata };
}

/** The header bytes for entries laid out in the given order, space-padded to 8-byte alignment. */
export function encodeHeader(entries: readonly TensorEntry[], metadata: Record<string, string>): Uint8Array {
  // No prototype, so a tensor named '__proto__' is a key like any other.
  const json: Record<string, unknown> = Object.create(null);
  if (Object.keys(metadata).length) json[METADATA_KEY] = metadata;
  for (const e of entries) json[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [e.begin, e.end] };
  const text = new TextEncoder().encode(JSON.stringify(json));
  const padded = Math.ceil(text.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20, 8 + text.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(text, 8);
  return out;
}
