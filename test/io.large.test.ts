// Large safetensors files: tensors are read one at a time and in chunks, never in one read of
// the whole buffer (Node refuses reads over 2 GiB), so a file of more than 4 GiB of tensor data
// opens and gives up any one tensor that fits in memory. The test's file is sparse: its size is
// real, its disk and memory use are not. F64 is written from Float64Array and read back exact.
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeSafetensors, encodeSafetensors, openSafetensorsFile, readSafetensorsFile, writeSafetensorsFile } from '../src/io/safetensors.js';
import { rejectsWith } from './support/compare.js';

const test = suite('io large files');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-large-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a sparse file with 4 GiB of tensor data opens, and its last tensor reads back without reading the rest', async () => {
  const big = 2 ** 30 + 5; // F32 elements: 4 GiB + 20 bytes, past both the 2 GiB read limit and 32-bit offsets
  const end = 4 * big;
  const json = JSON.stringify({
    big: { dtype: 'F32', shape: [big], data_offsets: [0, end] },
    tail: { dtype: 'F32', shape: [3], data_offsets: [end, end + 12] },
  });
  const head = Buffer.alloc(8 + json.length);
  head.writeBigUInt64LE(BigInt(json.length), 0);
  head.write(json, 8);
  const path = join(dir, 'sparse.safetensors');
  writeFileSync(path, head);
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, head.length + end + 12);
    const tail = Buffer.alloc(12);
    [1.5, -2, 3.25].forEach((v, i) => tail.writeFloatLE(v, 4 * i));
    writeSync(fd, tail, 0, 12, head.length + end);
  } finally {
    closeSync(fd);
  }
  const reader = await openSafetensorsFile(path);
  try {
    assert.equal(reader.entries.map((e) => [e.name, e.begin, e.end]), [['big', 0, end], ['tail', end, end + 12]]);
    const t = await reader.read('tail');
    assert.equal([...t.data], [1.5, -2, 3.25]);
    assert.equal(t.shape, [3]);
    await rejectsWith(reader.read('nope'), ["no tensor named 'nope'", '2 tensors'], 'unknown name');
  } finally {
    await reader.close();
  }
});

/** Tensors of every width, with lengths that do not divide the chunk sizes used below. */
function mixedFile(): Uint8Array {
  return encodeSafetensors({
    a: { shape: [5], data: Float32Array.of(1, -2, 3.5, 4, 5) },
    ids: { shape: [3], data: Int32Array.of(7, -8, 9) },
    exact: { shape: [3], data: Float64Array.of(Math.PI, 1 / 3, -1e-300) },
    empty: { shape: [0, 4], data: new Float32Array(0) },
    w: { shape: [2, 7], data: Float32Array.from({ length: 14 }, (_, i) => i / 7) },
  });
}

test('reading in chunks of 8, 12 or 24 bytes gives exactly what one decode of the whole file gives', async () => {
  const bytes = mixedFile();
  const path = join(dir, 'mixed.safetensors');
  writeFileSync(path, bytes);
  const whole = decodeSafetensors(bytes, 'mixed', { exactF64: true });
  for (const chunkBytes of [8, 12, 24]) {
    const reader = await openSafetensorsFile(path, { chunkBytes });
    try {
      for (const [name, want] of whole.tensors) {
        const got = await reader.read(name, { exactF64: true });
        assert.equal([...got.data], [...want.data], `${name}, chunks of ${chunkBytes}`);
        assert.equal([got.shape, got.dtype, got.fileDtype], [want.shape, want.dtype, want.fileDtype], `${name} header`);
      }
    } finally {
      await reader.close();
    }
  }
  await rejectsWith(openSafetensorsFile(path, { chunkBytes: 4 }), ['openSafetensorsFile', 'chunkBytes', '>= 8', '4'], 'tiny chunks');
});

test('an integer too large for int32 is reported at its index in the whole tensor, not in its chunk', async () => {
  const json = JSON.stringify({ ids: { dtype: 'I64', shape: [4], data_offsets: [0, 32] } });
  const head = Buffer.alloc(8 + json.length);
  head.writeBigUInt64LE(BigInt(json.length), 0);
  head.write(json, 8);
  const data = Buffer.alloc(32);
  [1n, 2n, 3n, 2n ** 40n].forEach((v, i) => data.writeBigInt64LE(v, 8 * i));
  const path = join(dir, 'i64.safetensors');
  writeFileSync(path, Buffer.concat([head, data]));
  const reader = await openSafetensorsFile(path, { chunkBytes: 8 });
  try {
    await rejectsWith(reader.read('ids'), ["'ids'", 'element 3', String(2 ** 40), 'int32'], 'overflow in the last chunk');
  } finally {
    await reader.close();
  }
});

test('a Float64Array is written as F64 and read back exact with exactF64, rounded to float32 without', async () => {
  const values = Float64Array.of(Math.PI, 1 + 2 ** -40, -1e-300);
  const path = join(dir, 'f64.safetensors');
  await writeSafetensorsFile(path, { x: { shape: [3], data: values } });
  const exact = (await readSafetensorsFile(path, { exactF64: true })).tensors.get('x')!;
  assert.is(exact.fileDtype, 'F64');
  assert.instance(exact.data, Float64Array);
  assert.equal([...exact.data], [...values]);
  const rounded = (await readSafetensorsFile(path)).tensors.get('x')!;
  assert.instance(rounded.data, Float32Array);
  assert.equal([...rounded.data], [...Float32Array.from(values)]);
  assert.is(rounded.dtype, 'float32');
});

test.run();
