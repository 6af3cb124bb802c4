// crossEntropy and nllLoss with PyTorch's class `weight`, beyond the op table's rows
// (test/support/opCases.ts: GPU against the cpu reference and finite differences): values
// worked out by hand from PyTorch's formula, its interplay with ignoreIndex, and refused weights.
import { suite } from 'uvu';
import * as dg from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, throwsWith } from './support/compare.js';
import { forEachBackend } from './support/webgpu.js';

const t = suite('losses: class weights');
await hasWebGpu();

// Two counted samples and one ignored (-100, PyTorch's default), weights w = [0.2, 0.3, 0.5]:
//   lse0 = log(e + e^2 + e^3), label 2: w2 (lse0 - 3) = 0.5 * 0.407606 = 0.203803
//   lse1 = log(e + 1 + e^-1), label 1: w1 (lse1 - 0) = 0.3 * 1.407606 = 0.422282
// mean = (0.203803 + 0.422282) / (w2 + w1), the ignored sample in neither sum.
// With labelSmoothing 0.1 (C = 3) each sample is 0.9 w_y (lse - x_y) + (0.1 / 3) sum_c w_c (lse - x_c),
// torch's smoothing term weighted per class, and the mean divides by the same w2 + w1.
const LOGITS = [[1, 2, 3], [1, 0, -1], [4, -2, 0.5]];
const LABELS = [2, 1, -100];
const W = [0.2, 0.3, 0.5];
const PER_SAMPLE = [0.20380298222219007, 0.4222817893333141, 0];
const SMOOTHED = [0.22034288281478373, 0.4369738092147954, 0];

forEachBackend(t, 'weighted crossEntropy equals the hand-computed PyTorch values for every reduction', async (backend) => {
  const x = dg.tensor(LOGITS);
  const y = dg.tensor(new Int32Array(LABELS));
  const weight = dg.tensor(W);
  assertClose(await dg.crossEntropy(x, y, { weight, reduction: 'none' }).data(), PER_SAMPLE, GPU_TOL, `${backend} none`);
  assertClose([await dg.crossEntropy(x, y, { weight, reduction: 'sum' }).item()], [0.6260847715555042], GPU_TOL, `${backend} sum`);
  assertClose([await dg.crossEntropy(x, y, { weight }).item()], [0.7826059644443802], GPU_TOL, `${backend} mean`);
  assertClose(await dg.crossEntropy(x, y, { weight, labelSmoothing: 0.1, reduction: 'none' }).data(), SMOOTHED, GPU_TOL, `${backend} smoothed none`);
  assertClose([await dg.crossEntropy(x, y, { weight, labelSmoothing: 0.1 }).item()], [0.8216458650369738], GPU_TOL, `${backend} smoothed mean`);
  // nllLoss of log-probabilities weighs the same way.
  assertClose([await dg.nllLoss(x.logSoftmax(1), y, { weight }).item()], [0.7826059644443802], GPU_TOL, `${backend} nll mean`);
});

forEachBackend(t, 'a weighted mean divides by the weights of the counted labels, including an ignoreIndex that is a class', async (backend) => {
  // ignoreIndex 0 is a real class: its positions leave both the sum and the divisor, so
  // w0 = 100 must not show; the other two are the samples above with labels 2 and 1.
  const x = dg.tensor([...LOGITS.slice(0, 2), [4, -2, 0.5]]);
  const y = dg.tensor(new Int32Array([2, 1, 0]));
  const weight = dg.tensor([100, 0.3, 0.5]);
  assertClose([await dg.crossEntropy(x, y, { weight, ignoreIndex: 0 }).item()], [0.7826059644443802], GPU_TOL, `${backend} mean`);
  // Gradients: the ignored row gets none; the others are w_y (softmax - onehot) / (w2 + w1).
  const xg = dg.tensor([[0, 0, 0], [0, 0, 0], [1, 2, 3]], { requiresGrad: true });
  dg.crossEntropy(xg, y, { weight, ignoreIndex: 0 }).backward();
  const third = 1 / 3;
  assertClose(await xg.grad!.data(), [
    0.5 * third / 0.8, 0.5 * third / 0.8, 0.5 * (third - 1) / 0.8,
    0.3 * third / 0.8, 0.3 * (third - 1) / 0.8, 0.3 * third / 0.8,
    0, 0, 0,
  ], GPU_TOL, `${backend} gradient`);
});

forEachBackend(t, 'weights of one are the unweighted loss, and a weight takes no gradient', async (backend) => {
  const x = dg.tensor([[0.3, -1.2, 2], [1, 1, 0], [0, 0.5, -0.5], [2, 1, 0]]);
  const y = dg.tensor(new Int32Array([0, 2, 1, -100]));
  const ones = dg.ones([3], { requiresGrad: true });
  for (const labelSmoothing of [0, 0.3]) {
    const plain = await dg.crossEntropy(x, y, { labelSmoothing }).item();
    const weighted = dg.crossEntropy(x, y, { weight: ones, labelSmoothing });
    assertClose([await weighted.item()], [plain], GPU_TOL, `${backend} labelSmoothing ${labelSmoothing}`);
  }
  const xg = dg.tensor([[1, 2, 3]], { requiresGrad: true });
  dg.crossEntropy(xg, dg.tensor(new Int32Array([1])), { weight: ones }).backward();
  if (ones.grad !== null) throw new Error(`${backend}: the class weights got a gradient`);
});

t('a weight of the wrong shape, dtype or kind is refused naming the op, what was given and the class count', async () => {
  await dg.init({ backend: 'cpu' });
  const x = dg.zeros([4, 3]);
  const y = dg.tensor(new Int32Array([0, 1, 2, 0]));
  throwsWith(() => dg.crossEntropy(x, y, { weight: dg.ones([4]) }), ['crossEntropy: weight', 'shape [3]', 'float32 [4]'], 'too many');
  throwsWith(() => dg.crossEntropy(x, y, { weight: dg.ones([1, 3]) }), ['crossEntropy: weight', '[3]', '[1, 3]'], 'rank 2');
  throwsWith(() => dg.nllLoss(x, y, { weight: dg.tensor(new Int32Array([1, 1, 1])) }), ['nllLoss: weight', 'float32', 'int32 [3]'], 'int32');
  throwsWith(() => dg.crossEntropy(x, y, { weight: [1, 2, 3] as never }), ['crossEntropy: weight must be a float32 Tensor', 'object'], 'array');
});

t.run();
