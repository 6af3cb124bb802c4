// A safetensors source reached over HTTP(S) (or any URL the runtime's fetch reads), held in
// memory: fetch has no positioned reads worth the round trips, and a model file is read whole.
import type { ReadableFile } from './fileReader.js';

export async function fetchFile(url: string | URL): Promise<ReadableFile> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`fetching '${String(url)}' failed: ${(e as Error).message}`);
  }
  if (!response.ok) throw new Error(`fetching '${String(url)}' failed: HTTP ${response.status} ${response.statusText}`);
  return memoryFile(new Uint8Array(await response.arrayBuffer()), String(url));
}

export function memoryFile(bytes: Uint8Array, name = 'the given bytes'): ReadableFile {
  return {
    size: bytes.length,
    readInto: async (into, position) => {
      if (position + into.length > bytes.length) throw new Error(`'${name}' changed size while being read`);
      into.set(bytes.subarray(position, position + into.length));
    },
    close: async () => undefined,
  };
}
