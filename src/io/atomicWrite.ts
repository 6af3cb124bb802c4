// Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it
// over the target (atomic within one filesystem on POSIX), then fsync the directory so the
// rename itself is durable. A crash at any point leaves the old file or the new one whole.
//
// A process killed mid-write leaves its temporary file behind (no code runs on SIGKILL), so
// every write first removes the stale temporaries in its directory: files named by our own
// pattern whose writer is gone. A temporary is stale when the process id in its name is not
// running, or is this process's but not one of the writes this process has in flight (it was
// left by an earlier process that had the same id). A temporary of a live process is kept:
// it may be a concurrent write in progress, here or in another process.
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** `.<target name>.<pid>.<8 hex digits>.tmp`, the only names the cleanup ever deletes. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Full paths of this process's temporaries being written right now. */
const inFlight = new Set<string>();

export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path === '' || !(bytes instanceof Uint8Array)) throw new Error(`writeFileAtomic: expected a non-empty path and a Uint8Array, got ${typeof path} and ${bytes?.constructor?.name ?? String(bytes)}`);
  const target = resolve(path);
  const dir = dirname(target);
  await removeStaleTemporaries(dir);
  // Same directory as the target: a rename across filesystems would not be atomic.
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  inFlight.add(tmp);
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
  } finally {
    inFlight.delete(tmp);
  }
  await syncDirectory(dir);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(dir: string, name: string): boolean {
  const m = TEMP_NAME.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return !inFlight.has(join(dir, name));
  return !isRunning(pid);
}

/** Deletes the temporaries of writes that can no longer finish; never fails the write itself. */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`removeStaleTemporaries: expected a folder path, got ${typeof dir}`);
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((name) => isStale(dir, name));
  // Another process's cleanup may delete the same file first.
  await Promise.all(stale.map((name) => unlink(join(dir, name)).catch(() => undefined)));
  return stale;
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
