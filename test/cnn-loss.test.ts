// Loss behaviour beyond the op table (whose loss rows are test/support/lossCases.ts, run by
// test/ops.test.ts): hand-computed values, extreme logits, ignoreIndex and bad labels.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, throwsWith } from './support/compare.js';
import { forEachBackend, webgpuTest } from './support/webgpu.js';

await hasWebGpu();

const behaviour = suite('losses: behaviour');
const BACKENDS = ['cpu', 'webgpu'] as const;

forEachBackend(behaviour, 'crossEntropy equals PyTorch on a hand-computed example, with and without label smoothing', async (backend) => {
  const x = dg.tensor([[1, 2, 3]]);
  const y = dg.tensor(new Int32Array([2]));
  // log(e + e^2 + e^3) - 3, and with eps 0.1: lse - 0.9 * 3 - (0.1 / 3) * (1 + 2 + 3).
  assertClose([await dg.crossEntropy(x, y).item()], [0.4076059644443806], GPU_TOL, `${backend} plain`);
  assertClose([await dg.crossEntropy(x, y, { labelSmoothing: 0.1 }).item()], [0.5076059644443806], GPU_TOL, `${backend} smoothed`);
});

forEachBackend(behaviour, 'ignoreIndex (PyTorch default -100) leaves positions out of the loss, its mean and the gradient', async (backend) => {
  const x = dg.tensor([[1, 2, 3], [1, 0, 0], [0, 0, 5]], { requiresGrad: true });
  const y = dg.tensor(new Int32Array([2, -100, 0]));
  const loss = dg.crossEntropy(x, y);
  // torch.nn.functional.cross_entropy: (log(e + e^2 + e^3) - 3 + log(2 + e^5)) / 2.
  assertClose([await loss.item()], [2.710495933082915], GPU_TOL, `${backend} mean over the 2 counted rows`);
  loss.backward();
  const s = [1, 1, Math.exp(5)].map((v) => v / (2 + Math.exp(5)));
  const row0 = [1, 2, 3].map((v) => Math.exp(v) / (Math.E + Math.exp(2) + Math.exp(3)));
  assertClose(await x.grad!.data(), [row0[0]! / 2, row0[1]! / 2, (row0[2]! - 1) / 2, 0, 0, 0, (s[0]! - 1) / 2, s[1]! / 2, s[2]! / 2], GPU_TOL, `${backend} gradient`);
  assertClose(await dg.crossEntropy(x, y, { reduction: 'none' }).data(), [0.40760596444438013, 0, 5.013385901721449], GPU_TOL, `${backend} none`);
  // Only -100 is ignored by default: -1 is still a bad label, and an explicit ignoreIndex replaces -100.
  let message = '';
  // The cpu throws at the call, webgpu at the next read: one try covers both.
  try { await dg.crossEntropy(x, dg.tensor(new Int32Array([2, -1, 0]))).item(); } catch (e) { message = (e as Error).message; }
  assert.ok(message.includes('crossEntropy: label -1'), `${backend}: "${message}"`);
  assertClose([await dg.crossEntropy(x, dg.tensor(new Int32Array([2, 1, 1])), { ignoreIndex: 1 }).item()], [0.40760596444438013], GPU_TOL, `${backend} ignoreIndex 1`);
  assert.ok(Number.isNaN(await dg.crossEntropy(x, dg.tensor(new Int32Array([-100, -100, -100]))).item()), `${backend}: a mean over nothing is NaN, as in PyTorch`);
});

forEachBackend(behaviour, 'crossEntropy stays finite and exact at logits of +-1e4, forward and backward', async (backend) => {
  const x = dg.tensor([[1e4, -1e4, 0], [-1e4, -1e4, 1e4]], { requiresGrad: true });
  const y = dg.tensor(new Int32Array([1, 2]));
  const loss = dg.crossEntropy(x, y, { reduction: 'none' });
  // Row 0 picks a logit 2e4 below the maximum; row 1 picks the maximum, which dominates.
  assertClose(await loss.data(), [2e4, 0], GPU_TOL, `${backend} loss`);
  loss.sum().backward();
  assertClose(await x.grad!.data(), [1, -1, 0, 0, 0, 0], GPU_TOL, `${backend} gradient`);
});

behaviour('an out-of-range label is an error naming it on the cpu backend, at the call', async () => {
  await dg.init({ backend: 'cpu' });
  const x = dg.zeros([3, 10]);
  throwsWith(() => dg.crossEntropy(x, dg.tensor(new Int32Array([1, 12, 3]))), ['crossEntropy', 'label 12', 'position 1', '10 classes'], 'too big');
  throwsWith(() => dg.crossEntropy(x, dg.tensor(new Int32Array([-1, 0, 3]))), ['crossEntropy', 'label -1', 'position 0'], 'negative');
  throwsWith(() => dg.nllLoss(x, dg.tensor(new Int32Array([0, 0, 10]))), ['nllLoss', 'label 10', 'position 2'], 'nll');
});

webgpuTest(behaviour)('an out-of-range label is an error naming it on webgpu, at the next read, and only once', async () => {
  await dg.init({ backend: 'webgpu' });
  const x = dg.zeros([3, 10]);
  const loss = dg.crossEntropy(x, dg.tensor(new Int32Array([1, 12, 3])));
  let message = '';
  await loss.item().catch((e: Error) => { message = e.message; });
  for (const f of ['crossEntropy', 'label 12', 'position 1', '10 classes']) assert.ok(message.includes(f), `"${message}" should mention "${f}"`);
  // The report is consumed: a good loss afterwards reads normally.
  assertClose([await dg.crossEntropy(x, dg.tensor(new Int32Array([1, 2, 3]))).item()], [Math.log(10)], GPU_TOL, 'after the error');
  message = '';
  await dg.nllLoss(x, dg.tensor(new Int32Array([-3, 0, 0]))).item().catch((e: Error) => { message = e.message; });
  assert.ok(message.includes('nllLoss: label -3 at position 0'), `nllLoss report: "${message}"`);
});

forEachBackend(behaviour, 'crossEntropy of an empty batch sums to 0 and has no per-sample losses, on both backends', async (backend) => {
  const x = dg.zeros([0, 5]);
  const y = dg.tensor(new Int32Array(0));
  assert.is(await dg.crossEntropy(x, y, { reduction: 'sum' }).item(), 0, backend);
  assert.equal(dg.crossEntropy(x, y, { reduction: 'none' }).shape, [0], backend);
});

webgpuTest(behaviour)('reading a loss on webgpu is one round trip, the bad-label check included', async () => {
  await dg.init({ backend: 'webgpu' });
  const rt = ((await import('../src/core/engine.js')).getBackend() as unknown as { rt: { stats: { readbacks: number } } }).rt;
  const loss = dg.crossEntropy(dg.zeros([4, 3]), dg.tensor(new Int32Array([0, 1, 2, 0])));
  const before = rt.stats.readbacks;
  assertClose([await loss.item()], [Math.log(3)], GPU_TOL, 'loss');
  assert.is(rt.stats.readbacks - before, 1);
});

behaviour('losses refuse mismatched shapes, float labels and unknown options', async () => {
  await dg.init({ backend: 'cpu' });
  const x = dg.zeros([4, 3]);
  throwsWith(() => dg.crossEntropy(x, dg.tensor(new Int32Array(5))), ['crossEntropy', 'labels of shape [4]', '[4, 3]', '[5]'], 'label count');
  throwsWith(() => dg.crossEntropy(x, dg.zeros([4])), ['crossEntropy', 'int32', 'float32'], 'float labels');
  throwsWith(() => dg.crossEntropy(x, dg.tensor(new Int32Array(4)), { labelSmoothing: 1.5 }), ['crossEntropy', 'labelSmoothing', '1.5'], 'smoothing');
  throwsWith(() => dg.crossEntropy(x, dg.tensor(new Int32Array(4)), { reduction: 'avg' as 'mean' }), ['crossEntropy', "'avg'"], 'reduction');
  throwsWith(() => dg.crossEntropy(x, dg.tensor(new Int32Array(4)), { ignoreIndex: 0.5 }), ['crossEntropy', 'ignoreIndex', 'integer', '0.5'], 'ignoreIndex');
  throwsWith(() => dg.crossEntropy(x, dg.tensor(new Int32Array(4)), { weight: dg.ones([2]) }), ['crossEntropy', 'weight', '[3]', '[2]'], 'class weights');
  throwsWith(() => dg.nllLoss(x, dg.tensor(new Int32Array(4)), { labelSmoothing: 0.1 } as dg.ClassLossOptions), ['nllLoss', "unknown option 'labelSmoothing'"], 'nll smoothing');
  throwsWith(() => dg.mseLoss(x, dg.zeros([3, 4])), ['mseLoss', '[4, 3]', '[3, 4]'], 'mse shapes');
  throwsWith(() => dg.binaryCrossEntropyWithLogits(x, dg.zeros([4])), ['binaryCrossEntropyWithLogits', '[4, 3]', '[4]'], 'bce shapes');
});

forEachBackend(behaviour, 'binaryCrossEntropyWithLogits has gradient sigmoid(x) - t at x = 0 and stays finite at +-1e4', async (backend) => {
  const x = dg.tensor([0, 1e4, -1e4], { requiresGrad: true });
  const t = dg.tensor([1, 0, 0]);
  const loss = dg.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' });
  assertClose(await loss.data(), [Math.log(2), 1e4, 0], GPU_TOL, `${backend} loss`);
  loss.sum().backward();
  assertClose(await x.grad!.data(), [-0.5, 1, 0], GPU_TOL, `${backend} gradient`);
});

behaviour.run();
