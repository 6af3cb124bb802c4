// The CNN op table: conv2d over the option grid (stride, padding, dilation, groups, kernel
// size, odd spatial sizes, batch and channel counts) and max/avg pooling. Each row is checked
// two ways: webgpu forward and gradients against the cpu reference, and a float64
// finite-difference gradient check on the cpu reference (on the smaller `gradInputs`).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { checkGpuMatchesCpu, gradCheck, hasWebGpu, type InputSpec, throwsWith } from './support/compare.js';
import { forEachBackend, webgpuTest } from './support/webgpu.js';

interface CnnCase {
  name: string;
  inputs: InputSpec[];
  fn: (...xs: Tensor[]) => Tensor;
  gradInputs: InputSpec[];
}

const n = (...shape: number[]): InputSpec => ({ shape });

/** conv2d with or without bias: the bias is the third input when one is given. */
const conv = (options: dg.Conv2dOptions) => (x: Tensor, w: Tensor, b?: Tensor) => dg.conv2d(x, w, b, options);

export const CNN_CASES: CnnCase[] = [
  { name: 'conv 3x3 pad 1, batch 5, 3 -> 8 channels, 13x17, bias', inputs: [n(5, 3, 13, 17), n(8, 3, 3, 3), n(8)],
    gradInputs: [n(2, 3, 5, 6), n(4, 3, 3, 3), n(4)], fn: conv({ padding: 1 }) },
  { name: 'conv 1x1 stride 2, 8 -> 3 channels', inputs: [n(1, 8, 13, 17), n(3, 8, 1, 1)],
    gradInputs: [n(1, 4, 5, 7), n(3, 4, 1, 1)], fn: conv({ stride: 2 }) },
  { name: 'conv 5x5 stride 3 pad 2, 1 -> 8 channels, bias', inputs: [n(5, 1, 13, 17), n(8, 1, 5, 5), n(8)],
    gradInputs: [n(2, 1, 7, 8), n(3, 1, 5, 5), n(3)], fn: conv({ stride: 3, padding: 2 }) },
  { name: 'conv 3x3 dilation 2 pad 2', inputs: [n(1, 3, 13, 17), n(8, 3, 3, 3)],
    gradInputs: [n(1, 2, 7, 6), n(3, 2, 3, 3)], fn: conv({ dilation: 2, padding: 2 }) },
  { name: 'conv 3x3 dilation 2 stride 2 no padding', inputs: [n(5, 3, 13, 17), n(8, 3, 3, 3)],
    gradInputs: [n(2, 2, 9, 8), n(2, 2, 3, 3)], fn: conv({ dilation: 2, stride: 2 }) },
  { name: 'conv groups 2, 8 -> 6 channels, pad 1, bias', inputs: [n(5, 8, 13, 17), n(6, 4, 3, 3), n(6)],
    gradInputs: [n(1, 4, 5, 5), n(4, 2, 3, 3), n(4)], fn: conv({ groups: 2, padding: 1 }) },
  { name: 'conv depthwise 3x3 stride 2 pad 1, 8 channels, bias', inputs: [n(1, 8, 13, 17), n(8, 1, 3, 3), n(8)],
    gradInputs: [n(2, 8, 5, 6), n(8, 1, 3, 3), n(8)], fn: conv({ groups: 8, stride: 2, padding: 1 }) },
  { name: 'conv depthwise multiplier 2, 5x5 pad 2', inputs: [n(5, 3, 13, 17), n(6, 1, 5, 5)],
    gradInputs: [n(1, 3, 6, 5), n(6, 1, 5, 5)], fn: conv({ groups: 3, padding: 2 }) },
  { name: 'conv 3x5 kernel, stride [2, 1], padding [0, 2], dilation [1, 2]', inputs: [n(5, 3, 13, 17), n(8, 3, 3, 5)],
    gradInputs: [n(1, 2, 6, 9), n(2, 2, 3, 5)], fn: conv({ stride: [2, 1], padding: [0, 2], dilation: [1, 2] }) },
  { name: 'conv 5x5 padding same', inputs: [n(1, 3, 13, 17), n(8, 3, 5, 5)],
    gradInputs: [n(1, 1, 5, 6), n(2, 1, 5, 5)], fn: conv({ padding: 'same' }) },
  { name: 'conv 3x3 stride 3 pad 2 dilation 2, 8 -> 8', inputs: [n(5, 8, 13, 17), n(8, 8, 3, 3)],
    gradInputs: [n(1, 2, 8, 7), n(2, 2, 3, 3)], fn: conv({ stride: 3, padding: 2, dilation: 2 }) },
  { name: 'conv 3x3 pad 1, 5 -> 19 channels (several channel tiles, none full)', inputs: [n(5, 5, 13, 17), n(19, 5, 3, 3), n(19)],
    gradInputs: [n(1, 2, 4, 5), n(19, 2, 3, 3), n(19)], fn: conv({ padding: 1 }) },
  { name: 'conv 5x5 pad 2, 19 -> 5 channels (several input-channel tiles)', inputs: [n(5, 19, 13, 17), n(5, 19, 5, 5)],
    gradInputs: [n(1, 19, 3, 4), n(2, 19, 5, 5)], fn: conv({ padding: 2 }) },
  { name: 'conv 3x3 pad 1, 8 -> 37 channels at 29x31 (tens of workgroups in every kernel)', inputs: [n(5, 8, 29, 31), n(37, 8, 3, 3), n(37)],
    gradInputs: [n(1, 2, 3, 4), n(3, 2, 3, 3), n(3)], fn: conv({ padding: 1 }) },
  { name: 'conv 1 -> 1 channel 1x1', inputs: [n(1, 1, 13, 17), n(1, 1, 1, 1), n(1)],
    gradInputs: [n(1, 1, 3, 5), n(1, 1, 1, 1), n(1)], fn: conv({}) },
  { name: 'conv unbatched [C, H, W] input', inputs: [n(3, 13, 17), n(8, 3, 3, 3), n(8)],
    gradInputs: [n(2, 5, 4), n(3, 2, 3, 3), n(3)], fn: conv({ padding: 1 }) },
  { name: 'conv then relu then conv (gradient flows through both kernels)', inputs: [n(5, 3, 13, 17), n(8, 3, 3, 3), n(3, 8, 3, 3)],
    gradInputs: [n(1, 2, 6, 6), n(3, 2, 3, 3), n(2, 3, 3, 3)], fn: (x, w1, w2) => dg.conv2d(dg.conv2d(x, w1, null, { padding: 1 }).relu(), w2) },
  // pooling: kernel 2/3, stride 1/2/3, padding
  ...([
    ['k2', { kernelSize: 2 }],
    ['k3 s1 p1', { kernelSize: 3, stride: 1, padding: 1 }],
    ['k3 s2 p1', { kernelSize: 3, stride: 2, padding: 1 }],
    ['k2 s3', { kernelSize: 2, stride: 3 }],
    ['k3 s3 p1', { kernelSize: 3, stride: 3, padding: 1 }],
    ['k [2, 3] s [1, 2] p [1, 0]', { kernelSize: [2, 3], stride: [1, 2], padding: [1, 0] }],
  ] as const).flatMap(([label, o]): CnnCase[] => [
    { name: `maxPool2d ${label}`, inputs: [n(5, 3, 13, 17)], gradInputs: [n(2, 2, 5, 6)], fn: (x) => dg.maxPool2d(x, o) },
    { name: `avgPool2d ${label}`, inputs: [n(1, 8, 13, 17)], gradInputs: [n(2, 2, 5, 6)], fn: (x) => dg.avgPool2d(x, o) },
    { name: `avgPool2d ${label} countIncludePad false`, inputs: [n(5, 1, 13, 17)], gradInputs: [n(1, 3, 5, 7)],
      fn: (x) => dg.avgPool2d(x, { ...o, countIncludePad: false }) },
  ]),
  { name: 'maxPool2d unbatched [C, H, W]', inputs: [n(3, 13, 17)], gradInputs: [n(2, 5, 6)], fn: (x) => dg.maxPool2d(x, { kernelSize: 3, stride: 2 }) },
  // windows that tile the input (stride = kernel, no padding) take a backward kernel of their own
  { name: 'maxPool2d k3 tiled (13 % 3 and 17 % 3 rows and columns left over)', inputs: [n(5, 3, 13, 17)], gradInputs: [n(1, 2, 7, 8)],
    fn: (x) => dg.maxPool2d(x, { kernelSize: 3 }) },
  { name: 'maxPool2d k [2, 3] tiled over 29x31 (about 100 workgroups)', inputs: [n(5, 8, 29, 31)], gradInputs: [n(1, 2, 5, 7)],
    fn: (x) => dg.maxPool2d(x, { kernelSize: [2, 3] }) },
  { name: 'maxPool2d k1 tiled (every element its own window)', inputs: [n(2, 3, 7, 5)], gradInputs: [n(1, 2, 3, 4)],
    fn: (x) => dg.maxPool2d(x, { kernelSize: 1 }) },
];

await hasWebGpu();

const forward = suite('cnn: webgpu matches the cpu reference');
for (const c of CNN_CASES) {
  webgpuTest(forward)(c.name, async () => {
    await checkGpuMatchesCpu(c.inputs, c.fn, c.name);
  });
}
forward.run();

const grads = suite('cnn: float64 finite-difference gradients on the cpu reference');
for (const c of CNN_CASES) {
  grads(c.name, async () => {
    await gradCheck(c.gradInputs, c.fn, c.name);
  });
}
grads.run();

const behaviour = suite('cnn: behaviour');

webgpuTest(behaviour)('maxPool2d without a gradient to keep (values-only kernel) matches the cpu reference', async () => {
  for (const o of [{ kernelSize: 2 }, { kernelSize: 3, stride: 2, padding: 1 }, { kernelSize: [2, 3], stride: [1, 2] }] as dg.MaxPool2dOptions[]) {
    await checkGpuMatchesCpu([n(5, 3, 13, 17)], (x) => dg.maxPool2d(x, o), `maxPool2d values ${JSON.stringify(o)}`, false);
  }
});

webgpuTest(behaviour)('maxPool2d backward takes the per-window kernel exactly when windows tile the input', async () => {
  await dg.init({ backend: 'webgpu' });
  const x = dg.randn([2, 3, 13, 17], { requiresGrad: true });
  const kernels = async (o: dg.MaxPool2dOptions) => {
    const y = dg.maxPool2d(x, o);
    const p = await dg.profile(() => y.backward(dg.onesLike(y)));
    x.grad = null;
    return p.kernels.map((k) => k.kernel).filter((k) => k.startsWith('pool'));
  };
  assert.equal(await kernels({ kernelSize: 2 }), ['pool.wgsl:max_backward_tiled']);
  assert.equal(await kernels({ kernelSize: [2, 3] }), ['pool.wgsl:max_backward_tiled']);
  assert.equal(await kernels({ kernelSize: 2, stride: 1 }), ['pool.wgsl:max_backward']);
  assert.equal(await kernels({ kernelSize: 2, stride: 2, padding: 1 }), ['pool.wgsl:max_backward']);
});

webgpuTest(behaviour)('maxPool2d forward takes the tiled kernel exactly when windows tile the input, with or without arg-max', async () => {
  await dg.init({ backend: 'webgpu' });
  const x = dg.randn([2, 3, 13, 17], { requiresGrad: true });
  const kernels = async (o: dg.MaxPool2dOptions, grad: boolean) => {
    const p = await dg.profile(() => dg.tidy(() => {
      const y = grad ? dg.maxPool2d(x, o) : dg.noGrad(() => dg.maxPool2d(x, o));
      return y.sum();
    }));
    return p.kernels.map((k) => k.kernel).filter((k) => k.startsWith('pool'));
  };
  assert.equal(await kernels({ kernelSize: 2 }, true), ['pool.wgsl:max_forward_tiled']);
  assert.equal(await kernels({ kernelSize: [2, 3] }, false), ['pool.wgsl:max_values_tiled']);
  assert.equal(await kernels({ kernelSize: 2, stride: 1 }, true), ['pool.wgsl:max_forward']);
  assert.equal(await kernels({ kernelSize: 2, stride: 1 }, false), ['pool.wgsl:max_values']);
});

forEachBackend(behaviour, 'maxPool2d routes the gradient of a tied window to its first element, on both backends', async (backend) => {
  const x = dg.ones([1, 1, 4, 4], { requiresGrad: true });
  dg.maxPool2d(x, { kernelSize: 2 }).sum().backward();
  assert.equal([...(await x.grad!.data())], [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0], backend);
});

forEachBackend(behaviour, 'an empty batch gives empty outputs and zero weight gradients, on both backends', async (backend) => {
  const x = dg.zeros([0, 2, 5, 5], { requiresGrad: true });
  const w = dg.ones([3, 2, 3, 3], { requiresGrad: true });
  const y = dg.maxPool2d(dg.conv2d(x, w, null, { padding: 1 }), { kernelSize: 2 });
  assert.equal(y.shape, [0, 3, 2, 2], backend);
  y.sum().backward();
  assert.equal([...(await w.grad!.data())], new Array(54).fill(0), backend);
  assert.equal(x.grad!.shape, [0, 2, 5, 5], backend);
});

behaviour('avgPool2d countIncludePad decides whether padding is in the divisor', async () => {
  await dg.init({ backend: 'cpu' });
  const x = dg.ones([1, 1, 2, 2]);
  const withPad = await dg.avgPool2d(x, { kernelSize: 2, stride: 2, padding: 1 }).data();
  const without = await dg.avgPool2d(x, { kernelSize: 2, stride: 2, padding: 1, countIncludePad: false }).data();
  assert.equal([...withPad], [0.25, 0.25, 0.25, 0.25]);
  assert.equal([...without], [1, 1, 1, 1]);
});

behaviour('conv2d matches a hand-computed 2x2 example', async () => {
  await dg.init({ backend: 'cpu' });
  const x = dg.tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
  const w = dg.tensor([[[[1, 0], [0, -1]]]]);
  const y = dg.conv2d(x, w, dg.tensor([10]));
  assert.equal(y.shape, [1, 1, 2, 2]);
  assert.equal([...(await y.data())], [6, 6, 6, 6]);
});

behaviour('conv2d and the pools refuse bad shapes and options with the shapes in the message', async () => {
  await dg.init({ backend: 'cpu' });
  const x = dg.zeros([8, 1, 28, 28]);
  throwsWith(() => dg.conv2d(x, dg.zeros([4, 3, 3, 3])), ['conv2d', 'C=3', '[8, 1, 28, 28]'], 'channel mismatch');
  throwsWith(() => dg.conv2d(dg.zeros([1, 28, 28]).reshape([28, 28]), dg.zeros([4, 1, 3, 3])), ['conv2d', '[N, C, H, W]', '[28, 28]'], 'rank');
  throwsWith(() => dg.conv2d(x, dg.zeros([4, 1, 3])), ['conv2d', 'weight', '[4, 1, 3]'], 'weight rank');
  throwsWith(() => dg.conv2d(x, dg.zeros([3, 1, 3, 3]), null, { groups: 2 }), ['conv2d', 'groups=2', '(1)', '(3)'], 'groups');
  throwsWith(() => dg.conv2d(x, dg.zeros([4, 1, 3, 3]), dg.zeros([5])), ['conv2d', 'bias [4]', '[5]'], 'bias');
  throwsWith(() => dg.conv2d(x, dg.zeros([4, 1, 3, 3]), null, { stride: 0 }), ['conv2d', 'stride', '0'], 'stride 0');
  throwsWith(() => dg.conv2d(x, dg.zeros([4, 1, 3, 3]), null, { padding: 'same', stride: 2 }), ['conv2d', "padding='same'", 'stride 1'], 'same with stride');
  throwsWith(() => dg.conv2d(dg.zeros([1, 1, 2, 2]), dg.zeros([1, 1, 3, 3])), ['conv2d', '[1, 1, 2, 2]', 'too small', '0x0'], 'too small');
  throwsWith(() => dg.maxPool2d(x, { kernelSize: 2, padding: 2 }), ['maxPool2d', 'at most half', '[2, 2]'], 'pool padding');
  throwsWith(() => dg.avgPool2d(x, { kernelSize: 30 }), ['avgPool2d', 'too small', '[8, 1, 28, 28]'], 'pool too small');
  throwsWith(() => dg.maxPool2d(x, { kernelSize: 1.5 }), ['maxPool2d', 'kernelSize', '1.5'], 'fractional kernel');
  throwsWith(() => dg.maxPool2d(x, { kernelSize: 2, returnIndices: true } as dg.MaxPool2dOptions), ['maxPool2d', "unknown option 'returnIndices'"], 'unknown pool option');
  throwsWith(() => dg.conv2d(x, dg.zeros([4, 1, 3, 3]), null, { bias: false } as dg.Conv2dOptions), ['conv2d', "unknown option 'bias'"], 'conv option');
});

webgpuTest(behaviour)('conv2d refuses an output larger than a storage binding with the size and the limit', async () => {
  await dg.init({ backend: 'webgpu' });
  const limit = (await import('../src/core/engine.js')).getBackend() as unknown as { rt: { limits: GPUSupportedLimits } };
  const max = limit.rt.limits.maxStorageBufferBindingSize;
  // 1 x 1 x 1 x W input with a 1x1 kernel and as many output channels as it takes to pass the limit.
  const outC = Math.floor(max / 4 / 64) + 1;
  const x = dg.zeros([1, 1, 1, 64]);
  const w = dg.zeros([1, 1, 1, 1]).expand([outC, 1, 1, 1]);
  throwsWith(() => dg.conv2d(x, w), ['conv2d', `${outC * 64 * 4} bytes`, `${max}`], 'oversized output');
});

behaviour.run();
