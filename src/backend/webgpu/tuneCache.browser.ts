// A page: the autotuner's choices persist in the origin's localStorage (when the page may use
// it), so a reload does not time the candidates again.
import type { MatmulTile } from './kernels/matmul.js';
import type * as node from './tuneCache.js';

const STORAGE_KEY = 'dawngrad.autotune';

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function storage(): KeyValueStore | null {
  try {
    return (globalThis as { localStorage?: KeyValueStore }).localStorage ?? null;
  } catch {
    // Reading localStorage throws where the page's storage is blocked (sandboxed frames).
    return null;
  }
}

export const autotuneDisabled: typeof node.autotuneDisabled = () => false;

/** FNV-1a, twice with different seeds: pages have no synchronous SHA-256, and the key only
 *  needs to change when the shader's text does. */
export const sourceDigest: typeof node.sourceDigest = (text) => {
  const fnv = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, '0');
  };
  return fnv(0x811c9dc5) + fnv(0x01000193);
};

export const readTuneCache: typeof node.readTuneCache = () => {
  try {
    return JSON.parse(storage()?.getItem(STORAGE_KEY) ?? '{}') as Record<string, MatmulTile>;
  } catch {
    return {};
  }
};

export const writeTuneCache: typeof node.writeTuneCache = (key, tile) => {
  try {
    storage()?.setItem(STORAGE_KEY, JSON.stringify({ ...readTuneCache(), [key]: tile }));
  } catch {
    // A full or blocked storage only costs re-tuning on the next load.
  }
};
