// Sequential MNIST: each image read as 28 steps of 28 pixels (one row per step) by an
// LSTM(128), whose last hidden state a Dense(10) classifies. Adam.
//   npm run mnist:lstm -- --epochs 8 --batch-size 64
import * as dg from '../src/index.js';
import { exampleArgs } from './common/args.js';
import { mnistSplits, trainLoader } from './common/mnist.js';
import { EpochTimer, finish } from './common/run.js';

const { nn } = dg;
const args = exampleArgs('mnist-lstm', { epochs: 8, batchSize: 64 });
await dg.init({ backend: args.backend });
dg.manualSeed(0);

const data = await mnistSplits(args, { rows: true }); // images as [N, 28 steps, 28 pixels]
const model = new nn.Sequential(
  new nn.LSTM(28, 128, { batchFirst: true }),
  new nn.LastStep(), // Keras' return_sequences=False: the hidden state after the last row
  new nn.Linear(128, 10),
);
console.log(`${model}\ntraining on ${data.train.n} images, validating on ${data.val[0].shape[0]}`);

model.compile({ optimizer: new dg.optim.Adam(model.parameters(), { lr: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const timer = new EpochTimer();
const history = await model.fit(trainLoader(data, args.batchSize, { rows: true }), { epochs: args.epochs, validationData: data.val, callbacks: [timer] });
const test = await model.evaluate(...data.test, { batchSize: 500 });
await finish('mnist-lstm', model, history, timer, test, args.out);
