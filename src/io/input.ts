// What dg.load / dg.loadStateDict read from: a path (Node) or URL (a page, or http(s) in Node),
// the file's bytes, or a Blob / File (a page's file input or drop).
import { decodeSafetensors, readSafetensorsFile, type Safetensors } from './safetensors.js';

export type SafetensorsInput = string | URL | ArrayBuffer | Uint8Array | Blob;

/** The decoded file and how messages should name it. */
export async function readSafetensorsInput(op: string, input: SafetensorsInput): Promise<{ file: Safetensors; name: string }> {
  if (typeof input === 'string' || input instanceof URL) return { file: await readSafetensorsFile(input, {}, op), name: String(input) };
  if (input instanceof Uint8Array) return { file: decodeSafetensors(input, `${op}: the given bytes`), name: 'the given bytes' };
  if (input instanceof ArrayBuffer) return { file: decodeSafetensors(new Uint8Array(input), `${op}: the given bytes`), name: 'the given bytes' };
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    const name = 'name' in input && typeof input.name === 'string' ? input.name : 'the given blob';
    return { file: decodeSafetensors(new Uint8Array(await input.arrayBuffer()), `${op}: ${name}`), name };
  }
  const got = input === null ? 'null' : typeof input === 'object' ? (input as object).constructor?.name ?? 'object' : typeof input;
  throw new Error(`${op}: expected a path, URL, ArrayBuffer, Uint8Array or Blob, got ${got}`);
}
