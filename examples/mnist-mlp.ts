// A multilayer perceptron on MNIST: Dense(128, relu) - Dense(64, relu) - Dense(10), trained
// with SGD and momentum.   npm run mnist:mlp -- --epochs 10 --batch-size 64
import * as dg from '../src/index.js';
import { exampleArgs } from './common/args.js';
import { mnistSplits, trainLoader } from './common/mnist.js';
import { EpochTimer, finish } from './common/run.js';

const { nn } = dg;
const args = exampleArgs('mnist-mlp', { epochs: 10, batchSize: 64 });
await dg.init({ backend: args.backend });
dg.manualSeed(0);

const data = await mnistSplits(args);
const model = new nn.Sequential(
  new nn.Flatten(), // [N, 1, 28, 28] -> [N, 784]
  new nn.Linear(784, 128), new nn.ReLU(),
  new nn.Linear(128, 64), new nn.ReLU(),
  new nn.Linear(64, 10),
);
console.log(`${model}\ntraining on ${data.train.n} images, validating on ${data.val[0].shape[0]}`);

model.compile({ optimizer: new dg.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const timer = new EpochTimer();
const history = await model.fit(trainLoader(data, args.batchSize), { epochs: args.epochs, validationData: data.val, callbacks: [timer] });
const test = await model.evaluate(...data.test, { batchSize: 500 });
await finish('mnist-mlp', model, history, timer, test, args.out);
