// Property-based fuzzing with seeded random cases.
// - Every kernel family (elementwise with broadcasting, reductions, matmul with batch broadcast
//   and transposes, conv2d with all its options, pooling, LSTM, GRU, losses): webgpu against the cpu
//   reference, forward and gradients, and float64 finite differences on the small cases.
// - The safetensors reader on mutated files (byte flips, truncations, header edits): an Error
//   that names the file, or a load whose every tensor has the size its shape says; never a
//   crash, a hang or an allocation larger than the file.
// DAWNGRAD_FUZZ_CASES=N draws N cases per family instead of CI's default; DAWNGRAD_FUZZ_SEED=S
// runs only the cases drawn from seed S. Every failure prints its seed and the command that
// reruns exactly that case.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeSafetensors, encodeSafetensors } from '../src/io/safetensors.js';
import { checkGpuMatchesCpu, gradCheck, hasWebGpu } from './support/compare.js';
import { elementsOf, FAMILIES, type Family, fuzzCase, rng } from './support/fuzzCases.js';
import { webgpuTest } from './support/webgpu.js';

await hasWebGpu();

/** CI's default: enough to cover every option of every family in well under a minute. */
const DEFAULT_CASES = 24;
const count = Number(process.env.DAWNGRAD_FUZZ_CASES ?? DEFAULT_CASES);
const only = process.env.DAWNGRAD_FUZZ_SEED === undefined ? null : Number(process.env.DAWNGRAD_FUZZ_SEED);
if (!Number.isInteger(count) || count < 1) throw new Error(`fuzz: DAWNGRAD_FUZZ_CASES must be a positive integer, got '${process.env.DAWNGRAD_FUZZ_CASES}'`);
/** Families get disjoint seed ranges, so a seed names one case of one family. */
const seedsOf = (familyIndex: number) => (only !== null ? [only] : Array.from({ length: count }, (_, i) => 1000 * (familyIndex + 1) + i));
/** The finite-difference check evaluates a case twice per input element: keep it to small ones. */
const GRAD_CHECK_ELEMENTS = 120;

const repro = (seed: number) => `DAWNGRAD_FUZZ_SEED=${seed} npm test -- fuzz`;

async function reported(seed: number, name: string, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (e) {
    const err = e as Error;
    err.message = `seed ${seed}: ${name}: ${err.message}\n  rerun: ${repro(seed)}`;
    throw err;
  }
}

const kernels = suite('fuzz: every kernel family on webgpu matches the cpu reference, seeded');
const grads = suite('fuzz: float64 finite-difference gradients of the small seeded cases');
(Object.keys(FAMILIES) as Family[]).forEach((family, fi) => {
  const seeds = seedsOf(fi);
  webgpuTest(kernels)(`${family}: ${seeds.length} seeded case(s)`, async () => {
    for (const seed of seeds) {
      const c = fuzzCase(family, seed);
      await reported(seed, c.name, () => checkGpuMatchesCpu(c.inputs, c.fn, c.name, c.differentiable, seed));
    }
  });
  grads(`${family}: the seeded cases of at most ${GRAD_CHECK_ELEMENTS} input elements`, async () => {
    let checked = 0;
    for (const seed of seeds) {
      const c = fuzzCase(family, seed);
      if (!c.differentiable || elementsOf(c) > GRAD_CHECK_ELEMENTS) continue;
      await reported(seed, c.name, () => gradCheck(c.inputs, c.fn, c.name, seed));
      checked++;
    }
    // A generator drifting to only-large cases would silently check nothing.
    if (only === null) assert.ok(checked >= Math.min(3, seeds.length) || family === 'lstm' || family === 'gru', `${family}: only ${checked} small differentiable cases among ${seeds.length}`);
  });
});
kernels.run();
grads.run();

// ---- the safetensors reader on mutated files ----

const SOURCE = 'fuzzed.safetensors';

function validFile(r: () => number): Uint8Array {
  const tensors: Record<string, { shape: number[]; data: Float32Array | Int32Array }> = {};
  const k = 1 + Math.floor(r() * 3);
  for (let i = 0; i < k; i++) {
    const shape = Array.from({ length: 1 + Math.floor(r() * 3) }, () => 1 + Math.floor(r() * 5));
    const size = shape.reduce((a, b) => a * b, 1);
    tensors[`layer${i}.weight`] = r() < 0.8 ? { shape, data: Float32Array.from({ length: size }, () => r()) } : { shape, data: Int32Array.from({ length: size }, (_, j) => j) };
  }
  return encodeSafetensors(tensors, { note: 'fuzz' });
}

function withHeader(json: string, file: Uint8Array, lengthDelta = 0): Uint8Array {
  const n = new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true);
  const data = file.subarray(8 + Number(n));
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, head.length + lengthDelta)), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

const HOSTILE_VALUES: unknown[] = [-1, 1.5, 2 ** 53, 1e300, 'x', null, [], {}, [2 ** 40, 2 ** 40], [[1]], true, 'F64', 'F8_E4M3', 'I64', 'BOOL', 'C64'];

/** Edits one field of the header's JSON: shapes, offsets, dtypes, extra or missing keys, nesting. */
function mutateHeader(r: () => number, file: Uint8Array): Uint8Array {
  const n = Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Record<string, Record<string, unknown>>;
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const entry = header[names[Math.floor(r() * names.length)]!]!;
  const pickValue = () => HOSTILE_VALUES[Math.floor(r() * HOSTILE_VALUES.length)];
  switch (Math.floor(r() * 8)) {
    case 0: entry.shape = pickValue(); break;
    case 1: entry.data_offsets = pickValue(); break;
    case 2: entry.dtype = pickValue(); break;
    case 3: { const o = entry.data_offsets as number[]; entry.data_offsets = [o[0]! + Math.floor(r() * 9) - 4, o[1]! + Math.floor(r() * 9) - 4]; break; }
    case 4: delete entry[pick3(r)]; break;
    case 5: header.__metadata__ = pickValue() as Record<string, unknown>; break;
    case 6: { const deep = '['.repeat(100_000) + ']'.repeat(100_000); return withHeader(`{"x":${deep}}`, file); }
    default: return withHeader(JSON.stringify(header), file, Math.floor(r() * 17) - 8);
  }
  return withHeader(JSON.stringify(header), file);
}
const pick3 = (r: () => number) => ['dtype', 'shape', 'data_offsets'][Math.floor(r() * 3)]!;

function mutate(r: () => number, file: Uint8Array): { how: string; bytes: Uint8Array } {
  const kind = Math.floor(r() * 3);
  if (kind === 0) {
    const bytes = file.slice();
    const flips = 1 + Math.floor(r() * 4);
    for (let i = 0; i < flips; i++) bytes[Math.floor(r() * bytes.length)] ^= 1 << Math.floor(r() * 8);
    return { how: `${flips} bit flip(s)`, bytes };
  }
  if (kind === 1) {
    const at = Math.floor(r() * file.length);
    return { how: `truncated to ${at} of ${file.length} bytes`, bytes: file.slice(0, at) };
  }
  return { how: 'header edit', bytes: mutateHeader(r, file) };
}

const reader = suite('fuzz: the safetensors reader on mutated files');
const READER_CASES = count * 8;
const readerSeeds = only !== null ? [only] : Array.from({ length: READER_CASES }, (_, i) => 90_000 + i);
reader(`${readerSeeds.length} mutated files each give an Error naming the file or a load whose tensors match their shapes`, () => {
  let errors = 0;
  for (const seed of readerSeeds) {
    const r = rng(seed);
    const file = validFile(r);
    const { how, bytes } = mutate(r, file);
    let loaded: ReturnType<typeof decodeSafetensors> | null = null;
    try {
      loaded = decodeSafetensors(bytes, SOURCE);
    } catch (e) {
      errors++;
      const message = (e as Error).message;
      const where = `seed ${seed} (${how}), rerun: ${repro(seed)}`;
      assert.ok(e instanceof Error, `${where}: threw a non-Error ${String(e)}`);
      assert.ok(message.startsWith(`${SOURCE}:`), `${where}: the message should name the file: ${message.slice(0, 300)}`);
      // A message quoting a whole hostile header would be megabytes long.
      assert.ok(message.length <= 1000, `${where}: a ${message.length}-character message`);
    }
    if (!loaded) continue;
    let total = 0;
    for (const [name, t] of loaded.tensors) {
      const size = t.shape.reduce((a, b) => a * b, 1);
      assert.is(t.data.length, size, `seed ${seed} (${how}): tensor '${name}' has ${t.data.length} elements for shape [${t.shape.join(', ')}]`);
      total += t.data.byteLength;
    }
    // Decoded tensors are float32/int32: at most 4 bytes for each 1-byte element in the file.
    assert.ok(total <= 4 * bytes.length, `seed ${seed} (${how}): ${total} bytes decoded from a ${bytes.length}-byte file`);
  }
  if (only === null) assert.ok(errors > readerSeeds.length / 4, `only ${errors} of ${readerSeeds.length} mutations were refused: are the mutations real?`);
});
reader.run();
