// Bad input: every error names the op, the shapes or values, and what was expected.
import { suite } from 'uvu';
import * as dg from '../src/index.js';
import * as assert from 'uvu/assert';
import { throwsWith } from './support/compare.js';
import { BACKEND_NAMES, webgpuSuite, webgpuTest } from './support/webgpu.js';

for (const backend of BACKEND_NAMES) {
  const t = backend === 'webgpu' ? webgpuSuite(`errors on ${backend}`) : suite(`errors on ${backend}`);
  t.before(async () => {
    await dg.init({ backend });
  });

  t('binary ops name the shapes that do not broadcast', () => {
    throwsWith(() => dg.ones([2, 3]).add(dg.ones([4])), ['add', '[2, 3]', '[4]'], 'add');
    throwsWith(() => dg.ones([5, 2]).mul(dg.ones([3, 2])), ['mul', '[5, 2]', '[3, 2]'], 'mul');
  });

  t('matmul names both shapes when inner dimensions differ', () => {
    throwsWith(() => dg.ones([2, 3]).matmul(dg.ones([4, 5])), ['matmul', '[2, 3]', '[4, 5]'], 'matmul');
    throwsWith(() => dg.ones([2, 2, 3]).matmul(dg.ones([3, 3, 1])), ['matmul', '[2]', '[3]'], 'matmul batch');
  });

  t('matmul refuses int32 operands', () => {
    throwsWith(() => dg.ones([2, 2], { dtype: 'int32' }).matmul(dg.ones([2, 2])), ['matmul', 'float32', 'int32'], 'matmul dtype');
  });

  t('reductions name the bad axis and the rank', () => {
    throwsWith(() => dg.ones([2, 3]).sum(2), ['sum', 'axis 2', 'rank 2'], 'sum');
    throwsWith(() => dg.ones([2, 3]).softmax(-3), ['softmax', 'axis -3'], 'softmax');
    throwsWith(() => dg.ones([2, 3]).sum([0, 0]), ['sum', 'repeated'], 'sum repeated');
    throwsWith(() => dg.ones([2, 0]).max(1), ['max', '[2, 0]'], 'max of empty');
  });

  t('reshape names the element counts', () => {
    throwsWith(() => dg.ones([2, 3]).reshape([4, 2]), ['reshape', '[2, 3]', '[4, 2]', '6'], 'reshape');
    throwsWith(() => dg.ones([2, 3]).reshape([-1, -1]), ['reshape', '-1'], 'reshape two -1');
  });

  t('layout ops name the offending shapes', () => {
    throwsWith(() => dg.cat([dg.ones([2, 3]), dg.ones([3, 3])], 1), ['cat', '[2, 3]', '[3, 3]'], 'cat');
    throwsWith(() => dg.stack([dg.ones([2]), dg.ones([3])]), ['stack', '[2]', '[3]'], 'stack');
    throwsWith(() => dg.ones([4, 5]).narrow(1, 3, 3), ['narrow', 'start 3', 'length 3', 'size 5'], 'narrow');
    throwsWith(() => dg.ones([2, 3]).permute([0, 0]), ['permute', '[0, 0]'], 'permute');
    throwsWith(() => dg.ones([2, 3]).expand([4, 3, 2]), ['expand', '[2, 3]', '[4, 3, 2]'], 'expand');
  });

  t('tensor() rejects ragged data and mismatched shapes', () => {
    throwsWith(() => dg.tensor([[1, 2], [3]]), ['tensor', 'ragged'], 'ragged');
    throwsWith(() => dg.tensor(new Float32Array(5), [2, 3]), ['tensor', '5 values', '[2, 3]'], 'shape');
    throwsWith(() => dg.tensor([1], { dtype: 'float16' as 'float32' }), ['tensor', 'float16'], 'dtype');
    throwsWith(() => dg.zeros([2, -1]), ['zeros', '[2, -1]'], 'negative dim');
  });

  t('backward needs a scalar or a matching gradient', () => {
    const x = dg.ones([2, 3], { requiresGrad: true });
    throwsWith(() => x.mul(2).backward(), ['backward', 'scalar', '[2, 3]'], 'non-scalar');
    throwsWith(() => x.mul(2).backward(dg.ones([3])), ['backward', '[3]', '[2, 3]'], 'wrong grad shape');
    throwsWith(() => dg.ones([1]).backward(), ['backward', 'does not require grad'], 'no grad');
  });

  t('int32 tensors cannot require gradients', () => {
    throwsWith(() => dg.ones([2], { dtype: 'int32', requiresGrad: true }), ['requiresGrad', 'int32'], 'int grad');
  });

  t('a disposed tensor says so when used', () => {
    const x = dg.ones([2, 3]);
    x.dispose();
    throwsWith(() => x.add(1), ['[2, 3]', 'dispose'], 'disposed');
  });

  t('item() needs one element', async () => {
    let msg = '';
    await dg.ones([2, 2]).item().catch((e: Error) => { msg = e.message; });
    throwsWith(() => { if (msg) throw new Error(msg); }, ['item', '[2, 2]'], 'item');
  });

  t.run();
}

const init = suite('init');
init('an unknown backend name is refused with the valid names', async () => {
  let msg = '';
  await dg.init({ backend: 'tpu' as 'cpu' }).catch((e: Error) => { msg = e.message; });
  throwsWith(() => { if (msg) throw new Error(msg); }, ['init', 'tpu', "'webgpu'", "'cpu'"], 'init');
});
webgpuTest(init)('tensors from different backends are not mixed silently', async () => {
  await dg.init({ backend: 'cpu' });
  const a = dg.ones([2]);
  await dg.init({ backend: 'webgpu' });
  const b = dg.ones([2]);
  throwsWith(() => a.add(b), ['add', 'different backends', 'cpu', 'webgpu'], 'mixed');
});
webgpuTest(init)('creation ops take a backend by name or object, and refuse unknown ones', async () => {
  await dg.init({ backend: 'webgpu' });
  const onCpu = dg.tensor([1, 2], { backend: 'cpu' });
  assert.is(onCpu.backend.name, 'cpu');
  assert.is(dg.zeros([2], { backend: onCpu.backend }).backend.name, 'cpu');
  assert.is(dg.ones([1], { backend: 'webgpu' }).backend.name, 'webgpu');
  throwsWith(() => dg.zeros([2], { backend: 'tpu' as 'cpu' }), ['zeros', "'tpu'", "'webgpu'", "'cpu'"], 'unknown name');
  throwsWith(() => dg.tensor([1], { backend: {} as dg.Tensor['backend'] }), ['tensor', 'unknown backend'], 'unknown object');
});
init.run();
