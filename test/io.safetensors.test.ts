// safetensors: files built byte by byte from the published format load as the spec says, our
// files parse byte by byte as the spec says, every dtype converts, and every kind of bad file
// is rejected with an error that says what is wrong.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { writeFileAtomic } from '../src/io/atomicWrite.js';
import { decodeSafetensors, encodeSafetensors, readSafetensorsFile, writeSafetensorsFile } from '../src/io/safetensors.js';
import { loadSafetensors, saveSafetensors } from '../src/io/tensorFile.js';
import { throwsWith } from './support/compare.js';

const test = suite('io safetensors');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-io-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A file exactly as the spec lays it out: u64 LE header length, JSON header, byte buffer. */
function handBuilt(header: string | object, buffer: Uint8Array = new Uint8Array(0), lengthField?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, lengthField ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

/** Little-endian bytes written through DataView setters, independent of the code under test. */
function le(width: number, values: (number | bigint)[], set: (v: DataView, at: number, x: never) => void): Uint8Array {
  const out = new Uint8Array(width * values.length);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => set(v, i * width, x as never));
  return out;
}
const f32 = (xs: number[]) => le(4, xs, (v, at, x: number) => v.setFloat32(at, x, true));
const i32 = (xs: number[]) => le(4, xs, (v, at, x: number) => v.setInt32(at, x, true));

test('a hand-built file with PyTorch state-dict names and metadata loads as the spec says', () => {
  const w = [0.5, -1.25, 3, 4, 5, 6];
  const b = [7, -8];
  const file = handBuilt({
    '__metadata__': { format: 'pt' },
    '0.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
    'lstm.weight_ih_l0': { dtype: 'F32', shape: [2], data_offsets: [24, 32] },
  }, new Uint8Array([...f32(w), ...f32(b)]));
  const { tensors, metadata } = decodeSafetensors(file);
  assert.equal(metadata, { format: 'pt' });
  assert.equal([...tensors.keys()], ['0.weight', 'lstm.weight_ih_l0']);
  assert.equal(tensors.get('0.weight')!.shape, [2, 3]);
  assert.equal([...tensors.get('0.weight')!.data], w);
  assert.equal([...tensors.get('lstm.weight_ih_l0')!.data], b);
  assert.is(tensors.get('0.weight')!.dtype, 'float32');
});

test('every dtype the format defines for numbers loads, converted to float32 or int32', () => {
  const cases: { dtype: string; bytes: Uint8Array; expect: number[]; as: 'float32' | 'int32' }[] = [
    { dtype: 'F32', bytes: f32([1.5, -2, 3.25]), expect: [1.5, -2, 3.25], as: 'float32' },
    { dtype: 'F64', bytes: le(8, [0.1, -1e300, 2], (v, at, x: number) => v.setFloat64(at, x, true)), expect: [Math.fround(0.1), -Infinity, 2], as: 'float32' },
    // F16 bits: 1.0, -2.0, 65504 (max), 2^-24 (smallest subnormal), +inf
    { dtype: 'F16', bytes: le(2, [0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00], (v, at, x: number) => v.setUint16(at, x, true)), expect: [1, -2, 65504, 2 ** -24, Infinity], as: 'float32' },
    // BF16 bits: 1.0, -3.0, 0.5
    { dtype: 'BF16', bytes: le(2, [0x3f80, 0xc040, 0x3f00], (v, at, x: number) => v.setUint16(at, x, true)), expect: [1, -3, 0.5], as: 'float32' },
    { dtype: 'I32', bytes: i32([-2147483648, 0, 2147483647]), expect: [-2147483648, 0, 2147483647], as: 'int32' },
    { dtype: 'I64', bytes: le(8, [-5n, 2147483647n, -2147483648n], (v, at, x: bigint) => v.setBigInt64(at, x, true)), expect: [-5, 2147483647, -2147483648], as: 'int32' },
    { dtype: 'U64', bytes: le(8, [0n, 7n], (v, at, x: bigint) => v.setBigUint64(at, x, true)), expect: [0, 7], as: 'int32' },
    { dtype: 'U32', bytes: le(4, [0, 2147483647], (v, at, x: number) => v.setUint32(at, x, true)), expect: [0, 2147483647], as: 'int32' },
    { dtype: 'I16', bytes: le(2, [-32768, 5], (v, at, x: number) => v.setInt16(at, x, true)), expect: [-32768, 5], as: 'int32' },
    { dtype: 'U16', bytes: le(2, [65535, 5], (v, at, x: number) => v.setUint16(at, x, true)), expect: [65535, 5], as: 'int32' },
    { dtype: 'I8', bytes: new Uint8Array([0x80, 0x7f]), expect: [-128, 127], as: 'int32' },
    { dtype: 'U8', bytes: new Uint8Array([255, 0]), expect: [255, 0], as: 'int32' },
    { dtype: 'BOOL', bytes: new Uint8Array([1, 0]), expect: [1, 0], as: 'int32' },
  ];
  for (const c of cases) {
    const n = c.expect.length;
    const t = decodeSafetensors(handBuilt({ x: { dtype: c.dtype, shape: [n], data_offsets: [0, c.bytes.length] } }, c.bytes)).tensors.get('x')!;
    assert.is(t.dtype, c.as, c.dtype);
    assert.is(t.fileDtype, c.dtype);
    assert.equal([...t.data], c.expect, c.dtype);
  }
});

test('an integer outside int32 is an error naming the tensor and value', () => {
  const big = le(8, [1n, 5000000000n], (v, at, x: bigint) => v.setBigInt64(at, x, true));
  throwsWith(() => decodeSafetensors(handBuilt({ ids: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, big)),
    ["tensor 'ids' (I64)", 'element 1 is 5000000000', 'int32'], 'I64 overflow');
  const u = le(4, [2147483648], (v, at, x: number) => v.setUint32(at, x, true));
  throwsWith(() => decodeSafetensors(handBuilt({ u: { dtype: 'U32', shape: [1], data_offsets: [0, 4] } }, u)), ["'u'", '2147483648'], 'U32 overflow');
});

test('a written file parses byte by byte as the spec says', () => {
  const bytes = encodeSafetensors(
    { 'fc.weight': { shape: [2, 2], data: Float32Array.of(1, -2, 0.5, 3) }, 'step': { shape: [], data: Int32Array.of(-7) } },
    { arch: '{"type":"Linear"}' },
  );
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.is(n % 8, 0, 'header length is a multiple of 8 so the buffer is 8-byte aligned');
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  const json = '{"__metadata__":{"arch":"{\\"type\\":\\"Linear\\"}"},'
    + '"fc.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},'
    + '"step":{"dtype":"I32","shape":[],"data_offsets":[16,20]}}';
  assert.is(text, json.padEnd(n, ' '), 'JSON header padded with spaces');
  assert.equal([...bytes.subarray(8 + n)], [...f32([1, -2, 0.5, 3]), ...i32([-7])], 'little-endian tensor bytes at their offsets');
  assert.is(bytes.length, 8 + n + 20);
});

// The bytes `safetensors.torch.save({'test': torch.zeros((2, 2))})` produces, as pinned in the
// safetensors project's own test suite (test_pt_comparison.py), and the unpadded I32 file its
// older numpy test deserializes: header length 60, no alignment spaces.
const TORCH_ZEROS_2X2 = new Uint8Array([
  0x40, 0, 0, 0, 0, 0, 0, 0,
  ...new TextEncoder().encode('{"test":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}    '),
  ...new Uint8Array(16),
]);
const OLD_UNPADDED_I32 = new Uint8Array([
  0x3c, 0, 0, 0, 0, 0, 0, 0,
  ...new TextEncoder().encode('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}'),
  ...new Uint8Array(12), 1, 0, 0, 0,
]);

test("our writer produces exactly the bytes of PyTorch's safetensors save", () => {
  assert.equal([...encodeSafetensors({ test: { shape: [2, 2], data: new Float32Array(4) } })], [...TORCH_ZEROS_2X2]);
});

test("files from PyTorch's safetensors, padded or not, load", () => {
  const f = decodeSafetensors(TORCH_ZEROS_2X2).tensors.get('test')!;
  assert.equal([f.dtype, [...f.shape], [...f.data]], ['float32', [2, 2], [0, 0, 0, 0]]);
  const i = decodeSafetensors(OLD_UNPADDED_I32).tensors.get('test')!;
  assert.equal([i.dtype, [...i.data]], ['int32', [0, 0, 0, 1]]);
});

test('float32 and int32 tensors round-trip through a file exactly, keeping names and order', async () => {
  await dg.init({ backend: 'cpu' });
  const path = join(dir, 'roundtrip.safetensors');
  const a = dg.tensor(Float32Array.of(Math.fround(0.1), -0, 1e-40, 3.4e38, -Infinity, NaN), [2, 3]);
  const b = dg.tensor(Int32Array.of(-2147483648, 2147483647, 0), [3], { dtype: 'int32' });
  const empty = dg.zeros([0, 5]);
  await saveSafetensors(path, { 'z.b': b, 'a.a': a, empty }, { metadata: { note: 'hi' } });
  const { tensors, metadata } = await loadSafetensors(path);
  assert.equal(metadata, { note: 'hi' });
  assert.equal([...tensors.keys()], ['z.b', 'a.a', 'empty']);
  assert.equal(tensors.get('a.a')!.shape, [2, 3]);
  assert.equal([...await tensors.get('a.a')!.data()], [...await a.data()]);
  assert.is(tensors.get('z.b')!.dtype, 'int32');
  assert.equal([...await tensors.get('z.b')!.data()], [-2147483648, 2147483647, 0]);
  assert.equal(tensors.get('empty')!.shape, [0, 5]);
});

test('the file reader and the in-memory decoder agree', async () => {
  const path = join(dir, 'agree.safetensors');
  const file = handBuilt({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } }, f32([1, 2, 3]));
  writeFileSync(path, file);
  const t = (await readSafetensorsFile(path)).tensors.get('x')!;
  assert.equal([...t.data], [...decodeSafetensors(file).tensors.get('x')!.data]);
});

const bad: { what: string; file: Uint8Array; says: string[] }[] = [
  { what: 'shorter than the length field', file: new Uint8Array([1, 0, 0]), says: ['truncated', '3 bytes'] },
  { what: 'header length larger than the file', file: handBuilt('{}', new Uint8Array(0), 1000n), says: ['header length 1000', 'larger than'] },
  { what: 'astronomically large header length', file: handBuilt('{}', new Uint8Array(0), 2n ** 63n), says: ['header length 9223372036854775808'] },
  { what: 'malformed JSON', file: handBuilt('{"x": {"dtype": "F32",'), says: ['not valid JSON'] },
  { what: 'header not an object', file: handBuilt('[1, 2]'), says: ['must be a JSON object', 'array'] },
  { what: 'unknown dtype', file: handBuilt({ x: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } }, f32([1])), says: ["tensor 'x'", "unknown dtype 'F33'"] },
  { what: 'unsupported dtype', file: handBuilt({ x: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), says: ["unsupported dtype 'F8_E4M3'"] },
  { what: 'shape does not match the byte count', file: handBuilt({ x: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, f32([1, 2, 3])), says: ["tensor 'x'", 'shape [2,2] of F32 needs 16 bytes', 'span 12'] },
  { what: 'offsets past the end of the file', file: handBuilt({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32([1, 2])), says: ['truncated', 'need 16 bytes', 'has 8'] },
  {
    what: 'overlapping tensors',
    file: handBuilt({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32([1, 2, 3])),
    says: ["tensor 'b'", 'overlaps'],
  },
  { what: 'a gap between tensors', file: handBuilt({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), says: ['bytes [0, 4)', 'belong to no tensor'] },
  { what: 'trailing bytes', file: handBuilt({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32([1, 2])), says: ['4 bytes after the last tensor'] },
  { what: 'begin after end', file: handBuilt({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, f32([1, 2])), says: ['data_offsets must be [begin, end]'] },
  { what: 'negative dimension', file: handBuilt({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32([1])), says: ['shape must be an array of non-negative integers'] },
  {
    what: 'a shape claiming petabytes',
    file: handBuilt({ a: { dtype: 'F32', shape: [1e6, 1e6, 1e6], data_offsets: [0, 4] } }, f32([1])),
    says: ['impossibly large'],
  },
  { what: 'entry not an object', file: handBuilt({ a: 3 }), says: ["tensor 'a'", 'expected an object'] },
  { what: 'non-string metadata', file: handBuilt({ __metadata__: { epoch: 3 } }), says: ['__metadata__ must map strings to strings'] },
];

for (const c of bad) {
  test(`bad file: ${c.what}`, async () => {
    throwsWith(() => decodeSafetensors(c.file), c.says, c.what);
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, c.file);
    let message = '';
    await readSafetensorsFile(path).catch((e: Error) => { message = e.message; });
    for (const s of [path, ...c.says]) assert.ok(message.includes(s), `${c.what} (file): "${message}" should mention "${s}"`);
  });
}

test('a write replaces the old file whole', async () => {
  const path = join(dir, 'replace.safetensors');
  await writeSafetensorsFile(path, { x: { shape: [1], data: Float32Array.of(1) } });
  await writeSafetensorsFile(path, { x: { shape: [2], data: Float32Array.of(2, 3) } });
  assert.equal([...decodeSafetensors(readFileSync(path)).tensors.get('x')!.data], [2, 3]);
});

test('a write that fails at the rename leaves the target untouched and no temporary file', async () => {
  const box = join(dir, 'atomic');
  // A non-empty directory where the file should go: everything succeeds but the final rename.
  mkdirSync(join(box, 'model.safetensors', 'inside'), { recursive: true });
  let message = '';
  await writeFileAtomic(join(box, 'model.safetensors'), new Uint8Array(16)).catch((e: Error) => { message = e.message; });
  assert.ok(message !== '', 'the rename over a directory fails');
  assert.equal(readdirSync(box), ['model.safetensors'], 'the temporary file was removed');
  assert.equal(readdirSync(join(box, 'model.safetensors')), ['inside'], 'the target is untouched');
});

test('writing refuses the reserved metadata key as a tensor name', () => {
  throwsWith(() => encodeSafetensors({ __metadata__: { shape: [1], data: Float32Array.of(1) } }), ["'__metadata__'", 'reserved'], 'reserved name');
});

// Expected bits worked out by hand from IEEE 754 (and checked against torch's .half() /
// .bfloat16() conversions, which round to nearest, ties to even).
const F16_CASES: [number, number][] = [
  [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65519, 0x7bff], [65520, 0x7c00 /* tie: up to inf */],
  [1 / 3, 0x3555], [2 ** -14, 0x0400], [2 ** -24, 0x0001], [3 * 2 ** -26, 0x0001], [2 ** -25, 0x0000 /* tie: to even 0 */],
  [1e-8, 0x0000], [-0, 0x8000], [Infinity, 0x7c00], [-Infinity, 0xfc00], [NaN, 0x7e00], [1 + 2 ** -11, 0x3c00 /* tie: even */],
  [1 + 3 * 2 ** -11, 0x3c02 /* tie: even */], [0.1, 0x2e66],
];
const BF16_CASES: [number, number][] = [
  [1, 0x3f80], [-3, 0xc040], [1 / 3, 0x3eab], [1 + 2 ** -8, 0x3f80 /* tie: even */], [1 + 3 * 2 ** -8, 0x3f82 /* tie: even */],
  [-Infinity, 0xff80], [NaN, 0x7fc0], [3.4e38, 0x7f80 /* rounds past the largest bfloat16 */], [0.1, 0x3dcd],
];

test('F16 and BF16 writing rounds to nearest even, bit for bit, and reads back as the rounded values', () => {
  for (const [floatDtype, cases] of [['F16', F16_CASES], ['BF16', BF16_CASES]] as const) {
    const values = Float32Array.from(cases, ([v]) => v);
    const bytes = encodeSafetensors({ w: { shape: [values.length], data: values }, ids: { shape: [2], data: Int32Array.of(7, -1) } }, {}, { floatDtype });
    const file = decodeSafetensors(bytes);
    const w = file.tensors.get('w')!;
    assert.is(w.fileDtype, floatDtype);
    assert.is(file.tensors.get('ids')!.fileDtype, 'I32', 'int32 tensors stay I32');
    assert.equal([...file.tensors.get('ids')!.data], [7, -1]);
    // The raw bits in the file, read independently of the encoder.
    const start = bytes.length - 8 - 2 * values.length;
    const view = new DataView(bytes.buffer, bytes.byteOffset + start, 2 * values.length);
    cases.forEach(([v, expected], i) => {
      assert.is(view.getUint16(2 * i, true), expected, `${floatDtype}(${v}) = 0x${expected.toString(16)}, got 0x${view.getUint16(2 * i, true).toString(16)}`);
    });
    assert.is(bytes.length - start, 2 * values.length + 8, 'half the bytes of float32');
    // Reading decodes the same bits (the decoder was tested on hand-built files above).
    cases.forEach(([v], i) => {
      const back = w.data[i]!;
      if (Number.isNaN(v)) assert.ok(Number.isNaN(back));
      else assert.ok(Math.abs(back - v) <= Math.abs(v) * (floatDtype === 'F16' ? 2 ** -11 : 2 ** -8) || (floatDtype === 'F16' && Math.abs(v) < 2 ** -14) || !Number.isFinite(back), `${floatDtype} ${v} read back as ${back}`);
    });
  }
  throwsWith(() => encodeSafetensors({ w: { shape: [1], data: Float32Array.of(1) } }, {}, { floatDtype: 'F8' as 'F16' }), ['encodeSafetensors', 'floatDtype', "'F8'"], 'unknown float type');
});

test.run();
