// In a page a "path" is a URL, relative to the document: fetched whole.
import { fetchFile } from './fetchFile.js';
import type * as node from './fileReader.js';

export type { ReadableFile } from './fileReader.js';

export const openFile: typeof node.openFile = (path) => fetchFile(new URL(String(path), (globalThis as { location?: { href: string } }).location?.href));
