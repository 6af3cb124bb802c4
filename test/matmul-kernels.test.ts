// The matmul kernels below the op layer: every tile shape the autotuner may pick, every
// operand layout of the vec4 kernel, split-K, and the autotune cache. The op table in
// ops.test.ts covers matmul's semantics and gradients; this file covers what it cannot reach
// (tiles other than the one this adapter chose).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { MatmulSpec } from '../src/backend/backend.js';
import { CpuBackend } from '../src/backend/cpu/index.js';
import { autotuneCachePath, autotuneMatmul, TILE_CANDIDATES } from '../src/backend/webgpu/autotune.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { matmul, matmulTile, vec4Layout } from '../src/backend/webgpu/kernels/matmul.js';
import { backendNamed } from '../src/core/engine.js';
import { assertClose, GPU_TOL, seeded } from './support/compare.js';
import { webgpuSuite } from './support/webgpu.js';

interface Case { name: string; spec: MatmulSpec; aSize: number; bSize: number }

/** A spec for op(A) @ op(B) over `batch` stacked, contiguous matrices. */
function product(name: string, M: number, K: number, N: number, o: { batch?: number; aT?: boolean; bT?: boolean } = {}): Case {
  const batch = o.batch ?? 1;
  const aT = o.aT ?? false;
  const bT = o.bT ?? false;
  return {
    name,
    aSize: batch * M * K,
    bSize: batch * K * N,
    spec: {
      batch, M, K, N,
      aOffsets: Array.from({ length: batch }, (_, t) => t * M * K),
      bOffsets: Array.from({ length: batch }, (_, t) => t * K * N),
      aRowStride: aT ? 1 : K, aColStride: aT ? M : 1,
      bRowStride: bT ? 1 : N, bColStride: bT ? K : 1,
    },
  };
}

const CASES: Case[] = [
  product('1x4x4', 1, 4, 4),
  product('37x132x68 (rows and columns not tile multiples)', 37, 132, 68),
  product('A transposed 12x20x8', 12, 20, 8, { aT: true }),
  product('B transposed 9x20x7', 9, 20, 7, { bT: true }),
  product('both transposed 20x12x13', 20, 12, 13, { aT: true, bT: true }),
  product('batched 3 x 9x16x8', 9, 16, 8, { batch: 3 }),
  product('wide 5x8x1028 spans several workgroups', 5, 8, 1028),
  product('split-K 5x1028x12', 5, 1028, 12),
  product('split-K transposed 12x1540x8', 12, 1540, 8, { aT: true, bT: true }),
];

let rt: WebGpuBackend['rt'];
const cpu = new CpuBackend();

const tiles = webgpuSuite('matmul kernels: every autotune candidate matches the cpu reference');
tiles.before(async () => {
  await dg.init({ backend: 'webgpu' });
  rt = ((await backendNamed('webgpu')) as WebGpuBackend).rt;
});

for (const c of CASES) {
  tiles(c.name, async () => {
    assert.ok(vec4Layout(c.spec), `${c.name} should take the vec4 path`);
    const av = Float32Array.from(seeded(c.aSize, 3));
    const bv = Float32Array.from(seeded(c.bSize, 4));
    const expected = cpu.readExact(cpu.matmul(cpu.upload(av), cpu.upload(bv), c.spec));
    const a = rt.upload(av);
    const b = rt.upload(bv);
    for (const tile of TILE_CANDIDATES) {
      const out = matmul(rt, a, b, c.spec, tile);
      assertClose(new Float32Array(await rt.readBuffer(out)), expected, GPU_TOL, `${c.name} with tile ${JSON.stringify(tile)}`);
      rt.release(out);
    }
    rt.release(a);
    rt.release(b);
  });
}

tiles('layouts the vec4 kernel cannot read take the strided path', () => {
  assert.is(vec4Layout(product('odd K', 4, 5, 4).spec), null);
  assert.is(vec4Layout(product('transposed A with M % 4 != 0', 6, 8, 4, { aT: true }).spec), null);
  assert.is(vec4Layout(product('B with N % 4 != 0', 4, 8, 6).spec), null);
  const broadcast = product('unaligned batch offset', 4, 8, 4, { batch: 2 });
  assert.is(vec4Layout({ ...broadcast.spec, bOffsets: [0, 2] }), null);
});
tiles.run();

const tune = webgpuSuite('matmul autotune');
let cacheDir = '';
const saved = { cache: process.env.XDG_CACHE_HOME, skip: process.env.DAWNGRAD_NO_AUTOTUNE };
tune.before(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'dawngrad-autotune-'));
  process.env.XDG_CACHE_HOME = cacheDir;
  delete process.env.DAWNGRAD_NO_AUTOTUNE;
});
tune.after(async () => {
  for (const [k, v] of [['XDG_CACHE_HOME', saved.cache], ['DAWNGRAD_NO_AUTOTUNE', saved.skip]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(cacheDir, { recursive: true, force: true });
  // Leave the runtime with the tile this machine's own cache chose, as other tests expect.
  await autotuneMatmul(rt);
});

tune('measures once, caches the choice per adapter, then reads it back', async () => {
  const first = await autotuneMatmul(rt);
  assert.is(first.source, 'measured');
  assert.equal(matmulTile(rt), first.tile);
  const file = JSON.parse(readFileSync(autotuneCachePath(), 'utf8')) as Record<string, unknown>;
  assert.equal(Object.values(file), [first.tile]);
  // The key lists the candidates, so a release that adds one re-tunes instead of trusting an old pick.
  const key = Object.keys(file)[0]!;
  for (const t of TILE_CANDIDATES) assert.ok(key.includes(`${t.rows}x${t.wg}`), `cache key ${key} names candidate ${t.rows}x${t.wg}`);
  const second = await autotuneMatmul(rt);
  assert.is(second.source, 'cache');
  assert.equal(second.tile, first.tile);
});

tune('DAWNGRAD_NO_AUTOTUNE=1 uses the default tile without measuring', async () => {
  process.env.DAWNGRAD_NO_AUTOTUNE = '1';
  const r = await autotuneMatmul(rt);
  assert.is(r.source, 'default');
  assert.equal(matmulTile(rt), r.tile);
  delete process.env.DAWNGRAD_NO_AUTOTUNE;
});
tune.run();
