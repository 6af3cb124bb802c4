// nn.BatchNorm1d / BatchNorm2d / LayerNorm as layers: PyTorch's running-estimate semantics
// (momentum, the cumulative average, the unbiased variance) against values worked out by hand,
// train/eval switching (also inside fit/evaluate/predict), buffers (state-dict keys, not
// parameters, saved and loaded), and the errors. The kernels themselves are checked in the op
// table (test/support/normCases.ts).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, seeded, throwsWith } from './support/compare.js';
import { forEachBackend, webgpuTest } from './support/webgpu.js';
import { getBackend } from '../src/core/engine.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';

const { nn } = dg;
const test = suite('norm layers');
await hasWebGpu();

/** float32 results against values computed in float64 by hand: a few float32 roundings. */
const F32_TOL = { atol: 1e-6, rtol: 1e-5 };

const values = async (t: Tensor) => Array.from(await t.data());

// Channel 0: [1, 2, 3, 6] (mean 3, squared deviations 4+1+0+9 = 14: biased var 3.5, unbiased
// 14/3); channel 1: [0, 0, 4, 4] (mean 2, squared deviations 16: biased 4, unbiased 16/3).
const BATCH1 = [[1, 0], [2, 0], [3, 4], [6, 4]];
// Channel 0: all 2 (mean 2, var 0); channel 1: [1, 3, 1, 3] (mean 2, unbiased var 4/3).
const BATCH2 = [[2, 1], [2, 3], [2, 1], [2, 3]];

forEachBackend(test, 'BatchNorm1d running estimates follow PyTorch with momentum 0.1', async () => {
  const bn = new nn.BatchNorm1d(2);
  const y = bn.forward(dg.tensor(BATCH1));
  // Training normalises with the biased variance: (x - 3) / sqrt(3.5 + eps), (x - 2) / sqrt(4 + eps).
  const [s0, s1] = [Math.sqrt(3.5 + 1e-5), Math.sqrt(4 + 1e-5)];
  assertClose(await values(y), [-2 / s0, -2 / s1, -1 / s0, -2 / s1, 0, 2 / s1, 3 / s0, 2 / s1], F32_TOL, 'training output');
  // running = 0.9 * running + 0.1 * batch, the batch's variance unbiased.
  assertClose(await values(bn.running_mean!), [0.3, 0.2], F32_TOL, 'running_mean after one step');
  assertClose(await values(bn.running_var!), [0.9 + 0.1 * 14 / 3, 0.9 + 0.1 * 16 / 3], F32_TOL, 'running_var after one step');
  bn.forward(dg.tensor(BATCH2));
  assertClose(await values(bn.running_mean!), [0.9 * 0.3 + 0.2, 0.9 * 0.2 + 0.2], F32_TOL, 'running_mean after two steps');
  assertClose(await values(bn.running_var!), [0.9 * (0.9 + 0.1 * 14 / 3), 0.9 * (0.9 + 0.1 * 16 / 3) + 0.1 * 4 / 3], F32_TOL, 'running_var after two steps');
  assert.equal(await values(bn.num_batches_tracked!), [2]);
  // Eval mode normalises with the running estimates and leaves them alone.
  bn.eval();
  const rm = await values(bn.running_mean!);
  const rv = await values(bn.running_var!);
  const x = [[5, -1]];
  const expected = [(5 - rm[0]!) / Math.sqrt(rv[0]! + 1e-5), (-1 - rm[1]!) / Math.sqrt(rv[1]! + 1e-5)];
  assertClose(await values(bn.forward(dg.tensor(x))), expected, F32_TOL, 'eval output');
  assert.equal(await values(bn.num_batches_tracked!), [2], 'eval does not count batches');
  assertClose(await values(bn.running_mean!), rm, F32_TOL, 'eval leaves running_mean');
});

forEachBackend(test, 'momentum null keeps the cumulative average, factor 1 / num_batches_tracked', async () => {
  const bn = new nn.BatchNorm1d(2, { momentum: null });
  bn.forward(dg.tensor(BATCH1));
  // The first batch replaces the initial estimates entirely (factor 1/1).
  assertClose(await values(bn.running_mean!), [3, 2], F32_TOL, 'running_mean after one step');
  assertClose(await values(bn.running_var!), [14 / 3, 16 / 3], F32_TOL, 'running_var after one step');
  bn.forward(dg.tensor(BATCH2));
  assertClose(await values(bn.running_mean!), [2.5, 2], F32_TOL, 'the mean of the two batch means');
  assertClose(await values(bn.running_var!), [(14 / 3 + 0) / 2, (16 / 3 + 4 / 3) / 2], F32_TOL, 'the mean of the two unbiased variances');
  assert.equal(await values(bn.num_batches_tracked!), [2]);
});

forEachBackend(test, 'BatchNorm2d takes its statistics over N, H and W per channel', async () => {
  const bn = new nn.BatchNorm2d(3, { momentum: 1 });
  const raw = seeded(2 * 3 * 4 * 5, 3).map((v, i) => v + Math.floor(i / 20) % 3);
  const x = dg.tensor(Float32Array.from(raw), [2, 3, 4, 5]);
  bn.forward(x);
  // momentum 1: the running estimates are the last batch's mean and unbiased variance.
  const mean = [0, 1, 2].map((c) => {
    const xs = [0, 1].flatMap((n) => Array.from(raw.subarray((n * 3 + c) * 20, (n * 3 + c + 1) * 20)));
    const m = xs.reduce((a, b) => a + b, 0) / 40;
    return [m, xs.reduce((a, b) => a + (b - m) ** 2, 0) / 39];
  });
  assertClose(await values(bn.running_mean!), mean.map(([m]) => m!), F32_TOL, 'per-channel mean');
  assertClose(await values(bn.running_var!), mean.map(([, v]) => v!), { atol: 1e-5, rtol: 1e-5 }, 'per-channel unbiased variance');
});

forEachBackend(test, 'without running estimates, eval mode uses the batch statistics and there are no buffers', async () => {
  const bn = new nn.BatchNorm1d(2, { trackRunningStats: false, affine: false });
  assert.equal(Object.keys(bn.stateDict()), []);
  assert.equal(bn.buffers(), []);
  const train = await values(bn.forward(dg.tensor(BATCH1)));
  bn.eval();
  assert.equal(await values(bn.forward(dg.tensor(BATCH1))), train);
});

test('BatchNorm and LayerNorm have PyTorch\'s state-dict keys, shapes, dtypes and initial values', async () => {
  await dg.init({ backend: 'cpu' });
  const m = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Flatten(), new nn.LayerNorm(4 * 26 * 26));
  const sd = m.stateDict();
  assert.equal(Object.keys(sd), [
    '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '4.weight', '4.bias',
  ]);
  assert.equal(sd['1.num_batches_tracked']!.shape, []);
  assert.is(sd['1.num_batches_tracked']!.dtype, 'int32');
  assert.equal(await values(sd['1.weight']!), [1, 1, 1, 1]);
  assert.equal(await values(sd['1.bias']!), [0, 0, 0, 0]);
  assert.equal(await values(sd['1.running_mean']!), [0, 0, 0, 0]);
  assert.equal(await values(sd['1.running_var']!), [1, 1, 1, 1]);
  assert.equal(sd['4.weight']!.shape, [4 * 26 * 26]);
  const ln = new nn.LayerNorm([3, 5], { elementwiseAffine: false });
  assert.equal(Object.keys(ln.stateDict()), []);
  assert.equal(Object.keys(new nn.LayerNorm([3, 5], { bias: false }).stateDict()), ['weight']);
  assert.equal(new nn.LayerNorm([3, 5]).weight!.shape, [3, 5]);
  assert.equal(Object.keys(new nn.BatchNorm1d(3, { affine: false }).stateDict()), ['running_mean', 'running_var', 'num_batches_tracked']);
});

test('buffers are never parameters, so an optimizer step leaves them alone', async () => {
  await dg.init({ backend: 'cpu' });
  const m = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
  assert.equal([...m.namedParameters()].map(([k]) => k), ['0.weight', '0.bias', '1.weight', '1.bias']);
  assert.equal([...m.namedBuffers()].map(([k]) => k), ['1.running_mean', '1.running_var', '1.num_batches_tracked']);
  assert.ok(m.buffers().every((b) => !b.requiresGrad));
  const opt = new dg.optim.SGD(m.parameters(), { lr: 0.1, weightDecay: 0.5 });
  const x = dg.tensor(Float32Array.from(seeded(15, 4)), [5, 3]);
  m.forward(x).square().sum().backward();
  const before = await Promise.all(m.buffers().map(values));
  opt.step();
  assert.equal(await Promise.all(m.buffers().map(values)), before);
  assert.is(m.numParameters(), 3 * 2 + 2 + 2 + 2);
});

test('registerBuffer: persistent: false keeps a buffer out of the state dict, not out of buffers()', async () => {
  await dg.init({ backend: 'cpu' });
  class Scaled extends nn.Module {
    readonly scale = this.registerBuffer('scale', dg.full([2], 3), { persistent: false });
    readonly shift = this.registerBuffer('shift', dg.zeros([2]));
    override forward(x: Tensor): Tensor { return x.mul(this.scale).add(this.shift); }
  }
  const shared = new Scaled();
  const m = new nn.Sequential(shared, shared);
  assert.equal([...m.namedBuffers()].map(([k]) => k), ['0.scale', '0.shift'], 'a shared module\'s buffers are listed once');
  assert.equal(Object.keys(m.stateDict()), ['0.shift', '1.shift']);
  assert.equal(m.parameters(), []);
  throwsWith(() => new (class extends nn.Module {
    readonly w = this.registerBuffer('w', this.registerParameter('p', dg.ones([1])));
    override forward(x: Tensor): Tensor { return x; }
  })(), ['registerBuffer', "'w'", 'already a parameter'], 'a parameter as a buffer');
});

forEachBackend(test, 'dg.save / dg.load keep the running estimates: eval predictions are equal', async (backend) => {
  dg.manualSeed(3);
  const m = new nn.Sequential(
    new nn.Conv2d(2, 3, 3, { padding: 1 }), new nn.BatchNorm2d(3, { momentum: null }), new nn.ReLU(),
    new nn.Flatten(), new nn.Linear(3 * 5 * 5, 4), new nn.BatchNorm1d(4, { eps: 1e-3 }), new nn.LayerNorm(4),
  );
  for (let s = 0; s < 3; s++) m.forward(dg.tensor(Float32Array.from(seeded(6 * 2 * 25, 10 + s)), [6, 2, 5, 5]));
  m.eval();
  const x = dg.tensor(Float32Array.from(seeded(4 * 2 * 25, 20)), [4, 2, 5, 5]);
  const before = await values(m.forward(x));
  const loaded = await dg.load(await dg.save(m));
  assert.is(loaded.training, true, 'a loaded model starts in training mode, as a built one');
  loaded.eval();
  const after = await values(loaded.forward(x) as Tensor);
  // Files hold float32. webgpu computes in float32, so its reload is exact; the cpu reference
  // holds float32 tensors in float64, and its reload differs by the weights' float32 rounding.
  if (backend === 'webgpu') assert.equal(after, before);
  else assertClose(after, before, F32_TOL, 'cpu eval output after reload');
  const sd = loaded.stateDict();
  assert.equal(await values(sd['1.num_batches_tracked']!), [3]);
  assert.equal(await values(sd['1.running_var']!), await values(m.stateDict()['1.running_var']!));
  assert.equal((loaded as dg.nn.Sequential).at(1)!.spec(), { type: 'BatchNorm2d', config: { numFeatures: 3, eps: 1e-5, momentum: null, affine: true, trackRunningStats: true } });
  assert.equal((loaded as dg.nn.Sequential).at(6)!.spec(), { type: 'LayerNorm', config: { normalizedShape: [4], eps: 1e-5, elementwiseAffine: true, bias: true } });
});

/** A safetensors file written as PyTorch does for a BatchNorm1d(2): num_batches_tracked is I64 of shape []. */
function torchStyleFile(): Uint8Array {
  const f32 = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);
  const parts: [string, string, number[], Uint8Array][] = [
    ['weight', 'F32', [2], f32([2, 3])], ['bias', 'F32', [2], f32([0.5, -1])],
    ['running_mean', 'F32', [2], f32([1, -2])], ['running_var', 'F32', [2], f32([4, 0.25])],
    ['num_batches_tracked', 'I64', [], new Uint8Array(new BigInt64Array([7n]).buffer)],
  ];
  const header: Record<string, unknown> = {};
  let at = 0;
  for (const [name, dtype, shape, bytes] of parts) {
    header[name] = { dtype, shape, data_offsets: [at, at + bytes.length] };
    at += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header).padEnd(Math.ceil((JSON.stringify(header).length) / 8) * 8, ' '));
  const out = new Uint8Array(8 + json.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let off = 8 + json.length;
  for (const [, , , bytes] of parts) {
    out.set(bytes, off);
    off += bytes.length;
  }
  return out;
}

test('a PyTorch BatchNorm state dict (int64 num_batches_tracked) loads and is used in eval mode', async () => {
  await dg.init({ backend: 'cpu' });
  const bn = new nn.BatchNorm1d(2);
  await dg.loadStateDict(bn, torchStyleFile());
  assert.equal(await values(bn.num_batches_tracked!), [7]);
  bn.eval();
  const y = await values(bn.forward(dg.tensor([[3, -1]])));
  assertClose(y, [(3 - 1) / Math.sqrt(4 + 1e-5) * 2 + 0.5, (-1 + 2) / Math.sqrt(0.25 + 1e-5) * 3 - 1], F32_TOL, 'eval output');
});

forEachBackend(test, 'fit trains in training mode and evaluate/predict run in eval mode', async () => {
  dg.manualSeed(5);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 3));
  const bn = model.at(1) as dg.nn.BatchNorm1d;
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = dg.tensor(Float32Array.from(seeded(40 * 4, 6)), [40, 4]);
  const y = dg.tensor(Int32Array.from({ length: 40 }, (_, i) => i % 3), [40], { dtype: 'int32' });
  await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, validationData: [x, y] });
  // 3 batches per epoch, 2 epochs; the validation passes ran in eval mode and counted none.
  assert.equal(await values(bn.num_batches_tracked!), [6]);
  assert.is(model.training, true, 'fit restores the mode it found');
  const running = await values(bn.running_mean!);
  await model.evaluate(x, y, { batchSize: 7 });
  const probs = await model.predict(x, { batchSize: 40 });
  assert.equal(await values(bn.num_batches_tracked!), [6], 'evaluate and predict do not update the estimates');
  assert.equal(await values(bn.running_mean!), running);
  model.eval();
  assert.equal(await values(probs), await values(model.forward(x)), 'predict is the eval-mode forward');
});

webgpuTest(test)('webgpu: training steps update the running estimates on the device, in few fused dispatches, with no read-back', async () => {
  await dg.init({ backend: 'webgpu' });
  const stats = (getBackend() as WebGpuBackend).rt.stats;
  const bn = new nn.BatchNorm2d(3, { momentum: null });
  const x = dg.tensor(Float32Array.from(seeded(4 * 3 * 9 * 9, 2)), [4, 3, 9, 9]);
  const g = dg.tensor(Float32Array.from(seeded(4 * 3 * 9 * 9, 3)), [4, 3, 9, 9]);
  await x.data();
  await g.data();
  const reads = stats.readbacks;
  for (let step = 0; step < 5; step++) {
    let d = stats.dispatches;
    const y = bn.forward(x);
    // The statistics, their merge with the running update, and the normalisation.
    assert.is(stats.dispatches - d, 3, 'forward dispatches');
    d = stats.dispatches;
    bn.zeroGrad();
    y.backward(g);
    // The group sums (dbias and dweight as they are) and dx.
    assert.is(stats.dispatches - d, 2, 'backward dispatches');
    y.dispose();
  }
  assert.is(stats.readbacks - reads, 0, 'no read-back while training');
  assert.equal(await values(bn.num_batches_tracked!), [5]);
});

webgpuTest(test)('webgpu: running estimates merged over several workgroups per channel match the cpu reference', async () => {
  // 3 * 61 * 47 = 8601 values per channel: three chunks, merged by the finish pass that also
  // updates the estimates; two steps, the second with the cumulative average.
  const run = async (backend: 'cpu' | 'webgpu') => {
    await dg.init({ backend });
    const bn = new nn.BatchNorm2d(2, { momentum: null });
    for (let s = 0; s < 2; s++) {
      const raw = seeded(3 * 2 * 61 * 47, 30 + s).map((v) => 3 * v + 5);
      bn.forward(dg.tensor(Float32Array.from(raw), [3, 2, 61, 47]));
    }
    return [...await values(bn.running_mean!), ...await values(bn.running_var!)];
  };
  assertClose(await run('webgpu'), await run('cpu'), GPU_TOL, 'running mean and variance');
});

test('layers and functions refuse bad shapes and options with errors that say what was expected', async () => {
  await dg.init({ backend: 'cpu' });
  throwsWith(() => new nn.BatchNorm2d(3).forward(dg.zeros([2, 3, 4])), ['BatchNorm2d', '4D input', '[2, 3, 4]'], '3D into BatchNorm2d');
  throwsWith(() => new nn.BatchNorm1d(3).forward(dg.zeros([2, 3, 4, 5])), ['BatchNorm1d', '2D or 3D', '[2, 3, 4, 5]'], '4D into BatchNorm1d');
  throwsWith(() => new nn.BatchNorm2d(3).forward(dg.zeros([2, 4, 5, 5])), ['BatchNorm2d', 'expected 3 channels', '[2, 4, 5, 5]'], 'wrong channels');
  throwsWith(() => new nn.BatchNorm1d(3).forward(dg.zeros([1, 3])), ['BatchNorm1d', 'more than 1 value per channel', '[1, 3]'], 'one value per channel');
  throwsWith(() => new nn.BatchNorm1d(0), ['BatchNorm1d', 'numFeatures', 'got 0'], 'no features');
  throwsWith(() => new nn.LayerNorm(5).forward(dg.zeros([2, 4])), ['LayerNorm', '[..., 5]', '[2, 4]'], 'LayerNorm shape');
  throwsWith(() => new nn.LayerNorm([]), ['LayerNorm', 'normalizedShape'], 'empty normalizedShape');
  throwsWith(() => dg.batchNorm(dg.zeros([4, 3]), null, null), ['batchNorm', 'running statistics are required'], 'eval without running stats');
  throwsWith(() => dg.batchNorm(dg.zeros([4, 3]), dg.zeros([3]), dg.ones([3]), null, null, { training: true, momentum: null }), ['batchNorm', 'numBatchesTracked'], 'null momentum without a count');
  throwsWith(() => dg.batchNorm(dg.zeros([4, 3]), dg.zeros([2]), dg.ones([3])), ['batchNorm', 'runningMean of shape [3]', 'got [2]'], 'running mean size');
  throwsWith(() => dg.batchNorm(dg.zeros([4, 3]), null, null, null, null, { training: true, momentum: 2 }), ['batchNorm', 'momentum', 'got 2'], 'momentum range');
  throwsWith(() => dg.batchNorm(dg.zeros([4]), null, null, null, null, { training: true }), ['batchNorm', 'rank 2 or more', '[4]'], 'rank 1');
  throwsWith(() => dg.layerNorm(dg.zeros([2, 3]), 3, dg.ones([4])), ['layerNorm', 'weight of shape [3]', 'got [4]'], 'weight shape');
  throwsWith(() => dg.layerNorm(dg.zeros([2, 3]), 3, null, null, { eps: -1 }), ['layerNorm', 'eps', 'got -1'], 'negative eps');
  throwsWith(() => dg.layerNorm(dg.zeros([2, 3]), 3, null, null, { epsilon: 1 } as dg.LayerNormOptions), ['layerNorm', "unknown option 'epsilon'"], 'unknown option');
});

test.run();
