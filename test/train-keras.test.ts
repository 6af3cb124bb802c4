// The seeds' Keras models written with dg.nn and trained with fit: a CNN classifier and an
// Embedding + LSTM binary classifier, on small random batches, webgpu in step with cpu.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, seeded } from './support/compare.js';
import { BACKEND_NAMES, webgpuTest } from './support/webgpu.js';

const { nn, optim } = dg;
const test = suite('train-keras');
await hasWebGpu();

/** keras: Conv2D(8, 3, relu) -> MaxPooling2D -> Flatten -> Dense(10, softmax). */
const cnn = () => new nn.Sequential(
  new nn.Conv2d(1, 8, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(8 * 5 * 5, 10), new nn.Softmax(),
);

/** keras: Embedding(20, 8) -> LSTM(16) -> Dense(1, sigmoid); Keras' LSTM returns the last step. */
class SentimentLstm extends nn.Module {
  readonly embedding = new nn.Embedding(20, 8);
  readonly lstm = new nn.LSTM(8, 16, { batchFirst: true });
  readonly dense = new nn.Linear(16, 1);
  readonly out = new nn.Sigmoid();
  override forward(tokens: Tensor): Tensor {
    const [seq] = this.lstm.forward(this.embedding.forward(tokens));
    const last = seq.narrow(1, seq.shape[1]! - 1, 1).squeeze(1);
    return this.out.forward(this.dense.forward(last));
  }
}

async function train(backend: 'cpu' | 'webgpu', make: () => dg.nn.AnyModule, x: () => Tensor, y: () => Tensor, loss: string, metric: string) {
  await dg.init({ backend });
  dg.manualSeed(11);
  const m = make();
  m.compile({ optimizer: new optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }), loss, metrics: [metric] });
  return m.fit(x(), y(), { epochs: 4, batchSize: 8, verbose: 0 });
}

webgpuTest(test)('Keras CNN: fit on a random batch, webgpu in step with cpu, loss falling', async () => {
  const x = () => dg.tensor(Float32Array.from(seeded(16 * 144, 1)), [16, 1, 12, 12]);
  const y = () => dg.tensor(Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 10), [16]);
  const runs = [];
  for (const b of BACKEND_NAMES) runs.push(await train(b, cnn, x, y, 'sparseCategoricalCrossentropy', 'accuracy'));
  const loss = runs.at(-1)!.history.loss!;
  assert.ok(loss.at(-1)! < loss[0]!, `loss falls: ${loss.join(', ')}`);
  assert.equal(Object.keys(runs.at(-1)!.history), ['loss', 'accuracy']);
  assertClose(runs[1]!.history.loss!, runs[0]!.history.loss!, GPU_TOL, 'webgpu vs cpu loss per epoch');
});

webgpuTest(test)('Keras LSTM: fit on random token sequences, webgpu in step with cpu, loss falling', async () => {
  const tokens = () => dg.tensor(Int32Array.from(seeded(16 * 6, 2, 'uniform'), (v) => Math.floor((v + 1) * 10) % 20), [16, 6], { dtype: 'int32' });
  const labels = () => dg.tensor(Float32Array.from({ length: 16 }, (_, i) => i % 2), [16, 1]);
  const runs = [];
  for (const b of BACKEND_NAMES) runs.push(await train(b, () => new SentimentLstm(), tokens, labels, 'binaryCrossentropy', 'binaryAccuracy'));
  const loss = runs.at(-1)!.history.loss!;
  assert.ok(loss.at(-1)! < loss[0]!, `loss falls: ${loss.join(', ')}`);
  assert.equal(Object.keys(runs.at(-1)!.history), ['loss', 'binaryAccuracy']);
  assertClose(runs[1]!.history.loss!, runs[0]!.history.loss!, GPU_TOL, 'webgpu vs cpu loss per epoch');
});

test.run();
