// fit on a batch source (a DataLoader, as Keras' fit on a generator): same training as on the
// equivalent tensors, batches disposed, and clear errors for sources that cannot work.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu } from './support/compare.js';
import { forEachBackend } from './support/webgpu.js';

const { nn, optim } = dg;
const test = suite('fit on a batch source');
await hasWebGpu();

const N = 37;
const xs = Float32Array.from({ length: N * 3 }, (_, i) => Math.sin(1.7 * i));
const ys = Int32Array.from({ length: N }, (_, i) => i % 4);

function trained(): dg.nn.Sequential {
  dg.manualSeed(3);
  const m = new nn.Sequential(new nn.Linear(3, 8), new nn.ReLU(), new nn.Linear(8, 4));
  return m.compile({ optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
}

forEachBackend(test, 'an unshuffled DataLoader trains exactly as the same tensors with shuffle off', async (b) => {
  const x = dg.tensor(xs, [N, 3]);
  const y = dg.tensor(ys, [N], { dtype: 'int32' });
  const a = trained();
  const ha = await a.fit(x, y, { epochs: 2, batchSize: 5, shuffle: false, verbose: 0 });
  const loader = new dg.data.DataLoader(new dg.data.TensorDataset({ shape: [N, 3], data: xs }, { shape: [N], data: ys }), { batchSize: 5 });
  const m = trained();
  const hm = await m.fit(loader, { epochs: 2, validationData: [x, y], verbose: 0 });
  assert.equal(Object.keys(hm.history), ['loss', 'accuracy', 'valLoss', 'valAccuracy'], b);
  assert.equal(hm.params, { epochs: 2, steps: 8, batchSize: 5 }, b);
  assertClose(hm.history.loss!, ha.history.loss!, GPU_TOL, `${b}: loss per epoch`);
  assertClose(await m.forward(x).data(), await a.forward(x).data(), GPU_TOL, `${b}: weights after training`);
});

forEachBackend(test, 'evaluate and validationData take a source too, with the same results as the tensors', async (b) => {
  const x = dg.tensor(xs, [N, 3]);
  const y = dg.tensor(ys, [N], { dtype: 'int32' });
  const loader = new dg.data.DataLoader(new dg.data.TensorDataset({ shape: [N, 3], data: xs }, { shape: [N], data: ys }), { batchSize: 5 });
  const a = trained(), m = trained();
  const ha = await a.fit(x, y, { epochs: 2, batchSize: 5, shuffle: false, validationData: [x, y], verbose: 0 });
  const hm = await m.fit(loader, { epochs: 2, validationData: loader, verbose: 0 });
  assertClose(hm.history.valLoss!, ha.history.valLoss!, GPU_TOL, `${b}: valLoss per epoch`);
  assertClose(hm.history.valAccuracy!, ha.history.valAccuracy!, GPU_TOL, `${b}: valAccuracy per epoch`);
  const [fromSource, fromTensors] = [await m.evaluate(loader), await m.evaluate(x, y, { batchSize: 7 })];
  assert.equal(Object.keys(fromSource), ['loss', 'accuracy'], b);
  assertClose([fromSource.loss!, fromSource.accuracy!], [fromTensors.loss!, fromTensors.accuracy!], GPU_TOL, `${b}: evaluate`);
});

forEachBackend(test, 'predict on a source gives the outputs of its batches in order, as on the tensor', async (b) => {
  const x = dg.tensor(xs, [N, 3]);
  const m = trained();
  const xOnly = new dg.data.DataLoader(new dg.data.TensorDataset({ shape: [N, 3], data: xs }), { batchSize: 6 });
  const out = await m.predict(xOnly);
  assert.equal(out.shape, [N, 4], b);
  assertClose(await out.data(), await (await m.predict(x)).data(), GPU_TOL, `${b}: predict`);
  const before = dg.memory().tensors;
  (await m.predict(xOnly)).dispose();
  assert.is(dg.memory().tensors, before, `${b}: only the result outlives predict`);
});

test('the batches a source makes are disposed after each step', async () => {
  await dg.init({ backend: 'cpu' });
  const loader = new dg.data.DataLoader(new dg.data.TensorDataset({ shape: [N, 3], data: xs }, { shape: [N], data: ys }), { batchSize: 4, shuffle: true });
  const m = trained();
  await m.fit(loader, { epochs: 1, verbose: 0 });
  const before = dg.memory().tensors;
  await m.fit(loader, { epochs: 2, verbose: 0 });
  assert.is(dg.memory().tensors, before);
});

test('errors: validationSplit, a conflicting batchSize, a short source, batches that are not [x, y]', async () => {
  await dg.init({ backend: 'cpu' });
  const m = trained();
  const x = dg.tensor(xs.subarray(0, 6), [2, 3]);
  const y = dg.tensor([0, 1], { dtype: 'int32' });
  const source = (length: number, batch: () => dg.Tensor[]) => ({ length, batchSize: 2, *[Symbol.iterator]() { yield batch(); } });
  const rejects = async (p: Promise<unknown>, fragment: string) => {
    try {
      await p;
    } catch (e) {
      assert.ok((e as Error).message.includes(fragment), (e as Error).message);
      return;
    }
    assert.unreachable(`expected an error with '${fragment}'`);
  };
  await rejects(m.fit(source(1, () => [x, y]), { validationSplit: 0.5, verbose: 0 }), 'fit: validationSplit needs x and y tensors');
  await rejects(m.fit(source(1, () => [x, y]), { batchSize: 3, verbose: 0 }), 'makes batches of 2; options.batchSize 3');
  await rejects(m.fit(source(2, () => [x, y]), { verbose: 0 }), 'the batch source ended after 1 batches, but its length says 2');
  await rejects(m.fit(source(1, () => [x]), { verbose: 0 }), 'each batch must be [x, y], got 1 tensors');
  await rejects(m.fit(source(1, () => [x, dg.tensor([0, 1])]), { verbose: 0 }), "loss 'sparseCategoricalCrossentropy' expects int32 class labels");
  await rejects(m.predict(source(2, () => [x])), 'predict: the batch source ended after 1 batches, but its length says 2');
  await rejects(m.evaluate(source(2, () => [x, y])), 'evaluate: the batch source ended after 1 batches, but its length says 2');
  await rejects(m.fit(source(1, () => [x, y]), { validationData: source(1, () => [x]), verbose: 0 }), 'fit (validationData): each batch must be [x, y], got 1 tensors');
});

test.run();
