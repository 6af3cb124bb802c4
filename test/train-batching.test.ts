// takeRows, the row gather that makes fit's shuffled batches on the device.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { takeRows } from '../src/core/ops/take.js';
import { checkGpuMatchesCpu, hasWebGpu, throwsWith } from './support/compare.js';
import { forEachBackend, webgpuTest } from './support/webgpu.js';

const test = suite('takeRows');
await hasWebGpu();

const CASES = [
  { name: 'one row of one element', x: [1], idx: 1, max: 1 },
  { name: 'rows of 15, repeated indices', x: [37, 3, 5], idx: 131, max: 37 },
  { name: 'rows of 1 spanning several workgroups', x: [1031], idx: 1031, max: 1031 },
  { name: 'wide rows', x: [5, 263], idx: 7, max: 5 },
];

for (const c of CASES) {
  for (const dtype of ['float32', 'int32'] as const) {
    webgpuTest(test)(`${c.name} (${dtype}): webgpu matches cpu`, async () => {
      await checkGpuMatchesCpu(
        [{ shape: c.x, dtype, max: 1000 }, { shape: [c.idx], dtype: 'int32', max: c.max }],
        (x, i) => takeRows(x, i), `takeRows ${c.name} ${dtype}`, false,
      );
    });
  }
}

forEachBackend(test, 'picks the rows named by the indices, and zero rows for out-of-range ones', async (b) => {
  const x = dg.tensor([[1, 2], [3, 4], [5, 6]]);
  const out = takeRows(x, dg.tensor([2, 0, 2, 3, -1], { dtype: 'int32' }));
  assert.equal(await out.array(), [[5, 6], [1, 2], [5, 6], [0, 0], [0, 0]], b);
  const y = takeRows(dg.tensor([7, 8, 9], { dtype: 'int32' }), dg.tensor([1, 1], { dtype: 'int32' }));
  assert.is(y.dtype, 'int32');
  assert.equal(Array.from(await y.data()), [8, 8], `${b} int32`);
});

test('bad arguments are clear errors', async () => {
  await dg.init({ backend: 'cpu' });
  const x = dg.tensor([[1, 2], [3, 4]]);
  throwsWith(() => takeRows(x, dg.tensor([0, 1])), ['takeRows', 'int32 indices', 'float32'], 'float indices');
  throwsWith(() => takeRows(x, dg.tensor([[0]], { dtype: 'int32' })), ['takeRows', '[1, 1]'], '2-d indices');
  throwsWith(() => takeRows(dg.tensor([[1]], { requiresGrad: true }), dg.tensor([0], { dtype: 'int32' })), ['takeRows', 'gradient', 'embedding'], 'needs grad');
});

test.run();
