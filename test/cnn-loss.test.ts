// The loss table: crossEntropy (every reduction, label smoothing, extra dimensions, many
// classes), nllLoss, binaryCrossEntropyWithLogits and mseLoss, each checked webgpu against the
// cpu reference and by float64 finite differences; then extreme logits and bad labels.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertClose, checkGpuMatchesCpu, GPU_TOL, gradCheck, hasWebGpu, type InputSpec, throwsWith } from './support/compare.js';
import { forEachBackend, webgpuTest } from './support/webgpu.js';

interface LossCase {
  name: string;
  inputs: InputSpec[];
  fn: (...xs: Tensor[]) => Tensor;
  /** Smaller inputs for the finite-difference check where `inputs` are large. */
  gradInputs?: InputSpec[];
}

const n = (...shape: number[]): InputSpec => ({ shape });
const labels = (max: number, ...shape: number[]): InputSpec => ({ shape, dtype: 'int32', max });

export const LOSS_CASES: LossCase[] = [
  ...(['mean', 'sum', 'none'] as const).flatMap((reduction): LossCase[] => [
    { name: `crossEntropy ${reduction}`, inputs: [n(5, 10), labels(10, 5)], fn: (x, y) => dg.crossEntropy(x, y, { reduction }) },
    { name: `crossEntropy ${reduction}, labelSmoothing 0.1`, inputs: [n(7, 3), labels(3, 7)],
      fn: (x, y) => dg.crossEntropy(x, y, { reduction, labelSmoothing: 0.1 }) },
    { name: `crossEntropy ${reduction} over [N, C, d1, d2]`, inputs: [n(3, 5, 4, 2), labels(5, 3, 4, 2)],
      gradInputs: [n(2, 3, 2, 3), labels(3, 2, 2, 3)], fn: (x, y) => dg.crossEntropy(x, y, { reduction }) },
    // Labels drawn from [0, C]: the value C (about one position in C + 1) is the ignored one.
    { name: `crossEntropy ${reduction}, ignoreIndex`, inputs: [n(40, 4), labels(5, 40)], gradInputs: [n(9, 3), labels(4, 9)],
      fn: (x, y) => dg.crossEntropy(x, y, { reduction, ignoreIndex: x.shape[1]! }) },
    { name: `nllLoss ${reduction}, ignoreIndex over [N, C, d1]`, inputs: [n(4, 3, 11), labels(4, 4, 11)], gradInputs: [n(2, 2, 5), labels(3, 2, 5)],
      fn: (x, y) => dg.nllLoss(x, y, { reduction, ignoreIndex: x.shape[1]! }) },
    { name: `nllLoss ${reduction} of logSoftmax`, inputs: [n(6, 4), labels(4, 6)], fn: (x, y) => dg.nllLoss(x.logSoftmax(1), y, { reduction }) },
    { name: `nllLoss ${reduction} over [N, C, d1]`, inputs: [n(3, 5, 7), labels(5, 3, 7)], gradInputs: [n(2, 3, 4), labels(3, 2, 4)],
      fn: (x, y) => dg.nllLoss(x, y, { reduction }) },
    { name: `binaryCrossEntropyWithLogits ${reduction}`, inputs: [n(5, 7), n(5, 7)],
      fn: (x, t) => dg.binaryCrossEntropyWithLogits(x, t.sigmoid(), { reduction }) },
    { name: `mseLoss ${reduction}`, inputs: [n(4, 9), n(4, 9)], fn: (a, b) => dg.mseLoss(a, b, { reduction }) },
  ]),
  { name: 'crossEntropy 128 x 1000 classes', inputs: [n(128, 1000), labels(1000, 128)], gradInputs: [n(2, 9), labels(9, 2)],
    fn: (x, y) => dg.crossEntropy(x, y) },
  { name: 'crossEntropy of 1000 positions, spanning many workgroups', inputs: [n(8, 10, 125), labels(10, 8, 125)],
    gradInputs: [n(2, 3, 5), labels(3, 2, 5)], fn: (x, y) => dg.crossEntropy(x, y, { labelSmoothing: 0.2 }) },
  { name: 'crossEntropy sum of 300 x 1000, reduced by two workgroups and a second pass', inputs: [n(300, 1000), labels(1000, 300)],
    gradInputs: [n(3, 4), labels(4, 3)], fn: (x, y) => dg.crossEntropy(x, y, { reduction: 'sum' }) },
  { name: 'nllLoss mean of 70000 positions x 4 classes', inputs: [n(70000, 4), labels(4, 70000)],
    gradInputs: [n(5, 2), labels(2, 5)], fn: (x, y) => dg.nllLoss(x, y) },
  { name: 'crossEntropy of one unbatched [C] sample', inputs: [n(6), labels(6)], fn: (x, y) => dg.crossEntropy(x, y) },
];

await hasWebGpu();

const forward = suite('losses: webgpu matches the cpu reference');
for (const c of LOSS_CASES) {
  webgpuTest(forward)(c.name, async () => {
    await checkGpuMatchesCpu(c.inputs, c.fn, c.name);
  });
}
forward.run();

const grads = suite('losses: float64 finite-difference gradients on the cpu reference');
for (const c of LOSS_CASES) {
  grads(c.name, async () => {
    await gradCheck(c.gradInputs ?? c.inputs, c.fn, c.name);
  });
}
grads.run();

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
