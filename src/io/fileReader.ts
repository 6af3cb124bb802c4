// Positioned reads of a file on disk (Node), so a header can be checked against the file's
// size before the tensor bytes are read, and a large tensor read chunk by chunk into one
// scratch buffer. http(s) URLs are fetched instead. The browser build swaps in fileReader.browser.ts.
import { open } from 'node:fs/promises';
import { fetchFile } from './fetchFile.js';

export interface ReadableFile {
  size: number;
  /** Fills `into` with the bytes from `position` on (exactly into.length of them). */
  readInto(into: Uint8Array, position: number): Promise<void>;
  close(): Promise<void>;
}

export async function openFile(path: string | URL): Promise<ReadableFile> {
  if (path instanceof URL && path.protocol !== 'file:') return fetchFile(path);
  if (typeof path === 'string' && /^https?:\/\//.test(path)) return fetchFile(path);
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    return {
      size,
      readInto: async (into, position) => {
        // A read may return less than asked (one read never gives more than 2 GiB); only a read
        // of nothing means the file ended early.
        for (let done = 0; done < into.length;) {
          const { bytesRead } = await file.read(into, done, into.length - done, position + done);
          if (bytesRead === 0) throw new Error(`'${String(path)}' changed size while being read`);
          done += bytesRead;
        }
      },
      close: () => file.close(),
    };
  } catch (e) {
    await file.close();
    throw e;
  }
}
