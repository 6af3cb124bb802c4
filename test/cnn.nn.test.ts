// The convolution and pooling layers as modules: nn.Conv1d's PyTorch parameters, keys and
// initialisation; the pooling layers' options reaching the functional ops; Keras' global pools
// as [N, C]; and every one of them saved and rebuilt by dg.save / dg.load with equal outputs.
// (The ops themselves, on both backends and by finite differences: test/support/cnnCases.ts, run by test/ops.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, throwsWith } from './support/compare.js';
import { forEachBackend } from './support/webgpu.js';

await hasWebGpu();
const { nn } = dg;
const test = suite('cnn layers');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-cnn-nn-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const same = async (a: Tensor, b: Tensor, what: string) => assert.equal([...await a.data()], [...await b.data()], what);

test('Conv1d has PyTorch\'s keys, shapes and kaiming-uniform bounds', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(3);
  const conv = new nn.Conv1d(6, 4, 5, { groups: 2 });
  assert.equal(Object.fromEntries(Object.entries(conv.stateDict()).map(([k, t]) => [k, [...t.shape]])), { weight: [4, 3, 5], bias: [4] });
  // fan_in = (6 / 2) * 5 = 15: both bounds are 1 / sqrt(15) (kaiming_uniform_ with a = sqrt(5)).
  const bound = 1 / Math.sqrt(15);
  for (const [name, t] of [['weight', conv.weight], ['bias', conv.bias!]] as const) {
    const v = Array.from(await t.data());
    assert.ok(v.every((x) => Math.abs(x) <= bound), `${name} within 1/sqrt(15)`);
    assert.ok(Math.max(...v.map(Math.abs)) > bound / 2, `${name} spread over the range, not collapsed`);
  }
  assert.equal(Object.keys(new nn.Conv1d(2, 3, [3], { bias: false }).stateDict()), ['weight']);
});

forEachBackend(test, 'Conv1d forward is dg.conv1d with its weights and options', async (backend) => {
  const conv = new nn.Conv1d(3, 5, 4, { padding: 'same', dilation: 2 });
  const x = dg.randn([2, 3, 11]);
  const y = conv.forward(x);
  assert.equal(y.shape, [2, 5, 11], backend);
  await same(y, dg.conv1d(x, conv.weight, conv.bias, { padding: 'same', dilation: 2 }), backend);
});

test('Conv1d refuses bad channel counts with the layer name', async () => {
  await dg.init({ backend: 'cpu' });
  throwsWith(() => new nn.Conv1d(3, 4, 3, { groups: 2 }), ['Conv1d', 'divisible by groups'], 'groups');
  throwsWith(() => new nn.Conv1d(3, 4, [3, 3] as unknown as [number]), ['Conv1d', 'kernelSize', '[3,3]'], 'kernel rank');
  throwsWith(() => new nn.Conv1d(3, 4, 3).forward(dg.zeros([2, 1, 8])), ['conv1d', 'C=3', '[2, 1, 8]'], 'wrong channels');
});

forEachBackend(test, 'pooling layers pass ceilMode, dilation, countIncludePad and divisorOverride to the ops', async (backend) => {
  const x = dg.randn([2, 3, 13, 17]);
  await same(new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }).forward(x),
    dg.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, dilation: 2, ceilMode: true }), `${backend} MaxPool2d`);
  await same(new nn.AvgPool2d(2, { ceilMode: true, countIncludePad: false }).forward(x),
    dg.avgPool2d(x, { kernelSize: 2, ceilMode: true, countIncludePad: false }), `${backend} AvgPool2d`);
  await same(new nn.AvgPool2d([3, 2], { stride: 1, divisorOverride: 4 }).forward(x),
    dg.avgPool2d(x, { kernelSize: [3, 2], stride: 1, divisorOverride: 4 }), `${backend} AvgPool2d divisorOverride`);
  await same(new nn.AdaptiveAvgPool2d([5, null]).forward(x), dg.adaptiveAvgPool2d(x, [5, null]), `${backend} AdaptiveAvgPool2d`);
  await same(new nn.AdaptiveMaxPool2d(4).forward(x), dg.adaptiveMaxPool2d(x, 4), `${backend} AdaptiveMaxPool2d`);
});

forEachBackend(test, 'GlobalAveragePooling2D and GlobalMaxPooling2D give [N, C] (or [N, C, 1, 1] with keepDims), as Keras', async (backend) => {
  const x = dg.randn([3, 5, 7, 6]);
  const avg = new nn.GlobalAveragePooling2D().forward(x);
  assert.equal(avg.shape, [3, 5], backend);
  assertClose(await avg.data(), await x.mean([2, 3]).data(), GPU_TOL, `${backend} average = mean over H and W`);
  const max = new nn.GlobalMaxPooling2D().forward(x);
  assert.equal(max.shape, [3, 5], backend);
  await same(max, x.max([2, 3]), `${backend} max over H and W`);
  assert.equal(new nn.GlobalMaxPooling2D({ keepDims: true }).forward(x).shape, [3, 5, 1, 1], backend);
  assert.equal(new nn.GlobalAveragePooling2D().forward(dg.randn([5, 7, 6])).shape, [5], `${backend} unbatched`);
});

test('every new conv and pool layer is saved and rebuilt by dg.save / dg.load with equal outputs', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(5);
  const images = new nn.Sequential(
    new nn.Conv2d(2, 4, 2, { padding: 'same' }), new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }),
    new nn.AvgPool2d(2, { ceilMode: true, countIncludePad: false }), new nn.AvgPool2d(1, { divisorOverride: 2 }),
    new nn.AdaptiveMaxPool2d([3, null]), new nn.AdaptiveAvgPool2d(2),
    new nn.GlobalAveragePooling2D(), new nn.Linear(4, 3),
  );
  const sequences = new nn.Sequential(
    new nn.Conv1d(3, 4, 4, { padding: 'same', dilation: 2, bias: false }), new nn.ReLU(),
    new nn.Conv1d(4, 2, 3, { stride: 2, groups: 2 }), new nn.Flatten(), new nn.Linear(2 * 7, 2),
  );
  const globalMax = new nn.Sequential(new nn.GlobalMaxPooling2D({ keepDims: true }), new nn.Flatten());
  for (const [name, model, x] of [
    ['images', images, dg.randn([2, 2, 13, 15])],
    ['sequences', sequences, dg.randn([2, 3, 16])],
    ['globalMax', globalMax, dg.randn([2, 3, 5, 4])],
  ] as const) {
    const path = join(dir, `${name}.safetensors`);
    await dg.save(model, path);
    const loaded = (await dg.load(path)) as dg.nn.Sequential;
    assert.equal(loaded.spec(), model.spec(), `${name}: architecture`);
    assert.equal(Object.keys(loaded.stateDict()), Object.keys(model.stateDict()), `${name}: keys`);
    await same(loaded.forward(x), model.forward(x), `${name}: outputs`);
  }
  assert.equal(Object.keys(sequences.stateDict()), ['0.weight', '2.weight', '2.bias', '4.weight', '4.bias']);
});

test.run();
