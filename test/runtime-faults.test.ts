// The runtime's memory controls and fault handling: pool cap and emptyCache, deferred device
// checks raised only by dependent reads, device loss, refused allocations and hung waits.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { getBackend } from '../src/core/engine.js';
import { Tensor } from '../src/core/tensor.js';
import { requestGpu } from '../src/backend/webgpu/device.js';
import { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { DEFAULT_POOL_LIMIT_BYTES, GpuRuntime } from '../src/backend/webgpu/runtime.js';
import { withTimeout } from '../src/backend/webgpu/timeout.js';
import { rejection, throwsWith } from './support/compare.js';
import { webgpuSuite } from './support/webgpu.js';


function includesAll(message: string, parts: string[], what: string): void {
  for (const part of parts) assert.ok(message.includes(part), `${what}: "${message}" should mention "${part}"`);
}

const cpu = suite('runtime faults (cpu)');

cpu('cpu memory(): live bytes are the tensors\' storage, nothing is pooled', async () => {
  await dg.init({ backend: 'cpu' });
  const before = dg.memory();
  const x = dg.zeros([1000]);
  const m = dg.memory();
  assert.is(m.liveBytes - before.liveBytes, 4000);
  assert.is(m.pooledBytes, 0);
  assert.is(m.allocatedBytes, m.liveBytes + m.pooledBytes);
  x.dispose();
  dg.emptyCache();
  assert.is(dg.memory().liveBytes, before.liveBytes);
});

cpu('init refuses a pool limit or timeout that is not a finite number >= 0', async () => {
  for (const [option, value] of [['poolLimitBytes', -1], ['waitTimeoutMs', Number.NaN], ['poolLimitBytes', Infinity]] as const) {
    const message = await rejection(dg.init({ backend: 'cpu', [option]: value }));
    includesAll(message, ['init', option, 'finite number >= 0', String(value)], option);
  }
});

cpu('a wait that never ends becomes an Error naming what was waited for', async () => {
  const never = new Promise<never>(() => {});
  includesAll(await rejection(withTimeout(never, 5, 'read: the copy')), ['read: the copy', '5 ms', 'hung'], 'timeout');
  assert.is(await withTimeout(Promise.resolve(7), 1000, 'x'), 7);
});

cpu.run();

const t = webgpuSuite('runtime faults (webgpu)');
let gpu: WebGpuBackend;
t.before(async () => {
  await dg.init({ backend: 'webgpu' });
  gpu = getBackend() as WebGpuBackend;
});
t.after(async () => {
  await dg.init({ backend: 'webgpu', poolLimitBytes: DEFAULT_POOL_LIMIT_BYTES });
});

t('memory() splits the allocator into live and pooled bytes; emptyCache returns the pooled ones', async () => {
  dg.emptyCache();
  const start = dg.memory();
  assert.is(start.pooledBytes, 0, 'nothing pooled after emptyCache');
  const xs = Array.from({ length: 4 }, () => dg.zeros([4096]));
  await xs[0]!.data();
  const held = dg.memory();
  assert.ok(held.liveBytes - start.liveBytes >= 4 * 4096 * 4, `live grew by ${held.liveBytes - start.liveBytes}`);
  for (const x of xs) x.dispose();
  const freed = dg.memory();
  assert.is(freed.liveBytes, start.liveBytes, 'disposed storage is no longer live');
  assert.is(freed.pooledBytes, held.liveBytes - start.liveBytes, 'and is pooled instead');
  assert.is(freed.allocatedBytes, freed.liveBytes + freed.pooledBytes);
  dg.emptyCache();
  assert.is(dg.memory().pooledBytes, 0);
  assert.is(dg.memory().allocatedBytes, start.allocatedBytes, 'the device memory was returned');
  assert.equal(Array.from(await dg.ones([3]).add(1).data()), [2, 2, 2], 'the engine computes after emptyCache');
});

t('free buffers beyond the pool limit are destroyed, not pooled', async () => {
  dg.emptyCache();
  await dg.init({ backend: 'webgpu', poolLimitBytes: 64 * 1024 });
  const xs = Array.from({ length: 8 }, () => dg.zeros([16 * 1024]));
  await xs[0]!.data();
  for (const x of xs) x.dispose();
  await dg.zeros([1]).data();
  const m = dg.memory();
  assert.ok(m.pooledBytes <= 64 * 1024, `pooled ${m.pooledBytes} bytes with a 64 KiB limit`);
  assert.is(m.allocatedBytes, m.liveBytes + m.pooledBytes);
  await dg.init({ backend: 'webgpu', poolLimitBytes: DEFAULT_POOL_LIMIT_BYTES });
});

t('a bad label whose loss is never read does not surface in unrelated reads; a dependent read throws it', async () => {
  const logits = dg.randn([4, 3]);
  const loss = dg.crossEntropy(logits, dg.tensor(new Int32Array([0, 1, 7, 2])));
  const scaled = loss.mul(2).add(1);
  // Unrelated computations, including reads of the loss's own inputs, read normally.
  assert.equal(Array.from(await dg.ones([2, 2]).matmul(dg.ones([2, 2])).data()), [2, 2, 2, 2]);
  assert.is((await logits.data()).length, 12);
  includesAll(await rejection(scaled.item()), ['crossEntropy', 'label 7', 'position 2', '3 classes'], 'dependent read');
  // Reported once: the loss itself now reads (the bad label was clamped, so the value is finite).
  assert.ok(Number.isFinite(await loss.item()));
});

t('a bad embedding index reaches the gradients computed from it, not other tensors', async () => {
  const w = dg.randn([5, 2], { requiresGrad: true });
  const other = dg.randn([5, 2], { requiresGrad: true });
  const out = dg.embedding(dg.tensor(new Int32Array([1, 9]), [2]), w);
  out.sum().backward();
  other.square().sum().backward();
  assert.is((await other.grad!.data()).length, 10, 'an unrelated gradient reads');
  includesAll(await rejection(w.grad!.data()), ['embedding', 'index 9', 'position 1', '5 embeddings'], 'gradient of the lookup');
});

t('an optimizer step carries a bad label into the parameters it updates', async () => {
  const w = dg.randn([3, 4], { requiresGrad: true });
  const opt = new dg.optim.SGD([w], { lr: 0.1 });
  dg.crossEntropy(dg.ones([2, 3]).matmul(w), dg.tensor(new Int32Array([1, 4]))).backward();
  opt.step();
  includesAll(await rejection(w.data()), ['crossEntropy', 'label 4'], 'updated parameter');
});

t('a loop that never reads keeps a bounded number of check records', async () => {
  const x = dg.randn([2, 3]);
  const y = dg.tensor(new Int32Array([0, 1]));
  for (let i = 0; i < 600; i++) dg.tidy(() => { dg.crossEntropy(x, y); });
  const pending = (gpu.rt as unknown as { pending: Map<unknown, unknown[]> }).pending;
  const records = [...pending.values()].reduce((n, l) => n + l.length, 0);
  assert.ok(records <= 256, `${records} records pending`);
  await x.data();
  assert.is(pending.size, 0, 'a read-back settles them all');
});

t('a refused allocation is an Error naming the bytes and what is live; the engine keeps working', async () => {
  const keep = dg.ones([1000]);
  const n = Math.floor(gpu.rt.limits.maxStorageBufferBindingSize / 4) + 1;
  throwsWith(() => dg.zeros([n]), [String(n * 4), 'bytes live in tensors', 'pooled'], 'oversized tensor');
  assert.is((await keep.sum().data())[0], 1000);
});

// A device of its own, so that destroying it leaves the engine's device to the other tests.
t('device loss is never hidden by an earlier error, stays visible, and the lost tensors say so', async () => {
  const own = await requestGpu();
  assert.ok(own, 'a second device');
  const backend = new WebGpuBackend(new GpuRuntime(own));
  const x = Tensor.fromHandle(backend.upload(Float32Array.from([1, 2, 3])), [3], backend);
  assert.equal(Array.from(await x.data()), [1, 2, 3]);
  // An error pending when the device goes.
  (backend.rt as unknown as { error: Error | null }).error = new Error('WebGPU error: an earlier one');
  own.device.destroy();
  await own.device.lost;
  for (let i = 0; i < 2; i++) includesAll(await rejection(x.data()), ['device lost', 'dg.init()'], `read ${i + 1} after loss`);
  throwsWith(() => backend.fill(4, 1, 'float32'), ['device lost'], 'a new op on the lost device');
});

t('after a device loss, dg.init() opens a new device and the engine works; old tensors stay lost', async () => {
  // In a child process: the loss takes the engine's own device.
  const child = new URL('./support/deviceLossChild.ts', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child], { timeout: 120_000 });
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { oldRead: string; fresh: boolean; sum: number[]; oldAgain: string };
  includesAll(r.oldRead, ['device lost', 'dg.init()'], 'a read of a tensor of the lost device');
  assert.ok(r.fresh, 'a new device');
  assert.equal(r.sum, [2, 3, 4], 'the new engine computes');
  includesAll(r.oldAgain, ['device lost'], 'the old tensor is still reported lost after the new init');
});

t.run();
