// Broadcasting binary ops after the webgpu dispatcher merges dimensions (mergeDims): the merge
// itself, and the kernel against the cpu reference on shapes that merge to each rank.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { mergeDims } from '../src/backend/webgpu/kernels/common.js';
import { checkGpuMatchesCpu, hasWebGpu, type InputSpec } from './support/compare.js';

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
];

const gpu = suite('binary with merged dimensions: webgpu matches the cpu reference');
const hasGpu = await hasWebGpu();
for (const [name, inputs, fn, withGrad] of cases) {
  gpu(name, async () => {
    if (!hasGpu) throw new Error('no WebGPU adapter: run scripts/install-software-vulkan.sh');
    await checkGpuMatchesCpu(inputs, fn, name, withGrad);
  });
}
gpu.run();
