// Positioned reads of a file on disk (Node), so a header can be checked against the file's
// size before the tensor bytes are read. http(s) URLs are fetched instead. The browser build
// swaps in fileReader.browser.ts.
import { open } from 'node:fs/promises';
import { fetchFile } from './fetchFile.js';

export interface ReadableFile {
  size: number;
  /** Exactly `length` bytes from `position`. */
  readAt(position: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export async function openFile(path: string | URL): Promise<ReadableFile> {
  if (path instanceof URL && path.protocol !== 'file:') return fetchFile(path);
  if (typeof path === 'string' && /^https?:\/\//.test(path)) return fetchFile(path);
  const file = await open(path, 'r');
  const size = (await file.stat()).size;
  return {
    size,
    readAt: async (position, length) => {
      const buf = new Uint8Array(length);
      const { bytesRead } = await file.read(buf, 0, length, position);
      if (bytesRead !== length) throw new Error(`'${String(path)}' changed size while being read`);
      return buf;
    },
    close: () => file.close(),
  };
}
