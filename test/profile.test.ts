// dg.profile: per-kernel GPU times from timestamp queries, and the runtime's return to its
// normal one-pass batching afterwards.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { getBackend } from '../src/core/engine.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { summarize } from '../src/backend/profileSpec.js';
import { timestampSupportError } from '../src/backend/webgpu/profiler.js';
import { rejectsWith } from './support/compare.js';
import { webgpuSuite } from './support/webgpu.js';

const t = webgpuSuite('profile');
let gpu: WebGpuBackend;
t.before(async () => {
  await dg.init({ backend: 'webgpu' });
  gpu = getBackend() as WebGpuBackend;
});

/** A fixed sequence of ops with a known kernel per op: 3 unary, 1 binary, 1 matmul, 1 reduce. */
function work(a: dg.Tensor, b: dg.Tensor): dg.Tensor {
  return a.exp().neg().exp().add(a).matmul(b).sum();
}

const inputs = () => [dg.randn([37, 41]), dg.randn([41, 13])] as const;

t('reports each kernel with its call count and a positive time', async () => {
  const [a, b] = inputs();
  await b.data();
  const before = gpu.rt.stats.dispatches;
  const p = await dg.profile(() => work(a, b));
  const calls = Object.fromEntries(p.kernels.map((k) => [k.kernel, k.calls]));
  assert.equal(calls, { 'unary.wgsl:forward': 3, 'binary.wgsl:binary': 1, 'matmul.wgsl:main': 1, 'reduce.wgsl:rows': 1 });
  assert.is(p.dispatches, gpu.rt.stats.dispatches - before, 'every dispatch is timed');
  for (const k of p.kernels) {
    assert.ok(k.totalMs > 0, `${k.kernel}: ${k.totalMs} ms`);
    assert.ok(Math.abs(k.meanUs - (k.totalMs * 1e3) / k.calls) < 1e-9, `${k.kernel}: mean`);
  }
  for (let i = 1; i < p.kernels.length; i++) assert.ok(p.kernels[i - 1]!.totalMs >= p.kernels[i]!.totalMs, 'sorted by total');
  assert.ok(Math.abs(p.kernels.reduce((s, k) => s + k.percent, 0) - 100) < 1e-9, 'shares add up to 100%');
  assert.ok(p.gpuMs > 0 && p.gpuMs <= p.wallMs, `gpu ${p.gpuMs} ms within wall ${p.wallMs} ms`);
  assert.ok(p.table().includes('| unary.wgsl:forward | 3 |'), p.table());
  assert.ok(p.table(1).includes('| (3 more) |') && p.table(1).includes('| **all** | 6 |'), p.table(1));
});

t('the profiled work computes the same values as unprofiled', async () => {
  const [a, b] = inputs();
  const plain = await work(a, b).data();
  const p = await dg.profile(async () => work(a, b).data());
  assert.equal(Array.from(p.result), Array.from(plain));
});

t('times each dispatch in its own pass, and afterwards batches into one pass again', async () => {
  const [a, b] = inputs();
  await b.data();
  let s = { ...gpu.rt.stats };
  await dg.profile(() => work(a, b));
  assert.is(gpu.rt.stats.passes - s.passes, 6, 'one pass per dispatch while profiling');
  s = { ...gpu.rt.stats };
  const y = work(a, b);
  assert.is(gpu.rt.stats.passes - s.passes, 1, 'one shared pass after the profile');
  assert.is(gpu.rt.stats.submits - s.submits, 0, 'nothing submitted before a read');
  await y.data();
});

t('groups by pipeline or by dispatch grid when asked', async () => {
  const [a, c] = [dg.randn([37, 41]), dg.randn([2, 41])];
  await c.data();
  const byGrid = await dg.profile(() => [a.exp(), c.exp()], { by: 'dispatch' });
  assert.is(byGrid.kernels.length, 2, byGrid.table());
  assert.ok(byGrid.kernels.every((k) => k.kernel.startsWith('unary.wgsl:forward OP=') && k.kernel.includes(' grid ')), byGrid.table());
  const byPipeline = await dg.profile(() => [a.exp(), c.exp()], { by: 'pipeline' });
  assert.is(byPipeline.kernels.length, 1, byPipeline.table());
  assert.is(byPipeline.kernels[0]!.calls, 2);
});

t('a full query set submits the batch early and loses no dispatch', async () => {
  const [a, b] = inputs();
  await b.data();
  const before = gpu.rt.stats.submits;
  const p = await dg.profile(() => work(a, b), { queryCapacity: 4 });
  assert.is(p.dispatches, 6);
  assert.ok(gpu.rt.stats.submits - before >= 3, 'two dispatches per batch');
  assert.is(p.kernels.find((k) => k.kernel === 'unary.wgsl:forward')?.calls, 3);
});

t('nested and overlapping profiles are refused', async () => {
  const a = dg.randn([5]);
  await dg.profile(async () => {
    await rejectsWith(dg.profile(() => a.exp()), ['profile: a profile is already running', 'cannot be nested or overlap'], 'nested');
  });
  const first = dg.profile(async () => (await a.exp().data())[0]);
  await rejectsWith(dg.profile(() => a.exp()), ['already running'], 'overlapping');
  await first;
});

t('an error in the profiled function propagates and leaves the runtime usable', async () => {
  const [a, b] = inputs();
  await rejectsWith(dg.profile(() => {
    a.exp();
    throw new Error('boom');
  }), ['boom'], 'thrown');
  await rejectsWith(dg.profile(() => b.matmul(b)), ['matmul'], 'bad shapes');
  const s = { ...gpu.rt.stats };
  const y = work(a, b);
  assert.is(gpu.rt.stats.passes - s.passes, 1, 'back to one shared pass');
  assert.is((await y.data()).length, 1);
  const p = await dg.profile(() => work(a, b));
  assert.is(p.dispatches, 6, 'a later profile works');
});

t('options are checked', async () => {
  await rejectsWith(dg.profile(() => null, { by: 'op' as dg.ProfileGroup }), ["profile: unknown grouping by 'op'", "'kernel'"], 'by');
  await rejectsWith(dg.profile(() => null, { queryCapacity: 3 }), ['query capacity must be an even integer >= 2, got 3'], 'capacity');
  const s = { ...gpu.rt.stats };
  const y = dg.randn([5]).exp();
  assert.is(gpu.rt.stats.passes - s.passes, 1, 'a refused profile leaves normal mode on');
  await y.data();
});

t('the cpu backend and adapters without timestamp queries get a clear error', async () => {
  await dg.init({ backend: 'cpu' });
  try {
    await rejectsWith(dg.profile(() => null), ["the active backend is 'cpu'", "dg.init({ backend: 'webgpu' })"], 'cpu');
  } finally {
    await dg.init({ backend: 'webgpu' });
  }
  const err = timestampSupportError(new Set(['shader-f16']), 'Some Adapter');
  assert.ok(err?.message.includes("'Some Adapter' does not offer the 'timestamp-query' feature"), err?.message);
  assert.is(timestampSupportError(new Set(['timestamp-query']), 'x'), null);
});

t('summarize adds up calls and times per kernel, largest first', () => {
  const rows = summarize([{ kernel: 'a', ns: 1000 }, { kernel: 'b', ns: 5000 }, { kernel: 'a', ns: 2000 }]);
  assert.equal(rows.map((r) => [r.kernel, r.calls, r.totalMs, r.meanUs, r.percent]), [['b', 1, 0.005, 5, 62.5], ['a', 2, 0.003, 1.5, 37.5]]);
});

t('npm run profile -- --quick writes a breakdown of the three workloads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dawngrad-profile-'));
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/profile.ts', '--quick', '--reps', '1', '--out-dir', dir], {
      cwd: resolve(import.meta.dirname, '..'), encoding: 'utf8', timeout: 120_000,
    });
    assert.is(run.status, 0, `profile exited with ${run.status}: ${run.stderr.slice(-2000)}`);
    const file = readdirSync(dir).find((f) => f.endsWith('-quick.profile.md'));
    assert.ok(file, `no profile among ${readdirSync(dir).join(', ')}`);
    const md = readFileSync(join(dir, file!), 'utf8');
    for (const title of ['## matmul', '## sequential-MNIST LSTM', '## MNIST CNN training step']) assert.ok(md.includes(title), `${title} in\n${md}`);
    assert.ok(md.includes('| conv2d.wgsl:forward |') && md.includes('load average'), md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
