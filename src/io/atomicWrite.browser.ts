// A page has no file system to write to: saving there yields bytes instead.
import type * as node from './atomicWrite.js';

export const writeFileAtomic: typeof node.writeFileAtomic = async (path) => {
  throw new Error(
    `writeFileAtomic: cannot write '${path}' in a page (there is no file system); ` +
    'dg.save(model) with no path returns the safetensors bytes, and dg.io.encodeSafetensors those of any tensors');
};

// No directory to clean either: nothing is ever left behind in a page.
export const removeStaleTemporaries: typeof node.removeStaleTemporaries = async () => [];
