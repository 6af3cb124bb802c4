// TensorDataset and DataLoader: batching, dropLast, seeded shuffles, columns kept aligned.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { DataLoader, TensorDataset } from '../src/data/dataset.js';
import type { HostTensor } from '../src/io/safetensors.js';
import { throwsWith } from './support/compare.js';

const test = suite('data loader');

/** 10 examples: x[i] = [i, i + 0.5], y[i] = i, so any batch shows which examples it holds. */
function numbered(n = 10): TensorDataset {
  return new TensorDataset(
    { shape: [n, 2], data: Float32Array.from({ length: 2 * n }, (_, k) => Math.floor(k / 2) + (k % 2) / 2) },
    { shape: [n], data: Int32Array.from({ length: n }, (_, i) => i) },
  );
}

async function pass(loader: DataLoader): Promise<{ x: number[][]; y: number[][] }> {
  const x: number[][] = [];
  const y: number[][] = [];
  for (const [xb, yb] of loader) {
    assert.is(xb!.shape[1], 2);
    assert.is(yb!.dtype, 'int32');
    x.push([...await xb!.data()]);
    y.push([...await yb!.data()]);
    xb!.dispose();
    yb!.dispose();
  }
  return { x, y };
}

test.before(async () => { await dg.init({ backend: 'cpu' }); });

test('batches in order, the last one short', async () => {
  const loader = new DataLoader(numbered(), { batchSize: 4 });
  assert.is(loader.length, 3);
  const { x, y } = await pass(loader);
  assert.equal(y, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  assert.equal(x[2], [8, 8.5, 9, 9.5]);
});

test('dropLast drops the short batch', async () => {
  const loader = new DataLoader(numbered(), { batchSize: 4, dropLast: true });
  assert.is(loader.length, 2);
  assert.equal((await pass(loader)).y, [[0, 1, 2, 3], [4, 5, 6, 7]]);
});

test('the default batch size is 1, as in PyTorch', async () => {
  assert.is(new DataLoader(numbered(3)).length, 3);
});

test('a shuffled pass visits every example once, with inputs and labels kept together', async () => {
  dg.manualSeed(1);
  const { x, y } = await pass(new DataLoader(numbered(), { batchSize: 3, shuffle: true }));
  const order = y.flat();
  assert.equal([...order].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.not.equal(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(x.flat(), order.flatMap((i) => [i, i + 0.5]));
});

test('shuffling is reproducible under dg.manualSeed and differs from pass to pass', async () => {
  const loader = new DataLoader(numbered(), { batchSize: 4, shuffle: true });
  dg.manualSeed(42);
  const first = (await pass(loader)).y.flat();
  const second = (await pass(loader)).y.flat();
  dg.manualSeed(42);
  assert.equal((await pass(loader)).y.flat(), first);
  assert.equal((await pass(loader)).y.flat(), second);
  assert.not.equal(second, first);
});

test('a dataset made from tensors serves the same rows', async () => {
  const ds = await TensorDataset.fromTensors(dg.tensor([[1, 2], [3, 4], [5, 6]]), dg.tensor([7, 8, 9], { dtype: 'int32' }));
  const [x, y] = ds.take([2, 0]);
  assert.equal([...x!.data], [5, 6, 1, 2]);
  assert.equal(x!.shape, [2, 2]);
  assert.equal([...y!.data], [9, 7]);
});

test('bad datasets and options are errors that say what is wrong', () => {
  throwsWith(() => new TensorDataset({ shape: [3, 2], data: new Float32Array(6) }, { shape: [4], data: new Int32Array(4) }),
    ['TensorDataset', 'differ in length', '3 vs 4'], 'lengths');
  throwsWith(() => new TensorDataset({ shape: [3, 2], data: new Float32Array(5) }), ['column 0 has 5 values', '[3, 2]'], 'size');
  throwsWith(() => new DataLoader(numbered(), { batchSize: 0 }), ['batchSize must be a positive integer, got 0'], 'batchSize');
  throwsWith(() => numbered().take([10]), ['index 10 out of range for 10 examples'], 'index');
  throwsWith(() => new TensorDataset(dg.ones([3, 2]) as unknown as HostTensor), ['column 0 is a Tensor', '[3, 2]', 'fromTensors'], 'tensor column');
});

test.run();
