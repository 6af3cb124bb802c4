// The GPU runtime and memory management: batching, pooling, tidy, error surfacing.
import { existsSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { getBackend } from '../src/core/engine.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { GpuHandle, sizeClass } from '../src/backend/webgpu/runtime.js';
import { BACKEND_NAMES, backendTest, webgpuSuite } from './support/webgpu.js';

const t = webgpuSuite('webgpu runtime');
let gpu: WebGpuBackend;
t.before(async () => {
  await dg.init({ backend: 'webgpu' });
  gpu = getBackend() as WebGpuBackend;
});

t('queued ops are not submitted until a value is read', async () => {
  const x = dg.randn([64]);
  await x.data();
  const before = { ...gpu.rt.stats };
  let y = x;
  for (let i = 0; i < 50; i++) y = y.mul(1.01).add(0.001);
  assert.is(gpu.rt.stats.submits, before.submits, 'no submit while only queuing');
  assert.is(gpu.rt.stats.dispatches - before.dispatches, 100, 'one dispatch per op; scalars are uploads');
  await y.data();
  assert.is(gpu.rt.stats.submits - before.submits, 1, 'one submit for the whole chain');
  assert.is(gpu.rt.stats.readbacks - before.readbacks, 1);
});

t('buffers are reused from the pool across steps', async () => {
  const w = dg.randn([32, 32], { requiresGrad: true });
  const step = async () => {
    const loss = dg.tidy(() => {
      const l = dg.randn([16, 32]).matmul(w).relu().sum();
      l.backward();
      w.grad!.dispose();
      w.grad = null;
      return l;
    });
    await loss.item();
    loss.dispose();
  };
  await step();
  await step();
  const allocated = gpu.allocatedBytes();
  for (let i = 0; i < 10; i++) await step();
  assert.is(gpu.allocatedBytes(), allocated, 'no new device memory after warm-up');
});

t('size classes waste at most a quarter', () => {
  for (const bytes of [1, 4, 255, 257, 1000, 4097, 123457, 1 << 20]) {
    const c = sizeClass(bytes);
    assert.ok(c >= bytes && (c <= 256 || c <= bytes * 1.25 + 4), `${bytes} -> ${c}`);
  }
});

t('memory() returns to its start after tidy around 100 training steps', async () => {
  const w1 = dg.randn([8, 16], { requiresGrad: true });
  const w2 = dg.randn([16, 1], { requiresGrad: true });
  const x = dg.randn([32, 8]);
  const y = dg.randn([32, 1]);
  await settleGarbage();
  const start = dg.memory();
  for (let i = 0; i < 100; i++) {
    dg.tidy(() => {
      const loss = x.matmul(w1).tanh().matmul(w2).sub(y).square().mean();
      loss.backward();
      for (const w of [w1, w2]) {
        w.grad!.dispose();
        w.grad = null;
      }
    });
  }
  await x.data();
  const end = dg.memory();
  assert.is(end.tensors, start.tensors, 'live tensors');
  assert.is(end.bytes, start.bytes, 'live bytes');
});

t('a device error is thrown by the call that caused it, and queued work is unharmed', async () => {
  const x = dg.ones([4]);
  const queued = dg.ones([3]).add(1);
  let message = '';
  try {
    // Missing bindings: Dawn rejects the bind group.
    gpu.rt.dispatch({ shader: 'unary', entry: 'forward', overrides: { OP: 0 } }, [x.handle as GpuHandle], [1]);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /WebGPU error/);
  assert.equal(Array.from(await queued.data()), [2, 2, 2], 'work queued before the error');
  assert.equal(Array.from(await dg.ones([3]).add(2).data()), [3, 3, 3], 'work queued after the error');
});

t('bindings by WGSL name reach their slots, and an unknown name is refused', async () => {
  const x = dg.tensor([1, -2, 3]);
  const out = gpu.rt.alloc(3, 'float32');
  const p = gpu.rt.constant(Uint32Array.from([3, 0]));
  // OP 0 is neg; the forward entry does not mention dy, so it is left out.
  gpu.rt.dispatch({ shader: 'unary', entry: 'forward', overrides: { OP: 0 } }, { x: x.handle as GpuHandle, out, p }, [1]);
  assert.equal(Array.from(new Float32Array(await gpu.rt.readBuffer(out))), [-1, 2, -3]);
  gpu.rt.release(out);
  assert.throws(
    () => gpu.rt.dispatch({ shader: 'unary', entry: 'forward', overrides: { OP: 0 } }, { input: x.handle as GpuHandle }, [1]),
    /dispatch: shaders\/unary.wgsl has no binding 'input' \(it has x, dy, out, p\)/,
  );
});

t('a WGSL compile error names the file, line and column', async () => {
  let message = '';
  try {
    await gpu.rt.compileModule('broken', 'f32', 'fn main() {\n  let x: f32 = ;\n}\n');
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /shaders\/broken\.wgsl:2:\d+:/);
});

t('a tensor larger than a storage binding is refused with the size and the limit', () => {
  const limit = gpu.rt.limits.maxStorageBufferBindingSize;
  const n = Math.floor(limit / 4) + 1;
  let message = '';
  try {
    gpu.rt.alloc(n, 'float32');
  } catch (e) {
    message = (e as Error).message;
  }
  assert.ok(message.includes(String(limit)) && message.includes(String(n * 4)), message);
});

t('a tensor that is never disposed returns its memory once garbage-collected', async () => {
  await settleGarbage();
  const start = dg.memory();
  (() => {
    for (let i = 0; i < 20; i++) dg.randn([256]).exp();
  })();
  assert.is(dg.memory().tensors, start.tensors + 40);
  await settleGarbage();
  assert.is(dg.memory().tensors, start.tensors);
  assert.is(dg.memory().bytes, start.bytes);
});

t('throttle waits for the device without a read-back, leaving at most two batches queued', async () => {
  const x = dg.randn([256]);
  await x.data();
  const before = { ...gpu.rt.stats };
  let y = x;
  for (let i = 0; i < 1600; i++) {
    const next = y.mul(1.0001);
    if (y !== x) y.dispose();
    y = next;
  }
  const submitted = gpu.rt.stats.submits - before.submits;
  assert.ok(submitted >= 3, `${submitted} submits queued`);
  await gpu.throttle();
  const inFlight = (gpu.rt as unknown as { inFlight: unknown[] }).inFlight.length;
  assert.ok(inFlight <= 2, `${inFlight} batches still in flight`);
  assert.is(gpu.rt.stats.readbacks, before.readbacks, 'no read-back');
  const v = await y.data();
  assert.ok(Math.abs(v[0]! - (await x.data())[0]! * 1.0001 ** 1600) < 1e-3 * (1 + Math.abs(v[0]!)), 'the queued chain still computes the right value');
});

// Each new bind group pins a native descriptor set until its wrapper is garbage-collected (on
// lavapipe a 4 KiB memory mapping each, and a process may hold ~65 000): a BiLSTM training run
// once died in vkCreateDescriptorPool after ~70 000 of them. The runtime empties its cache and
// collects when the cache is full, so distinct bind groups do not pile up natively.
t('many distinct bind groups do not pile up native descriptor sets', async () => {
  const maps = () => (existsSync('/proc/self/maps') ? readFileSync('/proc/self/maps', 'utf8').split('\n').length : null);
  const xs = Array.from({ length: 120 }, (_, i) => dg.full([4], i));
  await xs[0]!.data();
  const before = maps();
  // 120 x 120 adds with different operand pairs: 14 400 bind groups never seen before.
  for (const a of xs) {
    // One read per 120 dispatches, as a training loop reads its loss now and then.
    const last = dg.tidy(() => xs.map((b) => a.add(b)).at(-1)!);
    await last.data();
    last.dispose();
    const cached = (gpu.rt as unknown as { bindGroups: Map<string, unknown> }).bindGroups.size;
    assert.ok(cached <= 4096, `bind-group cache holds ${cached}`);
  }
  await dg.tidy(() => xs[1]!.add(xs[2]!)).data();
  const after = maps();
  if (before !== null && after !== null) assert.ok(after - before < 9000, `memory mappings grew by ${after - before} for 14 400 bind groups`);
  for (const x of xs) x.dispose();
});

// A read-back once took a new staging buffer for every pending check record it brought back
// (one per crossEntropy backward), and every optimizer step made a new uniform (its step count)
// and so new bind groups: native memory mappings without end in a long run.
t('a training loop with read-backs makes no new buffers per step, and the per-step uniform is rewritten correctly', async () => {
  const run = async (backend: 'cpu' | 'webgpu', steps: number, sizes?: () => ReturnType<typeof gpu.rt.cacheSizes>) => {
    await dg.init({ backend });
    dg.manualSeed(5);
    const w = dg.randn([6, 5], { requiresGrad: true });
    const x = dg.randn([7, 6]);
    const y = dg.tensor([0, 4, 2, 1, 3, 0, 2], { dtype: 'int32' });
    const opt = new dg.optim.Adam([w], { lr: 0.05 });
    const seen: ReturnType<typeof gpu.rt.cacheSizes>[] = [];
    for (let i = 0; i < steps; i++) {
      const loss = dg.tidy(() => {
        opt.zeroGrad();
        const l = dg.crossEntropy(x.matmul(w), y);
        l.backward();
        opt.step();
        return l;
      });
      // Reads of every other step: some batches hold two optimizer steps, some one.
      if (i % 2 === 1) await loss.item();
      loss.dispose();
      if (sizes && i % 2 === 1) seen.push(sizes());
    }
    const out = Array.from(await w.data());
    for (const t of [w, x, y]) t.dispose();
    return { out, seen };
  };
  const want = await run('cpu', 40);
  const got = await run('webgpu', 40, () => (getBackend() as WebGpuBackend).rt.cacheSizes());
  await dg.init({ backend: 'webgpu' });
  gpu = getBackend() as WebGpuBackend;
  // Adam's bias corrections differ per step: a stale or raced uniform would show here.
  got.out.forEach((v, i) => assert.ok(Math.abs(v - want.out[i]!) < 1e-4 * (1 + Math.abs(want.out[i]!)), `w[${i}]: ${v} vs cpu ${want.out[i]}`));
  // Bind groups are not compared: which pooled buffer an op gets depends on where submits fall,
  // so they churn within their cache's bound (the test above).
  const warm = got.seen[3]!;
  for (const s of got.seen.slice(4)) {
    assert.is(s.constants, warm.constants, 'constant buffers');
    assert.is(s.staging, warm.staging, 'staging buffers');
    assert.is(s.transients, warm.transients, 'per-step uniforms');
  }
});

t.run();

/** Collects garbage and lets FinalizationRegistry callbacks run (npm test runs node with --expose-gc). */
async function settleGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the tests with node --expose-gc (npm test does)');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ints = suite('int32 tensors');
for (const backend of BACKEND_NAMES) {
  backendTest(ints, backend)(`${backend}: arithmetic stays int32, division and unary math promote to float32`, async () => {
    await dg.init({ backend });
    const a = dg.tensor([7, -7, 3], { dtype: 'int32' });
    const b = dg.tensor([2, 2, 5], { dtype: 'int32' });
    assert.is(a.add(b).dtype, 'int32');
    assert.equal(Array.from(await a.add(b).data()), [9, -5, 8]);
    assert.equal(Array.from(await a.mul(b).sub(1).data()), [13, -15, 14]);
    assert.equal(Array.from(await a.maximum(b).data()), [7, 2, 5]);
    assert.is(a.div(b).dtype, 'float32');
    assert.equal(Array.from(await a.div(b).data()), [3.5, -3.5, 0.6000000238418579]);
    assert.is(a.exp().dtype, 'float32');
  });
  backendTest(ints, backend)(`${backend}: comparisons, argmax and casts`, async () => {
    await dg.init({ backend });
    const x = dg.tensor([[0.5, 2.5, -1], [3, 3, 1]]);
    const am = x.argmax(1);
    assert.is(am.dtype, 'int32');
    assert.equal(Array.from(await am.data()), [1, 0], 'first index wins on ties');
    assert.equal(Array.from(await am.eq(dg.tensor([1, 1], { dtype: 'int32' })).data()), [1, 0]);
    assert.equal(Array.from(await x.int().data()), [0, 2, -1, 3, 3, 1], 'float -> int truncates');
    assert.equal(Array.from(await dg.arange(5, undefined, 1, { dtype: 'int32' }).float().data()), [0, 1, 2, 3, 4]);
    assert.equal(await dg.tensor([4, 5], { dtype: 'int32' }).sum().item(), 9);
  });
}
ints.run();
