// CNN behaviour beyond the op table (whose conv and pooling rows are test/support/cnnCases.ts,
// run by test/ops.test.ts): which kernels run, values-only pooling, bad options and limits.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { assertClose, checkGpuMatchesCpu, hasWebGpu, type InputSpec, throwsWith } from './support/compare.js';
import { forEachBackend, webgpuTest } from './support/webgpu.js';

const n = (...shape: number[]): InputSpec => ({ shape });

await hasWebGpu();

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
  // Ceil mode's partial last windows (13 and 17 are odd) and dilated windows do not tile.
  assert.equal(await kernels({ kernelSize: 2, ceilMode: true }), ['pool.wgsl:max_backward']);
  assert.equal(await kernels({ kernelSize: 2, dilation: 2 }), ['pool.wgsl:max_backward']);
  // ...but ceil mode with nothing left over does.
  assert.equal(await kernels({ kernelSize: 1, ceilMode: true }), ['pool.wgsl:max_backward_tiled']);
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

webgpuTest(behaviour)('adaptive pools whose bins divide the input run as plain windows (the tiled max kernel), others as adaptive bins', async () => {
  await dg.init({ backend: 'webgpu' });
  const kernels = async (shape: number[], size: number | [number, number]) => {
    const x = dg.randn(shape, { requiresGrad: true });
    const p = await dg.profile(() => dg.tidy(() => dg.adaptiveMaxPool2d(x, size).sum()));
    return p.kernels.map((k) => k.kernel).filter((k) => k.startsWith('pool'));
  };
  assert.equal(await kernels([2, 3, 12, 16], [3, 4]), ['pool.wgsl:max_forward_tiled']);
  assert.equal(await kernels([2, 3, 12, 16], 1), ['pool.wgsl:max_forward_tiled']);
  assert.equal(await kernels([2, 3, 13, 16], [3, 4]), ['pool.wgsl:max_forward']);
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

/** Hand-computed values read back from float32 tensors: equal up to float32 rounding. */
const F32 = { atol: 1e-6, rtol: 1e-6 };
const arange = (shape: number[]) => dg.arange(1, shape.reduce((a, b) => a * b, 1) + 1).reshape(shape);

behaviour('pool output sizes follow PyTorch\'s formula, ceil mode dropping a window that would start in the right padding', async () => {
  await dg.init({ backend: 'cpu' });
  // [size, kernel, stride, padding, dilation, floor-mode size, ceil-mode size], worked out by hand
  // with PyTorch's pooling_output_shape: floor or ceil of (size + 2p - d(k - 1) - 1) / s, plus 1,
  // and in ceil mode one less when the last window would start at or past size + p.
  const rows: [number, number, number, number, number, number, number][] = [
    [14, 3, 2, 0, 1, 6, 7],
    [13, 2, 2, 0, 1, 6, 7],
    [5, 2, 2, 1, 1, 3, 3], // ceil(5 / 2) + 1 = 4, but window 3 would start at 6 - 1 = 5 = size
    [10, 3, 3, 0, 2, 2, 3],
    [13, 3, 1, 1, 2, 11, 11],
    [2, 3, 2, 0, 1, 0, 1], // floor mode refuses; ceil mode keeps the one window over both rows
    [7, 1, 3, 0, 1, 3, 3],
  ];
  for (const [size, k, st, p, d, floor, ceil] of rows) {
    const x = dg.zeros([1, 1, size, 4]);
    const o = { kernelSize: [k, 1] as [number, number], stride: [st, 1] as [number, number], padding: [p, 0] as [number, number], dilation: [d, 1] as [number, number] };
    const what = `size ${size} k ${k} s ${st} p ${p} d ${d}`;
    if (floor > 0) assert.equal(dg.maxPool2d(x, o).shape, [1, 1, floor, 4], `${what} floor`);
    else throwsWith(() => dg.maxPool2d(x, o), ['maxPool2d', 'too small'], `${what} floor`);
    assert.equal(dg.maxPool2d(x, { ...o, ceilMode: true }).shape, [1, 1, ceil, 4], `${what} ceil`);
    if (d === 1) assert.equal(dg.avgPool2d(x, { kernelSize: o.kernelSize, stride: o.stride, padding: o.padding, ceilMode: true }).shape, [1, 1, ceil, 4], `${what} avg ceil`);
  }
});

forEachBackend(behaviour, 'avgPool2d ceil mode divides the partial last window as PyTorch, with and without padding counted', async (backend) => {
  // 1..9 as 3x3, kernel 2: the ceil-mode windows are rows/columns {0, 1} and {2}.
  const x3 = arange([1, 1, 3, 3]);
  assertClose(await dg.avgPool2d(x3, { kernelSize: 2, ceilMode: true }).data(), [3, 4.5, 7.5, 9], F32, `${backend} k2 ceil`);
  // 1..16 as 4x4, kernel 3, stride 2, padding 1: windows {0, 1}, {1, 2, 3}, {3}, whose extents in
  // the padded input [-1, 5) are 3, 3, 2; window sums 14 30 12 / 57 99 36 / 27 45 16.
  const x4 = arange([1, 1, 4, 4]);
  const o = { kernelSize: 3, stride: 2, padding: 1, ceilMode: true };
  assertClose(await dg.avgPool2d(x4, o).data(), [14 / 9, 30 / 9, 2, 57 / 9, 11, 6, 4.5, 7.5, 4], F32, `${backend} countIncludePad`);
  assertClose(await dg.avgPool2d(x4, { ...o, countIncludePad: false }).data(), [3.5, 5, 6, 9.5, 11, 12, 13.5, 15, 16], F32, `${backend} countIncludePad false`);
  assertClose(await dg.avgPool2d(x4, { ...o, divisorOverride: 2 }).data(), [7, 15, 6, 28.5, 49.5, 18, 13.5, 22.5, 8], F32, `${backend} divisorOverride`);
  // The backward divides by the same counts: d(out[2][2]) / d(x[3][3]) = 1/4 counting padding.
  const leaf = dg.tensor(await x4.data(), [1, 1, 4, 4], { requiresGrad: true });
  dg.avgPool2d(leaf, o).narrow(2, 2, 1).narrow(3, 2, 1).sum().backward();
  assertClose(await leaf.grad!.data(), [...new Array(15).fill(0), 0.25], F32, `${backend} gradient`);
});

forEachBackend(behaviour, 'maxPool2d dilation and ceil mode pick the hand-computed maxima and route the gradient there', async (backend) => {
  const x = dg.tensor(await arange([1, 1, 4, 4]).data(), [1, 1, 4, 4], { requiresGrad: true });
  // kernel 2, dilation 2, stride 1: window (i, j) takes rows {i, i + 2} and columns {j, j + 2}.
  const y = dg.maxPool2d(x, { kernelSize: 2, dilation: 2, stride: 1 });
  assert.equal([...(await y.data())], [11, 12, 15, 16], backend);
  y.sum().backward();
  assert.equal([...(await x.grad!.data())], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1], backend);
  assert.equal([...(await dg.maxPool2d(arange([1, 1, 3, 3]), { kernelSize: 2, ceilMode: true }).data())], [5, 6, 8, 9], backend);
});

forEachBackend(behaviour, 'maxPool2d gives -Infinity and no gradient for a dilated window with no tap in the input, as PyTorch', async (backend) => {
  // 2x2 input, kernel 2, dilation 3, padding 1: the one window's taps are rows/columns -1 and 2.
  const x = dg.ones([1, 1, 2, 2], { requiresGrad: true });
  const y = dg.maxPool2d(x, { kernelSize: 2, dilation: 3, padding: 1, stride: 1 });
  assert.equal([...(await y.data())], [-Infinity], backend);
  y.mul(0).sum().backward();
  assert.equal([...(await x.grad!.data())], [0, 0, 0, 0], backend);
});

forEachBackend(behaviour, 'adaptive pools use PyTorch\'s bins [floor(i*n/m), ceil((i+1)*n/m)), overlapping or repeating', async (backend) => {
  const x = dg.tensor([1, 2, 3, 4, 5], [1, 1, 1, 5], { requiresGrad: true });
  // 5 -> 3: bins {0, 1}, {1, 2, 3}, {3, 4}.
  const avg = dg.adaptiveAvgPool2d(x, [1, 3]);
  assertClose(await avg.data(), [1.5, 3, 4.5], F32, `${backend} avg`);
  assert.equal([...(await dg.adaptiveMaxPool2d(x, [1, 3]).data())], [2, 4, 5], backend);
  avg.sum().backward();
  assertClose(await x.grad!.data(), [0.5, 0.5 + 1 / 3, 1 / 3, 1 / 3 + 0.5, 0.5], F32, `${backend} avg gradient`);
  // 2 -> 3: bins {0}, {0, 1}, {1}.
  assertClose(await dg.adaptiveAvgPool2d(dg.tensor([1, 3], [1, 1, 2]), [1, 3]).data(), [1, 2, 3], F32, `${backend} upsampling bins`);
  assert.equal(dg.adaptiveAvgPool2d(dg.zeros([2, 3, 7, 9]), [4, null]).shape, [2, 3, 4, 9], backend);
});

forEachBackend(behaviour, 'conv2d and conv1d padding same with an even kernel pad the extra element after, as PyTorch', async (backend) => {
  const x = dg.tensor([[[1, 2, 3, 4]]]);
  // kernel 2: no padding before, one after: out[i] = x[i] + 10 x[i + 1].
  assert.equal([...(await dg.conv1d(x, dg.tensor([[[1, 10]]]), null, { padding: 'same' }).data())], [21, 32, 43, 4], backend);
  assert.equal([...(await dg.conv2d(x.reshape([1, 1, 1, 4]), dg.tensor([[[[1, 10]]]]), null, { padding: 'same' }).data())], [21, 32, 43, 4], backend);
  // kernel 2, dilation 2, stride 2 on 1..7: out = x[2i] + 2 x[2i + 2].
  assert.equal([...(await dg.conv1d(dg.arange(1, 8).reshape([1, 1, 7]), dg.tensor([[[1, 2]]]), null, { stride: 2, dilation: 2 }).data())], [7, 13, 19], backend);
  // kernel [4, 3] with dilation [1, 3]: padding totals 3 (1 before, 2 after) and 6; same size out.
  const y = dg.conv2d(dg.zeros([2, 3, 5, 6]), dg.zeros([4, 3, 4, 3]), null, { padding: 'same', dilation: [1, 3] });
  assert.equal(y.shape, [2, 4, 5, 6], backend);
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
  throwsWith(() => dg.maxPool2d(x, { kernelSize: 2, ceilMode: 1 } as unknown as dg.MaxPool2dOptions), ['maxPool2d', 'ceilMode', 'true or false', '1'], 'ceilMode type');
  throwsWith(() => dg.maxPool2d(x, { kernelSize: 2, dilation: 0 }), ['maxPool2d', 'dilation', '0'], 'pool dilation');
  throwsWith(() => dg.avgPool2d(x, { kernelSize: 2, divisorOverride: 0 }), ['avgPool2d', 'divisorOverride', 'positive integer', '0'], 'divisorOverride');
  throwsWith(() => dg.avgPool2d(x, { kernelSize: 2, dilation: 2 } as dg.AvgPool2dOptions), ['avgPool2d', "unknown option 'dilation'"], 'avg dilation');
  throwsWith(() => dg.adaptiveAvgPool2d(x, 0), ['adaptiveAvgPool2d', 'outputSize', '0'], 'adaptive size 0');
  throwsWith(() => dg.adaptiveMaxPool2d(x, [2, 2, 2] as unknown as [number, number]), ['adaptiveMaxPool2d', 'outputSize', '[2,2,2]'], 'adaptive size rank');
  throwsWith(() => dg.adaptiveMaxPool2d(dg.zeros([8, 28]), 2), ['adaptiveMaxPool2d', '[N, C, H, W]', '[8, 28]'], 'adaptive input rank');
  throwsWith(() => dg.adaptiveAvgPool2d(dg.zeros([1, 1, 0, 3]), 2), ['adaptiveAvgPool2d', 'non-empty', '[1, 1, 0, 3]'], 'adaptive empty plane');
  const seq = dg.zeros([8, 3, 20]);
  throwsWith(() => dg.conv1d(x, dg.zeros([4, 1, 3])), ['conv1d', '[N, C, L]', '[8, 1, 28, 28]'], 'conv1d input rank');
  throwsWith(() => dg.conv1d(seq, dg.zeros([4, 3, 3, 3])), ['conv1d', 'weight [outC, inC / groups, k]', '[4, 3, 3, 3]'], 'conv1d weight rank');
  throwsWith(() => dg.conv1d(seq, dg.zeros([4, 2, 3])), ['conv1d', 'C=2', '[8, 3, 20]'], 'conv1d channels');
  throwsWith(() => dg.conv1d(seq, dg.zeros([4, 3, 3]), null, { stride: [1, 1] as unknown as [number] }), ['conv1d', 'stride', '[1,1]'], 'conv1d stride pair');
  throwsWith(() => dg.conv1d(seq, dg.zeros([4, 3, 4]), null, { padding: 'same', stride: 2 }), ['conv1d', "padding='same'", 'stride 1'], 'conv1d same with stride');
  throwsWith(() => dg.conv1d(seq, dg.zeros([4, 3, 30])), ['conv1d', '[8, 3, 20]', 'too small', 'would be -9'], 'conv1d too small');
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
