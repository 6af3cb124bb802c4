// Node: the autotuner's choices persist in a JSON file under the user's cache directory, and
// DAWNGRAD_NO_AUTOTUNE=1 turns tuning off. The browser build swaps in tuneCache.browser.ts.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { MatmulTile } from './kernels/matmul.js';

export function autotuneDisabled(): boolean {
  return process.env.DAWNGRAD_NO_AUTOTUNE === '1';
}

export function autotuneCachePath(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'dawngrad', 'autotune.json');
}

/** A short digest of a shader's text, part of the cache key. */
export function sourceDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function readTuneCache(): Record<string, MatmulTile> {
  try {
    return JSON.parse(readFileSync(autotuneCachePath(), 'utf8')) as Record<string, MatmulTile>;
  } catch {
    // No cache yet, or an unreadable one: both mean "tune again".
    return {};
  }
}

export function writeTuneCache(key: string, tile: MatmulTile): void {
  const path = autotuneCachePath();
  try {
    mkdirSync(dirname(path), { recursive: true });
    // Written whole then renamed, so a concurrent process never reads half a file.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ ...readTuneCache(), [key]: tile }, null, 2));
    renameSync(tmp, path);
  } catch {
    // A read-only home only costs re-tuning in the next process; the choice still applies here.
  }
}
