// Broadcasting binary ops after the webgpu dispatcher merges dimensions (mergeDims): the merge
// itself, and the kernel against the cpu reference on shapes that merge to each rank.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { mergeDims } from '../src/backend/webgpu/kernels/common.js';
import { checkGpuMatchesCpu, hasWebGpu, type InputSpec } from './support/compare.js';
import { webgpuTest } from './support/webgpu.js';

const n = (...shape: number[]): InputSpec => ({ shape });

const merge = suite('mergeDims');

merge('a bias over the last axis merges every leading axis into one', () => {
  assert.equal(mergeDims([64, 28, 512], [[14336, 512, 1], [0, 0, 1]]), { shape: [1792, 512], strides: [[512, 1], [0, 1]] });
});

merge('a contiguous pair or a scalar broadcast merges to one dimension', () => {
  assert.equal(mergeDims([3, 4, 5], [[20, 5, 1], [20, 5, 1]]), { shape: [60], strides: [[1], [1]] });
  assert.equal(mergeDims([5, 7], [[7, 1], [0, 0]]), { shape: [35], strides: [[1], [0]] });
});

merge('size-1 dimensions are dropped and unmergeable neighbours kept', () => {
  assert.equal(mergeDims([5, 1, 3, 7], [[7, 0, 0, 1], [0, 0, 1, 0]]), { shape: [5, 3, 7], strides: [[7, 0, 1], [0, 1, 0]] });
  assert.equal(mergeDims([1, 1], [[0, 0], [1, 1]]), { shape: [], strides: [[], []] });
});

merge.run();

// [name, inputs, fn, with gradients]
const cases: [string, InputSpec[], (a: dg.Tensor, b: dg.Tensor) => dg.Tensor, boolean][] = [
  ['bias add [37, 29, 13] + [13] (merges to [1073, 13], ~55 workgroups)', [n(37, 29, 13), n(13)], (a, b) => a.add(b), true],
  ['column broadcast [37, 13] * [37, 1] (stays rank 2)', [n(37, 13), n(37, 1)], (a, b) => a.mul(b), true],
  ['scalar [5, 7] - [] (merges to rank 1)', [n(5, 7), n()], (a, b) => a.sub(b), true],
  ['middle broadcast [3, 1, 5] / [3, 4, 5] (nothing merges)', [n(3, 1, 5), { shape: [3, 4, 5], kind: 'positive' }], (a, b) => a.div(b), true],
  ['both broadcast [2, 1, 3, 1] + [1, 5, 1, 7] (rank 4)', [n(2, 1, 3, 1), n(1, 5, 1, 7)], (a, b) => a.add(b), true],
  ['compare [37, 29, 13] < [13]', [n(37, 29, 13), n(13)], (a, b) => a.lt(b), false],
  // at most three merged dimensions with rows of at least 64 columns take the `_3d` entries
  ['3d: bias add [37, 3, 131] + [131] (merges to [111, 131])', [n(37, 3, 131), n(131)], (a, b) => a.add(b), true],
  ['3d: column scale [67, 1] * [67, 300]', [n(67, 1), n(67, 300)], (a, b) => a.mul(b), true],
  ['3d: scalar [5, 70] - [] (one row of 350)', [n(5, 70), n()], (a, b) => a.sub(b), true],
  ['3d: per-channel [4, 3, 9, 9] + [3, 1, 1] (merges to [4, 3, 81])', [n(4, 3, 9, 9), n(3, 1, 1)], (a, b) => a.add(b), true],
  ['3d: middle broadcast [5, 1, 70] - [3, 70]', [n(5, 1, 70), n(3, 70)], (a, b) => a.sub(b), true],
  ['3d: compare [37, 131] >= [131]', [n(37, 131), n(131)], (a, b) => a.ge(b), false],
];

const gpu = suite('binary with merged dimensions: webgpu matches the cpu reference');
await hasWebGpu();
for (const [name, inputs, fn, withGrad] of cases) {
  webgpuTest(gpu)(name, async () => {
    await checkGpuMatchesCpu(inputs, fn, name, withGrad);
  });
}
webgpuTest(gpu)('views of at most three merged dimensions with rows of >= 64 columns take the _3d entries, others the general ones', async () => {
  await dg.init({ backend: 'webgpu' });
  const kernels = async (fn: () => dg.Tensor) => (await dg.profile(fn)).kernels.map((k) => k.kernel);
  const [x, row, narrow, narrowRow] = [dg.randn([37, 131]), dg.randn([131]), dg.randn([37, 13]), dg.randn([13])];
  assert.equal(await kernels(() => x.add(row)), ['binary.wgsl:binary_3d']);
  assert.equal(await kernels(() => x.lt(row)), ['binary.wgsl:compare_3d']);
  assert.equal(await kernels(() => narrow.add(narrowRow)), ['binary.wgsl:binary']);
  assert.equal(await kernels(() => x.add(x)), ['binary.wgsl:binary'], 'contiguous operands keep the plain path');
  const [deep, deepRow] = [dg.randn([2, 3, 5, 70]), dg.randn([3, 1, 70])];
  assert.equal(await kernels(() => deep.add(deepRow)), ['binary.wgsl:binary'], 'four merged dimensions');
});
gpu.run();
