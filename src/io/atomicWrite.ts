// Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it
// over the target (atomic within one filesystem on POSIX), then fsync the directory so the
// rename itself is durable. A crash at any point leaves the old file or the new one whole.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path === '' || !(bytes instanceof Uint8Array)) throw new Error(`writeFileAtomic: expected a non-empty path and a Uint8Array, got ${typeof path} and ${bytes?.constructor?.name ?? String(bytes)}`);
  const target = resolve(path);
  const dir = dirname(target);
  // Same directory as the target: a rename across filesystems would not be atomic.
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const file = await open(tmp, 'wx');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined); // it may never have been created
    throw e;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; there the rename is as durable as it gets.
  if (process.platform === 'win32') return;
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
