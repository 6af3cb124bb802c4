// Temporary files of atomic writes: the ones a killed writer left are removed by the next write
// into their directory; those of live writers (another process, or a concurrent write in this
// one) and every file not named by our pattern are left alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileAtomic } from '../src/io/atomicWrite.js';

const test = suite('io atomic writes');
const root = mkdtempSync(join(tmpdir(), 'dawngrad-atomic-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** The id of a process that has exited (a child run to completion). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

test('the next write removes temporaries of dead writers and keeps those of live ones and foreign files', async () => {
  const dir = mkdtempSync(join(root, 'stale-'));
  const dead = deadPid();
  const names = {
    deadWriter: `.model.safetensors.${dead}.0badc0de.tmp`,
    deadOtherTarget: `.ckpt-3.safetensors.${dead}.12345678.tmp`,
    // This process's id, but no write of ours: left by an earlier process that had the same id.
    ownIdNotInFlight: `.model.safetensors.${process.pid}.aaaaaaaa.tmp`,
    liveWriter: `.model.safetensors.${process.ppid}.bbbbbbbb.tmp`,
    notOurs1: '.model.safetensors.tmp',
    notOurs2: `.model.safetensors.${dead}.nothex00.tmp`,
    notOurs3: `model.${dead}.0badc0de.tmp`,
  };
  for (const n of Object.values(names)) writeFileSync(join(dir, n), 'x');
  await writeFileAtomic(join(dir, 'model.safetensors'), Uint8Array.of(1, 2, 3));
  const left = readdirSync(dir).sort();
  assert.equal(left, [names.liveWriter, names.notOurs1, names.notOurs2, names.notOurs3, 'model.safetensors'].sort());
  assert.equal([...readFileSync(join(dir, 'model.safetensors'))], [1, 2, 3]);
});

test('a write in this process never deletes the temporary of a concurrent write still in flight', async () => {
  const dir = mkdtempSync(join(root, 'concurrent-'));
  const big = new Uint8Array(32 * 1024 * 1024).fill(7);
  let settled = false;
  const first = writeFileAtomic(join(dir, 'big.bin'), big).finally(() => { settled = true; });
  // Once the first write's temporary is on disk, a second write's cleanup runs beside it.
  let overlapped = false;
  while (!settled && !overlapped) {
    if (readdirSync(dir).some((n) => n.startsWith('.big.bin.'))) {
      await writeFileAtomic(join(dir, 'small.bin'), Uint8Array.of(1));
      overlapped = true;
    }
    await new Promise((r) => setImmediate(r));
  }
  await first;
  assert.equal(readdirSync(dir).sort(), ['big.bin', 'small.bin'], 'both files, no temporaries left');
  assert.ok(readFileSync(join(dir, 'big.bin')).every((b) => b === 7), 'the first write completed whole');
});

test.run();
